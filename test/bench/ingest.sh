#!/usr/bin/env bash
# test/bench/ingest.sh — end-to-end line-protocol ingest against COPY.
#
# On a throwaway cluster (the same settings for both sides; no indexes):
#   (a) COPY csv: `\copy cpu_copy FROM file (FORMAT csv)` through psql
#       (COPY ... FROM STDIN over the client protocol) of N rows (default
#       5 000 000) into a table partitioned by day like streamstat's, its
#       partition made beforehand;
#   (b) COPY binary, the limit: `COPY cpu_bin FROM '<file>' (FORMAT
#       binary)` of a server-side file that `COPY (SELECT * FROM cpu_copy) TO (FORMAT
#       binary)` wrote from the same rows (multi-insert, partition routing
#       and WAL with almost no parsing), into a table of the same shape;
#   (c) streamstat: the same rows as line protocol, sent over CONNS
#       (default 4) connections by test/bench/ilp_load, timed from the first
#       byte sent until the worker has committed the last row (ingest_stats),
#       with the table and its partition made by a first line beforehand;
#       printed as rows/s, as the ratio streamstat / COPY csv (target
#       >= 1.5 with one worker, >= 1.6 with two) and as streamstat's time
#       over COPY binary's (target <= 1.3);
#   (d) the same with streamstat.multi_insert = off (every row through
#       COPY FROM inside the worker, the path before 0.2), unless
#       COPY_PATH=0; the ratio (c) / (d);
#   (e) latency: at half the rate one worker sustained in (c), one
#       connection sends lines for LAT_SECONDS (default 20) while a poller
#       watches the rows committed (ingest_stats); p50/p99 from sending to
#       visible, against the bound flush_interval + 50 ms.
# For (a) to (d) the server's CPU seconds per million rows are printed too
# (all its processes, from /proc; less sensitive to other load on the
# machine than the rates).
# (c) to (e) run once per value in WORKERS (default "1 2":
# streamstat.workers).  The load generator formats every connection's
# lines in memory before the clock starts, so while timed it only writes
# to sockets; psql of (a) reads a file and writes to a socket likewise.
# Both run on the same cores as the server: say so when quoting figures,
# with `uptime` (printed at the start and end).  Figures vary with the
# machine's load: this is not a test, nothing fails.
#
# Usage: PG_CONFIG=/path/to/pg_config test/bench/ingest.sh
#        env: N, CONNS, WORKERS, LAT_SECONDS, COPY_PATH
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

N=${N:-5000000}
CONNS=${CONNS:-4}
WORKERS=${WORKERS:-"1 2"}
SECONDS_LAT=${LAT_SECONDS:-20}
COPY_PATH=${COPY_PATH:-1}

install_packages
build_and_install
say "load: $(uptime)"
setup_run_user

WORK=${STREAMSTAT_WORK:-$ROOT/.work}/bench-ingest
mkdir -p "$WORK"
[ "$(id -u)" -ne 0 ] || chown "$RUN_USER" "$WORK"
LOAD=$WORK/ilp_load
cc -O2 -Wall -o "$LOAD" "$ROOT/test/bench/ilp_load.c" -I"$($PG_CONFIG --includedir)" -lpq
say "generating $N rows as CSV"
"$LOAD" csv "$N" 1 >"$WORK/rows.csv"
chmod o+r "$WORK/rows.csv"

psqlc() { run_psql -d postgres -Atq "$@"; }

# CPU seconds the server has used: its live processes, plus the ones that
# exited (a COPY's backend), which the postmaster's children times hold.
server_cpu() {
	local pm
	pm=$(head -n 1 "$WORK/cluster/data/postmaster.pid")
	{
		awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
		for p in $(pgrep -P "$pm"); do awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || true; done
	} | awk -v hz="$(getconf CLK_TCK)" '{ s += $1 } END { printf "%.2f\n", s / hz }'
}
# Server CPU seconds per million rows between two server_cpu readings.
cpu_per_m() { awk -v a="$1" -v b="$2" -v n="$N" 'BEGIN { printf "%.2f", (b - a) * 1000000 / n }'; }

