-- Continuous rollups and retention (src/rollup/).
--
-- A rollup is a table of summaries per (time bucket, group): one statsummary
-- per field, and with percentiles => true one pctsketch per field beside it
-- (column <field>_pct, pct_agg's defaults: max_error 0.01, 1024 buckets).  The ingest workers fold each flush into every rollup of its
-- table in the same transaction as the rows (src/rollup/rollup_fold.c);
-- other writers keep rollups exact through the triggers below; retention is
-- run by the maintenance worker (src/rollup/maintenance.c).

-- One row per rollup.  Tables are named, not referenced by oid, so that the
-- catalog survives pg_dump and pg_upgrade; renaming a rollup or its source
-- is not supported.
CREATE TABLE streamstat.rollup_defs (
	id			serial PRIMARY KEY,
	rollup_schema name NOT NULL,
	rollup_name name NOT NULL,
	source_schema name NOT NULL,	-- the table or rollup it summarises
	source_name name NOT NULL,
	root_schema name NOT NULL,	-- the raw table at the bottom of the chain
	root_name	name NOT NULL,
	level		int NOT NULL,	-- 1: the source is the raw table
	bucket		interval NOT NULL,
	group_by	text[] NOT NULL,
	fields		text[] NOT NULL,
	-- Kinds of summary kept per field, one column each: 'statsummary'
	-- (column <field>) and, with percentiles, 'pctsketch' (<field>_pct).
	summary_kinds text[] NOT NULL DEFAULT '{statsummary}',
	partition_interval interval NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	UNIQUE (rollup_schema, rollup_name)
);
COMMENT ON TABLE streamstat.rollup_defs IS
	'Rollups: summaries per time bucket and group, kept current by the ingest workers and triggers';
SELECT pg_catalog.pg_extension_config_dump('streamstat.rollup_defs', '');
SELECT pg_catalog.pg_extension_config_dump('streamstat.rollup_defs_id_seq', '');
GRANT SELECT ON streamstat.rollup_defs TO PUBLIC;

-- When each backend last changed a rollup (one row per rollup and backend,
-- so that concurrent writers never wait on each other here).
CREATE TABLE streamstat.rollup_activity (
	rollup_id	int NOT NULL,
	pid			int NOT NULL,
	changed_at	timestamptz NOT NULL,
	PRIMARY KEY (rollup_id, pid)
);

-- Retention policies: partitions wholly older than now() - keep go.
CREATE TABLE streamstat.retention_policies (
	relation_schema name NOT NULL,
	relation_name name NOT NULL,
	keep		interval NOT NULL,
	mode		text NOT NULL CHECK (mode IN ('drop', 'detach')),
	last_run	timestamptz,
	partitions_removed bigint NOT NULL DEFAULT 0,
	last_error	text,
	PRIMARY KEY (relation_schema, relation_name)
);
COMMENT ON TABLE streamstat.retention_policies IS
	'Retention: the maintenance worker removes partitions whose whole range is older than now() - keep';
SELECT pg_catalog.pg_extension_config_dump('streamstat.retention_policies', '');

-- C support (src/rollup/rollup_fold.c, rollup_trigger.c).
-- Make the partition of a rollup (partitions width wide) that holds t.
CREATE FUNCTION streamstat.rollup_ensure_partition(rollup regclass, width interval, t timestamptz)
RETURNS void
AS 'MODULE_PATHNAME', 'streamstat_rollup_ensure_partition'
LANGUAGE C VOLATILE STRICT;

CREATE FUNCTION streamstat.rollup_capturing()
RETURNS boolean
AS 'MODULE_PATHNAME', 'streamstat_rollup_capturing'
LANGUAGE C VOLATILE PARALLEL SAFE;

CREATE FUNCTION streamstat.rollup_capture_row()
RETURNS trigger
AS 'MODULE_PATHNAME', 'streamstat_rollup_capture_row'
LANGUAGE C;

CREATE FUNCTION streamstat.rollup_apply_statement()
RETURNS trigger
AS 'MODULE_PATHNAME', 'streamstat_rollup_apply_statement'
LANGUAGE C;

-- The rollup's table as regclass, or NULL when it is gone.
CREATE FUNCTION streamstat.rollup_relation(d streamstat.rollup_defs)
RETURNS regclass
LANGUAGE sql STABLE
AS $$ SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', d.rollup_schema, d.rollup_name)) $$;

-- The SELECT that summarises the source rows of [lo, hi) per bucket and
-- group of rollup d (raw rows with stats_agg and pct_agg, summaries with
-- rollup).  NaN and infinities have no place in a sketch: left out of it.
CREATE FUNCTION streamstat.rollup_select_sql(d streamstat.rollup_defs)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	cols text := '';
	grp text := '1';
	g text;
	f text;
	i int := 1;
BEGIN
	FOREACH g IN ARRAY d.group_by LOOP
		cols := cols || format(', s.%I', g);
		i := i + 1;
		grp := grp || ', ' || i;
	END LOOP;
	FOREACH f IN ARRAY d.fields LOOP
		IF d.level = 1 THEN
			cols := cols || format(', @extschema@.stats_agg(s.%I::float8) AS %I', f, f);
			IF 'pctsketch' = ANY (d.summary_kinds) THEN
				cols := cols || format(', @extschema@.pct_agg(s.%1$I::float8) FILTER (WHERE s.%1$I::float8 > ''-Infinity'' '
									   'AND s.%1$I::float8 < ''Infinity'') AS %2$I', f, f || '_pct');
			END IF;
		ELSE
			cols := cols || format(', @extschema@.rollup(s.%I) AS %I', f, f);
			IF 'pctsketch' = ANY (d.summary_kinds) THEN
				cols := cols || format(', @extschema@.rollup(s.%1$I) AS %1$I', f || '_pct');
			END IF;
		END IF;
	END LOOP;
	RETURN format('SELECT @extschema@.time_bucket(%L::interval, s."time") AS "time"%s FROM %I.%I s '
				  'WHERE s."time" >= $1 AND s."time" < $2 GROUP BY %s',
				  d.bucket, cols, d.source_schema, d.source_name, grp);
END
$fn$;

-- INSERT ... ON CONFLICT of rollup d that adds the rows of a SELECT (in
-- place of %s) to the stored summaries with +.
CREATE FUNCTION streamstat.rollup_upsert_sql(d streamstat.rollup_defs)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	keys text := '"time"';
	sets text := '';
	g text;
	f text;
BEGIN
	FOREACH g IN ARRAY d.group_by LOOP
		keys := keys || format(', %I', g);
	END LOOP;
	FOREACH f IN ARRAY d.fields LOOP
		sets := sets || CASE WHEN sets = '' THEN '' ELSE ', ' END ||
			format('%1$I = COALESCE(r.%1$I OPERATOR(@extschema@.+) EXCLUDED.%1$I, r.%1$I, EXCLUDED.%1$I)', f);
		IF 'pctsketch' = ANY (d.summary_kinds) THEN
			sets := sets ||
				format(', %1$I = COALESCE(r.%1$I OPERATOR(@extschema@.+) EXCLUDED.%1$I, r.%1$I, EXCLUDED.%1$I)', f || '_pct');
		END IF;
	END LOOP;
	RETURN format('INSERT INTO %I.%I AS r %%s ON CONFLICT (%s) DO UPDATE SET %s',
				  d.rollup_schema, d.rollup_name, keys, sets);
END
$fn$;

-- Make the partitions of rollup d that its buckets of source rows in
-- [lo, hi) need.
CREATE FUNCTION streamstat.rollup_make_partitions(d streamstat.rollup_defs, lo timestamptz, hi timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $fn$
DECLARE
	t timestamptz;
BEGIN
	FOR t IN EXECUTE format('SELECT DISTINCT time_bucket(%L::interval, time_bucket(%L::interval, s."time")) '
							'FROM %I.%I s WHERE s."time" >= $1 AND s."time" < $2',
							d.partition_interval, d.bucket, d.source_schema, d.source_name)
		USING lo, hi LOOP
		PERFORM streamstat.rollup_ensure_partition(streamstat.rollup_relation(d), d.partition_interval, t);
	END LOOP;
END
$fn$;

-- Lock every rollup made from root, in id order (the order the fold
-- changes them in), so that no writer folds into them meanwhile.
CREATE FUNCTION streamstat.rollup_lock_chain(root_schema name, root_name name)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	d streamstat.rollup_defs;
BEGIN
	FOR d IN SELECT * FROM streamstat.rollup_defs r
			WHERE r.root_schema = rollup_lock_chain.root_schema AND r.root_name = rollup_lock_chain.root_name
			ORDER BY r.id LOOP
		IF streamstat.rollup_relation(d) IS NOT NULL THEN
			EXECUTE format('LOCK TABLE %I.%I IN SHARE ROW EXCLUSIVE MODE', d.rollup_schema, d.rollup_name);
		END IF;
	END LOOP;
END
$fn$;

-- Note that this backend changed rollup d (streamstat.rollups.last_change).
CREATE FUNCTION streamstat.rollup_touch(d streamstat.rollup_defs)
RETURNS void
LANGUAGE sql
AS $$
	INSERT INTO streamstat.rollup_activity (rollup_id, pid, changed_at)
	VALUES (d.id, pg_catalog.pg_backend_pid(), pg_catalog.clock_timestamp())
	ON CONFLICT (rollup_id, pid) DO UPDATE SET changed_at = EXCLUDED.changed_at
$$;

-- Recompute rollup d over the buckets starting in [lo, hi) from its source,
-- then the rollups made from it, over the buckets that cover those.  The
-- rollups of the chain are locked first (in id order, as the fold does),
-- so no writer folds into them meanwhile and the recomputation is exact.
CREATE FUNCTION streamstat.rollup_recompute_range(d streamstat.rollup_defs, lo timestamptz, hi timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $fn$
DECLARE
	blo timestamptz := time_bucket(d.bucket, lo);
	child streamstat.rollup_defs;
BEGIN
	IF streamstat.rollup_relation(d) IS NULL THEN
		RETURN;
	END IF;
	EXECUTE format('DELETE FROM %I.%I WHERE "time" >= $1 AND "time" < $2', d.rollup_schema, d.rollup_name)
		USING blo, hi;
	PERFORM streamstat.rollup_make_partitions(d, blo, hi + d.bucket + interval '1 day');
	EXECUTE format(streamstat.rollup_upsert_sql(d),
				   format('SELECT * FROM (%s) q WHERE "time" < $3', streamstat.rollup_select_sql(d)))
		USING blo, hi + d.bucket + interval '1 day', hi;
	PERFORM streamstat.rollup_touch(d);
	FOR child IN SELECT * FROM streamstat.rollup_defs c
			WHERE c.source_schema = d.rollup_schema AND c.source_name = d.rollup_name ORDER BY c.id LOOP
		-- the child's buckets that hold [blo, hi)
		PERFORM streamstat.rollup_recompute_range(child, blo,
			time_bucket(child.bucket, hi - interval '1 microsecond') + child.bucket + interval '1 day');
	END LOOP;
END
$fn$;

-- Recompute the given (bucket, group) keys of rollup d, then those of the
-- rollups made from it.  keys: a jsonb array of {"time": ..., group: ...}.
CREATE FUNCTION streamstat.rollup_recompute_keys(d streamstat.rollup_defs, keys jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $fn$
DECLARE
	coldefs text := '"time" timestamptz';
	match text := 'r."time" = k."time"';
	gl text := '';
	g text;
	lo timestamptz;
	hi timestamptz;
	t timestamptz;
	child streamstat.rollup_defs;
	ckeys jsonb;
BEGIN
	IF keys IS NULL OR jsonb_array_length(keys) = 0 OR streamstat.rollup_relation(d) IS NULL THEN
		RETURN;
	END IF;
	FOREACH g IN ARRAY d.group_by LOOP
		coldefs := coldefs || format(', %I text', g);
		match := match || format(' AND r.%1$I IS NOT DISTINCT FROM k.%1$I', g);
		gl := gl || format(', k.%I', g);
	END LOOP;
	SELECT min((e->>'time')::timestamptz), max((e->>'time')::timestamptz) INTO lo, hi
		FROM jsonb_array_elements(keys) e;
	EXECUTE format('DELETE FROM %I.%I r USING jsonb_to_recordset($1) AS k(%s) WHERE %s',
				   d.rollup_schema, d.rollup_name, coldefs, match) USING keys;
	FOR t IN SELECT DISTINCT time_bucket(d.partition_interval, (e->>'time')::timestamptz)
			   FROM jsonb_array_elements(keys) e LOOP
		PERFORM streamstat.rollup_ensure_partition(streamstat.rollup_relation(d), d.partition_interval, t);
	END LOOP;
	-- Summarise the source over the keys' range, keep the keys' rows.
	EXECUTE format(streamstat.rollup_upsert_sql(d),
				   format('SELECT r.* FROM (%s) r JOIN jsonb_to_recordset($3) AS k(%s) ON %s',
						  streamstat.rollup_select_sql(d), coldefs, match))
		USING lo, hi + d.bucket + interval '1 day', keys;
	PERFORM streamstat.rollup_touch(d);
	FOR child IN SELECT * FROM streamstat.rollup_defs c
			WHERE c.source_schema = d.rollup_schema AND c.source_name = d.rollup_name ORDER BY c.id LOOP
		EXECUTE format('SELECT jsonb_agg(q) FROM (SELECT DISTINCT time_bucket(%L::interval, k."time") AS "time"%s '
					   'FROM jsonb_to_recordset($1) AS k(%s)) q',
					   child.bucket,
					   (SELECT coalesce(string_agg(format(', k.%I', cg), ''), '') FROM unnest(child.group_by) cg),
					   coldefs)
			INTO ckeys USING keys;
		PERFORM streamstat.rollup_recompute_keys(child, ckeys);
	END LOOP;
END
$fn$;

-- UPDATE and DELETE on a table with rollups: recompute the buckets and
-- groups the statement touched (old and new rows) in every rollup.
CREATE FUNCTION streamstat.rollup_recompute_statement()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $fn$
DECLARE
	d streamstat.rollup_defs;
	gl text;
	keys jsonb;
	src_rows text;
BEGIN
	PERFORM streamstat.rollup_lock_chain(TG_TABLE_SCHEMA, TG_TABLE_NAME);
	FOR d IN SELECT * FROM streamstat.rollup_defs
			WHERE root_schema = TG_TABLE_SCHEMA AND root_name = TG_TABLE_NAME AND level = 1
			ORDER BY id LOOP
		SELECT coalesce(string_agg(format(', %I', g), ''), '') INTO gl FROM unnest(d.group_by) g;
		src_rows := format('SELECT "time"%s FROM streamstat_old', gl);
		IF TG_OP = 'UPDATE' THEN
			src_rows := src_rows || format(' UNION ALL SELECT "time"%s FROM streamstat_new', gl);
		END IF;
		EXECUTE format('SELECT jsonb_agg(q) FROM (SELECT DISTINCT time_bucket(%L::interval, "time") AS "time"%s FROM (%s) x) q',
					   d.bucket, gl, src_rows) INTO keys;
		PERFORM streamstat.rollup_recompute_keys(d, keys);
	END LOOP;
	RETURN NULL;
END
$fn$;

-- Put the triggers that keep the rollups of table root exact on it.
CREATE FUNCTION streamstat.rollup_install_triggers(root regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	-- Rows of other writers are summarised as they come (the ingest
	-- workers fold their own: rollup_capturing() is false for them), then
	-- folded once per statement.
	EXECUTE format('CREATE OR REPLACE TRIGGER streamstat_rollup_capture AFTER INSERT ON %s '
				   'FOR EACH ROW WHEN (streamstat.rollup_capturing()) '
				   'EXECUTE FUNCTION streamstat.rollup_capture_row()', root);
	EXECUTE format('CREATE OR REPLACE TRIGGER streamstat_rollup_apply AFTER INSERT ON %s '
				   'FOR EACH STATEMENT EXECUTE FUNCTION streamstat.rollup_apply_statement()', root);
	EXECUTE format('CREATE OR REPLACE TRIGGER streamstat_rollup_update AFTER UPDATE ON %s '
				   'REFERENCING OLD TABLE AS streamstat_old NEW TABLE AS streamstat_new '
				   'FOR EACH STATEMENT EXECUTE FUNCTION streamstat.rollup_recompute_statement()', root);
	EXECUTE format('CREATE OR REPLACE TRIGGER streamstat_rollup_delete AFTER DELETE ON %s '
				   'REFERENCING OLD TABLE AS streamstat_old '
				   'FOR EACH STATEMENT EXECUTE FUNCTION streamstat.rollup_recompute_statement()', root);
END
$fn$;

CREATE FUNCTION streamstat.rollup_drop_triggers(root regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['streamstat_rollup_capture', 'streamstat_rollup_apply',
							 'streamstat_rollup_update', 'streamstat_rollup_delete'] LOOP
		EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', t, root);
	END LOOP;
END
$fn$;

-- Whether a bucket is a whole multiple of a source's bucket (and aligned to
-- it: fixed widths share time_bucket's origin, months start at midnight).
CREATE FUNCTION streamstat.rollup_bucket_months(b interval)
RETURNS int
LANGUAGE sql IMMUTABLE
AS $$ SELECT (pg_catalog.date_part('year', b) * 12 + pg_catalog.date_part('month', b))::int $$;

-- Microseconds of the part of b that is not whole months.
CREATE FUNCTION streamstat.rollup_bucket_usecs(b interval)
RETURNS numeric
LANGUAGE sql IMMUTABLE
AS $$ SELECT pg_catalog.date_part('epoch', b - pg_catalog.make_interval(months => streamstat.rollup_bucket_months(b)))::numeric * 1000000 $$;

CREATE FUNCTION streamstat.rollup_bucket_multiple(bucket interval, source_bucket interval)
RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$
	SELECT CASE
		WHEN streamstat.rollup_bucket_months(source_bucket) <> 0 THEN
			streamstat.rollup_bucket_usecs(bucket) = 0
			AND streamstat.rollup_bucket_months(bucket) % streamstat.rollup_bucket_months(source_bucket) = 0
		WHEN streamstat.rollup_bucket_months(bucket) <> 0 THEN
			86400000000 % streamstat.rollup_bucket_usecs(source_bucket) = 0
		ELSE
			streamstat.rollup_bucket_usecs(bucket) % streamstat.rollup_bucket_usecs(source_bucket) = 0
	END
$$;

CREATE FUNCTION streamstat.create_rollup(name text, source regclass, bucket interval,
										 group_by text[] DEFAULT NULL, fields text[] DEFAULT NULL,
										 partition_interval interval DEFAULT NULL,
										 percentiles boolean DEFAULT false)
RETURNS regclass
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $fn$
DECLARE
	src_schema text;
	src_name text;
	src_kind "char";
	parent streamstat.rollup_defs;
	d streamstat.rollup_defs;
	is_rollup boolean;
	cols text;
	keycols text;
	c text;
	typ oid;
	rel regclass;
	t timestamptz;
	lo timestamptz;
	hi timestamptz;
BEGIN
	IF name IS NULL OR source IS NULL OR bucket IS NULL OR percentiles IS NULL THEN
		RAISE EXCEPTION 'name, source, bucket and percentiles of a rollup must not be null'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Give them, or leave percentiles to its default (false).';
	END IF;
	IF bucket <= interval '0' OR streamstat.rollup_bucket_months(bucket) < 0
			OR streamstat.rollup_bucket_usecs(bucket) < 0
			OR (streamstat.rollup_bucket_months(bucket) <> 0 AND streamstat.rollup_bucket_usecs(bucket) <> 0) THEN
		RAISE EXCEPTION 'invalid rollup bucket "%"', bucket
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a positive width of whole months or of a fixed length (''1 minute'', ''1 hour'', ''1 day''), not a mix.';
	END IF;
	SELECT n.nspname, c.relname, c.relkind INTO src_schema, src_name, src_kind
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = source;
	IF src_kind NOT IN ('r', 'p') THEN
		RAISE EXCEPTION '% is not a table', source
			USING ERRCODE = 'wrong_object_type', HINT = 'The source of a rollup is a table or another rollup.';
	END IF;
	IF (SELECT atttypid FROM pg_attribute WHERE attrelid = source AND attname = 'time' AND NOT attisdropped)
			IS DISTINCT FROM 'timestamptz'::regtype THEN
		RAISE EXCEPTION 'table % has no column "time" of type timestamptz', source
			USING ERRCODE = 'undefined_column', HINT = 'A rollup summarises rows by their "time" column, as streamstat makes its tables.';
	END IF;
	IF to_regclass(format('%I.%I', src_schema, name)) IS NOT NULL THEN
		RAISE EXCEPTION 'relation "%" already exists', format('%I.%I', src_schema, name)
			USING ERRCODE = 'duplicate_table',
				  HINT = 'Pick another name, or remove the old rollup with streamstat.drop_rollup().';
	END IF;

	SELECT * INTO parent FROM streamstat.rollup_defs r WHERE r.rollup_schema = src_schema AND r.rollup_name = src_name;
	is_rollup := FOUND;
	IF is_rollup THEN
		IF NOT streamstat.rollup_bucket_multiple(bucket, parent.bucket) THEN
			RAISE EXCEPTION 'bucket % is not a multiple of the bucket % of rollup %', bucket, parent.bucket, source
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'A rollup of a rollup combines whole source buckets: use a multiple (months need a source bucket that divides a day).';
		END IF;
		IF percentiles AND NOT 'pctsketch' = ANY (parent.summary_kinds) THEN
			RAISE EXCEPTION 'rollup % has no percentile sketches', source
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'A rollup of a rollup merges its source''s sketches: make the source with percentiles => true, or roll up the raw table.';
		END IF;
		group_by := coalesce(group_by, parent.group_by);
		fields := coalesce(fields, parent.fields);
		FOREACH c IN ARRAY group_by LOOP
			IF NOT c = ANY (parent.group_by) THEN
				RAISE EXCEPTION 'rollup % has no group column "%"', source, c
					USING ERRCODE = 'undefined_column',
						  HINT = format('Group by columns of the source rollup: %s.', array_to_string(parent.group_by, ', '));
			END IF;
		END LOOP;
		FOREACH c IN ARRAY fields LOOP
			IF NOT c = ANY (parent.fields) THEN
				RAISE EXCEPTION 'rollup % has no field "%"', source, c
					USING ERRCODE = 'undefined_column',
						  HINT = format('Fields of the source rollup: %s.', array_to_string(parent.fields, ', '));
			END IF;
		END LOOP;
	ELSE
		IF group_by IS NULL THEN
			SELECT coalesce(array_agg(attname::text ORDER BY attnum), '{}') INTO group_by FROM pg_attribute
				WHERE attrelid = source AND attnum > 0 AND NOT attisdropped AND attname <> 'time'
				  AND atttypid IN ('text'::regtype, 'varchar'::regtype);
		END IF;
		IF fields IS NULL THEN
			SELECT coalesce(array_agg(attname::text ORDER BY attnum), '{}') INTO fields FROM pg_attribute
				WHERE attrelid = source AND attnum > 0 AND NOT attisdropped AND attname <> 'time'
				  AND atttypid IN ('float8'::regtype, 'float4'::regtype, 'int2'::regtype,
								   'int4'::regtype, 'int8'::regtype, 'numeric'::regtype);
		END IF;
		FOREACH c IN ARRAY group_by LOOP
			SELECT atttypid INTO typ FROM pg_attribute WHERE attrelid = source AND attname = c AND NOT attisdropped;
			IF NOT FOUND OR c = 'time' THEN
				RAISE EXCEPTION 'table % has no group column "%"', source, c
					USING ERRCODE = 'undefined_column',
						  HINT = 'Group by text columns of the source (its tags).';
			ELSIF typ NOT IN ('text'::regtype, 'varchar'::regtype) THEN
				RAISE EXCEPTION 'group column "%" of table % has type %, not text', c, source, format_type(typ, NULL)
					USING ERRCODE = 'datatype_mismatch',
						  HINT = 'Group by text columns (tags); summarise numeric columns as fields.';
			END IF;
		END LOOP;
		FOREACH c IN ARRAY fields LOOP
			SELECT atttypid INTO typ FROM pg_attribute WHERE attrelid = source AND attname = c AND NOT attisdropped;
			IF NOT FOUND OR c = 'time' THEN
				RAISE EXCEPTION 'table % has no field "%"', source, c
					USING ERRCODE = 'undefined_column',
						  HINT = 'Fields are numeric columns of the source.';
			ELSIF typ NOT IN ('float8'::regtype, 'float4'::regtype, 'int2'::regtype,
							  'int4'::regtype, 'int8'::regtype, 'numeric'::regtype) THEN
				RAISE EXCEPTION 'field "%" of table % has type %, which is not numeric', c, source, format_type(typ, NULL)
					USING ERRCODE = 'datatype_mismatch',
						  HINT = 'Summarise double precision, real, integer or numeric columns; group by text ones.';
			END IF;
		END LOOP;
	END IF;
	IF cardinality(fields) = 0 THEN
		RAISE EXCEPTION 'rollup % would have no fields', name
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Name numeric columns of the source in fields.';
	END IF;
	IF (SELECT count(DISTINCT x) FROM unnest(group_by || fields) x) <> cardinality(group_by) + cardinality(fields) THEN
		RAISE EXCEPTION 'a column is named twice in group_by and fields'
			USING ERRCODE = 'duplicate_column', HINT = 'Name each column once.';
	END IF;
	IF percentiles AND EXISTS (SELECT FROM unnest(fields) f WHERE f || '_pct' = ANY (group_by || fields)) THEN
		RAISE EXCEPTION 'the sketch column "%" of a field would have the name of another column',
			(SELECT f || '_pct' FROM unnest(fields) f WHERE f || '_pct' = ANY (group_by || fields) LIMIT 1)
			USING ERRCODE = 'duplicate_column',
				  HINT = 'With percentiles, the sketch of field f is column f_pct: leave one of the two out of the rollup.';
	END IF;
	IF partition_interval IS NULL THEN
		partition_interval := CASE WHEN bucket < interval '1 hour' THEN interval '7 days'
								   WHEN bucket < interval '1 day' THEN interval '90 days'
								   ELSE interval '3650 days' END;
	ELSIF partition_interval <= interval '0' OR streamstat.rollup_bucket_months(partition_interval) <> 0 THEN
		RAISE EXCEPTION 'invalid partition_interval "%"', partition_interval
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Give a positive fixed width such as ''7 days''.';
	END IF;

	-- No rows arrive between the backfill and the catalog entry.
	IF is_rollup THEN
		EXECUTE format('LOCK TABLE %I.%I IN SHARE ROW EXCLUSIVE MODE', parent.root_schema, parent.root_name);
		PERFORM streamstat.rollup_lock_chain(parent.root_schema, parent.root_name);
	ELSE
		EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', source);
	END IF;

	cols := '"time" timestamptz NOT NULL';
	keycols := '"time"';
	FOREACH c IN ARRAY group_by LOOP
		cols := cols || format(', %I text', c);
		keycols := keycols || format(', %I', c);
	END LOOP;
	FOREACH c IN ARRAY fields LOOP
		cols := cols || format(', %I @extschema@.statsummary', c);
		IF percentiles THEN
			cols := cols || format(', %I @extschema@.pctsketch', c || '_pct');
		END IF;
	END LOOP;
	EXECUTE format('CREATE TABLE %I.%I (%s, UNIQUE NULLS NOT DISTINCT (%s)) PARTITION BY RANGE ("time")',
				   src_schema, name, cols, keycols);
	rel := format('%I.%I', src_schema, name)::regclass;
	EXECUTE format('COMMENT ON TABLE %s IS %L', rel,
				   format('streamstat rollup of %s per %s', source, bucket));

	INSERT INTO streamstat.rollup_defs (rollup_schema, rollup_name, source_schema, source_name,
										root_schema, root_name, level, bucket, group_by, fields,
										summary_kinds, partition_interval)
	VALUES (src_schema, name, src_schema, src_name,
			CASE WHEN is_rollup THEN parent.root_schema ELSE src_schema END,
			CASE WHEN is_rollup THEN parent.root_name ELSE src_name END,
			CASE WHEN is_rollup THEN parent.level + 1 ELSE 1 END,
			bucket, group_by, fields,
			CASE WHEN percentiles THEN '{statsummary,pctsketch}'::text[] ELSE '{statsummary}'::text[] END,
			partition_interval)
	RETURNING * INTO d;
	PERFORM streamstat.rollup_install_triggers(format('%I.%I', d.root_schema, d.root_name)::regclass);

	-- Backfill, and the partition of the current time.
	PERFORM streamstat.rollup_ensure_partition(rel, partition_interval, now());
	EXECUTE format('SELECT min("time"), max("time") FROM %s', source) INTO lo, hi;
	IF lo IS NOT NULL THEN
		PERFORM streamstat.rollup_recompute_range(d, lo, hi + interval '1 microsecond');
	END IF;
	RETURN rel;
END
$fn$;

CREATE FUNCTION streamstat.drop_rollup(name regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	d streamstat.rollup_defs;
	child text;
BEGIN
	SELECT r.* INTO d FROM streamstat.rollup_defs r JOIN pg_class c ON c.relname = r.rollup_name
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = r.rollup_schema
		WHERE c.oid = name;
	IF NOT FOUND THEN
		RAISE EXCEPTION '% is not a rollup', name
			USING ERRCODE = 'wrong_object_type', HINT = 'See streamstat.rollups for the rollups.';
	END IF;
	SELECT string_agg(format('%I.%I', c.rollup_schema, c.rollup_name), ', ') INTO child
		FROM streamstat.rollup_defs c WHERE c.source_schema = d.rollup_schema AND c.source_name = d.rollup_name;
	IF child IS NOT NULL THEN
		RAISE EXCEPTION 'rollups % are made from rollup %', child, name
			USING ERRCODE = 'dependent_objects_still_exist', HINT = 'Drop those first.';
	END IF;
	EXECUTE format('DROP TABLE %s', name);
	DELETE FROM streamstat.rollup_defs WHERE id = d.id;
	DELETE FROM streamstat.rollup_activity WHERE rollup_id = d.id;
	DELETE FROM streamstat.retention_policies WHERE relation_schema = d.rollup_schema AND relation_name = d.rollup_name;
	IF NOT EXISTS (SELECT FROM streamstat.rollup_defs WHERE root_schema = d.root_schema AND root_name = d.root_name)
		AND to_regclass(format('%I.%I', d.root_schema, d.root_name)) IS NOT NULL THEN
		PERFORM streamstat.rollup_drop_triggers(format('%I.%I', d.root_schema, d.root_name)::regclass);
	END IF;
END
$fn$;

CREATE FUNCTION streamstat.refresh_rollup(name regclass, "from" timestamptz, "to" timestamptz)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	d streamstat.rollup_defs;
BEGIN
	SELECT r.* INTO d FROM streamstat.rollup_defs r JOIN pg_class c ON c.relname = r.rollup_name
		JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = r.rollup_schema
		WHERE c.oid = name;
	IF NOT FOUND THEN
		RAISE EXCEPTION '% is not a rollup', name
			USING ERRCODE = 'wrong_object_type', HINT = 'See streamstat.rollups for the rollups.';
	END IF;
	IF "from" IS NULL OR "to" IS NULL OR "from" >= "to" THEN
		RAISE EXCEPTION 'invalid range to refresh'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Give "from" before "to".';
	END IF;
	PERFORM streamstat.rollup_lock_chain(d.root_schema, d.root_name);
	PERFORM streamstat.rollup_recompute_range(d, "from", "to");
END
$fn$;

CREATE FUNCTION streamstat.rollup_rows(rel regclass)
RETURNS bigint
LANGUAGE plpgsql STABLE
AS $fn$
DECLARE
	n bigint;
BEGIN
	IF rel IS NULL THEN
		RETURN NULL;
	END IF;
	EXECUTE format('SELECT count(*) FROM %s', rel) INTO n;
	RETURN n;
END
$fn$;

CREATE VIEW streamstat.rollups AS
	SELECT streamstat.rollup_relation(d) AS name,
		   pg_catalog.to_regclass(pg_catalog.format('%I.%I', d.source_schema, d.source_name)) AS source,
		   d.bucket, d.group_by, d.fields, d.summary_kinds,
		   streamstat.rollup_rows(streamstat.rollup_relation(d)) AS rows,
		   (SELECT pg_catalog.max(a.changed_at) FROM streamstat.rollup_activity a
			 WHERE a.rollup_id = d.id) AS last_change
	  FROM streamstat.rollup_defs d;

-- Retention.

CREATE FUNCTION streamstat.set_retention(relation regclass, keep interval, mode text DEFAULT 'drop')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	s text;
	r text;
BEGIN
	IF keep IS NULL OR keep <= interval '0' THEN
		RAISE EXCEPTION 'invalid retention "%"', keep
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Give a positive interval such as ''7 days''.';
	END IF;
	IF mode IS NULL OR mode NOT IN ('drop', 'detach') THEN
		RAISE EXCEPTION 'invalid retention mode "%"', mode
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use ''drop'' or ''detach''.';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_partitioned_table p JOIN pg_attribute a
						ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
					WHERE p.partrelid = relation AND p.partstrat = 'r' AND p.partnatts = 1
					  AND a.attname = 'time' AND a.atttypid = 'timestamptz'::regtype) THEN
		RAISE EXCEPTION 'table % is not partitioned by time', relation
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Retention removes whole partitions: use a table partitioned BY RANGE ("time"), as streamstat makes them, or a rollup.';
	END IF;
	SELECT n.nspname, c.relname INTO s, r FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = relation;
	INSERT INTO streamstat.retention_policies (relation_schema, relation_name, keep, mode)
		VALUES (s, r, keep, mode)
		ON CONFLICT (relation_schema, relation_name) DO UPDATE SET keep = EXCLUDED.keep, mode = EXCLUDED.mode;
END
$fn$;

CREATE FUNCTION streamstat.remove_retention(relation regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	DELETE FROM streamstat.retention_policies p USING pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = relation AND p.relation_schema = n.nspname AND p.relation_name = c.relname;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table % has no retention policy', relation
			USING ERRCODE = 'undefined_object', HINT = 'See streamstat.policies.';
	END IF;
END
$fn$;

-- One retention pass over one policy's table (NULL: every policy): remove
-- the partitions whose whole range ends at or before now() - keep, never
-- the one holding now(); wait at most 1 s for a lock (else try again at the
-- next pass).  Returns the partitions removed.  The maintenance worker runs
-- it at every streamstat.maintenance_interval.
CREATE FUNCTION streamstat.run_retention(relation regclass DEFAULT NULL)
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '1s'
AS $fn$
DECLARE
	p streamstat.retention_policies;
	rel regclass;
	part record;
	lo timestamptz;
	hi timestamptz;
	cutoff timestamptz;
	removed int;
	total int := 0;
	err text;
	m text[];
BEGIN
	FOR p IN SELECT * FROM streamstat.retention_policies ORDER BY relation_schema, relation_name LOOP
		rel := to_regclass(format('%I.%I', p.relation_schema, p.relation_name));
		CONTINUE WHEN relation IS NOT NULL AND rel IS DISTINCT FROM relation;
		removed := 0;
		err := NULL;
		IF rel IS NULL THEN
			err := 'table does not exist';
		ELSE
			cutoff := now() - p.keep;
			FOR part IN SELECT c.oid::regclass AS part, n.nspname, c.relname,
							   pg_get_expr(c.relpartbound, c.oid) AS bound
						  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
						  JOIN pg_namespace n ON n.oid = c.relnamespace
						 WHERE i.inhparent = rel ORDER BY 4 LOOP
				m := regexp_match(part.bound, '^FOR VALUES FROM \(''([^'']*)''\) TO \(''([^'']*)''\)$');
				CONTINUE WHEN m IS NULL;	-- MINVALUE/MAXVALUE or DEFAULT
				lo := m[1]::timestamptz;
				hi := m[2]::timestamptz;
				CONTINUE WHEN hi > cutoff OR (lo <= now() AND now() < hi);
				BEGIN
					IF p.mode = 'drop' THEN
						EXECUTE format('DROP TABLE %s', part.part);
					ELSE
						EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', rel, part.part);
						-- free the name for a partition made again by late rows
						EXECUTE format('ALTER TABLE %s RENAME TO %I', part.part,
									   left(part.relname, 54) || '_detached');
					END IF;
					removed := removed + 1;
					RAISE LOG 'streamstat retention: % partition %.% of % (% to %), older than %',
						CASE p.mode WHEN 'drop' THEN 'dropped' ELSE 'detached' END,
						quote_ident(part.nspname), quote_ident(part.relname), rel, lo, hi, p.keep;
				EXCEPTION
					WHEN lock_not_available THEN
						err := format('could not lock %s within 1 s; tried again at the next pass', part.part);
					WHEN OTHERS THEN
						err := SQLERRM;
				END;
			END LOOP;
		END IF;
		UPDATE streamstat.retention_policies SET last_run = now(),
				partitions_removed = partitions_removed + removed, last_error = err
			WHERE relation_schema = p.relation_schema AND relation_name = p.relation_name;
		total := total + removed;
	END LOOP;
	RETURN total;
END
$fn$;

CREATE VIEW streamstat.policies AS
	SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', p.relation_schema, p.relation_name)) AS relation,
		   p.keep, p.mode, p.last_run, p.partitions_removed, p.last_error
	  FROM streamstat.retention_policies p;

-- The rollups' side of a maintenance pass: make the partitions of the
-- current and the next slot ahead of their rows (so the fold rarely needs
-- DDL), and forget the activity of backends that exited (keeping the
-- latest row of each rollup).
CREATE FUNCTION streamstat.rollup_maintenance()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '1s'
AS $fn$
DECLARE
	d streamstat.rollup_defs;
BEGIN
	FOR d IN SELECT * FROM streamstat.rollup_defs ORDER BY id LOOP
		CONTINUE WHEN streamstat.rollup_relation(d) IS NULL;
		PERFORM streamstat.rollup_ensure_partition(streamstat.rollup_relation(d), d.partition_interval, now());
		PERFORM streamstat.rollup_ensure_partition(streamstat.rollup_relation(d), d.partition_interval,
												   now() + d.partition_interval);
	END LOOP;
	DELETE FROM streamstat.rollup_activity a
	 WHERE NOT EXISTS (SELECT FROM pg_stat_activity s WHERE s.pid = a.pid)
	   AND a.changed_at < (SELECT max(b.changed_at) FROM streamstat.rollup_activity b
						   WHERE b.rollup_id = a.rollup_id);
END
$fn$;
