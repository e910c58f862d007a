-- scripts/demo.sql — what the demo prints once the readings are stored.
\pset footer off
\echo
\echo '== what arrived: rows per table, rejects, worker counters'
SELECT count(*) AS rows, min(time), max(time) FROM sensor;
SELECT reason, line FROM streamstat.rejects ORDER BY received_at;
SELECT lines_received, rows_inserted, lines_rejected, flushes FROM streamstat.ingest_stats;
\echo
\echo '== partitions created as data arrived (streamstat.partition_interval = 1h)'
SELECT count(*) AS partitions FROM pg_inherits WHERE inhparent = 'sensor'::regclass;
\echo
\echo '== hourly statistics per sensor: one stats_agg, many accessors'
SELECT time_bucket('1 hour', time) AS hour, id,
       num_vals(stats_agg(temperature)) AS n,
       round(mean(stats_agg(temperature))::numeric, 2) AS mean,
       round(stddev(stats_agg(temperature))::numeric, 3) AS stddev,
       round(skewness(stats_agg(temperature))::numeric, 3) AS skew
  FROM sensor
 GROUP BY 1, 2
 ORDER BY 1, 2
 LIMIT 12;
\echo
\echo '== 30-minute sliding window (180 readings) on s1, O(rows) with moving aggregates'
SELECT time, round(temperature::numeric, 2) AS temperature,
       round(mean(w)::numeric, 3) AS mean_30min,
       round(stddev(w)::numeric, 3) AS stddev_30min,
       round(zscore(w, temperature)::numeric, 2) AS zscore
  FROM (SELECT time, temperature,
               stats_agg(temperature) OVER (ORDER BY time ROWS 179 PRECEDING) AS w
          FROM sensor WHERE id = 's1') x
 ORDER BY time DESC
 LIMIT 5;
\echo
\echo '== smoothing: EWMA (alpha 0.1) and time-aware EWMA (half-life 5 min)'
SELECT id, round(ewma(temperature, 0.1 ORDER BY time)::numeric, 3) AS ewma,
       round(ewma(temperature, time, '5 minutes' ORDER BY time)::numeric, 3) AS ewma_5min
  FROM sensor GROUP BY id ORDER BY id;
\echo
\echo '== trend per sensor: least squares of temperature on time, with inference'
SELECT id,
       round((slope(r) * 3600)::numeric, 4) AS degrees_per_hour,
       round(r2(r)::numeric, 4) AS r2,
       round((slope_stderr(r) * 3600)::numeric, 5) AS stderr_per_hour,
       slope_pvalue(r) < 0.001 AS significant
  FROM (SELECT id, regr_agg(temperature, time) AS r FROM sensor GROUP BY id) x
 ORDER BY id;
\echo
\echo '== each sensor at a glance: six hours of temperature as a sparkline, beside its statistics'
SELECT id,
       sparkline(temperature, 48 ORDER BY time) AS "temperature, 6 h (7.5 min a character)",
       round(mean(stats_agg(temperature))::numeric, 2) AS mean,
       round(stddev(stats_agg(temperature))::numeric, 2) AS stddev,
       round(min(stats_agg(temperature))::numeric, 2) AS min,
       round(max(stats_agg(temperature))::numeric, 2) AS max
  FROM sensor
 GROUP BY id
 ORDER BY id;
