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
