-- Sliding windows: regr_agg and rollup in moving-aggregate mode (rows also
-- leave the state) must give, row by row, what a from-scratch computation of
-- the same frame gives: the built-in regr_* window aggregates (which
-- recompute every frame) or a plain regr_agg over the frame's rows.

CREATE FUNCTION regr_test_close(a float8, b float8, tol float8 DEFAULT 1e-9)
RETURNS bool LANGUAGE sql IMMUTABLE AS $$
	SELECT (a IS NULL AND b IS NULL) OR a = b
		OR abs(a - b) <= tol * greatest(abs(a), abs(b))
$$;

SELECT setseed(0.5);
CREATE TABLE regr_w (g text, i int, y float8, x float8);
-- ill conditioned: x is epoch seconds (about 1.7e9) with unit jitter
INSERT INTO regr_w
	SELECT 'epoch', i, 0.01 * i + random(), 1.7e9 + 10 * i + random()
	  FROM generate_series(1, 400) i;
-- a 1e15 spike in y passes through the window
INSERT INTO regr_w
	SELECT 'spike_y', i, CASE WHEN i = 100 THEN 1e15 ELSE random() + 0.01 * i END, i
	  FROM generate_series(1, 400) i;
-- ... and in x
INSERT INTO regr_w
	SELECT 'spike_x', i, random() + 0.01 * i, CASE WHEN i = 120 THEN -1e15 ELSE i + random() END
	  FROM generate_series(1, 400) i;
-- alternating signs of large magnitude
INSERT INTO regr_w
	SELECT 'alternating', i, (-1) ^ i * 1e8 * (1 + random()), (-1) ^ (i / 2) * 1e5 * random()
	  FROM generate_series(1, 400) i;
-- NaN, +Inf, -Inf and NULL entering and leaving, in y and in x
INSERT INTO regr_w
	SELECT 'nonfinite', i,
		   CASE WHEN i IN (50, 51) THEN 'NaN'::float8 WHEN i = 120 THEN 'Infinity'
				WHEN i = 125 THEN '-Infinity' WHEN i = 200 THEN 'Infinity'
				WHEN i = 260 THEN NULL ELSE sin(i) END,
		   CASE WHEN i = 300 THEN 'NaN'::float8 WHEN i = 340 THEN '-Infinity'
				WHEN i = 345 THEN '-Infinity' WHEN i = 360 THEN NULL
				ELSE i * 1.5 + cos(3 * i) END
	  FROM generate_series(1, 400) i;
-- runs of constant x and of constant y (exact zero spread must stay zero)
INSERT INTO regr_w
	SELECT 'constant', i,
		   CASE WHEN i BETWEEN 150 AND 300 THEN 4 ELSE random() END,
		   CASE WHEN i BETWEEN 50 AND 120 THEN 7 ELSE i + random() END
	  FROM generate_series(1, 400) i;

-- Against the built-in window aggregates, 1e-9 relative, every row, for
-- frames of 25 rows and of 1000 rows (the latter never slides here).  Not
-- for 'epoch' and 'spike_y': there the built-in's own float8 Youngs-Cramer
-- sums are off by more than 1e-9 in some frames (a 1e15 spike centered in
-- the frame cancels Sxy down to about 9, which regr_slope misses by 3%), so
-- those are checked against exact numeric arithmetic below.
SELECT g, frame, count(*) AS rows,
	   count(*) FILTER (WHERE NOT regr_test_close(slope(s), b_slope)) AS slope_bad,
	   count(*) FILTER (WHERE NOT regr_test_close(intercept(s), b_intercept)) AS intercept_bad,
	   count(*) FILTER (WHERE NOT regr_test_close(r2(s), b_r2)) AS r2_bad,
	   count(*) FILTER (WHERE NOT regr_test_close(corr(s), b_corr)) AS corr_bad,
	   count(*) FILTER (WHERE NOT regr_test_close(covariance(s), b_covar)) AS covar_bad,
	   count(*) FILTER (WHERE NOT regr_test_close(mean_x(s), b_avgx)) AS avgx_bad,
	   count(*) FILTER (WHERE NOT regr_test_close(mean_y(s), b_avgy)) AS avgy_bad,
	   count(*) FILTER (WHERE num_vals(s) <> b_count) AS count_bad,
	   count(*) FILTER (WHERE slope(s) IS NULL) AS null_slopes,
	   count(*) FILTER (WHERE slope(s) = 'NaN') AS nan_slopes
  FROM (SELECT g, 25 AS frame, regr_agg(y, x) OVER w AS s,
			   regr_slope(y, x) OVER w AS b_slope, regr_intercept(y, x) OVER w AS b_intercept,
			   regr_r2(y, x) OVER w AS b_r2, corr(y, x) OVER w AS b_corr,
			   covar_samp(y, x) OVER w AS b_covar, regr_avgx(y, x) OVER w AS b_avgx,
			   regr_avgy(y, x) OVER w AS b_avgy, regr_count(y, x) OVER w AS b_count
		  FROM regr_w WINDOW w AS (PARTITION BY g ORDER BY i ROWS 24 PRECEDING)
		UNION ALL
		SELECT g, 1000, regr_agg(y, x) OVER w,
			   regr_slope(y, x) OVER w, regr_intercept(y, x) OVER w,
			   regr_r2(y, x) OVER w, corr(y, x) OVER w,
			   covar_samp(y, x) OVER w, regr_avgx(y, x) OVER w,
			   regr_avgy(y, x) OVER w, regr_count(y, x) OVER w
		  FROM regr_w WINDOW w AS (PARTITION BY g ORDER BY i ROWS 999 PRECEDING)) q
 WHERE g NOT IN ('epoch', 'spike_y')
 GROUP BY g, frame
 ORDER BY g, frame;

