-- time_bucket(width, ts [, origin]): the start of the bucket holding ts.
-- Fixed widths (up to weeks; a day is 24 hours) align to the origin, by
-- default Monday 2000-01-03 00:00; month and year widths are calendar
-- buckets from the origin, by default 2000-01-01 00:00.

CREATE FUNCTION time_bucket(width interval, ts timestamptz)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'streamstat_time_bucket'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION time_bucket(width interval, ts timestamptz, origin timestamptz)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'streamstat_time_bucket'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION time_bucket(width interval, ts timestamp)
RETURNS timestamp
AS 'MODULE_PATHNAME', 'streamstat_time_bucket'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION time_bucket(width interval, ts timestamp, origin timestamp)
RETURNS timestamp
AS 'MODULE_PATHNAME', 'streamstat_time_bucket'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Buckets of the local wall-clock time in a zone (local midnights, local
-- month starts); the origin is a local time.  IMMUTABLE like the built-in
-- timezone(text, timestamptz).
CREATE FUNCTION time_bucket(width interval, ts timestamptz, timezone text)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'streamstat_time_bucket_zone'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION time_bucket(width interval, ts timestamptz, timezone text, origin timestamp)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'streamstat_time_bucket_zone'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION time_bucket(width interval, ts date)
RETURNS date
AS 'MODULE_PATHNAME', 'streamstat_time_bucket_date'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION time_bucket(width interval, ts date, origin date)
RETURNS date
AS 'MODULE_PATHNAME', 'streamstat_time_bucket_date'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
