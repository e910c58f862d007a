/*
 * ilp_auth.h
 *		QuestDB's challenge-response authentication of line protocol over
 *		TCP, as a pure-C state machine (no PostgreSQL headers): the contract
 *		between ilp_auth.c and its callers (ilp_auth_conn.c in the worker,
 *		the unit test and the fuzz target).
 *
 * The exchange, as QuestDB's client libraries speak it:
 *
 *	client: <key id>\n
 *	server: <challenge: ILP_AUTH_CHALLENGE_LEN printable bytes>\n
 *	client: <base64 of the ECDSA P-256 SHA-256 signature of the challenge>\n
 *	client: line protocol from here on
 *
 * The signature is DER (the Node.js client) or raw r||s, 64 bytes (the
 * Rust, C and Python clients); both are accepted.  The machine only frames
 * and decodes: looking the key up and verifying (ilp_ecdsa.h) are the
 * caller's, between the events it returns.
 */
#ifndef STREAMSTAT_ILP_AUTH_H
#define STREAMSTAT_ILP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

/* Longest key id accepted (QuestDB's are user names). */
#define ILP_AUTH_MAX_KEY_ID 256

/* Bytes of challenge sent (QuestDB sends 512). */
#define ILP_AUTH_CHALLENGE_LEN 512

/* Longest base64 signature line (a DER P-256 signature is at most 72 bytes). */
#define ILP_AUTH_MAX_SIGNATURE_B64 128

/* Bytes of a P-256 coordinate, and of r and s. */
#define ILP_AUTH_COORD_LEN 32

typedef enum IlpAuthState
{
	ILP_AUTH_WANT_KEY_ID,		/* reading the key id line */
	ILP_AUTH_WANT_CHALLENGE,	/* caller: look the key up, set a challenge */
	ILP_AUTH_WANT_SIGNATURE,	/* reading the signature line */
	ILP_AUTH_WANT_VERIFY,		/* caller: verify r, s against the key */
	ILP_AUTH_DONE,				/* authenticated: the rest is line protocol */
	ILP_AUTH_FAILED
} IlpAuthState;

typedef enum IlpAuthEvent
{
	ILP_AUTH_NEED_MORE,			/* everything given was used; send more */
	ILP_AUTH_KEY_ID,			/* key_id is complete */
	ILP_AUTH_SIGNATURE,			/* r and s are decoded */
	ILP_AUTH_ERROR				/* malformed: error says why; close */
} IlpAuthEvent;

typedef struct IlpAuth
{
	IlpAuthState state;
	char		key_id[ILP_AUTH_MAX_KEY_ID + 1];
	size_t		key_id_len;
	/* the challenge and its '\n', as sent */
	char		challenge[ILP_AUTH_CHALLENGE_LEN + 1];
	char		sig_b64[ILP_AUTH_MAX_SIGNATURE_B64 + 1];
	size_t		sig_b64_len;
	unsigned char r[ILP_AUTH_COORD_LEN];
	unsigned char s[ILP_AUTH_COORD_LEN];
	const char *error;			/* why ILP_AUTH_ERROR (a static string) */
} IlpAuth;

extern void ilp_auth_init(IlpAuth *auth);

/*
 * Consume input; *used says how many bytes of data were taken (the rest,
 * after ILP_AUTH_DONE, is line protocol).  Returns at each event; call
 * again with the rest.
 */
extern IlpAuthEvent ilp_auth_feed(IlpAuth *auth, const char *data, size_t len,
								  size_t *used);

/*
 * After ILP_AUTH_KEY_ID: make the challenge from ILP_AUTH_CHALLENGE_LEN
 * random bytes (each maps to one of 64 printable characters, without
 * bias); the caller sends auth->challenge (ILP_AUTH_CHALLENGE_LEN + 1
 * bytes, with the '\n').  The signature is over the first
 * ILP_AUTH_CHALLENGE_LEN bytes.
 */
extern void ilp_auth_set_challenge(IlpAuth *auth, const unsigned char *random);

/* After ILP_AUTH_SIGNATURE: the verification's outcome. */
extern void ilp_auth_set_verified(IlpAuth *auth, bool ok);

/*
 * A signature as raw r||s (64 bytes) or DER (SEQUENCE of two INTEGERs)
 * into r and s (big-endian, left-padded to 32 bytes).  False when it is
 * neither, when a value is longer than 32 bytes, negative, or zero (the
 * all-zero signature is refused here, before any verification).
 */
extern bool ilp_auth_parse_signature(const unsigned char *sig, size_t len,
									 unsigned char *r, unsigned char *s);

/*
 * Decode base64, standard or URL-safe alphabet, padding optional; -1 when
 * malformed or when more than cap bytes would result.
 */
extern long ilp_base64_decode(const char *in, size_t len, unsigned char *out,
							  size_t cap);

#endif							/* STREAMSTAT_ILP_AUTH_H */
