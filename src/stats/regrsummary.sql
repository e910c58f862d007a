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

-- Aggregate support.  The state is a regrsummary (not internal), updated in
-- place; with a combine function this lets parallel plans and Citus compute
-- partial summaries where the rows are and merge them.
CREATE FUNCTION regr_agg_trans(regrsummary, float8, float8) RETURNS regrsummary
	AS 'MODULE_PATHNAME', 'streamstat_regr_agg_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regr_agg_trans(regrsummary, float8, timestamptz) RETURNS regrsummary
	AS 'MODULE_PATHNAME', 'streamstat_regr_agg_trans_tstz'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regr_rollup_trans(regrsummary, regrsummary) RETURNS regrsummary
	AS 'MODULE_PATHNAME', 'streamstat_regr_rollup_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regr_agg_combine(regrsummary, regrsummary) RETURNS regrsummary
	AS 'MODULE_PATHNAME', 'streamstat_regr_agg_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION regr_agg_final(regrsummary) RETURNS regrsummary
	AS 'MODULE_PATHNAME', 'streamstat_regr_agg_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- ... and moving mode (sliding window frames: rows also leave the state).
CREATE FUNCTION regr_agg_moving_trans(internal, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_regr_agg_moving_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regr_agg_inv(internal, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_regr_agg_inv'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regr_agg_moving_trans(internal, float8, timestamptz) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_regr_agg_moving_trans_tstz'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regr_agg_inv(internal, float8, timestamptz) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_regr_agg_inv_tstz'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regr_rollup_moving_trans(internal, regrsummary) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_regr_rollup_moving_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regr_rollup_inv(internal, regrsummary) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_regr_rollup_inv'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regr_agg_moving_final(internal) RETURNS regrsummary
	AS 'MODULE_PATHNAME', 'streamstat_regr_agg_moving_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE regr_agg(y float8, x float8) (
	SFUNC = regr_agg_trans,
	STYPE = regrsummary,
	FINALFUNC = regr_agg_final,
	COMBINEFUNC = regr_agg_combine,
	MSFUNC = regr_agg_moving_trans,
	MINVFUNC = regr_agg_inv,
	MSTYPE = internal,
	MSSPACE = 232,
	MFINALFUNC = regr_agg_moving_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE regr_agg(float8, float8) IS
	'least-squares summary of y against x; rows with a NULL y or x are skipped';

CREATE AGGREGATE regr_agg(y float8, x timestamptz) (
	SFUNC = regr_agg_trans,
	STYPE = regrsummary,
	FINALFUNC = regr_agg_final,
	COMBINEFUNC = regr_agg_combine,
	MSFUNC = regr_agg_moving_trans,
	MINVFUNC = regr_agg_inv,
	MSTYPE = internal,
	MSSPACE = 232,
	MFINALFUNC = regr_agg_moving_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE regr_agg(float8, timestamptz) IS
	'least-squares summary of y against time in seconds since the Unix epoch (slopes are per second)';

CREATE AGGREGATE rollup(regrsummary) (
	SFUNC = regr_rollup_trans,
	STYPE = regrsummary,
	FINALFUNC = regr_agg_final,
	COMBINEFUNC = regr_agg_combine,
	MSFUNC = regr_rollup_moving_trans,
	MINVFUNC = regr_rollup_inv,
	MSTYPE = internal,
	MSSPACE = 232,
	MFINALFUNC = regr_agg_moving_final,
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
