/*
 * writer.c
 *		Writes a batch into the database: last stage of the path of a record.
 *		This file holds the flush and its transactions, and the checks one
 *		table's rows go through in them; writer_internal.h lists the files
 *		of the other jobs of the writer.
 *
 * A flush is one transaction that, table by table (in name order, a lock
 * order shared by all workers), checks the target table, its columns and
 * its partitions (writer_partitions.c), rejects the rows that cannot fit
 * (type conflicts, missing columns with streamstat.auto_create off;
 * writer_rejects.c), bulk-inserts the others (writer_tuples.c, or
 * writer_copy.c for what that does not take; writer_copy.c also isolates
 * bad rows), then writes the rejects.
 *
 * Tables that need DDL first (a new table, new columns, missing
 * partitions, including the premade next partition) are left out of that
 * transaction; each then gets a short DDL transaction of its own
 * (writer_ddl.c), and a second insert transaction writes their rows.  The
 * common path (known tables and partitions) is one transaction without
 * DDL.
 *
 * Errors that say nothing about the rows (deadlock, lock or statement
 * timeout, out of disk or memory, shutdown) abort the transaction:
 * writer_flush() then returns false, the worker keeps the batch and retries
 * it later (the rule the worker documents).
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "streamstat.h"
#include "writer/writer.h"
#include "writer/writer_internal.h"
#include "rollup/rollup.h"

/* Name of a kind, for reasons. */
static const char *
kind_name(BatchKind kind)
{
	static const char *const names[] = {"tag", "float", "integer", "unsigned integer", "string", "boolean"};

	return names[kind];
}

/*
 * Whether values of a kind convert cleanly into a column type: numbers
 * into numeric types (integers not into float-only... into all of them),
 * booleans into boolean, text into anything else through its input
 * function (text, varchar, jsonb, inet, ...).
 */
static bool
kind_fits_type(BatchKind kind, Oid typid)
{
	switch (getBaseType(typid))
	{
		case FLOAT8OID:
		case FLOAT4OID:
		case NUMERICOID:
			return kind == BATCH_FLOAT || kind == BATCH_INTEGER || kind == BATCH_UNSIGNED;
		case INT8OID:
		case INT4OID:
		case INT2OID:
			return kind == BATCH_INTEGER || kind == BATCH_UNSIGNED;
		case BOOLOID:
			return kind == BATCH_BOOLEAN;
		default:
			return kind == BATCH_TAG || kind == BATCH_STRING;
	}
}

/* Errors that say nothing about the rows: retry the flush instead. */
bool
error_is_transient(int sqlerrcode)
{
	int			category = ERRCODE_TO_CATEGORY(sqlerrcode);

	return category == ERRCODE_TRANSACTION_ROLLBACK ||
		category == ERRCODE_INSUFFICIENT_RESOURCES ||
		category == ERRCODE_OPERATOR_INTERVENTION ||
		category == ERRCODE_SYSTEM_ERROR ||
		category == ERRCODE_CONNECTION_EXCEPTION ||	/* a Citus node unreachable */
		sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE;
}

/*
 * Write one table's rows in the current transaction, or defer the table to
 * the DDL path (fs->deferred) when it needs DDL and fs->allow_ddl.
 */
