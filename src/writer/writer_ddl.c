/*
 * writer_ddl.c
 *		The DDL of the writer: new tables, columns and partitions, made
 *		before the rows that need them (part of the last stage of the path
 *		of a record).
 *
 * A table that needs DDL is left out of the flush's first transaction
 * (writer.c); it then gets a short DDL transaction of its own under a
 * per-table advisory lock (so concurrent workers never race on DDL), and
 * a second insert transaction writes its rows.  Tables are made
 * PARTITION BY RANGE ("time") with a column per tag or field key, typed
 * from the first kind seen; partitions go to their own schema
 * (streamstat_partitions).  An error worth retrying fails the flush; any
 * other is kept so that the table's rows are rejected with it.
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "pgstat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "streamstat.h"
#include "writer/writer_internal.h"

/* First key of the advisory locks taken around a table's DDL. */
#define WRITER_LOCK_CLASS 0x53545354

/* SQL type of a new column for a kind. */
static const char *
kind_sql_type(BatchKind kind)
{
	switch (kind)
	{
		case BATCH_FLOAT:
			return "double precision";
		case BATCH_INTEGER:
		case BATCH_UNSIGNED:
			return "bigint";
		case BATCH_BOOLEAN:
			return "boolean";
		case BATCH_TAG:
		case BATCH_STRING:
			return "text";
	}
	return "text";
}

/*
 * Whether batch column i of t is one to declare in DDL: it holds values in
 * this batch and is the first such column of its name (a key seen with two
 * value types has two batch columns; the first type makes the column).
 */
static bool
column_to_declare(BatchTable *t, int i)
{
	if (t->cols[i].nvalues == 0)
		return false;
	for (int j = 0; j < i; j++)
		if (t->cols[j].nvalues > 0 && strcmp(t->cols[j].name, t->cols[i].name) == 0)
			return false;
	return true;
}

/* Run one SQL command through SPI. */
static void
writer_exec(const char *sql)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc < 0)
		elog(ERROR, "streamstat: SPI_execute failed (%d): %s", rc, sql);
}

/*
 * The DDL transaction of one table: under an advisory lock on the table,
 * create what is missing (schema, table, columns, partitions).  Returns
 * false on an error worth retrying later; other errors are kept in
 * t->prepare_error so that the rows are rejected with them.
 */
bool
writer_prepare_table(Batch *batch, BatchTable *t, IngestCounters *counters)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	volatile bool ok = true;
	const char *schema = batch_table_schema(t);

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		char	   *qualname = quote_qualified_identifier(schema, t->name);
		Oid			nspoid;
		Oid			relid = InvalidOid;
		StringInfoData sql;
		bool		any = false;
		Relation	rel;
		PartitionKey key;
		AttrNumber	timeattnum;
		PartRange  *ranges = NULL;
		int			nranges = 0;
		const char *distcol = writer_citus_distribution_column();

		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "streamstat: creating tables, columns or partitions");
		DirectFunctionCall2(pg_advisory_xact_lock_int4,
							Int32GetDatum(WRITER_LOCK_CLASS),
							Int32GetDatum((int32) DatumGetUInt32(hash_any((const unsigned char *) qualname,
														   strlen(qualname)))));
		/* See what other workers did before we got the lock. */
		AcceptInvalidationMessages();
		writer_citus_ddl_mode();
		initStringInfo(&sql);

		nspoid = get_namespace_oid(schema, true);
		if (!OidIsValid(nspoid) && streamstat_auto_create)
		{
			writer_exec(psprintf("CREATE SCHEMA IF NOT EXISTS %s", quote_identifier(schema)));
			nspoid = get_namespace_oid(schema, false);
		}
		if (OidIsValid(nspoid))
			relid = get_relname_relid(t->name, nspoid);
		if (!OidIsValid(relid) && streamstat_auto_create)
		{
			appendStringInfo(&sql, "CREATE TABLE IF NOT EXISTS %s (\"time\" timestamptz NOT NULL", qualname);
			for (int i = 0; i < t->ncols; i++)
				if (column_to_declare(t, i))
					appendStringInfo(&sql, ", %s %s", quote_identifier(t->cols[i].name),
									 kind_sql_type(t->cols[i].kind));
			if (distcol != NULL)
			{
				bool		declared = false;

				for (int i = 0; i < t->ncols && !declared; i++)
					declared = column_to_declare(t, i) && strcmp(t->cols[i].name, distcol) == 0;
				/* a measurement without the tag still gets its column */
				if (!declared)
					appendStringInfo(&sql, ", %s text", quote_identifier(distcol));
			}
			appendStringInfoString(&sql, ") PARTITION BY RANGE (\"time\")");
			writer_exec(sql.data);
			relid = get_relname_relid(t->name, nspoid);

			/*
			 * The time index, on the partitioned table: PostgreSQL gives
			 * every partition its own (and to those made later or
			 * attached).  autosummarize: a filled page range is summarised
			 * by autovacuum soon, not only at the next VACUUM.
			 */
			if (streamstat_time_index && OidIsValid(relid))
				writer_exec(psprintf("CREATE INDEX ON %s USING brin (\"time\") WITH (autosummarize = on)",
									 qualname));
			/* On Citus, shard it by the tag streamstat.distribute_by names. */
			if (distcol != NULL && OidIsValid(relid) && !writer_citus_table(relid))
				writer_citus_distribute(qualname, distcol);
		}

		if (OidIsValid(relid) &&
			(get_rel_relkind(relid) == RELKIND_RELATION ||
			 get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE))
		{
			/* Columns. */
			if (streamstat_auto_create)
			{
				resetStringInfo(&sql);
				appendStringInfo(&sql, "ALTER TABLE %s", qualname);
				for (int i = 0; i < t->ncols; i++)
				{
					if (!column_to_declare(t, i) ||
						get_attnum(relid, t->cols[i].name) != InvalidAttrNumber)
						continue;
					appendStringInfo(&sql, "%s ADD COLUMN IF NOT EXISTS %s %s",
									 any ? "," : "",
									 quote_identifier(t->cols[i].name),
									 kind_sql_type(t->cols[i].kind));
					any = true;
				}
				if (any)
					writer_exec(sql.data);
			}

			/* Partitions: find the missing ones, then create them. */
			rel = table_open(relid, AccessShareLock);
			timeattnum = get_attnum(relid, "time");
			if (timeattnum != InvalidAttrNumber &&
				partition_upkeep(rel, timeattnum, &key))
				ranges = partition_ranges_needed(rel, key, t, NULL, NULL, &nranges);
			/* DDL on a partitioned table wants no open reference to it. */
			table_close(rel, NoLock);

			for (int i = 0; i < nranges; i++)
				partition_create(schema, t->name, ranges[i].lo, ranges[i].hi,
								 streamstat_partition_interval_s);
		}

		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata = writer_abort(oldcxt);

		ereport(LOG,
				(errcode(edata->sqlerrcode),
				 errmsg("streamstat could not prepare table %s: %s",
						quote_qualified_identifier(schema, t->name), edata->message)));
		strlcpy(counters->last_error, edata->message, sizeof(counters->last_error));
		if (error_is_transient(edata->sqlerrcode))
			ok = false;
		else
			t->prepare_error = MemoryContextStrdup(batch->cxt, edata->message);
		FreeErrorData(edata);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	pgstat_report_activity(STATE_IDLE, NULL);
	return ok;
}
