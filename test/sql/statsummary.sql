-- statsummary: stats_agg, rollup, +, accessors, text and binary I/O.
-- Reference answers come from the built-in aggregates (same Youngs-Cramer
-- algorithm: agreement to 1e-13) and from exact numeric recomputation.
-- Floats are compared in SQL; only booleans and counts are printed where
-- the last digit could vary.

-- a close to b: both NULL, both NaN, equal, or within tol relative of b
CREATE FUNCTION pg_temp.close(a float8, b float8, tol float8) RETURNS bool
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT a IS NOT DISTINCT FROM b OR abs(a - b) <= tol * abs(b) $$;
-- a close to the exact b: relative, or absolute below 1 (for skewness and
-- excess kurtosis, which can be near zero)
CREATE FUNCTION pg_temp.close(a float8, b numeric, tol float8) RETURNS bool
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT (a IS NULL AND b IS NULL) OR
		abs(a::numeric - b) <= tol::numeric * greatest(abs(b), 1) $$;

-- Data sets, each value exactly representable both as float8 (v) and as
-- numeric (nv), built from integers:
--   1: 1..100          2: k/1024, k uniform in [-5000, 20000]
--   3: 1e9 + k/2^20, k in [-2^19, 2^19] (ill-conditioned)
--   4: alternating signs (-1)^i (1e6 + k/1024)
--   5: one value       6: two values      7: values and NULLs
--   8: a constant      9: exponential-ish, heavy right tail
SELECT setseed(0.42);
CREATE TABLE d (g int, i int, v float8, nv numeric);
INSERT INTO d SELECT 1, i, i, i FROM generate_series(1, 100) i;
INSERT INTO d SELECT 2, i, k / 1024.0, k * 0.0009765625
  FROM (SELECT i, (random() * 25000)::int - 5000 AS k FROM generate_series(1, 300) i) s;
INSERT INTO d SELECT 3, i, 1e9::float8 + k / 1048576.0, 1000000000 + k * 0.00000095367431640625
  FROM (SELECT i, (random() * 1048576)::int - 524288 AS k FROM generate_series(1, 500) i) s;
INSERT INTO d SELECT 4, i, sgn * (1e6 + k / 1024.0), sgn * (1000000 + k * 0.0009765625)
  FROM (SELECT i, 1 - 2 * (i % 2) AS sgn, (random() * 4096)::int AS k
          FROM generate_series(1, 200) i) s;
INSERT INTO d VALUES (5, 1, 42.5, 42.5);
INSERT INTO d VALUES (6, 1, -3, -3), (6, 2, 7.25, 7.25);
INSERT INTO d SELECT 7, i, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 2.5 END,
  CASE WHEN i % 3 = 0 THEN NULL ELSE i * 2.5 END FROM generate_series(1, 30) i;
INSERT INTO d SELECT 8, i, 2.5, 2.5 FROM generate_series(1, 10) i;
INSERT INTO d SELECT 9, i, k, k
  FROM (SELECT i, floor(-ln(1 - random()) * 1000)::int AS k FROM generate_series(1, 400) i) s;
-- (a float8 to numeric cast keeps only 15 digits: compare the other way)
SELECT bool_and(nv::float8 = v) AS same_data FROM d;

-- Accessors against the built-ins on the same rows: the same algorithm,
-- so agreement to 1e-13 even where both are off (set 3).
CREATE TABLE s AS SELECT g, stats_agg(v) AS s FROM d GROUP BY g;
SELECT g,
       num_vals(s) = b.n AS n,
       pg_temp.close(mean(s), b.avg, 1e-13) AS mean,
       pg_temp.close(sum(s), b.sum, 1e-13) AS sum,
       min(s) = b.min AND max(s) = b.max AS minmax,
       pg_temp.close(variance(s), b.var_samp, 1e-13) AS var,
       pg_temp.close(variance(s, 'population'), b.var_pop, 1e-13) AS var_pop,
       pg_temp.close(stddev(s), b.stddev_samp, 1e-13) AS sd,
       pg_temp.close(stddev(s, 'population'), b.stddev_pop, 1e-13) AS sd_pop
  FROM s JOIN (SELECT g, count(v) AS n, avg(v), sum(v), min(v), max(v),
                      var_samp(v), var_pop(v), stddev_samp(v), stddev_pop(v)
                 FROM d GROUP BY g) b USING (g)
 ORDER BY g;