static void
writer_table(FlushState *fs, BatchTable *t)
{
	const char *schema = batch_table_schema(t);
	Oid			nspoid;
	Oid			relid = InvalidOid;
	Relation	rel;
	bool	   *rejected = palloc0(Max(t->nrows, 1) * sizeof(bool));
	int			nrejects_before = list_length(fs->rejects);
	bool		need_ddl = false;
	AttrNumber	timeattnum;
	PartitionKey key;
	TargetColumn *tcols;
	int			ntcols = 0;
	int		   *rows;
	int			nrows = 0;
	CopySource	src = {0};
	char	   *reason;
	char		relkind;

	if (t->prepare_error != NULL)
	{
		reason = psprintf("could not prepare table %s: %s",
						  quote_qualified_identifier(schema, t->name), t->prepare_error);
		for (int row = 0; row < t->nrows; row++)
			writer_reject_row(fs, t, row, rejected, reason);
		return;
	}

	nspoid = get_namespace_oid(schema, true);
	if (OidIsValid(nspoid))
		relid = get_relname_relid(t->name, nspoid);
	if (!OidIsValid(relid))
	{
		if (streamstat_auto_create && fs->allow_ddl)
		{
			fs->deferred = lappend(fs->deferred, t);
			return;
		}
		reason = psprintf("table %s does not exist%s",
						  quote_qualified_identifier(schema, t->name),
						  streamstat_auto_create ? "" : " and streamstat.auto_create is off");
		for (int row = 0; row < t->nrows; row++)
			writer_reject_row(fs, t, row, rejected, reason);
		return;
	}

	relkind = get_rel_relkind(relid);
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
	{
		reason = psprintf("%s is not a table",
						  quote_qualified_identifier(schema, t->name));
		for (int row = 0; row < t->nrows; row++)
			writer_reject_row(fs, t, row, rejected, reason);
		return;
	}
	rel = table_open(relid, RowExclusiveLock);

	if (pg_class_aclcheck(relid, GetUserId(), ACL_INSERT) != ACLCHECK_OK)
		reason = psprintf("permission denied for table %s",
						  quote_qualified_identifier(schema, t->name));
	else if ((timeattnum = get_attnum(relid, "time")) == InvalidAttrNumber)
		reason = psprintf("table %s has no column \"time\"",
						  quote_qualified_identifier(schema, t->name));
	else
		reason = NULL;
	if (reason != NULL)
	{
		for (int row = 0; row < t->nrows; row++)
			writer_reject_row(fs, t, row, rejected, reason);
		table_close(rel, NoLock);
		return;
	}

	/* Columns: group batch columns by name; check existence and type. */
	tcols = palloc0(Max(t->ncols, 1) * sizeof(TargetColumn));
	for (int i = 0; i < t->ncols; i++)
	{
		BatchColumn *bc = &t->cols[i];
		TargetColumn *tc = NULL;
		AttrNumber	attnum;
		Oid			typid;

		if (bc->nvalues == 0)
			continue;			/* kept from an earlier batch, unused now */
		for (int j = 0; j < ntcols && tc == NULL; j++)
			if (strcmp(tcols[j].name, bc->name) == 0)
				tc = &tcols[j];

		attnum = get_attnum(relid, bc->name);
		if (attnum == InvalidAttrNumber)
		{
			if (streamstat_auto_create && fs->allow_ddl)
			{
				need_ddl = true;
				continue;
			}
			reason = psprintf("column \"%s\" of table %s does not exist%s",
							  bc->name, quote_qualified_identifier(schema, t->name),
							  streamstat_auto_create ? "" : " and streamstat.auto_create is off");
		}
		else
		{
			typid = get_atttype(relid, attnum);
			if (kind_fits_type(bc->kind, typid))
			{
				if (tc == NULL)
				{
					tc = &tcols[ntcols++];
					tc->name = bc->name;
					tc->typid = typid;
				}
				tc->src[tc->nsrc++] = i;
				continue;
			}
			reason = psprintf("column \"%s\" of table %s has type %s, which does not take a %s value",
							  bc->name, quote_qualified_identifier(schema, t->name),
							  format_type_be(typid), kind_name(bc->kind));
		}
		for (int row = 0; row < t->nrows; row++)
			if (!bc->isnull[row])
				writer_reject_row(fs, t, row, rejected, reason);
	}

	/* Partitions: one for every row, and the next one premade. */
	if (!need_ddl && partition_upkeep(rel, timeattnum, &key))
	{
		int			nranges;
		bool	   *uncovered = palloc0(Max(t->nrows, 1) * sizeof(bool));

		(void) partition_ranges_needed(rel, key, t, rejected, uncovered, &nranges);

		if (nranges > 0 && fs->allow_ddl)
			need_ddl = true;
		else if (nranges > 0)
		{
			/* Made by the DDL pass, yet gone (dropped meanwhile?). */
			reason = psprintf("no partition of table %s takes this time",
							  quote_qualified_identifier(schema, t->name));
			for (int row = 0; row < t->nrows; row++)
				if (uncovered[row])
					writer_reject_row(fs, t, row, rejected, reason);
		}
	}

	if (need_ddl)
	{
		/* Forget this table's rejects: the second pass finds them again. */
		fs->rejects = list_truncate(fs->rejects, nrejects_before);
		fs->deferred = lappend(fs->deferred, t);
		table_close(rel, NoLock);
		return;
	}

	/* Binary COPY when every column takes our values as they are. */
	src.binary = get_atttype(relid, timeattnum) == TIMESTAMPTZOID;
	for (int i = 0; i < ntcols && src.binary; i++)
		src.binary = binary_column_type(tcols[i].typid);
	if (src.binary)
	{
		/* What int8in would refuse in the text format. */
		for (int i = 0; i < ntcols; i++)
		{
			if (tcols[i].typid != INT8OID)
				continue;
			for (int k = 0; k < tcols[i].nsrc; k++)
			{
				BatchColumn *bc = &t->cols[tcols[i].src[k]];

				if (bc->kind != BATCH_UNSIGNED)
					continue;
				for (int row = 0; row < t->nrows; row++)
					if (!bc->isnull[row] && bc->values[row].u > (uint64) PG_INT64_MAX)
						writer_reject_row(fs, t, row, rejected,
										  psprintf("value \"" UINT64_FORMAT "\" is out of range for type bigint (column \"%s\")",
												   bc->values[row].u, bc->name));
			}
		}
	}

	/* Bulk insert the rows that are left. */
	rows = palloc(Max(t->nrows, 1) * sizeof(int));
	for (int row = 0; row < t->nrows; row++)
		if (!rejected[row])
			rows[nrows++] = row;
	src.format_row = src.binary ? format_table_row_binary : format_table_row;
	src.distributed = writer_citus_table(relid);
	src.table = t;
	src.batch = fs->batch;
	initStringInfo(&src.buf);
	fs->rejected = rejected;
	/* Rows of a Citus table must go through Citus, never into its shell. */
	if (streamstat_multi_insert && src.binary && !src.distributed &&
		writer_tuples_usable(rel, timeattnum, tcols, ntcols, t, rows, nrows))
	{
		/* Typed values into slots, no COPY: defaults are filled per row. */
		src.tuples = true;
		src.cols = tcols;
		src.ncols = ntcols;
		writer_insert_isolated(fs, rel, NIL, &src, rows, nrows);
	}
	else
		writer_insert_grouped(fs, rel, &src, tcols, ntcols, rows, nrows);
	fs->rejected = NULL;

	/* The rows stored (not rejected) go into the table's rollups. */
	rollup_fold_batch(rel, t, rejected);
	table_close(rel, NoLock);
}

