-- Inference on the slope: the Student t distribution (CDF through the
-- incomplete beta function, and its quantile) against closed forms, and
-- slope_stderr, intercept_stderr, slope_pvalue, slope_ci against the
-- textbook formulas recomputed in SQL from the raw rows.

CREATE FUNCTION regr_test_close(a float8, b float8, tol float8 DEFAULT 1e-10)
RETURNS bool LANGUAGE sql IMMUTABLE AS $$
	SELECT (a IS NULL AND b IS NULL) OR a = b
		OR abs(a - b) <= tol * greatest(abs(a), abs(b))
$$;

-- Two-sided P(|T| >= |t|) for integer nu, by the finite trigonometric
-- series (Abramowitz and Stegun 26.7.3/26.7.4): with theta = atan(|t|/sqrt(nu)),
-- odd nu:  A = 2/pi (theta + sin cos (1 + 2/3 cos^2 + 2*4/(3*5) cos^4 + ...))
-- even nu: A = sin (1 + 1/2 cos^2 + 1*3/(2*4) cos^4 + ...)
-- and p = 1 - A.  (Its absolute accuracy is about 1e-16, so it resolves
-- p-values down to about 1e-6 to 1e-10 relative.)
CREATE FUNCTION regr_test_t_p(t float8, nu int) RETURNS float8
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	theta float8 := atan(abs(t) / sqrt(nu));
	c2 float8 := cos(theta) ^ 2;
	total float8 := 1;
	term float8 := 1;
BEGIN
	IF nu % 2 = 1 THEN
		IF nu = 1 THEN
			RETURN 1 - 2 / pi() * theta;
		END IF;
		FOR k IN 1 .. (nu - 3) / 2 LOOP
			term := term * (2 * k) / (2 * k + 1) * c2;
			total := total + term;
		END LOOP;
		RETURN 1 - 2 / pi() * (theta + sin(theta) * cos(theta) * total);
	END IF;
	FOR k IN 1 .. (nu - 2) / 2 LOOP
		term := term * (2 * k - 1) / (2 * k) * c2;
		total := total + term;
	END LOOP;
	RETURN 1 - sin(theta) * total;
END
$$;

-- The CDF, as lower tail 2 P(T <= -|t|), against the series for
-- nu = 1 .. 9, 12, 30 at t from 0.05 to 8: to 1e-10 relative (plus 1e-15
-- absolute where the reference itself runs out of digits).
SELECT nu, count(*) AS points,
	   bool_and(abs(2 * streamstat_t_cdf(-t, nu) - regr_test_t_p(t, nu))
				<= 1e-10 * regr_test_t_p(t, nu) + 1e-15) AS cdf_ok,
	   bool_and(regr_test_close(streamstat_t_cdf(t, nu) + streamstat_t_cdf(-t, nu), 1, 1e-15))
		   AS symmetric
  FROM unnest(ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 30]) nu,
	   unnest(ARRAY[0.05, 0.3, 0.7, 1, 1.5, 2, 2.5, 3, 4, 5, 8]::float8[]) t
 GROUP BY nu
 ORDER BY nu;
-- far tails, against numerically stable forms of the nu = 1 and nu = 2 cases
SELECT t,
	   regr_test_close(2 * streamstat_t_cdf(-t, 1), 2 / pi() * atan(1 / t), 1e-12) AS nu1,
	   regr_test_close(2 * streamstat_t_cdf(-t, 2),
					   2 / (sqrt(t * t + 2) * (sqrt(t * t + 2) + t)), 1e-12) AS nu2
  FROM unnest(ARRAY[10, 1e3, 1e6, 1e10, 1e100]::float8[]) t;
SELECT 2 * streamstat_t_cdf(-1e300, 1) < 1e-299 AS nu1_huge_t;
SELECT streamstat_t_cdf(0, 7) AS at_zero, streamstat_t_cdf('Infinity', 3) AS at_inf,
	   streamstat_t_cdf('-Infinity', 3) AS at_minus_inf,
	   streamstat_t_cdf('NaN', 3) AS at_nan;

