/*
 * writer_tuples.c
 *		The tuple path of the writer: a table's rows built straight from
 *		the batch's columns into tuple slots and inserted with the table
 *		AM's multi-insert, last stage of the path of a record (called by
 *		writer.c in the flush transaction, through the bisection of
 *		writer_copy.c).
 *
 * COPY FROM formats nothing here and parses nothing: each value is already
 * typed in the batch, so it becomes a Datum directly.  What COPY would do
 * for the rows is done the same way, with the executor's own routines:
 * routing to the leaf partition (ExecFindPartition), column defaults
 * (including identity and domain defaults) for values a row lacks, stored
 * generated columns, NOT NULL and CHECK constraints (ExecConstraints), the
 * partition constraint of a table that is itself a partition, index
 * entries (ExecInsertIndexTuples, unique checks included), AFTER ROW and
 * statement triggers and transition tables of plain tables.  Rows are
 * buffered per leaf and written WRITER_TUPLES_BUFFER at a time with
 * table_multi_insert() and a bulk-insert state, as COPY does.
 *
 * writer_tuples_usable() says when this path applies: every value goes
 * into its column as it is (timestamptz, double precision, bigint,
 * boolean, text), no BEFORE ROW or INSTEAD OF trigger, no foreign or
 * further partitioned leaf, no generated column among the batch's, no
 * volatile default, no row-level security, and for partitioned tables the
 * layout streamstat keeps (RANGE on "time") without transition tables.
 * Everything else goes through COPY (writer_copy.c), which handles all of
 * it.  A row that fails (a constraint, a unique key, a trigger's error)
 * fails the whole call; the caller isolates it by bisection in
 * subtransactions, as for COPY.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/execPartition.h"
#include "executor/executor.h"
#include "executor/nodeModifyTable.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "rewrite/rewriteHandler.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/timestamp.h"

#include "streamstat.h"
#include "writer/writer_internal.h"

/* Rows buffered per leaf before a multi-insert (COPY's figure). */
#define WRITER_TUPLES_BUFFER 1000

/* Most leaves written at once; more are flushed as they come. */
#define WRITER_TUPLES_MAX_LEAVES 8

/* The rows buffered for one leaf relation. */
typedef struct TupleBuffer
{
	ResultRelInfo *rri;
	TupleTableSlot *slots[WRITER_TUPLES_BUFFER];
	int			nused;
	BulkInsertState bistate;
} TupleBuffer;

/* What one call writes with: executor state, routing, defaults. */
typedef struct TupleWriter
{
	EState	   *estate;
	ResultRelInfo *root;
	ModifyTableState *mtstate;
	PartitionTupleRouting *proute;
	TransitionCaptureState *transition;
	CommandId	cid;
	TupleBuffer *buffers[WRITER_TUPLES_MAX_LEAVES];
	int			nbuffers;
	/* per attribute of the root: the target column feeding it, or -1 */
	int		   *att_col;
	ExprState **att_default;	/* NULL: no default (NULL value) */
	AttrNumber	timeattnum;
	uint64		inserted;
} TupleWriter;

/* Whether a relation's triggers keep rows off the multi-insert path. */
static bool
tuples_triggers_allow(Relation rel)
{
	TriggerDesc *td = rel->trigdesc;

	return td == NULL ||
		(!td->trig_insert_before_row && !td->trig_insert_instead_row);
}

/* Whether a leaf relation (a partition the rows go to) can take them. */
static bool
tuples_leaf_usable(Oid relid)
{
	Relation	leaf;
	bool		ok;

	if (get_rel_relkind(relid) != RELKIND_RELATION)
		return false;			/* foreign or sub-partitioned */
	leaf = table_open(relid, RowExclusiveLock);
	ok = tuples_triggers_allow(leaf) &&
		check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED;
	table_close(leaf, NoLock);
	return ok;
}

/*
 * Whether rows[0..n) of t can go to rel through the tuple path (see the
 * file's comment); cols are the target columns (all of a type
 * binary_column_type() accepts), timeattnum rel's "time".
 */
