#!/usr/bin/env bash
# test/bench/pct_agg.sh — pct_agg against percentile_disc.
#
#   (a) p50, p95 and p99 of ROWS (default 5 000 000) lognormal "latencies":
#       three percentile_disc calls, and one percentile_disc with an array,
#       against percentiles(pct_agg(v), '{0.5,0.95,0.99}'), parallel query
#       off for all (percentile_disc cannot run in parallel; pct_agg with
#       two workers is shown apart).  Target: >= 5x faster.  Memory: the
#       peak resident memory (VmHWM) a fresh backend gains running each
#       query, and the temporary files the sort spills to; pct_agg's must
#       grow with the row count more than the scan's own (count(v), whose
#       peak grows with the shared buffers it touches) does, measured again
#       at ROWS / 10.
#   (b) a sliding p99 over a 1000-row frame on WINDOW_ROWS (default
#       200 000) rows: percentile(pct_agg(v) OVER w, 0.99) against the
#       fastest exact SQL we know for it (percentile_disc has no window
#       form): per row, an index range scan of the frame with a top-N sort
#       of the 1% largest values (ORDER BY v DESC OFFSET k LIMIT 1).
#       Rows per second of both and the ratio.
# Each query runs once to warm up; the fast ones are then the median of 3
# runs, the slow ones (percentile_disc, exact sliding) one run.
#
# Usage: PG_CONFIG=/path/to/pg_config test/bench/pct_agg.sh [ROWS [WINDOW_ROWS]]
# Starts a throwaway cluster (scripts/common.sh), runs, prints, stops it.

source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

ROWS=${1:-5000000}
WINDOW_ROWS=${2:-200000}
WORK="${STREAMSTAT_WORK:-$ROOT/.work}/bench-pct"

build_and_install
setup_run_user
stop_bench_cluster() { as_run_user pg_ctl -D "$WORK/data" -m fast stop >/dev/null 2>&1 || true; }
trap stop_bench_cluster EXIT
start_cluster "$WORK" <<CONF
streamstat.port = 0
streamstat.http_port = 0
shared_buffers = 32MB
work_mem = 4MB
jit = off
max_parallel_workers_per_gather = 0
CONF

echo "streamstat pct_agg benchmark: $ROWS rows; sliding 1000-row p99 over $WINDOW_ROWS rows"
echo "PostgreSQL: $("$PG_CONFIG" --version); jit off; work_mem 4MB; load: $(cut -d' ' -f1-3 /proc/loadavg)"

run_psql -d postgres <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS streamstat;
SELECT setseed(0.5);
CREATE TABLE bench_lat AS
SELECT exp(3 + 0.8 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) AS v
  FROM generate_series(1, $ROWS);
CREATE TABLE bench_lat_small AS SELECT v FROM bench_lat LIMIT $ROWS / 10;
CREATE TABLE bench_win AS SELECT row_number() OVER () AS id, v FROM (SELECT v FROM bench_lat LIMIT $WINDOW_ROWS) x;
ALTER TABLE bench_win ADD PRIMARY KEY (id);
VACUUM ANALYZE bench_lat;
VACUUM ANALYZE bench_lat_small;
VACUUM ANALYZE bench_win;

CREATE FUNCTION pg_temp.run_ms(q text) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE
	t0 timestamptz := clock_timestamp();
BEGIN
	EXECUTE q;
	RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END
\$\$;
CREATE FUNCTION pg_temp.bench_ms(q text, n int) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE
	t float8[] := '{}';
BEGIN
	IF n = 0 THEN				-- too slow to run twice: one cold run
		RETURN pg_temp.run_ms(q);
	END IF;
	PERFORM pg_temp.run_ms(q);
	FOR k IN 1..n LOOP
		t := t || pg_temp.run_ms(q);
	END LOOP;
	RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(t) x);
END
\$\$;
CREATE TABLE bench_results (what text, ms float8, rows bigint);

INSERT INTO bench_results SELECT 'a. three percentile_disc calls',
	pg_temp.bench_ms('SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY v), percentile_disc(0.95) WITHIN GROUP (ORDER BY v), percentile_disc(0.99) WITHIN GROUP (ORDER BY v) FROM bench_lat', 1), $ROWS;
INSERT INTO bench_results SELECT 'a. one percentile_disc with an array',
	pg_temp.bench_ms('SELECT percentile_disc(''{0.5,0.95,0.99}''::float8[]) WITHIN GROUP (ORDER BY v) FROM bench_lat', 1), $ROWS;
INSERT INTO bench_results SELECT 'a. percentiles(pct_agg(v))',
	pg_temp.bench_ms('SELECT percentiles(pct_agg(v), ''{0.5,0.95,0.99}'') FROM bench_lat', 3), $ROWS;
SET max_parallel_workers_per_gather = 2;
INSERT INTO bench_results SELECT 'a. percentiles(pct_agg(v)), 2 parallel workers',
	pg_temp.bench_ms('SELECT percentiles(pct_agg(v), ''{0.5,0.95,0.99}'') FROM bench_lat', 3), $ROWS;
