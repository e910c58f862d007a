-- rollups: create_rollup, drop_rollup, refresh_rollup and the rollups view;
-- the triggers that keep rollups exact for INSERT, COPY, UPDATE, DELETE
-- (TRUNCATE leaves them); hierarchical rollups; percentile sketches
-- (percentiles => true); retention; errors.
SET timezone = 'UTC';
\set SHOW_CONTEXT never

CREATE TABLE cpu (time timestamptz NOT NULL, host text, region text,
	usage float8, temp bigint, load real, cores int, note varchar, ok boolean)
	PARTITION BY RANGE (time);
CREATE TABLE cpu_jan PARTITION OF cpu FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
CREATE TABLE cpu_feb PARTITION OF cpu FOR VALUES FROM ('2026-02-01') TO ('2026-03-01');
-- deterministic values, with NULL groups and NULL fields, NaN and infinities
INSERT INTO cpu
SELECT '2026-01-01'::timestamptz + i * interval '17 seconds', 'h' || (i % 3),
	   CASE WHEN i % 5 = 0 THEN NULL ELSE 'r' || (i % 2) END,
	   CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 7919 % 1000) / 10.0 END,
	   i % 50, (i % 13) / 4.0, i % 8, 'n', i % 2 = 0
  FROM generate_series(0, 5000) i;
INSERT INTO cpu VALUES ('2026-01-02 00:00:01', 'odd', NULL, 'NaN', 1, 'Infinity', 1, NULL, NULL),
	('2026-01-02 00:00:02', 'odd', NULL, '-Infinity', NULL, 1, NULL, NULL, NULL);

-- Defaults: every text column is a group, every numeric one a field; with
-- percentiles, a pctsketch per field beside its statsummary (<field>_pct).
SELECT streamstat.create_rollup('cpu_1m', 'cpu', '1 minute', percentiles => true);
\d cpu_1m
SELECT streamstat.create_rollup('cpu_1h', 'cpu_1m', '1 hour', '{host}', '{usage,temp}', percentiles => true);
SELECT streamstat.create_rollup('cpu_1mon', 'cpu_1h', '1 month', percentiles => true);
-- a rollup without sketches beside one with them, on the same table
SELECT streamstat.create_rollup('cpu_plain', 'cpu', '1 day', '{}', '{usage}');
SELECT name, source, bucket, group_by, fields, summary_kinds, rows, last_change IS NOT NULL AS changed
  FROM streamstat.rollups ORDER BY name::text;

-- Exactness: each rollup equals stats_agg ... GROUP BY over the raw rows
-- (counts, min, max exactly; mean within 1e-12 relative, variance within
-- 1e-12 of the mean square: equal values leave stats_agg a variance of
-- rounding noise where the combined summaries have 0).
CREATE FUNCTION rollup_diff(a statsummary, b statsummary) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT num_vals(a) IS DISTINCT FROM num_vals(b)
		OR min(a) IS DISTINCT FROM min(b) OR max(a) IS DISTINCT FROM max(b)
		OR (mean(a) <> mean(b) AND NOT abs(mean(a) - mean(b)) <= 1e-12 * abs(mean(b)))
		OR (mean(a) IS NULL) <> (mean(b) IS NULL) OR (mean(a) = 'NaN') <> (mean(b) = 'NaN')
		OR (variance(a) IS DISTINCT FROM variance(b)
			AND NOT abs(variance(a) - variance(b)) <= 1e-12 * (abs(variance(b)) + mean(b) ^ 2))
$$;
-- Sketches: the same buckets, counts, min, max and collapses as pct_agg
-- over the raw rows (NaN and infinities left out), so the same
-- percentiles; the sum (for mean) is a double-double, compared apart.
CREATE FUNCTION pct_diff(a pctsketch, b pctsketch) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT regexp_replace(a::text, ',sum:[^,]*,sum_lo:[^,]*', '')
			IS DISTINCT FROM regexp_replace(b::text, ',sum:[^,]*,sum_lo:[^,]*', '')
		OR percentiles(a, '{0,0.01,0.1,0.25,0.5,0.75,0.9,0.99,0.999,1}')
			IS DISTINCT FROM percentiles(b, '{0,0.01,0.1,0.25,0.5,0.75,0.9,0.99,0.999,1}')
		OR (mean(a) <> mean(b) AND NOT abs(mean(a) - mean(b)) <= 1e-12 * abs(mean(b)))
