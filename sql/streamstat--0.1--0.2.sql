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
