/*
 * rollup_trigger.c
 *		Keeps rollups exact for rows that other writers INSERT or COPY into
 *		a table with rollups (the ingest workers fold their own rows in
 *		rollup_fold.c).
 *
 * Two triggers on the table (streamstat.rollup_install_triggers):
 *
 *	AFTER INSERT FOR EACH ROW WHEN (streamstat.rollup_capturing())
 *		adds the row to a backend-local RollupDelta per rollup;
 *	AFTER INSERT FOR EACH STATEMENT
 *		applies the deltas (one upsert per rollup, as the worker's fold).
 *
 * Why not one statement trigger with a transition table: such a trigger
 * makes COPY into a partitioned table insert row by row (copyfrom.c turns
 * multi-insert off), which would slow the ingest workers' own COPY down for
 * rows they fold themselves.  A row trigger whose WHEN is false costs the
 * workers one expression per row and queues nothing.
 *
 * The deltas live until the statement trigger applies them (or, for rows
 * inserted straight into a partition, which fires no statement trigger of
 * the table, until the transaction is about to commit); an aborted
 * statement (subtransaction or transaction) discards them.  UPDATE and
 * DELETE are handled in SQL (streamstat.rollup_recompute_statement).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/partition.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "postmaster/bgworker.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "rollup/rollup.h"

PG_FUNCTION_INFO_V1(streamstat_rollup_capturing);
PG_FUNCTION_INFO_V1(streamstat_rollup_capture_row);
PG_FUNCTION_INFO_V1(streamstat_rollup_apply_statement);

/* The rollups of one table with rows waiting, and their deltas. */
typedef struct PendingRoot
{
	Oid			root;
	List	   *defs;			/* RollupDef * */
	List	   *deltas;			/* RollupDelta *, one per def */
} PendingRoot;

/* Where the columns of each rollup are in one partition (or the table). */
typedef struct PendingRel
{
	Oid			relid;
	PendingRoot *root;
	int			ndefs;
	AttrNumber *timecol;		/* per def */
	AttrNumber **groupcols;		/* per def, per group */
	AttrNumber **fieldcols;		/* per def, per field */
	Oid		  **fieldtypes;
} PendingRel;

static MemoryContext pending_cxt = NULL;
static List *pending_roots = NIL;
static List *pending_rels = NIL;
static bool callbacks_registered = false;

/* Forget every pending delta. */
static void
pending_reset(void)
{
	pending_roots = NIL;
	pending_rels = NIL;
	if (pending_cxt != NULL)
		MemoryContextReset(pending_cxt);
}

/* Fold the pending deltas, then forget them. */
static void
pending_apply(void)
{
	PG_TRY();
	{
		ListCell   *lc;

		foreach(lc, pending_roots)
			rollup_deltas_apply(((PendingRoot *) lfirst(lc))->deltas);
	}
	PG_CATCH();
	{
		pending_reset();
		PG_RE_THROW();
	}
	PG_END_TRY();
	pending_reset();
}

/*
 * Rows inserted straight into a partition fire the row trigger (cloned on
 * the partitions) but no statement trigger of the table: fold them before
 * the transaction commits.  Any other end forgets them.
 */
static void
rollup_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_PRE_COMMIT && pending_roots != NIL)
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pending_apply();
		PopActiveSnapshot();
	}
	else
		pending_reset();
}

static void
rollup_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		pending_reset();
}

/* Set by a process that folds the rows it writes itself (the ingest worker). */
static bool caller_folds = false;

/* The ingest worker says, once, that it folds its own rows. */
void
rollup_set_caller_folds(bool folds)
{
	caller_folds = folds;
}

/*
 * streamstat.rollup_capturing(): false in the ingest workers, which fold
 * the rows they write themselves.
 */
Datum
streamstat_rollup_capturing(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(!caller_folds);
}

/* The pending state of a table's rollups, loaded at its first row. */
static PendingRoot *
pending_root(Oid root)
{
	ListCell   *lc;
	PendingRoot *pr;
	Relation	rel;
	MemoryContext old;

	foreach(lc, pending_roots)
	{
		pr = lfirst(lc);
		if (pr->root == root)
			return pr;
	}
	old = MemoryContextSwitchTo(pending_cxt);
	pr = palloc0(sizeof(PendingRoot));
	pr->root = root;
	rel = table_open(root, AccessShareLock);
	pr->defs = rollup_defs_for(rel);
	table_close(rel, NoLock);
	foreach(lc, pr->defs)
		pr->deltas = lappend(pr->deltas, rollup_delta_create(lfirst(lc), pending_cxt));
	pending_roots = lappend(pending_roots, pr);
	MemoryContextSwitchTo(old);
	return pr;
}

