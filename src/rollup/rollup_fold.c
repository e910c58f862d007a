/*
 * rollup_fold.c
 *		Folds inserted rows into the rollups of their table: the step of the
 *		path of a record that follows the bulk insert, in the same
 *		transaction.
 *
 * Rows are summarised in C per (time bucket, group) of each rollup, with
 * stats_agg()'s own accumulation (statsummary_add) and, for rollups with
 * percentiles, pct_agg()'s (pct_sketch_add; NaN and infinities left out,
 * as the SQL side filters them), into a RollupDelta:
 * an open-addressing hash table keyed by the bucket and the group's text
 * values.  A delta is then applied with ONE statement per rollup:
 *
 *	INSERT INTO rollup AS r (time, groups..., fields...)
 *	SELECT * FROM unnest($1::timestamptz[], $2::text[], ..., $n::statsummary[],
 *						 ..., $m::pctsketch[])
 *	ORDER BY time, groups...
 *	ON CONFLICT (time, groups...) DO UPDATE SET f = r.f + EXCLUDED.f,
 *		f_pct = r.f_pct + EXCLUDED.f_pct, ...
 *
 * so a late row costs what a current one does, and concurrent writers
 * combine under the row lock of the summary they share (the ORDER BY makes
 * them take those locks in one order).  Every rollup of a chain (1 minute,
 * 1 hour from it, 1 month from that) is folded from the raw rows with its
 * own bucket: summaries combine, so that equals folding the level below.
 *
 * Rollup tables are partitioned by time like the raw tables; the fold
 * makes a missing partition (a late row months back) under an advisory
 * lock, like the writer does for raw tables.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "streamstat.h"
#include "ingest/batch.h"
#include "writer/partitions.h"
#include "rollup/rollup.h"
#include "stats/pctsketch.h"

PG_FUNCTION_INFO_V1(streamstat_rollup_ensure_partition);

extern Datum streamstat_time_bucket(PG_FUNCTION_ARGS);

/* First key of the advisory lock taken to make a rollup's partitions. */
#define ROLLUP_LOCK_CLASS 0x53545352

/* One (bucket, group) of a delta and its summary per field. */
typedef struct DeltaEntry
{
	bool		used;
	uint32		hash;
	TimestampTz bucket;
	char	  **groups;			/* NULL entries: SQL NULL */
	int		   *group_lens;
	StatSummary *sums;			/* n == 0: no value (a NULL summary) */
	PctSketch **sketches;		/* with percentiles; NULL: no value */
} DeltaEntry;

struct RollupDelta
{
	RollupDef  *def;
	MemoryContext cxt;
	DeltaEntry *entries;
	int			cap;			/* a power of 2 */
	int			n;
	TimestampTz last_lo;		/* the last fixed-width bucket computed */
	bool		have_last;
};

/* time_bucket(width, ts), as the SQL function computes it. */
static inline TimestampTz
bucket_of(const Interval *width, TimestampTz ts)
{
	return DatumGetTimestampTz(DirectFunctionCall2(streamstat_time_bucket,
												   IntervalPGetDatum(width),
												   TimestampTzGetDatum(ts)));
}

/* Microseconds of a fixed-width interval (a day is 24 hours), 0 if months. */
static int64
interval_usecs(const Interval *iv)
{
	if (iv->month != 0)
		return 0;
	return iv->time + (int64) iv->day * USECS_PER_DAY;
}

/* Whether the table has rollups: their statement trigger is on it. */
bool
rollup_table_has_rollups(Relation rel)
{
	TriggerDesc *td = rel->trigdesc;

	if (td == NULL)
		return false;
	for (int i = 0; i < td->numtriggers; i++)
		if (strcmp(td->triggers[i].tgname, "streamstat_rollup_apply") == 0)
			return true;
	return false;
}

