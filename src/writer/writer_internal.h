/*
 * writer_internal.h
 *		What the files of the writer share (private to them; writer.h is
 *		the writer's contract with the worker).
 *
 * The writer is the last stage of the path of a record, in six files:
 *
 *	writer.c			the flush and its transactions; one table's rows
 *						checked against its columns and partitions
 *	writer_ddl.c		the DDL transaction of a table that needs a new
 *						table, columns or partitions
 *	writer_partitions.c	which partitions the rows need, and their names
 *	writer_tuples.c		the insert path: rows built into tuple slots and
 *						multi-inserted, routed to partitions
 *	writer_copy.c		the insert path for what writer_tuples.c does not
 *						take: rows formatted for COPY FROM; and the
 *						isolation of bad rows by bisection in
 *						subtransactions (for both paths)
 *	writer_rejects.c	rows rejected while writing, and streamstat.rejects
 *	writer_citus.c		the insert path into Citus tables, and the
 *						distribution of new tables (streamstat.distribute_by)
 */
#ifndef STREAMSTAT_WRITER_INTERNAL_H
#define STREAMSTAT_WRITER_INTERNAL_H

#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/partcache.h"
#include "utils/relcache.h"

#include "ingest/batch.h"
#include "writer/partitions.h"
#include "ingest/ingest_stats.h"

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
	bool		tuples;			/* through writer_tuples.c, not COPY */
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
	bool		distributed;	/* a Citus table: rows go through Citus */
} CopySource;

/* What one insert transaction did, for the counters after commit. */
typedef struct FlushState
{
	Batch	   *batch;
	bool		allow_ddl;
	List	   *rejects;		/* BatchReject * found while writing */
	List	   *deferred;		/* BatchTable * that need DDL first */
	int64		rows_inserted;
	bool	   *rejected;		/* rows of the table being written not stored */
} FlushState;

/* A partition to create: [lo, hi). */
typedef struct PartRange
{
	TimestampTz lo;
	TimestampTz hi;
	bool		premade;		/* the next slot, made before its rows come */
} PartRange;

/* writer.c */
extern bool error_is_transient(int sqlerrcode);
extern ErrorData *writer_abort(MemoryContext cxt);

/* writer_copy.c */
extern void copy_append_text(StringInfo out, const char *s, int len);
extern void copy_append_timestamp(StringInfo out, TimestampTz ts);
extern void format_table_row(CopySource *src, int i, StringInfo out);
extern void format_table_row_binary(CopySource *src, int i, StringInfo out);
extern bool binary_column_type(Oid typid);
extern uint64 writer_copy(Relation rel, List *attnames, CopySource *src);
extern void writer_copy_abort(void);
extern void writer_insert_isolated(FlushState *fs, Relation rel, List *attnames,
								   CopySource *src, int *rows, int n);
extern void writer_insert_grouped(FlushState *fs, Relation rel, CopySource *src,
								  TargetColumn *tcols, int ntcols, int *rows, int n);

/* writer_tuples.c */
extern bool writer_tuples_usable(Relation rel, AttrNumber timeattnum,
								 TargetColumn *cols, int ncols, BatchTable *t,
								 const int *rows, int n);
extern uint64 writer_tuples_insert(Relation rel, CopySource *src);

/* writer_partitions.c */
extern int	partition_index_for(Relation rel, PartitionKey key, TimestampTz ts);
extern bool partition_upkeep(Relation rel, AttrNumber timeattnum, PartitionKey *keyp);
extern PartRange *partition_ranges_needed(Relation rel, PartitionKey key, BatchTable *t,
										  const bool *rejected, bool *uncovered,
										  int *nranges);

/* writer_ddl.c */
extern bool writer_prepare_table(Batch *batch, BatchTable *t, IngestCounters *counters);

/* writer_citus.c */
extern bool writer_citus_present(void);
extern bool writer_citus_table(Oid relid);
extern const char *writer_citus_distribution_column(void);
extern void writer_citus_ddl_mode(void);
extern void writer_citus_distribute(const char *qualname, const char *column);
extern uint64 writer_citus_insert(Relation rel, List *attnames, CopySource *src);

/* writer_rejects.c */
extern void writer_reject_row(FlushState *fs, BatchTable *t, int row, bool *rejected,
							  const char *reason);
extern List *writer_copy_rejects(List *rejects);
extern void writer_rejects(Batch *batch, List *rejects);
extern void writer_log_rejects(int64 nrejected);

#endif							/* STREAMSTAT_WRITER_INTERNAL_H */
