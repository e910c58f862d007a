/*
 * batch.c
 *		Checks and parses one line and buffers its row: third stage of the
 *		path of a record.
 *
 * A line that is not valid in the database encoding, that the parser
 * refuses, whose names are longer than NAMEDATALEN - 1 bytes or whose
 * timestamp is outside PostgreSQL's range becomes a reject with its
 * reason.  A good line becomes a row of the BatchTable of its measurement
 * (and schema: an HTTP request may name one; see BatchTarget):
 * columnar, one BatchColumn per (key, kind) with a value array and null
 * flags, text in a per-table arena, plus the raw line so that the writer
 * can still reject the row with its text.  Everything lives in the batch's
 * memory context, which the worker resets after a successful flush; its
 * size is what streamstat.worker_memory bounds.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "streamstat.h"
#include "protocol/http.h"
#include "ingest/batch.h"

#define BATCH_INITIAL_ROWS 1024

/* An empty batch in its own memory contexts under parent. */
Batch *
batch_create(MemoryContext parent)
{
	Batch	   *batch = MemoryContextAllocZero(parent, sizeof(Batch));

	batch->cxt = AllocSetContextCreate(parent, "streamstat batch",
									   ALLOCSET_DEFAULT_SIZES);
	batch->tables_cxt = AllocSetContextCreate(parent, "streamstat batch tables",
											  ALLOCSET_DEFAULT_SIZES);
	batch_reset(batch);
	return batch;
}

/*
 * Forget everything buffered (after a successful flush).  The tables keep
 * their arrays, emptied, for the rows of the next batch: the common case
 * is the same measurements again, and reusing their memory spares the
 * allocator and the kernel a fresh round of page faults per flush.  When
 * they hold more than a quarter of streamstat.worker_memory (a burst, or
 * many measurements) they are freed instead.
 */