/* The elements of a text[] datum as C strings in the current context. */
static char **
text_array_strings(Datum d, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **out;

	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, n);
	out = palloc(Max(*n, 1) * sizeof(char *));
	for (int i = 0; i < *n; i++)
		out[i] = nulls[i] ? pstrdup("") : TextDatumGetCString(elems[i]);
	return out;
}

List *
rollup_defs_for(Relation root)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid			argtypes[2] = {NAMEOID, NAMEOID};
	Datum		args[2];
	List	   *defs = NIL;
	int			rc;

	args[0] = DirectFunctionCall1(namein,
								  CStringGetDatum(get_namespace_name(RelationGetNamespace(root))));
	args[1] = DirectFunctionCall1(namein, CStringGetDatum(RelationGetRelationName(root)));
	SPI_connect();
	rc = SPI_execute_with_args("SELECT id, pg_catalog.to_regclass(pg_catalog.format('%I.%I', rollup_schema, rollup_name))::oid,"
							   " pg_catalog.format('%I.%I', rollup_schema, rollup_name),"
							   " bucket, partition_interval, group_by, fields,"
							   " 'pctsketch' = ANY (summary_kinds)"
							   " FROM streamstat.rollup_defs WHERE root_schema = $1 AND root_name = $2"
							   " ORDER BY id",
							   2, argtypes, args, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "streamstat: reading streamstat.rollup_defs failed (%d)", rc);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		relid = SPI_getbinval(tup, desc, 2, &isnull);
		MemoryContext old;
		RollupDef  *def;

		if (isnull)
			continue;			/* its table is gone */
		old = MemoryContextSwitchTo(cxt);
		def = palloc0(sizeof(RollupDef));
		def->id = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
		def->relid = DatumGetObjectId(relid);
		def->qualname = TextDatumGetCString(SPI_getbinval(tup, desc, 3, &isnull));
		def->bucket = *DatumGetIntervalP(SPI_getbinval(tup, desc, 4, &isnull));
		def->bucket_usecs = interval_usecs(&def->bucket);
		def->partition_interval = *DatumGetIntervalP(SPI_getbinval(tup, desc, 5, &isnull));
		def->groups = text_array_strings(SPI_getbinval(tup, desc, 6, &isnull), &def->ngroups);
		def->fields = text_array_strings(SPI_getbinval(tup, desc, 7, &isnull), &def->nfields);
		def->percentiles = DatumGetBool(SPI_getbinval(tup, desc, 8, &isnull));
		defs = lappend(defs, def);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return defs;
}

RollupDelta *
rollup_delta_create(RollupDef *def, MemoryContext cxt)
{
	RollupDelta *d = MemoryContextAllocZero(cxt, sizeof(RollupDelta));

	d->def = def;
	d->cxt = cxt;
	d->cap = 64;
	d->entries = MemoryContextAllocZero(cxt, d->cap * sizeof(DeltaEntry));
	return d;
}

int
rollup_delta_size(RollupDelta *delta)
{
	return delta->n;
}

/* Double the table of a delta and re-place its entries. */
static void
delta_grow(RollupDelta *d)
{
	int			cap = d->cap * 2;
	DeltaEntry *entries = MemoryContextAllocZero(d->cxt, cap * sizeof(DeltaEntry));

	for (int i = 0; i < d->cap; i++)
	{
		DeltaEntry *e = &d->entries[i];
		uint32		pos;

		if (!e->used)
			continue;
		for (pos = e->hash & (cap - 1); entries[pos].used; pos = (pos + 1) & (cap - 1))
			;
		entries[pos] = *e;
	}
	pfree(d->entries);
	d->entries = entries;
	d->cap = cap;
}

/* Whether entry e is the group (groups, lens). */
static inline bool
delta_group_equal(const DeltaEntry *e, int ngroups, const char *const *groups,
				  const int *lens)
{
	for (int g = 0; g < ngroups; g++)
	{
		if ((e->groups[g] == NULL) != (groups[g] == NULL))
			return false;
		if (groups[g] == NULL)
			continue;
		if (e->group_lens[g] != lens[g] || memcmp(e->groups[g], groups[g], lens[g]) != 0)
			return false;
	}
	return true;
}

