-- ewma(value, alpha) and ewma(value, ts, half_life): exponentially weighted
-- moving averages.  Order-dependent: use them with ORDER BY inside the call
-- or as window functions; no combine function, so never partial.

CREATE FUNCTION streamstat_ewma_trans(internal, float8, float8)
RETURNS internal
AS 'MODULE_PATHNAME'
LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION streamstat_ewma_final(internal)
RETURNS float8
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE ewma(value float8, alpha float8) (
	SFUNC = streamstat_ewma_trans,
	STYPE = internal,
	SSPACE = 8,
	FINALFUNC = streamstat_ewma_final,
	PARALLEL = SAFE
);

CREATE FUNCTION streamstat_ewma_time_trans(internal, float8, timestamptz, interval)
RETURNS internal
AS 'MODULE_PATHNAME'
LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION streamstat_ewma_time_final(internal)
RETURNS float8
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE ewma(value float8, ts timestamptz, half_life interval) (
	SFUNC = streamstat_ewma_time_trans,
	STYPE = internal,
	SSPACE = 48,
	FINALFUNC = streamstat_ewma_time_final,
	PARALLEL = SAFE
);
