/*
 * writer.c
 *		Writes a batch into the database: last stage of the path of a record.
 *
 * A flush is one transaction that, table by table (in name order, a lock
 * order shared by all workers), checks the target table, its columns and
 * its partitions, rejects the rows that cannot fit (type conflicts, missing
 * columns with streamstat.auto_create off), bulk-inserts the others with
 * COPY's own machinery (CopyFrom with a data-source callback into the
 * partitioned parent: partition routing, defaults, constraints, indexes,
 * triggers and type input as for COPY FROM), then writes the rejects.
 *
 * Tables that need DDL first (a new table, new columns, missing
 * partitions, including the premade next partition) are left out of that
 * transaction; each then gets a short DDL transaction of its own under a
 * per-table advisory lock (so concurrent workers never race on DDL), and a
 * second insert transaction writes their rows.  The common path (known
 * tables and partitions) is one transaction without DDL.
 *
 * Bad rows are isolated: when a table's COPY fails, it is retried in
 * subtransactions on halves of the rows until each failing row is alone;
 * those go to streamstat.rejects with the error message, the others land.
 * Errors that say nothing about the rows (deadlock, lock or statement
 * timeout, out of disk or memory, shutdown) instead abort the transaction:
 * writer_flush() then returns false, the worker keeps the batch and retries
 * it later (the rule the worker documents).
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/copy.h"
#include "common/hashfn.h"
#include "common/shortest_dec.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "pgstat.h"
#include "port/pg_bswap.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "streamstat.h"
#include "ingest/ingest.h"

/* Schema of the partitions, out of the way of BI tools listing tables. */
#define WRITER_PARTITION_SCHEMA "streamstat_partitions"

/* First key of the advisory locks taken around a table's DDL. */
#define WRITER_LOCK_CLASS 0x53545354

#define UNIX_TO_PG_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

/* A column of the target table and the batch columns that feed it. */
typedef struct TargetColumn
{
	const char *name;
	Oid			typid;
	int			src[BATCH_NKINDS];
	int			nsrc;
} TargetColumn;

/* What the COPY data-source callback formats: rows of a table or rejects. */
typedef struct CopySource
{
	void		(*format_row) (struct CopySource *src, int i, StringInfo out);
	bool		binary;			/* COPY binary format (else text) */
	bool		header_sent;	/* binary: signature written */
	BatchTable *table;
	TargetColumn *cols;
	int			ncols;
	int		   *rows;			/* row numbers (table) or indexes (rejects) */
	int			nrows;
	int			next;
	List	   *rejects;
	Batch	   *batch;
	StringInfoData buf;
	int			pos;
} CopySource;

/* What one insert transaction did, for the counters after commit. */
typedef struct FlushState
{
	Batch	   *batch;
	bool		allow_ddl;
	List	   *rejects;		/* BatchReject * found while writing */
	List	   *deferred;		/* BatchTable * that need DDL first */
	int64		rows_inserted;
} FlushState;

/* The COPY callback has no argument: the source being read. */
static CopySource *current_source = NULL;

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
static bool
error_is_transient(int sqlerrcode)
{
	int			category = ERRCODE_TO_CATEGORY(sqlerrcode);

	return category == ERRCODE_TRANSACTION_ROLLBACK ||
		category == ERRCODE_INSUFFICIENT_RESOURCES ||
		category == ERRCODE_OPERATOR_INTERVENTION ||
		category == ERRCODE_SYSTEM_ERROR ||
		sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE;
}

/* Append a value in COPY text format, escaping what COPY would read. */
static void
copy_append_text(StringInfo out, const char *s, int len)
{
	const char *end = s + len;
	const char *run = s;

	for (; s < end; s++)
	{
		char		esc;

		switch (*s)
		{
			case '\\':
				esc = '\\';
				break;
			case '\n':
				esc = 'n';
				break;
			case '\r':
				esc = 'r';
				break;
			case '\t':
				esc = 't';
				break;
			default:
				continue;
		}
		appendBinaryStringInfoNT(out, run, s - run);
		appendStringInfoCharMacro(out, '\\');
		appendStringInfoCharMacro(out, esc);
		run = s + 1;
	}
	appendBinaryStringInfoNT(out, run, end - run);
}