/*
 * Add one row: its time, its group values (NULL pointer: SQL NULL; not
 * NUL-terminated, lens say how long) and its field values.
 */
void
rollup_delta_add(RollupDelta *d, TimestampTz ts, const char *const *groups,
				 const int *lens, const double *values, const bool *isnull)
{
	RollupDef  *def = d->def;
	TimestampTz bucket;
	uint32		hash;
	uint32		pos;
	DeltaEntry *e;

	/* Rows mostly come in time order: reuse the last fixed-width bucket. */
	if (def->bucket_usecs > 0 && d->have_last && ts >= d->last_lo &&
		ts - d->last_lo < def->bucket_usecs)
		bucket = d->last_lo;
	else
	{
		bucket = bucket_of(&def->bucket, ts);
		d->last_lo = bucket;
		d->have_last = true;
	}

	hash = murmurhash32((uint32) bucket ^ (uint32) ((uint64) bucket >> 32));
	for (int g = 0; g < def->ngroups; g++)
		hash = hash_combine(hash, groups[g] == NULL ? 0x9e3779b9 :
							hash_bytes((const unsigned char *) groups[g], lens[g]));

	for (pos = hash & (d->cap - 1);; pos = (pos + 1) & (d->cap - 1))
	{
		e = &d->entries[pos];
		if (!e->used)
			break;
		if (e->hash == hash && e->bucket == bucket &&
			delta_group_equal(e, def->ngroups, groups, lens))
			break;
	}
	if (!e->used)
	{
		if ((d->n + 1) * 2 > d->cap)
		{
			delta_grow(d);
			rollup_delta_add(d, ts, groups, lens, values, isnull);
			return;
		}
		e->used = true;
		e->hash = hash;
		e->bucket = bucket;
		e->groups = MemoryContextAlloc(d->cxt, Max(def->ngroups, 1) * sizeof(char *));
		e->group_lens = MemoryContextAlloc(d->cxt, Max(def->ngroups, 1) * sizeof(int));
		for (int g = 0; g < def->ngroups; g++)
		{
			e->group_lens[g] = groups[g] ? lens[g] : -1;
			e->groups[g] = NULL;
			if (groups[g] != NULL)
			{
				e->groups[g] = MemoryContextAlloc(d->cxt, lens[g] + 1);
				memcpy(e->groups[g], groups[g], lens[g]);
				e->groups[g][lens[g]] = '\0';
			}
		}
		e->sums = MemoryContextAllocZero(d->cxt, def->nfields * sizeof(StatSummary));
		if (def->percentiles)
			e->sketches = MemoryContextAllocZero(d->cxt, def->nfields * sizeof(PctSketch *));
		d->n++;
	}
	for (int f = 0; f < def->nfields; f++)
		if (!isnull[f])
			statsummary_add(&e->sums[f], values[f]);
	if (def->percentiles)
	{
		MemoryContext old = MemoryContextSwitchTo(d->cxt);

		for (int f = 0; f < def->nfields; f++)
		{
			if (isnull[f] || !isfinite(values[f]))
				continue;
			if (e->sketches[f] == NULL)
				e->sketches[f] = pct_sketch_alloc(PCT_DEFAULT_ERROR, PCT_DEFAULT_BUCKETS, 8);
			e->sketches[f] = pct_sketch_add(e->sketches[f], values[f]);
		}
		MemoryContextSwitchTo(old);
	}
}