for W in $WORKERS; do
	ILP_PORT=$(free_port 19109)
	say "cluster with streamstat.workers = $W (line protocol on port $ILP_PORT)"
	start_cluster "$WORK/cluster" <<CONF
streamstat.port = $ILP_PORT
streamstat.http_port = 0
streamstat.workers = $W
shared_buffers = 1GB
max_wal_size = 16GB
checkpoint_timeout = 30min
autovacuum = off
CONF
	trap 'as_run_user pg_ctl -D "$WORK/cluster/data" -m immediate stop >/dev/null 2>&1 || true' EXIT
	psqlc -c 'CREATE EXTENSION streamstat' 2>/dev/null
	# Touch all of shared_buffers once, as on a server that has been up a
	# while: first-use page faults would otherwise land on whichever side
	# runs first (the bench helper measured 14% of the worker's time).
	psqlc -c "CREATE UNLOGGED TABLE warm AS SELECT g, repeat('x', 900) AS pad FROM generate_series(1, 1200000) g" \
		-c "DROP TABLE warm"
	CONNINFO="host=$PGSOCK port=$PGPORT user=postgres dbname=postgres"
	until (exec 3<>"/dev/tcp/127.0.0.1/$ILP_PORT") 2>/dev/null; do sleep 0.1; done

	# (a) COPY
	psqlc -c "CREATE TABLE cpu_copy (time timestamptz NOT NULL, host text, region text,
		usage_user double precision, usage_system double precision, usage_idle double precision,
		count bigint) PARTITION BY RANGE (time)"
	psqlc -c "CREATE TABLE cpu_copy_p PARTITION OF cpu_copy FOR VALUES FROM ('2025-11-25 00:00+00') TO ('2025-11-26 00:00+00')"
	psqlc -c "CHECKPOINT"
	c0=$(server_cpu)
	t0=$(date +%s%N)
	psqlc -c "\\copy cpu_copy FROM '$WORK/rows.csv' (FORMAT csv)"
	t1=$(date +%s%N)
	copy_rate=$(( N * 1000000000 / (t1 - t0) ))
	copy_cpu=$(cpu_per_m "$c0" "$(server_cpu)")

	# (b) COPY binary of a server-side file with the same rows.
	psqlc -c "COPY (SELECT * FROM cpu_copy) TO '$WORK/rows.bin' (FORMAT binary)"
	psqlc -c "CREATE TABLE cpu_bin (LIKE cpu_copy) PARTITION BY RANGE (time)"
	psqlc -c "CREATE TABLE cpu_bin_p PARTITION OF cpu_bin FOR VALUES FROM ('2025-11-25 00:00+00') TO ('2025-11-26 00:00+00')"
	psqlc -c "CHECKPOINT"
	c0=$(server_cpu)
	t0=$(date +%s%N)
	psqlc -c "COPY cpu_bin FROM '$WORK/rows.bin' (FORMAT binary)"
	t1=$(date +%s%N)
	bin_rate=$(( N * 1000000000 / (t1 - t0) ))
	bin_cpu=$(cpu_per_m "$c0" "$(server_cpu)")
	rm -f "$WORK/rows.bin"

	# (c) streamstat: a first line makes the table and its partition.
	"$LOAD" lines 1 1 >"$WORK/first.ilp"
	cat "$WORK/first.ilp" >"/dev/tcp/127.0.0.1/$ILP_PORT"
	"$LOAD" wait "$CONNINFO" "SELECT sum(rows_inserted) FROM streamstat.ingest_stats" 1 >/dev/null

	# Send the N rows; print the rows/s until the last one is committed and
	# the server's CPU seconds per million rows.
	ilp_run() {
		local base start done_us rows c0
		psqlc -c "TRUNCATE cpu" -c "CHECKPOINT"
		base=$(psqlc -c "SELECT sum(rows_inserted) FROM streamstat.ingest_stats")
		c0=$(server_cpu)
		"$LOAD" wait "$CONNINFO" "SELECT sum(rows_inserted) FROM streamstat.ingest_stats" $((base + N)) >"$WORK/done" &
		local waiter=$!
		"$LOAD" send 127.0.0.1 "$ILP_PORT" "$N" "$CONNS" 1 >"$WORK/sent"
		wait $waiter
		start=$(awk '/start_us/ {print $2}' "$WORK/sent")
		done_us=$(awk '/done_us/ {print $2}' "$WORK/done")
		rows=$(psqlc -c "SELECT count(*) FROM cpu")
		[ "$rows" -eq "$N" ] || echo "WARNING: cpu has $rows rows, expected $N" >&2
		echo "$(( N * 1000000 / (done_us - start) )) $(cpu_per_m "$c0" "$(server_cpu)")"
	}
	# An untimed run first: the worker's first touch of each page of
	# shared_buffers is a page fault, which would land on whichever of
	# (c) and (d) ran first.
	ilp_run >/dev/null
	read -r ilp_rate ilp_cpu < <(ilp_run)
	printf 'workers=%s  COPY csv: %d rows/s   COPY binary (server file): %d rows/s   streamstat (%d connections): %d rows/s\n' \
		"$W" "$copy_rate" "$bin_rate" "$CONNS" "$ilp_rate"
	printf 'workers=%s  streamstat / COPY csv = %.2f (target %s)   streamstat time / COPY binary time = %.2f (target <= 1.3)\n' \
		"$W" "$(awk -v a="$ilp_rate" -v b="$copy_rate" 'BEGIN { print a / b }')" \
		"$([ "$W" -ge 2 ] && echo '>= 1.6' || echo '>= 1.5')" \
		"$(awk -v a="$ilp_rate" -v b="$bin_rate" 'BEGIN { print b / a }')"

	# (d) the same through COPY inside the worker.
	if [ "$COPY_PATH" = 1 ]; then
		psqlc -c "ALTER SYSTEM SET streamstat.multi_insert = off" -c "SELECT pg_reload_conf()" >/dev/null
		sleep 1
		read -r old_rate old_cpu < <(ilp_run)
		psqlc -c "ALTER SYSTEM RESET streamstat.multi_insert" -c "SELECT pg_reload_conf()" >/dev/null
		sleep 1
		printf 'workers=%s  streamstat.multi_insert = off (COPY path): %d rows/s   multi-insert / COPY path = %.2f\n' \
			"$W" "$old_rate" "$(awk -v a="$ilp_rate" -v b="$old_rate" 'BEGIN { print a / b }')"
		printf 'workers=%s  server CPU s per 1M rows: COPY csv %s, COPY binary %s, streamstat %s, streamstat COPY path %s\n' \
			"$W" "$copy_cpu" "$bin_cpu" "$ilp_cpu" "$old_cpu"
	else
		printf 'workers=%s  server CPU s per 1M rows: COPY csv %s, COPY binary %s, streamstat %s\n' \
			"$W" "$copy_cpu" "$bin_cpu" "$ilp_cpu"
	fi

	# (e) latency at half the sustained rate.
	echo "lat,src=warmup sent_us=0i" >"/dev/tcp/127.0.0.1/$ILP_PORT"
	"$LOAD" wait "$CONNINFO" "SELECT count(*) FROM lat" 1 >/dev/null
	flush_ms=$(psqlc -c "SELECT setting FROM pg_settings WHERE name = 'streamstat.flush_interval'")
	# One connection reaches one worker: half of what one worker sustained.
	rate=$(( ilp_rate / W / 2 ))
	lat=$("$LOAD" latency 127.0.0.1 "$ILP_PORT" "$rate" "$SECONDS_LAT" "$CONNINFO")
	printf 'workers=%s  latency at %d lines/s for %ss: %s (bound: flush_interval + 50 = %d ms)\n' \
		"$W" "$rate" "$SECONDS_LAT" "$(echo "$lat" | tail -1)" $((flush_ms + 50))

	as_run_user pg_ctl -D "$WORK/cluster/data" stop -m fast >/dev/null
done
say "load: $(uptime)"