/*
 * In PG_CATCH of a flush transaction: take the error (into cxt), abort the
 * transaction, forget the COPY source.
 */
ErrorData *
writer_abort(MemoryContext cxt)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	AbortOutOfAnyTransaction();
	writer_copy_abort();
	return edata;
}

/* Failed attempts in a row to write the batch (logged once per run). */
static int	failed_flushes = 0;

/*
 * One insert transaction over the given tables (those not done yet), plus
 * the batch's own rejects when not written yet.  False when it failed (the
 * error is logged and kept in counters->last_error).
 */
static bool
writer_transaction(Batch *batch, BatchTable **tables, int ntables,
				   bool allow_ddl, List **deferred, IngestCounters *counters)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	volatile bool ok = true;
	volatile int64 rows_inserted = 0;
	volatile int64 nrejected = 0;
	List	   *volatile written = NIL;
	List	   *volatile deferred_out = NIL;
	List	   *volatile late_rejects = NIL;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		FlushState fs = {0};
		List	   *all_rejects;

		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "streamstat: writing a batch");
		fs.batch = batch;
		fs.allow_ddl = allow_ddl;
		for (int i = 0; i < ntables; i++)
		{
			int			ndeferred = list_length(fs.deferred);

			if (tables[i]->done)
				continue;
			writer_table(&fs, tables[i]);
			if (list_length(fs.deferred) == ndeferred)
				written = lappend(written, tables[i]);
			CHECK_FOR_INTERRUPTS();
		}
		all_rejects = fs.rejects;
		if (!batch->rejects_done)
			all_rejects = list_concat_copy(batch->rejects, fs.rejects);
		writer_rejects(batch, all_rejects);
		rows_inserted = fs.rows_inserted;
		nrejected = list_length(fs.rejects);

		/* Lists that must outlive the transaction. */
		MemoryContextSwitchTo(oldcxt);
		written = list_copy(written);
		deferred_out = list_copy(fs.deferred);
		late_rejects = writer_copy_rejects(fs.rejects);
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		ErrorData  *edata = writer_abort(oldcxt);

		/* Say it once per run of failures, not at every retry. */
		if (failed_flushes++ == 0)
			ereport(LOG,
					(errcode(edata->sqlerrcode),
					 errmsg("streamstat could not write a batch: %s", edata->message),
					 edata->detail ? errdetail_internal("%s", edata->detail) : 0,
					 errhint("The batch is kept and written again after a pause; a line is logged when writing resumes.")));
		strlcpy(counters->last_error, edata->message, sizeof(counters->last_error));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	pgstat_report_activity(STATE_IDLE, NULL);

	if (ok)
	{
		ListCell   *lc;

		foreach(lc, written)
			((BatchTable *) lfirst(lc))->done = true;
		batch->rejects_done = true;
		counters->rows_inserted += rows_inserted;
		counters->lines_rejected += nrejected;
		batch_note_write_rejects(batch, late_rejects);
		*deferred = deferred_out;
		if (failed_flushes > 0)
			ereport(LOG,
					(errmsg("streamstat writes again after %d failed attempts",
							failed_flushes)));
		failed_flushes = 0;
		writer_log_rejects(nrejected);
	}
	list_free(written);
	return ok;
}

/*
 * Write the batch: true when everything in it is now either in its table
 * or in streamstat.rejects (the caller then resets it); false when it must
 * be written again later (parts already committed are not written twice).
 */
bool
writer_flush(Batch *batch, IngestCounters *counters)
{
	int			ntables;
	BatchTable **tables = batch_sorted_tables(batch, &ntables);
	List	   *deferred = NIL;
	ListCell   *lc;
	BatchTable **later;
	int			nlater = 0;

	for (int i = 0; i < ntables; i++)
		tables[i]->prepare_error = NULL;

	if (!writer_transaction(batch, tables, ntables, true, &deferred, counters))
		return false;
	if (deferred == NIL)
		return true;

	later = palloc(list_length(deferred) * sizeof(BatchTable *));
	foreach(lc, deferred)
	{
		BatchTable *t = lfirst(lc);

		if (!writer_prepare_table(batch, t, counters))
			return false;
		later[nlater++] = t;
	}
	deferred = NIL;
	return writer_transaction(batch, later, nlater, false, &deferred, counters);
}
