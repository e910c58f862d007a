-- pctsketch: pct_agg and its accessors against percentile_disc, on
-- lognormal, Pareto, mixed-sign and zero-heavy data; merging; the text and
-- binary round trips; NaN, Infinity, NULL and bad input.

-- Every percentile of a sketch within max_error (relative) of the exact
-- percentile_disc over the same values.  Returns the failures.
CREATE FUNCTION pg_temp.check_bound(tbl regclass, sketch_sql text)
RETURNS TABLE (p float8, exact float8, estimate float8, bound float8)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format($q$
		WITH s AS (SELECT %s AS s FROM %s),
		ps AS (SELECT unnest('{0,0.0001,0.001,0.01,0.05,0.1,0.25,0.333,0.5,0.667,0.75,0.9,0.95,0.99,0.995,0.999,0.9999,1}'::float8[]) AS p),
		ex AS (SELECT ps.p, (SELECT percentile_disc(ps.p) WITHIN GROUP (ORDER BY v) FROM %s) AS exact FROM ps)
		SELECT ex.p, ex.exact, percentile(s, ex.p), max_error(s)
		  FROM ex, s
		 WHERE abs(percentile(s, ex.p) - ex.exact) > max_error(s) * abs(ex.exact) * (1 + 1e-12)
		$q$, sketch_sql, tbl, tbl);
END $$;

SELECT setseed(0.25);
CREATE TABLE pct_lognormal AS
SELECT exp(1.5 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) AS v
  FROM generate_series(1, 20000);
CREATE TABLE pct_pareto AS
SELECT 1 / (1 - random()) ^ (1 / 1.2) AS v FROM generate_series(1, 20000);
CREATE TABLE pct_mixed AS
SELECT (CASE WHEN random() < 0.4 THEN -1 ELSE 1 END) * exp(4 * random() - 2) * 1000 AS v
  FROM generate_series(1, 20000);
CREATE TABLE pct_zeros AS
SELECT CASE WHEN random() < 0.7 THEN 0 ELSE round(random() * 50) END AS v
  FROM generate_series(1, 20000);
CREATE TABLE pct_wide AS		-- 600 orders of magnitude: forces collapses
SELECT (CASE WHEN i % 2 = 0 THEN -1 ELSE 1 END) * 10 ^ (random() * 600 - 300) AS v
  FROM generate_series(1, 20000) i;

SELECT * FROM pg_temp.check_bound('pct_lognormal', 'pct_agg(v)');
SELECT * FROM pg_temp.check_bound('pct_lognormal', 'pct_agg(v, 0.001)');
SELECT * FROM pg_temp.check_bound('pct_pareto', 'pct_agg(v)');
SELECT * FROM pg_temp.check_bound('pct_pareto', 'pct_agg(v, 0.05, 64)');
SELECT * FROM pg_temp.check_bound('pct_mixed', 'pct_agg(v)');
SELECT * FROM pg_temp.check_bound('pct_mixed', 'pct_agg(v, 0.02, 16)');
SELECT * FROM pg_temp.check_bound('pct_zeros', 'pct_agg(v)');
SELECT * FROM pg_temp.check_bound('pct_wide', 'pct_agg(v)');
SELECT * FROM pg_temp.check_bound('pct_wide', 'pct_agg(v, 0.01, 100)');

-- the bound reported: the asked one until the budget overflows, then the
-- collapsed one, 2a/(1+a^2) per collapse; never more buckets than allowed
SELECT max_error(pct_agg(v)) = 0.01 AS uncollapsed,
       num_buckets(pct_agg(v)) <= 1024 AS within_budget
  FROM pct_lognormal;
SELECT num_buckets(s) <= 100 AS within_budget, max_error(s) > 0.01 AS collapsed,
       abs(max_error(s) - (SELECT tanh(2 ^ c * atanh(0.01))
                             FROM (SELECT substring(s::text from 'collapses:(\d+)')::int AS c) x)) < 1e-15 AS bound_formula
  FROM (SELECT pct_agg(v, 0.01, 100) AS s FROM pct_wide) x;

-- the convention is percentile_disc's: p = 0 and p = 1 are the exact
-- extremes, ranks are ceil(p n)
SELECT percentile(s, 0) = lo AND percentile(s, 1) = hi AS exact_extremes,
       min(s) = lo AND max(s) = hi AS min_max,
       num_vals(s) = n AS n,
       abs(mean(s) - av) <= 1e-12 * abs(av) AS mean
  FROM (SELECT pct_agg(v) AS s, min(v) AS lo, max(v) AS hi, count(v) AS n, avg(v) AS av FROM pct_mixed) x;
SELECT percentiles(pct_agg(v), '{0, 0.5, 1, NULL}'),
       percentile_disc('{0, 0.5, 1}'::float8[]) WITHIN GROUP (ORDER BY v)
  FROM (VALUES (1), (2), (3), (4)) t(v);
