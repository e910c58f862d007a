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