void
rollup_ensure_partition(Oid relid, const Interval *width, TimestampTz ts)
{
	Relation	rel;
	TimestampTz slot_lo;
	TimestampTz lo;
	TimestampTz hi;
	int64		width_us = interval_usecs(width);
	bool		held;
	char	   *schema = NULL;
	char	   *table = NULL;

	rel = table_open(relid, AccessShareLock);
	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
	{
		table_close(rel, AccessShareLock);
		return;
	}
	held = !partition_gap(rel, RelationGetPartitionKey(rel), ts, &lo, &hi);
	if (held)
	{
		table_close(rel, AccessShareLock);
		return;
	}
	if (width_us <= 0)
		elog(ERROR, "streamstat: rollup partition width must be a fixed positive interval");

	/* One maker at a time; then see what others made meanwhile. */
	table_close(rel, NoLock);
	DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(ROLLUP_LOCK_CLASS),
						Int32GetDatum((int32) relid));
	AcceptInvalidationMessages();
	rel = table_open(relid, NoLock);
	held = !partition_gap(rel, RelationGetPartitionKey(rel), ts, &lo, &hi);
	if (!held)
	{
		slot_lo = bucket_of(width, ts);
		lo = Max(lo, slot_lo);
		hi = Min(hi, slot_lo + width_us);
		schema = get_namespace_name(RelationGetNamespace(rel));
		table = pstrdup(RelationGetRelationName(rel));
	}
	table_close(rel, NoLock);
	if (held)
		return;

	SPI_connect();
	partition_create(schema, table, lo, hi, width_us / USECS_PER_SEC);
	SPI_finish();
}

/* streamstat.rollup_ensure_partition(rollup regclass, width interval, t timestamptz) */
Datum
streamstat_rollup_ensure_partition(PG_FUNCTION_ARGS)
{
	rollup_ensure_partition(PG_GETARG_OID(0), PG_GETARG_INTERVAL_P(1),
							PG_GETARG_TIMESTAMPTZ(2));
	PG_RETURN_VOID();
}

