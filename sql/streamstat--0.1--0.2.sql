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
-- ---- Monitoring analytics (issue #10): percentile sketches, counters, gap filling; naming of ewma's support functions ----

-- from src/stats/pctsketch.sql
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

-- from src/stats/counter.sql
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

-- from src/stats/gapfill.sql
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


-- ewma's support functions follow the naming convention <aggregate>_trans,
-- <aggregate>_final (the C symbols stay).
ALTER FUNCTION streamstat_ewma_trans(internal, float8, float8) RENAME TO ewma_trans;
ALTER FUNCTION streamstat_ewma_final(internal) RENAME TO ewma_final;
ALTER FUNCTION streamstat_ewma_time_trans(internal, float8, timestamptz, interval) RENAME TO ewma_trans;
ALTER FUNCTION streamstat_ewma_time_final(internal) RENAME TO ewma_time_final;
