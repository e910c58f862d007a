/*
 * ilp_auth_conn.h
 *		The authentication of a line-protocol TCP connection: the contract
 *		between ilp_auth_conn.c (the worker side of QuestDB's handshake),
 *		ilp_keys.c (the keys in SQL) and conn.c.
 *
 * conn.c hands every byte a client sends to ilp_auth_conn_input() until
 * ilp_auth_conn_ready(); what follows the handshake is line protocol, and
 * goes where ilp_auth_conn_target() says (a key limited to a schema
 * writes only there).
 */
#ifndef STREAMSTAT_ILP_AUTH_CONN_H
#define STREAMSTAT_ILP_AUTH_CONN_H

#include "net/conn.h"

/*
 * Take the client's bytes received so far, buf[0..len), none of which was
 * line protocol yet.  Returns how many bytes at the start of buf (moved
 * there) are line protocol, or -1 when the connection must be closed (the
 * handshake failed: logged, counted, nothing of it stored).  While the
 * connection is not ready, the bytes returned (if any) are an incomplete
 * first line the caller keeps for the next call.
 */
extern int	ilp_auth_conn_input(IngestConn *conn, char *buf, int len,
								IngestCounters *counters);

/* Whether the handshake is over (or not wanted): the rest is line protocol. */
extern bool ilp_auth_conn_ready(IngestConn *conn);

/* Whether the connection is inside a handshake (bounded by http_timeout). */
extern bool ilp_auth_conn_pending(IngestConn *conn);

/* Send what of the challenge is still unsent; false when the send failed. */
extern bool ilp_auth_conn_flush(IngestConn *conn);

/* Whether part of the challenge waits for the socket to be writable. */
extern bool ilp_auth_conn_wants_write(IngestConn *conn);

/* Where the connection's lines go (NULL: streamstat.schema). */
extern const BatchTarget *ilp_auth_conn_target(IngestConn *conn);

/* ilp_keys.c: the live key key_id, or false (needs a transaction). */
extern bool ilp_key_lookup(const char *key_id, unsigned char *x,
						   unsigned char *y, char *schema, size_t schema_cap);

/* Whether line protocol over TCP must authenticate (streamstat.require_auth). */
extern bool ilp_auth_required(void);

#endif							/* STREAMSTAT_ILP_AUTH_CONN_H */
