/*
 * tls.h
 *		The TLS transport of the ingest ports: the contract between tls.c
 *		and the connection stages (conn.c, http_conn.c) and the worker.
 *
 * Both ports serve TLS and clear text on the same socket: the first byte
 * a client sends decides (0x16 opens a TLS handshake record, which no
 * line of line protocol and no HTTP request starts with).  conn.c and
 * http_conn.c read and write through tls_conn_recv()/tls_conn_send(),
 * which behave like recv()/send() on a non-blocking socket: -1 with errno
 * EAGAIN when the handshake or a record needs the socket again (then
 * tls_conn_wait_events() says for what), -1 with another errno when the
 * connection must be closed (refused clear text, a failed handshake).
 */
#ifndef STREAMSTAT_TLS_H
#define STREAMSTAT_TLS_H

#include "net/conn.h"

/* streamstat.ssl */
typedef enum StreamstatSslMode
{
	STREAMSTAT_SSL_OFF,
	STREAMSTAT_SSL_ON,			/* TLS and clear text */
	STREAMSTAT_SSL_REQUIRE		/* TLS only; clear text is refused */
} StreamstatSslMode;

/* streamstat.ssl_min_protocol_version */
typedef enum StreamstatTlsVersion
{
	STREAMSTAT_TLS_1_2,
	STREAMSTAT_TLS_1_3
} StreamstatTlsVersion;

/*
 * (Re)load the certificate, key and CA from the settings: at worker start
 * and after each SIGHUP.  On failure the previous ones stay in use (and
 * the failure is logged); open connections keep theirs.
 */
extern void tls_reload(void);

extern ssize_t tls_conn_recv(IngestConn *conn, void *buf, size_t len,
							 IngestCounters *counters);
extern ssize_t tls_conn_send(IngestConn *conn, const void *buf, size_t len);

/* The events to wait for, given what the caller would wait for. */
extern uint32 tls_conn_wait_events(IngestConn *conn, uint32 events);

/* Whether the TLS handshake is under way. */
extern bool tls_conn_handshaking(IngestConn *conn);

/*
 * Largest plaintext of one TLS record.  A read into less room than this
 * can leave the rest of a record inside OpenSSL, where the wait event set
 * does not see it: readers of a TLS connection offer at least this much.
 */
#define TLS_MAX_RECORD 16384

/* Whether the connection speaks TLS (handshake done). */
extern bool tls_conn_secure(IngestConn *conn);

/* Free the connection's TLS state (from conn_close). */
extern void tls_conn_close(IngestConn *conn);

/* What a refused connection attempt failed at (each is rate-limited apart). */
typedef enum IngestRefusal
{
	INGEST_REFUSED_TLS,			/* the TLS handshake */
	INGEST_REFUSED_CLEARTEXT,	/* clear text while streamstat.ssl = require */
	INGEST_REFUSED_AUTH,		/* line-protocol authentication */
	INGEST_NREFUSALS
} IngestRefusal;

/*
 * Log a refused or failed connection attempt with the client's address:
 * at most one message per kind per 10 s per worker, the next one saying
 * how many were not logged in between.
 */
extern void ingest_log_refusal(IngestRefusal kind, const char *client,
							   const char *fmt,...) pg_attribute_printf(3, 4);

#endif							/* STREAMSTAT_TLS_H */
