/*
 * writer_copy.c
 *		The insert path of the writer: a table's rows through COPY FROM,
 *		last stage of the path of a record (called by writer.c, in the
 *		flush transaction).
 *
 * COPY's own machinery (CopyFrom with a data-source callback into the
 * partitioned parent) gives partition routing, defaults, constraints,
 * indexes, triggers and type input as for COPY FROM.  The rows are
 * formatted from the batch's columns: in COPY's binary format when every
 * target column takes our values as they are (no text round trip), else
 * as COPY text.  Rows lacking a value for a column with a DEFAULT go in
 * groups by a COPY that leaves that column out, so the default applies.
 *
 * Bad rows are isolated, on this path and on the tuple path of
 * writer_tuples.c alike: when an insert fails, it is retried in
 * subtransactions on halves of the rows until each failing row is alone;
 * those become rejects with the error message, the others land.  Errors
 * that say nothing about the rows (error_is_transient) are rethrown: the
 * flush transaction then fails and the batch is written again later.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/copy.h"
#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"

#include "streamstat.h"
#include "writer/writer_internal.h"

/* The COPY callback has no argument: the source being read. */
static CopySource *current_source = NULL;

/* Append a value in COPY text format, escaping what COPY would read. */
void
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
void
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
void
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
void
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
bool
binary_column_type(Oid typid)
{
	return typid == FLOAT8OID || typid == INT8OID || typid == BOOLOID ||
		typid == TEXTOID;
}

/* In the abort of a flush transaction: forget the source being read. */
void
writer_copy_abort(void)
{
	current_source = NULL;
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
uint64
writer_copy(Relation rel, List *attnames, CopySource *src)
{
	ParseState *pstate = make_parsestate(NULL);
	CopyFromState cstate;
	uint64		processed;
	List	   *options = NIL;

	if (src->distributed)
		return writer_citus_insert(rel, attnames, src);
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
void
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
		fs->rows_inserted += src->tuples ? writer_tuples_insert(rel, src) :
			writer_copy(rel, attnames, src);
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
			if (fs->rejected != NULL)
				fs->rejected[row] = true;
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
void
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
