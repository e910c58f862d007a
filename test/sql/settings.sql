-- Settings: every streamstat.* GUC exists with its default, and the prefix
-- is reserved so a misspelt setting is an error rather than a placeholder.
LOAD 'streamstat';

SELECT name, boot_val, unit, context, vartype
  FROM pg_settings
 WHERE name LIKE 'streamstat.%'
 ORDER BY name;

-- A misspelt setting is refused.
SET streamstat.flush_intervall = '1s';

-- Reloadable settings cannot be changed in a session.
SET streamstat.flush_interval = '1s';

-- The catalog schema exists and is usable by everyone.
SELECT nspname FROM pg_namespace WHERE nspname = 'streamstat';
SELECT has_schema_privilege('public', 'streamstat', 'USAGE');