-- Exact references in numeric, from the power sums P1..P4 (products, not
-- ^, which rounds): with A2 = n P2 - P1^2, A3 = n^2 P3 - 3 n P1 P2 + 2 P1^3,
-- A4 = n^3 P4 - 4 n^2 P1 P3 + 6 n P1^2 P2 - 3 P1^4: variance A2/(n(n-1)),
-- g1 = A3 / A2^1.5, g2 = A4 / A2^2 - 3, G1 = g1 sqrt(n(n-1))/(n-2),
-- G2 = (n-1)((n+1) g2 + 6)/((n-2)(n-3)).  Double precision Youngs-Cramer
-- (like var_samp) carries about 1e-7 relative error on set 3: its running
-- sum of values near 1e9 rounds at 1e-4; elsewhere we ask for 1e-10.
CREATE TABLE ref AS
SELECT g, n, p1 / n AS mean,
       CASE WHEN n > 1 THEN a2 / (n * (n - 1)) END AS var_samp,
       a2 / (n * n) AS var_pop,
       CASE WHEN a2 > 0 THEN a3 / (a2 * sqrt(a2)) END AS g1,
       CASE WHEN a2 > 0 AND n >= 3 THEN a3 / (a2 * sqrt(a2)) * sqrt(n * (n - 1)) / (n - 2) END AS "G1",
       CASE WHEN a2 > 0 THEN a4 / (a2 * a2) - 3 END AS g2,
       CASE WHEN a2 > 0 AND n >= 4 THEN (n - 1) * ((n + 1) * (a4 / (a2 * a2) - 3) + 6) / ((n - 2) * (n - 3)) END AS "G2",
       CASE WHEN g = 3 THEN 1e-6 ELSE 1e-10 END AS tol
  FROM (SELECT g, n, p1,
               n * p2 - p1 * p1 AS a2,
               n * n * p3 - 3 * n * p1 * p2 + 2 * p1 * p1 * p1 AS a3,
               n * n * n * p4 - 4 * n * n * p1 * p3 + 6 * n * p1 * p1 * p2 - 3 * p1 * p1 * p1 * p1 AS a4
          FROM (SELECT g, count(nv)::numeric AS n, sum(nv) AS p1, sum(nv * nv) AS p2,
                       sum(nv * nv * nv) AS p3, sum(nv * nv * nv * nv) AS p4
                  FROM d GROUP BY g) p) q;
CREATE FUNCTION pg_temp.check_exact(s statsummary, r ref) RETURNS TABLE (
		n bool, mean bool, var bool, var_pop bool, g1 bool, "G1" bool, g2 bool, "G2" bool)
	LANGUAGE sql
	AS $$ SELECT num_vals(s) = r.n,
		pg_temp.close(mean(s), r.mean, 1e-10),
		pg_temp.close(variance(s), r.var_samp, r.tol),
		pg_temp.close(variance(s, 'population'), r.var_pop, r.tol),
		pg_temp.close(skewness(s, 'population'), r.g1, r.tol),
		pg_temp.close(skewness(s), r."G1", r.tol),
		pg_temp.close(kurtosis(s, 'population'), r.g2, r.tol),
		pg_temp.close(kurtosis(s), r."G2", r.tol) $$;
SELECT g, c.* FROM s JOIN ref r USING (g), pg_temp.check_exact(s.s, r) c ORDER BY g;

-- A worked example: 1, 2, 3, 10 (mean 4, M2 50, M3 180, M4 1394).
SELECT stats_agg(v) FROM (VALUES (1.0::float8), (2), (3), (10)) t(v);
SELECT num_vals(s), mean(s), sum(s), min(s), max(s), variance(s),
       variance(s, 'population'), round(stddev(s)::numeric, 12) AS stddev,
       round(skewness(s, 'population')::numeric, 12) AS g1,
       round(kurtosis(s, 'population')::numeric, 12) AS g2,
       round(skewness(s)::numeric, 12) AS "G1", round(kurtosis(s)::numeric, 12) AS "G2",
       round(zscore(s, 10)::numeric, 12) AS z10
  FROM (SELECT stats_agg(v) AS s FROM (VALUES (1.0::float8), (2), (3), (10)) t(v)) q;