bool
writer_tuples_usable(Relation rel, AttrNumber timeattnum, TargetColumn *cols,
					 int ncols, BatchTable *t, const int *rows, int n)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Oid			relid = RelationGetRelid(rel);
	PartitionKey key;

	if (TupleDescAttr(desc, timeattnum - 1)->atttypid != TIMESTAMPTZOID)
		return false;
	if (!tuples_triggers_allow(rel) ||
		check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		return false;
	for (int c = 0; c < ncols; c++)
	{
		AttrNumber	attnum = get_attnum(relid, cols[c].name);

		if (!binary_column_type(cols[c].typid) || attnum == InvalidAttrNumber ||
			TupleDescAttr(desc, attnum - 1)->attgenerated)
			return false;
	}

	/* Defaults must not read the table we are writing (as for COPY). */
	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		Node	   *def;

		if (att->attisdropped || att->attgenerated)
			continue;
		def = build_column_default(rel, a + 1);
		if (def != NULL && contain_volatile_functions_not_nextval(def))
			return false;
	}

	if (rel->rd_rel->relkind == RELKIND_RELATION)
		return true;
	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE ||
		!partition_upkeep(rel, timeattnum, &key))
		return false;
	/* Transition tables of a partitioned table: rows fire them per leaf. */
	if (rel->trigdesc != NULL && rel->trigdesc->trig_insert_new_table)
		return false;

	/* The leaves the rows go to; consecutive rows mostly share one. */
	{
		PartitionDesc pd = RelationGetPartitionDesc(rel, true);
		int			last = -3;
		bool	   *checked = palloc0(Max(pd->nparts, 1) * sizeof(bool));

		for (int i = 0; i < n; i++)
		{
			int			idx = partition_index_for(rel, key, t->time[rows[i]]);

			if (idx == last)
				continue;
			last = idx;
			if (idx == -2)
				idx = pd->boundinfo->default_index;
			if (idx < 0)
				continue;		/* no partition: ExecFindPartition says so */
			if (checked[idx])
				continue;
			checked[idx] = true;
			if (!tuples_leaf_usable(pd->oids[idx]))
				return false;
		}
	}
	return true;
}

/* Write the rows buffered for a leaf: heap, indexes, AFTER ROW triggers. */
static void
tuples_flush_buffer(TupleWriter *tw, TupleBuffer *b)
{
	ResultRelInfo *rri = b->rri;
	EState	   *estate = tw->estate;
	TriggerDesc *td = rri->ri_TrigDesc;
	bool		after_row = td != NULL &&
		(td->trig_insert_after_row || td->trig_insert_new_table);
	MemoryContext oldcxt;

	if (b->nused == 0)
		return;
	oldcxt = MemoryContextSwitchTo(GetPerTupleMemoryContext(estate));
	table_multi_insert(rri->ri_RelationDesc, b->slots, b->nused, tw->cid, 0,
					   b->bistate);
	MemoryContextSwitchTo(oldcxt);

	for (int i = 0; i < b->nused; i++)
	{
		List	   *recheck = NIL;

		if (rri->ri_NumIndices > 0)
			recheck = ExecInsertIndexTuples(rri, b->slots[i], estate, false,
											false, NULL, NIL);
		/* (recheck: deferred unique constraints, checked by a trigger) */
		if (after_row || recheck != NIL)
			ExecARInsertTriggers(estate, rri, b->slots[i], recheck,
								 tw->transition);
		list_free(recheck);
		ExecClearTuple(b->slots[i]);
		ResetPerTupleExprContext(estate);
	}
	tw->inserted += b->nused;
	b->nused = 0;
}

/* The buffer of a leaf, made on first use. */
static TupleBuffer *
tuples_buffer(TupleWriter *tw, ResultRelInfo *rri)
{
	TupleBuffer *b;

	for (int i = 0; i < tw->nbuffers; i++)
		if (tw->buffers[i]->rri == rri)
			return tw->buffers[i];
	if (tw->nbuffers == WRITER_TUPLES_MAX_LEAVES)
	{
		/* Rows spread over many leaves: write them and start again. */
		for (int i = 0; i < tw->nbuffers; i++)
			tuples_flush_buffer(tw, tw->buffers[i]);
		b = tw->buffers[0];
		for (int i = 1; i < tw->nbuffers; i++)
			tw->buffers[i - 1] = tw->buffers[i];
		tw->nbuffers--;
		/* Reuse the oldest buffer's memory for the new leaf. */
		for (int i = 0; i < WRITER_TUPLES_BUFFER; i++)
			if (b->slots[i] != NULL)
			{
				ExecDropSingleTupleTableSlot(b->slots[i]);
				b->slots[i] = NULL;
			}
		FreeBulkInsertState(b->bistate);
	}
	else
		b = palloc0(sizeof(TupleBuffer));
	b->rri = rri;
	b->nused = 0;
	b->bistate = GetBulkInsertState();
	tw->buffers[tw->nbuffers++] = b;
	return b;
}

