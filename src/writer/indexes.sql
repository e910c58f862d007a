-- Indexes on the tables streamstat keeps (issue #18).
--
-- The time index: a BRIN index on "time" that the writer puts on every
-- table it creates (streamstat.time_index, src/writer/writer_ddl.c).
-- Tag indexes: streamstat.set_indexes(relation, tags) puts a btree on
-- (tag..., "time" DESC) on a table or a rollup.  Both are made on the
-- partitioned table, so PostgreSQL builds them on every partition, on the
-- partitions made later (by the writer, the rollup fold or a user) and on
-- attached ones.  The tag indexes are recorded here to be listed
-- (streamstat.indexes) and removed (streamstat.remove_indexes).

CREATE TABLE streamstat.index_defs (
	relation_schema name NOT NULL,
	relation_name name NOT NULL,
	tags		text[] NOT NULL,
	index_name	name NOT NULL,	-- in relation_schema
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (relation_schema, relation_name, tags)
);
COMMENT ON TABLE streamstat.index_defs IS
	'Tag indexes made by streamstat.set_indexes: a btree on (tags..., time DESC) of a table or rollup and its partitions';
SELECT pg_catalog.pg_extension_config_dump('streamstat.index_defs', '');
GRANT SELECT ON streamstat.index_defs TO PUBLIC;

-- Add a btree on (tags..., "time" DESC) to a table streamstat keeps (a
-- table partitioned by RANGE ("time"), as the writer makes them, or a
-- rollup) and so to its partitions, present and future.  Doing it again
-- with the same tags does nothing (or makes the index again if it was
-- dropped).  Returns the index.
CREATE FUNCTION streamstat.set_indexes(relation regclass, tags text[])
RETURNS regclass
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	s name;
	r name;
	c text;
	typ oid;
	cols text := '';
	old_idx name;
	before oid[];
	idx regclass;
BEGIN
	IF relation IS NULL THEN
		RAISE EXCEPTION 'relation must not be null'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Name a table or rollup of streamstat.';
	END IF;
	IF tags IS NULL OR cardinality(tags) = 0 OR array_position(tags, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'set_indexes needs at least one tag column'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give the tag (text) columns the queries filter on, such as ''{hostname}''; the time index is streamstat.time_index.';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_partitioned_table p JOIN pg_attribute a
						ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
					WHERE p.partrelid = relation AND p.partstrat = 'r' AND p.partnatts = 1
					  AND a.attname = 'time' AND a.atttypid = 'timestamptz'::regtype) THEN
		RAISE EXCEPTION 'table % is not a table streamstat keeps', relation
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Index a table partitioned BY RANGE ("time"), as streamstat makes them, or a rollup.';
	END IF;
	FOREACH c IN ARRAY tags LOOP
		SELECT atttypid INTO typ FROM pg_attribute WHERE attrelid = relation AND attname = c AND attnum > 0 AND NOT attisdropped;
		IF NOT FOUND OR c = 'time' THEN
			RAISE EXCEPTION 'table % has no tag column "%"', relation, c
				USING ERRCODE = 'undefined_column',
					  HINT = 'Index tag columns (text) of the table; "time" is added to every tag index.';
		ELSIF typ NOT IN ('text'::regtype, 'varchar'::regtype) THEN
			RAISE EXCEPTION 'column "%" of table % has type %, not text', c, relation, format_type(typ, NULL)
				USING ERRCODE = 'datatype_mismatch',
					  HINT = 'Tags are text columns; index fields with CREATE INDEX if you must.';
		END IF;
		cols := cols || format('%I, ', c);
	END LOOP;
	IF (SELECT count(DISTINCT x) FROM unnest(tags) x) <> cardinality(tags) THEN
		RAISE EXCEPTION 'a tag is named twice'
			USING ERRCODE = 'duplicate_column', HINT = 'Name each tag once.';
	END IF;

	SELECT n.nspname, cl.relname INTO s, r FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
		WHERE cl.oid = relation;
	SELECT d.index_name INTO old_idx FROM streamstat.index_defs d
		WHERE d.relation_schema = s AND d.relation_name = r AND d.tags = set_indexes.tags;
	IF old_idx IS NOT NULL THEN
		idx := to_regclass(format('%I.%I', s, old_idx));
		IF idx IS NOT NULL THEN
			RETURN idx;
		END IF;
	END IF;

	-- PostgreSQL names it (<table>_<tags>_time_idx, unique in the schema).
	SELECT coalesce(array_agg(indexrelid), '{}') INTO before FROM pg_index WHERE indrelid = relation;
	EXECUTE format('CREATE INDEX ON %s (%s"time" DESC)', relation, cols);
	SELECT i.indexrelid::regclass INTO idx FROM pg_index i
		WHERE i.indrelid = relation AND NOT i.indexrelid = ANY (before);
	INSERT INTO streamstat.index_defs (relation_schema, relation_name, tags, index_name)
		VALUES (s, r, tags, (SELECT relname FROM pg_class WHERE oid = idx))
		ON CONFLICT ON CONSTRAINT index_defs_pkey
		DO UPDATE SET index_name = EXCLUDED.index_name, created_at = EXCLUDED.created_at;
	RETURN idx;
END
$fn$;

-- Drop the tag index of relation on tags (NULL: every tag index that
-- set_indexes made on it), from the table and all its partitions.
-- Returns how many were removed.
CREATE FUNCTION streamstat.remove_indexes(relation regclass, tags text[] DEFAULT NULL)
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	d streamstat.index_defs;
	n int := 0;
BEGIN
	FOR d IN SELECT x.* FROM streamstat.index_defs x JOIN pg_class c ON c.relname = x.relation_name
			JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = x.relation_schema
			WHERE c.oid = relation AND (remove_indexes.tags IS NULL OR x.tags = remove_indexes.tags) LOOP
		EXECUTE format('DROP INDEX IF EXISTS %I.%I', d.relation_schema, d.index_name);
		DELETE FROM streamstat.index_defs x
			WHERE x.relation_schema = d.relation_schema AND x.relation_name = d.relation_name AND x.tags = d.tags;
		n := n + 1;
	END LOOP;
	IF n = 0 THEN
		RAISE EXCEPTION 'table % has no tag index%', relation,
			CASE WHEN tags IS NULL THEN '' ELSE format(' on %s', tags) END
			USING ERRCODE = 'undefined_object', HINT = 'See streamstat.indexes for the tag indexes.';
	END IF;
	RETURN n;
END
$fn$;

-- The tag indexes, with the number of partitions that have them.
CREATE VIEW streamstat.indexes AS
	SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', d.relation_schema, d.relation_name)) AS relation,
		   d.tags,
		   pg_catalog.to_regclass(pg_catalog.format('%I.%I', d.relation_schema, d.index_name)) AS index,
		   (SELECT pg_catalog.count(*) FROM pg_catalog.pg_inherits i
			 WHERE i.inhparent = pg_catalog.to_regclass(pg_catalog.format('%I.%I', d.relation_schema, d.index_name)))::int AS partitions,
		   d.created_at
	  FROM streamstat.index_defs d;