SELECT percentiles(pct_agg(v), '{}') FROM (VALUES (1)) t(v);

-- percentile_rank: exact outside the data, else within one bucket
SELECT percentile_rank(s, -1e9) AS below, percentile_rank(s, 1e9) AS above,
       percentile_rank(s, 0) = (SELECT count(*) FILTER (WHERE v <= 0)::float8 / count(*) FROM pct_mixed) AS at_zero
  FROM (SELECT pct_agg(v) AS s FROM pct_mixed) x;
SELECT bool_and(abs(percentile_rank(s, q) - (SELECT count(*) FILTER (WHERE v <= q)::float8 / count(*) FROM pct_lognormal))
                <= (SELECT count(*) FILTER (WHERE v BETWEEN q / 1.03 AND q * 1.03)::float8 / count(*) FROM pct_lognormal)) AS rank_within_bucket
  FROM (SELECT pct_agg(v) AS s FROM pct_lognormal) x, unnest('{0.1, 0.5, 1, 2, 10}'::float8[]) q;

-- merging equals sketching the union: bit-identical text (integer-valued
-- data keeps the double-double sum exact), whatever the split and order,
-- collapsed or not
CREATE TABLE pct_parts AS
SELECT i % 4 AS part, (CASE WHEN i % 3 = 0 THEN -1 ELSE 1 END) * round(10 ^ (random() * 15)) AS v
  FROM generate_series(1, 20000) i;
SELECT (SELECT pct_agg(v, 0.01, 64)::text FROM pct_parts) =
       (SELECT rollup(s)::text FROM (SELECT pct_agg(v, 0.01, 64) AS s FROM pct_parts GROUP BY part ORDER BY part DESC) x) AS rollup_identical,
       (SELECT pct_agg(v, 0.01, 64)::text FROM pct_parts) =
       (SELECT (a.s + b.s)::text FROM (SELECT pct_agg(v, 0.01, 64) AS s FROM pct_parts WHERE part < 3) a,
                                      (SELECT pct_agg(v, 0.01, 64) AS s FROM pct_parts WHERE part = 3) b) AS plus_identical;
SELECT bool_and(a.t = b.t) AS same_sketches FROM
  (SELECT part, pct_agg(v)::text AS t FROM pct_parts GROUP BY part) a JOIN
  (SELECT part, rollup(s)::text AS t FROM (SELECT part, pct_agg(v) AS s FROM pct_parts GROUP BY part, v > 0) x GROUP BY part) b USING (part);
-- float data: same buckets and percentiles, mean to rounding
SELECT percentiles(a, ps) = percentiles(b, ps) AS same_percentiles,
       max_error(a) = max_error(b) AS same_bound, num_vals(a) = num_vals(b) AS same_n,
       num_buckets(a) = num_buckets(b) AS same_buckets,
       abs(mean(a) - mean(b)) <= 1e-14 * abs(mean(a)) AS mean
  FROM (SELECT pct_agg(v, 0.01, 200) AS a FROM pct_mixed) x,
       (SELECT rollup(s) AS b FROM (SELECT pct_agg(v, 0.01, 200) AS s FROM (SELECT row_number() OVER () % 7 AS k, v FROM pct_mixed) t GROUP BY k) y) z,
       (SELECT '{0, 0.01, 0.1, 0.5, 0.9, 0.99, 1}'::float8[] AS ps) p;

-- different max_error or budgets: brought to the coarser sketch, with a
-- bound that still holds (no error)
CREATE TABLE pct_halves AS SELECT v, random() < 0.5 AS h FROM pct_lognormal;
SELECT max_error(a + b) >= greatest(max_error(a), max_error(b)) AS coarser,
       round(max_error(a)::numeric, 4) AS a, round(max_error(b)::numeric, 4) AS b,
       round(max_error(a + b)::numeric, 4) AS merged,
       num_vals(a + b) = 20000 AS n,
       (SELECT count(*) FROM (SELECT unnest('{0.01,0.1,0.5,0.9,0.99}'::float8[]) p) ps
         WHERE abs(percentile(a + b, p) - (SELECT percentile_disc(p) WITHIN GROUP (ORDER BY v) FROM pct_halves))
               > max_error(a + b) * (SELECT percentile_disc(p) WITHIN GROUP (ORDER BY v) FROM pct_halves)) AS violations
  FROM (SELECT pct_agg(v, 0.01) AS a FROM pct_halves WHERE h) x, (SELECT pct_agg(v, 0.002, 300) AS b FROM pct_halves WHERE NOT h) y;
-- a budget of 4 over 600 orders of magnitude, merged into finer grids:
-- the bound is gone (Infinity), yet the value is valid and round-trips
SELECT max_error(s), s::text::pctsketch::text = s::text AS round_trip
  FROM (SELECT (SELECT pct_agg(v, 0.001, 50) FROM pct_wide) + (SELECT pct_agg(v, 1e-6, 4) FROM pct_wide) AS s) x;
