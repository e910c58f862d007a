-- Keys of line-protocol authentication over TCP: public keys only (x, y of
-- a P-256 point, base64url as QuestDB key files give them), validated on
-- the curve, listed in streamstat.ilp_keys, revocable, schema-limited;
-- only superusers manage or read them.  The handshake itself is tested by
-- test/t/081_ilp_auth.pl; here the SQL side.
CREATE ROLE regress_ilp_key_user;
CREATE SCHEMA regress_edge;

-- The generator point G of P-256 and 2G serve as public keys.
SELECT streamstat.create_ilp_key('sensor-1',
	'axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY',
	'T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU');
-- The standard base64 alphabet and padding are accepted too.
SELECT streamstat.create_ilp_key('edge-1',
	'fPJ7GI0DT36KUjgDBLUaw8CJaeJ38hs1pgtI/EdmmXg=',
	'B3dVENuO0EApPZrGn3Qw27p9reY86YIpngS3nSJ4c9E=',
	'regress_edge');

SELECT key_id, schema_name, x, y, revoked_at IS NULL AS live
  FROM streamstat.ilp_keys ORDER BY key_id;
SELECT key_id, length(x) AS x_bytes, length(y) AS y_bytes
  FROM streamstat.ilp_public_keys ORDER BY key_id;

-- Refused: a point off the curve, a bad coordinate, a key id with a space
-- or starting with '#', an unknown schema, a live duplicate, NULLs.
SELECT streamstat.create_ilp_key('off-curve',
	'axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY',
	'T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfQ');
SELECT streamstat.create_ilp_key('short', 'AAAA*', 'AAAA');
SELECT streamstat.create_ilp_key('has space',
	'axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY',
	'T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU');
SELECT streamstat.create_ilp_key('#comment',
	'axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY',
	'T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU');
SELECT streamstat.create_ilp_key('nowhere',
	'axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY',
	'T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU', 'no_such_schema');
SELECT streamstat.create_ilp_key('sensor-1',
	'axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY',
	'T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU');
SELECT streamstat.create_ilp_key(NULL, 'x', 'y');

-- Revoking: once; a revoked key id can be given a new key.
SELECT streamstat.revoke_ilp_key('sensor-1') AS revoked;
SELECT streamstat.revoke_ilp_key('sensor-1') AS revoked_again;
SELECT streamstat.revoke_ilp_key('nobody') AS revoked_unknown;
SELECT streamstat.create_ilp_key('sensor-1',
	'fPJ7GI0DT36KUjgDBLUaw8CJaeJ38hs1pgtI_EdmmXg',
	'B3dVENuO0EApPZrGn3Qw27p9reY86YIpngS3nSJ4c9E');
SELECT key_id, revoked_at IS NULL AS live, x
  FROM streamstat.ilp_keys ORDER BY key_id, created_at, live;

-- Only superusers.
SET ROLE regress_ilp_key_user;
SELECT streamstat.create_ilp_key('mine',
	'axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY',
	'T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU');
SELECT streamstat.revoke_ilp_key('edge-1');
SELECT * FROM streamstat.ilp_keys;
SELECT * FROM streamstat.ilp_public_keys;
RESET ROLE;

-- ingest_stats has the security counters, appended after the others.
SELECT attnum, attname FROM pg_attribute
 WHERE attrelid = 'streamstat.ingest_stats'::regclass AND attnum > 12
 ORDER BY attnum;

DELETE FROM streamstat.ilp_public_keys;
DROP SCHEMA regress_edge;
DROP ROLE regress_ilp_key_user;
