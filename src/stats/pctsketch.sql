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
