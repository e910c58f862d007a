#!/usr/bin/env bash
# test/bench/http.sh — the HTTP write API against the line-protocol TCP
# port, in the same run on one throwaway cluster (not a timed test).
#
# LINES lines (default 5000000) go in requests of 10000 lines over CONNS
# keep-alive connections (default 4), each request answered 204 only after
# its rows committed; then the same lines over CONNS TCP connections.  Each
# rate counts from the first byte until the rows are visible (committed:
# streamstat.ingest_stats.rows_inserted reaches the total, checked against
# count(*)).  Prints both rates and HTTP/TCP (target >= 0.8).
# Usage: test/bench/http.sh [LINES] [CONNS]
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

LINES=${1:-5000000}
CONNS=${2:-4}
PER_REQ=10000

install_packages
build_and_install
setup_run_user

WORK="${STREAMSTAT_WORK:-$ROOT/.work/bench_http}"
ILP_PORT=$(free_port 39009)
HTTP_PORT=$(free_port $((ILP_PORT + 1)))
start_cluster "$WORK" <<CONF
streamstat.port = $ILP_PORT
streamstat.http_port = $HTTP_PORT
streamstat.listen_addresses = '127.0.0.1'
streamstat.require_auth = off
streamstat.max_body_bytes = '64MB'
shared_buffers = 1GB
max_wal_size = 16GB
checkpoint_timeout = 30min
CONF
trap 'as_run_user pg_ctl -D "$WORK/data" -m fast stop >/dev/null 2>&1 || true' EXIT
run_psql -c 'CREATE EXTENSION streamstat'
for i in $(seq 1 100); do
	grep -q "listening on HTTP port $HTTP_PORT" "$WORK/postgres.log" && break
	sleep 0.1
done

cc -O2 -Wall -Wextra -Werror -o "$WORK/load_http" "$ROOT/test/bench/load_http.c"

# Rows inserted by the worker so far.
inserted() { run_psql -At -c 'SELECT sum(rows_inserted) FROM streamstat.ingest_stats'; }

# Send the lines with mode $1 into table $2; prints lines/s.
measure() {
	local mode=$1 table=$2 before target t0 t1
	before=$(inserted)
	target=$((before + LINES))
	t0=$(date +%s.%N)
	"$WORK/load_http" "$mode" "$([ "$mode" = http ] && echo "$HTTP_PORT" || echo "$ILP_PORT")" \
		"$LINES" "$PER_REQ" "$CONNS" "$table"
	while [ "$(inserted)" -lt "$target" ]; do sleep 0.02; done
	t1=$(date +%s.%N)
	local n
	n=$(run_psql -At -c "SELECT count(*) FROM $table")
	[ "$n" -eq "$LINES" ] || { echo "$table: $n rows, expected $LINES" >&2; exit 1; }
	echo "$LINES $t0 $t1" | awk '{ printf "%.0f\n", $1 / ($3 - $2) }'
}

# A warm-up creates both tables and their partitions.
"$WORK/load_http" http "$HTTP_PORT" 1000 1000 1 bench_http
"$WORK/load_http" tcp "$ILP_PORT" 1000 1000 1 bench_tcp
while [ "$(inserted)" -lt 2000 ]; do sleep 0.02; done
run_psql -c 'TRUNCATE bench_http, bench_tcp'

say "HTTP: $LINES lines, $PER_REQ-line requests, $CONNS keep-alive connections"
HTTP_RATE=$(measure http bench_http)
say "TCP: the same lines over $CONNS connections"
TCP_RATE=$(measure tcp bench_tcp)
echo "http  $HTTP_RATE lines/s"
echo "tcp   $TCP_RATE lines/s"
echo "$HTTP_RATE $TCP_RATE" | awk '{ printf "ratio http/tcp %.2f (target >= 0.80)\n", $1 / $2 }'
