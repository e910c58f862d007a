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