/* Append a timestamp in ISO format with an explicit UTC offset. */
static void
copy_append_timestamp(StringInfo out, TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	char		buf[MAXDATELEN + 1];

	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "streamstat timestamp out of range");
	EncodeDateTime(&tm, fsec, true, 0, NULL, USE_ISO_DATES, buf);
	appendStringInfoString(out, buf);
}

/* Format one buffered row of a table as a COPY text line. */
static void
format_table_row(CopySource *src, int i, StringInfo out)
{
	BatchTable *t = src->table;
	int			row = src->rows[i];
	char		num[64];
	int			len;

	copy_append_timestamp(out, t->time[row]);
	for (int c = 0; c < src->ncols; c++)
	{
		TargetColumn *tc = &src->cols[c];
		BatchColumn *bc = NULL;
		BatchValue *v;

		appendStringInfoCharMacro(out, '\t');
		for (int k = 0; k < tc->nsrc; k++)
		{
			if (!t->cols[tc->src[k]].isnull[row])
			{
				bc = &t->cols[tc->src[k]];
				break;
			}
		}
		if (bc == NULL)
		{
			appendBinaryStringInfoNT(out, "\\N", 2);
			continue;
		}
		v = &bc->values[row];
		switch (bc->kind)
		{
			case BATCH_FLOAT:
				len = double_to_shortest_decimal_bufn(v->f, num);
				appendBinaryStringInfoNT(out, num, len);
				break;
			case BATCH_INTEGER:
				len = pg_lltoa(v->i, num);
				appendBinaryStringInfoNT(out, num, len);
				break;
			case BATCH_UNSIGNED:
				len = pg_ulltoa_n(v->u, num);
				appendBinaryStringInfoNT(out, num, len);
				break;
			case BATCH_BOOLEAN:
				appendStringInfoCharMacro(out, v->b ? 't' : 'f');
				break;
			case BATCH_TAG:
			case BATCH_STRING:
				copy_append_text(out, t->strings.data + v->s.off, v->s.len);
				break;
		}
	}
	appendStringInfoCharMacro(out, '\n');
}

/* Store a 16-, 32- or 64-bit integer in network byte order at p. */
static inline char *
put_int16(char *p, uint16 v)
{
	v = pg_hton16(v);
	memcpy(p, &v, 2);
	return p + 2;
}

static inline char *
put_int32(char *p, uint32 v)
{
	v = pg_hton32(v);
	memcpy(p, &v, 4);
	return p + 4;
}

static inline char *
put_int64(char *p, uint64 v)
{
	v = pg_hton64(v);
	memcpy(p, &v, 8);
	return p + 8;
}

/*
 * Format one buffered row as a tuple of COPY's binary format: the field
 * count, then each field as its length and the bytes its type's receive
 * function reads.  Only used when every target column is one of the types
 * binary_column_type() accepts, so that no value needs a text round trip
 * (timestamptz_in and float8in are most of the cost of the text format).
 * Fixed-size fields are written straight into the buffer, whose room is
 * reserved once per row (and again for each text value).
 */
