-- countersummary: counter_agg against hand-computed increases and rates,
-- rows in any order, resets, rollup of adjacent buckets, parallel plans,
-- the text and binary round trips, and the errors.

SET timezone = 'UTC';

-- 0, 10, 25, (reset) 5, 20, (reset) 0, 7 at 10-second steps:
-- delta = 10 + 15 + 5 + 15 + 0 + 7 = 52 over 60 s, 2 resets
CREATE TABLE ctr_samples (host text, ts timestamptz, v float8);
INSERT INTO ctr_samples
SELECT 'a', '2026-01-01 00:00:00+00'::timestamptz + i * interval '10 seconds', v
  FROM unnest('{0,10,25,5,20,0,7}'::float8[]) WITH ORDINALITY AS u(v, i0), LATERAL (SELECT i0 - 1 AS i) x;
SELECT delta(s), rate(s), num_resets(s), num_vals(s), first_time(s), last_time(s), s
  FROM (SELECT counter_agg(v, ts) AS s FROM ctr_samples) x;
-- any order gives the same summary
SELECT counter_agg(v, ts ORDER BY v)::text = counter_agg(v, ts ORDER BY ts)::text AS order_free,
       counter_agg(v, ts ORDER BY ts DESC)::text = counter_agg(v, ts ORDER BY ts)::text AS reversed
  FROM ctr_samples;

-- a long random counter against a window-function reference
SELECT setseed(0.3);
CREATE TABLE ctr_big AS
SELECT h AS host, '2026-01-01'::timestamptz + i * interval '1 second' AS ts,
       (i % 5000) * 3.5 + floor(random() * 3) AS v    -- resets every 5000 s
  FROM generate_series(0, 59999) i, generate_series(1, 3) h;
ANALYZE ctr_big;
CREATE TEMP TABLE ctr_ref AS
SELECT host, sum(CASE WHEN prev IS NULL THEN 0 WHEN v >= prev THEN v - prev ELSE v END) AS delta,
       count(*) FILTER (WHERE v < prev) AS resets,
       min(ts) AS first, max(ts) AS last, count(*) AS n
  FROM (SELECT host, ts, v, lag(v) OVER (PARTITION BY host ORDER BY ts) AS prev FROM ctr_big) x
 GROUP BY host;
SELECT host, delta(s) = r.delta AS delta, num_resets(s) = r.resets AS resets,
       rate(s) = r.delta / extract(epoch FROM r.last - r.first)::float8 AS rate,
       first_time(s) = r.first AND last_time(s) = r.last AND num_vals(s) = r.n AS range
  FROM (SELECT host, counter_agg(v, ts) AS s FROM ctr_big GROUP BY host) x JOIN ctr_ref r USING (host)
 ORDER BY host;

-- hourly summaries roll up (in any order) into the whole; + of adjacent ranges
CREATE TABLE ctr_hourly AS
SELECT host, time_bucket('1 hour', ts) AS hour, counter_agg(v, ts) AS s FROM ctr_big GROUP BY 1, 2;
SELECT host, (SELECT rollup(s ORDER BY hour DESC) FROM ctr_hourly h WHERE h.host = x.host)::text = x.s::text AS rollup_equal
  FROM (SELECT host, counter_agg(v, ts) AS s FROM ctr_big GROUP BY host) x ORDER BY host;
SELECT (a.s + b.s)::text = (b.s + a.s)::text AS commutes,
       delta(a.s + b.s) = (SELECT delta(counter_agg(v, ts)) FROM ctr_big WHERE host = 1 AND ts < '2026-01-01 02:00+00') AS plus_equal
  FROM ctr_hourly a, ctr_hourly b
 WHERE a.host = 1 AND b.host = 1 AND a.hour = '2026-01-01 00:00+00' AND b.hour = '2026-01-01 01:00+00';