SELECT (a + b)::text = (b + a)::text AS commutes
  FROM (SELECT pct_agg(v, 0.01) AS a FROM pct_halves WHERE h) x, (SELECT pct_agg(v, 0.002, 300) AS b FROM pct_halves WHERE NOT h) y;

-- text round trip (exact) and binary round trip (COPY BINARY)
CREATE TABLE pct_sketches AS SELECT part, pct_agg(v) AS s FROM (SELECT i % 3 AS part, v FROM (SELECT row_number() OVER () AS i, v FROM pct_mixed) t) u GROUP BY part;
SELECT bool_and(s::text::pctsketch::text = s::text) AS text_round_trip FROM pct_sketches;
SELECT '/tmp/streamstat_pctsketch_' || pg_backend_pid() || '.bin' AS binfile \gset
COPY pct_sketches TO :'binfile' (FORMAT binary);
CREATE TABLE pct_sketches2 (LIKE pct_sketches);
COPY pct_sketches2 FROM :'binfile' (FORMAT binary);
SELECT count(*) AS binary_round_trip FROM pct_sketches a JOIN pct_sketches2 b USING (part) WHERE a.s::text = b.s::text;
SELECT '(max_error:0.01,max_buckets:1024,collapses:0,slack:1,count:4,zeros:1,min:-3,max:10,sum:9,sum_lo:0,neg:[55:1],pos:[0:1,116:1])'::pctsketch;
SELECT percentiles('(max_error:0.01,max_buckets:1024,collapses:0,slack:1,count:4,zeros:1,min:-3,max:10,sum:9,sum_lo:0,neg:[55:1],pos:[0:1,116:1])'::pctsketch, '{0,0.25,0.5,0.75,1}');
-- malformed or inconsistent input
SELECT '(max_error:0.01)'::pctsketch;
SELECT '(max_error:0.01,max_buckets:1024,collapses:0,slack:1,count:5,zeros:1,min:-3,max:10,sum:9,sum_lo:0,neg:[55:1],pos:[0:1,116:1])'::pctsketch;
SELECT '(max_error:0.01,max_buckets:1024,collapses:0,slack:1,count:4,zeros:1,min:-3,max:10,sum:9,sum_lo:0,neg:[55:1],pos:[116:1,0:1])'::pctsketch;
SELECT '(max_error:2,max_buckets:1024,collapses:0,slack:1,count:4,zeros:1,min:-3,max:10,sum:9,sum_lo:0,neg:[55:1],pos:[0:1,116:1])'::pctsketch;
SELECT '(max_error:0.01,max_buckets:4,collapses:0,slack:1,count:6,zeros:1,min:-3,max:10,sum:9,sum_lo:0,neg:[55:1],pos:[0:1,1:1,2:1,116:1])'::pctsketch;

-- NULL skipped; no rows or only NULLs: NULL
SELECT num_vals(pct_agg(v)) FROM (VALUES (1.0), (NULL), (2.0)) t(v);
SELECT pct_agg(v) IS NULL AS empty FROM (VALUES (NULL::float8)) t(v);
SELECT pct_agg(v) IS NULL AS no_rows FROM pct_lognormal WHERE false;
-- one value, negative zero
SELECT percentiles(pct_agg(v), '{0, 0.5, 1}'), max_error(pct_agg(v)) FROM (VALUES (-0.0::float8)) t(v);
SELECT percentiles(pct_agg(v), '{0, 0.5, 1}') FROM (VALUES (1e-310::float8), (1.7e308)) t(v);
-- NaN and infinities: an error with a hint
SELECT pct_agg(v) FROM (VALUES (1.0), ('NaN')) t(v);
SELECT pct_agg(v) FROM (VALUES (1.0), ('Infinity')) t(v);
SELECT pct_agg(v) FROM (VALUES (1.0), ('-Infinity')) t(v);
SELECT num_vals(pct_agg(v)) FROM (VALUES (1.0), ('NaN'), ('Infinity'), (2.0)) t(v)
 WHERE v > '-Infinity' AND v < 'Infinity';
-- bad parameters and arguments
SELECT pct_agg(v, 0) FROM (VALUES (1.0)) t(v);
SELECT pct_agg(v, 0.01, 2) FROM (VALUES (1.0)) t(v);
SELECT pct_agg(v, CASE WHEN v > 1 THEN 0.02 ELSE 0.01 END) FROM (VALUES (1.0), (2.0)) t(v);
SELECT percentile(pct_agg(v), 1.5) FROM (VALUES (1.0)) t(v);
SELECT percentile_rank(pct_agg(v), 'NaN') FROM (VALUES (1.0)) t(v);

DROP TABLE pct_lognormal, pct_pareto, pct_mixed, pct_zeros, pct_wide, pct_parts, pct_halves, pct_sketches2, pct_sketches;
