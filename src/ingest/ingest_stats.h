/*
 * ingest_stats.h
 *		The counters of an ingest worker: the contract between the stages
 *		that count (conn.c, http_conn.c, batch.c, writer.c), the worker that
 *		owns them (worker.c) and the view that reads them (ingest_stats.c).
 */
#ifndef STREAMSTAT_INGEST_STATS_H
#define STREAMSTAT_INGEST_STATS_H

#include "datatype/timestamp.h"

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
	/* security (tls.c, ilp_auth_conn.c, conn.c) */
	int64		auth_failures;
	int64		tls_connections;
	int64		tls_failures;
	int64		cleartext_connections;
	int64		cleartext_refused;
} IngestCounters;

extern void ingest_stats_shmem_request(void);
extern void ingest_stats_shmem_startup(void);
extern void ingest_stats_attach(int worker_no);
extern void ingest_stats_publish(const IngestCounters *counters);

#endif							/* STREAMSTAT_INGEST_STATS_H */
