#!/usr/bin/env bash
# test/bench/rollups.sh — what continuous rollups cost at ingest and save at
# query time, and how fresh they are.
#
# On a throwaway cluster:
#   (a) ingest: N rows (default 1 000 000) of test/bench/ilp_load's cpu
#       measurement (100 hosts, 4 regions, a row per ms) sent over CONNS
#       (default 4) connections, timed from the first byte sent until the
#       worker committed the last row, into a fresh table without rollups,
#       then into a fresh table with two rollups (cpu_1m: 1 minute by host
#       and region, usage_user and usage_system; cpu_1h: 1 hour from it),
#       and into one with the same two rollups made with percentiles => true
#       (a pctsketch per field too), ROUNDS times (default 3) after one
#       uncounted warm-up ingest, the order rotating; prints each round's
#       rows/s and the ratios with / without (target >= 0.8);
#   (b) dashboard: DAYS (default 30) days of HOSTS (default 2) hosts at HZ
#       (default 2) points per second, then the hourly mean and stddev per
#       host over all of it, from the raw rows (avg, stddev_samp) and from
#       the 1-minute rollup (mean(rollup()), stddev(rollup())), best of 3
#       each, with the default work_mem and with 64MB; prints the ratio
#       raw / rollup (target >= 100).  The ratio
#       grows with the points per minute and group (HZ * 60).  The raw table
#       is UNLOGGED to make the set-up shorter; the queries read the same;
#   (c) freshness: test/bench/rollup_fresh sends FRESH (default 200) points
#       one by one and polls one snapshot of the table and its rollup:
#       time until visible, and whether any snapshot showed a point in the
#       table but not in its rollup.
# Figures vary with the machine's load: this is not a test, nothing fails.
#
# Usage: PG_CONFIG=/path/to/pg_config test/bench/rollups.sh
#        env: N, CONNS, ROUNDS, DAYS, HOSTS, HZ, FRESH, SKIP (a list of a b c),
#             EXPLAIN=1 (print the plans of (b))
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

N=${N:-1000000}
CONNS=${CONNS:-4}
ROUNDS=${ROUNDS:-3}
DAYS=${DAYS:-30}
HOSTS=${HOSTS:-2}
HZ=${HZ:-2}
FRESH=${FRESH:-200}
SKIP=${SKIP:-}

install_packages
build_and_install
setup_run_user

WORK=${STREAMSTAT_WORK:-$ROOT/.work}/bench-rollups
mkdir -p "$WORK"
[ "$(id -u)" -ne 0 ] || chown "$RUN_USER" "$WORK"
LOAD=$WORK/ilp_load
FRESHP=$WORK/rollup_fresh
cc -O2 -Wall -o "$LOAD" "$ROOT/test/bench/ilp_load.c" -I"$($PG_CONFIG --includedir)" -lpq
cc -O2 -Wall -o "$FRESHP" "$ROOT/test/bench/rollup_fresh.c" -I"$($PG_CONFIG --includedir)" -lpq

psqlc() { run_psql -d postgres -Atq "$@"; }

ILP_PORT=$(free_port 19209)
say "cluster (line protocol on port $ILP_PORT)"
start_cluster "$WORK/cluster" <<CONF
streamstat.port = $ILP_PORT
streamstat.http_port = 0
shared_buffers = 1GB
max_wal_size = 16GB
checkpoint_timeout = 30min
autovacuum = off
# JIT would add over a second of compilation to the raw query: off, so the
# dashboard ratio is not flattered by it.
jit = off
CONF
psqlc -c 'CREATE EXTENSION streamstat' 2>/dev/null
psqlc -c "CREATE UNLOGGED TABLE warm AS SELECT g, repeat('x', 900) AS pad FROM generate_series(1, 1200000) g" \
	-c "DROP TABLE warm"
CONNINFO="host=$PGSOCK port=$PGPORT user=postgres dbname=postgres"
until (exec 3<>"/dev/tcp/127.0.0.1/$ILP_PORT") 2>/dev/null; do sleep 0.1; done

