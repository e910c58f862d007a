/* streamstat--0.1--0.2.sql: from release 0.1 to 0.2 */

\echo Use "ALTER EXTENSION streamstat UPDATE TO '0.2'" to load this file. \quit

-- Every object 0.2 adds or changes relative to the frozen 0.1 script
-- (sql/streamstat--0.1.sql), in the order of the src/**/*.sql pieces that
-- assemble a fresh 0.2 install.  A fresh install and 0.1 + this script must
-- give the same catalog (the upgrade test compares them).

-- sparkline (issue #14): src/stats/sparkline.sql
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
-- Aggregates pushed down on Citus (issue #12): stats_agg, rollup(statsummary),
-- regr_agg and rollup(regrsummary) get real state types (statsummary,
-- regrsummary) instead of internal, and their support functions one naming
-- convention.  The state type of an aggregate cannot be altered: drop and
-- re-create the aggregates and drop the old support functions.
DROP AGGREGATE stats_agg(float8);
DROP AGGREGATE rollup(statsummary);
DROP FUNCTION stats_agg_trans(internal, float8);
DROP FUNCTION stats_rollup_trans(internal, statsummary);
DROP FUNCTION stats_agg_combine(internal, internal);
DROP FUNCTION stats_agg_serialize(internal);
DROP FUNCTION stats_agg_deserialize(bytea, internal);
DROP FUNCTION stats_agg_final(internal);
DROP FUNCTION stats_agg_moving_inv(internal, float8);
DROP FUNCTION stats_rollup_moving_inv(internal, statsummary);
DROP FUNCTION stats_moving_final(internal);

CREATE FUNCTION stats_agg_trans(statsummary, float8) RETURNS statsummary
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_rollup_trans(statsummary, statsummary) RETURNS statsummary
	AS 'MODULE_PATHNAME', 'streamstat_stats_rollup_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_agg_combine(statsummary, statsummary) RETURNS statsummary
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stats_agg_inv(internal, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_inv'
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

DROP AGGREGATE regr_agg(float8, float8);
DROP AGGREGATE regr_agg(float8, timestamptz);
DROP AGGREGATE rollup(regrsummary);
DROP FUNCTION streamstat_regr_accum(internal, float8, float8);
DROP FUNCTION streamstat_regr_accum_tstz(internal, float8, timestamptz);
DROP FUNCTION streamstat_regr_rollup_accum(internal, regrsummary);
DROP FUNCTION streamstat_regr_combine_states(internal, internal);
DROP FUNCTION streamstat_regr_serialize(internal);
DROP FUNCTION streamstat_regr_deserialize(bytea, internal);
DROP FUNCTION streamstat_regr_final(internal);
DROP FUNCTION streamstat_regr_maccum(internal, float8, float8);
DROP FUNCTION streamstat_regr_minv(internal, float8, float8);
DROP FUNCTION streamstat_regr_maccum_tstz(internal, float8, timestamptz);
DROP FUNCTION streamstat_regr_minv_tstz(internal, float8, timestamptz);
DROP FUNCTION streamstat_regr_rollup_maccum(internal, regrsummary);
DROP FUNCTION streamstat_regr_rollup_minv(internal, regrsummary);
DROP FUNCTION streamstat_regr_mfinal(internal);

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

-- Moving mode (sliding window frames: rows also leave the state).
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
