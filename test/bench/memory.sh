#!/usr/bin/env bash
# test/bench/memory.sh — the ingest worker's memory when clients send
# faster than the database can write (not a timed test).
#
# On a throwaway cluster with streamstat.worker_memory = WORKER_MEMORY
# (default 64MB) and batch_rows out of the way (so that the memory cap is
# what stops the worker reading), the database is made slow on purpose: the target table
# `cpu` (made beforehand, the shape of test/bench/ilp_load's rows) has a
# CHECK constraint that calls a PL/pgSQL function looping LOOP_N (default
# 300) times per row.  First the rate the worker can write into it is
# measured (PROBE rows, default 100 000); then CONNS (default 8)
# connections of test/bench/ilp_load flood offer FACTOR (default 10) times
# that rate for SECONDS (default 60) while the worker's resident memory
# (VmRSS in /proc/PID/status, and RssAnon, its private part) is sampled
# every second.  shared_buffers is 16MB so that VmRSS, which counts the
# pages of shared memory the worker has touched, stops growing early.  Prints the rate the
# database sustained, the rate offered and the rate the clients managed to
# send (TCP back-pressure holds them back), and the RSS: first sample,
# min and max over the samples after the first WARMUP (default 10) seconds
# (the batch reaches the cap in that time), and (max - min) / min, the
# spread that should stay within 10%.
#
# Usage: PG_CONFIG=/path/to/pg_config test/bench/memory.sh
#        env: WORKER_MEMORY, LOOP_N, PROBE, CONNS, FACTOR, SECONDS_RUN, WARMUP
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

WORKER_MEMORY=${WORKER_MEMORY:-64MB}
LOOP_N=${LOOP_N:-300}
PROBE=${PROBE:-100000}
CONNS=${CONNS:-8}
FACTOR=${FACTOR:-10}
SECONDS_RUN=${SECONDS_RUN:-60}
WARMUP=${WARMUP:-10}

install_packages
build_and_install
setup_run_user
say "load: $(uptime)"

WORK=${STREAMSTAT_WORK:-$ROOT/.work}/bench-memory
mkdir -p "$WORK"
[ "$(id -u)" -ne 0 ] || chown "$RUN_USER" "$WORK"
LOAD=$WORK/ilp_load
cc -O2 -Wall -o "$LOAD" "$ROOT/test/bench/ilp_load.c" -I"$($PG_CONFIG --includedir)" -lpq

ILP_PORT=$(free_port 19209)
start_cluster "$WORK/cluster" <<CONF
streamstat.port = $ILP_PORT
streamstat.http_port = 0
streamstat.worker_memory = '$WORKER_MEMORY'
streamstat.batch_rows = 10000000
shared_buffers = 16MB
autovacuum = off
CONF
trap 'as_run_user pg_ctl -D "$WORK/cluster/data" -m immediate stop >/dev/null 2>&1 || true' EXIT
psqlc() { run_psql -d postgres -Atq "$@"; }
CONNINFO="host=$PGSOCK port=$PGPORT user=postgres dbname=postgres"
psqlc -c 'CREATE EXTENSION streamstat'
psqlc <<SQL
CREATE FUNCTION slow_ok(v double precision) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS \$\$
DECLARE x double precision := 0;
BEGIN
	FOR i IN 1..$LOOP_N LOOP x := x + v * i; END LOOP;
	RETURN x >= 0 OR x < 0;
END \$\$;
CREATE TABLE cpu (time timestamptz NOT NULL, host text, region text,
	usage_user double precision CHECK (slow_ok(usage_user)), usage_system double precision,
	usage_idle double precision, count bigint) PARTITION BY RANGE (time);
SQL
until (exec 3<>"/dev/tcp/127.0.0.1/$ILP_PORT") 2>/dev/null; do sleep 0.1; done
PID=$(psqlc -c "SELECT pid FROM streamstat.ingest_stats")
# VmRSS, and RssAnon: its private part (VmRSS also counts the pages of
# shared_buffers the worker has touched so far, which only grows).
rss_kb() { awk '/^VmRSS/ { r = $2 } /^RssAnon/ { a = $2 } END { print r, a }' "/proc/$PID/status"; }

# What the database can write into the slow table.
"$LOAD" lines 1 3 >"/dev/tcp/127.0.0.1/$ILP_PORT"
"$LOAD" wait "$CONNINFO" "SELECT sum(rows_inserted) FROM streamstat.ingest_stats" 1 >/dev/null
base=$(psqlc -c "SELECT sum(rows_inserted) FROM streamstat.ingest_stats")
"$LOAD" wait "$CONNINFO" "SELECT sum(rows_inserted) FROM streamstat.ingest_stats" $((base + PROBE)) >"$WORK/done" &
waiter=$!
"$LOAD" send 127.0.0.1 "$ILP_PORT" "$PROBE" "$CONNS" 5 >"$WORK/sent"
wait $waiter
start=$(awk '/start_us/ {print $2}' "$WORK/sent")
done_us=$(awk '/done_us/ {print $2}' "$WORK/done")
db_rate=$(( PROBE * 1000000 / (done_us - start) ))
offer=$(( db_rate * FACTOR ))
say "the database writes $db_rate rows/s into the slow table; offering $offer lines/s for ${SECONDS_RUN}s"

# Flood and sample the worker's RSS.
rows0=$(psqlc -c "SELECT sum(rows_inserted) FROM streamstat.ingest_stats")
"$LOAD" flood 127.0.0.1 "$ILP_PORT" "$offer" "$SECONDS_RUN" "$CONNS" >"$WORK/flood" &
flooder=$!
: >"$WORK/rss"
for s in $(seq 1 "$SECONDS_RUN"); do
	echo "$s $(rss_kb)" >>"$WORK/rss"
	sleep 1
done
wait $flooder
rows1=$(psqlc -c "SELECT sum(rows_inserted) FROM streamstat.ingest_stats")
sent=$(awk '/^sent/ {print $2}' "$WORK/flood")
offered=$(awk '/^offered/ {print $2}' "$WORK/flood")
printf 'offered %d lines/s, clients sent %d lines/s, the database wrote %d rows/s (worker_memory %s)\n' \
	$((offered / SECONDS_RUN)) $((sent / SECONDS_RUN)) $(( (rows1 - rows0) / SECONDS_RUN )) "$WORKER_MEMORY"
for col in 2 3; do
	awk -v w="$WARMUP" -v c="$col" '
		NR == 1 { first = $c }
		$1 > w { if (min == "" || $c < min) min = $c; if ($c > max) max = $c }
		END { printf "worker %s: first %.1f MB; after %ds: min %.1f MB, max %.1f MB, spread %.1f%% (target <= 10%%)\n",
			c == 2 ? "VmRSS" : "RssAnon", first / 1024, w, min / 1024, max / 1024, 100 * (max - min) / min }' "$WORK/rss"
done
say "load: $(uptime)"
