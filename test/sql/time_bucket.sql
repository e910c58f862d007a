-- time_bucket: fixed widths against date_bin, calendar widths against
-- date_trunc and against origin + k * width computed with PostgreSQL's own
-- interval arithmetic, time zones with DST, infinity, errors and NULLs.
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

-- A few hundred timestamps from 1990 to 2010 (before and after the default
-- origins), spread irregularly, down to the microsecond.
CREATE TEMP TABLE ts_sample AS
SELECT i, '1990-01-01 00:00:00+00'::timestamptz
		  + make_interval(secs => ((i::bigint * 7919 * 7919) % 631152000)
								  + (i * 104729 % 1000000) / 1000000.0) AS ts
  FROM generate_series(1, 400) AS i;
SELECT count(*), min(ts) < '2000-01-01', max(ts) > '2000-01-03' FROM ts_sample;

-- Fixed widths: the same bucket as date_bin with the default origin,
-- Monday 2000-01-03 00:00 UTC.
SELECT count(*) AS comparisons,
	   count(*) FILTER (WHERE time_bucket(w, ts) <> date_bin(w, ts, '2000-01-03 00:00:00+00')) AS mismatches
  FROM ts_sample,
	   unnest('{1 microsecond, 1 second, 7 seconds, 5 minutes, 1 hour, 90 minutes, 1 day, 3 days 4 hours, 1 week, 10 weeks}'::interval[]) AS w;

-- ... and with an explicit origin, for timestamptz and timestamp.
SELECT count(*) AS comparisons,
	   count(*) FILTER (WHERE time_bucket(w, ts, '2003-07-09 11:17:03.5+00'::timestamptz) <> date_bin(w, ts, '2003-07-09 11:17:03.5+00')
						   OR time_bucket(w, ts::timestamp, '1989-12-31 23:59:59') <> date_bin(w, ts::timestamp, '1989-12-31 23:59:59')
						   OR time_bucket(w, ts::timestamp) <> date_bin(w, ts::timestamp, '2000-01-03 00:00:00')) AS mismatches
  FROM ts_sample,
	   unnest('{1 second, 15 minutes, 1 hour, 1 day, 1 week}'::interval[]) AS w;

-- Weeks start on Monday; '1 day' is 24 hours in the UTC form.
SELECT time_bucket('1 week', '2024-05-19 23:59:59+00'::timestamptz) AS sunday,
	   extract(isodow FROM time_bucket('1 week', '2024-05-19 23:59:59+00'::timestamptz)) AS isodow,
	   time_bucket('1 day', '2024-03-31 12:00+02'::timestamptz) AS utc_day;

-- Before the origin, buckets floor toward minus infinity.
SELECT time_bucket('1 hour', '1999-12-31 23:30:00+00'::timestamptz, '2000-01-01 00:15:00+00'::timestamptz) AS hour,
	   time_bucket('1 day', '1969-07-20 20:17:40'::timestamp) AS day,
	   time_bucket('1 week', '0044-03-15 12:00:00 BC'::timestamp) AS week_bc,
	   date_trunc('week', '0044-03-15 12:00:00 BC'::timestamp) AS date_trunc_week_bc;

-- Calendar widths: '1 month', '3 months' and '1 year' are date_trunc's
-- month, quarter and year with the default origin 2000-01-01.
SELECT count(*) FILTER (WHERE time_bucket('1 month', ts) <> date_trunc('month', ts)) AS month,
	   count(*) FILTER (WHERE time_bucket('3 months', ts) <> date_trunc('quarter', ts)) AS quarter,
	   count(*) FILTER (WHERE time_bucket('1 year', ts) <> date_trunc('year', ts)) AS year,
	   count(*) FILTER (WHERE time_bucket('10 years', ts) <> date_trunc('decade', ts)) AS decade,
	   count(*) FILTER (WHERE time_bucket('1 month', ts::timestamp) <> date_trunc('month', ts::timestamp)) AS month_ts
  FROM ts_sample;