/* The column positions of a partition (or the table), loaded once. */
static PendingRel *
pending_rel(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	ListCell   *lc;
	PendingRel *p;
	Oid			root = relid;
	int			i = 0;
	MemoryContext old;

	foreach(lc, pending_rels)
	{
		p = lfirst(lc);
		if (p->relid == relid)
			return p;
	}
	if (rel->rd_rel->relispartition)
		root = llast_oid(get_partition_ancestors(relid));

	old = MemoryContextSwitchTo(pending_cxt);
	p = palloc0(sizeof(PendingRel));
	p->relid = relid;
	p->root = pending_root(root);
	p->ndefs = list_length(p->root->defs);
	p->timecol = palloc(Max(p->ndefs, 1) * sizeof(AttrNumber));
	p->groupcols = palloc(Max(p->ndefs, 1) * sizeof(AttrNumber *));
	p->fieldcols = palloc(Max(p->ndefs, 1) * sizeof(AttrNumber *));
	p->fieldtypes = palloc(Max(p->ndefs, 1) * sizeof(Oid *));
	foreach(lc, p->root->defs)
	{
		RollupDef  *def = lfirst(lc);

		p->timecol[i] = get_attnum(relid, "time");
		p->groupcols[i] = palloc((def->ngroups + 1) * sizeof(AttrNumber));
		p->fieldcols[i] = palloc((def->nfields + 1) * sizeof(AttrNumber));
		p->fieldtypes[i] = palloc((def->nfields + 1) * sizeof(Oid));
		for (int g = 0; g < def->ngroups; g++)
			p->groupcols[i][g] = get_attnum(relid, def->groups[g]);
		for (int f = 0; f < def->nfields; f++)
		{
			p->fieldcols[i][f] = get_attnum(relid, def->fields[f]);
			p->fieldtypes[i][f] = p->fieldcols[i][f] == InvalidAttrNumber ? InvalidOid :
				get_atttype(relid, p->fieldcols[i][f]);
		}
		i++;
	}
	pending_rels = lappend(pending_rels, p);
	MemoryContextSwitchTo(old);
	return p;
}

/* A field's value as float8, as the SQL cast f::float8 makes it. */
static double
field_value(Datum d, Oid typid)
{
	switch (typid)
	{
		case FLOAT8OID:
			return DatumGetFloat8(d);
		case FLOAT4OID:
			return (double) DatumGetFloat4(d);
		case INT8OID:
			return (double) DatumGetInt64(d);
		case INT4OID:
			return (double) DatumGetInt32(d);
		case INT2OID:
			return (double) DatumGetInt16(d);
		case NUMERICOID:
			return DatumGetFloat8(DirectFunctionCall1(numeric_float8, d));
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("rollup field of type %s is not numeric", format_type_be(typid)),
			 errhint("Drop the rollup, or change the column back to a numeric type.")));
	return 0.0;
}

/* AFTER INSERT FOR EACH ROW: summarise the row into the pending deltas. */
Datum
streamstat_rollup_capture_row(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	HeapTuple	tup;
	TupleDesc	desc;
	PendingRel *p;
	ListCell   *lc;
	ListCell   *lc2;
	int			i = 0;
	const char *groups[64];
	int			lens[64];
	double		values[256];
	bool		isnull[256];

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event) || !TRIGGER_FIRED_BY_INSERT(td->tg_event))
		elog(ERROR, "streamstat.rollup_capture_row() must be an AFTER INSERT FOR EACH ROW trigger");

	if (pending_cxt == NULL)
		pending_cxt = AllocSetContextCreate(TopMemoryContext, "streamstat rollup pending rows",
											ALLOCSET_DEFAULT_SIZES);
	if (!callbacks_registered)
	{
		RegisterXactCallback(rollup_xact_callback, NULL);
		RegisterSubXactCallback(rollup_subxact_callback, NULL);
		callbacks_registered = true;
	}

	rel = td->tg_relation;
	tup = td->tg_trigtuple;
	desc = RelationGetDescr(rel);
	p = pending_rel(rel);
	forboth(lc, p->root->defs, lc2, p->root->deltas)
	{
		RollupDef  *def = lfirst(lc);
		bool		null;
		Datum		t = heap_getattr(tup, p->timecol[i], desc, &null);

		if (def->ngroups > 64 || def->nfields > 256)
			elog(ERROR, "streamstat: rollup %s has too many columns", def->qualname);
		if (null)
		{
			i++;
			continue;
		}
		for (int g = 0; g < def->ngroups; g++)
		{
			Datum		v = (Datum) 0;

			null = true;
			if (p->groupcols[i][g] != InvalidAttrNumber)
				v = heap_getattr(tup, p->groupcols[i][g], desc, &null);
			if (null)
			{
				groups[g] = NULL;
				lens[g] = 0;
			}
			else
			{
				text	   *txt = DatumGetTextPP(v);

				groups[g] = VARDATA_ANY(txt);
				lens[g] = VARSIZE_ANY_EXHDR(txt);
			}
		}
		for (int f = 0; f < def->nfields; f++)
		{
			Datum		v = (Datum) 0;

			isnull[f] = true;
			if (p->fieldcols[i][f] != InvalidAttrNumber)
				v = heap_getattr(tup, p->fieldcols[i][f], desc, &isnull[f]);
			if (!isnull[f])
				values[f] = field_value(v, p->fieldtypes[i][f]);
		}
		rollup_delta_add(lfirst(lc2), DatumGetTimestampTz(t), groups, lens, values, isnull);
		i++;
	}
	return PointerGetDatum(NULL);
}

/* AFTER INSERT FOR EACH STATEMENT: fold what the statement's rows made. */
Datum
streamstat_rollup_apply_statement(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "streamstat.rollup_apply_statement() must be a trigger");
	if (pending_roots != NIL)
		pending_apply();
	return PointerGetDatum(NULL);
}
