#!/usr/bin/env bash
# scripts/demo.sh — streamstat end to end on a throwaway local cluster.
#
# Installs what is missing, builds and installs the extension, starts a
# PostgreSQL cluster in .demo/ (never the system cluster, never port 5432)
# with streamstat preloaded, streams generated sensor readings to the
# line-protocol socket, and prints windowed statistics, a sparkline per
# sensor and a regression computed from the stored rows; with --svg FILE it
# also writes an SVG chart of a sliding statistic.  The cluster stays up for you to explore;
# the last lines say how to connect and how to stop it.

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# --svg FILE: also write an SVG chart of the sliding statistics to FILE.
SVG=""
while [ $# -gt 0 ]; do
	case "$1" in
		--svg) [ $# -ge 2 ] || { echo "usage: $0 [--svg FILE]" >&2; exit 2; }
			SVG=$(realpath -m "$2"); shift 2 ;;
		*) echo "usage: $0 [--svg FILE]" >&2; exit 2 ;;
	esac
done

install_packages
build_and_install
setup_run_user

DEMO="$ROOT/.demo"
ILP_PORT=$(free_port 9009)
HTTP_PORT=$(free_port 8086)
say "starting a throwaway cluster in $DEMO (line protocol on port $ILP_PORT, HTTP on $HTTP_PORT)"
start_cluster "$DEMO" <<CONF
streamstat.port = $ILP_PORT
streamstat.http_port = $HTTP_PORT
streamstat.flush_interval = 100ms
streamstat.partition_interval = 1h
CONF
run_psql -d postgres -c 'CREATE EXTENSION streamstat' 2>/dev/null

# Wait until the ingest worker listens (it starts once the extension exists).
for _ in $(seq 1 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$ILP_PORT") 2>/dev/null && break
	sleep 0.1
done

# Three sensors, one reading every 10 s over the last 6 hours: a daily
# temperature swing, a slow upward drift on sensor s2, noise, and a few
# malformed lines that end up in streamstat.rejects.
NOW=$(date +%s)
LINES=$((3 * 6 * 360))
say "streaming $LINES readings (+3 malformed lines) to 127.0.0.1:$ILP_PORT"
awk -v now="$NOW" 'BEGIN {
	srand(42);
	for (i = 6 * 360; i > 0; i--) {
		t = now - i * 10;
		for (s = 1; s <= 3; s++) {
			temp = 20 + 3 * sin(t / 3600.0) + (s == 2 ? (6 * 3600 - i * 10) / 3600.0 : 0) + (rand() - 0.5);
			printf "sensor,site=lab,id=s%d temperature=%.3f,humidity=%di,ok=true %d000000000\n", s, temp, 40 + int(rand() * 10), t;
		}
		if (i == 2000) print "sensor,site=lab,id=s1 temperature=not_a_number";
		if (i == 1000) print "sensor,site=lab id=s2";
		if (i == 500) print "sensor temperature=21.5 123abc";
	}
}' >"$DEMO/feed.ilp"
{ cat "$DEMO/feed.ilp" >&3; exec 3>&-; } 3<>"/dev/tcp/127.0.0.1/$ILP_PORT"

for _ in $(seq 1 300); do
	n=$(run_psql -d postgres -Atc "SELECT count(*) FROM sensor" 2>/dev/null || echo 0)
	[ "$n" -ge "$LINES" ] && break
	sleep 0.1
done

# One more reading through the acknowledged HTTP write API: the answer
# (204) comes only once the row is committed.  (Localhost only, so the
# default streamstat.require_auth = auto asks for no token.)
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary \
	"sensor,site=lab,id=s1 temperature=21.25,humidity=45i,ok=true $((NOW + 10))000000000" \
	"http://127.0.0.1:$HTTP_PORT/api/v2/write?bucket=public&precision=ns")
say "HTTP write of one more reading answered $code"

run_psql -d postgres -f "$ROOT/scripts/demo.sql"

if [ -n "$SVG" ]; then
	run_psql -d postgres -At -f "$ROOT/scripts/demo_svg.sql" >"$SVG"
	say "wrote $SVG: 30-minute sliding mean ± stddev of temperature per sensor (open it in a browser)"
fi

# Rollups: per minute and per hour, folded by the ingest worker in the
# transaction of each flush; the counts below come from one snapshot and
# always agree.
say "rollups per minute and per hour, kept current while readings stream in"
run_psql -d postgres -q \
	-c "SELECT streamstat.create_rollup('sensor_1m', 'sensor', '1 minute', '{id}', '{temperature,humidity}')" \
	-c "SELECT streamstat.create_rollup('sensor_1h', 'sensor_1m', '1 hour')" \
	-c "SELECT streamstat.set_retention('sensor', '1 day')" >/dev/null
for round in 1 2 3 4 5; do
	t=$(date +%s)
	awk -v t="$t" -v r="$round" 'BEGIN { for (k = 0; k < 20; k++) for (s = 1; s <= 3; s++)
		printf "sensor,site=lab,id=s%d temperature=%.3f,humidity=%di,ok=true %d%09d\n", s, 21 + r / 10.0 + k / 100.0, 45, t, k * 1000 + s }' \
		>"$DEMO/live.ilp"
	{ cat "$DEMO/live.ilp" >&3; exec 3>&-; } 3<>"/dev/tcp/127.0.0.1/$ILP_PORT"
	sleep 0.3
	run_psql -d postgres -At -c "SELECT format('after %s live batches: %s rows in sensor, %s readings in sensor_1m, %s in sensor_1h',
		$round, (SELECT count(temperature) FROM sensor), (SELECT sum(num_vals(temperature)) FROM sensor_1m),
		(SELECT sum(num_vals(temperature)) FROM sensor_1h))"
done
run_psql -d postgres -f "$ROOT/scripts/demo_rollups.sql"

cat <<MSG

The cluster is still running.
  connect:  $( [ "$(id -u)" -eq 0 ] && echo "runuser -u $RUN_USER -- " )$BINDIR/psql -h $PGSOCK -p $PGPORT -U postgres postgres
  send:     echo 'sensor,site=lab,id=s9 temperature=21.5' > /dev/tcp/127.0.0.1/$ILP_PORT
  or:       curl -i --data-binary 'sensor,site=lab,id=s9 temperature=21.5' 'http://127.0.0.1:$HTTP_PORT/api/v2/write?bucket=public'
  stop:     $( [ "$(id -u)" -eq 0 ] && echo "runuser -u $RUN_USER -- " )$BINDIR/pg_ctl -D $DEMO/data stop
MSG
