-- regr_agg and rollup against the built-in regression aggregates: well- and
-- ill-conditioned data, time as x, rollup of stored summaries, and parallel
-- plans (partial aggregates combined through serialize/deserialize).

CREATE FUNCTION regr_test_close(a float8, b float8, tol float8 DEFAULT 1e-13)
RETURNS bool LANGUAGE sql IMMUTABLE AS $$
	SELECT (a IS NULL AND b IS NULL) OR a = b
		OR abs(a - b) <= tol * greatest(abs(a), abs(b))
$$;

SELECT setseed(0.25);
CREATE TABLE regr_data (g text, i int, y float8, x float8);
-- well conditioned
INSERT INTO regr_data
	SELECT 'plain', i, 3 * x - 7 + (random() - 0.5) * 4, x
	  FROM (SELECT i, random() * 100 AS x FROM generate_series(1, 1000) i) s;
-- ill conditioned: x near 1e9 (epoch seconds) with unit noise
INSERT INTO regr_data
	SELECT 'epoch', i, 0.001 * i + random(), 1e9 + i + random()
	  FROM generate_series(1, 1000) i;
-- both near 1e9 with tiny spread
INSERT INTO regr_data
	SELECT 'offset', i, 1e9 + 2 * random() + i * 1e-3, 1e9 + random()
	  FROM generate_series(1, 500) i;
-- alternating signs and wide magnitudes
INSERT INTO regr_data
	SELECT 'alternating', i, (-1) ^ i * 1e6 * random() + i, (-1) ^ (i / 3) * i * 1e-3
	  FROM generate_series(1, 800) i;
-- a 1e15 spike in y
INSERT INTO regr_data
	SELECT 'spike', i, CASE WHEN i = 77 THEN 1e15 ELSE random() END, i
	  FROM generate_series(1, 300) i;
-- no correlation at all, and negative slope
INSERT INTO regr_data
	SELECT 'negative', i, -1e-3 * i + 1e-6 * random(), i * 1e-3
	  FROM generate_series(1, 400) i;

SELECT g,
	   num_vals(s) = regr_count AS n,
	   regr_test_close(slope(s), regr_slope) AS slope,
	   regr_test_close(intercept(s), regr_intercept) AS intercept,
	   regr_test_close(r2(s), regr_r2) AS r2,
	   regr_test_close(corr(s), corr) AS corr,
	   regr_test_close(covariance(s), covar_samp) AS covar_samp,
	   regr_test_close(covariance(s, 'population'), covar_pop) AS covar_pop,
	   regr_test_close(mean_x(s), regr_avgx) AS avgx,
	   regr_test_close(mean_y(s), regr_avgy) AS avgy,
	   regr_test_close(stddev_x(s), stddev_samp) AS stddev_x,
	   regr_test_close(stddev_y(s, 'population'), stddev_pop) AS stddev_y
  FROM (SELECT g, regr_agg(y, x) AS s, regr_count(y, x), regr_slope(y, x),
			   regr_intercept(y, x), regr_r2(y, x), corr(y, x), covar_samp(y, x),
			   covar_pop(y, x), regr_avgx(y, x), regr_avgy(y, x),
			   stddev_samp(x), stddev_pop(y)
		  FROM regr_data GROUP BY g) q
 ORDER BY g;

-- x_intercept and predict against the built-in line (x_intercept is
-- -intercept/slope, as one would compute it from the built-ins)
SELECT g,
	   regr_test_close(x_intercept(s), -regr_intercept / regr_slope, 1e-12) AS x_intercept,
	   regr_test_close(predict(s, regr_avgx + 1), regr_intercept + regr_slope * (regr_avgx + 1), 1e-12)
		   AS predict
  FROM (SELECT g, regr_agg(y, x) AS s, regr_intercept(y, x), regr_slope(y, x), regr_avgx(y, x)
		  FROM regr_data WHERE g IN ('plain', 'negative') GROUP BY g) q
 ORDER BY g;

-- Time as x: seconds since the Unix epoch, so slopes are per second.
CREATE TABLE regr_ts AS
	SELECT 'sensor' || (i % 3) AS sensor,
		   timestamptz '2024-03-01 00:00:00+00' + i * interval '7.5 seconds' AS t,
		   20 + (i % 3) + i * 0.001 + sin(i) AS v
	  FROM generate_series(1, 2000) i;
SELECT sensor,
	   regr_test_close(slope(s), regr_slope) AS slope,
	   regr_test_close(intercept(s), regr_intercept) AS intercept,
	   regr_test_close(mean_x(s), avg_epoch) AS mean_x,
	   regr_test_close(predict(s, timestamptz '2024-03-02 00:00:00+00'),
					   predict(s, extract(epoch FROM timestamptz '2024-03-02 00:00:00+00')::float8))
		   AS predict_ts,
	   round((slope(s) * 3600)::numeric, 2) AS per_hour
  FROM (SELECT sensor, regr_agg(v, t) AS s,
			   regr_slope(v, extract(epoch FROM t)::float8),
			   regr_intercept(v, extract(epoch FROM t)::float8),
			   avg(extract(epoch FROM t))::float8 AS avg_epoch
		  FROM regr_ts GROUP BY sensor) q
 ORDER BY sensor;