$$;
CREATE FUNCTION check_rollups() RETURNS TABLE (rollup text, buckets bigint, wrong bigint)
LANGUAGE sql AS $$
	SELECT 'cpu_1m', count(*), count(*) FILTER (WHERE r.time IS NULL OR s.t IS NULL
			OR rollup_diff(r.usage, s.usage) OR rollup_diff(r.temp, s.temp)
			OR rollup_diff(r.load, s.load) OR rollup_diff(r.cores, s.cores)
			OR pct_diff(r.usage_pct, s.usage_pct) OR pct_diff(r.temp_pct, s.temp_pct)
			OR pct_diff(r.load_pct, s.load_pct) OR pct_diff(r.cores_pct, s.cores_pct))
	  FROM (SELECT time_bucket('1 minute', time) t, host, region, note, stats_agg(usage) usage,
				   stats_agg(temp::float8) temp, stats_agg(load::float8) load, stats_agg(cores::float8) cores,
				   pct_agg(usage) FILTER (WHERE usage > '-Infinity' AND usage < 'Infinity') usage_pct,
				   pct_agg(temp) temp_pct,
				   pct_agg(load) FILTER (WHERE load > '-Infinity' AND load < 'Infinity') load_pct,
				   pct_agg(cores) cores_pct
			  FROM cpu GROUP BY 1, 2, 3, 4) s
	  FULL JOIN cpu_1m r ON r.time = s.t AND r.host IS NOT DISTINCT FROM s.host
		   AND r.region IS NOT DISTINCT FROM s.region AND r.note IS NOT DISTINCT FROM s.note
	UNION ALL
	SELECT 'cpu_1h', count(*), count(*) FILTER (WHERE r.time IS NULL OR s.t IS NULL
			OR rollup_diff(r.usage, s.usage) OR rollup_diff(r.temp, s.temp)
			OR pct_diff(r.usage_pct, s.usage_pct) OR pct_diff(r.temp_pct, s.temp_pct))
	  FROM (SELECT time_bucket('1 hour', time) t, host, stats_agg(usage) usage, stats_agg(temp::float8) temp,
				   pct_agg(usage) FILTER (WHERE usage > '-Infinity' AND usage < 'Infinity') usage_pct,
				   pct_agg(temp) temp_pct
			  FROM cpu GROUP BY 1, 2) s
	  FULL JOIN cpu_1h r ON r.time = s.t AND r.host IS NOT DISTINCT FROM s.host
	UNION ALL
	SELECT 'cpu_1mon', count(*), count(*) FILTER (WHERE r.time IS NULL OR s.t IS NULL
			OR rollup_diff(r.usage, s.usage) OR rollup_diff(r.temp, s.temp)
			OR pct_diff(r.usage_pct, s.usage_pct) OR pct_diff(r.temp_pct, s.temp_pct))
	  FROM (SELECT time_bucket('1 month', time) t, host, stats_agg(usage) usage, stats_agg(temp::float8) temp,
				   pct_agg(usage) FILTER (WHERE usage > '-Infinity' AND usage < 'Infinity') usage_pct,
				   pct_agg(temp) temp_pct
			  FROM cpu GROUP BY 1, 2) s
	  FULL JOIN cpu_1mon r ON r.time = s.t AND r.host IS NOT DISTINCT FROM s.host
	UNION ALL
	SELECT 'cpu_plain', count(*), count(*) FILTER (WHERE r.time IS NULL OR s.t IS NULL
			OR rollup_diff(r.usage, s.usage))
	  FROM (SELECT time_bucket('1 day', time) t, stats_agg(usage) usage FROM cpu GROUP BY 1) s
	  FULL JOIN cpu_plain r ON r.time = s.t
