#!/usr/bin/env bash
# test/bench/tsbs_queries.sh — what the indexes of issue #18 buy at query
# time and cost at ingest, on TSBS cpu-only shaped data.
#
# On a throwaway cluster:
#   (a) queries: HOSTS (default 400) hosts x HOURS (default 12) hours of
#       TSBS cpu-only rows (one row per host every 10 s; the 10 tags
#       hostname, region, datacenter, rack, os, arch, team, service,
#       service_version, service_environment; the 10 bigint fields
#       usage_user ... usage_guest_nice as random walks bounded to 0..100),
#       made in SQL with generate_series into a table partitioned by hour
#       as streamstat keeps them; then the TSBS queries single-groupby-1-1-1,
#       cpu-max-all-8, double-groupby-all, high-cpu-all,
#       groupby-orderby-limit and lastpoint (DISTINCT ON, and a loose index
#       scan over the tag index), each RUNS times (default 5), median
#       printed, with no index, with the BRIN time index
#       (streamstat.time_index), and with BRIN + streamstat.set_indexes
#       (hostname); the data is the same, only indexes change;
#   (b) ingest: ROWS (default 300 000) of the same rows as a CSV file,
#       \copy'd (COPY csv from the client) into a fresh table with no
#       index / BRIN / BRIN + the hostname btree, ROUNDS (default 3)
#       rounds, the order rotating; prints rows/s and the ratios to no
#       index, with their range.
# Figures vary with the machine's load: this is not a test, nothing fails.
#
# Usage: PG_CONFIG=/path/to/pg_config test/bench/tsbs_queries.sh
#        env: HOSTS, HOURS, RUNS, ROWS, ROUNDS, SKIP (a list of a b)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

HOSTS=${HOSTS:-400}
HOURS=${HOURS:-12}
RUNS=${RUNS:-5}
ROWS=${ROWS:-300000}
ROUNDS=${ROUNDS:-3}
SKIP=${SKIP:-}

build_and_install
setup_run_user

WORK=${STREAMSTAT_WORK:-$ROOT/.work}/bench-tsbs-queries
mkdir -p "$WORK"
[ "$(id -u)" -ne 0 ] || chown "$RUN_USER" "$WORK"
psqlc() { run_psql -d postgres -Atq "$@"; }

say "cluster"
start_cluster "$WORK/cluster" <<CONF
streamstat.port = 0
streamstat.http_port = 0
shared_buffers = 512MB
max_wal_size = 8GB
checkpoint_timeout = 30min
jit = off
CONF
trap 'as_run_user pg_ctl -D "$WORK/cluster/data" -m fast stop >/dev/null 2>&1 || true' EXIT
psqlc -c 'CREATE EXTENSION streamstat' -c 'CREATE SCHEMA streamstat_partitions'

T0="2016-01-01 00:00:00+00"

# A table cpu partitioned by hour, as streamstat makes them, in schema $1.
make_table() {
	psqlc <<SQL
CREATE TABLE $1 (time timestamptz NOT NULL, hostname text, region text, datacenter text, rack text,
	os text, arch text, team text, service text, service_version text, service_environment text,
	usage_user bigint, usage_system bigint, usage_idle bigint, usage_nice bigint, usage_iowait bigint,
	usage_irq bigint, usage_softirq bigint, usage_steal bigint, usage_guest bigint, usage_guest_nice bigint)
	PARTITION BY RANGE (time);
SELECT format('CREATE TABLE streamstat_partitions.%I PARTITION OF $1 FOR VALUES FROM (%L) TO (%L)',
		'$1_p' || to_char(h AT TIME ZONE 'UTC', 'YYYYMMDD_HH24MI'), h, h + interval '1 hour')
	FROM generate_series(timestamptz '$T0', timestamptz '$T0' + interval '$((HOURS - 1)) hours', interval '1 hour') h \gexec
SQL
}

# TSBS cpu-only rows: tags per host as TSBS draws them, fields as bounded
# random walks (a step of -1..+1 a reading, clamped to 0..100, started at
# a random value per host and field).
TSBS_ROWS="
WITH h AS (
	SELECT i, 'host_' || i AS hostname,
		(ARRAY['us-east-1','us-west-1','us-west-2','eu-west-1','eu-central-1','ap-southeast-1','ap-southeast-2','ap-northeast-1','sa-east-1'])[1 + i % 9] AS region,
		'dc_' || (i % 27) AS datacenter, (i % 100)::text AS rack,
		(ARRAY['Ubuntu16.10','Ubuntu16.04LTS','Ubuntu15.10'])[1 + i % 3] AS os,
		(ARRAY['x64','x86'])[1 + i % 2] AS arch,
		(ARRAY['SF','NYC','LON','CHI'])[1 + i % 4] AS team,
		(i % 20)::text AS service, (i % 2)::text AS service_version,
		(ARRAY['production','staging','test'])[1 + i % 3] AS service_environment
	FROM generate_series(0, $((HOSTS - 1))) i),