/* The extension's schema, where statsummary and + live (SPI connected). */
static Oid
extension_namespace(void)
{
	bool		isnull;

	if (SPI_execute("SELECT extnamespace FROM pg_catalog.pg_extension WHERE extname = 'streamstat'",
					true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "streamstat: extension \"streamstat\" not found");
	return DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* Fold one delta into its rollup with one INSERT ... ON CONFLICT. */
static void
delta_apply(RollupDelta *d, Oid sumtype, Oid sumarray, Oid pcttype, Oid pctarray,
			const char *extschema)
{
	RollupDef  *def = d->def;
	int			npct = def->percentiles ? def->nfields : 0;
	int			nargs = 1 + def->ngroups + def->nfields + npct;
	Oid		   *argtypes = palloc(nargs * sizeof(Oid));
	Datum	   *args = palloc(nargs * sizeof(Datum));
	Datum	   *elems = palloc(Max(d->n, 1) * sizeof(Datum));
	bool	   *nulls = palloc(Max(d->n, 1) * sizeof(bool));
	char	   *nullflags;
	int			dims[1] = {d->n};
	int			lbs[1] = {1};
	StringInfoData sql;
	StringInfoData cols;
	StringInfoData params;
	StringInfoData sets;
	TimestampTz last_slot = DT_NOBEGIN;
	int			k;
	int			rc;

	if (d->n == 0)
		return;

	/* Partitions first, one check per distinct partition slot. */
	for (int i = 0; i < d->cap; i++)
	{
		TimestampTz slot;

		if (!d->entries[i].used)
			continue;
		slot = bucket_of(&def->partition_interval, d->entries[i].bucket);
		if (slot != last_slot)
			rollup_ensure_partition(def->relid, &def->partition_interval, d->entries[i].bucket);
		last_slot = slot;
	}

	/* $1: the buckets. */
	k = 0;
	for (int i = 0; i < d->cap; i++)
		if (d->entries[i].used)
			elems[k++] = TimestampTzGetDatum(d->entries[i].bucket);
	argtypes[0] = TIMESTAMPTZARRAYOID;
	args[0] = PointerGetDatum(construct_array(elems, d->n, TIMESTAMPTZOID, 8,
											  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	/* the groups */
	for (int g = 0; g < def->ngroups; g++)
	{
		k = 0;
		for (int i = 0; i < d->cap; i++)
		{
			DeltaEntry *e = &d->entries[i];

			if (!e->used)
				continue;
			nulls[k] = e->groups[g] == NULL;
			elems[k] = nulls[k] ? (Datum) 0 :
				PointerGetDatum(cstring_to_text_with_len(e->groups[g], e->group_lens[g]));
			k++;
		}
		argtypes[1 + g] = TEXTARRAYOID;
		args[1 + g] = PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
														 TEXTOID, -1, false, TYPALIGN_INT));
	}
	/* the summaries */
	for (int f = 0; f < def->nfields; f++)
	{
		k = 0;
		for (int i = 0; i < d->cap; i++)
		{
			DeltaEntry *e = &d->entries[i];

			if (!e->used)
				continue;
			nulls[k] = e->sums[f].n == 0.0;
			elems[k] = PointerGetDatum(&e->sums[f]);
			k++;
		}
		argtypes[1 + def->ngroups + f] = sumarray;
		args[1 + def->ngroups + f] =
			PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, sumtype,
											   sizeof(StatSummary), false, TYPALIGN_DOUBLE));
	}
	/* the sketches, compact (their stored form) */
	for (int f = 0; f < npct; f++)
	{
		k = 0;
		for (int i = 0; i < d->cap; i++)
		{
			DeltaEntry *e = &d->entries[i];

			if (!e->used)
				continue;
			nulls[k] = e->sketches[f] == NULL;
			elems[k] = nulls[k] ? (Datum) 0 :
				PointerGetDatum(pct_sketch_compact(e->sketches[f]));
			k++;
		}
		argtypes[1 + def->ngroups + def->nfields + f] = pctarray;
		args[1 + def->ngroups + def->nfields + f] =
			PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, pcttype,
											   -1, false, TYPALIGN_DOUBLE));
	}

	initStringInfo(&cols);
	initStringInfo(&params);
	initStringInfo(&sets);
	appendStringInfoString(&cols, "\"time\"");
	appendStringInfoString(&params, "pg_catalog.unnest($1)");
	for (int g = 0; g < def->ngroups; g++)
	{
		appendStringInfo(&cols, ", %s", quote_identifier(def->groups[g]));
		appendStringInfo(&params, ", pg_catalog.unnest($%d)", 2 + g);
	}
	for (int f = 0; f < def->nfields; f++)
	{
		const char *q = quote_identifier(def->fields[f]);

		appendStringInfo(&params, ", pg_catalog.unnest($%d)", 2 + def->ngroups + f);
		appendStringInfo(&sets, "%s%s = COALESCE(r.%s OPERATOR(%s.+) EXCLUDED.%s, r.%s, EXCLUDED.%s)",
						 f > 0 ? ", " : "", q, q, extschema, q, q, q);
	}
	for (int f = 0; f < npct; f++)
	{
		const char *q = quote_identifier(psprintf("%s_pct", def->fields[f]));

		appendStringInfo(&params, ", pg_catalog.unnest($%d)", 2 + def->ngroups + def->nfields + f);
		appendStringInfo(&sets, ", %s = COALESCE(r.%s OPERATOR(%s.+) EXCLUDED.%s, r.%s, EXCLUDED.%s)",
						 q, q, extschema, q, q, q);
	}
	initStringInfo(&sql);
	appendStringInfo(&sql, "INSERT INTO %s AS r (%s", def->qualname, cols.data);
	for (int f = 0; f < def->nfields; f++)
		appendStringInfo(&sql, ", %s", quote_identifier(def->fields[f]));
	for (int f = 0; f < npct; f++)
		appendStringInfo(&sql, ", %s", quote_identifier(psprintf("%s_pct", def->fields[f])));
	appendStringInfo(&sql, ") SELECT * FROM ROWS FROM (%s) ORDER BY ", params.data);
	for (int c = 1; c <= 1 + def->ngroups; c++)
		appendStringInfo(&sql, "%s%d", c > 1 ? ", " : "", c);
	appendStringInfo(&sql, " ON CONFLICT (%s) DO UPDATE SET %s", cols.data, sets.data);

	nullflags = palloc(nargs + 1);
	memset(nullflags, ' ', nargs);
	nullflags[nargs] = '\0';
	rc = SPI_execute_with_args(sql.data, nargs, argtypes, args, nullflags, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "streamstat: folding into rollup %s failed (%d)", def->qualname, rc);
}

