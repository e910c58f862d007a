/*
 * http_conn.h
 *		A connection of the HTTP write API: the contract between
 *		http_conn.c and the worker (worker.c), which accepts it, watches
 *		what it waits for, and answers its parked request after a commit.
 */
#ifndef STREAMSTAT_HTTP_CONN_H
#define STREAMSTAT_HTTP_CONN_H

#include "ingest/batch.h"
#include "net/conn.h"
#include "protocol/ilp.h"
#include "ingest/ingest_stats.h"


extern void http_conn_start(IngestConn *conn, Batch *batch, IlpParser *ilp,
							IngestCounters *counters);
extern uint32 http_conn_wait_events(IngestConn *conn);
extern void http_conn_event(IngestConn *conn, uint32 events);
extern bool http_conn_parked(IngestConn *conn);
extern void http_conn_note_write_rejects(IngestConn *conn);
extern void http_conn_answer_parked(IngestConn *conn, bool stopping);
extern long http_conn_timeout(IngestConn *conn, TimestampTz now);
extern void http_conn_check_timeout(IngestConn *conn, TimestampTz now);

#endif							/* STREAMSTAT_HTTP_CONN_H */