-- Against exact numeric arithmetic on every frame of the finite data sets.
-- x - xoff is exact in float8 (Sterbenz), so the 15-digit float8 -> numeric
-- conversion loses nothing that matters.
CREATE FUNCTION regr_test_exact(grp text, lo int, hi int, xoff float8,
								OUT slope float8, OUT intercept float8, OUT r2 float8)
LANGUAGE sql STABLE AS $$
	WITH d AS (SELECT (x - xoff)::numeric AS x, y::numeric AS y FROM regr_w
				WHERE g = grp AND i BETWEEN lo AND hi),
		 m AS (SELECT avg(x) AS mx, avg(y) AS my FROM d),
		 s AS (SELECT sum((x - mx) ^ 2) AS sxx, sum((y - my) ^ 2) AS syy,
					  sum((x - mx) * (y - my)) AS sxy, mx, my
				 FROM d, m GROUP BY mx, my)
	SELECT (sxy / nullif(sxx, 0))::float8,
		   (my - sxy / nullif(sxx, 0) * (mx + xoff::numeric))::float8,
		   CASE WHEN sxx = 0 THEN NULL WHEN syy = 0 THEN 1
				ELSE (sxy * sxy / (sxx * syy))::float8 END
	  FROM s
$$;
SELECT g, count(*) AS rows,
	   count(*) FILTER (WHERE NOT regr_test_close(slope(s), e.slope)) AS slope_bad,
	   count(*) FILTER (WHERE NOT regr_test_close(intercept(s), e.intercept)) AS intercept_bad,
	   count(*) FILTER (WHERE NOT regr_test_close(r2(s), e.r2)) AS r2_bad
  FROM (SELECT g, i, regr_agg(y, x) OVER (PARTITION BY g ORDER BY i ROWS 24 PRECEDING) AS s
		  FROM regr_w WHERE g <> 'nonfinite') a
  CROSS JOIN LATERAL regr_test_exact(g, i - 24, i, CASE WHEN g = 'epoch' THEN 1.7e9 ELSE 0 END) e
 GROUP BY g
 ORDER BY g;

-- Against a from-scratch regr_agg of each frame: every accessor, including
-- the inference ones; the spike in x leaves the frame and the state is
-- recomputed rather than left with its rounding error.
SELECT g, count(*) AS rows,
	   bool_and(num_vals(m) = num_vals(f)) AS n,
	   bool_and(regr_test_close(slope(m), slope(f))) AS slope,
	   bool_and(regr_test_close(intercept(m), intercept(f))) AS intercept,
	   bool_and(regr_test_close(stddev_y(m), stddev_y(f))) AS stddev_y,
	   bool_and(regr_test_close(stddev_x(m), stddev_x(f))) AS stddev_x,
	   bool_and(regr_test_close(slope_stderr(m), slope_stderr(f))) AS slope_stderr,
	   bool_and(regr_test_close(slope_pvalue(m), slope_pvalue(f))) AS slope_pvalue
  FROM (SELECT g, i, regr_agg(y, x) OVER (PARTITION BY g ORDER BY i ROWS 49 PRECEDING) AS m
		  FROM regr_w WHERE g IN ('spike_x', 'alternating', 'nonfinite', 'constant')) a
  CROSS JOIN LATERAL (SELECT regr_agg(y, x) AS f FROM regr_w b
					   WHERE b.g = a.g AND b.i BETWEEN a.i - 49 AND a.i) r
 GROUP BY g
 ORDER BY g;

-- Frames that are empty at first, and frames that end before the current row.
SELECT i, num_vals(s), regr_count, slope(s) IS NULL AS slope_null,
	   regr_test_close(slope(s), regr_slope, 1e-12) AS slope_same
  FROM (SELECT i, regr_agg(y, x) OVER w AS s, regr_count(y, x) OVER w,
			   regr_slope(y, x) OVER w
		  FROM regr_w WHERE g = 'constant' AND i <= 5
		WINDOW w AS (ORDER BY i ROWS BETWEEN 3 PRECEDING AND 2 PRECEDING)) q
 ORDER BY i;

