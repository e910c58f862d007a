/*
 * ingest.h
 *		Contracts between the stages of the ingest worker.
 *
 * The path of a record through the worker, one file a stage:
 *
 *	listener.c	binds the line-protocol port and accepts clients
 *	conn.c		reads a client's bytes and cuts them into lines
 *	http_conn.c	the same for HTTP write requests, answered after the commit
 *	batch.c		checks and parses a line, and buffers its row, columnar,
 *				per target table (or buffers a reject with its reason)
 *	writer.c	writes a batch: tables, columns and partitions first, then
 *				one bulk COPY per table, bad rows isolated, rejects
 *	stats.c		the counters behind streamstat.ingest_stats
 *	worker.c	the background worker's event loop that drives the above
 */
#ifndef STREAMSTAT_INGEST_H
#define STREAMSTAT_INGEST_H

#include <netdb.h>
#include <sys/socket.h>

#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "storage/s_lock.h"
#include "utils/hsearch.h"

#include "ingest/ilp.h"

/* Bytes asked of recv() at a time. */
#define INGEST_READ_CHUNK (64 * 1024)

/* A rejected line longer than this is stored truncated. */
#define INGEST_REJECT_PREFIX 1024

/* Most listening sockets (one per resolved address). */
#define INGEST_MAX_LISTEN 16

/* ---- stats.c ---- */

/* One worker's counters; the worker owns them, the view reads copies. */
typedef struct IngestCounters
{
	int64		connections_open;
	int64		connections_total;
	int64		bytes_received;
	int64		lines_received;
	int64		rows_inserted;
	int64		lines_rejected;
	int64		flushes;
	TimestampTz last_flush;		/* 0 when none yet */
	double		last_flush_ms;
	char		last_error[256];
} IngestCounters;

extern void ingest_stats_shmem_request(void);
extern void ingest_stats_shmem_startup(void);
extern void ingest_stats_attach(int worker_no);
extern void ingest_stats_publish(const IngestCounters *counters);

/* ---- batch.c ---- */

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

/* ---- conn.c ---- */

struct HttpConn;

typedef struct IngestConn
{
	pgsocket	sock;
	struct HttpConn *http;		/* NULL: line protocol; else http_conn.c's */
	uint32		wait_events;	/* what the worker's WaitEventSet watches */
	MemoryContext cxt;			/* freed with the connection */
	char		client[NI_MAXHOST + 8];
	char	   *buf;			/* bytes of the line being received */
	int			len;
	int			cap;
	bool		skipping;		/* inside an oversized line, up to '\n' */
	bool		closed;
	uint64		batch_generation;	/* client is valid in this batch */
	int32		batch_client;
} IngestConn;

extern IngestConn *conn_create(pgsocket sock, const struct sockaddr *addr,
							   socklen_t addrlen, MemoryContext parent);
extern bool conn_read(IngestConn *conn, Batch *batch, IlpParser *parser,
					  IngestCounters *counters);
extern void conn_close(IngestConn *conn, Batch *batch, const char *why,
					   IngestCounters *counters);
extern int32 conn_batch_client(IngestConn *conn, Batch *batch);

/* ---- http_conn.c ---- */

extern void http_conn_start(IngestConn *conn, Batch *batch, IlpParser *ilp,
							IngestCounters *counters);
extern uint32 http_conn_wait_events(IngestConn *conn);
extern void http_conn_event(IngestConn *conn, uint32 events);
extern bool http_conn_parked(IngestConn *conn);
extern void http_conn_note_write_rejects(IngestConn *conn);
extern void http_conn_answer_parked(IngestConn *conn);
extern long http_conn_timeout(IngestConn *conn, TimestampTz now);
extern void http_conn_check_timeout(IngestConn *conn, TimestampTz now);

/* ---- listener.c ---- */

extern int	listener_open(pgsocket *socks, int maxsocks, int port);
extern void listener_close(pgsocket *socks, int nsocks);

/* ---- writer.c ---- */

extern bool writer_flush(Batch *batch, IngestCounters *counters);

/* ---- worker.c ---- */

extern void ingest_register(void);
extern PGDLLEXPORT void ingest_worker_main(Datum main_arg);

#endif							/* STREAMSTAT_INGEST_H */
