/*
 * writer_citus.c
 *		The writer's path into Citus distributed tables.
 *
 * On a Citus node the local relation of a distributed table is an empty
 * shell: rows that COPY's machinery wrote there would land where no query
 * sees them.  For such tables (any table in Citus's pg_dist_partition:
 * distributed by any column, reference or Citus-local) the insert step of a
 * flush goes through Citus instead: one INSERT ... SELECT FROM unnest() of
 * the batch's columns as arrays, which Citus routes to the shards (by
 * COPY, over its own connections) inside the flush transaction, so rejects,
 * bisection of bad rows, back-pressure and the HTTP answer after commit
 * keep their contracts.  With streamstat.distribute_by set, tables made
 * for new measurements become distributed tables sharded by that tag.
 *
 * Citus is never linked: its catalog and functions are reached through
 * SQL, and only when the citus extension exists in the database.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "common/shortest_dec.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/rel.h"

#include "streamstat.h"
#include "writer/writer_internal.h"

/* Whether the citus extension exists in this database. */
bool
writer_citus_present(void)
{
	return OidIsValid(get_extension_oid("citus", true));
}

/*
 * Whether Citus manages relid (it is in pg_dist_partition), so that rows
 * must reach it through Citus.  False when Citus is not installed here.
 */
bool
writer_citus_table(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1] = {ObjectIdGetDatum(relid)};
	bool		found;

	if (!writer_citus_present())
		return false;
	SPI_connect();
	if (SPI_execute_with_args("SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = $1",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "streamstat: could not read pg_dist_partition");
	found = SPI_processed > 0;
	SPI_finish();
	return found;
}

/*
 * The distribution column of a new measurement table (streamstat.distribute_by),
 * or NULL when new tables stay local (unset, or no Citus here).
 */
const char *
writer_citus_distribution_column(void)
{
	if (streamstat_distribute_by == NULL || streamstat_distribute_by[0] == '\0')
		return NULL;
	if (!writer_citus_present())
		return NULL;
	return streamstat_distribute_by;
}

/*
 * Run the DDL of this transaction on Citus tables one shard connection at a
 * time: Citus refuses schema commands (CREATE SCHEMA for the partitions)
 * after a parallel DDL (ADD COLUMN) on a distributed table in the same
 * transaction.  Nothing when Citus is not installed here.
 */
void
writer_citus_ddl_mode(void)
{
	if (!writer_citus_present())
		return;
	if (SPI_execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'", false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "streamstat: could not set citus.multi_shard_modify_mode");
}

/*
 * Make the new table qualname a distributed table sharded by column.  Its
 * time partitions, created afterwards with CREATE TABLE ... PARTITION OF,
 * are then distributed alike by Citus (on every shard).
 */
void
writer_citus_distribute(const char *qualname, const char *column)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2] = {CStringGetTextDatum(qualname), CStringGetTextDatum(column)};

	SPI_connect();
	if (SPI_execute_with_args("SELECT pg_catalog.create_distributed_table($1::regclass, $2)",
							  2, argtypes, args, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "streamstat: create_distributed_table failed for %s", qualname);
	SPI_finish();
}

/*
 * Keep this session's connections to the shards open between flushes.
 * Citus caches one connection per worker node by default (for this kind of
 * session); a flush that writes to many shards then opens a new connection
 * (TLS handshake, new backend) per shard every time, which on a local
 * cluster costs several times the rows' own work.  The ingest worker raises
 * the cache, for its own session, to citus.shard_count unless it is set
 * higher already.
 */
static void
citus_keep_connections(void)
{
	const char *value;
	int			shards;
	int			cached;

	/* GetConfigOption formats integers into one static buffer: read each */
	if ((value = GetConfigOption("citus.shard_count", true, false)) == NULL)
		return;
	shards = atoi(value);
	if ((value = GetConfigOption("citus.max_cached_conns_per_worker", true, false)) == NULL)
		return;
	cached = atoi(value);
	if (cached >= shards)
		return;
	(void) set_config_option("citus.max_cached_conns_per_worker", psprintf("%d", shards),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SET, true, 0, false);
}