# One timed ingest of the N rows into a fresh cpu table; $1: 0 without
# rollups, 1 with, 2 with rollups that keep percentile sketches.
ingest_once() {
	local with=$1 base start done_us
	psqlc -c "SELECT streamstat.drop_rollup(name) FROM streamstat.rollups ORDER BY bucket DESC" >/dev/null
	psqlc -c "DROP TABLE IF EXISTS cpu"
	"$LOAD" lines 1 1 >"/dev/tcp/127.0.0.1/$ILP_PORT"
	"$LOAD" wait "$CONNINFO" "SELECT count(*) FROM pg_class WHERE relname = 'cpu'" 1 >/dev/null
	"$LOAD" wait "$CONNINFO" "SELECT count(*) FROM cpu" 1 >/dev/null
	if [ "$with" != 0 ]; then
		local pct=false
		[ "$with" = 2 ] && pct=true
		psqlc -c "SELECT streamstat.create_rollup('cpu_1m', 'cpu', '1 minute', '{host,region}', '{usage_user,usage_system}', percentiles => $pct)" \
			-c "SELECT streamstat.create_rollup('cpu_1h', 'cpu_1m', '1 hour', percentiles => $pct)" >/dev/null
	fi
	psqlc -c "CHECKPOINT"
	base=$(psqlc -c "SELECT sum(rows_inserted) FROM streamstat.ingest_stats")
	"$LOAD" wait "$CONNINFO" "SELECT sum(rows_inserted) FROM streamstat.ingest_stats" $((base + N)) >"$WORK/done" &
	local waiter=$!
	"$LOAD" send 127.0.0.1 "$ILP_PORT" "$N" "$CONNS" 1 >"$WORK/sent"
	wait $waiter
	start=$(awk '/start_us/ {print $2}' "$WORK/sent")
	done_us=$(awk '/done_us/ {print $2}' "$WORK/done")
	echo $(( N * 1000000 / (done_us - start) ))
	if [ "$with" != 0 ]; then
		# minute buckets whose count differs from the raw rows' (expect 0)
		local pctcheck=''
		[ "$with" = 2 ] && pctcheck='OR num_vals(r.usage_user_pct) IS DISTINCT FROM s.n'
		psqlc -c "SELECT count(*) FROM (SELECT time_bucket('1 minute', time) t, host, region,
			num_vals(stats_agg(usage_user)) n FROM cpu GROUP BY 1, 2, 3) s
			FULL JOIN cpu_1m r ON r.time = s.t AND r.host = s.host AND r.region = s.region
			WHERE r.time IS NULL OR s.t IS NULL OR num_vals(r.usage_user) <> s.n $pctcheck" >"$WORK/wrong$with"
	fi
}

if [[ " $SKIP " != *" a "* ]]; then
	say "(a) ingest of $N rows over $CONNS connections, without rollups, with two, with two keeping percentiles, $ROUNDS rounds"
	# One ingest first, not counted: the first one in a fresh cluster also
	# creates WAL segments and warms caches.  Then the order rotates.
	ingest_once 0 >/dev/null
	for r in $(seq 1 "$ROUNDS"); do
		declare -A rate=()
		for k in 0 1 2; do
			v=$(( (k + r) % 3 ))
			rate[$v]=$(ingest_once "$v")
		done
		printf 'round %d: without rollups %d rows/s   with 2 rollups %d rows/s (ratio %.2f)   with percentiles %d rows/s (ratio %.2f)   (minute buckets off: %d, %d)\n' \
			"$r" "${rate[0]}" "${rate[1]}" "$(awk -v a="${rate[1]}" -v b="${rate[0]}" 'BEGIN { print a / b }')" \
			"${rate[2]}" "$(awk -v a="${rate[2]}" -v b="${rate[0]}" 'BEGIN { print a / b }')" \
			"$(cat "$WORK/wrong1")" "$(cat "$WORK/wrong2")"
	done
fi