RESET max_parallel_workers_per_gather;
INSERT INTO bench_results SELECT 'b. exact sliding p99 (index range + top-N per row)',
	pg_temp.bench_ms('SELECT sum(p) FROM (SELECT (SELECT f.v FROM bench_win f WHERE f.id BETWEEN w.id - 999 AND w.id ORDER BY f.v DESC OFFSET least(w.id, 1000) - ceil(0.99 * least(w.id, 1000))::int LIMIT 1) AS p FROM bench_win w) q', 0), $WINDOW_ROWS;
INSERT INTO bench_results SELECT 'b. percentile(pct_agg(v) OVER w, 0.99)',
	pg_temp.bench_ms('SELECT sum(p) FROM (SELECT percentile(pct_agg(v) OVER (ORDER BY id ROWS 999 PRECEDING), 0.99) AS p FROM bench_win) q', 3), $WINDOW_ROWS;

\pset footer off
SELECT what, round(ms::numeric, 0) AS ms, round((rows / (ms / 1000))::numeric, 0) AS rows_per_s FROM bench_results;
SELECT round(((SELECT ms FROM bench_results WHERE what LIKE 'a. three%')
             / (SELECT ms FROM bench_results WHERE what = 'a. percentiles(pct_agg(v))'))::numeric, 1) AS "a. speed-up vs 3 calls (target >= 5)",
       round(((SELECT ms FROM bench_results WHERE what LIKE 'a. one%')
             / (SELECT ms FROM bench_results WHERE what = 'a. percentiles(pct_agg(v))'))::numeric, 1) AS "a. vs array form",
       round(((SELECT ms FROM bench_results WHERE what LIKE 'b. exact%')
             / (SELECT ms FROM bench_results WHERE what LIKE 'b. percentile(%'))::numeric, 1) AS "b. sliding speed-up";

-- sanity: within the bound of the exact answers
SELECT bool_and(abs(e - x) <= max_error(s) * x) AS within_bound
  FROM (SELECT pct_agg(v) AS s FROM bench_lat) q,
       unnest(percentiles(s, '{0.5,0.95,0.99}'),
              (SELECT percentile_disc('{0.5,0.95,0.99}'::float8[]) WITHIN GROUP (ORDER BY v) FROM bench_lat)) u(e, x);
SELECT count(*) FILTER (WHERE abs(est - ex) > 0.01 * ex) AS sliding_outside_bound, count(*) AS checked
  FROM (SELECT w.id, percentile(pct_agg(v) OVER (ORDER BY id ROWS 999 PRECEDING), 0.99) AS est,
               (SELECT f.v FROM bench_win f WHERE f.id BETWEEN w.id - 999 AND w.id ORDER BY f.v DESC
                 OFFSET least(w.id, 1000) - ceil(0.99 * least(w.id, 1000))::int LIMIT 1) AS ex
          FROM bench_win w WHERE id <= 20000) q;
SQL

# Memory: VmHWM of a fresh backend (kB) after the same query over 1000 rows
# (loading code and catalogs) and after the real one, and the temporary
# file bytes of the sort (pg_stat_database.temp_bytes).
mem() {
	run_psql -d postgres -At <<SQL
SET max_parallel_workers_per_gather = 0;
SET client_min_messages = warning;
CREATE TEMP TABLE warm AS SELECT v FROM bench_lat LIMIT 1000;
$(echo "$2" | sed 's/FROM bench_lat[a-z_]*/FROM warm/');
SELECT substring(pg_read_file('/proc/self/status') from 'VmHWM:\s*(\d+)')::bigint AS before \gset
SELECT temp_bytes AS t0 FROM pg_stat_database WHERE datname = current_database() \gset
$2;
SELECT pg_stat_force_next_flush();
SELECT format('%-46s peak memory +%s kB, temp files %s kB', '$1',
              substring(pg_read_file('/proc/self/status') from 'VmHWM:\s*(\d+)')::bigint - :before,
              (SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()) / 1024 - :t0 / 1024);
SQL
}
echo
echo "memory (a fresh backend each, warmed up on 1000 rows; shared buffers it touches count too):"
mem "a. count(v) (the scan alone), $ROWS rows" "SELECT count(v) FROM bench_lat" | tail -1
mem "a. count(v) (the scan alone), $((ROWS / 10)) rows" "SELECT count(v) FROM bench_lat_small" | tail -1
mem "a. percentile_disc array, $ROWS rows" "SELECT percentile_disc('{0.5,0.95,0.99}'::float8[]) WITHIN GROUP (ORDER BY v) FROM bench_lat" | tail -1
mem "a. pct_agg, $ROWS rows" "SELECT percentiles(pct_agg(v), '{0.5,0.95,0.99}') FROM bench_lat" | tail -1
mem "a. pct_agg, $((ROWS / 10)) rows" "SELECT percentiles(pct_agg(v), '{0.5,0.95,0.99}') FROM bench_lat_small" | tail -1
run_psql -d postgres -At -c "SELECT format('sketch size: %s bytes, %s buckets', pg_column_size(s), num_buckets(s)) FROM (SELECT pct_agg(v) AS s FROM bench_lat) q"
run_psql -d postgres -q -c "DROP TABLE bench_lat, bench_lat_small, bench_win, bench_results"
