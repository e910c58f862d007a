-- pct_agg as a sliding window aggregate: every frame's sketch equals, as
-- text (buckets, counts, extremes, collapse count), the sketch pct_agg
-- computes from the frame's rows alone, including frames that extreme
-- values enter and leave, frames that need collapsing and frames of NULLs.
-- The sum (for mean) is compared apart, to 1e-12: a sum of floats depends
-- on the order of additions.

CREATE FUNCTION pg_temp.nosum(s pctsketch) RETURNS text LANGUAGE sql IMMUTABLE
	AS $$ SELECT regexp_replace(s::text, ',sum:[^,]*,sum_lo:[^,]*', '') $$;
CREATE FUNCTION pg_temp.same(a pctsketch, b pctsketch) RETURNS bool LANGUAGE sql IMMUTABLE
	AS $$ SELECT (a IS NULL AND b IS NULL) OR
	             (pg_temp.nosum(a) = pg_temp.nosum(b) AND
	              abs(mean(a) - mean(b)) <= 1e-12 * greatest(abs(mean(b)), max(b) - min(b))) $$;

SELECT setseed(0.5);
CREATE TABLE pct_series AS
SELECT i,
       CASE WHEN i % 97 = 0 THEN NULL
            WHEN i % 251 = 0 THEN 1e300            -- huge spikes
            WHEN i % 263 = 0 THEN -1e-300          -- tiny negatives
            WHEN i % 5 = 0 THEN 0
            ELSE round(exp(2 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) * 1000) / 1000
       END AS v
  FROM generate_series(1, 3000) i;

-- the moving form (frame head advancing) against a recomputation per row
CREATE FUNCTION pg_temp.mismatches(frame int, max_error float8, max_buckets int)
RETURNS bigint LANGUAGE sql AS $$
	WITH w AS (
		SELECT i, pct_agg(v, max_error, max_buckets) OVER (ORDER BY i ROWS BETWEEN frame - 1 PRECEDING AND CURRENT ROW) AS slid
		  FROM pct_series)
	SELECT count(*) FROM w
	 WHERE NOT pg_temp.same(slid,
	       (SELECT pct_agg(v, max_error, max_buckets) FROM pct_series s WHERE s.i BETWEEN w.i - frame + 1 AND w.i))
$$;
SELECT pg_temp.mismatches(100, 0.01, 1024) AS plain,
       pg_temp.mismatches(300, 0.01, 32) AS collapsing,
       pg_temp.mismatches(7, 0.05, 4) AS tiny_budget;

-- a frame that once held 1e300 comes back to the fine grid once it left
SELECT i, max_error(s) AS bound, num_vals(s), max(s)
  FROM (SELECT i, pct_agg(v, 0.01, 32) OVER (ORDER BY i ROWS 9 PRECEDING) AS s FROM pct_series) x
 WHERE i IN (250, 251, 260, 261);

-- percentiles over a sliding frame equal percentile_disc over the same
-- rows within the bound
SELECT count(*) AS violations
  FROM (SELECT i, percentile(pct_agg(v) OVER w, 0.99) AS est, max_error(pct_agg(v) OVER w) AS bound
          FROM pct_series WINDOW w AS (ORDER BY i ROWS 199 PRECEDING)) x
 WHERE abs(est - (SELECT percentile_disc(0.99) WITHIN GROUP (ORDER BY v) FROM pct_series s
                   WHERE s.i BETWEEN x.i - 199 AND x.i))
       > bound * abs((SELECT percentile_disc(0.99) WITHIN GROUP (ORDER BY v) FROM pct_series s
                       WHERE s.i BETWEEN x.i - 199 AND x.i)) * (1 + 1e-12);

-- partitions restart; RANGE frames; frames of NULLs only give NULL
SELECT i % 2 AS part, count(*) FILTER (WHERE s IS NULL) AS null_frames, count(*) AS frames
  FROM (SELECT i, pct_agg(CASE WHEN i % 10 < 3 THEN NULL ELSE v END)
                  OVER (PARTITION BY i % 2 ORDER BY i ROWS 2 PRECEDING)::text AS s
          FROM pct_series WHERE i <= 200) x GROUP BY 1 ORDER BY 1;
SELECT count(*) AS mismatches
  FROM (SELECT i, pct_agg(v) OVER (ORDER BY i / 10 RANGE BETWEEN 3 PRECEDING AND CURRENT ROW) AS slid
          FROM pct_series) w
 WHERE NOT pg_temp.same(slid,
       (SELECT pct_agg(v) FROM pct_series s WHERE s.i / 10 BETWEEN w.i / 10 - 3 AND w.i / 10));

-- NaN entering a frame is an error like in the plain aggregate
SELECT pct_agg(v) OVER (ORDER BY i ROWS 2 PRECEDING)
  FROM (VALUES (1, 1.0::float8), (2, 'NaN')) t(i, v);

DROP TABLE pct_series;
