-- regrsummary: least squares of y against x (src/stats/regrsummary.c).
-- A fixed-size summary (N, Sx, Sxx, Sy, Syy, Sxy) that aggregates, combines
-- and answers the built-in regr_* questions plus inference on the slope.

CREATE TYPE regrsummary;

CREATE FUNCTION streamstat_regrsummary_in(cstring) RETURNS regrsummary
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION streamstat_regrsummary_out(regrsummary) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION streamstat_regrsummary_recv(internal) RETURNS regrsummary
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION streamstat_regrsummary_send(regrsummary) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE regrsummary (
	INTERNALLENGTH = 48,
	INPUT = streamstat_regrsummary_in,
	OUTPUT = streamstat_regrsummary_out,
	RECEIVE = streamstat_regrsummary_recv,
	SEND = streamstat_regrsummary_send,
	ALIGNMENT = double,
	STORAGE = plain
);
COMMENT ON TYPE regrsummary IS
	'least-squares summary of y against x: count, sums and centered sums of squares and products';

-- Combining two summaries: the summary of both inputs together.
CREATE FUNCTION combine(regrsummary, regrsummary) RETURNS regrsummary
	AS 'MODULE_PATHNAME', 'streamstat_regrsummary_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR + (
	LEFTARG = regrsummary,
	RIGHTARG = regrsummary,
	FUNCTION = combine,
	COMMUTATOR = +
);

-- Aggregate support: plain mode (state updated in place, parallel) ...
CREATE FUNCTION streamstat_regr_accum(internal, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION streamstat_regr_accum_tstz(internal, float8, timestamptz) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION streamstat_regr_rollup_accum(internal, regrsummary) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION streamstat_regr_combine_states(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION streamstat_regr_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION streamstat_regr_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION streamstat_regr_final(internal) RETURNS regrsummary
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- ... and moving mode (sliding window frames: rows also leave the state).
CREATE FUNCTION streamstat_regr_maccum(internal, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION streamstat_regr_minv(internal, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION streamstat_regr_maccum_tstz(internal, float8, timestamptz) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION streamstat_regr_minv_tstz(internal, float8, timestamptz) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION streamstat_regr_rollup_maccum(internal, regrsummary) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION streamstat_regr_rollup_minv(internal, regrsummary) RETURNS internal
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION streamstat_regr_mfinal(internal) RETURNS regrsummary
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE regr_agg(y float8, x float8) (
	SFUNC = streamstat_regr_accum,
	STYPE = internal,
	SSPACE = 48,
	FINALFUNC = streamstat_regr_final,
	COMBINEFUNC = streamstat_regr_combine_states,
	SERIALFUNC = streamstat_regr_serialize,
	DESERIALFUNC = streamstat_regr_deserialize,
	MSFUNC = streamstat_regr_maccum,
	MINVFUNC = streamstat_regr_minv,
	MSTYPE = internal,
	MSSPACE = 232,
	MFINALFUNC = streamstat_regr_mfinal,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE regr_agg(float8, float8) IS
	'least-squares summary of y against x; rows with a NULL y or x are skipped';

CREATE AGGREGATE regr_agg(y float8, x timestamptz) (
	SFUNC = streamstat_regr_accum_tstz,
	STYPE = internal,
	SSPACE = 48,
	FINALFUNC = streamstat_regr_final,
	COMBINEFUNC = streamstat_regr_combine_states,
	SERIALFUNC = streamstat_regr_serialize,
	DESERIALFUNC = streamstat_regr_deserialize,
	MSFUNC = streamstat_regr_maccum_tstz,
	MINVFUNC = streamstat_regr_minv_tstz,
	MSTYPE = internal,
	MSSPACE = 232,
	MFINALFUNC = streamstat_regr_mfinal,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE regr_agg(float8, timestamptz) IS
	'least-squares summary of y against time in seconds since the Unix epoch (slopes are per second)';

CREATE AGGREGATE rollup(regrsummary) (
	SFUNC = streamstat_regr_rollup_accum,
	STYPE = internal,
	SSPACE = 48,
	FINALFUNC = streamstat_regr_final,
	COMBINEFUNC = streamstat_regr_combine_states,
	SERIALFUNC = streamstat_regr_serialize,
	DESERIALFUNC = streamstat_regr_deserialize,
	MSFUNC = streamstat_regr_rollup_maccum,
	MINVFUNC = streamstat_regr_rollup_minv,
	MSTYPE = internal,
	MSSPACE = 232,
	MFINALFUNC = streamstat_regr_mfinal,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(regrsummary) IS
	'combines regrsummary values into the summary of all their rows';

-- Accessors.
CREATE FUNCTION num_vals(regrsummary) RETURNS bigint
	AS 'MODULE_PATHNAME', 'streamstat_regr_num_vals'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION slope(regrsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_slope'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION intercept(regrsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_intercept'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION x_intercept(regrsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_x_intercept'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION r2(regrsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_r2'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION corr(regrsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_corr'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION covariance(s regrsummary, method text DEFAULT 'sample') RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_covariance'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION predict(s regrsummary, x float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_predict'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION predict(s regrsummary, x timestamptz) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_predict_tstz'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean_x(regrsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_mean_x'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean_y(regrsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_mean_y'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stddev_x(s regrsummary, method text DEFAULT 'sample') RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_stddev_x'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stddev_y(s regrsummary, method text DEFAULT 'sample') RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_stddev_y'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Inference on the slope (normal errors, t test with n - 2 degrees of freedom).
CREATE FUNCTION slope_stderr(regrsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_slope_stderr'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION intercept_stderr(regrsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_intercept_stderr'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION slope_pvalue(regrsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_regr_slope_pvalue'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION slope_ci(s regrsummary, level float8 DEFAULT 0.95,
						 OUT lower float8, OUT upper float8)
	AS 'MODULE_PATHNAME', 'streamstat_regr_slope_ci'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The Student t distribution behind slope_pvalue and slope_ci.
CREATE FUNCTION streamstat_t_cdf(t float8, df float8) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION streamstat_t_quantile(p float8, df float8) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
