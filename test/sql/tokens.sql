-- Tokens of the HTTP write API: a secret is shown once and stored only as
-- its SHA-256; check_token() is the worker's check; only superusers manage
-- or read tokens.
CREATE ROLE regress_token_user;

-- A new token: "sst_" and 43 base64url characters (32 random bytes).
SELECT streamstat.create_token('telegraf') AS secret \gset
SELECT :'secret' ~ '^sst_[A-Za-z0-9_-]{43}$' AS well_formed;

-- Stored: the SHA-256 of the secret (PostgreSQL's own sha256() agrees),
-- never the secret itself, in any column.
SELECT hash = sha256(convert_to(:'secret', 'UTF8')) AS hash_is_sha256,
       schema_name IS NULL AS any_schema,
       revoked_at IS NULL AS live,
       created_at <= now() AS created
  FROM streamstat.tokens WHERE name = 'telegraf';
SELECT count(*) AS rows_containing_secret
  FROM streamstat.tokens t
 WHERE t::text LIKE '%' || substr(:'secret', 5) || '%'
    OR encode(t.hash, 'escape') LIKE '%' || substr(:'secret', 5) || '%';

-- The check: valid, wrong, truncated, empty.
SELECT * FROM streamstat.check_token(:'secret');
SELECT * FROM streamstat.check_token(:'secret' || 'x');
SELECT * FROM streamstat.check_token(left(:'secret', -1));
SELECT * FROM streamstat.check_token('');
SELECT * FROM streamstat.check_token(NULL);

-- Each token is different.
SELECT streamstat.create_token('second') AS secret2 \gset
SELECT :'secret' <> :'secret2' AS different;

-- Names are unique; the name must be given.
SELECT streamstat.create_token('telegraf');
SELECT streamstat.create_token('');
SELECT streamstat.create_token(NULL);

-- A token limited to one schema, which must exist.
CREATE SCHEMA iot;
SELECT streamstat.create_token('sensors', 'iot') AS secret3 \gset
SELECT * FROM streamstat.check_token(:'secret3');
SELECT streamstat.create_token('nowhere', 'no_such_schema');
SELECT name, schema_name FROM streamstat.tokens ORDER BY id;

-- Revoke: true once, then false; unknown names are false; a revoked token
-- no longer checks, the others still do, and its name stays taken.
SELECT streamstat.revoke_token('telegraf');
SELECT streamstat.revoke_token('telegraf');
SELECT streamstat.revoke_token('no_such_token');
SELECT * FROM streamstat.check_token(:'secret');
SELECT * FROM streamstat.check_token(:'secret2');
SELECT name, revoked_at IS NOT NULL AS revoked FROM streamstat.tokens ORDER BY id;
SELECT streamstat.create_token('telegraf');

-- Only superusers: an ordinary role reads nothing and calls nothing.
SELECT has_table_privilege('regress_token_user', 'streamstat.tokens', 'SELECT') AS can_read,
       has_function_privilege('regress_token_user', 'streamstat.create_token(text,text)', 'EXECUTE') AS can_create,
       has_function_privilege('regress_token_user', 'streamstat.revoke_token(text)', 'EXECUTE') AS can_revoke,
       has_function_privilege('regress_token_user', 'streamstat.check_token(text)', 'EXECUTE') AS can_check;
SET ROLE regress_token_user;
SELECT count(*) FROM streamstat.tokens;
SELECT streamstat.create_token('mine');
SELECT streamstat.revoke_token('sensors');
SELECT * FROM streamstat.check_token(:'secret2');
RESET ROLE;

-- Tokens are user data that pg_dump keeps.
SELECT extconfig::regclass[] AS dumped FROM pg_extension WHERE extname = 'streamstat';

DROP SCHEMA iot;
DROP ROLE regress_token_user;