-- infinite timestamps are infinite x
SELECT s FROM (SELECT regr_agg(v, t) AS s
				 FROM (VALUES (1::float8, timestamptz 'infinity'),
							  (2, '-infinity')) d(v, t)) q;

-- rollup of stored per-bucket summaries equals regr_agg over all rows, to
-- rounding: 1e-12, or 1e-8 for the ill-conditioned 'epoch' data, where the
-- pairwise and the sequential updates both carry about 5e-10 (checked
-- against exact numeric arithmetic below).  Not for 'offset': with
-- x = 1e9 + U(0,1) the sequential sums are only good to about 1e-5, like
-- regr_slope's.  Intercepts near zero are compared on the scale of the
-- terms they are made of.
CREATE TABLE regr_buckets AS
	SELECT g, i / 100 AS bucket, regr_agg(y, x) AS s FROM regr_data GROUP BY g, i / 100;
SELECT g,
	   num_vals(r) = num_vals(u) AS n,
	   regr_test_close(slope(r), slope(u), tol) AS slope,
	   abs(intercept(r) - intercept(u))
		   <= tol * (abs(mean_y(u)) + abs(slope(u) * mean_x(u))) AS intercept,
	   regr_test_close(r2(r), r2(u), tol) AS r2,
	   regr_test_close(mean_x(r), mean_x(u), tol) AS mean_x,
	   regr_test_close(stddev_y(r), stddev_y(u), tol) AS stddev_y
  FROM (SELECT g, rollup(s) AS r FROM regr_buckets GROUP BY g) a
  JOIN (SELECT g, regr_agg(y, x) AS u,
			   CASE g WHEN 'epoch' THEN 1e-8 ELSE 1e-12 END AS tol
		  FROM regr_data GROUP BY g) b USING (g)
 WHERE g <> 'offset'
 ORDER BY g;
-- the exact slope of 'epoch' (x - 1e9 is exact in float8, then numeric)
SELECT regr_test_close(slope(r), exact, 1e-9) AS rollup_exact,
	   regr_test_close(slope(u), exact, 1e-9) AS regr_agg_exact
  FROM (SELECT rollup(s) AS r FROM regr_buckets WHERE g = 'epoch') a,
	   (SELECT regr_agg(y, x) AS u FROM regr_data WHERE g = 'epoch') b,
	   (SELECT (sum((xn - mx) * (yn - my)) / sum((xn - mx) ^ 2))::float8 AS exact
		  FROM (SELECT y::numeric AS yn, (x - 1e9)::numeric AS xn
				  FROM regr_data WHERE g = 'epoch') d,
			   (SELECT avg(y::numeric) AS my, avg((x - 1e9)::numeric) AS mx
				  FROM regr_data WHERE g = 'epoch') m) e;
-- rollup of nothing is the empty summary; NULL summaries are skipped
SELECT rollup(s) FROM regr_buckets WHERE false;
SELECT num_vals(rollup(s)) FROM (SELECT NULL::regrsummary AS s
								 UNION ALL SELECT s FROM regr_buckets WHERE g = 'plain') q;

-- Parallel plans: partial aggregates in workers, combined in the leader.
CREATE TABLE regr_big AS
	SELECT i, sin(i) * 10 + i * 1e-4 AS y, 1e9 + i + cos(i) AS x,
		   timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second' AS t
	  FROM generate_series(1, 60000) i;
ALTER TABLE regr_big SET (parallel_workers = 2);
ANALYZE regr_big;
CREATE TABLE regr_big_sums AS
	SELECT i % 5000 AS k, regr_agg(y, x) AS s FROM regr_big GROUP BY i % 5000;
ALTER TABLE regr_big_sums SET (parallel_workers = 2);
ANALYZE regr_big_sums;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE regr_serial AS
	SELECT regr_agg(y, x) AS s, regr_agg(y, t) AS st,
		   (SELECT rollup(s) FROM regr_big_sums) AS sr
	  FROM regr_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT regr_agg(y, x) FROM regr_big;
EXPLAIN (COSTS OFF) SELECT rollup(s) FROM regr_big_sums;
SELECT num_vals(p.s) = num_vals(q.s) AS n,
	   regr_test_close(slope(p.s), slope(q.s), 1e-12) AS slope,
	   regr_test_close(intercept(p.s), intercept(q.s), 1e-12) AS intercept,
	   regr_test_close(corr(p.s), corr(q.s), 1e-12) AS corr,
	   regr_test_close(slope(p.st), slope(q.st), 1e-12) AS slope_ts,
	   regr_test_close(slope(p.s), regr_slope, 1e-12) AS vs_builtin,
	   regr_test_close(slope(r.sr), slope(q.sr), 1e-12) AS rollup_slope,
	   regr_test_close(stddev_x(r.sr), stddev_x(q.sr), 1e-12) AS rollup_stddev_x
  FROM (SELECT regr_agg(y, x) AS s, regr_agg(y, t) AS st, regr_slope(y, x) FROM regr_big) p,
	   (SELECT rollup(s) AS sr FROM regr_big_sums) r,
	   regr_serial q;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

DROP TABLE regr_data, regr_ts, regr_buckets, regr_big, regr_big_sums, regr_serial;
DROP FUNCTION regr_test_close(float8, float8, float8);