static void
format_table_row_binary(CopySource *src, int i, StringInfo out)
{
	BatchTable *t = src->table;
	int			row = src->rows[i];
	char	   *p;

	enlargeStringInfo(out, 2 + 12 + src->ncols * 12);
	p = out->data + out->len;
	p = put_int16(p, (uint16) (src->ncols + 1));
	p = put_int32(p, 8);
	p = put_int64(p, (uint64) t->time[row]);
	for (int c = 0; c < src->ncols; c++)
	{
		TargetColumn *tc = &src->cols[c];
		BatchColumn *bc = NULL;
		BatchValue *v;
		double		d;
		uint64		bits;

		for (int k = 0; k < tc->nsrc; k++)
		{
			if (!t->cols[tc->src[k]].isnull[row])
			{
				bc = &t->cols[tc->src[k]];
				break;
			}
		}
		if (bc == NULL)
		{
			p = put_int32(p, (uint32) -1);
			continue;
		}
		v = &bc->values[row];
		switch (bc->kind)
		{
			case BATCH_FLOAT:
			case BATCH_INTEGER:
			case BATCH_UNSIGNED:
				if (tc->typid == INT8OID)
				{
					/* Unsigned values past INT64_MAX were rejected before. */
					p = put_int32(p, 8);
					p = put_int64(p, bc->kind == BATCH_INTEGER ? (uint64) v->i : v->u);
					break;
				}
				d = bc->kind == BATCH_FLOAT ? v->f :
					bc->kind == BATCH_INTEGER ? (double) v->i : (double) v->u;
				memcpy(&bits, &d, 8);
				p = put_int32(p, 8);
				p = put_int64(p, bits);
				break;
			case BATCH_BOOLEAN:
				p = put_int32(p, 1);
				*p++ = v->b ? 1 : 0;
				break;
			case BATCH_TAG:
			case BATCH_STRING:
				/* Room for this text and for the fields still to come. */
				out->len = p - out->data;
				enlargeStringInfo(out, 4 + v->s.len + (src->ncols - c) * 12);
				p = out->data + out->len;
				p = put_int32(p, v->s.len);
				memcpy(p, t->strings.data + v->s.off, v->s.len);
				p += v->s.len;
				break;
		}
	}
	out->len = p - out->data;
	out->data[out->len] = '\0';
}

/* Whether a column type takes our values in COPY's binary format. */
static bool
binary_column_type(Oid typid)
{
	return typid == FLOAT8OID || typid == INT8OID || typid == BOOLOID ||
		typid == TEXTOID;
}

/* Format one reject as a COPY text line of streamstat.rejects. */
static void
format_reject_row(CopySource *src, int i, StringInfo out)
{
	BatchReject *rej = list_nth(src->rejects, src->rows[i]);
	bool		escaped;
	char	   *line = batch_escape_line(rej->line, rej->len, &escaped);

	copy_append_timestamp(out, rej->received);
	appendStringInfoCharMacro(out, '\t');
	if (rej->client >= 0 && rej->client < src->batch->nclients)
	{
		const char *client = src->batch->clients[rej->client];

		copy_append_text(out, client, strlen(client));
	}
	else
		appendBinaryStringInfoNT(out, "\\N", 2);
	appendStringInfoCharMacro(out, '\t');
	copy_append_text(out, line, strlen(line));
	appendStringInfoCharMacro(out, '\t');
	copy_append_text(out, rej->reason, strlen(rej->reason));
	appendStringInfoCharMacro(out, '\n');
	pfree(line);
}

/* COPY's data-source callback: hand out formatted rows. */
static int
writer_copy_read(void *outbuf, int minread, int maxread)
{
	CopySource *src = current_source;
	int			n = 0;

	while (n < maxread)
	{
		int			k;

		if (src->pos >= src->buf.len)
		{
			if (src->next >= src->nrows)
				break;			/* end of data */
			resetStringInfo(&src->buf);
			src->pos = 0;
			if (src->binary && !src->header_sent)
			{
				/* Signature, then zero flags and no header extension. */
				appendBinaryStringInfoNT(&src->buf,
										 "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
				src->header_sent = true;
			}
			while (src->next < src->nrows && src->buf.len < 65536)
				src->format_row(src, src->next++, &src->buf);
		}
		k = Min(maxread - n, src->buf.len - src->pos);
		memcpy((char *) outbuf + n, src->buf.data + src->pos, k);
		n += k;
		src->pos += k;
		if (n >= minread && src->pos >= src->buf.len)
			break;
	}
	return n;
}

/* Run COPY FROM the source into rel (names: the columns, in order). */
static uint64
writer_copy(Relation rel, List *attnames, CopySource *src)
{
	ParseState *pstate = make_parsestate(NULL);
	CopyFromState cstate;
	uint64		processed;
	List	   *options = NIL;

	addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL, false, false);
	src->next = 0;
	src->pos = 0;
	src->header_sent = false;
	resetStringInfo(&src->buf);
	current_source = src;
	if (src->binary)
		options = list_make1(makeDefElem("format", (Node *) makeString("binary"), -1));
	cstate = BeginCopyFrom(pstate, rel, NULL, NULL, false, writer_copy_read,
						   attnames, options);
	processed = CopyFrom(cstate);
	EndCopyFrom(cstate);
	current_source = NULL;
	free_parsestate(pstate);
	return processed;
}

