-- Gap filling (src/stats/buckets.c, gapfill.c): buckets() lists every
-- time_bucket of a range to LEFT JOIN aggregates onto; the window
-- functions locf and interpolate fill the NULLs that leaves.

CREATE FUNCTION buckets(start timestamptz, finish timestamptz, width interval)
RETURNS SETOF timestamptz
AS 'MODULE_PATHNAME', 'streamstat_buckets'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
CREATE FUNCTION buckets(start timestamptz, finish timestamptz, width interval, timezone text)
RETURNS SETOF timestamptz
AS 'MODULE_PATHNAME', 'streamstat_buckets'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION buckets(timestamptz, timestamptz, interval) IS
	'start of every time_bucket(width, t) for t in [start, finish)';
COMMENT ON FUNCTION buckets(timestamptz, timestamptz, interval, text) IS
	'start of every time_bucket(width, t, timezone) for t in [start, finish)';

CREATE FUNCTION locf(value anyelement) RETURNS anyelement
AS 'MODULE_PATHNAME', 'streamstat_locf'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION locf(anyelement) IS
	'window function: the last non-NULL value of the partition up to this row';

CREATE FUNCTION interpolate(value float8, ts timestamptz) RETURNS float8
AS 'MODULE_PATHNAME', 'streamstat_interpolate'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION interpolate(float8, timestamptz) IS
	'window function: the value, or a linear interpolation in ts between the previous and next non-NULL values';