steps AS (
	SELECT h.*, n, timestamptz '$T0' + n * interval '10 s' AS time,
		sum(random() * 2 - 1) OVER w AS w1, sum(random() * 2 - 1) OVER w AS w2,
		sum(random() * 2 - 1) OVER w AS w3, sum(random() * 2 - 1) OVER w AS w4
	FROM h, generate_series(0, $((HOURS * 360 - 1))) n
	WINDOW w AS (PARTITION BY h.i ORDER BY n))
SELECT time, hostname, region, datacenter, rack, os, arch, team, service, service_version, service_environment,
	least(100, greatest(0, (i * 37) % 100 + w1))::bigint, least(100, greatest(0, (i * 41) % 100 + w2))::bigint,
	least(100, greatest(0, (i * 43) % 100 + w3))::bigint, least(100, greatest(0, (i * 47) % 100 + w4))::bigint,
	least(100, greatest(0, (i * 53) % 100 - w1))::bigint, least(100, greatest(0, (i * 59) % 100 - w2))::bigint,
	least(100, greatest(0, (i * 61) % 100 - w3))::bigint, least(100, greatest(0, (i * 67) % 100 - w4))::bigint,
	least(100, greatest(0, (i * 71) % 100 + w1 - w2))::bigint, least(100, greatest(0, (i * 73) % 100 + w3 - w4))::bigint
FROM steps"

# Median of the times (ms) of RUNS runs of a query.
median_ms() {
	local q=$1
	{ echo '\timing on'; for _ in $(seq "$RUNS"); do echo "$q"; done; } |
		run_psql -d postgres -At -o /dev/null 2>&1 | awk '/^Time:/ {print $2}' | sort -n |
		awk '{a[NR] = $1} END {printf "%.1f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

if [[ " $SKIP " != *" a "* ]]; then
	say "(a) $HOSTS hosts x $HOURS h of TSBS cpu-only rows"
	make_table cpu
	start=$(date +%s)
	psqlc -c "INSERT INTO cpu $TSBS_ROWS" -c "VACUUM ANALYZE cpu"
	echo "loaded $(psqlc -c 'SELECT count(*) FROM cpu') rows in $(( $(date +%s) - start )) s"
	HOST=host_$((HOSTS / 3))
	H8=$(psqlc -c "SELECT string_agg(quote_literal('host_' || (i * 7919 % $HOSTS)), ',') FROM generate_series(1, 8) i")
	END="timestamptz '$T0' + interval '$HOURS hours'"
	declare -A Q
	Q[single-groupby-1-1-1]="SELECT time_bucket('1 minute', time) AS minute, max(usage_user) FROM cpu WHERE hostname IN ('$HOST') AND time >= timestamptz '$T0' + interval '3 hours' AND time < timestamptz '$T0' + interval '4 hours' GROUP BY minute ORDER BY minute;"
	Q[cpu-max-all-8]="SELECT time_bucket('1 hour', time) AS hour, max(usage_user), max(usage_system), max(usage_idle), max(usage_nice), max(usage_iowait), max(usage_irq), max(usage_softirq), max(usage_steal), max(usage_guest), max(usage_guest_nice) FROM cpu WHERE hostname IN ($H8) AND time >= timestamptz '$T0' + interval '2 hours' AND time < timestamptz '$T0' + interval '10 hours' GROUP BY hour ORDER BY hour;"
	Q[double-groupby-all]="SELECT time_bucket('1 hour', time) AS hour, hostname, avg(usage_user), avg(usage_system), avg(usage_idle), avg(usage_nice), avg(usage_iowait), avg(usage_irq), avg(usage_softirq), avg(usage_steal), avg(usage_guest), avg(usage_guest_nice) FROM cpu WHERE time >= timestamptz '$T0' AND time < $END GROUP BY hour, hostname ORDER BY hour, hostname;"
	Q[high-cpu-all]="SELECT * FROM cpu WHERE usage_user > 90 AND time >= timestamptz '$T0' + interval '1 hour' AND time < timestamptz '$T0' + interval '13 hours';"
	Q[groupby-orderby-limit]="SELECT time_bucket('1 minute', time) AS minute, max(usage_user) FROM cpu WHERE time < timestamptz '$T0' + interval '7 hours' GROUP BY minute ORDER BY minute DESC LIMIT 5;"
	Q[lastpoint]="SELECT DISTINCT ON (hostname) * FROM cpu ORDER BY hostname, time DESC;"
	# The newest row per host through the tag index, one descent a host.
	Q[lastpoint-loose]="WITH RECURSIVE hs AS (SELECT min(hostname) AS h FROM cpu UNION ALL SELECT (SELECT min(hostname) FROM cpu WHERE hostname > hs.h) FROM hs WHERE hs.h IS NOT NULL) SELECT l.* FROM hs, LATERAL (SELECT * FROM cpu c WHERE c.hostname = hs.h ORDER BY time DESC LIMIT 1) l;"
	NAMES=(single-groupby-1-1-1 cpu-max-all-8 double-groupby-all high-cpu-all groupby-orderby-limit lastpoint lastpoint-loose)
	declare -A R
	for setup in none brin brin+btree; do
		case $setup in
			none) ;;
			brin) psqlc -c "CREATE INDEX cpu_time_brin ON cpu USING brin (time) WITH (autosummarize = on)" ;;
			brin+btree) psqlc -c "SELECT streamstat.set_indexes('cpu', '{hostname}')" >/dev/null ;;
		esac
		psqlc -c "ANALYZE cpu"
		for n in "${NAMES[@]}"; do
			# without the tag index the loose scan reads every row per host
			if [ "$n" = lastpoint-loose ] && [ "$setup" != brin+btree ]; then R[$setup,$n]=-; continue; fi
			R[$setup,$n]=$(median_ms "${Q[$n]}")
		done
	done
	printf '%-24s %12s %12s %14s   (median of %d runs, ms)\n' query none brin brin+btree "$RUNS"
	for n in "${NAMES[@]}"; do
		printf '%-24s %12s %12s %14s\n' "$n" "${R[none,$n]}" "${R[brin,$n]}" "${R[brin+btree,$n]}"
	done
	psqlc -c "SELECT 'sizes: table ' || pg_size_pretty(sum(pg_table_size(c.oid))) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'cpu'::regclass" \
		-c "SELECT 'index ' || i.inhparent::regclass || ' ' || pg_size_pretty(sum(pg_relation_size(i.inhrelid))) FROM pg_inherits i WHERE i.inhparent IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'cpu'::regclass) GROUP BY i.inhparent"
