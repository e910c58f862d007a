-- ewma(value, alpha) and ewma(value, ts, half_life): exponentially weighted
-- moving averages.  Order-dependent: use them with ORDER BY inside the call
-- or as window functions; no combine function, so never partial.  Support
-- functions are named <aggregate>_trans/_final; the two forms share
-- ewma_trans (overloaded) and differ in their final functions, which take
-- only the state.

CREATE FUNCTION ewma_trans(internal, float8, float8)
RETURNS internal
AS 'MODULE_PATHNAME', 'streamstat_ewma_trans'
LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION ewma_final(internal)
RETURNS float8
AS 'MODULE_PATHNAME', 'streamstat_ewma_final'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE ewma(value float8, alpha float8) (
	SFUNC = ewma_trans,
	STYPE = internal,
	SSPACE = 8,
	FINALFUNC = ewma_final,
	PARALLEL = SAFE
);

CREATE FUNCTION ewma_trans(internal, float8, timestamptz, interval)
RETURNS internal
AS 'MODULE_PATHNAME', 'streamstat_ewma_time_trans'
LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION ewma_time_final(internal)
RETURNS float8
AS 'MODULE_PATHNAME', 'streamstat_ewma_time_final'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE ewma(value float8, ts timestamptz, half_life interval) (
	SFUNC = ewma_trans,
	STYPE = internal,
	SSPACE = 48,
	FINALFUNC = ewma_time_final,
	PARALLEL = SAFE
);