-- The quantile against closed forms: nu = 1: tan(pi (p - 1/2));
-- nu = 2: (2p - 1)/sqrt(2p(1 - p)); nu = 4: with a = 4p(1 - p) and
-- q = cos(acos(sqrt a)/3)/sqrt a, t = sign(p - 1/2) 2 sqrt(q - 1).
SELECT p,
	   regr_test_close(streamstat_t_quantile(p, 1), tan(pi() * (p - 0.5)), 1e-12) AS nu1,
	   regr_test_close(streamstat_t_quantile(p, 2), (2 * p - 1) / sqrt(2 * p * (1 - p)), 1e-12) AS nu2,
	   regr_test_close(streamstat_t_quantile(p, 4),
					   sign(p - 0.5) * 2 * sqrt(cos(acos(sqrt(4 * p * (1 - p))) / 3)
												/ sqrt(4 * p * (1 - p)) - 1), 1e-12) AS nu4,
	   regr_test_close(streamstat_t_cdf(streamstat_t_quantile(p, 17), 17), p, 1e-13) AS round_trip
  FROM unnest(ARRAY[0.001, 0.01, 0.2, 0.6, 0.9, 0.975, 0.995, 0.9999]::float8[]) p;
-- tabled values (16 digits, computed with mpmath)
SELECT regr_test_close(streamstat_t_quantile(0.975, 10), 2.228138851986275, 1e-14) AS t_975_10,
	   regr_test_close(streamstat_t_quantile(0.995, 30), 2.749995653567225, 1e-14) AS t_995_30,
	   regr_test_close(streamstat_t_quantile(0.95, 5), 2.015048373333024, 1e-14) AS t_95_5,
	   regr_test_close(streamstat_t_quantile(0.975, 1), 12.70620473617470, 1e-14) AS t_975_1,
	   streamstat_t_quantile(0.5, 3) AS median;
SELECT streamstat_t_cdf(1, 0);
SELECT streamstat_t_quantile(1, 5);
SELECT streamstat_t_quantile(0.5, -1);

-- Regression inference against the textbook formulas, recomputed from the
-- rows: b = Sxy/Sxx, a = mean y - b mean x, SSE = sum (y - a - b x)^2,
-- s^2 = SSE/(n - 2), se(b) = sqrt(s^2/Sxx),
-- se(a) = sqrt(s^2 (1/n + mean(x)^2/Sxx)), t = b/se(b) on n - 2 df.
SELECT setseed(0.75);
CREATE TABLE regr_inf (g int, y float8, x float8);
-- groups of n = 3 .. 14 rows (1 .. 12 degrees of freedom), weak and strong
-- trends, so that p-values range from about 1e-8 to 0.9
INSERT INTO regr_inf
	SELECT n, (n % 4) * 0.05 * x + random() * 2, x
	  FROM generate_series(3, 14) n,
		   LATERAL (SELECT k + random() AS x FROM generate_series(1, n) k) xs;
CREATE TABLE regr_inf_ref AS
	WITH m AS (SELECT g, count(*) AS n, avg(x) AS mx, avg(y) AS my
				 FROM regr_inf GROUP BY g),
		 f AS (SELECT g, n, mx, my, sum((x - mx) ^ 2) AS sxx,
					  sum((x - mx) * (y - my)) / sum((x - mx) ^ 2) AS b
				 FROM regr_inf JOIN m USING (g)
				GROUP BY g, n, mx, my),
		 r AS (SELECT g, n, mx, sxx, b, my - b * mx AS a,
					  sum((y - (my - b * mx) - b * x) ^ 2) AS sse
				 FROM regr_inf JOIN f USING (g)
				GROUP BY g, n, mx, my, sxx, b)
	SELECT g, n, b, a,
		   sqrt(sse / (n - 2) / sxx) AS se_b,
		   sqrt(sse / (n - 2) * (1.0 / n + mx * mx / sxx)) AS se_a
	  FROM r;
SELECT g - 2 AS df,
	   regr_test_close(slope(s), b, 1e-12) AS slope,
	   regr_test_close(intercept(s), a, 1e-12) AS intercept,
	   regr_test_close(slope_stderr(s), se_b) AS slope_stderr,
	   regr_test_close(intercept_stderr(s), se_a) AS intercept_stderr,
	   abs(slope_pvalue(s) - regr_test_t_p(b / se_b, (n - 2)::int))
		   <= 1e-10 * regr_test_t_p(b / se_b, (n - 2)::int) + 1e-15 AS slope_pvalue,
	   slope_pvalue(s) < 0.05 AS significant
  FROM (SELECT g, regr_agg(y, x) AS s FROM regr_inf GROUP BY g) q
  JOIN regr_inf_ref USING (g)
 ORDER BY g;
