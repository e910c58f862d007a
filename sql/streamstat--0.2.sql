/* streamstat--0.2.sql: release 0.2, frozen (assembled by make from src at the release; never edit) */

\echo Use "CREATE EXTENSION streamstat" to load this file. \quit

-- src/streamstat.sql
-- Schema for streamstat's own catalog and views (rejects, ingest_stats,
-- tokens).  Analytics types and functions go in the extension's schema.
CREATE SCHEMA streamstat;
GRANT USAGE ON SCHEMA streamstat TO PUBLIC;

-- The ingest worker needs the library preloaded; analytics does not.
-- (A WARNING: extension scripts run with client_min_messages >= warning.)
DO $$
BEGIN
	IF NOT pg_catalog.string_to_array(pg_catalog.replace(
			pg_catalog.current_setting('shared_preload_libraries'), ' ', ''), ',')
		@> ARRAY['streamstat'] THEN
		RAISE WARNING 'streamstat analytics are ready; the line-protocol listener is not running'
			USING HINT = 'Add streamstat to shared_preload_libraries and restart PostgreSQL to ingest over the socket.';
	END IF;
END
$$;

-- src/stats/statsummary.sql
-- statsummary: one-variable statistics (src/stats/statsummary.c and
-- statsummary_window.c).  stats_agg(float8) summarises values, rollup()
-- and + merge summaries, accessors read them.

CREATE TYPE statsummary;

CREATE FUNCTION statsummary_in(cstring) RETURNS statsummary
	AS 'MODULE_PATHNAME', 'streamstat_statsummary_in'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION statsummary_out(statsummary) RETURNS cstring
	AS 'MODULE_PATHNAME', 'streamstat_statsummary_out'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION statsummary_recv(internal) RETURNS statsummary
	AS 'MODULE_PATHNAME', 'streamstat_statsummary_recv'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION statsummary_send(statsummary) RETURNS bytea
	AS 'MODULE_PATHNAME', 'streamstat_statsummary_send'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE statsummary (
	INPUT = statsummary_in,
	OUTPUT = statsummary_out,
	RECEIVE = statsummary_recv,
	SEND = statsummary_send,
	INTERNALLENGTH = 56,
	ALIGNMENT = double,
	STORAGE = plain
);
COMMENT ON TYPE statsummary IS
	'count, sum, central moments M2..M4, min and max of a set of float8 values';

-- Merging stored summaries.
CREATE FUNCTION statsummary_combine(statsummary, statsummary) RETURNS statsummary
	AS 'MODULE_PATHNAME', 'streamstat_statsummary_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR + (
	LEFTARG = statsummary,
	RIGHTARG = statsummary,
	FUNCTION = statsummary_combine,
	COMMUTATOR = +
);