/* Error context: which rollup a fold failed on. */
static void
fold_error_context(void *arg)
{
	errcontext("folding rows into rollup %s", ((RollupDef *) arg)->qualname);
}

void
rollup_deltas_apply(List *deltas)
{
	ListCell   *lc;
	Oid			nsp;
	Oid			sumtype;
	Oid			sumarray;
	Oid			pcttype = InvalidOid;
	Oid			pctarray = InvalidOid;
	const char *extschema;
	Datum	   *ids;
	int			nids = 0;
	Oid			argtypes[1] = {INT4ARRAYOID};
	Datum		args[1];

	if (deltas == NIL)
		return;
	SPI_connect();
	nsp = extension_namespace();
	extschema = quote_identifier(get_namespace_name(nsp));
	sumtype = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
							  CStringGetDatum("statsummary"), ObjectIdGetDatum(nsp));
	sumarray = get_array_type(sumtype);
	if (!OidIsValid(sumarray))
		elog(ERROR, "streamstat: type statsummary[] not found");
	foreach(lc, deltas)
	{
		if (((RollupDelta *) lfirst(lc))->def->percentiles)
		{
			pcttype = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									  CStringGetDatum("pctsketch"), ObjectIdGetDatum(nsp));
			pctarray = get_array_type(pcttype);
			if (!OidIsValid(pctarray))
				elog(ERROR, "streamstat: type pctsketch[] not found");
			break;
		}
	}
	ids = palloc(list_length(deltas) * sizeof(Datum));
	foreach(lc, deltas)
	{
		RollupDelta *d = lfirst(lc);

		ErrorContextCallback errcb;

		if (d->n == 0)
			continue;
		errcb.callback = fold_error_context;
		errcb.arg = d->def;
		errcb.previous = error_context_stack;
		error_context_stack = &errcb;
		delta_apply(d, sumtype, sumarray, pcttype, pctarray, extschema);
		error_context_stack = errcb.previous;
		ids[nids++] = Int32GetDatum(d->def->id);
		CHECK_FOR_INTERRUPTS();
	}
	if (nids > 0)
	{
		args[0] = PointerGetDatum(construct_array(ids, nids, INT4OID, 4, true, TYPALIGN_INT));
		if (SPI_execute_with_args("INSERT INTO streamstat.rollup_activity (rollup_id, pid, changed_at)"
								  " SELECT pg_catalog.unnest($1), pg_catalog.pg_backend_pid(), pg_catalog.clock_timestamp()"
								  " ON CONFLICT (rollup_id, pid) DO UPDATE SET changed_at = EXCLUDED.changed_at",
								  1, argtypes, args, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "streamstat: recording rollup activity failed");
	}
	SPI_finish();
}