/*
 * Insert rows[0..n) in a subtransaction; when that fails, halve and retry
 * until the failing rows are single, which become rejects.
 */
static void
writer_insert_isolated(FlushState *fs, Relation rel, List *attnames,
					   CopySource *src, int *rows, int n)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	if (n == 0)
		return;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		src->rows = rows;
		src->nrows = n;
		fs->rows_inserted += writer_copy(rel, attnames, src);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		current_source = NULL;

		if (error_is_transient(edata->sqlerrcode))
			ReThrowError(edata);
		if (n == 1)
		{
			BatchTable *t = src->table;
			BatchReject *rej = palloc(sizeof(BatchReject));
			int			row = rows[0];

			rej->received = t->received[row];
			rej->client = t->client[row];
			rej->line = t->strings.data + t->line_off[row];
			rej->len = t->line_len[row];
			rej->reason = edata->detail ?
				psprintf("%s (%s)", edata->message, edata->detail) :
				pstrdup(edata->message);
			fs->rejects = lappend(fs->rejects, rej);
		}
		else
		{
			writer_insert_isolated(fs, rel, attnames, src, rows, n / 2);
			writer_insert_isolated(fs, rel, attnames, src, rows + n / 2, n - n / 2);
		}
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

/* A row and which of the table's defaulted columns it has values for. */
typedef struct RowMask
{
	uint64		mask;
	int			row;
} RowMask;

static int
rowmask_cmp(const void *a, const void *b)
{
	const RowMask *x = a;
	const RowMask *y = b;

	if (x->mask != y->mask)
		return x->mask < y->mask ? -1 : 1;
	return x->row - y->row;
}

/* Whether row has a value for target column tc. */
static inline bool
row_has_value(BatchTable *t, TargetColumn *tc, int row)
{
	for (int k = 0; k < tc->nsrc; k++)
		if (!t->cols[tc->src[k]].isnull[row])
			return true;
	return false;
}

/*
 * Insert rows[0..n) through COPY with the columns tcols.  COPY fills a
 * column's DEFAULT only when the column is left out of its column list, so
 * when some of tcols have defaults (tables the user made), a row without a
 * value for such a column must be written by a COPY that leaves it out:
 * rows go in groups by which defaulted columns they carry (one group in
 * the common case, where the lines of a measurement share their keys).
 */
static void
writer_insert_grouped(FlushState *fs, Relation rel, CopySource *src,
					  TargetColumn *tcols, int ntcols, int *rows, int n)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			defcols[64];
	int			ndef = 0;
	RowMask    *masks;
	TargetColumn *sub;
	int			start;

	for (int i = 0; i < ntcols && ndef < 64; i++)
	{
		AttrNumber	attnum = get_attnum(RelationGetRelid(rel), tcols[i].name);

		if (attnum != InvalidAttrNumber && TupleDescAttr(desc, attnum - 1)->atthasdef)
			defcols[ndef++] = i;
	}

	masks = palloc(Max(n, 1) * sizeof(RowMask));
	for (int i = 0; i < n; i++)
	{
		masks[i].row = rows[i];
		masks[i].mask = 0;
		for (int k = 0; k < ndef; k++)
			if (row_has_value(src->table, &tcols[defcols[k]], rows[i]))
				masks[i].mask |= UINT64CONST(1) << k;
	}
	if (ndef > 0)
		qsort(masks, n, sizeof(RowMask), rowmask_cmp);

	sub = palloc(Max(ntcols, 1) * sizeof(TargetColumn));
	for (start = 0; start < n;)
	{
		int			end = start;
		uint64		mask = masks[start].mask;
		int			nsub = 0;
		int			k = 0;
		List	   *attnames = list_make1(makeString("time"));

		while (end < n && masks[end].mask == mask)
		{
			rows[end] = masks[end].row;
			end++;
		}
		/* The columns of this group: all but the defaulted ones it lacks. */
		for (int i = 0; i < ntcols; i++)
		{
			if (k < ndef && defcols[k] == i)
			{
				if (!(mask & (UINT64CONST(1) << k++)))
					continue;
			}
			sub[nsub++] = tcols[i];
			attnames = lappend(attnames, makeString((char *) tcols[i].name));
		}
		src->cols = sub;
		src->ncols = nsub;
		writer_insert_isolated(fs, rel, attnames, src, rows + start, end - start);
		start = end;
	}
}