-- Aggregate support.  The state is a statsummary (not internal), updated in
-- place; with a combine function this lets parallel plans and Citus compute
-- partial summaries where the rows are and merge them.
CREATE FUNCTION stats_agg_trans(statsummary, float8) RETURNS statsummary
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_rollup_trans(statsummary, statsummary) RETURNS statsummary
	AS 'MODULE_PATHNAME', 'streamstat_stats_rollup_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_agg_combine(statsummary, statsummary) RETURNS statsummary
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Aggregate support: sliding windows (inverse transitions).
CREATE FUNCTION stats_agg_moving_trans(internal, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_moving_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_agg_inv(internal, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_inv'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_rollup_moving_trans(internal, statsummary) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_rollup_moving_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_rollup_inv(internal, statsummary) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_rollup_inv'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_agg_moving_final(internal) RETURNS statsummary
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_moving_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE stats_agg(float8) (
	SFUNC = stats_agg_trans,
	STYPE = statsummary,
	COMBINEFUNC = stats_agg_combine,
	MSFUNC = stats_agg_moving_trans,
	MINVFUNC = stats_agg_inv,
	MSTYPE = internal,
	MSSPACE = 200,
	MFINALFUNC = stats_agg_moving_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE stats_agg(float8) IS
	'summary of the non-NULL values: count, sum, moments, min, max';

CREATE AGGREGATE rollup(statsummary) (
	SFUNC = stats_rollup_trans,
	STYPE = statsummary,
	COMBINEFUNC = stats_agg_combine,
	MSFUNC = stats_rollup_moving_trans,
	MINVFUNC = stats_rollup_inv,
	MSTYPE = internal,
	MSSPACE = 200,
	MFINALFUNC = stats_agg_moving_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(statsummary) IS
	'merge of the non-NULL summaries, as if stats_agg had seen all their values';

-- Accessors.  method is 'sample' (the default) or 'population'.
CREATE FUNCTION num_vals(s statsummary) RETURNS bigint
	AS 'MODULE_PATHNAME', 'streamstat_stats_num_vals'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean(s statsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_stats_mean'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION sum(s statsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_stats_sum'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION min(s statsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_stats_min'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION max(s statsummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_stats_max'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION variance(s statsummary, method text DEFAULT 'sample') RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_stats_variance'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stddev(s statsummary, method text DEFAULT 'sample') RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_stats_stddev'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION skewness(s statsummary, method text DEFAULT 'sample') RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_stats_skewness'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kurtosis(s statsummary, method text DEFAULT 'sample') RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_stats_kurtosis'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION zscore(s statsummary, x float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_stats_zscore'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- src/stats/regrsummary.sql
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

-- src/stats/time_bucket.sql
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

-- src/stats/ewma.sql
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

-- src/stats/sparkline.sql
-- sparkline(value [, width]): a series as one line of ▁▂▃▄▅▆▇█ for psql.
-- Order-dependent: call it with ORDER BY (sparkline(v ORDER BY time)); no
-- combine function, so never partial.  NULLs (gaps) are drawn as spaces.

CREATE FUNCTION sparkline_trans(internal, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_sparkline_trans'
	LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sparkline_trans(internal, float8, int4) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_sparkline_trans'
	LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sparkline_final(internal) RETURNS text
	AS 'MODULE_PATHNAME', 'streamstat_sparkline_final'
	LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE sparkline(value float8) (
	SFUNC = sparkline_trans,
	STYPE = internal,
	FINALFUNC = sparkline_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE sparkline(float8) IS
	'the values in order as one line of block characters, one per row; NULLs as spaces';

CREATE AGGREGATE sparkline(value float8, width int4) (
	SFUNC = sparkline_trans,
	STYPE = internal,
	FINALFUNC = sparkline_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE sparkline(float8, int4) IS
	'the values in order as one line of at most width block characters (runs of rows averaged); gaps as spaces';

-- src/stats/pctsketch.sql
-- pctsketch: relative-error quantile sketches (src/stats/pctsketch.c and
-- pctsketch_window.c).  pct_agg(value [, max_error [, max_buckets]])
-- sketches values, rollup() and + merge sketches, accessors read them.

CREATE TYPE pctsketch;

CREATE FUNCTION pctsketch_in(cstring) RETURNS pctsketch
	AS 'MODULE_PATHNAME', 'streamstat_pctsketch_in'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pctsketch_out(pctsketch) RETURNS cstring
	AS 'MODULE_PATHNAME', 'streamstat_pctsketch_out'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pctsketch_recv(internal) RETURNS pctsketch
	AS 'MODULE_PATHNAME', 'streamstat_pctsketch_recv'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pctsketch_send(pctsketch) RETURNS bytea
	AS 'MODULE_PATHNAME', 'streamstat_pctsketch_send'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE pctsketch (
	INPUT = pctsketch_in,
	OUTPUT = pctsketch_out,
	RECEIVE = pctsketch_recv,
	SEND = pctsketch_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);
COMMENT ON TYPE pctsketch IS
	'relative-error quantile sketch (logarithmic buckets) of a set of float8 values';

-- Merging stored sketches.
CREATE FUNCTION pctsketch_combine(pctsketch, pctsketch) RETURNS pctsketch
	AS 'MODULE_PATHNAME', 'streamstat_pctsketch_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR + (
	LEFTARG = pctsketch,
	RIGHTARG = pctsketch,
	FUNCTION = pctsketch_combine,
	COMMUTATOR = +
);

-- Aggregate support: the state is the pctsketch, updated in place.
CREATE FUNCTION pct_agg_trans(pctsketch, float8) RETURNS pctsketch
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pct_agg_trans(pctsketch, float8, float8) RETURNS pctsketch
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pct_agg_trans(pctsketch, float8, float8, int4) RETURNS pctsketch
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pct_agg_combine(pctsketch, pctsketch) RETURNS pctsketch
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pct_agg_final(pctsketch) RETURNS pctsketch
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Aggregate support: sliding windows (the moving state is internal).
CREATE FUNCTION pct_agg_trans(internal, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_moving_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pct_agg_trans(internal, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_moving_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pct_agg_trans(internal, float8, float8, int4) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_moving_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pct_agg_inv(internal, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_inv'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pct_agg_inv(internal, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_inv'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pct_agg_inv(internal, float8, float8, int4) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_inv'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pct_agg_final(internal) RETURNS pctsketch
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_moving_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE pct_agg(value float8) (
	SFUNC = pct_agg_trans,
	STYPE = pctsketch,
	FINALFUNC = pct_agg_final,
	COMBINEFUNC = pct_agg_combine,
	MSFUNC = pct_agg_trans,
	MINVFUNC = pct_agg_inv,
	MSTYPE = internal,
	MSSPACE = 4096,
	MFINALFUNC = pct_agg_final,
	PARALLEL = SAFE
);
CREATE AGGREGATE pct_agg(value float8, max_error float8) (
	SFUNC = pct_agg_trans,
	STYPE = pctsketch,
	FINALFUNC = pct_agg_final,
	COMBINEFUNC = pct_agg_combine,
	MSFUNC = pct_agg_trans,
	MINVFUNC = pct_agg_inv,
	MSTYPE = internal,
	MSSPACE = 4096,
	MFINALFUNC = pct_agg_final,
	PARALLEL = SAFE
);
CREATE AGGREGATE pct_agg(value float8, max_error float8, max_buckets int4) (
	SFUNC = pct_agg_trans,
	STYPE = pctsketch,
	FINALFUNC = pct_agg_final,
	COMBINEFUNC = pct_agg_combine,
	MSFUNC = pct_agg_trans,
	MINVFUNC = pct_agg_inv,
	MSTYPE = internal,
	MSSPACE = 4096,
	MFINALFUNC = pct_agg_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE pct_agg(float8) IS
	'quantile sketch of the non-NULL values, max_error 0.01, at most 1024 buckets';
COMMENT ON AGGREGATE pct_agg(float8, float8) IS
	'quantile sketch of the non-NULL values with the given relative max_error';
COMMENT ON AGGREGATE pct_agg(float8, float8, int4) IS
	'quantile sketch of the non-NULL values with the given max_error and bucket budget';

CREATE FUNCTION rollup_trans(pctsketch, pctsketch) RETURNS pctsketch
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rollup_combine(pctsketch, pctsketch) RETURNS pctsketch
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rollup_final(pctsketch) RETURNS pctsketch
	AS 'MODULE_PATHNAME', 'streamstat_pct_agg_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE rollup(pctsketch) (
	SFUNC = rollup_trans,
	STYPE = pctsketch,
	FINALFUNC = rollup_final,
	COMBINEFUNC = rollup_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(pctsketch) IS
	'merge of the non-NULL sketches, as if pct_agg had seen all their values';

-- Accessors.
CREATE FUNCTION percentile(s pctsketch, p float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_pct_percentile'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION percentiles(s pctsketch, p float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'streamstat_pct_percentiles'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION percentile_rank(s pctsketch, v float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_pct_percentile_rank'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION max_error(s pctsketch) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_pct_max_error'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION num_vals(s pctsketch) RETURNS bigint
	AS 'MODULE_PATHNAME', 'streamstat_pct_num_vals'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION min(s pctsketch) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_pct_min'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION max(s pctsketch) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_pct_max'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mean(s pctsketch) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_pct_mean'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION num_buckets(s pctsketch) RETURNS integer
	AS 'MODULE_PATHNAME', 'streamstat_pct_num_buckets'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- src/stats/counter.sql
-- countersummary: increases and rates of monotonic counters that may reset
-- (src/stats/counter.c).  counter_agg(value, ts) summarizes samples in any
-- order, rollup() and + combine summaries of adjacent time ranges.

CREATE TYPE countersummary;

CREATE FUNCTION countersummary_in(cstring) RETURNS countersummary
	AS 'MODULE_PATHNAME', 'streamstat_countersummary_in'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION countersummary_out(countersummary) RETURNS cstring
	AS 'MODULE_PATHNAME', 'streamstat_countersummary_out'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION countersummary_recv(internal) RETURNS countersummary
	AS 'MODULE_PATHNAME', 'streamstat_countersummary_recv'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION countersummary_send(countersummary) RETURNS bytea
	AS 'MODULE_PATHNAME', 'streamstat_countersummary_send'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE countersummary (
	INPUT = countersummary_in,
	OUTPUT = countersummary_out,
	RECEIVE = countersummary_recv,
	SEND = countersummary_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);
COMMENT ON TYPE countersummary IS
	'increase, resets, first and last sample of a counter over a time range';

CREATE FUNCTION countersummary_combine(countersummary, countersummary) RETURNS countersummary
	AS 'MODULE_PATHNAME', 'streamstat_countersummary_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR + (
	LEFTARG = countersummary,
	RIGHTARG = countersummary,
	FUNCTION = countersummary_combine,
	COMMUTATOR = +
);

-- Aggregate support: the state is the countersummary, appended in place.
CREATE FUNCTION counter_agg_trans(countersummary, float8, timestamptz) RETURNS countersummary
	AS 'MODULE_PATHNAME', 'streamstat_counter_agg_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION counter_agg_combine(countersummary, countersummary) RETURNS countersummary
	AS 'MODULE_PATHNAME', 'streamstat_counter_agg_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION counter_agg_final(countersummary) RETURNS countersummary
	AS 'MODULE_PATHNAME', 'streamstat_counter_agg_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE counter_agg(value float8, ts timestamptz) (
	SFUNC = counter_agg_trans,
	STYPE = countersummary,
	FINALFUNC = counter_agg_final,
	COMBINEFUNC = counter_agg_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE counter_agg(float8, timestamptz) IS
	'counter samples (in any order) summarized: increase with resets, times, count';

CREATE FUNCTION rollup_trans(countersummary, countersummary) RETURNS countersummary
	AS 'MODULE_PATHNAME', 'streamstat_counter_agg_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rollup_combine(countersummary, countersummary) RETURNS countersummary
	AS 'MODULE_PATHNAME', 'streamstat_counter_agg_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rollup_final(countersummary) RETURNS countersummary
	AS 'MODULE_PATHNAME', 'streamstat_counter_agg_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE rollup(countersummary) (
	SFUNC = rollup_trans,
	STYPE = countersummary,
	FINALFUNC = rollup_final,
	COMBINEFUNC = rollup_combine,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE rollup(countersummary) IS
	'combination of summaries of adjacent, non-overlapping time ranges';

-- Accessors.
CREATE FUNCTION delta(s countersummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_counter_delta'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rate(s countersummary) RETURNS float8
	AS 'MODULE_PATHNAME', 'streamstat_counter_rate'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION num_resets(s countersummary) RETURNS bigint
	AS 'MODULE_PATHNAME', 'streamstat_counter_num_resets'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION num_vals(s countersummary) RETURNS bigint
	AS 'MODULE_PATHNAME', 'streamstat_counter_num_vals'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION first_time(s countersummary) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'streamstat_counter_first_time'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION last_time(s countersummary) RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'streamstat_counter_last_time'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- src/stats/gapfill.sql
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

-- src/ingest/ingest.sql
-- Ingest: where bad lines go, and what the workers are doing.

-- Every line the ingest workers could not store, with the reason.  Written
-- in the same transaction as the rows of the batch it came with.
CREATE TABLE streamstat.rejects (
	received_at timestamptz NOT NULL,
	client		text,
	line		text,
	reason		text NOT NULL
);
COMMENT ON TABLE streamstat.rejects IS
	'Lines the ingest workers could not store: when, from which client (address:port), the line (non-UTF-8 bytes as \xNN), and why';
-- pg_dump keeps the rejects (the table belongs to the extension).
SELECT pg_catalog.pg_extension_config_dump('streamstat.rejects', '');

CREATE FUNCTION streamstat.ingest_stats_internal(
	OUT worker int, OUT pid int,
	OUT connections_open bigint, OUT connections_total bigint,
	OUT bytes_received bigint, OUT lines_received bigint,
	OUT rows_inserted bigint, OUT lines_rejected bigint,
	OUT flushes bigint, OUT last_flush timestamptz,
	OUT last_flush_ms double precision, OUT last_error text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'streamstat_ingest_stats'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;

-- The security counters of each worker (ingest_stats appends them).
CREATE FUNCTION streamstat.ingest_security_stats_internal(
	OUT worker int, OUT auth_failures bigint,
	OUT tls_connections bigint, OUT tls_failures bigint,
	OUT cleartext_connections bigint, OUT cleartext_refused bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'streamstat_ingest_security_stats'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;

-- One row per configured ingest worker (pid is NULL when it is not running).
CREATE OR REPLACE VIEW streamstat.ingest_stats AS
	SELECT s.worker, s.pid, s.connections_open, s.connections_total,
		s.bytes_received, s.lines_received, s.rows_inserted, s.lines_rejected,
		s.flushes, s.last_flush, s.last_flush_ms, s.last_error,
		x.auth_failures, x.tls_connections, x.tls_failures,
		x.cleartext_connections, x.cleartext_refused
	FROM streamstat.ingest_stats_internal() s
	JOIN streamstat.ingest_security_stats_internal() x ON x.worker OPERATOR(pg_catalog.=) s.worker;

-- src/ingest/auth.sql
-- Tokens of the HTTP write API (src/ingest/auth.c).  A token's secret is
-- shown once by create_token() and stored only as its SHA-256; a token may
-- be limited to one schema (NULL: any).  Only superusers (and the owner)
-- read the table or call these functions.
CREATE TABLE streamstat.tokens (
	id bigserial PRIMARY KEY,
	name text NOT NULL UNIQUE CHECK (name <> ''),
	hash bytea NOT NULL UNIQUE CHECK (pg_catalog.length(hash) = 32),
	schema_name name,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	revoked_at timestamptz
);
COMMENT ON TABLE streamstat.tokens IS
	'API tokens of the HTTP write API; hash is the SHA-256 of the secret, which is never stored';
REVOKE ALL ON streamstat.tokens FROM PUBLIC;
REVOKE ALL ON SEQUENCE streamstat.tokens_id_seq FROM PUBLIC;

-- Tokens are user data: pg_dump keeps them.
SELECT pg_catalog.pg_extension_config_dump('streamstat.tokens', '');
SELECT pg_catalog.pg_extension_config_dump('streamstat.tokens_id_seq', '');

CREATE FUNCTION streamstat.create_token(name text, schema_name text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'streamstat_create_token'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION streamstat.create_token(text, text) IS
	'create an HTTP write token and return its secret (shown only this once)';

CREATE FUNCTION streamstat.revoke_token(name text)
RETURNS boolean
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$
	WITH revoked AS (
		UPDATE streamstat.tokens t SET revoked_at = pg_catalog.now()
		 WHERE t.name OPERATOR(pg_catalog.=) $1 AND t.revoked_at IS NULL
		RETURNING 1)
	SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM revoked
$$;
COMMENT ON FUNCTION streamstat.revoke_token(text) IS
	'revoke an HTTP write token; false when no live token has that name';

CREATE FUNCTION streamstat.check_token(secret text,
	OUT valid boolean, OUT token_name text, OUT schema_name text)
RETURNS record
AS 'MODULE_PATHNAME', 'streamstat_check_token'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION streamstat.check_token(text) IS
	'check a presented secret as the HTTP write API does';

REVOKE ALL ON FUNCTION streamstat.create_token(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION streamstat.revoke_token(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION streamstat.check_token(text) FROM PUBLIC;

-- src/rollup/rollup.sql
-- Continuous rollups and retention (src/rollup/).
--
-- A rollup is a table of summaries per (time bucket, group): one statsummary
-- per field, and with percentiles => true one pctsketch per field beside it
-- (column <field>_pct, pct_agg's defaults: max_error 0.01, 1024 buckets).  The ingest workers fold each flush into every rollup of its
-- table in the same transaction as the rows (src/rollup/rollup_fold.c);
-- other writers keep rollups exact through the triggers below; retention is
-- run by the maintenance worker (src/rollup/maintenance.c).

-- One row per rollup.  Tables are named, not referenced by oid, so that the
-- catalog survives pg_dump and pg_upgrade; renaming a rollup or its source
-- is not supported.
CREATE TABLE streamstat.rollup_defs (
	id			serial PRIMARY KEY,
	rollup_schema name NOT NULL,
	rollup_name name NOT NULL,
	source_schema name NOT NULL,	-- the table or rollup it summarises
	source_name name NOT NULL,
	root_schema name NOT NULL,	-- the raw table at the bottom of the chain
	root_name	name NOT NULL,
	level		int NOT NULL,	-- 1: the source is the raw table
	bucket		interval NOT NULL,
	group_by	text[] NOT NULL,
	fields		text[] NOT NULL,
	-- Kinds of summary kept per field, one column each: 'statsummary'
	-- (column <field>) and, with percentiles, 'pctsketch' (<field>_pct).
	summary_kinds text[] NOT NULL DEFAULT '{statsummary}',
	partition_interval interval NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	UNIQUE (rollup_schema, rollup_name)
);
COMMENT ON TABLE streamstat.rollup_defs IS
	'Rollups: summaries per time bucket and group, kept current by the ingest workers and triggers';
SELECT pg_catalog.pg_extension_config_dump('streamstat.rollup_defs', '');
SELECT pg_catalog.pg_extension_config_dump('streamstat.rollup_defs_id_seq', '');
GRANT SELECT ON streamstat.rollup_defs TO PUBLIC;

-- When each backend last changed a rollup (one row per rollup and backend,
-- so that concurrent writers never wait on each other here).
CREATE TABLE streamstat.rollup_activity (
	rollup_id	int NOT NULL,
	pid			int NOT NULL,
	changed_at	timestamptz NOT NULL,
	PRIMARY KEY (rollup_id, pid)
);

-- Retention policies: partitions wholly older than now() - keep go.
CREATE TABLE streamstat.retention_policies (
	relation_schema name NOT NULL,
	relation_name name NOT NULL,
	keep		interval NOT NULL,
	mode		text NOT NULL CHECK (mode IN ('drop', 'detach')),
	last_run	timestamptz,
	partitions_removed bigint NOT NULL DEFAULT 0,
	last_error	text,
	PRIMARY KEY (relation_schema, relation_name)
);
COMMENT ON TABLE streamstat.retention_policies IS
	'Retention: the maintenance worker removes partitions whose whole range is older than now() - keep';
SELECT pg_catalog.pg_extension_config_dump('streamstat.retention_policies', '');

-- C support (src/rollup/rollup_fold.c, rollup_trigger.c).
-- Make the partition of a rollup (partitions width wide) that holds t.
CREATE FUNCTION streamstat.rollup_ensure_partition(rollup regclass, width interval, t timestamptz)
RETURNS void
AS 'MODULE_PATHNAME', 'streamstat_rollup_ensure_partition'
LANGUAGE C VOLATILE STRICT;

CREATE FUNCTION streamstat.rollup_capturing()
RETURNS boolean
AS 'MODULE_PATHNAME', 'streamstat_rollup_capturing'
LANGUAGE C VOLATILE PARALLEL SAFE;

CREATE FUNCTION streamstat.rollup_capture_row()
RETURNS trigger
AS 'MODULE_PATHNAME', 'streamstat_rollup_capture_row'
LANGUAGE C;

CREATE FUNCTION streamstat.rollup_apply_statement()
RETURNS trigger
AS 'MODULE_PATHNAME', 'streamstat_rollup_apply_statement'
LANGUAGE C;

-- The rollup's table as regclass, or NULL when it is gone.
CREATE FUNCTION streamstat.rollup_relation(d streamstat.rollup_defs)
RETURNS regclass
LANGUAGE sql STABLE
AS $$ SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', d.rollup_schema, d.rollup_name)) $$;

-- The SELECT that summarises the source rows of [lo, hi) per bucket and
-- group of rollup d (raw rows with stats_agg and pct_agg, summaries with
-- rollup).  NaN and infinities have no place in a sketch: left out of it.
CREATE FUNCTION streamstat.rollup_select_sql(d streamstat.rollup_defs)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	cols text := '';
	grp text := '1';
	g text;
	f text;
	i int := 1;
BEGIN
	FOREACH g IN ARRAY d.group_by LOOP
		cols := cols || format(', s.%I', g);
		i := i + 1;
		grp := grp || ', ' || i;
	END LOOP;
	FOREACH f IN ARRAY d.fields LOOP
		IF d.level = 1 THEN
			cols := cols || format(', @extschema@.stats_agg(s.%I::float8) AS %I', f, f);
			IF 'pctsketch' = ANY (d.summary_kinds) THEN
				cols := cols || format(', @extschema@.pct_agg(s.%1$I::float8) FILTER (WHERE s.%1$I::float8 > ''-Infinity'' '
									   'AND s.%1$I::float8 < ''Infinity'') AS %2$I', f, f || '_pct');
			END IF;
		ELSE
			cols := cols || format(', @extschema@.rollup(s.%I) AS %I', f, f);
			IF 'pctsketch' = ANY (d.summary_kinds) THEN
				cols := cols || format(', @extschema@.rollup(s.%1$I) AS %1$I', f || '_pct');
			END IF;
		END IF;
	END LOOP;
	RETURN format('SELECT @extschema@.time_bucket(%L::interval, s."time") AS "time"%s FROM %I.%I s '
				  'WHERE s."time" >= $1 AND s."time" < $2 GROUP BY %s',
				  d.bucket, cols, d.source_schema, d.source_name, grp);
END
$fn$;

-- INSERT ... ON CONFLICT of rollup d that adds the rows of a SELECT (in
-- place of %s) to the stored summaries with +.
CREATE FUNCTION streamstat.rollup_upsert_sql(d streamstat.rollup_defs)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	keys text := '"time"';
	sets text := '';
	g text;
	f text;
BEGIN
	FOREACH g IN ARRAY d.group_by LOOP
		keys := keys || format(', %I', g);
	END LOOP;
	FOREACH f IN ARRAY d.fields LOOP
		sets := sets || CASE WHEN sets = '' THEN '' ELSE ', ' END ||
			format('%1$I = COALESCE(r.%1$I OPERATOR(@extschema@.+) EXCLUDED.%1$I, r.%1$I, EXCLUDED.%1$I)', f);
		IF 'pctsketch' = ANY (d.summary_kinds) THEN
			sets := sets ||
				format(', %1$I = COALESCE(r.%1$I OPERATOR(@extschema@.+) EXCLUDED.%1$I, r.%1$I, EXCLUDED.%1$I)', f || '_pct');
		END IF;
	END LOOP;
	RETURN format('INSERT INTO %I.%I AS r %%s ON CONFLICT (%s) DO UPDATE SET %s',
				  d.rollup_schema, d.rollup_name, keys, sets);
END
$fn$;

-- Make the partitions of rollup d that its buckets of source rows in
-- [lo, hi) need.
CREATE FUNCTION streamstat.rollup_make_partitions(d streamstat.rollup_defs, lo timestamptz, hi timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $fn$
DECLARE
	t timestamptz;
BEGIN
	FOR t IN EXECUTE format('SELECT DISTINCT time_bucket(%L::interval, time_bucket(%L::interval, s."time")) '
							'FROM %I.%I s WHERE s."time" >= $1 AND s."time" < $2',
							d.partition_interval, d.bucket, d.source_schema, d.source_name)
		USING lo, hi LOOP
		PERFORM streamstat.rollup_ensure_partition(streamstat.rollup_relation(d), d.partition_interval, t);
	END LOOP;
END
$fn$;

-- Lock every rollup made from root, in id order (the order the fold
-- changes them in), so that no writer folds into them meanwhile.
CREATE FUNCTION streamstat.rollup_lock_chain(root_schema name, root_name name)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	d streamstat.rollup_defs;
BEGIN
	FOR d IN SELECT * FROM streamstat.rollup_defs r
			WHERE r.root_schema = rollup_lock_chain.root_schema AND r.root_name = rollup_lock_chain.root_name
			ORDER BY r.id LOOP
		IF streamstat.rollup_relation(d) IS NOT NULL THEN
			EXECUTE format('LOCK TABLE %I.%I IN SHARE ROW EXCLUSIVE MODE', d.rollup_schema, d.rollup_name);
		END IF;
	END LOOP;
END
$fn$;

-- Note that this backend changed rollup d (streamstat.rollups.last_change).
CREATE FUNCTION streamstat.rollup_touch(d streamstat.rollup_defs)
RETURNS void
LANGUAGE sql
AS $$
	INSERT INTO streamstat.rollup_activity (rollup_id, pid, changed_at)
	VALUES (d.id, pg_catalog.pg_backend_pid(), pg_catalog.clock_timestamp())
	ON CONFLICT (rollup_id, pid) DO UPDATE SET changed_at = EXCLUDED.changed_at
$$;

-- Recompute rollup d over the buckets starting in [lo, hi) from its source,
-- then the rollups made from it, over the buckets that cover those.  The
-- rollups of the chain are locked first (in id order, as the fold does),
-- so no writer folds into them meanwhile and the recomputation is exact.
CREATE FUNCTION streamstat.rollup_recompute_range(d streamstat.rollup_defs, lo timestamptz, hi timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $fn$
DECLARE
	blo timestamptz := time_bucket(d.bucket, lo);
	child streamstat.rollup_defs;
BEGIN
	IF streamstat.rollup_relation(d) IS NULL THEN
		RETURN;
	END IF;
	EXECUTE format('DELETE FROM %I.%I WHERE "time" >= $1 AND "time" < $2', d.rollup_schema, d.rollup_name)
		USING blo, hi;
	PERFORM streamstat.rollup_make_partitions(d, blo, hi + d.bucket + interval '1 day');
	EXECUTE format(streamstat.rollup_upsert_sql(d),
				   format('SELECT * FROM (%s) q WHERE "time" < $3', streamstat.rollup_select_sql(d)))
		USING blo, hi + d.bucket + interval '1 day', hi;
	PERFORM streamstat.rollup_touch(d);
	FOR child IN SELECT * FROM streamstat.rollup_defs c
			WHERE c.source_schema = d.rollup_schema AND c.source_name = d.rollup_name ORDER BY c.id LOOP
		-- the child's buckets that hold [blo, hi)
		PERFORM streamstat.rollup_recompute_range(child, blo,
			time_bucket(child.bucket, hi - interval '1 microsecond') + child.bucket + interval '1 day');
	END LOOP;
END
$fn$;

-- Recompute the given (bucket, group) keys of rollup d, then those of the
-- rollups made from it.  keys: a jsonb array of {"time": ..., group: ...}.
CREATE FUNCTION streamstat.rollup_recompute_keys(d streamstat.rollup_defs, keys jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $fn$
DECLARE
	coldefs text := '"time" timestamptz';
	match text := 'r."time" = k."time"';
	gl text := '';
	g text;
	lo timestamptz;
	hi timestamptz;
	t timestamptz;
	child streamstat.rollup_defs;
	ckeys jsonb;
BEGIN
	IF keys IS NULL OR jsonb_array_length(keys) = 0 OR streamstat.rollup_relation(d) IS NULL THEN
		RETURN;
	END IF;
	FOREACH g IN ARRAY d.group_by LOOP
		coldefs := coldefs || format(', %I text', g);
		match := match || format(' AND r.%1$I IS NOT DISTINCT FROM k.%1$I', g);
		gl := gl || format(', k.%I', g);
	END LOOP;
	SELECT min((e->>'time')::timestamptz), max((e->>'time')::timestamptz) INTO lo, hi
		FROM jsonb_array_elements(keys) e;
	EXECUTE format('DELETE FROM %I.%I r USING jsonb_to_recordset($1) AS k(%s) WHERE %s',
				   d.rollup_schema, d.rollup_name, coldefs, match) USING keys;
	FOR t IN SELECT DISTINCT time_bucket(d.partition_interval, (e->>'time')::timestamptz)
			   FROM jsonb_array_elements(keys) e LOOP
		PERFORM streamstat.rollup_ensure_partition(streamstat.rollup_relation(d), d.partition_interval, t);
	END LOOP;
	-- Summarise the source over the keys' range, keep the keys' rows.
	EXECUTE format(streamstat.rollup_upsert_sql(d),
				   format('SELECT r.* FROM (%s) r JOIN jsonb_to_recordset($3) AS k(%s) ON %s',
						  streamstat.rollup_select_sql(d), coldefs, match))
		USING lo, hi + d.bucket + interval '1 day', keys;
	PERFORM streamstat.rollup_touch(d);
	FOR child IN SELECT * FROM streamstat.rollup_defs c
			WHERE c.source_schema = d.rollup_schema AND c.source_name = d.rollup_name ORDER BY c.id LOOP
		EXECUTE format('SELECT jsonb_agg(q) FROM (SELECT DISTINCT time_bucket(%L::interval, k."time") AS "time"%s '
					   'FROM jsonb_to_recordset($1) AS k(%s)) q',
					   child.bucket,
					   (SELECT coalesce(string_agg(format(', k.%I', cg), ''), '') FROM unnest(child.group_by) cg),
					   coldefs)
			INTO ckeys USING keys;
		PERFORM streamstat.rollup_recompute_keys(child, ckeys);
	END LOOP;
END
$fn$;

-- UPDATE and DELETE on a table with rollups: recompute the buckets and
-- groups the statement touched (old and new rows) in every rollup.
CREATE FUNCTION streamstat.rollup_recompute_statement()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $fn$
DECLARE
	d streamstat.rollup_defs;
	gl text;
	keys jsonb;
	src_rows text;
BEGIN
	PERFORM streamstat.rollup_lock_chain(TG_TABLE_SCHEMA, TG_TABLE_NAME);
	FOR d IN SELECT * FROM streamstat.rollup_defs
			WHERE root_schema = TG_TABLE_SCHEMA AND root_name = TG_TABLE_NAME AND level = 1
			ORDER BY id LOOP
		SELECT coalesce(string_agg(format(', %I', g), ''), '') INTO gl FROM unnest(d.group_by) g;
		src_rows := format('SELECT "time"%s FROM streamstat_old', gl);
		IF TG_OP = 'UPDATE' THEN
			src_rows := src_rows || format(' UNION ALL SELECT "time"%s FROM streamstat_new', gl);
		END IF;
		EXECUTE format('SELECT jsonb_agg(q) FROM (SELECT DISTINCT time_bucket(%L::interval, "time") AS "time"%s FROM (%s) x) q',
					   d.bucket, gl, src_rows) INTO keys;
		PERFORM streamstat.rollup_recompute_keys(d, keys);
	END LOOP;
	RETURN NULL;
END
$fn$;

-- Put the triggers that keep the rollups of table root exact on it.
CREATE FUNCTION streamstat.rollup_install_triggers(root regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	-- Rows of other writers are summarised as they come (the ingest
	-- workers fold their own: rollup_capturing() is false for them), then
	-- folded once per statement.
	EXECUTE format('CREATE OR REPLACE TRIGGER streamstat_rollup_capture AFTER INSERT ON %s '
				   'FOR EACH ROW WHEN (streamstat.rollup_capturing()) '
				   'EXECUTE FUNCTION streamstat.rollup_capture_row()', root);
	EXECUTE format('CREATE OR REPLACE TRIGGER streamstat_rollup_apply AFTER INSERT ON %s '
				   'FOR EACH STATEMENT EXECUTE FUNCTION streamstat.rollup_apply_statement()', root);
	EXECUTE format('CREATE OR REPLACE TRIGGER streamstat_rollup_update AFTER UPDATE ON %s '
				   'REFERENCING OLD TABLE AS streamstat_old NEW TABLE AS streamstat_new '
				   'FOR EACH STATEMENT EXECUTE FUNCTION streamstat.rollup_recompute_statement()', root);
	EXECUTE format('CREATE OR REPLACE TRIGGER streamstat_rollup_delete AFTER DELETE ON %s '
				   'REFERENCING OLD TABLE AS streamstat_old '
				   'FOR EACH STATEMENT EXECUTE FUNCTION streamstat.rollup_recompute_statement()', root);
END
$fn$;

CREATE FUNCTION streamstat.rollup_drop_triggers(root regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['streamstat_rollup_capture', 'streamstat_rollup_apply',
							 'streamstat_rollup_update', 'streamstat_rollup_delete'] LOOP
		EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', t, root);
	END LOOP;
END
$fn$;

-- Whether a bucket is a whole multiple of a source's bucket (and aligned to
-- it: fixed widths share time_bucket's origin, months start at midnight).
CREATE FUNCTION streamstat.rollup_bucket_months(b interval)
RETURNS int
LANGUAGE sql IMMUTABLE
AS $$ SELECT (pg_catalog.date_part('year', b) * 12 + pg_catalog.date_part('month', b))::int $$;

-- Microseconds of the part of b that is not whole months.
CREATE FUNCTION streamstat.rollup_bucket_usecs(b interval)
RETURNS numeric
LANGUAGE sql IMMUTABLE
AS $$ SELECT pg_catalog.date_part('epoch', b - pg_catalog.make_interval(months => streamstat.rollup_bucket_months(b)))::numeric * 1000000 $$;

CREATE FUNCTION streamstat.rollup_bucket_multiple(bucket interval, source_bucket interval)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$
	SELECT CASE
		WHEN streamstat.rollup_bucket_months(source_bucket) <> 0 THEN
			streamstat.rollup_bucket_usecs(bucket) = 0
			AND streamstat.rollup_bucket_months(bucket) % streamstat.rollup_bucket_months(source_bucket) = 0
		WHEN streamstat.rollup_bucket_months(bucket) <> 0 THEN
			86400000000 % streamstat.rollup_bucket_usecs(source_bucket) = 0
		ELSE
			streamstat.rollup_bucket_usecs(bucket) % streamstat.rollup_bucket_usecs(source_bucket) = 0
	END
$$;

CREATE FUNCTION streamstat.create_rollup(name text, source regclass, bucket interval,
										 group_by text[] DEFAULT NULL, fields text[] DEFAULT NULL,
										 partition_interval interval DEFAULT NULL,
										 percentiles boolean DEFAULT false)
RETURNS regclass
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $fn$
DECLARE
	src_schema text;
	src_name text;
	src_kind "char";
	parent streamstat.rollup_defs;
	d streamstat.rollup_defs;
	is_rollup boolean;
	cols text;
	keycols text;
	c text;
	typ oid;
	rel regclass;
	t timestamptz;
	lo timestamptz;
	hi timestamptz;
BEGIN
	IF name IS NULL OR source IS NULL OR bucket IS NULL OR percentiles IS NULL THEN
		RAISE EXCEPTION 'name, source, bucket and percentiles of a rollup must not be null'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Give them, or leave percentiles to its default (false).';
	END IF;
	IF bucket <= interval '0' OR streamstat.rollup_bucket_months(bucket) < 0
			OR streamstat.rollup_bucket_usecs(bucket) < 0
			OR (streamstat.rollup_bucket_months(bucket) <> 0 AND streamstat.rollup_bucket_usecs(bucket) <> 0) THEN
		RAISE EXCEPTION 'invalid rollup bucket "%"', bucket
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a positive width of whole months or of a fixed length (''1 minute'', ''1 hour'', ''1 day''), not a mix.';
	END IF;
	SELECT n.nspname, c.relname, c.relkind INTO src_schema, src_name, src_kind
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = source;
	IF src_kind NOT IN ('r', 'p') THEN
		RAISE EXCEPTION '% is not a table', source
			USING ERRCODE = 'wrong_object_type', HINT = 'The source of a rollup is a table or another rollup.';
	END IF;
	IF (SELECT atttypid FROM pg_attribute WHERE attrelid = source AND attname = 'time' AND NOT attisdropped)
			IS DISTINCT FROM 'timestamptz'::regtype THEN
		RAISE EXCEPTION 'table % has no column "time" of type timestamptz', source
			USING ERRCODE = 'undefined_column', HINT = 'A rollup summarises rows by their "time" column, as streamstat makes its tables.';
	END IF;
	IF to_regclass(format('%I.%I', src_schema, name)) IS NOT NULL THEN
		RAISE EXCEPTION 'relation "%" already exists', format('%I.%I', src_schema, name)
			USING ERRCODE = 'duplicate_table',
				  HINT = 'Pick another name, or remove the old rollup with streamstat.drop_rollup().';
	END IF;

	SELECT * INTO parent FROM streamstat.rollup_defs r WHERE r.rollup_schema = src_schema AND r.rollup_name = src_name;
	is_rollup := FOUND;
	IF is_rollup THEN
		IF NOT streamstat.rollup_bucket_multiple(bucket, parent.bucket) THEN
			RAISE EXCEPTION 'bucket % is not a multiple of the bucket % of rollup %', bucket, parent.bucket, source
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'A rollup of a rollup combines whole source buckets: use a multiple (months need a source bucket that divides a day).';
		END IF;
		IF percentiles AND NOT 'pctsketch' = ANY (parent.summary_kinds) THEN
			RAISE EXCEPTION 'rollup % has no percentile sketches', source
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'A rollup of a rollup merges its source''s sketches: make the source with percentiles => true, or roll up the raw table.';
		END IF;
		group_by := coalesce(group_by, parent.group_by);
		fields := coalesce(fields, parent.fields);
		FOREACH c IN ARRAY group_by LOOP
			IF NOT c = ANY (parent.group_by) THEN
				RAISE EXCEPTION 'rollup % has no group column "%"', source, c
					USING ERRCODE = 'undefined_column',
						  HINT = format('Group by columns of the source rollup: %s.', array_to_string(parent.group_by, ', '));
			END IF;
		END LOOP;
		FOREACH c IN ARRAY fields LOOP
			IF NOT c = ANY (parent.fields) THEN
				RAISE EXCEPTION 'rollup % has no field "%"', source, c
					USING ERRCODE = 'undefined_column',
						  HINT = format('Fields of the source rollup: %s.', array_to_string(parent.fields, ', '));
			END IF;
		END LOOP;
	ELSE
		IF group_by IS NULL THEN
			SELECT coalesce(array_agg(attname::text ORDER BY attnum), '{}') INTO group_by FROM pg_attribute
				WHERE attrelid = source AND attnum > 0 AND NOT attisdropped AND attname <> 'time'
				  AND atttypid IN ('text'::regtype, 'varchar'::regtype);
		END IF;
		IF fields IS NULL THEN
			SELECT coalesce(array_agg(attname::text ORDER BY attnum), '{}') INTO fields FROM pg_attribute
				WHERE attrelid = source AND attnum > 0 AND NOT attisdropped AND attname <> 'time'
				  AND atttypid IN ('float8'::regtype, 'float4'::regtype, 'int2'::regtype,
								   'int4'::regtype, 'int8'::regtype, 'numeric'::regtype);
		END IF;
		FOREACH c IN ARRAY group_by LOOP
			SELECT atttypid INTO typ FROM pg_attribute WHERE attrelid = source AND attname = c AND NOT attisdropped;
			IF NOT FOUND OR c = 'time' THEN
				RAISE EXCEPTION 'table % has no group column "%"', source, c
					USING ERRCODE = 'undefined_column',
						  HINT = 'Group by text columns of the source (its tags).';
			ELSIF typ NOT IN ('text'::regtype, 'varchar'::regtype) THEN
				RAISE EXCEPTION 'group column "%" of table % has type %, not text', c, source, format_type(typ, NULL)
					USING ERRCODE = 'datatype_mismatch',
						  HINT = 'Group by text columns (tags); summarise numeric columns as fields.';
			END IF;
		END LOOP;
		FOREACH c IN ARRAY fields LOOP
			SELECT atttypid INTO typ FROM pg_attribute WHERE attrelid = source AND attname = c AND NOT attisdropped;
			IF NOT FOUND OR c = 'time' THEN
				RAISE EXCEPTION 'table % has no field "%"', source, c
					USING ERRCODE = 'undefined_column',
						  HINT = 'Fields are numeric columns of the source.';
			ELSIF typ NOT IN ('float8'::regtype, 'float4'::regtype, 'int2'::regtype,
							  'int4'::regtype, 'int8'::regtype, 'numeric'::regtype) THEN
				RAISE EXCEPTION 'field "%" of table % has type %, which is not numeric', c, source, format_type(typ, NULL)
					USING ERRCODE = 'datatype_mismatch',
						  HINT = 'Summarise double precision, real, integer or numeric columns; group by text ones.';
			END IF;
		END LOOP;
	END IF;
	IF cardinality(fields) = 0 THEN
		RAISE EXCEPTION 'rollup % would have no fields', name
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Name numeric columns of the source in fields.';
	END IF;
	IF (SELECT count(DISTINCT x) FROM unnest(group_by || fields) x) <> cardinality(group_by) + cardinality(fields) THEN
		RAISE EXCEPTION 'a column is named twice in group_by and fields'
			USING ERRCODE = 'duplicate_column', HINT = 'Name each column once.';
	END IF;
	IF percentiles AND EXISTS (SELECT FROM unnest(fields) f WHERE f || '_pct' = ANY (group_by || fields)) THEN
		RAISE EXCEPTION 'the sketch column "%" of a field would have the name of another column',
			(SELECT f || '_pct' FROM unnest(fields) f WHERE f || '_pct' = ANY (group_by || fields) LIMIT 1)
			USING ERRCODE = 'duplicate_column',
				  HINT = 'With percentiles, the sketch of field f is column f_pct: leave one of the two out of the rollup.';
	END IF;
	IF partition_interval IS NULL THEN
		partition_interval := CASE WHEN bucket < interval '1 hour' THEN interval '7 days'
								   WHEN bucket < interval '1 day' THEN interval '90 days'
								   ELSE interval '3650 days' END;
	ELSIF partition_interval <= interval '0' OR streamstat.rollup_bucket_months(partition_interval) <> 0 THEN
		RAISE EXCEPTION 'invalid partition_interval "%"', partition_interval
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Give a positive fixed width such as ''7 days''.';
	END IF;

	-- No rows arrive between the backfill and the catalog entry.
	IF is_rollup THEN
		EXECUTE format('LOCK TABLE %I.%I IN SHARE ROW EXCLUSIVE MODE', parent.root_schema, parent.root_name);
		PERFORM streamstat.rollup_lock_chain(parent.root_schema, parent.root_name);
	ELSE
		EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', source);
	END IF;

	cols := '"time" timestamptz NOT NULL';
	keycols := '"time"';
	FOREACH c IN ARRAY group_by LOOP
		cols := cols || format(', %I text', c);
		keycols := keycols || format(', %I', c);
	END LOOP;
	FOREACH c IN ARRAY fields LOOP
		cols := cols || format(', %I @extschema@.statsummary', c);
		IF percentiles THEN
			cols := cols || format(', %I @extschema@.pctsketch', c || '_pct');
		END IF;
	END LOOP;
	EXECUTE format('CREATE TABLE %I.%I (%s, UNIQUE NULLS NOT DISTINCT (%s)) PARTITION BY RANGE ("time")',
				   src_schema, name, cols, keycols);
	rel := format('%I.%I', src_schema, name)::regclass;
	EXECUTE format('COMMENT ON TABLE %s IS %L', rel,
				   format('streamstat rollup of %s per %s', source, bucket));

	INSERT INTO streamstat.rollup_defs (rollup_schema, rollup_name, source_schema, source_name,
										root_schema, root_name, level, bucket, group_by, fields,
										summary_kinds, partition_interval)
	VALUES (src_schema, name, src_schema, src_name,
			CASE WHEN is_rollup THEN parent.root_schema ELSE src_schema END,
			CASE WHEN is_rollup THEN parent.root_name ELSE src_name END,
			CASE WHEN is_rollup THEN parent.level + 1 ELSE 1 END,
			bucket, group_by, fields,
			CASE WHEN percentiles THEN '{statsummary,pctsketch}'::text[] ELSE '{statsummary}'::text[] END,
			partition_interval)
	RETURNING * INTO d;
	PERFORM streamstat.rollup_install_triggers(format('%I.%I', d.root_schema, d.root_name)::regclass);

	-- Backfill, and the partition of the current time.
	PERFORM streamstat.rollup_ensure_partition(rel, partition_interval, now());
	EXECUTE format('SELECT min("time"), max("time") FROM %s', source) INTO lo, hi;
	IF lo IS NOT NULL THEN
		PERFORM streamstat.rollup_recompute_range(d, lo, hi + interval '1 microsecond');
	END IF;
	RETURN rel;
END
$fn$;

CREATE FUNCTION streamstat.drop_rollup(name regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	d streamstat.rollup_defs;
	child text;
BEGIN
	SELECT r.* INTO d FROM streamstat.rollup_defs r JOIN pg_class c ON c.relname = r.rollup_name
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = r.rollup_schema
		WHERE c.oid = name;
	IF NOT FOUND THEN
		RAISE EXCEPTION '% is not a rollup', name
			USING ERRCODE = 'wrong_object_type', HINT = 'See streamstat.rollups for the rollups.';
	END IF;
	SELECT string_agg(format('%I.%I', c.rollup_schema, c.rollup_name), ', ') INTO child
		FROM streamstat.rollup_defs c WHERE c.source_schema = d.rollup_schema AND c.source_name = d.rollup_name;
	IF child IS NOT NULL THEN
		RAISE EXCEPTION 'rollups % are made from rollup %', child, name
			USING ERRCODE = 'dependent_objects_still_exist', HINT = 'Drop those first.';
	END IF;
	EXECUTE format('DROP TABLE %s', name);
	DELETE FROM streamstat.rollup_defs WHERE id = d.id;
	DELETE FROM streamstat.rollup_activity WHERE rollup_id = d.id;
	DELETE FROM streamstat.retention_policies WHERE relation_schema = d.rollup_schema AND relation_name = d.rollup_name;
	IF NOT EXISTS (SELECT FROM streamstat.rollup_defs WHERE root_schema = d.root_schema AND root_name = d.root_name)
		AND to_regclass(format('%I.%I', d.root_schema, d.root_name)) IS NOT NULL THEN
		PERFORM streamstat.rollup_drop_triggers(format('%I.%I', d.root_schema, d.root_name)::regclass);
	END IF;
END
$fn$;

CREATE FUNCTION streamstat.refresh_rollup(name regclass, "from" timestamptz, "to" timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	d streamstat.rollup_defs;
BEGIN
	SELECT r.* INTO d FROM streamstat.rollup_defs r JOIN pg_class c ON c.relname = r.rollup_name
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = r.rollup_schema
		WHERE c.oid = name;
	IF NOT FOUND THEN
		RAISE EXCEPTION '% is not a rollup', name
			USING ERRCODE = 'wrong_object_type', HINT = 'See streamstat.rollups for the rollups.';
	END IF;
	IF "from" IS NULL OR "to" IS NULL OR "from" >= "to" THEN
		RAISE EXCEPTION 'invalid range to refresh'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Give "from" before "to".';
	END IF;
	PERFORM streamstat.rollup_lock_chain(d.root_schema, d.root_name);
	PERFORM streamstat.rollup_recompute_range(d, "from", "to");
END
$fn$;

CREATE FUNCTION streamstat.rollup_rows(rel regclass)
RETURNS bigint
LANGUAGE plpgsql STABLE
AS $fn$
DECLARE
	n bigint;
BEGIN
	IF rel IS NULL THEN
		RETURN NULL;
	END IF;
	EXECUTE format('SELECT count(*) FROM %s', rel) INTO n;
	RETURN n;
END
$fn$;

CREATE VIEW streamstat.rollups AS
	SELECT streamstat.rollup_relation(d) AS name,
		   pg_catalog.to_regclass(pg_catalog.format('%I.%I', d.source_schema, d.source_name)) AS source,
		   d.bucket, d.group_by, d.fields, d.summary_kinds,
		   streamstat.rollup_rows(streamstat.rollup_relation(d)) AS rows,
		   (SELECT pg_catalog.max(a.changed_at) FROM streamstat.rollup_activity a
			 WHERE a.rollup_id = d.id) AS last_change
	  FROM streamstat.rollup_defs d;

-- Retention.

CREATE FUNCTION streamstat.set_retention(relation regclass, keep interval, mode text DEFAULT 'drop')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	s text;
	r text;
BEGIN
	IF keep IS NULL OR keep <= interval '0' THEN
		RAISE EXCEPTION 'invalid retention "%"', keep
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Give a positive interval such as ''7 days''.';
	END IF;
	IF mode IS NULL OR mode NOT IN ('drop', 'detach') THEN
		RAISE EXCEPTION 'invalid retention mode "%"', mode
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use ''drop'' or ''detach''.';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_partitioned_table p JOIN pg_attribute a
						ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
					WHERE p.partrelid = relation AND p.partstrat = 'r' AND p.partnatts = 1
					  AND a.attname = 'time' AND a.atttypid = 'timestamptz'::regtype) THEN
		RAISE EXCEPTION 'table % is not partitioned by time', relation
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Retention removes whole partitions: use a table partitioned BY RANGE ("time"), as streamstat makes them, or a rollup.';
	END IF;
	SELECT n.nspname, c.relname INTO s, r FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = relation;
	INSERT INTO streamstat.retention_policies (relation_schema, relation_name, keep, mode)
		VALUES (s, r, keep, mode)
		ON CONFLICT (relation_schema, relation_name) DO UPDATE SET keep = EXCLUDED.keep, mode = EXCLUDED.mode;
END
$fn$;

CREATE FUNCTION streamstat.remove_retention(relation regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	DELETE FROM streamstat.retention_policies p USING pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = relation AND p.relation_schema = n.nspname AND p.relation_name = c.relname;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table % has no retention policy', relation
			USING ERRCODE = 'undefined_object', HINT = 'See streamstat.policies.';
	END IF;
END
$fn$;

-- One retention pass over one policy's table (NULL: every policy): remove
-- the partitions whose whole range ends at or before now() - keep, never
-- the one holding now(); wait at most 1 s for a lock (else try again at the
-- next pass).  Returns the partitions removed.  The maintenance worker runs
-- it at every streamstat.maintenance_interval.
CREATE FUNCTION streamstat.run_retention(relation regclass DEFAULT NULL)
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '1s'
AS $fn$
DECLARE
	p streamstat.retention_policies;
	rel regclass;
	part record;
	lo timestamptz;
	hi timestamptz;
	cutoff timestamptz;
	removed int;
	total int := 0;
	err text;
	m text[];
BEGIN
	FOR p IN SELECT * FROM streamstat.retention_policies ORDER BY relation_schema, relation_name LOOP
		rel := to_regclass(format('%I.%I', p.relation_schema, p.relation_name));
		CONTINUE WHEN relation IS NOT NULL AND rel IS DISTINCT FROM relation;
		removed := 0;
		err := NULL;
		IF rel IS NULL THEN
			err := 'table does not exist';
		ELSE
			cutoff := now() - p.keep;
			FOR part IN SELECT c.oid::regclass AS part, n.nspname, c.relname,
							   pg_get_expr(c.relpartbound, c.oid) AS bound
						  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
						  JOIN pg_namespace n ON n.oid = c.relnamespace
						 WHERE i.inhparent = rel ORDER BY 4 LOOP
				m := regexp_match(part.bound, '^FOR VALUES FROM \(''([^'']*)''\) TO \(''([^'']*)''\)$');
				CONTINUE WHEN m IS NULL;	-- MINVALUE/MAXVALUE or DEFAULT
				lo := m[1]::timestamptz;
				hi := m[2]::timestamptz;
				CONTINUE WHEN hi > cutoff OR (lo <= now() AND now() < hi);
				BEGIN
					IF p.mode = 'drop' THEN
						EXECUTE format('DROP TABLE %s', part.part);
					ELSE
						EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', rel, part.part);
						-- free the name for a partition made again by late rows
						EXECUTE format('ALTER TABLE %s RENAME TO %I', part.part,
									   left(part.relname, 54) || '_detached');
					END IF;
					removed := removed + 1;
					RAISE LOG 'streamstat retention: % partition %.% of % (% to %), older than %',
						CASE p.mode WHEN 'drop' THEN 'dropped' ELSE 'detached' END,
						quote_ident(part.nspname), quote_ident(part.relname), rel, lo, hi, p.keep;
				EXCEPTION
					WHEN lock_not_available THEN
						err := format('could not lock %s within 1 s; tried again at the next pass', part.part);
					WHEN OTHERS THEN
						err := SQLERRM;
				END;
			END LOOP;
		END IF;
		UPDATE streamstat.retention_policies SET last_run = now(),
				partitions_removed = partitions_removed + removed, last_error = err
			WHERE relation_schema = p.relation_schema AND relation_name = p.relation_name;
		total := total + removed;
	END LOOP;
	RETURN total;
END
$fn$;

CREATE VIEW streamstat.policies AS
	SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.relation_schema, p.relation_name)) AS relation,
		   p.keep, p.mode, p.last_run, p.partitions_removed, p.last_error
	  FROM streamstat.retention_policies p;

-- The rollups' side of a maintenance pass: make the partitions of the
-- current and the next slot ahead of their rows (so the fold rarely needs
-- DDL), and forget the activity of backends that exited (keeping the
-- latest row of each rollup).
CREATE FUNCTION streamstat.rollup_maintenance()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '1s'
AS $fn$
DECLARE
	d streamstat.rollup_defs;
BEGIN
	FOR d IN SELECT * FROM streamstat.rollup_defs ORDER BY id LOOP
		CONTINUE WHEN streamstat.rollup_relation(d) IS NULL;
		PERFORM streamstat.rollup_ensure_partition(streamstat.rollup_relation(d), d.partition_interval, now());
		PERFORM streamstat.rollup_ensure_partition(streamstat.rollup_relation(d), d.partition_interval,
												   now() + d.partition_interval);
	END LOOP;
	DELETE FROM streamstat.rollup_activity a
	 WHERE NOT EXISTS (SELECT FROM pg_stat_activity s WHERE s.pid = a.pid)
	   AND a.changed_at < (SELECT max(b.changed_at) FROM streamstat.rollup_activity b
						   WHERE b.rollup_id = a.rollup_id);
END
$fn$;

-- src/ingest/ilp_keys.sql
-- Public keys of line-protocol clients over TCP (src/ingest/ilp_keys.c,
-- ilp_auth_conn.c): QuestDB's ECDSA P-256 challenge-response.  Only the
-- public key (x, y) is stored; the private key (d) stays with the client.
-- A key may be limited to one schema (NULL: streamstat.schema).  Only
-- superusers (and the owner) read the table or call these functions.
CREATE TABLE streamstat.ilp_public_keys (
	id bigserial PRIMARY KEY,
	key_id text NOT NULL CHECK (key_id <> ''),
	x bytea NOT NULL CHECK (pg_catalog.length(x) = 32),
	y bytea NOT NULL CHECK (pg_catalog.length(y) = 32),
	schema_name name,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	revoked_at timestamptz
);
COMMENT ON TABLE streamstat.ilp_public_keys IS
	'public keys (P-256 x, y) that line-protocol clients over TCP authenticate with';
-- One live key per key id; a revoked key's id may be given a new key.
CREATE UNIQUE INDEX ilp_public_keys_live_key_id
	ON streamstat.ilp_public_keys (key_id) WHERE revoked_at IS NULL;
REVOKE ALL ON streamstat.ilp_public_keys FROM PUBLIC;
REVOKE ALL ON SEQUENCE streamstat.ilp_public_keys_id_seq FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('streamstat.ilp_public_keys', '');
SELECT pg_catalog.pg_extension_config_dump('streamstat.ilp_public_keys_id_seq', '');

CREATE FUNCTION streamstat.create_ilp_key(key_id text, x text, y text,
	schema_name text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'streamstat_create_ilp_key'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION streamstat.create_ilp_key(text, text, text, text) IS
	'register the public key (x, y: base64url, as in QuestDB key files) of a line-protocol client';

CREATE FUNCTION streamstat.revoke_ilp_key(key_id text)
RETURNS boolean
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$
	WITH revoked AS (
		UPDATE streamstat.ilp_public_keys k SET revoked_at = pg_catalog.now()
		 WHERE k.key_id OPERATOR(pg_catalog.=) $1 AND k.revoked_at IS NULL
		RETURNING 1)
	SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 FROM revoked
$$;
COMMENT ON FUNCTION streamstat.revoke_ilp_key(text) IS
	'revoke a line-protocol key; false when no live key has that id';

-- The keys, public parts as base64url (no secret is ever stored).
CREATE VIEW streamstat.ilp_keys AS
	SELECT k.key_id, k.schema_name,
		pg_catalog.translate(pg_catalog.rtrim(pg_catalog.encode(k.x, 'base64'), '='), '+/', '-_') AS x,
		pg_catalog.translate(pg_catalog.rtrim(pg_catalog.encode(k.y, 'base64'), '='), '+/', '-_') AS y,
		k.created_at, k.revoked_at
	FROM streamstat.ilp_public_keys k;

REVOKE ALL ON streamstat.ilp_keys FROM PUBLIC;
REVOKE ALL ON FUNCTION streamstat.create_ilp_key(text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION streamstat.revoke_ilp_key(text) FROM PUBLIC;
