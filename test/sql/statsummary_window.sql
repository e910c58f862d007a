-- statsummary in sliding windows: stats_agg(v) OVER w and rollup(s) OVER w
-- run the moving-aggregate (inverse transition) path.  Every row is checked
-- against the built-in window aggregates, against exact numeric
-- recomputation, or against stats_agg over the frame from scratch; floats
-- are compared in SQL and only counts and booleans printed.

-- a close to b: both NULL, equal (NaN = NaN), or within tol relative of b
CREATE FUNCTION pg_temp.close(a float8, b float8, tol float8) RETURNS bool
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT a IS NOT DISTINCT FROM b OR abs(a - b) <= tol * abs(b) $$;
-- a close to the exact b: relative, or absolute below 1
CREATE FUNCTION pg_temp.close(a float8, b numeric, tol float8) RETURNS bool
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT (a IS NULL AND b IS NULL) OR
		abs(a::numeric - b) <= tol::numeric * greatest(abs(b), 1) $$;

-- Series, values exact in float8 (v) and numeric (nv):
--   1: k/1024, k uniform in [-50000, 150000]
--   2: 1e9 + k/2^20 (ill-conditioned)
--   3: unit noise with a 1e15 spike at i = 200
--   4: alternating signs (1e6 + k/1024) (-1)^i
--   5: small integers (many repeats)
--   6: rising (i/4, each leaving value is the frame's min)
--   7: falling sawtooth with repeats
SELECT setseed(0.7);
CREATE TABLE w (sid int, i int, v float8, nv numeric);
INSERT INTO w SELECT 1, i, k / 1024.0, k * 0.0009765625
  FROM (SELECT i, (random() * 200000)::int - 50000 AS k FROM generate_series(1, 400) i) s;
INSERT INTO w SELECT 2, i, 1e9::float8 + k / 1048576.0, 1000000000 + k * 0.00000095367431640625
  FROM (SELECT i, (random() * 1048576)::int - 524288 AS k FROM generate_series(1, 400) i) s;
INSERT INTO w SELECT 3, i, CASE WHEN i = 200 THEN 1e15 ELSE k / 1024.0 END,
       CASE WHEN i = 200 THEN 1e15 ELSE k * 0.0009765625 END
  FROM (SELECT i, (random() * 2048)::int - 1024 AS k FROM generate_series(1, 400) i) s;
INSERT INTO w SELECT 4, i, sgn * (1e6 + k / 1024.0), sgn * (1000000 + k * 0.0009765625)
  FROM (SELECT i, 1 - 2 * (i % 2) AS sgn, (random() * 4096)::int AS k
          FROM generate_series(1, 400) i) s;
INSERT INTO w SELECT 5, i, k, k
  FROM (SELECT i, (random() * 6)::int AS k FROM generate_series(1, 400) i) s;
INSERT INTO w SELECT 6, i, i / 4.0, i * 0.25 FROM generate_series(1, 400) i;
INSERT INTO w SELECT 7, i, (400 - i) % 37, (400 - i) % 37 FROM generate_series(1, 400) i;
SELECT sid, bool_and(nv::float8 = v) AS same_data FROM w GROUP BY sid ORDER BY sid;

-- 1. Against the built-in window aggregates (50-row frames).
SELECT sid, count(*) AS rows,
       bool_and(n = cnt) AS n,
       bool_and(pg_temp.close(sd, b_sd, 1e-9)) AS stddev,
       max(abs(sd - b_sd) / b_sd) < 1e-9 AS max_rel_below_1e9,
       bool_and(pg_temp.close(vp, b_vp, 1e-9)) AS var_pop,
       bool_and(pg_temp.close(m, b_m, 1e-9) OR abs(m - b_m) < 1e-9) AS mean,
       bool_and(mn = b_mn AND mx = b_mx) AS minmax
  FROM (SELECT sid,
               num_vals(stats_agg(v) OVER w) AS n, count(v) OVER w AS cnt,
               stddev(stats_agg(v) OVER w) AS sd, stddev_samp(v) OVER w AS b_sd,
               variance(stats_agg(v) OVER w, 'population') AS vp, var_pop(v) OVER w AS b_vp,
               mean(stats_agg(v) OVER w) AS m, avg(v) OVER w AS b_m,
               min(stats_agg(v) OVER w) AS mn, min(v) OVER w AS b_mn,
               max(stats_agg(v) OVER w) AS mx, max(v) OVER w AS b_mx
          FROM w
        WINDOW w AS (PARTITION BY sid ORDER BY i ROWS 49 PRECEDING)) q
 WHERE sid <> 2
 GROUP BY sid ORDER BY sid;

-- 2. Against exact numeric: variance, mean, skewness, kurtosis of every
-- frame, from power sums taken in numeric over the same window (the
-- built-ins themselves drift by about 1e-7 on series 2).
CREATE TABLE exact AS
SELECT sid, i, n, p1 / n AS mean,
       CASE WHEN n > 1 THEN a2 / (n * (n - 1)) END AS var_samp,
       CASE WHEN a2 > 0 THEN a3 / (a2 * sqrt(a2)) END AS g1,
       CASE WHEN a2 > 0 AND n >= 4 THEN (n - 1) * ((n + 1) * (a4 / (a2 * a2) - 3) + 6) / ((n - 2) * (n - 3)) END AS "G2"
  FROM (SELECT sid, i, n, p1,
               n * p2 - p1 * p1 AS a2,
               n * n * p3 - 3 * n * p1 * p2 + 2 * p1 * p1 * p1 AS a3,
               n * n * n * p4 - 4 * n * n * p1 * p3 + 6 * n * p1 * p1 * p2 - 3 * p1 * p1 * p1 * p1 AS a4
          FROM (SELECT sid, i, count(nv) OVER w::numeric AS n, sum(nv) OVER w AS p1,
                       sum(nv * nv) OVER w AS p2, sum(nv * nv * nv) OVER w AS p3,
                       sum(nv * nv * nv * nv) OVER w AS p4
                  FROM w
                WINDOW w AS (PARTITION BY sid ORDER BY i ROWS 49 PRECEDING)) p) q;
SELECT sid, count(*) AS rows,
       bool_and(pg_temp.close(var, e.var_samp, 1e-9)) AS variance,
       bool_and(pg_temp.close(m, e.mean, 1e-12)) AS mean,
       bool_and(pg_temp.close(skew, e.g1, 1e-9)) AS skewness_pop,
       bool_and(pg_temp.close(kurt, e."G2", 1e-9)) AS kurtosis
  FROM (SELECT sid, i,
               variance(stats_agg(v) OVER w) AS var,
               mean(stats_agg(v) OVER w) AS m,
               skewness(stats_agg(v) OVER w, 'population') AS skew,
               kurtosis(stats_agg(v) OVER w) AS kurt
          FROM w
        WINDOW w AS (PARTITION BY sid ORDER BY i ROWS 49 PRECEDING)) q
  JOIN exact e USING (sid, i)
 GROUP BY sid ORDER BY sid;

-- The spike's frames, and the frames right after it left (i >= 250).
SELECT q.i, pg_temp.close(q.sd, sqrt(e.var_samp), 1e-9) AS stddev_close,
       q.sd > 1e12 AS spike_in_frame
  FROM (SELECT i, stddev(stats_agg(v) OVER w) AS sd FROM w WHERE sid = 3
        WINDOW w AS (ORDER BY i ROWS 49 PRECEDING)) q
  JOIN exact e ON e.sid = 3 AND e.i = q.i
 WHERE q.i IN (199, 200, 201, 248, 249, 250, 251, 300)
 ORDER BY q.i;

-- 3. Against stats_agg of the frame from scratch, every accessor.
SELECT sid, count(*) AS rows,
       bool_and(num_vals(m) = num_vals(f)) AS n,
       bool_and(pg_temp.close(mean(m), mean(f), 1e-12) OR abs(mean(m) - mean(f)) < 1e-9) AS mean,
       bool_and(pg_temp.close(sum(m), sum(f), 1e-12) OR abs(sum(m) - sum(f)) < 1e-7) AS sum,
       bool_and(pg_temp.close(variance(m), variance(f), 1e-9)) AS var,
       bool_and(abs(skewness(m) - skewness(f)) <= 1e-9 * greatest(1, abs(skewness(f)))) AS skew,
       bool_and(abs(kurtosis(m) - kurtosis(f)) <= 1e-9 * greatest(1, abs(kurtosis(f)))) AS kurt,
       bool_and(min(m) = min(f) AND max(m) = max(f)) AS minmax
  FROM (SELECT sid, i, stats_agg(v) OVER (PARTITION BY sid ORDER BY i ROWS 29 PRECEDING) AS m
          FROM w) q,
       LATERAL (SELECT stats_agg(v) AS f FROM w w2
                 WHERE w2.sid = q.sid AND w2.i BETWEEN q.i - 29 AND q.i) r
 WHERE sid <> 2
 GROUP BY sid ORDER BY sid;

-- 4. NaN and infinities entering and leaving 3-row frames, against the
-- built-ins (NaN = NaN in SQL).
CREATE TABLE nf (i int, v float8);
INSERT INTO nf VALUES (1, 1), (2, 2), (3, 'NaN'), (4, 4), (5, 5), (6, 6),
  (7, 'Infinity'), (8, 8), (9, 9), (10, 10), (11, '-Infinity'), (12, 12),
  (13, 'Infinity'), (14, 14), (15, 15), (16, 16), (17, NULL), (18, 18),
  (19, 19), (20, 20), (21, NULL), (22, NULL), (23, NULL), (24, 24);
SELECT i, v, stats_agg(v) OVER w,
       mean(stats_agg(v) OVER w) IS NOT DISTINCT FROM avg(v) OVER w AS mean,
       variance(stats_agg(v) OVER w) IS NOT DISTINCT FROM var_samp(v) OVER w AS var,
       min(stats_agg(v) OVER w) IS NOT DISTINCT FROM min(v) OVER w AS min,
       max(stats_agg(v) OVER w) IS NOT DISTINCT FROM max(v) OVER w AS max
  FROM nf
WINDOW w AS (ORDER BY i ROWS 2 PRECEDING)
 ORDER BY i;

-- 5. Frames that empty out and frames that only grow.
SELECT i, stats_agg(v) OVER (ORDER BY i ROWS BETWEEN 3 PRECEDING AND 2 PRECEDING) IS NULL AS empty,
       num_vals(stats_agg(v) OVER (ORDER BY i ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING)) AS ahead,
       pg_temp.close(stddev(stats_agg(v) OVER (ORDER BY i)), stddev_samp(v) OVER (ORDER BY i), 1e-13) AS growing
  FROM nf WHERE i <= 5 ORDER BY i;

-- 6. rollup(s) OVER w on stored 10-row summaries: against the exact
-- answer for the frame's rows, and against rollup of the frame from
-- scratch.  Series 2 only to 1e-5: a summary holds its sum as a double,
-- and a sum near 1e10 is good to about 1e-6, which is 1e-7 of the spread
-- (the moving and the plain rollup differ by about 2e-7 there).
CREATE TABLE buckets AS
SELECT sid, i / 10 AS b, stats_agg(v) AS s FROM w GROUP BY sid, i / 10;
SELECT sid, count(*) AS frames,
       bool_and(num_vals(r) = e.n) AS n,
       bool_and(pg_temp.close(variance(r), e.var_samp, tol)) AS var,
       bool_and(pg_temp.close(mean(r), e.mean, 1e-12)) AS mean,
       bool_and(pg_temp.close(skewness(r, 'population'), e.g1, tol)) AS skew,
       bool_and(pg_temp.close(kurtosis(r), e."G2", tol)) AS kurt
  FROM (SELECT sid, b, rollup(s) OVER (PARTITION BY sid ORDER BY b ROWS 4 PRECEDING) AS r,
               CASE WHEN sid = 2 THEN 1e-5 ELSE 1e-9 END AS tol
          FROM buckets) q
  JOIN (SELECT sid, b, n, p1 / n AS mean,
               a2 / (n * (n - 1)) AS var_samp,
               a3 / (a2 * sqrt(a2)) AS g1,
               (n - 1) * ((n + 1) * (a4 / (a2 * a2) - 3) + 6) / ((n - 2) * (n - 3)) AS "G2"
          FROM (SELECT sid, b, n, p1, n * p2 - p1 * p1 AS a2,
                       n * n * p3 - 3 * n * p1 * p2 + 2 * p1 * p1 * p1 AS a3,
                       n * n * n * p4 - 4 * n * n * p1 * p3 + 6 * n * p1 * p1 * p2 - 3 * p1 * p1 * p1 * p1 AS a4
                  FROM (SELECT sid, b, sum(c) OVER v AS n, sum(q1) OVER v AS p1, sum(q2) OVER v AS p2,
                               sum(q3) OVER v AS p3, sum(q4) OVER v AS p4
                          FROM (SELECT sid, i / 10 AS b, count(*)::numeric AS c, sum(nv) AS q1,
                                       sum(nv * nv) AS q2, sum(nv * nv * nv) AS q3,
                                       sum(nv * nv * nv * nv) AS q4
                                  FROM w GROUP BY sid, i / 10) g
                        WINDOW v AS (PARTITION BY sid ORDER BY b ROWS 4 PRECEDING)) p) x) e
    USING (sid, b)
 GROUP BY sid ORDER BY sid;
SELECT sid, count(*) AS frames,
       bool_and(num_vals(m) = num_vals(f)) AS n,
       bool_and(pg_temp.close(mean(m), mean(f), 1e-12) OR abs(mean(m) - mean(f)) < 1e-9) AS mean,
       bool_and(pg_temp.close(variance(m), variance(f), tol)) AS var,
       bool_and(abs(skewness(m) - skewness(f)) <= tol * greatest(1, abs(skewness(f)))) AS skew,
       bool_and(abs(kurtosis(m) - kurtosis(f)) <= tol * greatest(1, abs(kurtosis(f)))) AS kurt,
       bool_and(min(m) = min(f) AND max(m) = max(f)) AS minmax
  FROM (SELECT sid, b, rollup(s) OVER (PARTITION BY sid ORDER BY b ROWS 4 PRECEDING) AS m,
               CASE WHEN sid = 2 THEN 1e-5 ELSE 1e-9 END AS tol
          FROM buckets) q,
       LATERAL (SELECT rollup(s) AS f FROM buckets b2
                 WHERE b2.sid = q.sid AND b2.b BETWEEN q.b - 4 AND q.b) r
 GROUP BY sid ORDER BY sid;
-- rollup over summaries holding NaN/Infinity, entering and leaving
SELECT i, moving, moving::text =
       (SELECT rollup(s2.s)::text FROM (SELECT i, stats_agg(v) AS s FROM nf GROUP BY i) s2
         WHERE s2.i BETWEEN q.i - 1 AND q.i) AS from_scratch
  FROM (SELECT i, rollup(s) OVER (ORDER BY i ROWS 1 PRECEDING) AS moving
          FROM (SELECT i, stats_agg(v) AS s FROM nf GROUP BY i) b) q
 WHERE i BETWEEN 2 AND 9 ORDER BY i;
