/*
 * ilp_auth.c
 *		Framing and decoding of QuestDB's line-protocol authentication
 *		handshake (see ilp_auth.h): pure C, no PostgreSQL headers, so the
 *		unit test and the fuzz target link it alone.
 *
 * Where it sits in the path of a record: between the TLS layer (tls.c)
 * and the line cutter (conn.c).  ilp_auth_conn.c feeds it a TCP client's
 * first bytes; the key lookup and the ECDSA verification (ilp_ecdsa.c)
 * happen between the events it returns.  Everything it reads is bounded
 * (key id, signature line), so a hostile client cannot make it grow.
 */
#include <string.h>

#include "protocol/ilp_auth.h"

/* The challenge alphabet: 64 printable characters (random & 63, no bias). */
static const char challenge_alphabet[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
ilp_auth_init(IlpAuth *auth)
{
	memset(auth, 0, sizeof(*auth));
	auth->state = ILP_AUTH_WANT_KEY_ID;
}

/* Fail with a reason. */
static IlpAuthEvent
ilp_auth_fail(IlpAuth *auth, const char *why)
{
	auth->state = ILP_AUTH_FAILED;
	auth->error = why;
	return ILP_AUTH_ERROR;
}

/* The value of a base64 character (either alphabet), or -1. */
static int
base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

long
ilp_base64_decode(const char *in, size_t len, unsigned char *out, size_t cap)
{
	unsigned long acc = 0;
	int			bits = 0;
	size_t		n = 0;
	size_t		pad = 0;

	/* Padding only at the end, at most two. */
	while (len > 0 && in[len - 1] == '=')
	{
		len--;
		pad++;
	}
	if (pad > 2 || (pad > 0 && (len + pad) % 4 != 0) || len % 4 == 1)
		return -1;
	for (size_t i = 0; i < len; i++)
	{
		int			v = base64_value((unsigned char) in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned long) v;
		bits += 6;
		if (bits >= 8)
		{
			bits -= 8;
			if (n >= cap)
				return -1;
			out[n++] = (unsigned char) (acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	/* Leftover bits must be zero (a canonical encoding). */
	if (acc != 0)
		return -1;
	return (long) n;
}

/* Read one DER INTEGER at *p (within end) into a 32-byte big-endian value. */
static bool
der_integer(const unsigned char **p, const unsigned char *end, unsigned char *v)
{
	const unsigned char *q = *p;
	size_t		len;

	if (end - q < 2 || q[0] != 0x02)
		return false;
	len = q[1];
	q += 2;
	if (len == 0 || len > 0x7f || (size_t) (end - q) < len)
		return false;
	if (q[0] & 0x80)
		return false;			/* negative */
	/* Minimal encoding: a leading zero only before a byte with its top bit. */
	if (len > 1 && q[0] == 0 && !(q[1] & 0x80))
		return false;
	if (q[0] == 0)
	{
		q++;
		len--;
	}
	if (len > ILP_AUTH_COORD_LEN)
		return false;
	memset(v, 0, ILP_AUTH_COORD_LEN);
	memcpy(v + ILP_AUTH_COORD_LEN - len, q, len);
	*p = q + len;
	return true;
}

/* Whether a 32-byte value is zero. */
static bool
is_zero(const unsigned char *v)
{
	unsigned char acc = 0;

	for (int i = 0; i < ILP_AUTH_COORD_LEN; i++)
		acc |= v[i];
	return acc == 0;
}

bool
ilp_auth_parse_signature(const unsigned char *sig, size_t len,
						 unsigned char *r, unsigned char *s)
{
	const unsigned char *p = sig;
	const unsigned char *end = sig + len;

	/*
	 * DER: a SEQUENCE, short-form length covering exactly the rest, of two
	 * INTEGERs.  Else raw r||s, which is always 64 bytes (a 64-byte string
	 * that parses as strict DER is read as DER; for a random r||s that
	 * takes a dozen fixed bytes, and verification decides anyway).
	 */
	if (len >= 8 && p[0] == 0x30 && p[1] == len - 2)
	{
		p += 2;
		if (der_integer(&p, end, r) && der_integer(&p, end, s) && p == end)
			return !is_zero(r) && !is_zero(s);
	}
	if (len == 2 * ILP_AUTH_COORD_LEN)
	{
		memcpy(r, sig, ILP_AUTH_COORD_LEN);
		memcpy(s, sig + ILP_AUTH_COORD_LEN, ILP_AUTH_COORD_LEN);
		return !is_zero(r) && !is_zero(s);
	}
	return false;
}

IlpAuthEvent
ilp_auth_feed(IlpAuth *auth, const char *data, size_t len, size_t *used)
{
	size_t		i = 0;

	*used = 0;
	switch (auth->state)
	{
		case ILP_AUTH_WANT_KEY_ID:
			for (; i < len; i++)
			{
				unsigned char c = (unsigned char) data[i];

				if (c == '\n')
				{
					/* A '\r' before the '\n' is not part of the id. */
					if (auth->key_id_len > 0 &&
						auth->key_id[auth->key_id_len - 1] == '\r')
						auth->key_id_len--;
					auth->key_id[auth->key_id_len] = '\0';
					*used = i + 1;
					if (auth->key_id_len == 0)
						return ilp_auth_fail(auth, "empty key id");
					if (memchr(auth->key_id, '\r', auth->key_id_len) != NULL)
						return ilp_auth_fail(auth, "key id with a byte that is not printable ASCII");
					auth->state = ILP_AUTH_WANT_CHALLENGE;
					return ILP_AUTH_KEY_ID;
				}
				if ((c < 0x21 || c > 0x7e) && c != '\r')
				{
					*used = i + 1;
					return ilp_auth_fail(auth, "key id with a byte that is not printable ASCII");
				}
				if (auth->key_id_len >= ILP_AUTH_MAX_KEY_ID)
				{
					*used = i + 1;
					return ilp_auth_fail(auth, "key id too long");
				}
				auth->key_id[auth->key_id_len++] = (char) c;
			}
			*used = len;
			return ILP_AUTH_NEED_MORE;

		case ILP_AUTH_WANT_SIGNATURE:
			for (; i < len; i++)
			{
				unsigned char c = (unsigned char) data[i];

				if (c == '\n')
				{
					unsigned char sig[ILP_AUTH_MAX_SIGNATURE_B64];
					long		n;
					size_t		blen = auth->sig_b64_len;

					*used = i + 1;
					if (blen > 0 && auth->sig_b64[blen - 1] == '\r')
						blen--;
					n = ilp_base64_decode(auth->sig_b64, blen, sig, sizeof(sig));
					if (n < 0)
						return ilp_auth_fail(auth, "signature is not base64");
					if (!ilp_auth_parse_signature(sig, (size_t) n, auth->r, auth->s))
						return ilp_auth_fail(auth, "signature is neither DER nor r||s, or is zero");
					auth->state = ILP_AUTH_WANT_VERIFY;
					return ILP_AUTH_SIGNATURE;
				}
				if (auth->sig_b64_len >= ILP_AUTH_MAX_SIGNATURE_B64)
				{
					*used = i + 1;
					return ilp_auth_fail(auth, "signature line too long");
				}
				auth->sig_b64[auth->sig_b64_len++] = (char) c;
			}
			*used = len;
			return ILP_AUTH_NEED_MORE;

		case ILP_AUTH_DONE:
			return ILP_AUTH_NEED_MORE;	/* nothing of the rest is ours */

		case ILP_AUTH_WANT_CHALLENGE:
		case ILP_AUTH_WANT_VERIFY:
			return ilp_auth_fail(auth, "input before the server's step of the handshake");

		case ILP_AUTH_FAILED:
			break;
	}
	if (auth->error == NULL)
		auth->error = "handshake failed";
	return ILP_AUTH_ERROR;
}

void
ilp_auth_set_challenge(IlpAuth *auth, const unsigned char *random)
{
	for (int i = 0; i < ILP_AUTH_CHALLENGE_LEN; i++)
		auth->challenge[i] = challenge_alphabet[random[i] & 63];
	auth->challenge[ILP_AUTH_CHALLENGE_LEN] = '\n';
	auth->state = ILP_AUTH_WANT_SIGNATURE;
}

void
ilp_auth_set_verified(IlpAuth *auth, bool ok)
{
	if (ok)
		auth->state = ILP_AUTH_DONE;
	else
	{
		auth->state = ILP_AUTH_FAILED;
		auth->error = "signature does not verify with the key";
	}
}
