-- statsummary in parallel plans: stats_agg and rollup run as Partial
-- Aggregate in the workers (serialise, combine, deserialise) and agree
-- with the serial plan to 1e-12.

CREATE FUNCTION pg_temp.close(a float8, b float8, tol float8) RETURNS bool
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT a IS NOT DISTINCT FROM b OR abs(a - b) <= tol * abs(b) $$;
CREATE FUNCTION pg_temp.same(a statsummary, b statsummary) RETURNS bool
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT num_vals(a) = num_vals(b) AND min(a) = min(b) AND max(a) = max(b)
		AND pg_temp.close(mean(a), mean(b), 1e-12)
		AND pg_temp.close(sum(a), sum(b), 1e-12)
		AND pg_temp.close(variance(a), variance(b), 1e-12)
		AND pg_temp.close(stddev(a, 'population'), stddev(b, 'population'), 1e-12)
		AND abs(skewness(a) - skewness(b)) <= 1e-12 * greatest(1, abs(skewness(b)))
		AND abs(kurtosis(a) - kurtosis(b)) <= 1e-12 * greatest(1, abs(kurtosis(b))) $$;

CREATE TABLE big AS
SELECT i, i % 5 AS g, CASE WHEN i % 997 = 0 THEN NULL ELSE (i % 1013) * 0.37::float8 + sin(i) * 5 END AS v
  FROM generate_series(1, 200000) i;
ANALYZE big;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF) SELECT stats_agg(v) FROM big;
CREATE TEMP TABLE par AS SELECT stats_agg(v) AS s FROM big;
EXPLAIN (COSTS OFF) SELECT g, stats_agg(v) FROM big GROUP BY g;
CREATE TEMP TABLE par_g AS SELECT g, stats_agg(v) AS s FROM big GROUP BY g;

-- summaries of 10-row slices, rolled up in parallel
CREATE TABLE slices AS SELECT i / 10 AS slice, g, stats_agg(v) AS s FROM big GROUP BY i / 10, g;
ANALYZE slices;
EXPLAIN (COSTS OFF) SELECT rollup(s) FROM slices;
CREATE TEMP TABLE par_r AS SELECT rollup(s) AS s FROM slices;

SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT stats_agg(v) FROM big;
CREATE TEMP TABLE ser AS SELECT stats_agg(v) AS s FROM big;
CREATE TEMP TABLE ser_g AS SELECT g, stats_agg(v) AS s FROM big GROUP BY g;
RESET ALL;

-- parallel equals serial, and both equal the built-ins
SELECT num_vals(par.s) AS n, pg_temp.same(par.s, ser.s) AS parallel_equals_serial,
       pg_temp.same(par_r.s, ser.s) AS parallel_rollup_equals_serial
  FROM par, ser, par_r;
SELECT count(*) AS groups, bool_and(pg_temp.same(p.s, s.s)) AS parallel_equals_serial
  FROM par_g p JOIN ser_g s USING (g);
SELECT pg_temp.close(mean(s), b.avg, 1e-12) AS mean,
       pg_temp.close(variance(s), b.var_samp, 1e-12) AS var,
       min(s) = b.min AND max(s) = b.max AS minmax,
       num_vals(s) = b.count AS n
  FROM par, (SELECT avg(v), var_samp(v), min(v), max(v), count(v) FROM big) b;
