/*
 * ilp_ecdsa.h
 *		ECDSA P-256 with SHA-256 for the line-protocol handshake: the
 *		contract between ilp_ecdsa.c (OpenSSL, no PostgreSQL headers) and
 *		its callers (ilp_auth_conn.c, ilp_keys.c, the unit test).
 */
#ifndef STREAMSTAT_ILP_ECDSA_H
#define STREAMSTAT_ILP_ECDSA_H

#include <stdbool.h>
#include <stddef.h>

/* Whether (x, y), 32 bytes each, big-endian, is a point of P-256. */
extern bool ilp_ecdsa_valid_point(const unsigned char *x, const unsigned char *y);

/*
 * Whether (r, s) is a valid signature of msg by the public key (x, y).
 * All values are 32 bytes, big-endian.
 */
extern bool ilp_ecdsa_verify(const unsigned char *x, const unsigned char *y,
							 const void *msg, size_t len,
							 const unsigned char *r, const unsigned char *s);

#endif							/* STREAMSTAT_ILP_ECDSA_H */
