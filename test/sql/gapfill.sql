-- Gap filling: buckets() against generate_series-based bucket lists made
-- with time_bucket itself (months, time zones, DST changes included), and
-- the window functions locf and interpolate against hand-computed rows.

SET timezone = 'UTC';

-- buckets(start, finish, width [, zone]) must list exactly the distinct
-- time_bucket values of the instants in [start, finish), ascending; the
-- reference samples the range every `step` (all bucket edges here fall on
-- whole steps).
CREATE FUNCTION pg_temp.check_buckets(start timestamptz, finish timestamptz, width interval,
                                      zone text, step interval)
RETURNS TABLE (n bigint, missing bigint, extra bigint, ascending bool)
LANGUAGE sql AS $$
	WITH got AS (
		SELECT b, i FROM buckets(start, finish, width) WITH ORDINALITY AS g(b, i) WHERE zone IS NULL
		UNION ALL
		SELECT b, i FROM buckets(start, finish, width, zone) WITH ORDINALITY AS g(b, i)),
	ref AS (
		SELECT DISTINCT CASE WHEN zone IS NULL THEN time_bucket(width, t)
		                     ELSE time_bucket(width, t, zone) END AS b
		  FROM generate_series(start, finish - interval '1 microsecond', step) t)
	SELECT (SELECT count(*) FROM got),
	       (SELECT count(*) FROM (SELECT b FROM ref EXCEPT ALL SELECT b FROM got) m),
	       (SELECT count(*) FROM (SELECT b FROM got EXCEPT ALL SELECT b FROM ref) e),
	       (SELECT coalesce(bool_and(g2.b > g1.b), true) FROM got g1 JOIN got g2 ON g2.i = g1.i + 1)
$$;

SELECT w, z, c.*
  FROM (VALUES ('15 minutes'::interval, NULL::text), ('1 hour', NULL), ('1 day', NULL), ('1 week', NULL),
               ('1 hour', 'Europe/Berlin'), ('1 day', 'Europe/Berlin'), ('1 week', 'Europe/Berlin'),
               ('45 minutes', 'Europe/Berlin'), ('1 hour', 'America/New_York'), ('1 day', 'America/New_York'),
               ('1 hour', 'Australia/Lord_Howe'), ('1 day', 'Australia/Lord_Howe'), ('30 minutes', 'Asia/Kolkata'),
               ('1 day', 'UTC'), ('1 hour', 'EST'))
       AS v(w, z),
       pg_temp.check_buckets('2026-03-27 22:17+00', '2026-04-07 03:00+00', w, z, '1 minute') c;
-- the autumn change, and months and years over several of them
SELECT w, z, c.*
  FROM (VALUES ('1 hour'::interval, 'Europe/Berlin'::text), ('30 minutes', 'Europe/Berlin'),
               ('1 day', 'America/New_York'), ('2 hours', 'Australia/Lord_Howe')) AS v(w, z),
       pg_temp.check_buckets('2026-10-24 00:00+00', '2026-11-03 00:00+00', w, z, '1 minute') c;
SELECT w, z, c.*
  FROM (VALUES ('1 month'::interval, NULL::text), ('3 months', NULL), ('1 year', NULL),
               ('1 month', 'Europe/Berlin'), ('2 months', 'America/New_York'), ('1 year', 'Asia/Tokyo')) AS v(w, z),
       pg_temp.check_buckets('2024-01-15 13:00+00', '2027-02-01 00:00+00', w, z, '1 hour') c;

-- what a chart gets: every bucket, also those without rows
SELECT b FROM buckets('2026-03-29 00:00+00', '2026-03-29 05:00+00', '1 hour', 'Europe/Berlin') b;
SELECT b FROM buckets('2026-01-31 00:00+00', '2026-05-01 00:00+00', '1 month') b;
-- empty and reversed ranges, bad arguments
SELECT count(*) FROM buckets('2026-01-01', '2026-01-01', '1 hour');
SELECT count(*) FROM buckets('2026-01-02', '2026-01-01', '1 hour');
SELECT count(*) FROM buckets('2026-01-01', NULL, '1 hour');
SELECT count(*) FROM buckets('2026-01-01', 'infinity', '1 hour');
SELECT count(*) FROM buckets('2026-01-01', '2026-01-02', '1 month 1 day');
SELECT count(*) FROM buckets('2026-01-01', '2026-01-02', '0 seconds');
SELECT count(*) FROM buckets('2026-01-01', '2026-01-02', '1 hour', 'Mars/Olympus_Mons');

