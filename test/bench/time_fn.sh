#!/usr/bin/env bash
# test/bench/time_fn.sh — time_bucket and ewma against built-in references.
#
# Per-row cost, each query run once to warm up, then the median of 3 timed
# runs, over ROWS (default 2 000 000) rows of (t timestamptz, v float8):
#   (a) max(time_bucket('5 minutes', t)) against max(date_bin(...)), same
#       buckets (target: ratio <= 1.2);
#   (b) max(time_bucket('1 month', t)) against max(date_trunc('month', t));
#   (c) max(time_bucket('1 day', t, 'Europe/Berlin')) against
#       max(date_trunc('day', t, 'Europe/Berlin'));
#   (d) ewma(v, 0.1) against avg(v) (float8_accum: a float8[] state updated
#       in place), both without ORDER BY so only the transitions count;
#   (e) ewma(v, t, '1 minute') against avg(v);
#   (f) ewma(v, 0.1) OVER (ORDER BY t) against avg(v) OVER (ORDER BY t).
# Parallel query and JIT are off: the comparison is per-row cost, on a
# machine that may be shared.  Ratios, never absolute times, are the result.
#
# Usage: PG_CONFIG=/path/to/pg_config test/bench/time_fn.sh [ROWS]
#   or   BENCH_DSN='host=... dbname=...' test/bench/time_fn.sh [ROWS]
# Without BENCH_DSN it builds and installs streamstat into PG_CONFIG's tree,
# starts a throwaway cluster (scripts/common.sh: as user postgres when run
# as root), runs, and stops it.  With BENCH_DSN it uses that server, which
# must have streamstat installed; it creates and drops its own table there.

source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

ROWS=${1:-2000000}

if [ -z "${BENCH_DSN:-}" ]; then
	build_and_install
	setup_run_user
	WORK="${STREAMSTAT_WORK:-$ROOT/.work}/bench-$(basename "$0" .sh)"
	# streamstat is preloaded as in production; its listener stays off
	start_cluster "$WORK" <<CONF
shared_buffers = 256MB
work_mem = 256MB
max_parallel_workers_per_gather = 0
jit = off
streamstat.port = 0
streamstat.http_port = 0
CONF
	trap 'as_run_user pg_ctl -D "$WORK/data" -m fast stop >/dev/null 2>&1 || true' EXIT
	BENCH_DSN="host=$PGSOCK port=$PGPORT dbname=postgres user=postgres"
else
	setup_run_user
fi

psql_bench() {
	as_run_user psql -X -q -v ON_ERROR_STOP=1 -d "$BENCH_DSN" "$@"
}

echo "streamstat time_bucket/ewma benchmark: $ROWS rows"
echo "PostgreSQL: $("$PG_CONFIG" --version); parallel query off; jit off"

psql_bench <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS streamstat;
SET max_parallel_workers_per_gather = 0;
SET jit = off;
DROP TABLE IF EXISTS bench_time;
SELECT setseed(0.5) \\gset
CREATE TABLE bench_time AS
SELECT '2024-01-01 00:00+00'::timestamptz + i * interval '1 second' + random() * interval '900 ms' AS t,
	   random() * 100 AS v
  FROM generate_series(1, $ROWS) AS i;
VACUUM ANALYZE bench_time;

-- milliseconds to run query q to completion (its rows are discarded)
CREATE FUNCTION pg_temp.run_ms(q text) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE
	t0 timestamptz := clock_timestamp();
BEGIN
	EXECUTE q;
	RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END
\$\$;
-- warm-up run, then the median of n timed runs
CREATE FUNCTION pg_temp.bench_ms(q text, n int) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE
	t float8[] := '{}';
BEGIN
	PERFORM pg_temp.run_ms(q);
	FOR k IN 1..n LOOP
		t := t || pg_temp.run_ms(q);
	END LOOP;
	RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(t) x);
END
\$\$;