/* Reject one buffered row with a reason. */
static void
writer_reject_row(FlushState *fs, BatchTable *t, int row, bool *rejected,
				  const char *reason)
{
	BatchReject *rej;

	if (rejected[row])
		return;
	rejected[row] = true;
	rej = palloc(sizeof(BatchReject));
	rej->received = t->received[row];
	rej->client = t->client[row];
	rej->line = t->strings.data + t->line_off[row];
	rej->len = t->line_len[row];
	rej->reason = (char *) reason;
	fs->rejects = lappend(fs->rejects, rej);
}

/* Partition index that holds ts; -1 none, -2 the default partition. */
static int
partition_index_for(Relation rel, PartitionKey key, TimestampTz ts)
{
	PartitionDesc pd = RelationGetPartitionDesc(rel, true);
	PartitionBoundInfo bi = pd->boundinfo;
	Datum		value = TimestampTzGetDatum(ts);
	bool		equal;
	int			off;

	if (bi == NULL)
		return -1;
	off = partition_range_datum_bsearch(key->partsupfunc, key->partcollation,
										bi, 1, &value, &equal);
	if (bi->indexes[off + 1] >= 0)
		return bi->indexes[off + 1];
	return partition_bound_has_default(bi) ? -2 : -1;
}

/* Partition slot (of streamstat.partition_interval seconds) of a time. */
static int64
partition_slot(TimestampTz ts)
{
	int64		interval_us = (int64) streamstat_partition_interval_s * USECS_PER_SEC;
	int64		unix_us = ts + UNIX_TO_PG_USECS;
	int64		slot = unix_us / interval_us;

	if (unix_us % interval_us < 0)
		slot--;
	return slot;
}

/* Whether a slot is covered by one partition (or the default one). */
static bool
partition_slot_covered(Relation rel, PartitionKey key, int64 slot)
{
	int64		interval_us = (int64) streamstat_partition_interval_s * USECS_PER_SEC;
	TimestampTz lo = slot * interval_us - UNIX_TO_PG_USECS;
	TimestampTz hi = lo + interval_us - 1;
	int			a;

	if (!IS_VALID_TIMESTAMP(lo) || !IS_VALID_TIMESTAMP(hi))
		return true;			/* cannot make it; let COPY say so */
	a = partition_index_for(rel, key, lo);
	if (a == -1)
		return false;
	return a == partition_index_for(rel, key, hi);
}

/* Whether we keep partitions of rel: RANGE on its timestamptz "time". */
static bool
partition_upkeep(Relation rel, AttrNumber timeattnum, PartitionKey *keyp)
{
	PartitionKey key;

	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		return false;
	key = RelationGetPartitionKey(rel);
	if (key->strategy != PARTITION_STRATEGY_RANGE || key->partnatts != 1 ||
		key->partattrs[0] != timeattnum || key->parttypid[0] != TIMESTAMPTZOID)
		return false;
	*keyp = key;
	return true;
}

