-- ewma: both forms against recursive CTEs computing the same recursion,
-- as aggregates with ORDER BY and as running windows; NULLs, ties, alpha 1,
-- NaN and infinity, errors.
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- Three series of 200 values each, one a minute, with a few NULLs.
CREATE TEMP TABLE series AS
SELECT id, '2024-01-01 00:00+00'::timestamptz + i * interval '1 minute' AS t,
	   CASE WHEN i % 37 = 5 THEN NULL
			ELSE round((100 * sin(i * id / 7.0) + i * id)::numeric, 3)::float8 END AS v
  FROM generate_series(1, 3) AS id, generate_series(1, 200) AS i;

-- The reference: s_1 = x_1, s_k = alpha x_k + (1 - alpha) s_{k-1} over the
-- non-NULL values in time order.
CREATE TEMP TABLE reference AS
WITH RECURSIVE numbered AS (
	SELECT id, t, v, row_number() OVER (PARTITION BY id ORDER BY t) AS k
	  FROM series WHERE v IS NOT NULL
), r AS (
	SELECT id, t, k, v AS s FROM numbered WHERE k = 1
	UNION ALL
	SELECT n.id, n.t, n.k, 0.1 * n.v + (1 - 0.1) * r.s
	  FROM r JOIN numbered n ON n.id = r.id AND n.k = r.k + 1
)
SELECT id, t, s FROM r;

-- The aggregate equals the last value of the reference.
SELECT a.id, count(*) FILTER (WHERE abs(a.e - r.s) <= 1e-12 * abs(r.s)) AS close
  FROM (SELECT id, ewma(v, 0.1 ORDER BY t) AS e FROM series GROUP BY id) AS a
  JOIN reference r ON r.id = a.id AND r.t = (SELECT max(t) FROM reference WHERE id = a.id)
 GROUP BY a.id
 ORDER BY a.id;

-- The running window equals the reference at every row; at a NULL row it
-- keeps the value of the row before.
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE abs(w.e - r.s) <= 1e-12 * abs(r.s)) AS close
  FROM (SELECT id, t, v, ewma(v, 0.1) OVER (PARTITION BY id ORDER BY t) AS e FROM series) AS w
  JOIN reference r ON r.id = w.id
				  AND r.t = (SELECT max(t) FROM reference WHERE id = w.id AND t <= w.t);

-- NULL values are skipped: the same result as without them, exactly.
SELECT (SELECT ewma(v, 0.3 ORDER BY t) FROM series WHERE id = 2) =
	   (SELECT ewma(v, 0.3 ORDER BY t) FROM series WHERE id = 2 AND v IS NOT NULL) AS nulls_skipped,
	   (SELECT ewma(v, NULL ORDER BY t) FROM series) IS NULL AS null_alpha,
	   (SELECT ewma(v, 0.5) FROM series WHERE false) IS NULL AS empty;

-- alpha = 1 keeps only the last value; one value gives itself.
SELECT (SELECT ewma(v, 1 ORDER BY t) FROM series WHERE id = 3) =
	   (SELECT v FROM series WHERE id = 3 AND v IS NOT NULL ORDER BY t DESC LIMIT 1) AS last_value,
	   ewma(x, 0.25) AS single
  FROM (VALUES (42.5::float8)) AS one(x);

-- Small hand-checked cases: 0.5 * 3 + 0.5 * 1 = 2, then 0.5 * 4 + 0.5 * 2 = 3.
SELECT ewma(x, 0.5 ORDER BY i) AS three,
	   ewma(x, 0.5 ORDER BY i DESC) AS reversed
  FROM (VALUES (1, 1::float8), (2, 3), (3, 4)) AS s(i, x);