-- Time as x, with a RANGE frame over time: slope per second against the
-- built-in on epoch seconds.
CREATE TABLE regr_wts AS
	SELECT timestamptz '2024-03-01 00:00:00+00' + i * interval '13 seconds'
			   + (i % 7) * interval '1 second' AS t,
		   20 + i * 0.002 + sin(i) AS v
	  FROM generate_series(1, 500) i;
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE NOT regr_test_close(slope(s), b_slope)) AS slope_bad,
	   count(*) FILTER (WHERE NOT regr_test_close(predict(s, t), b_pred)) AS predict_bad
  FROM (SELECT t, regr_agg(v, t) OVER w AS s,
			   regr_slope(v, extract(epoch FROM t)::float8) OVER w AS b_slope,
			   regr_intercept(v, extract(epoch FROM t)::float8) OVER w
				   + regr_slope(v, extract(epoch FROM t)::float8) OVER w
				   * extract(epoch FROM t)::float8 AS b_pred
		  FROM regr_wts
		WINDOW w AS (ORDER BY t RANGE BETWEEN interval '10 minutes' PRECEDING AND CURRENT ROW)) q;

-- rollup(regrsummary) OVER a sliding frame of per-bucket summaries equals
-- regr_agg over the rows those buckets cover (not for 'epoch' and
-- 'spike_y', where float8 Youngs-Cramer, pairwise or sequential, is itself
-- only good to about 1e-9 or worse; see above).
CREATE TABLE regr_wb AS
	SELECT g, i / 10 AS bucket, regr_agg(y, x) AS s FROM regr_w GROUP BY g, i / 10;
SELECT g, count(*) AS buckets,
	   bool_and(num_vals(m) = num_vals(f)) AS n,
	   bool_and(regr_test_close(slope(m), slope(f))) AS slope,
	   bool_and(regr_test_close(mean_y(m), mean_y(f))) AS mean_y,
	   bool_and(regr_test_close(r2(m), r2(f))) AS r2
  FROM (SELECT g, bucket, rollup(s) OVER (PARTITION BY g ORDER BY bucket ROWS 4 PRECEDING) AS m
		  FROM regr_wb WHERE g NOT IN ('epoch', 'spike_y')) a
  CROSS JOIN LATERAL (SELECT regr_agg(y, x) AS f FROM regr_w b
					   WHERE b.g = a.g AND b.i / 10 BETWEEN a.bucket - 4 AND a.bucket) r
 GROUP BY g
 ORDER BY g;

-- Accuracy beyond the built-in: x = 1e9 + U(0,1) is so ill-conditioned that
-- regr_slope itself (Youngs-Cramer in float8) is off by up to about 1e-5;
-- the double-double moving state matches exact numeric arithmetic.
CREATE TABLE regr_wo AS
	SELECT i, 1e9 + random() AS x, random() + 1e-3 * i AS y FROM generate_series(1, 200) i;
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE NOT regr_test_close(slope(s), exact, 1e-12)) AS moving_bad
  FROM (SELECT i, regr_agg(y, x) OVER (ORDER BY i ROWS 59 PRECEDING) AS s FROM regr_wo) a
  CROSS JOIN LATERAL (
	SELECT (sum((xn - mx) * (yn - my)) / sum((xn - mx) ^ 2))::float8 AS exact
	  FROM (SELECT (x - 1e9)::numeric AS xn, y::numeric AS yn FROM regr_wo b
			 WHERE b.i BETWEEN a.i - 59 AND a.i) d,
		   (SELECT avg((x - 1e9)::numeric) AS mx, avg(y::numeric) AS my FROM regr_wo b
			 WHERE b.i BETWEEN a.i - 59 AND a.i) m) e
 WHERE a.i > 1;

-- Overflow in a sliding frame is an error when finite inputs overflow, as
-- for the built-ins; infinite inputs give Inf/NaN results instead.
SELECT i, slope(regr_agg(y, x) OVER w)
  FROM (VALUES (1, 1e200::float8, 1::float8), (2, -1e200, 2), (3, 1, 3)) v(i, y, x)
WINDOW w AS (ORDER BY i ROWS 1 PRECEDING);
SELECT i, regr_slope(y, x) OVER w
  FROM (VALUES (1, 1e200::float8, 1::float8), (2, -1e200, 2), (3, 1, 3)) v(i, y, x)
WINDOW w AS (ORDER BY i ROWS 1 PRECEDING);
SELECT i, mean_y(s), stddev_y(s), slope(s)
  FROM (SELECT i, regr_agg(y, x) OVER (ORDER BY i ROWS 1 PRECEDING) AS s
		  FROM (VALUES (1, 'Infinity'::float8, 1::float8), (2, 1, 2), (3, 1, 3)) v(i, y, x)) q
 ORDER BY i;

DROP TABLE regr_w, regr_wts, regr_wb, regr_wo;
DROP FUNCTION regr_test_exact(text, int, int, float8);
DROP FUNCTION regr_test_close(float8, float8, float8);
