#!/usr/bin/env bash
# test/bench/handshake.sh — what the handshakes cost: connections per
# second on the line-protocol port in clear text, with TLS, with the
# ECDSA authentication handshake, and with both, in the same run on one
# throwaway cluster (not a timed test).
#
# PROCS client processes (default 4) each open CONNS connections (default
# 500) one after another; each connection does the handshakes of its mode
# (TLS 1.3 with a P-256 certificate, verified against a CA made here with
# openssl; QuestDB's challenge-response with a P-256 key, DER signature),
# sends one line and closes.  A rate counts until every line is committed
# (streamstat.ingest_stats.rows_inserted).  Prints the four rates and each
# against clear text.
# Usage: test/bench/handshake.sh [CONNS] [PROCS]
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

CONNS=${1:-500}
PROCS=${2:-4}

install_packages
build_and_install
setup_run_user

WORK="${STREAMSTAT_WORK:-$ROOT/.work/bench_handshake}"
ILP_PORT=$(free_port 39109)
fresh_workdir "$WORK"
CERTS="$WORK/certs"
mkdir -p "$CERTS"
# A throwaway CA, the server's certificate and the client's key pair.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=bench-ca -keyout "$CERTS/ca.key" -out "$CERTS/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-subj /CN=127.0.0.1 -keyout "$CERTS/server.key" -out "$CERTS/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$CERTS/ext"
openssl x509 -req -in "$CERTS/server.csr" -CA "$CERTS/ca.crt" -CAkey "$CERTS/ca.key" \
	-CAcreateserial -days 2 -extfile "$CERTS/ext" -out "$CERTS/server.crt" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$CERTS/client.pem"
chmod 600 "$CERTS/server.key"
[ "$(id -u)" -eq 0 ] && chown -R "$RUN_USER" "$CERTS"
# x and y of the client's public key, base64url (as QuestDB key files).
PUB_HEX=$(openssl ec -in "$CERTS/client.pem" -pubout -outform DER 2>/dev/null | tail -c 64 | od -An -tx1 | tr -d ' \n')
b64url() { echo "$1" | xxd -r -p | base64 -w0 | tr '+/' '-_' | tr -d '='; }
KEY_X=$(b64url "${PUB_HEX:0:64}")
KEY_Y=$(b64url "${PUB_HEX:64:64}")

start_cluster "$WORK/cluster" <<CONF
streamstat.port = $ILP_PORT
streamstat.http_port = 0
streamstat.listen_addresses = '127.0.0.1'
streamstat.require_auth = off
streamstat.ssl = on
streamstat.ssl_cert_file = '$CERTS/server.crt'
streamstat.ssl_key_file = '$CERTS/server.key'
streamstat.max_connections = 1024
CONF
trap 'as_run_user pg_ctl -D "$WORK/cluster/data" -m fast stop >/dev/null 2>&1 || true' EXIT
run_psql -c 'CREATE EXTENSION streamstat'
run_psql -c "SELECT streamstat.create_ilp_key('bench', '$KEY_X', '$KEY_Y')" >/dev/null
for i in $(seq 1 100); do
	grep -q "listening on port $ILP_PORT" "$WORK/cluster/postgres.log" && break
	sleep 0.1
done

cc -O2 -Wall -Wextra -Werror -o "$WORK/conn_rate" "$ROOT/test/bench/conn_rate.c" -lssl -lcrypto

inserted() { run_psql -At -c 'SELECT sum(rows_inserted) FROM streamstat.ingest_stats'; }

# Connections per second of mode $1 into table $2, until committed.
measure() {
	local mode=$1 table=$2 before target t0 t1 total=$((PROCS * CONNS))
	before=$(inserted)
	target=$((before + total))
	t0=$(date +%s.%N)
	"$WORK/conn_rate" "$mode" "$ILP_PORT" "$PROCS" "$CONNS" "$table" \
		"$CERTS/ca.crt" bench "$CERTS/client.pem" >/dev/null
	# (a connection the worker refused at max_connections loses its line:
	# give up after 60 s rather than wait forever)
	local deadline=$(($(date +%s) + 60))
	while [ "$(inserted)" -lt "$target" ]; do
		[ "$(date +%s)" -lt "$deadline" ] || { echo "$mode: only $(($(inserted) - before)) of $total lines arrived" >&2; exit 1; }
		sleep 0.02
	done
	t1=$(date +%s.%N)
	echo "$total $t0 $t1" | awk '{ printf "%.0f\n", $1 / ($3 - $2) }'
}

# Warm-up: the tables and their partitions exist before measuring.
for m in plain tls auth tls+auth; do
	"$WORK/conn_rate" "$m" "$ILP_PORT" 1 5 "hs_${m/+/_}" "$CERTS/ca.crt" bench "$CERTS/client.pem" >/dev/null
done
while [ "$(inserted)" -lt 20 ]; do sleep 0.02; done

say "$PROCS processes x $CONNS connections per mode, one line each"
PLAIN=$(measure plain hs_plain)
TLS=$(measure tls hs_tls)
AUTH=$(measure auth hs_auth)
BOTH=$(measure tls+auth hs_tls_auth)
FAIL=$(run_psql -At -c 'SELECT sum(auth_failures) + sum(tls_failures) FROM streamstat.ingest_stats')
echo "plain     $PLAIN connections/s"
echo "tls       $TLS connections/s"
echo "auth      $AUTH connections/s"
echo "tls+auth  $BOTH connections/s"
echo "$TLS $AUTH $BOTH $PLAIN" | awk '{ printf "ratio tls/plain %.2f, auth/plain %.2f, tls+auth/plain %.2f\n", $1 / $4, $2 / $4, $3 / $4 }'
echo "handshake failures: $FAIL"
