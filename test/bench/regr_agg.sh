#!/usr/bin/env bash
# test/bench/regr_agg.sh — regr_agg against the built-in regression aggregates.
#
# Starts a throwaway cluster with $PG_CONFIG's binaries (as user postgres
# when run as root), installs and loads streamstat, and prints:
#   1. one pass over 5 million rows: regr_slope + regr_intercept + regr_r2 +
#      corr (the built-ins share one transition state) against one regr_agg
#      read by slope, intercept, r2 and corr; time ratio ours/built-in;
#   2. a sliding 1000-row window over 200 000 rows: regr_slope(y, x) OVER w
#      (recomputes every frame, O(rows x frame)) against
#      slope(regr_agg(y, x) OVER w) (moving aggregate, O(rows)); speed-up.
# Every query is run once to warm up, then timed (best of 3, except the
# built-in sliding window, which takes about a minute and runs once).
# Both sides run serially: max_parallel_workers_per_gather = 0.  No
# assertions: the machine may be shared; read the ratios.
#
# Usage: PG_CONFIG=/path/to/pg_config test/bench/regr_agg.sh

source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"

ROWS=${ROWS:-5000000}
WINDOW_ROWS=${WINDOW_ROWS:-200000}
FRAME=${FRAME:-1000}

build_and_install
setup_run_user

WORK="${STREAMSTAT_WORK:-$ROOT/.work}/bench-regr_agg"
say "starting a throwaway cluster"
start_cluster "$WORK" <<EOF
shared_buffers = 1GB
work_mem = 64MB
max_parallel_workers_per_gather = 0
jit = off
streamstat.port = 0
streamstat.http_port = 0
fsync = off
EOF
trap 'as_run_user pg_ctl -D "$WORK/data" -m fast -w stop >/dev/null 2>&1 || true' EXIT

# Run SQL in the bench database, tuples only.
sql() {
	run_psql -At -d postgres "$@"
}

say "loading $ROWS rows and a $WINDOW_ROWS-row series"
sql <<EOF
CREATE EXTENSION streamstat;
CREATE UNLOGGED TABLE bench_points AS
	SELECT 1.7e9 + i * 0.5 + random() AS x, 0.01 * i + sin(i) + random() AS y
	  FROM generate_series(1, $ROWS) i;
CREATE UNLOGGED TABLE bench_series AS
	SELECT i, i + random() AS x, 0.001 * i + sin(i / 50.0) + random() AS y
	  FROM generate_series(1, $WINDOW_ROWS) i;
VACUUM ANALYZE bench_points;
VACUUM ANALYZE bench_series;
-- Seconds taken by one execution of a query (its result is discarded).
CREATE FUNCTION bench_seconds(q text) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE
	t0 timestamptz := clock_timestamp();
BEGIN
	EXECUTE q;
	RETURN extract(epoch FROM clock_timestamp() - t0);
END
\$\$;
-- Best of n runs after one warm-up run.
CREATE FUNCTION bench_best(q text, n int) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE
	best float8 := 'Infinity';
BEGIN
	PERFORM bench_seconds(q);
	FOR k IN 1 .. n LOOP
		best := least(best, bench_seconds(q));
	END LOOP;
	RETURN best;
END
\$\$;
EOF

echo "settings: max_parallel_workers_per_gather = $(sql -c 'SHOW max_parallel_workers_per_gather'), jit = off, shared_buffers = 1GB"

say "aggregate over $ROWS rows"
BUILTIN_AGG="SELECT regr_slope(y, x), regr_intercept(y, x), regr_r2(y, x), corr(y, x) FROM bench_points"
OURS_AGG="SELECT slope(s), intercept(s), r2(s), corr(s) FROM (SELECT regr_agg(y, x) AS s FROM bench_points) q"
sql -c "SELECT regr_slope(y, x) = slope(regr_agg(y, x)) AS same_slope FROM bench_points" |
	sed 's/^/same slope as regr_slope: /'
t_builtin=$(sql -c "SELECT bench_best(\$q\$$BUILTIN_AGG\$q\$, 3)")
t_ours=$(sql -c "SELECT bench_best(\$q\$$OURS_AGG\$q\$, 3)")
printf 'built-in regr_slope+regr_intercept+regr_r2+corr: %8.3f s\n' "$t_builtin"
printf 'regr_agg with slope, intercept, r2, corr:         %8.3f s\n' "$t_ours"
awk -v a="$t_ours" -v b="$t_builtin" 'BEGIN { printf "ratio ours/built-in: %.2fx (target <= 0.5x)\n", a / b }'

say "sliding window of $FRAME rows over $WINDOW_ROWS rows"
W="WINDOW w AS (ORDER BY i ROWS $((FRAME - 1)) PRECEDING)"
BUILTIN_WIN="SELECT sum(v) FROM (SELECT regr_slope(y, x) OVER w AS v FROM bench_series $W) q"
OURS_WIN="SELECT sum(v) FROM (SELECT slope(regr_agg(y, x) OVER w) AS v FROM bench_series $W) q"
sql -c "SELECT max(abs(a - b) / abs(b)) < 1e-9 AS within_1e9
		  FROM (SELECT regr_slope(y, x) OVER w AS b, slope(regr_agg(y, x) OVER w) AS a
				  FROM bench_series WHERE i <= 20000 $W) q" |
	sed 's/^/moving slope within 1e-9 of regr_slope (first 20000 rows): /'
t_ours_win=$(sql -c "SELECT bench_best(\$q\$$OURS_WIN\$q\$, 3)")
t_builtin_win=$(sql -c "SELECT bench_seconds(\$q\$$BUILTIN_WIN\$q\$)")
printf 'built-in regr_slope OVER w (one run): %8.3f s\n' "$t_builtin_win"
printf 'slope(regr_agg OVER w):               %8.3f s\n' "$t_ours_win"
awk -v a="$t_ours_win" -v b="$t_builtin_win" 'BEGIN { printf "speed-up: %.0fx (target >= 100x)\n", b / a }'

say "stopping the cluster"