/*
 * Whether no partition (nor the default one) takes ts; if so, [*lo, *hi) is
 * the partition-free gap around it (PG_INT64_MIN/MAX when unbounded).
 */
static bool
partition_gap(Relation rel, PartitionKey key, TimestampTz ts,
			  TimestampTz *lo, TimestampTz *hi)
{
	PartitionDesc pd = RelationGetPartitionDesc(rel, true);
	PartitionBoundInfo bi = pd->boundinfo;
	Datum		value = TimestampTzGetDatum(ts);
	bool		equal;
	int			off;

	*lo = PG_INT64_MIN;
	*hi = PG_INT64_MAX;
	if (bi == NULL)
		return true;
	off = partition_range_datum_bsearch(key->partsupfunc, key->partcollation,
										bi, 1, &value, &equal);
	if (bi->indexes[off + 1] >= 0 || partition_bound_has_default(bi))
		return false;
	if (off >= 0 && bi->kind[off][0] == PARTITION_RANGE_DATUM_VALUE)
		*lo = DatumGetTimestampTz(bi->datums[off][0]);
	if (off + 1 < bi->ndatums && bi->kind[off + 1][0] == PARTITION_RANGE_DATUM_VALUE)
		*hi = DatumGetTimestampTz(bi->datums[off + 1][0]);
	return true;
}

/* A partition to create: [lo, hi). */
typedef struct PartRange
{
	TimestampTz lo;
	TimestampTz hi;
	bool		premade;		/* the next slot, made before its rows come */
} PartRange;

/*
 * Add the partition for ts to ranges when no partition takes ts: its slot
 * of streamstat.partition_interval, clipped to the gap between existing
 * partitions (they may have other sizes: made by the user, or before the
 * interval was changed), so it never overlaps one.  True when ts needs it.
 */
static bool
partition_range_add(Relation rel, PartitionKey key, TimestampTz ts,
					bool premade, PartRange **ranges, int *n, int *cap)
{
	int64		interval_us = (int64) streamstat_partition_interval_s * USECS_PER_SEC;
	int64		slot = partition_slot(ts);
	TimestampTz slot_lo = slot * interval_us - UNIX_TO_PG_USECS;
	TimestampTz gap_lo;
	TimestampTz gap_hi;
	PartRange	r;

	if (!IS_VALID_TIMESTAMP(slot_lo) || !IS_VALID_TIMESTAMP(slot_lo + interval_us))
		return false;			/* cannot make it; COPY will say so */
	if (!partition_gap(rel, key, ts, &gap_lo, &gap_hi))
		return false;
	r.lo = Max(slot_lo, gap_lo);
	r.hi = Min(slot_lo + interval_us, gap_hi);
	r.premade = premade;
	for (int i = 0; i < *n; i++)
		if ((*ranges)[i].lo == r.lo)
			return true;
	if (*n == *cap)
	{
		*cap *= 2;
		*ranges = repalloc(*ranges, *cap * sizeof(PartRange));
	}
	(*ranges)[(*n)++] = r;
	return true;
}

/*
 * The partitions missing for the given rows (rejected[row] set: skipped;
 * NULL: none) and the premade next slot.  When uncovered is given, it marks
 * the rows that no partition takes.  A row whose whole slot lies in one
 * partition costs one comparison: consecutive rows mostly share a slot.
 */
static PartRange *
partition_ranges_needed(Relation rel, PartitionKey key, BatchTable *t,
						const bool *rejected, bool *uncovered, int *nranges)
{
	int			cap = 8;
	int			n = 0;
	PartRange  *ranges = palloc(cap * sizeof(PartRange));
	int64		interval_us = (int64) streamstat_partition_interval_s * USECS_PER_SEC;
	int64		next_slot = partition_slot(GetCurrentTimestamp()) + 1;
	int64		last = PG_INT64_MIN;
	bool		last_whole = false;

	(void) partition_range_add(rel, key, next_slot * interval_us - UNIX_TO_PG_USECS,
							   true, &ranges, &n, &cap);
	for (int row = 0; row < t->nrows; row++)
	{
		int64		s;

		if (rejected && rejected[row])
			continue;
		s = partition_slot(t->time[row]);
		if (s != last)
		{
			last = s;
			last_whole = partition_slot_covered(rel, key, s);
		}
		if (last_whole)
			continue;
		if (partition_range_add(rel, key, t->time[row], false, &ranges, &n, &cap) &&
			uncovered != NULL)
			uncovered[row] = true;
	}
	*nranges = n;
	return ranges;
}