-- A sliding frame restarts from the frame's first row: the last two rows
-- give 0.5 * 4 + 0.5 * 3 = 3.5 and 0.5 * 8 + 0.5 * 4 = 6.
SELECT i, ewma(x, 0.5) OVER (ORDER BY i ROWS 1 PRECEDING) AS sliding,
	   ewma(x, 0.5) OVER (ORDER BY i) AS running
  FROM (VALUES (1, 1::float8), (2, 3), (3, 4), (4, 8)) AS s(i, x);

-- NaN and infinity propagate as in avg(); alpha 1 forgets them.
SELECT ewma(x, 0.5 ORDER BY i) AS nan,
	   ewma(x, 1 ORDER BY i) AS last_after_nan
  FROM (VALUES (1, 1::float8), (2, 'NaN'), (3, 2)) AS s(i, x);
SELECT ewma(x, 0.5 ORDER BY i) AS inf,
	   ewma(x, 1 ORDER BY i) AS last_after_inf
  FROM (VALUES (1, 1::float8), (2, 'Infinity'), (3, 2)) AS s(i, x);

-- Smoothing factor errors.
SELECT ewma(v, 0) FROM series;
SELECT ewma(v, 1.5) FROM series;
SELECT ewma(v, -0.1) FROM series;
SELECT ewma(v, 'NaN') FROM series;

-- Time-aware form on regular samples equals the alpha form with
-- alpha = 1 - 2^(-dt / half_life): here dt = 1 minute, half-life 5 minutes.
SELECT count(*) AS series,
	   count(*) FILTER (WHERE abs(a.e - b.e) <= 1e-12 * abs(b.e)) AS close
  FROM (SELECT id, ewma(coalesce(v, 0), t, '5 minutes' ORDER BY t) AS e FROM series GROUP BY id) AS a
  JOIN (SELECT id, ewma(coalesce(v, 0), 1 - 2 ^ (-1 / 5.0) ORDER BY t) AS e FROM series GROUP BY id) AS b
	USING (id);

-- Irregular samples against a recursive CTE: decay = 2^(-dt / half_life),
-- s_k = decay s_{k-1} + (1 - decay) x_k.  Gaps from 10 s to 110 s, and an
-- hour every 50 samples.
CREATE TEMP TABLE irregular AS
SELECT i, '2024-01-01 00:00+00'::timestamptz
		  + make_interval(secs => i * 60 + (i / 50) * 3600 + (i * i * 7919 % 5000) / 100.0) AS t,
	   ((i * 7919) % 101 - 50)::float8 / 3 AS v
  FROM generate_series(1, 300) AS i;
SELECT count(DISTINCT t) = count(*) AS distinct_times FROM irregular;
CREATE TEMP TABLE irregular_reference AS
WITH RECURSIVE numbered AS (
	SELECT t, v, row_number() OVER (ORDER BY t) AS k FROM irregular
), r AS (
	SELECT t, k, v AS s FROM numbered WHERE k = 1
	UNION ALL
	SELECT n.t, n.k,
		   2 ^ (-extract(epoch FROM n.t - r.t)::float8 / 90) * r.s
		   + (1 - 2 ^ (-extract(epoch FROM n.t - r.t)::float8 / 90)) * n.v
	  FROM r JOIN numbered n ON n.k = r.k + 1
)
SELECT t, s FROM r;
SELECT abs(e - (SELECT s FROM irregular_reference ORDER BY t DESC LIMIT 1)) <= 1e-12 AS aggregate_close
  FROM (SELECT ewma(v, t, '90 seconds' ORDER BY t) AS e FROM irregular) AS a;
SELECT count(*) AS rows, count(*) FILTER (WHERE abs(w.e - r.s) <= 1e-12) AS close
  FROM (SELECT t, ewma(v, t, '90 seconds') OVER (ORDER BY t) AS e FROM irregular) AS w
  JOIN irregular_reference r USING (t);