-- Any calendar width and origin: the latest origin + k * width (PostgreSQL's
-- interval arithmetic, which clamps the day to the month's end) at or before
-- ts.  Origins on the 31st, on a leap day, and after every sample.
SELECT count(*) AS comparisons,
	   count(*) FILTER (WHERE time_bucket(w, ts, o) IS DISTINCT FROM
							  (SELECT max(o + k * w) FROM generate_series(-520, 520) AS k WHERE o + k * w <= ts)) AS mismatches
  FROM unnest('{1 month, 2 months, 5 months, 1 year, 1 year 6 months}'::interval[]) AS w,
	   unnest('{2000-01-15 06:00:00+00, 1999-01-31 00:00:00+00, 2004-02-29 12:34:56.789+00, 2031-10-31 00:00:00+00}'::timestamptz[]) AS o,
	   ts_sample;

-- Month-end origins clamp, as timestamp + interval does.
SELECT ts, time_bucket('1 month', ts, '2000-01-31') AS bucket
  FROM unnest('{2024-02-28, 2024-02-29 00:00, 2024-03-30, 2024-03-31, 2023-02-28 23:59}'::timestamp[]) AS ts;

-- The date form.
SELECT count(*) FILTER (WHERE time_bucket('1 week', ts::date) <> date_trunc('week', ts)::date) AS week,
	   count(*) FILTER (WHERE time_bucket('1 month', ts::date) <> date_trunc('month', ts)::date) AS month,
	   count(*) FILTER (WHERE time_bucket('1 day', ts::date) <> ts::date) AS day,
	   count(*) FILTER (WHERE time_bucket('10 days', ts::date, '2001-02-03') <> date_bin('10 days', ts::date::timestamp, '2001-02-03')::date) AS ten_days
  FROM ts_sample;

-- Time zones: local midnights across the 2024 DST changes in Berlin
-- (31 March, 27 October), every 20 minutes for four days around each.
CREATE TEMP TABLE berlin AS
SELECT ts
  FROM generate_series('2024-03-29 00:00+00'::timestamptz, '2024-04-02 00:00+00', '20 minutes') AS ts
UNION ALL
SELECT ts
  FROM generate_series('2024-10-25 00:00+00'::timestamptz, '2024-10-29 00:00+00', '20 minutes') AS ts;
SELECT count(*) AS samples,
	   count(*) FILTER (WHERE time_bucket('1 day', ts, 'Europe/Berlin') <> date_trunc('day', ts, 'Europe/Berlin')) AS day,
	   count(*) FILTER (WHERE time_bucket('1 hour', ts, 'Europe/Berlin') <> date_trunc('hour', ts, 'Europe/Berlin')) AS hour,
	   count(*) FILTER (WHERE time_bucket('1 week', ts, 'Europe/Berlin') <> date_trunc('week', ts, 'Europe/Berlin')) AS week,
	   count(*) FILTER (WHERE time_bucket('1 month', ts, 'Europe/Berlin') <> date_trunc('month', ts, 'Europe/Berlin')) AS month,
	   count(*) FILTER (WHERE time_bucket('1 day', ts, 'Europe/Berlin') > ts) AS after_ts
  FROM berlin;
SELECT DISTINCT time_bucket('1 day', ts, 'Europe/Berlin') AS bucket,
	   time_bucket('1 day', ts, 'Europe/Berlin') AT TIME ZONE 'Europe/Berlin' AS local_start
  FROM berlin
 ORDER BY 1;

-- Other zone spellings, read as timezone() reads them: a fixed and a
-- dynamic abbreviation, a POSIX offset (positive west), and zone names.
SELECT z AS zone,
	   count(*) FILTER (WHERE time_bucket('1 day', ts, z) <> date_trunc('day', ts, z)) AS day,
	   count(*) FILTER (WHERE time_bucket('1 hour', ts, z) <> date_trunc('hour', ts, z)) AS hour,
	   count(*) FILTER (WHERE time_bucket('1 month', ts, z) <> date_trunc('month', ts, z)) AS month
  FROM berlin, unnest('{EST, MSK, +05:30, <+0545>-5:45, America/New_York, Australia/Lord_Howe, UTC}'::text[]) AS z
 GROUP BY z
 ORDER BY z COLLATE "C";

-- The repeated hour on 27 October: two distinct hourly buckets, each at
-- or before its timestamps.
SELECT ts, time_bucket('1 hour', ts, 'Europe/Berlin') AS bucket,
	   time_bucket('30 minutes', ts, 'Europe/Berlin') AS half_hour
  FROM generate_series('2024-10-26 23:50+00'::timestamptz, '2024-10-27 01:10+00', '20 minutes') AS ts;

-- A local origin: days from 06:00 local time.
SELECT time_bucket('1 day', '2024-03-31 05:00+02'::timestamptz, 'Europe/Berlin', '2000-01-01 06:00') AS before_six,
	   time_bucket('1 day', '2024-03-31 07:00+02'::timestamptz, 'Europe/Berlin', '2000-01-01 06:00') AS after_six,
	   time_bucket('3 months', '2024-01-01 00:30+01'::timestamptz, 'Europe/Berlin') AS quarter,
	   time_bucket('1 day', '2024-06-01 12:00+00'::timestamptz, 'Asia/Kolkata') AS kolkata_day;

-- Infinity returns itself.
SELECT time_bucket('1 hour', 'infinity'::timestamptz) AS tstz,
	   time_bucket('1 month', '-infinity'::timestamp) AS ts,
	   time_bucket('1 day', 'infinity'::timestamptz, 'Europe/Berlin') AS zone,
	   time_bucket('1 week', '-infinity'::date) AS date;

-- NULL in, NULL out.
SELECT time_bucket(NULL, now()) IS NULL AS null_width,
	   time_bucket('1 hour', NULL::timestamptz) IS NULL AS null_ts,
	   time_bucket('1 hour', now(), NULL::timestamptz) IS NULL AS null_origin,
	   time_bucket('1 hour', now(), NULL::text) IS NULL AS null_zone;

-- Errors.
SELECT time_bucket('1 month 2 days', now());
SELECT time_bucket('1 year 1 second', now(), 'Europe/Berlin');
SELECT time_bucket('0 minutes', now());
SELECT time_bucket('-5 minutes', now());
SELECT time_bucket('-1 month', now());
SELECT time_bucket('1 day', now(), '-infinity'::timestamptz);
SELECT time_bucket('6 hours', current_date);
SELECT time_bucket('1 day', now(), 'Mars/Olympus_Mons');
-- An untyped third argument is taken as a time zone; the hint says so.
SELECT time_bucket('1 day', now(), '2020-01-01 06:00');
SELECT time_bucket('1 year', '4714-11-24 12:00:00+00 BC'::timestamptz);
SELECT time_bucket('1 day', '294276-12-31 23:59:59'::timestamp, '4714-11-24 00:00:00 BC');

RESET timezone;
RESET datestyle;