$$;
SELECT * FROM check_rollups();

-- INSERT (several rows, a late one, new groups), in and out of transactions.
INSERT INTO cpu SELECT '2026-01-03'::timestamptz + i * interval '7 seconds', 'h' || (i % 4), 'r1',
	i / 3.0, i, 0.5, 2, NULL, true FROM generate_series(0, 2000) i;
INSERT INTO cpu VALUES ('2026-01-01 00:00:30', 'late', 'r9', 42, 42, 42, 42, 'late', false);
SELECT * FROM check_rollups();
BEGIN;
INSERT INTO cpu VALUES ('2026-02-10', 'gone', NULL, 1, 1, 1, 1, NULL, NULL);
ROLLBACK;
BEGIN;
SAVEPOINT s;
INSERT INTO cpu VALUES ('2026-02-10', 'gone', NULL, 1, 1, 1, 1, NULL, NULL);
ROLLBACK TO s;
INSERT INTO cpu VALUES ('2026-02-11', 'kept', NULL, 2, 2, 2, 2, NULL, NULL);
COMMIT;
SELECT count(*) FILTER (WHERE host = 'gone') AS gone, count(*) FILTER (WHERE host = 'kept') AS kept FROM cpu_1m;
-- a row that fails a constraint leaves the rollups alone
ALTER TABLE cpu ADD CONSTRAINT not_big CHECK (host <> 'big');
INSERT INTO cpu VALUES ('2026-02-12', 'big', NULL, 1e7, 1, 1, 1, NULL, NULL);
SELECT count(*) AS big FROM cpu_1m WHERE host = 'big';
-- straight into a partition: folded at commit
INSERT INTO cpu_feb VALUES ('2026-02-13', 'direct', NULL, 3, 3, 3, 3, NULL, NULL);
SELECT * FROM check_rollups();

-- COPY
COPY cpu (time, host, usage, temp) FROM stdin;
2026-02-14 00:00:01+00	copy	1.5	1
2026-02-14 00:00:02+00	copy	2.5	\N
2026-02-14 00:00:03+00	\N	\N	3
\.
SELECT * FROM check_rollups();

-- UPDATE (values, groups and times move) and DELETE recompute what they touch.
UPDATE cpu SET usage = usage + 1000, host = 'moved' WHERE time < '2026-01-01 01:00';
UPDATE cpu SET time = time + interval '25 days' WHERE host = 'h3' AND time < '2026-01-03 00:10';
DELETE FROM cpu WHERE time BETWEEN '2026-01-01 02:00' AND '2026-01-01 02:30';
DELETE FROM cpu WHERE host = 'copy';
SELECT * FROM check_rollups();

-- refresh_rollup recomputes a range from the source (here: after rows
-- were changed with the triggers off).
ALTER TABLE cpu DISABLE TRIGGER USER;
DELETE FROM cpu WHERE host = 'h0' AND time < '2026-01-01 12:00';
ALTER TABLE cpu ENABLE TRIGGER USER;
SELECT count(*) > 0 AS stale FROM check_rollups() WHERE wrong > 0;
SELECT streamstat.refresh_rollup('cpu_1m', '2026-01-01', '2026-01-01 12:00');
SELECT streamstat.refresh_rollup('cpu_plain', '2026-01-01', '2026-01-02');
SELECT * FROM check_rollups();

-- A dashboard query on a rollup equals the same query on raw rows.
SELECT count(*) AS hours,
	   count(*) FILTER (WHERE abs(r.m - s.m) > 1e-9 * abs(s.m) OR abs(r.sd - s.sd) > 1e-9 * s.sd) AS wrong
  FROM (SELECT time_bucket('1 hour', time) t, host, mean(rollup(usage)) m, stddev(rollup(usage)) sd
		  FROM cpu_1m GROUP BY 1, 2) r
  JOIN (SELECT time_bucket('1 hour', time) t, host, avg(usage) m, stddev_samp(usage) sd
		  FROM cpu GROUP BY 1, 2) s ON r.t = s.t AND r.host IS NOT DISTINCT FROM s.host;

