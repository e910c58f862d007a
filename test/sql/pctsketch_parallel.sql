-- pct_agg and rollup(pctsketch) in parallel plans: partial sketches from
-- the workers are combined, and the result is the serial plan's sketch
-- (same buckets, count and extremes; the sum to rounding).

CREATE FUNCTION pg_temp.nosum(s pctsketch) RETURNS text LANGUAGE sql IMMUTABLE
	AS $$ SELECT regexp_replace(s::text, ',sum:[^,]*,sum_lo:[^,]*', '') $$;

CREATE TABLE pct_big AS
SELECT i, i % 5 AS g,
       CASE WHEN i % 997 = 0 THEN NULL ELSE (i % 1013) * 0.37::float8 + sin(i) * 5 END AS v
  FROM generate_series(1, 200000) i;
ANALYZE pct_big;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF) SELECT pct_agg(v) FROM pct_big;
CREATE TEMP TABLE par AS SELECT pct_agg(v) AS s, pct_agg(v, 0.001, 64) AS c FROM pct_big;
EXPLAIN (COSTS OFF) SELECT g, pct_agg(v) FROM pct_big GROUP BY g;
CREATE TEMP TABLE par_g AS SELECT g, pct_agg(v) AS s FROM pct_big GROUP BY g;
CREATE TABLE pct_slices AS SELECT i / 10 AS slice, g, pct_agg(v) AS s FROM pct_big GROUP BY i / 10, g;
ANALYZE pct_slices;
EXPLAIN (COSTS OFF) SELECT rollup(s) FROM pct_slices;
CREATE TEMP TABLE par_r AS SELECT rollup(s) AS s FROM pct_slices;

SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser AS SELECT pct_agg(v) AS s, pct_agg(v, 0.001, 64) AS c FROM pct_big;
CREATE TEMP TABLE ser_g AS SELECT g, pct_agg(v) AS s FROM pct_big GROUP BY g;

SELECT pg_temp.nosum(par.s) = pg_temp.nosum(ser.s) AS same_sketch,
       pg_temp.nosum(par.c) = pg_temp.nosum(ser.c) AS same_collapsed,
       max_error(par.c) > 0.001 AS collapsed,
       abs(mean(par.s) - mean(ser.s)) <= 1e-12 * abs(mean(ser.s)) AS same_mean,
       pg_temp.nosum(par_r.s) = pg_temp.nosum(ser.s) AS rollup_same
  FROM par, ser, par_r;
SELECT bool_and(pg_temp.nosum(a.s) = pg_temp.nosum(b.s)) AS grouped_same
  FROM par_g a JOIN ser_g b USING (g);
SELECT (SELECT bool_and(abs(e - x) <= max_error(s) * abs(x))
          FROM unnest(percentiles(s, '{0.5, 0.95, 0.99}'),
                      (SELECT percentile_disc('{0.5, 0.95, 0.99}'::float8[]) WITHIN GROUP (ORDER BY v) FROM pct_big)) u(e, x)) AS within_bound
  FROM par;

DROP TABLE pct_big, pct_slices;