/* Batch columns named name of the given kinds (a key may have several). */
static int
batch_columns_named(struct BatchTable *t, const char *name, bool numeric, int *out)
{
	int			n = 0;

	for (int i = 0; i < t->ncols && n < BATCH_NKINDS; i++)
	{
		BatchColumn *bc = &t->cols[i];
		bool		is_numeric = bc->kind == BATCH_FLOAT || bc->kind == BATCH_INTEGER ||
			bc->kind == BATCH_UNSIGNED;
		bool		is_text = bc->kind == BATCH_TAG || bc->kind == BATCH_STRING;

		if (bc->nvalues == 0 || strcmp(bc->name, name) != 0)
			continue;
		if (numeric ? is_numeric : is_text)
			out[n++] = i;
	}
	return n;
}

void
rollup_fold_batch(Relation rel, struct BatchTable *t, const bool *rejected)
{
	MemoryContext cxt;
	MemoryContext old;
	List	   *defs;
	List	   *deltas = NIL;
	ListCell   *lc;

	if (t->nrows == 0 || !rollup_table_has_rollups(rel))
		return;

	cxt = AllocSetContextCreate(CurrentMemoryContext, "streamstat rollup fold",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	defs = rollup_defs_for(rel);
	foreach(lc, defs)
	{
		RollupDef  *def = lfirst(lc);
		RollupDelta *d = rollup_delta_create(def, cxt);
		int		   *gcols = palloc((def->ngroups + 1) * BATCH_NKINDS * sizeof(int));
		int		   *ngcols = palloc((def->ngroups + 1) * sizeof(int));
		int		   *fcols = palloc((def->nfields + 1) * BATCH_NKINDS * sizeof(int));
		int		   *nfcols = palloc((def->nfields + 1) * sizeof(int));
		const char **groups = palloc((def->ngroups + 1) * sizeof(char *));
		int		   *lens = palloc((def->ngroups + 1) * sizeof(int));
		double	   *values = palloc((def->nfields + 1) * sizeof(double));
		bool	   *isnull = palloc((def->nfields + 1) * sizeof(bool));
		bool	   *real = palloc((def->nfields + 1) * sizeof(bool));

		/* A real column stores a float4: summarise what it stores. */
		for (int f = 0; f < def->nfields; f++)
		{
			AttrNumber	attnum = get_attnum(RelationGetRelid(rel), def->fields[f]);

			real[f] = attnum != InvalidAttrNumber &&
				get_atttype(RelationGetRelid(rel), attnum) == FLOAT4OID;
		}
		for (int g = 0; g < def->ngroups; g++)
			ngcols[g] = batch_columns_named(t, def->groups[g], false, &gcols[g * BATCH_NKINDS]);
		for (int f = 0; f < def->nfields; f++)
			nfcols[f] = batch_columns_named(t, def->fields[f], true, &fcols[f * BATCH_NKINDS]);

		for (int row = 0; row < t->nrows; row++)
		{
			if (rejected[row])
				continue;
			for (int g = 0; g < def->ngroups; g++)
			{
				groups[g] = NULL;
				lens[g] = 0;
				for (int k = 0; k < ngcols[g]; k++)
				{
					BatchColumn *bc = &t->cols[gcols[g * BATCH_NKINDS + k]];

					if (!bc->isnull[row])
					{
						groups[g] = t->strings.data + bc->values[row].s.off;
						lens[g] = bc->values[row].s.len;
						break;
					}
				}
			}
			for (int f = 0; f < def->nfields; f++)
			{
				isnull[f] = true;
				for (int k = 0; k < nfcols[f]; k++)
				{
					BatchColumn *bc = &t->cols[fcols[f * BATCH_NKINDS + k]];
					BatchValue *v;

					if (bc->isnull[row])
						continue;
					v = &bc->values[row];
					values[f] = bc->kind == BATCH_FLOAT ? v->f :
						bc->kind == BATCH_INTEGER ? (double) v->i : (double) v->u;
					if (real[f])
						values[f] = (double) (float4) values[f];
					isnull[f] = false;
					break;
				}
			}
			rollup_delta_add(d, t->time[row], groups, lens, values, isnull);
		}
		deltas = lappend(deltas, d);
	}
	rollup_deltas_apply(deltas);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}