-- p99 per hour from the minute rollup's sketches equals p99 of pct_agg
-- over the raw rows (what a Grafana panel on the rollup shows).
SELECT count(*) AS hours, count(*) FILTER (WHERE r.p99 IS DISTINCT FROM s.p99) AS wrong
  FROM (SELECT time_bucket('1 hour', time) t, host, percentile(rollup(usage_pct), 0.99) p99
		  FROM cpu_1m GROUP BY 1, 2) r
  JOIN (SELECT time_bucket('1 hour', time) t, host,
			   percentile(pct_agg(usage) FILTER (WHERE usage > '-Infinity' AND usage < 'Infinity'), 0.99) p99
		  FROM cpu GROUP BY 1, 2) s ON r.t = s.t AND r.host IS NOT DISTINCT FROM s.host;

-- Sketches that collapse (values over 120 decades in one bucket) are
-- exact too, whatever the order of the writes that made them.
CREATE TABLE wide (time timestamptz NOT NULL, v float8) PARTITION BY RANGE (time);
CREATE TABLE wide_1 PARTITION OF wide FOR VALUES FROM ('2026-01-01') TO ('2026-02-01');
INSERT INTO wide SELECT '2026-01-01'::timestamptz + (i % 120) * interval '1 second',
	(CASE WHEN i % 3 = 0 THEN -1 ELSE 1 END) * 10 ^ ((i * 7919 % 4000) / 33.0 - 60)
  FROM generate_series(0, 3999) i;
SELECT streamstat.create_rollup('wide_1m', 'wide', '1 minute', percentiles => true);
INSERT INTO wide SELECT '2026-01-01'::timestamptz + (i % 120) * interval '1 second', 10 ^ ((i * 13 % 100) - 50)
  FROM generate_series(0, 999) i;
COPY wide FROM stdin;
2026-01-01 00:00:05+00	0
2026-01-01 00:01:05+00	-1e-300
\.
DELETE FROM wide WHERE v > 1e40;
UPDATE wide SET v = -v WHERE v BETWEEN 1e-10 AND 1e10;
SELECT count(*) AS buckets, min((regexp_match(r.v_pct::text, 'collapses:(\d+)'))[1]::int) > 0 AS collapsed,
	   count(*) FILTER (WHERE s.t IS NULL OR r.time IS NULL OR pct_diff(r.v_pct, s.p)) AS wrong
  FROM (SELECT time_bucket('1 minute', time) t, pct_agg(v) p FROM wide GROUP BY 1) s
  FULL JOIN wide_1m r ON r.time = s.t;
SELECT streamstat.refresh_rollup('wide_1m', '2026-01-01', '2026-01-02');
SELECT count(*) FILTER (WHERE pct_diff(r.v_pct, s.p)) AS wrong
  FROM (SELECT time_bucket('1 minute', time) t, pct_agg(v) p FROM wide GROUP BY 1) s
  JOIN wide_1m r ON r.time = s.t;
SELECT streamstat.drop_rollup('wide_1m');
DROP TABLE wide;

-- TRUNCATE of the source leaves the rollups: that is downsampling.
SELECT rows AS before FROM streamstat.rollups WHERE name = 'cpu_1m'::regclass;
TRUNCATE cpu;
SELECT rows AS after FROM streamstat.rollups WHERE name = 'cpu_1m'::regclass;