/* The next free slot of a buffer (made on first use). */
static TupleTableSlot *
tuples_next_slot(TupleBuffer *b)
{
	if (b->slots[b->nused] == NULL)
		b->slots[b->nused] = table_slot_create(b->rri->ri_RelationDesc, NULL);
	return b->slots[b->nused];
}

/* Fill slot (of the root's row type) with buffered row `row`. */
static void
tuples_fill(TupleWriter *tw, CopySource *src, int row, TupleTableSlot *slot)
{
	BatchTable *t = src->table;
	TupleDesc	desc = slot->tts_tupleDescriptor;
	Datum	   *values = slot->tts_values;
	bool	   *isnull = slot->tts_isnull;
	ExprContext *econtext = GetPerTupleExprContext(tw->estate);
	MemoryContext oldcxt;

	/* Values by reference live until the slot is materialized. */
	oldcxt = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	ExecClearTuple(slot);
	for (int a = 0; a < desc->natts; a++)
	{
		int			c = tw->att_col[a];
		BatchColumn *bc = NULL;
		BatchValue *v;

		values[a] = (Datum) 0;
		isnull[a] = true;
		if (a + 1 == tw->timeattnum)
		{
			values[a] = TimestampTzGetDatum(t->time[row]);
			isnull[a] = false;
			continue;
		}
		if (c >= 0)
		{
			TargetColumn *tc = &src->cols[c];

			for (int k = 0; k < tc->nsrc; k++)
				if (!t->cols[tc->src[k]].isnull[row])
				{
					bc = &t->cols[tc->src[k]];
					break;
				}
		}
		if (bc == NULL)
		{
			/* No value: the column's default, as COPY without the column. */
			if (tw->att_default[a] != NULL)
				values[a] = ExecEvalExpr(tw->att_default[a], econtext, &isnull[a]);
			continue;
		}
		v = &bc->values[row];
		isnull[a] = false;
		switch (src->cols[c].typid)
		{
			case FLOAT8OID:
				values[a] = Float8GetDatum(bc->kind == BATCH_FLOAT ? v->f :
										   bc->kind == BATCH_INTEGER ? (double) v->i :
										   (double) v->u);
				break;
			case INT8OID:
				/* Unsigned values past INT64_MAX were rejected before. */
				values[a] = Int64GetDatum(bc->kind == BATCH_INTEGER ? v->i : (int64) v->u);
				break;
			case BOOLOID:
				values[a] = BoolGetDatum(v->b);
				break;
			default:			/* TEXTOID */
				values[a] = PointerGetDatum(cstring_to_text_with_len(t->strings.data + v->s.off,
																	  v->s.len));
				break;
		}
	}
	ExecStoreVirtualTuple(slot);
	MemoryContextSwitchTo(oldcxt);
}

/* Set up the executor state for writing into rel. */
static void
tuples_begin(TupleWriter *tw, Relation rel, CopySource *src)
{
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	TupleDesc	desc = RelationGetDescr(rel);
	EState	   *estate = CreateExecutorState();

	tw->estate = estate;
	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(rel);
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	rte->requiredPerms = ACL_INSERT;
	ExecInitRangeTable(estate, list_make1(rte));

	tw->root = makeNode(ResultRelInfo);
	ExecInitResultRelation(estate, tw->root, 1);
	CheckValidResultRel(tw->root, CMD_INSERT);
	ExecOpenIndices(tw->root, false);

	/* What partition routing expects of the query it routes for. */
	tw->mtstate = makeNode(ModifyTableState);
	tw->mtstate->ps.plan = NULL;
	tw->mtstate->ps.state = estate;
	tw->mtstate->operation = CMD_INSERT;
	tw->mtstate->mt_nrels = 1;
	tw->mtstate->resultRelInfo = tw->root;
	tw->mtstate->rootResultRelInfo = tw->root;
	if (rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE)
		tw->proute = ExecSetupPartitionTupleRouting(estate, rel);
	/* The AFTER trigger queue of this "query", then its transition tables. */
	AfterTriggerBeginQuery();
	tw->transition = MakeTransitionCaptureState(rel->trigdesc,
												RelationGetRelid(rel), CMD_INSERT);
	tw->cid = GetCurrentCommandId(true);

	/* Which target column feeds each attribute, and the defaults. */
	tw->timeattnum = get_attnum(RelationGetRelid(rel), "time");
	tw->att_col = palloc(desc->natts * sizeof(int));
	tw->att_default = palloc0(desc->natts * sizeof(ExprState *));
	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		Node	   *def;

		tw->att_col[a] = -1;
		if (att->attisdropped || att->attgenerated || a + 1 == tw->timeattnum)
			continue;
		for (int c = 0; c < src->ncols; c++)
			if (strcmp(NameStr(att->attname), src->cols[c].name) == 0)
				tw->att_col[a] = c;
		def = build_column_default(rel, a + 1);
		if (def != NULL)
			tw->att_default[a] = ExecInitExpr(expression_planner((Expr *) def), NULL);
	}

	ExecBSInsertTriggers(estate, tw->root);
}

