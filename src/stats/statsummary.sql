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
