#!/usr/bin/env bash
# test/bench/citus_ingest.sh — line-protocol ingest into a Citus distributed
# table against a local table, on the same machine.
#
# On a local Citus cluster (scripts/citus.sh start: a coordinator and two
# worker nodes, all on this machine), the coordinator's ingest worker
# receives N lines (default 1 000 000) over CONNS (default 4) connections
# from test/bench/ilp_load, timed from the first byte sent until the worker
# has committed the last row (ingest_stats):
#   (a) into a local partitioned table on the coordinator
#       (streamstat.distribute_by empty);
#   (b) into a distributed table sharded by host (streamstat.distribute_by =
#       host, 32 shards over the two workers);
# both made by a first batch beforehand, so no DDL is timed.  Prints rows/s
# of each, the ratio distributed / local, and the share of rows per worker
# node and per shard (min and max).  ROUNDS (default 1) repeats (a) and (b).
# The three nodes share this machine's cores: the distributed figure is a
# lower bound of what separate machines give.  Not a test: nothing fails.
#
# Usage: PG_CONFIG=/path/to/pg_config test/bench/citus_ingest.sh
#        env: N, CONNS, ROUNDS
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

N=${N:-1000000}
CONNS=${CONNS:-4}
ROUNDS=${ROUNDS:-1}

[ -f "$("$PG_CONFIG" --pkglibdir)/citus.so" ] || { echo "skipped: Citus not installed (see README)"; exit 0; }
setup_run_user
WORK=${STREAMSTAT_WORK:-$ROOT/.work}/bench-citus
mkdir -p "$WORK"
[ "$(id -u)" -ne 0 ] || chown "$RUN_USER" "$WORK"
LOAD=$WORK/ilp_load
cc -O2 -Wall -o "$LOAD" "$ROOT/test/bench/ilp_load.c" -I"$($PG_CONFIG --includedir)" -lpq

"$ROOT/scripts/citus.sh" start "$WORK/cluster" >"$WORK/start.log"
trap '"$ROOT/scripts/citus.sh" stop "$WORK/cluster"' EXIT
SOCK=$(cat "$WORK/cluster/socket")
PORT=$(sed -n 1p "$WORK/cluster/ports")
ILP_PORT=$(sed -n 2p "$WORK/cluster/coordinator.ports")
CONNINFO="host=$SOCK port=$PORT user=postgres dbname=postgres"
psqlc() { as_run_user psql -X -h "$SOCK" -p "$PORT" -U postgres -d postgres -Atq -v ON_ERROR_STOP=1 "$@"; }
until (exec 3<>"/dev/tcp/127.0.0.1/$ILP_PORT") 2>/dev/null; do sleep 0.1; done

# Send N lines into a fresh "cpu" made with distribute_by = $1; print rows/s.
run() {
	local distribute_by=$1 base start done_us
	psqlc -c "DROP TABLE IF EXISTS cpu CASCADE" \
		-c "ALTER SYSTEM SET streamstat.distribute_by = '$distribute_by'" -c "SELECT pg_reload_conf()" >/dev/null
	sleep 1
	# A first batch makes the table and its partition.
	base=$(psqlc -c "SELECT coalesce(sum(rows_inserted), 0) FROM streamstat.ingest_stats")
	"$LOAD" send 127.0.0.1 "$ILP_PORT" 1000 1 2 >/dev/null
	"$LOAD" wait "$CONNINFO" "SELECT sum(rows_inserted) FROM streamstat.ingest_stats" $((base + 1000)) >/dev/null
	psqlc -c "CHECKPOINT" >/dev/null
	base=$((base + 1000))
	"$LOAD" wait "$CONNINFO" "SELECT sum(rows_inserted) FROM streamstat.ingest_stats" $((base + N)) >"$WORK/done" &
	local waiter=$!
	"$LOAD" send 127.0.0.1 "$ILP_PORT" "$N" "$CONNS" 1 >"$WORK/sent"
	wait $waiter
	start=$(awk '/start_us/ {print $2}' "$WORK/sent")
	done_us=$(awk '/done_us/ {print $2}' "$WORK/done")
	echo $((N * 1000000 / (done_us - start)))
}

for r in $(seq 1 "$ROUNDS"); do
	local_rate=$(run '')
	[ "$(psqlc -c "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = 'cpu'::regclass")" = 0 ] ||
		echo "WARNING: the local run's table is distributed"
	dist_rate=$(run host)
	[ "$(psqlc -c "SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = 'cpu'::regclass")" = 1 ] ||
		echo "WARNING: the distributed run's table is not distributed"
	rows=$(psqlc -c "SELECT count(*) FROM cpu")
	[ "$rows" -eq $((N + 1000)) ] || echo "WARNING: cpu has $rows rows, expected $((N + 1000))"
	printf 'round %d: local table %d rows/s   distributed table %d rows/s   ratio %.2f\n' \
		"$r" "$local_rate" "$dist_rate" "$(awk -v a="$dist_rate" -v b="$local_rate" 'BEGIN { print a / b }')"
done

# Where the rows of the last distributed run are: per worker node, per shard.
psqlc -c "CREATE TEMP TABLE per_shard AS
	SELECT p.nodeport, r.shardid, r.result::bigint AS n
	FROM run_command_on_shards('cpu', 'SELECT count(*) FROM %s') r
	JOIN pg_dist_shard_placement p USING (shardid)" \
	-c "SELECT 'worker port ' || nodeport || ': ' || round(100.0 * sum(n) / (SELECT sum(n) FROM per_shard), 1) || '% of the rows, '
	           || count(*) || ' shards'
	    FROM per_shard GROUP BY nodeport ORDER BY nodeport" \
	-c "SELECT 'per shard: min ' || round(100.0 * min(n) / sum(n), 2) || '%, max ' || round(100.0 * max(n) / sum(n), 2)
	           || '% (even: ' || round(100.0 / count(*), 2) || '%)' FROM per_shard"
