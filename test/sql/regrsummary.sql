-- regrsummary: the type (text and binary I/O, validation, combine) and the
-- accessors on small inputs whose answers are known: the built-in regr_*
-- aggregates over the same rows are the reference.

-- Relative closeness for comparisons against the built-ins (NULL = NULL,
-- and NaN = NaN, Inf = Inf as PostgreSQL's float equality has it).
CREATE FUNCTION regr_test_close(a float8, b float8, tol float8 DEFAULT 1e-13)
RETURNS bool LANGUAGE sql IMMUTABLE AS $$
	SELECT (a IS NULL AND b IS NULL) OR a = b
		OR abs(a - b) <= tol * greatest(abs(a), abs(b))
$$;

-- Text form, and a table column.
SELECT regr_agg(y, x) FROM (VALUES (1, 2), (3, 5), (4, 4), (7, 9)) v(y, x);
CREATE TABLE regr_t (id int, s regrsummary);
INSERT INTO regr_t
	SELECT 1, regr_agg(y, x) FROM (VALUES (1, 2), (3, 5), (4, 4), (7, 9)) v(y, x);
INSERT INTO regr_t VALUES (2, '(n:2,sx:3,sxx:0.5,sy:4,syy:2,sxy:1)');
INSERT INTO regr_t VALUES (3, ' ( n:0 , sx:0,sxx:0,sy:0,syy:0,sxy:0 ) ');
SELECT id, s, num_vals(s) FROM regr_t ORDER BY id;

-- Text round trip is exact (shortest exact doubles, whatever
-- extra_float_digits says), including awkward values.
CREATE TABLE regr_rt AS
	SELECT regr_agg(sin(i) * 1e-300 + 1e-310, 1.0 / i) AS s
	  FROM generate_series(1, 7) i
	UNION ALL
	SELECT regr_agg(pi() * i, exp(i::float8 / 3)) FROM generate_series(1, 100) i
	UNION ALL
	SELECT regr_agg(y, x) FROM (VALUES ('NaN'::float8, 1::float8), (2, 'Infinity')) v(y, x)
	UNION ALL
	SELECT regr_agg(y, x) FROM (VALUES (1::float8, '-Infinity'::float8)) v(y, x);
SET extra_float_digits = -10;
SELECT count(*) AS rows,
	   bool_and(s::text::regrsummary::text = s::text) AS text_exact,
	   bool_and(slope(s::text::regrsummary) IS NOT DISTINCT FROM slope(s)
				AND corr(s::text::regrsummary) IS NOT DISTINCT FROM corr(s)) AS values_exact
  FROM regr_rt;
RESET extra_float_digits;
SELECT s FROM regr_rt WHERE num_vals(s) <= 2;

-- Binary round trip: send, and recv through COPY BINARY (the file lives in
-- the data directory for a moment; the test runs as superuser).
SELECT count(*) AS sendable FROM regr_rt
 WHERE length(streamstat_regrsummary_send(s)) = 49;
COPY regr_rt TO PROGRAM 'cat > regr_test_copy.bin' (FORMAT binary);
CREATE TABLE regr_bin (s regrsummary);
COPY regr_bin FROM PROGRAM 'cat regr_test_copy.bin && rm regr_test_copy.bin' (FORMAT binary);
SELECT count(*) AS rows, bool_and(b.s::text = r.s::text) AS binary_exact
  FROM (SELECT s, row_number() OVER () AS k FROM regr_bin) b
  JOIN (SELECT s, row_number() OVER () AS k FROM regr_rt) r USING (k);


-- Malformed and inconsistent input is refused.
SELECT '(n:2,sx:3,sxx:0.5,sy:4,syy:2)'::regrsummary;
SELECT '(n:2,sx:3,sxx:0.5,sy:4,syy:2,sxy:1'::regrsummary;
SELECT '(n:2,sx:3,sxx:0.5,sy:4,syy:2,sxy:1) x'::regrsummary;
SELECT '(n:two,sx:3,sxx:0.5,sy:4,syy:2,sxy:1)'::regrsummary;
SELECT '(n:2,sx:3,sxx:-0.5,sy:4,syy:2,sxy:1)'::regrsummary;
SELECT '(n:-1,sx:0,sxx:0,sy:0,syy:0,sxy:0)'::regrsummary;
SELECT '(n:0,sx:1,sxx:0,sy:0,syy:0,sxy:0)'::regrsummary;
SELECT '(n:1,sx:1,sxx:2,sy:0,syy:0,sxy:0)'::regrsummary;
SELECT '(n:2,sx:Infinity,sxx:1,sy:0,syy:0,sxy:0)'::regrsummary;

-- Empty input: an empty summary, like regr_count = 0; the rest is NULL.
SELECT num_vals(s), slope(s), intercept(s), r2(s), corr(s), covariance(s),
	   covariance(s, 'population'), mean_x(s), stddev_x(s), slope_stderr(s)
  FROM (SELECT regr_agg(y, x) AS s FROM (VALUES (1::float8, 1::float8)) v(y, x)
		WHERE false) q;
SELECT regr_count(y, x) FROM (VALUES (1::float8, 1::float8)) v(y, x) WHERE false;
-- Rows with a NULL y or x are skipped, as by the built-ins.
SELECT num_vals(regr_agg(y, x)), regr_count(y, x)
  FROM (VALUES (1::float8, NULL::float8), (NULL, 2), (NULL, NULL)) v(y, x);

-- N = 1, N = 2 and vertical/horizontal lines, accessor by accessor
-- against the built-ins.
CREATE TABLE regr_small (g text, y float8, x float8);
INSERT INTO regr_small VALUES
	('n1', 3, 4),
	('n2', 1, 2), ('n2', 5, 4),
	('vertical', 1, 7), ('vertical', 2, 7), ('vertical', 5, 7),
	('horizontal', 2, 1), ('horizontal', 2, 3), ('horizontal', 2, 8),
	('line', 1, 0), ('line', 3, 1), ('line', 5, 2), ('line', 7, 3),
	('nan_y', 'NaN', 1), ('nan_y', 2, 2), ('nan_y', 4, 3),
	('nan_x', 1, 'NaN'), ('nan_x', 2, 2),
	('inf_x', 1, 'Infinity'), ('inf_x', 2, 2), ('inf_x', 3, 5),
	('inf_first', 1, 2), ('inf_first', 'Infinity', 2),
	('pinf_ninf', 1, 'Infinity'), ('pinf_ninf', 2, '-Infinity'),
	('ninf_y', '-Infinity', 1), ('ninf_y', '-Infinity', 2), ('ninf_y', 5, 3),
	('inf_only', 'Infinity', 'Infinity');
SELECT g, num_vals(s) = regr_count AS n,
	   regr_test_close(slope(s), regr_slope) AS slope,
	   regr_test_close(intercept(s), regr_intercept) AS intercept,
	   regr_test_close(r2(s), regr_r2) AS r2,
	   regr_test_close(corr(s), corr) AS corr,
	   regr_test_close(covariance(s), covar_samp) AS cov_samp,
	   regr_test_close(covariance(s, 'population'), covar_pop) AS cov_pop,
	   regr_test_close(mean_x(s), regr_avgx) AS mean_x,
	   regr_test_close(mean_y(s), regr_avgy) AS mean_y,
	   regr_test_close(stddev_x(s) ^ 2, regr_sxx / nullif(regr_count - 1, 0)) AS sd_x,
	   regr_test_close(stddev_y(s, 'population') ^ 2, regr_syy / nullif(regr_count, 0)) AS sd_y,
	   slope(s) AS slope_value, r2(s) AS r2_value
  FROM (SELECT g, regr_agg(y, x) AS s, regr_count(y, x), regr_slope(y, x),
			   regr_intercept(y, x), regr_r2(y, x), corr(y, x), covar_samp(y, x),
			   covar_pop(y, x), regr_avgx(y, x), regr_avgy(y, x), regr_sxx(y, x),
			   regr_syy(y, x)
		  FROM regr_small GROUP BY g) q
 ORDER BY g;

-- predict, x_intercept on the exact line y = 2x + 1.
SELECT slope(s), intercept(s), x_intercept(s), predict(s, 10), predict(s, -0.5)
  FROM (SELECT regr_agg(y, x) AS s FROM regr_small WHERE g = 'line') q;
-- undefined for a vertical line, and x_intercept for a horizontal one
SELECT g, predict(s, 1), x_intercept(s)
  FROM (SELECT g, regr_agg(y, x) AS s FROM regr_small
		 WHERE g IN ('vertical', 'horizontal') GROUP BY g) q
 ORDER BY g;

-- corr(regrsummary) resolves next to the built-in corr(float8, float8).
SELECT corr(regr_agg(y, x)) = corr(y, x) AS same FROM regr_small WHERE g = 'line';

-- method: sample (default) or population; anything else is an error.
SELECT covariance(s, 'Sample') = covariance(s) AS sample_default,
	   stddev_y(s, 'POPULATION') < stddev_y(s) AS population_smaller
  FROM (SELECT regr_agg(y, x) AS s FROM regr_small WHERE g = 'line') q;
SELECT covariance(s, 'pop') FROM regr_t WHERE id = 1;
SELECT stddev_x(s, '') FROM regr_t WHERE id = 1;

-- Overflow only when finite inputs give an infinite result, as built in.
SELECT slope(regr_agg(y, x)) FROM (VALUES (1e308, 1::float8), (-1e308, 2)) v(y, x);
SELECT regr_slope(y, x) FROM (VALUES (1e308, 1::float8), (-1e308, 2)) v(y, x);
SELECT num_vals(regr_agg(y, x)) FROM (VALUES (1e308, 1::float8), (1e308, 2)) v(y, x);
SELECT regr_avgy(y, x) FROM (VALUES (1e308, 1::float8), (1e308, 2)) v(y, x);
-- ... but Inf from Inf is no error
SELECT mean_y(regr_agg(y, x)), regr_avgy(y, x)
  FROM (VALUES (1e308, 1::float8), ('Infinity', 2)) v(y, x);

-- The + operator and combine(): the summary of both sides.
SELECT regr_test_close(slope(a + b), slope(u)) AS slope,
	   regr_test_close(corr(a + b), corr(u)) AS corr,
	   num_vals(a + b) = num_vals(u) AS n,
	   (a + b)::text = combine(a, b)::text AS same_function,
	   (a + b)::text = (b + a)::text AS commutes,
	   (a + '(n:0,sx:0,sxx:0,sy:0,syy:0,sxy:0)')::text = a::text AS empty_identity
  FROM (SELECT regr_agg(y, x) FILTER (WHERE x < 20) AS a,
			   regr_agg(y, x) FILTER (WHERE x >= 20) AS b,
			   regr_agg(y, x) AS u
		  FROM (SELECT sin(i) AS y, i::float8 AS x FROM generate_series(1, 50) i) d) q;

DROP TABLE regr_t, regr_rt, regr_bin, regr_small;
DROP FUNCTION regr_test_close(float8, float8, float8);