fi

if [[ " $SKIP " != *" b "* ]]; then
	say "(b) ingest: \\copy csv of $ROWS rows, $ROUNDS rounds"
	CSV=$WORK/rows.csv
	ROWHOSTS=$HOSTS
	HOURS_B=$(( (ROWS + HOSTS * 360 - 1) / (HOSTS * 360) ))
	HOURS_SAVE=$HOURS; HOURS=$HOURS_B
	TSBS_B=${TSBS_ROWS//$((HOURS_SAVE * 360 - 1))/$((HOURS_B * 360 - 1))}
	psqlc -c "\\copy (SELECT * FROM ($TSBS_B) r ORDER BY 1, 2 LIMIT $ROWS) TO '$CSV' WITH (FORMAT csv)"
	for setup in none brin btree; do
		make_table "t_${setup}"
		case $setup in
			brin) psqlc -c "CREATE INDEX ON t_brin USING brin (time) WITH (autosummarize = on)" ;;
			btree) psqlc -c "CREATE INDEX ON t_btree USING brin (time) WITH (autosummarize = on)" \
				-c "SELECT streamstat.set_indexes('t_btree', '{hostname}')" >/dev/null ;;
		esac
	done
	declare -A RATE
	order=(none brin btree)
	for r in $(seq "$ROUNDS"); do
		for k in 0 1 2; do
			setup=${order[$(( (k + r) % 3 ))]}
			psqlc -c "TRUNCATE t_${setup}" -c "CHECKPOINT"
			s=$(date +%s%N)
			psqlc -c "\\copy t_${setup} FROM '$CSV' WITH (FORMAT csv)"
			e=$(date +%s%N)
			RATE[$r,$setup]=$(( ROWS * 1000000000 / (e - s) ))
		done
		echo "round $r: none ${RATE[$r,none]} rows/s, brin ${RATE[$r,brin]} rows/s, brin+btree ${RATE[$r,btree]} rows/s"
	done
	for setup in brin btree; do
		ratios=$(for r in $(seq "$ROUNDS"); do awk -v a="${RATE[$r,$setup]}" -v b="${RATE[$r,none]}" 'BEGIN {printf "%.2f\n", a / b}'; done | sort -n)
		echo "$setup / none: $(echo "$ratios" | tr '\n' ' ')(range $(echo "$ratios" | head -1)-$(echo "$ratios" | tail -1))"
	done
fi