-- Edge cases.  No rows, only NULLs: NULL summary (as avg).
SELECT stats_agg(v) IS NULL AS empty FROM d WHERE false;
SELECT stats_agg(NULL::float8) IS NULL AS all_null FROM generate_series(1, 3);
-- N = 1: population variance 0, sample variance NULL; N = 2; undefined
-- skewness/kurtosis and zero variance give NULL.
SELECT g, num_vals(s), variance(s) AS var, variance(s, 'population') AS var_pop,
       skewness(s) AS skew, skewness(s, 'population') AS skew_pop,
       kurtosis(s) AS kurt, kurtosis(s, 'population') AS kurt_pop, zscore(s, 1) AS z
  FROM s WHERE g IN (5, 6, 8) ORDER BY g;
-- NaN and infinities: as avg/var_samp/min/max do.
CREATE TABLE sp (g int, v float8);
INSERT INTO sp VALUES (1, 1), (1, 'NaN'), (1, 3),
  (2, 1), (2, 'Infinity'), (2, 3),
  (3, '-Infinity'), (3, 1),
  (4, 'Infinity'), (4, '-Infinity'),
  (5, 'NaN'),
  (6, 'Infinity'),
  (7, 'NaN'), (7, 'Infinity'), (7, '-Infinity'), (7, 5);
SELECT g, stats_agg(v),
       mean(stats_agg(v)) IS NOT DISTINCT FROM avg(v) AS mean,
       variance(stats_agg(v)) IS NOT DISTINCT FROM var_samp(v) AS var,
       stddev(stats_agg(v), 'population') IS NOT DISTINCT FROM stddev_pop(v) AS sd_pop,
       min(stats_agg(v)) IS NOT DISTINCT FROM min(v) AS min,
       max(stats_agg(v)) IS NOT DISTINCT FROM max(v) AS max,
       skewness(stats_agg(v)), kurtosis(stats_agg(v), 'population')
  FROM sp GROUP BY g ORDER BY g;
-- Overflow from finite inputs is an error, as with var_samp.
SELECT var_samp(v) FROM (VALUES (1e200::float8), (-1e200)) t(v);
SELECT stats_agg(v) FROM (VALUES (1e200::float8), (-1e200)) t(v);
SELECT stats_agg(v) FROM (VALUES (1e100::float8), (-1e100)) t(v);

-- Methods: anything but sample/population is an error with a hint.
SELECT variance(stats_agg(v), 'Population') = var_pop(v) FROM d WHERE g = 1;
SELECT stddev(stats_agg(v), 'unbiased') FROM d WHERE g = 1;
SELECT skewness(stats_agg(v), '') FROM d WHERE g = 1;

-- The accessor names resolve to ours for a statsummary and leave the
-- built-in aggregates alone.
SELECT stddev(v) = stddev_samp(v) AS builtin, stddev(stats_agg(v)) = stddev_samp(v) AS ours,
       min(v) = 1 AND max(v) = 100 AND sum(v) = 5050 AS builtin_minmaxsum
  FROM d WHERE g = 1;
SELECT p.oid::regprocedure, p.prokind
  FROM pg_proc p JOIN pg_depend dep ON dep.objid = p.oid AND dep.deptype = 'e'
  JOIN pg_extension e ON e.oid = dep.refobjid AND e.extname = 'streamstat'
 WHERE p.proname IN ('stddev', 'variance', 'min', 'max', 'sum', 'mean')
 ORDER BY p.oid::regprocedure::text;

