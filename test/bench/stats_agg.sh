#!/usr/bin/env bash
# test/bench/stats_agg.sh — stats_agg against the built-in aggregates.
#
# Two measurements, each query run once to warm up and then timed:
#   (a) one pass over ROWS (default 5 000 000) random float8 values:
#       count, avg, stddev_samp, var_samp, min, max (built-ins) against one
#       stats_agg(v) read through num_vals, mean, stddev, variance, min, max
#       (median of 3 timed runs each; target: ours <= 0.9 x the built-ins);
#   (b) a sliding 1000-row window (ROWS 999 PRECEDING) over WINDOW_ROWS
#       (default 200 000) rows: stddev_samp(v) OVER w, which PostgreSQL
#       recomputes per frame, against stddev(stats_agg(v) OVER w), which
#       slides with the inverse transition (target: >= 50 x faster);
#   (c) the same sliding stats_agg on a rising series (every leaving value
#       is the frame's min), against (b): the ratio should stay near 1.
# Parallel query is off in both (max_parallel_workers_per_gather = 0): the
# comparison is per-row cost, on a machine that may be shared.
#
# Usage: PG_CONFIG=/path/to/pg_config test/bench/stats_agg.sh [ROWS [WINDOW_ROWS]]
#   or   BENCH_DSN='host=... dbname=...' test/bench/stats_agg.sh ...
# Without BENCH_DSN it builds and installs streamstat into PG_CONFIG's tree,
# starts a throwaway cluster (scripts/common.sh: as user postgres when run
# as root), runs, and stops it.  With BENCH_DSN it uses that server, which
# must have streamstat installed; it creates and drops its own tables there.

source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

ROWS=${1:-5000000}
WINDOW_ROWS=${2:-200000}

if [ -z "${BENCH_DSN:-}" ]; then
	build_and_install
	setup_run_user
	WORK="${STREAMSTAT_WORK:-$ROOT/.work}/bench-$(basename "$0" .sh)"
	# streamstat is preloaded as in production; its listener stays off
	start_cluster "$WORK" <<CONF
shared_buffers = 512MB
work_mem = 64MB
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

echo "streamstat stats_agg benchmark: $ROWS rows; sliding 1000-row window over $WINDOW_ROWS rows"
echo "PostgreSQL: $("$PG_CONFIG" --version); parallel query off in both; jit off"

psql_bench <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS streamstat;
SET max_parallel_workers_per_gather = 0;
SET jit = off;
DROP TABLE IF EXISTS bench_stats, bench_window, bench_rising;
SELECT setseed(0.5) \\gset
CREATE TABLE bench_stats AS SELECT random() * 1000 - 200 AS v FROM generate_series(1, $ROWS);
CREATE TABLE bench_window AS SELECT i AS id, random() * 1000 - 200 AS v FROM generate_series(1, $WINDOW_ROWS) i;
ALTER TABLE bench_window ADD PRIMARY KEY (id);
CREATE TABLE bench_rising AS SELECT id, id * 0.5 + random() AS v FROM bench_window;
ALTER TABLE bench_rising ADD PRIMARY KEY (id);
VACUUM ANALYZE bench_rising;
VACUUM ANALYZE bench_stats;
VACUUM ANALYZE bench_window;

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

CREATE TEMP TABLE results (what text, ms float8);
INSERT INTO results SELECT 'a. built-ins: count, avg, stddev_samp, var_samp, min, max',
	pg_temp.bench_ms('SELECT count(v), avg(v), stddev_samp(v), var_samp(v), min(v), max(v) FROM bench_stats', 3);
INSERT INTO results SELECT 'a. stats_agg(v) and its six accessors',
	pg_temp.bench_ms('SELECT num_vals(s), mean(s), stddev(s), variance(s), min(s), max(s) FROM (SELECT stats_agg(v) AS s FROM bench_stats) q', 3);
INSERT INTO results SELECT 'b. stddev_samp(v) OVER (ROWS 999 PRECEDING)',
	pg_temp.bench_ms('SELECT sum(x) FROM (SELECT stddev_samp(v) OVER w AS x FROM bench_window WINDOW w AS (ORDER BY id ROWS 999 PRECEDING)) q', 1);
INSERT INTO results SELECT 'b. stddev(stats_agg(v) OVER (ROWS 999 PRECEDING))',
	pg_temp.bench_ms('SELECT sum(x) FROM (SELECT stddev(stats_agg(v) OVER w) AS x FROM bench_window WINDOW w AS (ORDER BY id ROWS 999 PRECEDING)) q', 1);
INSERT INTO results SELECT 'c. same on a rising series',
	pg_temp.bench_ms('SELECT sum(x) FROM (SELECT stddev(stats_agg(v) OVER w) AS x FROM bench_rising WINDOW w AS (ORDER BY id ROWS 999 PRECEDING)) q', 1);

\pset footer off
SELECT what, round(ms::numeric, 1) AS ms FROM results;
SELECT round((SELECT ms FROM results WHERE what LIKE 'a. stats%')::numeric
             / (SELECT ms FROM results WHERE what LIKE 'a. built%')::numeric, 3) AS "a. ratio ours/built-ins (target <= 0.9)",
       round((SELECT ms FROM results WHERE what LIKE 'b. stddev_samp%')::numeric
             / (SELECT ms FROM results WHERE what LIKE 'b. stddev(stats%')::numeric, 1) AS "b. sliding speed-up (target >= 50)",
       round((SELECT ms FROM results WHERE what LIKE 'c.%')::numeric
             / (SELECT ms FROM results WHERE what LIKE 'b. stddev(stats%')::numeric, 2) AS "c. rising/random (near 1)";

-- sanity: the same answers
SELECT num_vals(s) = n AS same_count,
       abs(mean(s) - a) <= 1e-12 * abs(a) AND abs(stddev(s) - sd) <= 1e-12 * sd
       AND min(s) = mn AND max(s) = mx AS same_stats
  FROM (SELECT stats_agg(v) AS s, count(v) AS n, avg(v) AS a, stddev_samp(v) AS sd,
               min(v) AS mn, max(v) AS mx FROM bench_stats) q;
SELECT max(abs(x - y) / y) < 1e-9 AS sliding_within_1e9
  FROM (SELECT stddev(stats_agg(v) OVER w) AS x, stddev_samp(v) OVER w AS y
          FROM bench_window WHERE id <= 20000
        WINDOW w AS (ORDER BY id ROWS 999 PRECEDING)) q;
DROP TABLE bench_stats, bench_window, bench_rising;
SQL