/* A timestamptz as an SQL expression of a partition bound. */
static char *
partition_bound_sql(TimestampTz ts)
{
	int64		unix_us = ts + UNIX_TO_PG_USECS;
	int64		sec = unix_us / USECS_PER_SEC;
	int64		frac = unix_us % USECS_PER_SEC;

	if (frac < 0)
	{
		sec--;
		frac += USECS_PER_SEC;
	}
	if (frac == 0)
		return psprintf("pg_catalog.to_timestamp(" INT64_FORMAT ")", sec);
	return psprintf("pg_catalog.to_timestamp(" INT64_FORMAT ".%06d)", sec, (int) frac);
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
	src.table = t;
	src.batch = fs->batch;
	initStringInfo(&src.buf);
	writer_insert_grouped(fs, rel, &src, tcols, ntcols, rows, nrows);
	table_close(rel, NoLock);
}

/* Copies of rejects (client and reason) that outlive the transaction. */
static List *
writer_copy_rejects(List *rejects)
{
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, rejects)
	{
		BatchReject *rej = palloc(sizeof(BatchReject));

		*rej = *(BatchReject *) lfirst(lc);
		rej->reason = pstrdup(rej->reason);
		out = lappend(out, rej);
	}
	return out;
}

/* Write the rejects into streamstat.rejects (one COPY). */
static void
writer_rejects(Batch *batch, List *rejects)
{
	Oid			nspoid = get_namespace_oid("streamstat", false);
	Oid			relid = get_relname_relid("rejects", nspoid);
	Relation	rel;
	CopySource	src = {0};
	int		   *idx;
	int			n = list_length(rejects);
	List	   *attnames;

	if (n == 0)
		return;
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table streamstat.rejects does not exist"),
				 errhint("Reinstall the extension: DROP EXTENSION streamstat; CREATE EXTENSION streamstat.")));
	idx = palloc(n * sizeof(int));
	for (int i = 0; i < n; i++)
		idx[i] = i;
	rel = table_open(relid, RowExclusiveLock);
	attnames = list_make4(makeString("received_at"), makeString("client"),
						  makeString("line"), makeString("reason"));
	src.format_row = format_reject_row;
	src.rejects = rejects;
	src.rows = idx;
	src.nrows = n;
	src.batch = batch;
	initStringInfo(&src.buf);
	writer_copy(rel, attnames, &src);
	table_close(rel, NoLock);
}

/*
 * In PG_CATCH of a flush transaction: take the error (into cxt), abort the
 * transaction, forget the COPY source.
 */
static ErrorData *
writer_abort(MemoryContext cxt)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	AbortOutOfAnyTransaction();
	current_source = NULL;
	return edata;
}

/* Failed attempts in a row to write the batch (logged once per run). */
static int	failed_flushes = 0;

/* Rejects at write time not yet logged, and when they last were. */
static int64 unlogged_rejects = 0;
static TimestampTz rejects_logged_at = 0;

/*
 * Log rows rejected at write time at most once a minute, with the count
 * since the last such line: bad input arriving steadily must not flood the
 * server log (the rows themselves are in streamstat.rejects).
 */
