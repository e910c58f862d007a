/*
 * writer_rejects.c
 *		Rows the writer rejects, and the streamstat.rejects table: the side
 *		exit of the last stage of the path of a record.
 *
 * A row that cannot be written (its table cannot be made or is not a
 * table, a column is missing or of another type, no partition takes its
 * time, or the database refused it alone) becomes a BatchReject with its
 * raw line and the reason.  At the end of each flush transaction the
 * batch's own rejects (lines refused before they reached a table) and
 * these go into streamstat.rejects by one COPY, in that same transaction.
 * The server log says how many rows were rejected at most once a minute.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "nodes/makefuncs.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "streamstat.h"
#include "writer/writer_internal.h"

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

/* Reject one buffered row with a reason. */
void
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

/* Copies of rejects (client and reason) that outlive the transaction. */
List *
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
void
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

/* Rejects at write time not yet logged, and when they last were. */
static int64 unlogged_rejects = 0;
static TimestampTz rejects_logged_at = 0;

/*
 * Log rows rejected at write time at most once a minute, with the count
 * since the last such line: bad input arriving steadily must not flood the
 * server log (the rows themselves are in streamstat.rejects).
 */
void
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