if [[ " $SKIP " != *" b "* ]]; then
	rows=$(( DAYS * 86400 * HOSTS * HZ ))
	say "(b) dashboard over $DAYS days: $HOSTS hosts at $HZ Hz ($rows rows, $((HZ * 60)) points per minute and host)"
	psqlc -c "DROP TABLE IF EXISTS dash" \
		-c "CREATE UNLOGGED TABLE dash (time timestamptz NOT NULL, host text, usage double precision) PARTITION BY RANGE (time)"
	for d in $(seq 0 $((DAYS - 1))); do
		psqlc -c "CREATE UNLOGGED TABLE dash_d$d PARTITION OF dash FOR VALUES FROM ('2026-01-01'::timestamptz + interval '$d days') TO ('2026-01-01'::timestamptz + interval '$((d + 1)) days')"
		psqlc -c "INSERT INTO dash SELECT '2026-01-01'::timestamptz + interval '$d days' + (i / $HOSTS) * interval '1 second' / $HZ,
			'host' || (i % $HOSTS), 50 + 40 * sin(i / 1000.0) + (i % 97) / 10.0
			FROM generate_series(0, $((86400 * HOSTS * HZ - 1))) i"
	done
	psqlc -c "VACUUM ANALYZE dash"
	psqlc -c "SELECT streamstat.create_rollup('dash_1m', 'dash', '1 minute')" >/dev/null
	psqlc -c "VACUUM ANALYZE dash_1m"
	# Best of 3, timed by psql (\timing) in one session: no client start-up.
	best() {
		run_psql -d postgres -q -c "${2:-SELECT}" -c '\timing on' -c "$1" -c "$1" -c "$1" |
			awk '/^Time:/ { ms = $2 + 0; if (b == "" || ms < b) b = ms } END { printf "%d", b * 1000 }'
	}
	if [ -n "${EXPLAIN:-}" ]; then
		psqlc -c "EXPLAIN (ANALYZE, BUFFERS) SELECT time_bucket('1 hour', time), host, avg(usage), stddev_samp(usage) FROM dash GROUP BY 1, 2"
		psqlc -c "EXPLAIN (ANALYZE, BUFFERS) SELECT time_bucket('1 hour', time), host, mean(rollup(usage)), stddev(rollup(usage)) FROM dash_1m GROUP BY 1, 2"
	fi
	raw_us=$(best "SELECT time_bucket('1 hour', time), host, avg(usage), stddev_samp(usage) FROM dash GROUP BY 1, 2")
	roll_us=$(best "SELECT time_bucket('1 hour', time), host, mean(rollup(usage)), stddev(rollup(usage)) FROM dash_1m GROUP BY 1, 2")
	# With more work_mem the planner aggregates the rollup rows in a hash
	# table instead of sorting them (it cannot know how few hours there are).
	roll_mem_us=$(best "SELECT time_bucket('1 hour', time), host, mean(rollup(usage)), stddev(rollup(usage)) FROM dash_1m GROUP BY 1, 2" "SET work_mem = '64MB'")
	raw_mem_us=$(best "SELECT time_bucket('1 hour', time), host, avg(usage), stddev_samp(usage) FROM dash GROUP BY 1, 2" "SET work_mem = '64MB'")
	same=$(psqlc -c "SELECT count(*) FILTER (WHERE abs(r.m - s.m) > 1e-9 * abs(s.m) OR abs(r.sd - s.sd) > 1e-9 * s.sd) || ' of ' || count(*)
		FROM (SELECT time_bucket('1 hour', time) t, host, mean(rollup(usage)) m, stddev(rollup(usage)) sd FROM dash_1m GROUP BY 1, 2) r
		JOIN (SELECT time_bucket('1 hour', time) t, host, avg(usage) m, stddev_samp(usage) sd FROM dash GROUP BY 1, 2) s USING (t, host)")
	printf 'dashboard (hourly mean and stddev per host, %d days): raw %.1f ms   1-minute rollup %.1f ms   ratio %.0f   (hours differing: %s)\n' \
		"$DAYS" "$(awk -v x="$raw_us" 'BEGIN { print x / 1000 }')" "$(awk -v x="$roll_us" 'BEGIN { print x / 1000 }')" \
		"$(awk -v a="$raw_us" -v b="$roll_us" 'BEGIN { print a / b }')" "$same"
	printf 'the same with work_mem = 64MB: raw %.1f ms   1-minute rollup %.1f ms   ratio %.0f\n' \
		"$(awk -v x="$raw_mem_us" 'BEGIN { print x / 1000 }')" "$(awk -v x="$roll_mem_us" 'BEGIN { print x / 1000 }')" \
		"$(awk -v a="$raw_mem_us" -v b="$roll_mem_us" 'BEGIN { print a / b }')"
	psqlc -c "SELECT streamstat.drop_rollup('dash_1m')" -c "DROP TABLE dash" >/dev/null
fi

if [[ " $SKIP " != *" c "* ]]; then
	say "(c) freshness: $FRESH points one by one through the socket"
	echo "fresh,probe=p v=0" >"/dev/tcp/127.0.0.1/$ILP_PORT"
	"$LOAD" wait "$CONNINFO" "SELECT count(*) FROM pg_class WHERE relname = 'fresh'" 1 >/dev/null
	"$LOAD" wait "$CONNINFO" "SELECT count(*) FROM fresh" 1 >/dev/null
	psqlc -c "DELETE FROM fresh" -c "SELECT streamstat.create_rollup('fresh_1m', 'fresh', '1 minute')" >/dev/null
	flush_ms=$(psqlc -c "SELECT setting FROM pg_settings WHERE name = 'streamstat.flush_interval'")
	printf 'freshness (flush_interval %s ms): %s\n' "$flush_ms" "$("$FRESHP" 127.0.0.1 "$ILP_PORT" "$CONNINFO" "$FRESH")"
fi

as_run_user pg_ctl -D "$WORK/cluster/data" stop -m fast >/dev/null
