/*
 * auth.h
 *		Token check of the HTTP write API: the contract between auth.c and
 *		the ingest worker.
 *
 * The HTTP connection (http_conn.c) calls auth_authorize_request() at the
 * head of a write request, before any of its lines are accepted; that
 * calls streamstat_token_check() for the presented secret
 * (http_request_secret() in http.h extracts it).
 */
#ifndef STREAMSTAT_AUTH_H
#define STREAMSTAT_AUTH_H

/*
 * Is the secret (len bytes) a live token?  On success *token_name and
 * *schema_name (NULL: any schema) are palloc'd in the caller's memory
 * context.  Needs a transaction and an active snapshot (it runs one SPI
 * query); the role must be able to read streamstat.tokens.
 */
extern bool streamstat_token_check(const char *secret, size_t len,
								   char **token_name, char **schema_name);

/* streamstat.require_auth resolved: auto is on unless listen_addresses is
 * loopback-only. */
extern bool streamstat_http_auth_required(void);

/*
 * May an HTTP write request write, and where?  0, or the HTTP status to
 * refuse it with and *message; schema (NAMEDATALEN bytes) gets the schema
 * its bucket (v2) or db (v1) names, "" for streamstat.schema.  Runs its own
 * transaction: call it outside one.
 */
struct HttpRequest;
extern int	auth_authorize_request(const struct HttpRequest *req, bool v1,
								   char *schema, const char **message);

#endif							/* STREAMSTAT_AUTH_H */