/* One buffered value of target column tc at row, as text; NULL if none. */
static text *
value_as_text(BatchTable *t, TargetColumn *tc, int row)
{
	char		num[64];
	int			len;

	for (int k = 0; k < tc->nsrc; k++)
	{
		BatchColumn *bc = &t->cols[tc->src[k]];
		BatchValue *v;

		if (bc->isnull[row])
			continue;
		v = &bc->values[row];
		switch (bc->kind)
		{
			case BATCH_FLOAT:
				len = double_to_shortest_decimal_bufn(v->f, num);
				return cstring_to_text_with_len(num, len);
			case BATCH_INTEGER:
				len = pg_lltoa(v->i, num);
				return cstring_to_text_with_len(num, len);
			case BATCH_UNSIGNED:
				len = pg_ulltoa_n(v->u, num);
				return cstring_to_text_with_len(num, len);
			case BATCH_BOOLEAN:
				return cstring_to_text(v->b ? "t" : "f");
			case BATCH_TAG:
			case BATCH_STRING:
				return cstring_to_text_with_len(t->strings.data + v->s.off, v->s.len);
		}
	}
	return NULL;
}

/*
 * Insert src's rows into the Citus table rel, columns attnames ("time",
 * then src->cols): one INSERT ... SELECT * FROM unnest($1, $2, ...) with
 * the time column as timestamptz[] and every other column as text[] cast
 * to the column's type (errors in a value are then the type's own, and
 * bisection isolates the row as for COPY).  Returns the rows inserted.
 */
uint64
writer_citus_insert(Relation rel, List *attnames, CopySource *src)
{
	BatchTable *t = src->table;
	int			nargs = 1 + src->ncols;
	Oid		   *argtypes = palloc(nargs * sizeof(Oid));
	Datum	   *args = palloc(nargs * sizeof(Datum));
	Datum	   *elems = palloc(Max(src->nrows, 1) * sizeof(Datum));
	bool	   *elemnulls = palloc(Max(src->nrows, 1) * sizeof(bool));
	int			dims[1] = {src->nrows};
	int			lbs[1] = {1};
	StringInfoData sql;
	ListCell   *lc;
	uint64		processed;

	Assert(list_length(attnames) == nargs);
	initStringInfo(&sql);
	appendStringInfo(&sql, "INSERT INTO %s (",
					 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
												RelationGetRelationName(rel)));
	foreach(lc, attnames)
		appendStringInfo(&sql, "%s%s", foreach_current_index(lc) > 0 ? ", " : "",
						 quote_identifier(strVal(lfirst(lc))));
	appendStringInfoString(&sql, ") SELECT * FROM unnest($1::timestamptz[]");

	for (int i = 0; i < src->nrows; i++)
		elems[i] = TimestampTzGetDatum(t->time[src->rows[i]]);
	argtypes[0] = TIMESTAMPTZARRAYOID;
	args[0] = PointerGetDatum(construct_array(elems, src->nrows, TIMESTAMPTZOID,
											  sizeof(TimestampTz), FLOAT8PASSBYVAL,
											  TYPALIGN_DOUBLE));

	for (int c = 0; c < src->ncols; c++)
	{
		TargetColumn *tc = &src->cols[c];

		for (int i = 0; i < src->nrows; i++)
		{
			text	   *v = value_as_text(t, tc, src->rows[i]);

			elemnulls[i] = (v == NULL);
			elems[i] = PointerGetDatum(v);
		}
		argtypes[c + 1] = TEXTARRAYOID;
		args[c + 1] = PointerGetDatum(construct_md_array(elems, elemnulls, 1, dims, lbs,
														 TEXTOID, -1, false, TYPALIGN_INT));
		if (tc->typid == TEXTOID)
			appendStringInfo(&sql, ", $%d::text[]", c + 2);
		else
			appendStringInfo(&sql, ", $%d::text[]::%s[]", c + 2, format_type_be(tc->typid));
	}
	appendStringInfoChar(&sql, ')');

	citus_keep_connections();
	SPI_connect();
	if (SPI_execute_with_args(sql.data, nargs, argtypes, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "streamstat: insert into a Citus table failed: %s", sql.data);
	processed = SPI_processed;
	SPI_finish();
	return processed;
}