CREATE TEMP TABLE results (key text, what text, ms float8);
INSERT INTO results SELECT 'a0', 'date_bin(5 minutes)',
	pg_temp.bench_ms('SELECT max(date_bin(''5 minutes'', t, ''2000-01-03 00:00+00'')) FROM bench_time', 3);
INSERT INTO results SELECT 'a1', 'time_bucket(5 minutes)',
	pg_temp.bench_ms('SELECT max(time_bucket(''5 minutes'', t)) FROM bench_time', 3);
INSERT INTO results SELECT 'b0', 'date_trunc(month)',
	pg_temp.bench_ms('SELECT max(date_trunc(''month'', t)) FROM bench_time', 3);
INSERT INTO results SELECT 'b1', 'time_bucket(1 month)',
	pg_temp.bench_ms('SELECT max(time_bucket(''1 month'', t)) FROM bench_time', 3);
INSERT INTO results SELECT 'c0', 'date_trunc(day, Europe/Berlin)',
	pg_temp.bench_ms('SELECT max(date_trunc(''day'', t, ''Europe/Berlin'')) FROM bench_time', 3);
INSERT INTO results SELECT 'c1', 'time_bucket(1 day, Europe/Berlin)',
	pg_temp.bench_ms('SELECT max(time_bucket(''1 day'', t, ''Europe/Berlin'')) FROM bench_time', 3);
INSERT INTO results SELECT 'd0', 'avg(v)',
	pg_temp.bench_ms('SELECT avg(v) FROM bench_time', 3);
INSERT INTO results SELECT 'd1', 'ewma(v, 0.1)',
	pg_temp.bench_ms('SELECT ewma(v, 0.1) FROM bench_time', 3);
INSERT INTO results SELECT 'e1', 'ewma(v, t, 1 minute)',
	pg_temp.bench_ms('SELECT ewma(v, t, ''1 minute'') FROM bench_time', 3);
INSERT INTO results SELECT 'f0', 'avg(v) OVER (ORDER BY t)',
	pg_temp.bench_ms('SELECT max(x) FROM (SELECT avg(v) OVER (ORDER BY t) AS x FROM bench_time) q', 3);
INSERT INTO results SELECT 'f1', 'ewma(v, 0.1) OVER (ORDER BY t)',
	pg_temp.bench_ms('SELECT max(x) FROM (SELECT ewma(v, 0.1) OVER (ORDER BY t) AS x FROM bench_time) q', 3);

\pset footer off
SELECT what, round(ms::numeric, 1) AS ms FROM results ORDER BY key;
CREATE FUNCTION pg_temp.ratio(a text, b text) RETURNS numeric LANGUAGE sql AS
	'SELECT round(((SELECT ms FROM results WHERE key = a) / (SELECT ms FROM results WHERE key = b))::numeric, 2)';
SELECT 'a. time_bucket(5 min) / date_bin' AS ratio, pg_temp.ratio('a1', 'a0') AS value
UNION ALL SELECT 'b. time_bucket(1 month) / date_trunc(month)', pg_temp.ratio('b1', 'b0')
UNION ALL SELECT 'c. time_bucket(1 day, zone) / date_trunc(day, zone)', pg_temp.ratio('c1', 'c0')
UNION ALL SELECT 'd. ewma(v, alpha) / avg(v)', pg_temp.ratio('d1', 'd0')
UNION ALL SELECT 'e. ewma(v, t, half_life) / avg(v)', pg_temp.ratio('e1', 'd0')
UNION ALL SELECT 'f. ewma window / avg window', pg_temp.ratio('f1', 'f0');

-- sanity: the same buckets as the references
SELECT count(*) FILTER (WHERE time_bucket('5 minutes', t) <> date_bin('5 minutes', t, '2000-01-03 00:00+00')
						   OR time_bucket('1 month', t) <> date_trunc('month', t)
						   OR time_bucket('1 day', t, 'Europe/Berlin') <> date_trunc('day', t, 'Europe/Berlin')) AS mismatches
  FROM bench_time;
DROP TABLE bench_time;
SQL
