/*
 * auth.h
 *		Token check of the HTTP write API: the contract between auth.c and
 *		the ingest worker.
 *
 * The worker calls streamstat_token_check() for a request's presented
 * secret (http_request_secret() in http.h extracts it) inside a transaction
 * with an active snapshot, before any of the request's lines are accepted.
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

#endif							/* STREAMSTAT_AUTH_H */
