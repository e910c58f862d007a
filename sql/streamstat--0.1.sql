/* streamstat--0.1.sql: assembled by make from src; do not edit */

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

-- Aggregate support: plain and parallel.
CREATE FUNCTION stats_agg_trans(internal, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_rollup_trans(internal, statsummary) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_rollup_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_agg_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_agg_serialize(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stats_agg_deserialize(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION stats_agg_final(internal) RETURNS statsummary
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Aggregate support: sliding windows (inverse transitions).
CREATE FUNCTION stats_agg_moving_trans(internal, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_moving_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_agg_moving_inv(internal, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_agg_moving_inv'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_rollup_moving_trans(internal, statsummary) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_rollup_moving_trans'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_rollup_moving_inv(internal, statsummary) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_stats_rollup_moving_inv'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION stats_moving_final(internal) RETURNS statsummary
	AS 'MODULE_PATHNAME', 'streamstat_stats_moving_final'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE stats_agg(float8) (
	SFUNC = stats_agg_trans,
	STYPE = internal,
	SSPACE = 56,
	FINALFUNC = stats_agg_final,
	COMBINEFUNC = stats_agg_combine,
	SERIALFUNC = stats_agg_serialize,
	DESERIALFUNC = stats_agg_deserialize,
	MSFUNC = stats_agg_moving_trans,
	MINVFUNC = stats_agg_moving_inv,
	MSTYPE = internal,
	MSSPACE = 200,
	MFINALFUNC = stats_moving_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE stats_agg(float8) IS
	'summary of the non-NULL values: count, sum, moments, min, max';

CREATE AGGREGATE rollup(statsummary) (
	SFUNC = stats_rollup_trans,
	STYPE = internal,
	SSPACE = 56,
	FINALFUNC = stats_agg_final,
	COMBINEFUNC = stats_agg_combine,
	SERIALFUNC = stats_agg_serialize,
	DESERIALFUNC = stats_agg_deserialize,
	MSFUNC = stats_rollup_moving_trans,
	MINVFUNC = stats_rollup_moving_inv,
	MSTYPE = internal,
	MSSPACE = 200,
	MFINALFUNC = stats_moving_final,
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
-- or as window functions; no combine function, so never partial.

CREATE FUNCTION streamstat_ewma_trans(internal, float8, float8)
RETURNS internal
AS 'MODULE_PATHNAME'
LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION streamstat_ewma_final(internal)
RETURNS float8
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE ewma(value float8, alpha float8) (
	SFUNC = streamstat_ewma_trans,
	STYPE = internal,
	SSPACE = 8,
	FINALFUNC = streamstat_ewma_final,
	PARALLEL = SAFE
);

CREATE FUNCTION streamstat_ewma_time_trans(internal, float8, timestamptz, interval)
RETURNS internal
AS 'MODULE_PATHNAME'
LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION streamstat_ewma_time_final(internal)
RETURNS float8
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE ewma(value float8, ts timestamptz, half_life interval) (
	SFUNC = streamstat_ewma_time_trans,
	STYPE = internal,
	SSPACE = 48,
	FINALFUNC = streamstat_ewma_time_final,
	PARALLEL = SAFE
);

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

-- One row per configured ingest worker (pid is NULL when it is not running).
CREATE VIEW streamstat.ingest_stats AS
	SELECT * FROM streamstat.ingest_stats_internal();

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