-- Errors, with hints.
SELECT streamstat.create_rollup('cpu_1m', 'cpu', '1 minute');
SELECT streamstat.create_rollup('x', 'cpu', '1 minute', '{nohost}');
SELECT streamstat.create_rollup('x', 'cpu', '1 minute', '{usage}');
SELECT streamstat.create_rollup('x', 'cpu', '1 minute', NULL, '{nofield}');
SELECT streamstat.create_rollup('x', 'cpu', '1 minute', NULL, '{host}');
SELECT streamstat.create_rollup('x', 'cpu', '1 minute', NULL, '{ok}');
SELECT streamstat.create_rollup('x', 'cpu_1m', '90 seconds');
SELECT streamstat.create_rollup('x', 'cpu_1mon', '1 day');
SELECT streamstat.create_rollup('x', 'cpu_1h', '1 hour', '{region}');
SELECT streamstat.create_rollup('x', 'cpu_1h', '1 hour', NULL, '{load}');
SELECT streamstat.create_rollup('x', 'cpu', '1 month 1 day');
SELECT streamstat.create_rollup('x', 'cpu', '-1 minute');
SELECT streamstat.create_rollup('x', 'cpu', '1 minute', partition_interval => '1 month');
SELECT streamstat.create_rollup('x', 'cpu_plain', '2 days', percentiles => true);
SELECT streamstat.create_rollup('x', 'cpu', '1 minute', percentiles => NULL);
CREATE TABLE pctname (time timestamptz NOT NULL, v float8, v_pct float8);
SELECT streamstat.create_rollup('x', 'pctname', '1 minute', percentiles => true);
DROP TABLE pctname;
CREATE TABLE notime (t timestamptz, v float8);
SELECT streamstat.create_rollup('x', 'notime', '1 minute');
SELECT streamstat.drop_rollup('notime');
SELECT streamstat.drop_rollup('cpu_1h');
SELECT streamstat.refresh_rollup('cpu_1m', '2026-02-01', '2026-01-01');

-- Retention: whole partitions older than now() - keep go; rollups stay.
CREATE TABLE ret (time timestamptz NOT NULL, host text, v float8) PARTITION BY RANGE (time);
CREATE TABLE ret_old1 PARTITION OF ret FOR VALUES FROM ('2020-01-01') TO ('2020-01-02');
CREATE TABLE ret_old2 PARTITION OF ret FOR VALUES FROM ('2020-01-02') TO ('2020-01-03');
CREATE TABLE ret_now PARTITION OF ret
	FOR VALUES FROM (now() - interval '1 day') TO (now() + interval '1 day');
INSERT INTO ret VALUES ('2020-01-01 10:00', 'a', 1), ('2020-01-02 10:00', 'a', 2), (now(), 'a', 3);
SELECT streamstat.create_rollup('ret_1h', 'ret', '1 hour');
SELECT streamstat.set_retention('ret', '1 microsecond');
SELECT streamstat.set_retention('ret_1h', '10 years', 'detach');
SELECT streamstat.run_retention();
SELECT relation, keep, mode, last_run IS NOT NULL AS ran, partitions_removed, last_error
  FROM streamstat.policies ORDER BY relation::text;
SELECT count(*) AS raw_rows FROM ret;
SELECT count(*) AS rollup_rows, sum(num_vals(v)) AS values FROM ret_1h;
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'ret'::regclass;
-- detach keeps the table, under another name
SELECT streamstat.set_retention('ret_1h', '1 day', 'detach');
SELECT streamstat.run_retention('ret_1h');
SELECT count(*) AS attached FROM pg_inherits WHERE inhparent = 'ret_1h'::regclass;
SELECT count(*) AS detached FROM pg_class WHERE relname LIKE 'ret_1h%detached';
SELECT streamstat.remove_retention('ret');
SELECT streamstat.remove_retention('ret');
SELECT streamstat.set_retention('notime', '1 day');
SELECT streamstat.set_retention('ret', '1 day', 'archive');
SELECT streamstat.set_retention('ret', '-1 day');

-- drop_rollup: the top first; the triggers go with the last rollup.
SELECT streamstat.drop_rollup('cpu_plain');
SELECT streamstat.drop_rollup('cpu_1mon');
SELECT streamstat.drop_rollup('cpu_1h');
SELECT streamstat.drop_rollup('cpu_1m');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'cpu'::regclass AND tgname LIKE 'streamstat%';
SELECT count(*) AS rollups FROM streamstat.rollups WHERE source::text LIKE 'cpu%';
DROP TABLE cpu, ret, notime;
SELECT streamstat.drop_rollup('ret_1h');
DROP FUNCTION check_rollups(), rollup_diff(statsummary, statsummary), pct_diff(pctsketch, pctsketch);