void
batch_reset(Batch *batch)
{
	MemoryContextReset(batch->cxt);
	batch->rejects = NIL;
	batch->rejects_done = false;
	batch->clients = NULL;
	batch->nclients = 0;
	batch->clientcap = 0;
	batch->write_rejects = NULL;
	batch->write_reject_reason = NULL;
	batch->write_rejects_len = 0;
	batch->generation++;
	batch->first_at = 0;
	batch->nrows = 0;
	batch->last_table = NULL;

	if (batch->tables != NULL &&
		MemoryContextMemAllocated(batch->tables_cxt, true) <=
		(Size) streamstat_worker_memory_kb * 1024 / 4)
	{
		HASH_SEQ_STATUS seq;
		BatchTable *t;

		hash_seq_init(&seq, batch->tables);
		while ((t = hash_seq_search(&seq)) != NULL)
		{
			t->nrows = 0;
			resetStringInfo(&t->strings);
			t->done = false;
			t->prepare_error = NULL;
			for (int i = 0; i < t->ncols; i++)
			{
				if (t->cols[i].nvalues > 0)
					memset(t->cols[i].isnull, true, t->cap * sizeof(bool));
				t->cols[i].nvalues = 0;
			}
		}
	}
	else
	{
		HASHCTL		ctl;

		MemoryContextReset(batch->tables_cxt);
		/* The key is (name, schema): two zero-padded NAMEDATALEN arrays. */
		ctl.keysize = 2 * NAMEDATALEN;
		ctl.entrysize = sizeof(BatchTable);
		ctl.hcxt = batch->tables_cxt;
		batch->tables = hash_create("streamstat batch tables", 16, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		batch->ntables = 0;
	}
}

/* True when there is nothing to write. */
bool
batch_is_empty(Batch *batch)
{
	return batch->nrows == 0 && batch->rejects == NIL;
}

/*
 * Turn the rows not yet written into rejects with the given reason (the
 * last resort of a worker that must exit while its tables cannot be
 * written): the rejects table may still take them.  Returns how many.
 */
int64
batch_reject_unwritten(Batch *batch, const char *reason,
					   IngestCounters *counters)
{
	HASH_SEQ_STATUS seq;
	BatchTable *t;
	int64		n = 0;

	/* Rejects a committed flush already wrote are not written again. */
	if (batch->rejects_done)
	{
		batch->rejects = NIL;
		batch->rejects_done = false;
	}
	hash_seq_init(&seq, batch->tables);
	while ((t = hash_seq_search(&seq)) != NULL)
	{
		if (t->done)
			continue;
		for (int row = 0; row < t->nrows; row++)
			batch_add_reject(batch, t->strings.data + t->line_off[row],
							 t->line_len[row], t->client[row], t->received[row],
							 reason, counters);
		n += t->nrows;
		t->done = true;
	}
	batch->last_table = NULL;
	return n;
}

/* Bytes the batch holds (including the kept arrays of its tables). */
Size
batch_memory(Batch *batch)
{
	return MemoryContextMemAllocated(batch->cxt, true) +
		MemoryContextMemAllocated(batch->tables_cxt, true);
}

/* Register a sender ("address:port") and return its index. */
int32
batch_client(Batch *batch, const char *client)
{
	if (batch->nclients == batch->clientcap)
	{
		int			newcap = Max(16, batch->clientcap * 2);

		if (batch->clients == NULL)
			batch->clients = MemoryContextAlloc(batch->cxt, newcap * sizeof(char *));
		else
			batch->clients = repalloc(batch->clients, newcap * sizeof(char *));
		batch->clientcap = newcap;
	}
	batch->clients[batch->nclients] = MemoryContextStrdup(batch->cxt, client);
	return batch->nclients++;
}

/* Buffer a rejected line with its reason. */
void
batch_add_reject(Batch *batch, const char *line, int len, int32 client,
				 TimestampTz received, const char *reason,
				 IngestCounters *counters)
{
	MemoryContext old = MemoryContextSwitchTo(batch->cxt);
	BatchReject *rej = palloc(sizeof(BatchReject));

	rej->received = received;
	rej->client = client;
	rej->line = palloc(len + 1);
	memcpy(rej->line, line, len);
	rej->line[len] = '\0';
	rej->len = len;
	rej->reason = pstrdup(reason);
	batch->rejects = lappend(batch->rejects, rej);
	if (batch->first_at == 0)
		batch->first_at = received;
	counters->lines_rejected++;
	MemoryContextSwitchTo(old);
}

/*
 * The line as text for streamstat.rejects: unchanged when valid in the
 * database encoding, else with every invalid byte written \xNN and every
 * backslash doubled (*escaped is set), so that no byte is lost.
 */
char *
batch_escape_line(const char *line, int len, bool *escaped)
{
	int			encoding = GetDatabaseEncoding();
	StringInfoData out;
	int			i = 0;

	*escaped = !pg_verify_mbstr(encoding, line, len, true);
	if (!*escaped)
		return pnstrdup(line, len);

	initStringInfo(&out);
	while (i < len)
	{
		int			l = (line[i] == '\0') ? -1 :
			pg_encoding_verifymbchar(encoding, line + i, len - i);

		if (l <= 0)
		{
			appendStringInfo(&out, "\\x%02X", (unsigned char) line[i]);
			i++;
		}
		else if (line[i] == '\\')
		{
			appendStringInfoString(&out, "\\\\");
			i++;
		}
		else
		{
			appendBinaryStringInfo(&out, line + i, l);
			i += l;
		}
	}
	return out.data;
}

/* The schema a table's rows go to. */
const char *
batch_table_schema(const BatchTable *t)
{
	return t->schema[0] != '\0' ? t->schema : streamstat_schema;
}

/* The table for (schema, measurement), created empty when new. */
static BatchTable *
batch_table(Batch *batch, const char *schema, const IlpString *measurement)
{
	char		key[2 * NAMEDATALEN] = {0};
	BatchTable *t = batch->last_table;
	bool		found;

	if (schema == NULL)
		schema = "";

	/* Consecutive lines mostly name the same measurement. */
	if (t != NULL && memcmp(t->name, measurement->data, measurement->len) == 0 &&
		t->name[measurement->len] == '\0' && strcmp(t->schema, schema) == 0)
		return t;

	memcpy(key, measurement->data, measurement->len);
	strlcpy(key + NAMEDATALEN, schema, NAMEDATALEN);
	t = hash_search(batch->tables, key, HASH_ENTER, &found);
	batch->last_table = t;
	if (!found)
	{
		MemoryContext old = MemoryContextSwitchTo(batch->tables_cxt);

		t->nrows = 0;
		t->cap = BATCH_INITIAL_ROWS;
		t->time = palloc(t->cap * sizeof(TimestampTz));
		t->received = palloc(t->cap * sizeof(TimestampTz));
		t->client = palloc(t->cap * sizeof(int32));
		t->line_off = palloc(t->cap * sizeof(uint32));
		t->line_len = palloc(t->cap * sizeof(uint32));
		t->colcap = 16;
		t->cols = palloc(t->colcap * sizeof(BatchColumn));
		t->ncols = 0;
		initStringInfo(&t->strings);
		t->done = false;
		batch->ntables++;
		MemoryContextSwitchTo(old);
	}
	return t;
}

/* Double the row capacity of a table and of all its columns. */
static void
batch_table_grow(BatchTable *t)
{
	int			cap = t->cap * 2;

	t->time = repalloc_huge(t->time, cap * sizeof(TimestampTz));
	t->received = repalloc_huge(t->received, cap * sizeof(TimestampTz));
	t->client = repalloc_huge(t->client, cap * sizeof(int32));
	t->line_off = repalloc_huge(t->line_off, cap * sizeof(uint32));
	t->line_len = repalloc_huge(t->line_len, cap * sizeof(uint32));
	for (int i = 0; i < t->ncols; i++)
	{
		t->cols[i].values = repalloc_huge(t->cols[i].values, cap * sizeof(BatchValue));
		t->cols[i].isnull = repalloc_huge(t->cols[i].isnull, cap * sizeof(bool));
		/* Rows to come start NULL in every column. */
		memset(t->cols[i].isnull + t->cap, true, (cap - t->cap) * sizeof(bool));
	}
	t->cap = cap;
}

/* The column (key, kind) of a table, created (NULL so far) when new. */
static BatchColumn *
batch_column(BatchTable *t, const IlpString *key, BatchKind kind, int *hint)
{
	BatchColumn *c;

	/* Lines of one measurement usually list their keys in the same order. */
	if (*hint < t->ncols)
	{
		c = &t->cols[*hint];
		if (c->kind == kind && memcmp(c->name, key->data, key->len) == 0 &&
			c->name[key->len] == '\0')
		{
			(*hint)++;
			return c;
		}
	}
	for (int i = 0; i < t->ncols; i++)
	{
		c = &t->cols[i];
		if (c->kind == kind && memcmp(c->name, key->data, key->len) == 0 &&
			c->name[key->len] == '\0')
		{
			*hint = i + 1;
			return c;
		}
	}

	if (t->ncols == t->colcap)
	{
		t->colcap *= 2;
		t->cols = repalloc(t->cols, t->colcap * sizeof(BatchColumn));
	}
	c = &t->cols[t->ncols++];
	memset(c->name, 0, NAMEDATALEN);
	memcpy(c->name, key->data, key->len);
	c->kind = kind;
	c->values = MemoryContextAllocHuge(CurrentMemoryContext,
									   t->cap * sizeof(BatchValue));
	c->isnull = MemoryContextAllocHuge(CurrentMemoryContext,
									   t->cap * sizeof(bool));
	/* Earlier rows and the current one start NULL. */
	memset(c->isnull, true, t->cap * sizeof(bool));
	c->nvalues = 0;
	*hint = t->ncols;
	return c;
}

/* Copy text into the table's arena; returns its slice. */
static inline void
batch_store_text(BatchTable *t, BatchValue *v, const IlpString *s)
{
	v->s.off = t->strings.len;
	v->s.len = s->len;
	appendBinaryStringInfoNT(&t->strings, s->data, s->len);
}

/* Map an ILP field type to a column kind. */
static inline BatchKind
batch_kind(IlpValueType type)
{
	switch (type)
	{
		case ILP_FLOAT:
			return BATCH_FLOAT;
		case ILP_INTEGER:
			return BATCH_INTEGER;
		case ILP_UNSIGNED:
			return BATCH_UNSIGNED;
		case ILP_STRING:
			return BATCH_STRING;
		case ILP_BOOLEAN:
			return BATCH_BOOLEAN;
	}
	return BATCH_STRING;		/* keep compiler quiet */
}

/* Reject when a name does not fit in a PostgreSQL identifier. */
static bool
batch_name_too_long(const IlpString *name, const char *what, char *reason,
					size_t reasonlen)
{
	if (name->len < NAMEDATALEN)
		return false;
	snprintf(reason, reasonlen, "%s \"%.*s...\" is longer than %d bytes",
			 what, 20, name->data, NAMEDATALEN - 1);
	return true;
}

/*
 * Check and parse one line (without its '\n') and buffer its row, or a
 * reject.  received is the arrival time, also the row's time when the line
 * has no timestamp.  Settings apply (the line-protocol port).
 */
void
batch_add_line(Batch *batch, IlpParser *parser, const char *line, int len,
			   int32 client, TimestampTz received, IngestCounters *counters)
{
	(void) batch_add_line_to(batch, parser, line, len, client, received,
							 NULL, counters);
}

/*
 * batch_add_line for a target (an HTTP request's precision and schema;
 * NULL: the settings).  False when the line became a reject (its reason is
 * then the last of batch->rejects).
 */
bool
batch_add_line_to(Batch *batch, IlpParser *parser, const char *line, int len,
				  int32 client, TimestampTz received,
				  const BatchTarget *target, IngestCounters *counters)
{
	IlpPoint	pt;
	IlpResult	res;
	char		reason[256];
	TimestampTz rowtime;
	BatchTable *t;
	MemoryContext old;
	int			row;
	int			hint = 0;

	counters->lines_received++;

	if (!pg_verify_mbstr(GetDatabaseEncoding(), line, len, true))
	{
		int			bad = pg_encoding_verifymbstr(GetDatabaseEncoding(), line, len);

		/* The encoding check stops at a NUL byte too: say which it was. */
		if (line[bad] == '\0')
			snprintf(reason, sizeof(reason),
					 "NUL byte at byte %d (stored with invalid bytes as \\xNN and backslashes doubled)",
					 bad + 1);
		else
			snprintf(reason, sizeof(reason),
					 "invalid %s at byte %d (stored with invalid bytes as \\xNN and backslashes doubled)",
					 GetDatabaseEncodingName(), bad + 1);
		batch_add_reject(batch, line, len, client, received, reason, counters);
		return false;
	}

	res = ilp_parse_line(parser, line, len, &pt);
	if (res == ILP_SKIP)
		return true;
	if (res == ILP_ERROR)
	{
		batch_add_reject(batch, line, len, client, received, ilp_error(parser),
						 counters);
		return false;
	}

	if (batch_name_too_long(&pt.measurement, "measurement", reason, sizeof(reason)))
		goto reject;
	for (int i = 0; i < pt.ntags; i++)
		if (batch_name_too_long(&pt.tags[i].key, "tag key", reason, sizeof(reason)))
			goto reject;
	for (int i = 0; i < pt.nfields; i++)
		if (batch_name_too_long(&pt.fields[i].key, "field key", reason, sizeof(reason)))
			goto reject;

	if (pt.has_timestamp)
	{
		int64_t		us;
		int64_t		ts = pt.timestamp;
		IlpPrecision precision = (IlpPrecision) streamstat_precision;
		bool		inrange = true;

		if (target != NULL)
		{
			precision = target->precision;
			if (target->multiplier != 1)
				inrange = http_scale_timestamp(ts, target->multiplier, &ts);
		}
		if (!inrange || !ilp_timestamp_to_us(ts, precision, &us) ||
			us < PG_INT64_MIN + UNIX_TO_PG_USECS ||
			!IS_VALID_TIMESTAMP(us - UNIX_TO_PG_USECS))
		{
			if (target != NULL)
				snprintf(reason, sizeof(reason),
						 "timestamp %lld is out of range for timestamp with time zone (the request's precision)",
						 (long long) pt.timestamp);
			else
				snprintf(reason, sizeof(reason),
						 "timestamp %lld is out of range for timestamp with time zone (streamstat.precision is %s)",
						 (long long) pt.timestamp,
						 GetConfigOption("streamstat.precision", false, false));
			goto reject;
		}
		rowtime = us - UNIX_TO_PG_USECS;
	}
	else
		rowtime = received;

	/* Buffer the row. */
	old = MemoryContextSwitchTo(batch->tables_cxt);
	t = batch_table(batch, target ? target->schema : NULL, &pt.measurement);
	if (t->nrows == t->cap)
		batch_table_grow(t);
	row = t->nrows;
	t->time[row] = rowtime;
	t->received[row] = received;
	t->client[row] = client;
	t->line_off[row] = t->strings.len;
	t->line_len[row] = len;
	appendBinaryStringInfoNT(&t->strings, line, len);

	for (int i = 0; i < pt.ntags; i++)
	{
		BatchColumn *c = batch_column(t, &pt.tags[i].key, BATCH_TAG, &hint);

		batch_store_text(t, &c->values[row], &pt.tags[i].value);
		c->isnull[row] = false;
		c->nvalues++;
	}
	for (int i = 0; i < pt.nfields; i++)
	{
		IlpField   *f = &pt.fields[i];
		BatchColumn *c = batch_column(t, &f->key, batch_kind(f->type), &hint);
		BatchValue *v = &c->values[row];

		switch (f->type)
		{
			case ILP_FLOAT:
				v->f = f->value.f;
				break;
			case ILP_INTEGER:
				v->i = f->value.i;
				break;
			case ILP_UNSIGNED:
				v->u = f->value.u;
				break;
			case ILP_BOOLEAN:
				v->b = f->value.b;
				break;
			case ILP_STRING:
				batch_store_text(t, v, &f->value.s);
				break;
		}
		c->isnull[row] = false;
		c->nvalues++;
	}
	t->nrows++;
	batch->nrows++;
	if (batch->first_at == 0)
		batch->first_at = received;
	MemoryContextSwitchTo(old);
	return true;

reject:
	batch_add_reject(batch, line, len, client, received, reason, counters);
	return false;
}

/*
 * Count the rows the writer rejected (BatchReject *, in a committed flush)
 * per sender, with the first reason, for the HTTP answers.
 */
void
batch_note_write_rejects(Batch *batch, List *rejects)
{
	ListCell   *lc;

	if (rejects == NIL || batch->nclients == 0)
		return;
	if (batch->write_rejects_len < batch->nclients)
	{
		int32	   *counts = MemoryContextAllocZero(batch->cxt,
													batch->nclients * sizeof(int32));
		char	  **reasons = MemoryContextAllocZero(batch->cxt,
													 batch->nclients * sizeof(char *));

		if (batch->write_rejects_len > 0)
		{
			memcpy(counts, batch->write_rejects, batch->write_rejects_len * sizeof(int32));
			memcpy(reasons, batch->write_reject_reason,
				   batch->write_rejects_len * sizeof(char *));
		}
		batch->write_rejects = counts;
		batch->write_reject_reason = reasons;
		batch->write_rejects_len = batch->nclients;
	}
	foreach(lc, rejects)
	{
		BatchReject *rej = lfirst(lc);

		if (rej->client < 0 || rej->client >= batch->write_rejects_len)
			continue;
		if (batch->write_rejects[rej->client]++ == 0)
			batch->write_reject_reason[rej->client] =
				MemoryContextStrdup(batch->cxt, rej->reason);
	}
}

/* The batch's generation: bumped at each reset (senders are per batch). */
uint64
batch_generation(Batch *batch)
{
	return batch->generation;
}

/* The reason of the reject added last (after a line was refused). */
const char *
batch_last_reject_reason(Batch *batch)
{
	if (batch->rejects == NIL)
		return NULL;
	return ((BatchReject *) llast(batch->rejects))->reason;
}

/*
 * Rows of a sender that the writer rejected in the committed flush (see
 * batch_note_write_rejects), with the first one's reason.
 */
int32
batch_client_write_rejects(Batch *batch, int32 client, const char **first_reason)
{
	if (batch->write_rejects == NULL || client < 0 ||
		client >= batch->write_rejects_len || batch->write_rejects[client] == 0)
		return 0;
	*first_reason = batch->write_reject_reason[client];
	return batch->write_rejects[client];
}

/* Order tables by schema and name (a stable lock order across workers). */
static int
batch_table_cmp(const void *a, const void *b)
{
	const BatchTable *ta = *(BatchTable *const *) a;
	const BatchTable *tb = *(BatchTable *const *) b;
	int			c = strcmp(batch_table_schema(ta), batch_table_schema(tb));

	return c != 0 ? c : strcmp(ta->name, tb->name);
}

/* The tables with rows in this batch, sorted by name, in a palloc'd array. */
BatchTable **
batch_sorted_tables(Batch *batch, int *ntables)
{
	BatchTable **arr = palloc(Max(batch->ntables, 1) * sizeof(BatchTable *));
	HASH_SEQ_STATUS seq;
	BatchTable *t;
	int			n = 0;

	hash_seq_init(&seq, batch->tables);
	while ((t = hash_seq_search(&seq)) != NULL)
		if (t->nrows > 0)
			arr[n++] = t;
	qsort(arr, n, sizeof(BatchTable *), batch_table_cmp);
	*ntables = n;
	return arr;
}
