/*
 * worker.h
 *		The ingest background worker: the contract between worker.c and the
 *		extension's _PG_init (streamstat.c), which registers it.
 *
 * The path of a record through the worker, one file a stage:
 *
 *	listener.c	binds the line-protocol and HTTP ports and accepts clients
 *	conn.c		reads a client's bytes and cuts them into lines
 *	http_conn.c	the same for HTTP write requests, answered after the commit
 *				(auth.c decides whether a request may write)
 *	batch.c		checks and parses a line, and buffers its row, columnar,
 *				per target table (or buffers a reject with its reason)
 *	writer.c	writes a batch in one transaction per flush (with
 *				writer_ddl.c, writer_partitions.c, writer_copy.c and
 *				writer_rejects.c; see writer_internal.h)
 *	ingest_stats.c	the counters behind streamstat.ingest_stats
 *	worker.c	the background worker's event loop that drives the above
 */
#ifndef STREAMSTAT_WORKER_H
#define STREAMSTAT_WORKER_H

#include "fmgr.h"

extern void ingest_register(void);
extern PGDLLEXPORT void ingest_worker_main(Datum main_arg);

#endif							/* STREAMSTAT_WORKER_H */