-- Hand-checked: one half-life apart the new value weighs 1/2, two apart 3/4.
SELECT ewma(x, t, '1 hour' ORDER BY t) AS half,
	   ewma(x, t + (t - '2024-01-01 00:00+00') , '1 hour' ORDER BY t) AS three_quarters
  FROM (VALUES ('2024-01-01 00:00+00'::timestamptz, 10::float8), ('2024-01-01 01:00+00', 20)) AS s(t, x);

-- Samples at the same time are one sample, their mean, in any order.
SELECT ewma(x, t, '1 minute' ORDER BY t, x) AS ties_ascending,
	   ewma(x, t, '1 minute' ORDER BY t, x DESC) AS ties_descending,
	   (SELECT ewma(x, t, '1 minute' ORDER BY t)
		  FROM (VALUES ('2024-01-01 00:00+00'::timestamptz, 1::float8), ('2024-01-01 00:01+00', 3)) AS m(t, x)) AS means
  FROM (VALUES ('2024-01-01 00:00+00'::timestamptz, 0::float8), ('2024-01-01 00:00+00', 2),
			   ('2024-01-01 00:01+00', 2), ('2024-01-01 00:01+00', 4), ('2024-01-01 00:01+00', 3)) AS s(t, x);

-- NULLs in any argument skip the row (0.5 * 1 + 0.5 * 3); no rows give NULL.
SELECT ewma(x, t, '1 minute' ORDER BY t) AS skipped,
	   ewma(x, t, NULL ORDER BY t) IS NULL AS null_half_life
  FROM (VALUES ('2024-01-01 00:00+00'::timestamptz, 1::float8), (NULL, 100),
			   ('2024-01-01 00:01+00', NULL), ('2024-01-01 00:01+00', 3)) AS s(t, x);

-- Time-aware errors: out of order, bad half-lives, infinite timestamps.
SELECT ewma(v, t, '1 minute' ORDER BY t DESC) FROM series;
SELECT ewma(v, t, '1 month' ORDER BY t) FROM series;
SELECT ewma(v, t, '0 seconds' ORDER BY t) FROM series;
SELECT ewma(v, t, '-1 minute' ORDER BY t) FROM series;
SELECT ewma(1, 'infinity'::timestamptz, '1 minute');

-- With time_bucket: a smoothed value per ten-minute bucket.
SELECT time_bucket('10 minutes', t) AS bucket, round(ewma(v, 0.5 ORDER BY t)::numeric, 6) AS smoothed,
	   round((0.5 * max(v) FILTER (WHERE t = time_bucket('10 minutes', t) + interval '9 minutes')
			  + 0.5 * (0.5 * max(v) FILTER (WHERE t = time_bucket('10 minutes', t) + interval '8 minutes')
					   + 0.5 * (0.5 * max(v) FILTER (WHERE t = time_bucket('10 minutes', t) + interval '7 minutes')
								+ 0.5 * (0.5 * max(v) FILTER (WHERE t = time_bucket('10 minutes', t) + interval '6 minutes')
										 + 0.5 * (0.5 * max(v) FILTER (WHERE t = time_bucket('10 minutes', t) + interval '5 minutes')
												  + 0.5 * (0.5 * max(v) FILTER (WHERE t = time_bucket('10 minutes', t) + interval '4 minutes')
														   + 0.5 * (0.5 * max(v) FILTER (WHERE t = time_bucket('10 minutes', t) + interval '3 minutes')
																	+ 0.5 * (0.5 * max(v) FILTER (WHERE t = time_bucket('10 minutes', t) + interval '2 minutes')
																			 + 0.5 * (0.5 * max(v) FILTER (WHERE t = time_bucket('10 minutes', t) + interval '1 minute')
																					  + 0.5 * max(v) FILTER (WHERE t = time_bucket('10 minutes', t)))))))))))::numeric, 6) AS unrolled
  FROM series
 WHERE id = 1 AND t >= '2024-01-01 00:10+00' AND t < '2024-01-01 00:30+00'
 GROUP BY 1
 ORDER BY 1;

RESET timezone;
RESET datestyle;
