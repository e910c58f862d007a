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