static void
writer_log_rejects(int64 nrejected)
{
	TimestampTz now;

	unlogged_rejects += nrejected;
	if (unlogged_rejects == 0)
		return;
	now = GetCurrentTimestamp();
	if (rejects_logged_at != 0 &&
		!TimestampDifferenceExceeds(rejects_logged_at, now, 60 * 1000))
		return;
	ereport(LOG,
			(errmsg("streamstat rejected " INT64_FORMAT " rows while writing batches",
					unlogged_rejects),
			 rejects_logged_at != 0 ?
			 errdetail("Counted since the previous message like this one; there is at most one a minute.") : 0,
			 errhint("See streamstat.rejects for the lines and reasons.")));
	unlogged_rejects = 0;
	rejects_logged_at = now;
}

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
 * Name of a partition, saying its range, within NAMEDATALEN - 1 bytes.
 * All partitions share one schema, so a table outside "public" has its
 * schema in the name ("metrics.cpu_p20251125").
 */
static char *
partition_name(const char *schema, const char *table, int64 start_s)
{
	pg_time_t	t = (pg_time_t) start_s;
	struct pg_tm *tm = pg_gmtime(&t);
	char		suffix[40];
	int			interval = streamstat_partition_interval_s;
	int			tlen;

	if (strcmp(schema, "public") != 0)
		table = psprintf("%s.%s", schema, table);
	tlen = strlen(table);

	/* As fine as the interval or the start (clipped to a gap) need. */
	if (interval % SECS_PER_DAY == 0 && start_s % SECS_PER_DAY == 0)
		snprintf(suffix, sizeof(suffix), "_p%04d%02d%02d",
				 tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday);
	else if (interval % SECS_PER_MINUTE == 0 && start_s % SECS_PER_MINUTE == 0)
		snprintf(suffix, sizeof(suffix), "_p%04d%02d%02d_%02d%02d",
				 tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
				 tm->tm_hour, tm->tm_min);
	else
		snprintf(suffix, sizeof(suffix), "_p%04d%02d%02d_%02d%02d%02d",
				 tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
				 tm->tm_hour, tm->tm_min, tm->tm_sec);

	if (tlen + strlen(suffix) < NAMEDATALEN)
		return psprintf("%s%s", table, suffix);

	/* Too long: a prefix of the name and a hash of all of it. */
	{
		int			keep = NAMEDATALEN - 1 - strlen(suffix) - 9;

		keep = pg_mbcliplen(table, tlen, keep);
		return psprintf("%.*s_%08x%s", keep, table,
						DatumGetUInt32(hash_any((const unsigned char *) table, tlen)), suffix);
	}
}

/*
 * The DDL transaction of one table: under an advisory lock on the table,
 * create what is missing (schema, table, columns, partitions).  Returns
 * false on an error worth retrying later; other errors are kept in
 * t->prepare_error so that the rows are rejected with them.
 */
static bool
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

		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "streamstat: creating tables, columns or partitions");
		DirectFunctionCall2(pg_advisory_xact_lock_int4,
							Int32GetDatum(WRITER_LOCK_CLASS),
							Int32GetDatum((int32) DatumGetUInt32(hash_any((const unsigned char *) qualname,
														   strlen(qualname)))));
		/* See what other workers did before we got the lock. */
		AcceptInvalidationMessages();
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
			appendStringInfoString(&sql, ") PARTITION BY RANGE (\"time\")");
			writer_exec(sql.data);
			relid = get_relname_relid(t->name, nspoid);
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

			if (nranges > 0)
				writer_exec("CREATE SCHEMA IF NOT EXISTS " WRITER_PARTITION_SCHEMA);
			for (int i = 0; i < nranges; i++)
			{
				int64		start_s = (ranges[i].lo + UNIX_TO_PG_USECS) / USECS_PER_SEC;

				if ((ranges[i].lo + UNIX_TO_PG_USECS) % USECS_PER_SEC < 0)
					start_s--;
				writer_exec(psprintf("CREATE TABLE IF NOT EXISTS %s PARTITION OF %s "
									 "FOR VALUES FROM (%s) TO (%s)",
									 quote_qualified_identifier(WRITER_PARTITION_SCHEMA,
																partition_name(schema, t->name, start_s)),
									 qualname,
									 partition_bound_sql(ranges[i].lo),
									 partition_bound_sql(ranges[i].hi)));
			}
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
