-- scripts/demo_rollups.sql — the rollups of the demo, once readings streamed in.
\pset footer off
\echo
\echo '== the last hours per sensor, from the hourly rollup (no raw rows read)'
SELECT time AS hour, id, num_vals(temperature) AS n,
       round(mean(temperature)::numeric, 2) AS mean,
       round(stddev(temperature)::numeric, 3) AS stddev,
       round(max(temperature)::numeric, 2) AS max
  FROM sensor_1h
 ORDER BY time DESC, id
 LIMIT 6;
\echo
\echo '== the same hours from the raw rows agree'
SELECT time_bucket('1 hour', time) AS hour, id, count(temperature) AS n,
       round(avg(temperature)::numeric, 2) AS mean,
       round(stddev_samp(temperature)::numeric, 3) AS stddev,
       round(max(temperature)::numeric, 2) AS max
  FROM sensor
 GROUP BY 1, 2
 ORDER BY 1 DESC, 2
 LIMIT 6;
\echo
\echo '== rollups and retention policies'
SELECT name, source, bucket, group_by, fields, rows FROM streamstat.rollups;
SELECT relation, keep, mode FROM streamstat.policies;
