/*
 * batch.h
 *		The batch: rows received and not yet written, columnar, per target
 *		table, and the lines rejected before they reach a table.  The
 *		contract between the stages that fill it (conn.c, http_conn.c), the
 *		one that writes it (the writer) and the worker that flushes and
 *		resets it.
 */
#ifndef STREAMSTAT_BATCH_H
#define STREAMSTAT_BATCH_H

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/hsearch.h"

#include "protocol/ilp.h"
#include "ingest/ingest_stats.h"

/* A rejected line longer than this is stored truncated. */
#define INGEST_REJECT_PREFIX 1024


/* What a buffered column holds: a tag or one of the ILP field types. */
typedef enum BatchKind
{
	BATCH_TAG,
	BATCH_FLOAT,
	BATCH_INTEGER,
	BATCH_UNSIGNED,
	BATCH_STRING,
	BATCH_BOOLEAN
} BatchKind;

#define BATCH_NKINDS 6

/* One cell: numbers in place, text as a slice of the table's arena. */
typedef union BatchValue
{
	double		f;
	int64		i;
	uint64		u;
	bool		b;
	struct
	{
		uint32		off;
		uint32		len;
	}			s;
} BatchValue;

/* A column of one table's buffered rows: one name, one kind. */
typedef struct BatchColumn
{
	char		name[NAMEDATALEN];
	BatchKind	kind;
	BatchValue *values;
	bool	   *isnull;
	int			nvalues;		/* rows of this batch with a value here */
} BatchColumn;

/* The buffered rows bound for one measurement table. */
typedef struct BatchTable
{
	char		name[NAMEDATALEN];	/* hash key: the measurement, */
	char		schema[NAMEDATALEN];	/* and the schema ("": streamstat.schema) */
	int			nrows;
	int			cap;
	TimestampTz *time;			/* the row's time (PostgreSQL epoch) */
	TimestampTz *received;		/* when its line arrived */
	int32	   *client;			/* index into Batch.clients */
	uint32	   *line_off;		/* the raw line, in strings */
	uint32	   *line_len;
	BatchColumn *cols;
	int			ncols;
	int			colcap;
	StringInfoData strings;		/* arena: tag values, strings, raw lines */
	bool		done;			/* written (or rejected) by a committed flush */
	char	   *prepare_error;	/* why its tables/columns/partitions failed */
} BatchTable;

/* A line that is rejected before it reaches a table. */
typedef struct BatchReject
{
	TimestampTz received;
	int32		client;
	char	   *line;			/* as received (maybe truncated) */
	int			len;
	char	   *reason;
} BatchReject;

/*
 * Where the lines of one HTTP request go and how their timestamps read:
 * NULL (the TCP path) means streamstat.precision and streamstat.schema.
 */
typedef struct BatchTarget
{
	IlpPrecision precision;
	int64		multiplier;		/* v1 precision m (60) and h (3600), else 1 */
	const char *schema;			/* NULL or "": streamstat.schema */
} BatchTarget;

/* Everything received and not yet written. */
typedef struct Batch
{
	MemoryContext cxt;			/* rejects, senders: reset after each flush */
	MemoryContext tables_cxt;	/* the tables: kept for the next batch */
	HTAB	   *tables;			/* measurement name -> BatchTable */
	BatchTable *last_table;		/* the table of the last line (a cache) */
	int			ntables;
	int64		nrows;			/* rows in all tables */
	List	   *rejects;		/* BatchReject *, written at the next flush */
	bool		rejects_done;
	char	  **clients;		/* "address:port" of the senders */
	int			nclients;
	int			clientcap;
	int32	   *write_rejects;	/* per sender: rows the writer rejected */
	char	  **write_reject_reason;	/* per sender: the first one's reason */
	int			write_rejects_len;	/* senders the two arrays cover */
	uint64		generation;		/* bumped at each reset */
	TimestampTz first_at;		/* arrival of the oldest buffered line */
} Batch;

extern Batch *batch_create(MemoryContext parent);
extern void batch_reset(Batch *batch);
extern bool batch_is_empty(Batch *batch);
extern Size batch_memory(Batch *batch);
extern int32 batch_client(Batch *batch, const char *client);
extern void batch_add_line(Batch *batch, IlpParser *parser, const char *line,
						   int len, int32 client, TimestampTz received,
						   IngestCounters *counters);
extern bool batch_add_line_to(Batch *batch, IlpParser *parser, const char *line,
							  int len, int32 client, TimestampTz received,
							  const BatchTarget *target, IngestCounters *counters);
extern const char *batch_table_schema(const BatchTable *t);
extern void batch_add_reject(Batch *batch, const char *line, int len,
							 int32 client, TimestampTz received,
							 const char *reason, IngestCounters *counters);
extern int64 batch_reject_unwritten(Batch *batch, const char *reason,
									IngestCounters *counters);
extern BatchTable **batch_sorted_tables(Batch *batch, int *ntables);
extern void batch_note_write_rejects(Batch *batch, List *rejects);
extern char *batch_escape_line(const char *line, int len, bool *escaped);

/* What the connection stages read of a batch (its other fields are the
 * batch's and the writer's). */
extern uint64 batch_generation(Batch *batch);
extern const char *batch_last_reject_reason(Batch *batch);
extern int32 batch_client_write_rejects(Batch *batch, int32 client,
										const char **first_reason);

#endif							/* STREAMSTAT_BATCH_H */