/* Write what is buffered, fire the statement's AFTER triggers, clean up. */
static void
tuples_end(TupleWriter *tw)
{
	EState	   *estate = tw->estate;

	for (int i = 0; i < tw->nbuffers; i++)
		tuples_flush_buffer(tw, tw->buffers[i]);
	ExecASInsertTriggers(estate, tw->root, tw->transition);
	AfterTriggerEndQuery(estate);
	for (int i = 0; i < tw->nbuffers; i++)
	{
		TupleBuffer *b = tw->buffers[i];

		for (int k = 0; k < WRITER_TUPLES_BUFFER && b->slots[k] != NULL; k++)
			ExecDropSingleTupleTableSlot(b->slots[k]);
		FreeBulkInsertState(b->bistate);
	}
	ExecResetTupleTable(estate->es_tupleTable, false);
	if (tw->proute)
		ExecCleanupTupleRouting(tw->mtstate, tw->proute);
	ExecCloseResultRelations(estate);
	ExecCloseRangeTableRelations(estate);
	FreeExecutorState(estate);
}

/*
 * Insert src->rows[0..src->nrows) of src->table into rel through the tuple
 * path (writer_tuples_usable() said yes); the number of rows inserted.  An
 * error of any row is thrown: the caller isolates it.
 */
uint64
writer_tuples_insert(Relation rel, CopySource *src)
{
	TupleWriter tw = {0};
	TupleTableSlot *rootslot = NULL;
	bool		partitioned = rel->rd_rel->relkind == RELKIND_PARTITIONED_TABLE;
	bool		is_partition = rel->rd_rel->relispartition;

	tuples_begin(&tw, rel, src);
	if (partitioned)
		rootslot = ExecInitExtraTupleSlot(tw.estate, RelationGetDescr(rel),
										  &TTSOpsVirtual);

	for (int i = 0; i < src->nrows; i++)
	{
		ResultRelInfo *rri = tw.root;
		TupleBuffer *b;
		TupleTableSlot *slot;
		Relation	leaf;

		ResetPerTupleExprContext(tw.estate);
		if (partitioned)
		{
			TupleConversionMap *map;

			tuples_fill(&tw, src, src->rows[i], rootslot);
			rri = ExecFindPartition(tw.mtstate, tw.root, tw.proute, rootslot,
									tw.estate);
			b = tuples_buffer(&tw, rri);
			slot = tuples_next_slot(b);
			map = rri->ri_RootToPartitionMap;
			if (map != NULL)
				slot = execute_attr_map_slot(map->attrMap, rootslot, slot);
			else
				ExecCopySlot(slot, rootslot);
		}
		else
		{
			b = tuples_buffer(&tw, rri);
			slot = tuples_next_slot(b);
			tuples_fill(&tw, src, src->rows[i], slot);
		}
		leaf = rri->ri_RelationDesc;
		slot->tts_tableOid = RelationGetRelid(leaf);

		if (leaf->rd_att->constr && leaf->rd_att->constr->has_generated_stored)
			ExecComputeStoredGenerated(rri, tw.estate, slot, CMD_INSERT);
		if (leaf->rd_att->constr)
			ExecConstraints(rri, slot, tw.estate);
		/* Routed rows meet their partition's bounds by construction. */
		if (is_partition && !partitioned)
			ExecPartitionCheck(rri, slot, tw.estate, true);

		/* Into the buffer: the slot must outlive the per-row context. */
		ExecMaterializeSlot(slot);
		if (++b->nused == WRITER_TUPLES_BUFFER)
			tuples_flush_buffer(&tw, b);
		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	tuples_end(&tw);
	return tw.inserted;
}