-- overlapping ranges cannot be combined
SELECT a.s + b.s FROM ctr_hourly a, (SELECT counter_agg(v, ts) AS s FROM ctr_big WHERE host = 1 AND ts < '2026-01-01 00:30+00') b
 WHERE a.host = 1 AND a.hour = '2026-01-01 00:00+00';
SELECT rollup(s) FROM ctr_hourly;

-- parallel plans give the serial answer
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT counter_agg(v, ts) FROM ctr_big WHERE host = 2;
CREATE TEMP TABLE ctr_par AS SELECT counter_agg(v, ts) AS s FROM ctr_big WHERE host = 2;
EXPLAIN (COSTS OFF) SELECT host, rollup(s) FROM ctr_hourly GROUP BY host;
CREATE TEMP TABLE ctr_par_r AS SELECT host, rollup(s) AS s FROM ctr_hourly GROUP BY host;
RESET max_parallel_workers_per_gather;
SELECT p.s::text = (SELECT counter_agg(v, ts)::text FROM ctr_big WHERE host = 2) AS parallel_equal
  FROM ctr_par p;
SELECT bool_and(r.s::text = x.s::text) AS parallel_rollup_equal
  FROM ctr_par_r r JOIN (SELECT host, counter_agg(v, ts) AS s FROM ctr_big GROUP BY host) x USING (host);

-- text and binary round trips
SELECT bool_and(s::text::countersummary::text = s::text) AS text_round_trip FROM ctr_hourly;
SELECT '/tmp/streamstat_counter_' || pg_backend_pid() || '.bin' AS binfile \gset
COPY (SELECT host, hour, s FROM ctr_hourly) TO :'binfile' (FORMAT binary);
CREATE TABLE ctr_hourly2 (LIKE ctr_hourly);
COPY ctr_hourly2 FROM :'binfile' (FORMAT binary);
SELECT count(*) = (SELECT count(*) FROM ctr_hourly) AS binary_round_trip
  FROM ctr_hourly a JOIN ctr_hourly2 b USING (host, hour) WHERE a.s::text = b.s::text;
SELECT '(n:2,first:2026-01-01 00:00:00+00,first_value:1,last:2026-01-01 00:01:00+00,last_value:4,delta:3,resets:0)'::countersummary;
SELECT rate('(n:2,first:2026-01-01 00:00:00+00,first_value:1,last:2026-01-01 00:01:00+00,last_value:4,delta:3,resets:0)');
SELECT '(n:2,first:2026-01-01 00:01:00+00,first_value:1,last:2026-01-01 00:00:00+00,last_value:4,delta:3,resets:0)'::countersummary;
SELECT '(n:2,first:2026-01-01 00:00:00+00,first_value:1)'::countersummary;

-- edge cases: one sample (no rate), equal timestamps, NULLs, no rows
SELECT delta(s), rate(s), num_vals(s) FROM (SELECT counter_agg(5, '2026-01-01'::timestamptz) AS s) x;
SELECT delta(counter_agg(v, ts)), num_resets(counter_agg(v, ts))
  FROM (VALUES (3.0, '2026-01-01'::timestamptz), (1.0, '2026-01-01'), (4.0, '2026-01-01 00:00:01')) t(v, ts);
SELECT num_vals(counter_agg(v, ts)) FROM (VALUES (1.0, '2026-01-01'::timestamptz), (NULL, '2026-01-01 00:00:01'), (2.0, NULL)) t(v, ts);
SELECT counter_agg(v, ts) IS NULL AS no_rows FROM ctr_big WHERE false;
-- NaN, infinities
SELECT counter_agg(v, ts) FROM (VALUES ('NaN'::float8, '2026-01-01'::timestamptz)) t(v, ts);
SELECT counter_agg(v, ts) FROM (VALUES (1.0::float8, 'infinity'::timestamptz)) t(v, ts);

DROP TABLE ctr_samples, ctr_big, ctr_hourly, ctr_hourly2;