-- rollup and + give what stats_agg gives over the union: checked against
-- the exact answers, and min/max exactly.
CREATE TABLE parts AS SELECT g, i % 7 AS part, stats_agg(v) AS s FROM d GROUP BY g, i % 7;
SELECT g, c.*, min(r) = min(s.s) AND max(r) = max(s.s) AS minmax
  FROM (SELECT g, rollup(s) AS r FROM parts GROUP BY g) p JOIN s USING (g)
  JOIN ref USING (g), pg_temp.check_exact(p.r, ref) c
 ORDER BY g;
SELECT g, c.*, (a.s + b.s)::text = (b.s + a.s)::text AS commutes
  FROM (SELECT g, stats_agg(v) s FROM d WHERE i % 2 = 0 GROUP BY g) a
  JOIN (SELECT g, stats_agg(v) s FROM d WHERE i % 2 = 1 GROUP BY g) b USING (g)
  JOIN ref USING (g), pg_temp.check_exact(a.s + b.s, ref) c
 ORDER BY g;
SELECT rollup(s) IS NULL AS rollup_empty FROM parts WHERE false;
SELECT num_vals(rollup(x)) FROM (VALUES (NULL::statsummary), ('(n:0,sum:0,m2:0,m3:0,m4:0,min:0,max:0)')) t(x);
SELECT '(n:2,sum:3,m2:0.5,m3:0,m4:0.125,min:1,max:2)'::statsummary + '(n:0,sum:0,m2:0,m3:0,m4:0,min:0,max:0)';
SELECT '(n:1,sum:NaN,m2:NaN,m3:NaN,m4:NaN,min:NaN,max:NaN)'::statsummary + '(n:1,sum:2,m2:0,m3:0,m4:0,min:2,max:2)';

-- Text round-trip is exact, whatever extra_float_digits says.
SET extra_float_digits = -10;
CREATE TABLE rt AS SELECT g, s, s::text::statsummary AS back FROM s;
RESET extra_float_digits;
SELECT g, s::text = back::text AS same_text,
       num_vals(s) = num_vals(back) AND sum(s) = sum(back) AND mean(s) = mean(back)
       AND variance(s) IS NOT DISTINCT FROM variance(back)
       AND skewness(s) IS NOT DISTINCT FROM skewness(back)
       AND kurtosis(s) IS NOT DISTINCT FROM kurtosis(back)
       AND min(s) = min(back) AND max(s) = max(back) AS same_values
  FROM rt ORDER BY g;
SELECT stats_agg(v)::text::statsummary::text = stats_agg(v)::text AS special_roundtrip
  FROM sp GROUP BY g ORDER BY g;

-- Binary round-trip: send/recv through COPY (FORMAT binary).
CREATE TABLE bin (g int, s statsummary);
DO $$
DECLARE
	f text := current_setting('data_directory') || '/statsummary_regress.bin';
BEGIN
	EXECUTE format('COPY (SELECT g, s FROM s) TO %L WITH (FORMAT binary)', f);
	EXECUTE format('COPY bin FROM %L WITH (FORMAT binary)', f);
END
$$;
SELECT count(*) AS rows, bool_and(bin.s::text = s.s::text) AS same
  FROM bin JOIN s USING (g);
SELECT length(statsummary_send(s)) FROM s WHERE g = 1;

-- Bad input is refused with a hint.
SELECT '(n:1,sum:2)'::statsummary;
SELECT '(n:1.5,sum:2,m2:0,m3:0,m4:0,min:2,max:2)'::statsummary;
SELECT '(n:2,sum:2,m2:-1,m3:0,m4:0,min:1,max:1)'::statsummary;
SELECT '(n:2,sum:3,m2:0.5,m3:0,m4:0.125,min:2,max:1)'::statsummary;
SELECT '(n:1,sum:Infinity,m2:0,m3:0,m4:0,min:Infinity,max:Infinity)'::statsummary;
SELECT '(n:1,sum:abc,m2:0,m3:0,m4:0,min:1,max:1)'::statsummary;
SELECT ' ( n:1,sum:1,m2:0,m3:0,m4:0,min:1,max:1 ) '::statsummary;

-- Stored and dumped like any type.
CREATE TABLE stored (s statsummary);
INSERT INTO stored SELECT s FROM s;
SELECT count(*), sum(num_vals(s)) FROM stored;
