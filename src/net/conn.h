/*
 * conn.h
 *		One client connection: the contract between conn.c (line protocol),
 *		http_conn.c (HTTP, which keeps its own state in conn->http) and the
 *		worker that accepts, watches and reaps connections (worker.c).
 */
#ifndef STREAMSTAT_CONN_H
#define STREAMSTAT_CONN_H

#include <netdb.h>
#include <sys/socket.h>

#include "ingest/batch.h"
#include "protocol/ilp.h"
#include "ingest/ingest_stats.h"

/* Bytes asked of recv() at a time. */
#define INGEST_READ_CHUNK (64 * 1024)


struct HttpConn;
struct TlsConn;
struct IlpAuthConn;

typedef struct IngestConn
{
	pgsocket	sock;
	struct HttpConn *http;		/* NULL: line protocol; else http_conn.c's */
	struct TlsConn *tls;		/* tls.c's (NULL until the first read) */
	struct IlpAuthConn *auth;	/* ilp_auth_conn.c's (line protocol) */
	TimestampTz handshake_deadline; /* end of the TLS/auth handshakes */
	uint32		wait_events;	/* what the worker's WaitEventSet watches */
	int			wait_pos;		/* its event in that set, -1 none */
	MemoryContext cxt;			/* freed with the connection */
	char		client[NI_MAXHOST + 8];
	char	   *buf;			/* bytes of the line being received */
	int			len;
	int			cap;
	bool		skipping;		/* inside an oversized line, up to '\n' */
	bool		filled;			/* the last read filled the room it had */
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
extern uint32 conn_wait_events(IngestConn *conn, bool reading);
extern void conn_event(IngestConn *conn, uint32 events, bool reading,
					   Batch *batch, IlpParser *parser, IngestCounters *counters);
extern long conn_timeout(IngestConn *conn, TimestampTz now);
extern void conn_check_timeout(IngestConn *conn, TimestampTz now, Batch *batch,
							   IngestCounters *counters);

#endif							/* STREAMSTAT_CONN_H */