-- locf and interpolate over a bucketed series with holes
CREATE TABLE gf_readings (time timestamptz, sensor text, v float8);
INSERT INTO gf_readings VALUES
	('2026-01-01 00:01', 'a', 10), ('2026-01-01 00:02', 'a', 14),
	('2026-01-01 00:31', 'a', 20),
	('2026-01-01 01:20', 'a', 50),
	('2026-01-01 00:12', 'b', 5),
	('2026-01-01 01:05', 'b', NULL), ('2026-01-01 01:16', 'b', 1);
SELECT s.sensor, b AS time, avg(r.v) AS avg,
       locf(avg(r.v)) OVER w AS locf,
       interpolate(avg(r.v), b) OVER w AS interpolated
  FROM buckets('2026-01-01 00:00+00', '2026-01-01 02:00+00', '10 minutes') b
 CROSS JOIN (VALUES ('a'), ('b')) s(sensor)
  LEFT JOIN gf_readings r ON r.sensor = s.sensor AND time_bucket('10 minutes', r.time) = b
 GROUP BY s.sensor, b
WINDOW w AS (PARTITION BY s.sensor ORDER BY b)
 ORDER BY s.sensor, b;

-- locf keeps its type (text, numeric, arrays); NULL-only partitions stay NULL
SELECT i, x, locf(x) OVER (ORDER BY i), locf(n) OVER (ORDER BY i), locf(a) OVER (ORDER BY i)
  FROM (VALUES (1, NULL::text, NULL::numeric, NULL::int[]), (2, 'a', 1.5, '{1}'), (3, NULL, NULL, NULL),
               (4, 'bb', NULL, '{2,3}'), (5, NULL, 2.25, NULL)) t(i, x, n, a);
SELECT i, locf(x) OVER (PARTITION BY i % 2 ORDER BY i)
  FROM (VALUES (1, NULL::int), (2, 7), (3, NULL), (4, NULL)) t(i, x) ORDER BY i;
-- interpolate: uneven times, NULL and infinite times are skipped as anchors
SELECT t, v, interpolate(v, t) OVER (ORDER BY t NULLS LAST, v)
  FROM (VALUES ('2026-01-01 00:00+00'::timestamptz, 0::float8), ('2026-01-01 00:01', NULL),
               ('2026-01-01 00:04', NULL), ('2026-01-01 00:05', NULL), ('2026-01-01 00:10', 100),
               ('2026-01-01 00:11', NULL), ('2026-01-01 00:12', -100), (NULL, 5), ('infinity', 7),
               ('2026-01-01 00:13', NULL)) x(t, v);
-- against a SQL formulation on a longer series with random holes
SELECT setseed(0.7);
CREATE TABLE gf_series AS
SELECT g, '2026-01-01'::timestamptz + i * interval '1 minute' + (random() * 30)::int * interval '1 second' AS t,
       CASE WHEN random() < 0.4 THEN NULL ELSE round((random() * 100)::numeric, 2)::float8 END AS v
  FROM generate_series(1, 3) g, generate_series(1, 3000) i;
SELECT count(*) AS rows, count(*) FILTER (WHERE locf IS DISTINCT FROM ref_locf) AS locf_wrong,
       count(*) FILTER (WHERE abs(interp - ref_interp) > 1e-9 OR (interp IS NULL) <> (ref_interp IS NULL)) AS interpolate_wrong
  FROM (SELECT g, t, v, locf(v) OVER w AS locf, interpolate(v, t) OVER w AS interp,
               (SELECT s.v FROM gf_series s WHERE s.g = x.g AND s.t <= x.t AND s.v IS NOT NULL ORDER BY s.t DESC LIMIT 1) AS ref_locf,
               coalesce(v, (SELECT p.v + (n.v - p.v) * extract(epoch FROM x.t - p.t) / extract(epoch FROM n.t - p.t)
                              FROM (SELECT s.v, s.t FROM gf_series s WHERE s.g = x.g AND s.t < x.t AND s.v IS NOT NULL ORDER BY s.t DESC LIMIT 1) p,
                                   (SELECT s.v, s.t FROM gf_series s WHERE s.g = x.g AND s.t > x.t AND s.v IS NOT NULL ORDER BY s.t LIMIT 1) n)) AS ref_interp
          FROM gf_series x WINDOW w AS (PARTITION BY g ORDER BY t)) y;

DROP TABLE gf_readings, gf_series;