-- confidence intervals: slope -+ t quantile * se, with the quantile from the
-- closed forms (df = 1, 2, 4) and the table (df = 10)
SELECT g - 2 AS df, level,
	   regr_test_close((slope_ci(s, level)).lower, b - tq * se_b) AS lower,
	   regr_test_close((slope_ci(s, level)).upper, b + tq * se_b) AS upper
  FROM (SELECT g, regr_agg(y, x) AS s FROM regr_inf GROUP BY g) q
  JOIN regr_inf_ref USING (g)
  JOIN (VALUES (3, 0.95, tan(pi() * 0.475)),
			   (3, 0.5, tan(pi() * 0.25)),
			   (4, 0.9, 0.9 / sqrt(2 * 0.95 * 0.05)),
			   (6, 0.95, 2 * sqrt(cos(acos(sqrt(4 * 0.975 * 0.025)) / 3)
								  / sqrt(4 * 0.975 * 0.025) - 1)),
			   (12, 0.95, 2.228138851986275)) t(g, level, tq) USING (g)
 ORDER BY g, level;
-- the default level is 0.95, and the record can be expanded
SELECT (slope_ci(s)).lower = (slope_ci(s, 0.95)).lower AS default_level,
	   ci.lower < slope(s) AND slope(s) < ci.upper AS contains_slope
  FROM (SELECT regr_agg(y, x) AS s FROM regr_inf WHERE g = 12) q,
	   LATERAL slope_ci(s) ci;

-- Undefined cases are NULL: fewer than 3 rows, a vertical line; a flat
-- perfect fit has no t statistic (0/0); a sloped perfect fit is certain.
SELECT g, slope_stderr(s), intercept_stderr(s), slope_pvalue(s),
	   (slope_ci(s)).lower, (slope_ci(s)).upper
  FROM (SELECT g, regr_agg(y, x) AS s
		  FROM (VALUES ('n2', 1, 1), ('n2', 2, 3),
					   ('vertical', 1, 5), ('vertical', 2, 5), ('vertical', 4, 5),
					   ('flat', 3, 1), ('flat', 3, 2), ('flat', 3, 4),
					   ('perfect', 1, 0), ('perfect', 3, 1), ('perfect', 5, 2), ('perfect', 7, 3))
			   d(g, y, x)
		 GROUP BY g) q
 ORDER BY g;
-- NaN in, NaN out
SELECT slope_stderr(s), slope_pvalue(s)
  FROM (SELECT regr_agg(y, x) AS s
		  FROM (VALUES (1, 1), (2, 2), ('NaN'::float8, 3)) d(y, x)) q;

-- Levels outside (0, 1) are errors; a NULL level gives NULL.
SELECT slope_ci(s, 1) FROM (SELECT regr_agg(y, x) AS s FROM regr_inf WHERE g = 5) q;
SELECT slope_ci(s, 0) FROM (SELECT regr_agg(y, x) AS s FROM regr_inf WHERE g = 5) q;
SELECT slope_ci(s, 'NaN') FROM (SELECT regr_agg(y, x) AS s FROM regr_inf WHERE g = 5) q;
SELECT slope_ci(s, -0.95) FROM (SELECT regr_agg(y, x) AS s FROM regr_inf WHERE g = 5) q;
SELECT slope_ci(s, NULL) IS NULL AS null_level
  FROM (SELECT regr_agg(y, x) AS s FROM regr_inf WHERE g = 5) q;

-- Many degrees of freedom: close to the normal distribution.
SELECT regr_test_close(2 * streamstat_t_cdf(-1.959963984540054, 1e7), 0.05, 1e-6) AS near_normal,
	   regr_test_close(streamstat_t_quantile(0.975, 1e7), 1.959963984540054, 1e-6) AS quantile_near_normal;

DROP TABLE regr_inf, regr_inf_ref;
DROP FUNCTION regr_test_t_p(float8, int);
DROP FUNCTION regr_test_close(float8, float8, float8);
