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
