/*
 * test_ilp_auth.c
 *		Unit tests of the line-protocol authentication handshake
 *		(ilp_auth.c: framing, base64, DER and r||s signatures) and of the
 *		ECDSA P-256 verification (ilp_ecdsa.c), with keys and signatures
 *		made by OpenSSL here.  A TAP program; make unit builds it.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "protocol/ilp_auth.h"
#include "protocol/ilp_ecdsa.h"
#include "tap.h"

/* A P-256 key and its public x, y. */
static EVP_PKEY *
make_key(unsigned char *x, unsigned char *y)
{
	EVP_PKEY   *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	BIGNUM	   *bx = NULL;
	BIGNUM	   *by = NULL;

	if (pkey == NULL ||
		!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &bx) ||
		!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &by) ||
		BN_bn2binpad(bx, x, 32) != 32 || BN_bn2binpad(by, y, 32) != 32)
	{
		printf("Bail out! cannot make a P-256 key\n");
		exit(1);
	}
	BN_free(bx);
	BN_free(by);
	return pkey;
}

/* DER signature of msg by pkey into sig; returns its length. */
static size_t
sign_der(EVP_PKEY *pkey, const void *msg, size_t len, unsigned char *sig)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t		siglen = 80;

	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
		EVP_DigestSign(md, sig, &siglen, msg, len) != 1)
	{
		printf("Bail out! cannot sign\n");
		exit(1);
	}
	EVP_MD_CTX_free(md);
	return siglen;
}

/* Standard base64 of len bytes. */
static void
b64(const unsigned char *in, size_t len, char *out)
{
	EVP_EncodeBlock((unsigned char *) out, in, (int) len);
}

/* Feed a whole string; returns the event and the bytes used. */
static IlpAuthEvent
feed(IlpAuth *a, const char *s, size_t *used)
{
	return ilp_auth_feed(a, s, strlen(s), used);
}

static void
test_base64(void)
{
	unsigned char out[64];

	ok(ilp_base64_decode("aGVsbG8", 7, out, sizeof(out)) == 5 &&
	   memcmp(out, "hello", 5) == 0, "base64 without padding");
	ok(ilp_base64_decode("aGVsbG8=", 8, out, sizeof(out)) == 5, "base64 with padding");
	ok(ilp_base64_decode("-_-_", 4, out, sizeof(out)) == 3 &&
	   out[0] == 0xfb && out[1] == 0xff && out[2] == 0xbf, "base64url alphabet");
	ok(ilp_base64_decode("+/+/", 4, out, sizeof(out)) == 3 && out[0] == 0xfb,
	   "standard alphabet");
	ok(ilp_base64_decode("aGVsbG8*", 8, out, sizeof(out)) < 0, "a bad character is refused");
	ok(ilp_base64_decode("aGVsbG9=", 8, out, sizeof(out)) < 0, "non-zero leftover bits are refused");
	ok(ilp_base64_decode("a", 1, out, sizeof(out)) < 0, "a lone character is refused");
	ok(ilp_base64_decode("aGVsbG8===", 10, out, sizeof(out)) < 0, "too much padding is refused");
	ok(ilp_base64_decode("aGVsbG8", 7, out, 4) < 0, "output past the cap is refused");
	ok(ilp_base64_decode("", 0, out, sizeof(out)) == 0, "empty input is empty");
}

static void
test_signatures(void)
{
	unsigned char r[32];
	unsigned char s[32];
	unsigned char raw[64];
	unsigned char der[80];

	memset(raw, 0, sizeof(raw));
	ok(!ilp_auth_parse_signature(raw, 64, r, s), "the all-zero r||s is refused");
	raw[31] = 1;
	ok(!ilp_auth_parse_signature(raw, 64, r, s), "r||s with s zero is refused");
	raw[63] = 2;
	ok(ilp_auth_parse_signature(raw, 64, r, s) && r[31] == 1 && s[31] == 2,
	   "raw r||s is read as such");

	/* DER: 30 len 02 01 05 02 02 00 ff -> r = 5, s = 255 */
	{
		const unsigned char d[] = {0x30, 0x07, 0x02, 0x01, 0x05, 0x02, 0x02, 0x00, 0xff};

		ok(ilp_auth_parse_signature(d, sizeof(d), r, s) && r[31] == 5 &&
		   s[31] == 0xff && s[30] == 0, "short DER is read, leading zero stripped");
	}
	{
		const unsigned char d[] = {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01};

		ok(!ilp_auth_parse_signature(d, sizeof(d), r, s), "DER with r = 0 is refused");
	}
	{
		const unsigned char d[] = {0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x01};

		ok(!ilp_auth_parse_signature(d, sizeof(d), r, s), "a negative DER integer is refused");
	}
	{
		const unsigned char d[] = {0x30, 0x07, 0x02, 0x02, 0x00, 0x05, 0x02, 0x01, 0x01};

		ok(!ilp_auth_parse_signature(d, sizeof(d), r, s), "a non-minimal DER integer is refused");
	}
	{
		const unsigned char d[] = {0x30, 0x08, 0x02, 0x01, 0x05, 0x02, 0x01, 0x01, 0x00, 0x00};

		ok(!ilp_auth_parse_signature(d, sizeof(d), r, s), "trailing bytes after DER are refused");
	}
	memset(der, 0x11, sizeof(der));
	der[0] = 0x30;
	der[1] = 38;
	der[2] = 0x02;
	der[3] = 34;				/* a 34-byte integer: too long for P-256 */
	ok(!ilp_auth_parse_signature(der, 40, r, s), "a DER integer over 32 bytes is refused");
	ok(!ilp_auth_parse_signature(der, 3, r, s), "a truncated signature is refused");
	ok(!ilp_auth_parse_signature(der, 0, r, s), "an empty signature is refused");
}

static void
test_handshake(void)
{
	IlpAuth		a;
	unsigned char random[ILP_AUTH_CHALLENGE_LEN];
	unsigned char x[32],
				y[32],
				x2[32],
				y2[32];
	EVP_PKEY   *key = make_key(x, y);
	EVP_PKEY   *other = make_key(x2, y2);
	unsigned char der[80];
	size_t		derlen;
	char		line[200];
	char		input[400];
	size_t		used;
	IlpAuthEvent ev;
	bool		printable = true;

	for (int i = 0; i < ILP_AUTH_CHALLENGE_LEN; i++)
		random[i] = (unsigned char) (i * 37 + 11);

	/* The key id, one byte at a time. */
	ilp_auth_init(&a);
	ev = ILP_AUTH_NEED_MORE;
	for (const char *p = "sensor-1\r\n"; *p && ev == ILP_AUTH_NEED_MORE; p++)
	{
		ev = ilp_auth_feed(&a, p, 1, &used);
		if (used != 1)
			break;
	}
	ok(ev == ILP_AUTH_KEY_ID && strcmp(a.key_id, "sensor-1") == 0,
	   "the key id arrives byte by byte, its \\r dropped");
	ilp_auth_set_challenge(&a, random);
	for (int i = 0; i < ILP_AUTH_CHALLENGE_LEN; i++)
		if (a.challenge[i] < 0x21 || a.challenge[i] > 0x7e)
			printable = false;
	ok(printable && a.challenge[ILP_AUTH_CHALLENGE_LEN] == '\n',
	   "the challenge is printable and ends in a newline");

	/* A DER signature, then lines in the same input. */
	derlen = sign_der(key, a.challenge, ILP_AUTH_CHALLENGE_LEN, der);
	b64(der, derlen, line);
	snprintf(input, sizeof(input), "%s\ncpu v=1\n", line);
	ev = feed(&a, input, &used);
	ok(ev == ILP_AUTH_SIGNATURE && used == strlen(line) + 1,
	   "the signature line is taken, the lines after it are not");
	ok(ilp_ecdsa_verify(x, y, a.challenge, ILP_AUTH_CHALLENGE_LEN, a.r, a.s),
	   "a DER signature verifies");
	ok(!ilp_ecdsa_verify(x2, y2, a.challenge, ILP_AUTH_CHALLENGE_LEN, a.r, a.s),
	   "it does not verify with another key");
	a.challenge[0] ^= 1;
	ok(!ilp_ecdsa_verify(x, y, a.challenge, ILP_AUTH_CHALLENGE_LEN, a.r, a.s),
	   "it does not verify over another challenge");
	a.challenge[0] ^= 1;
	ilp_auth_set_verified(&a, true);
	ok(a.state == ILP_AUTH_DONE && feed(&a, "cpu v=1\n", &used) == ILP_AUTH_NEED_MORE &&
	   used == 0, "after the handshake nothing more is taken");

	/* Raw r||s of the same signature. */
	{
		unsigned char raw[64];
		IlpAuth		b;

		memcpy(raw, a.r, 32);
		memcpy(raw + 32, a.s, 32);
		ilp_auth_init(&b);
		(void) feed(&b, "k\n", &used);
		ilp_auth_set_challenge(&b, random);
		b64(raw, 64, line);
		strcat(line, "\n");
		ok(feed(&b, line, &used) == ILP_AUTH_SIGNATURE &&
		   ilp_ecdsa_verify(x, y, b.challenge, ILP_AUTH_CHALLENGE_LEN, b.r, b.s),
		   "the same signature as raw r||s verifies");
	}

	/* Refusals. */
	ilp_auth_init(&a);
	ok(feed(&a, "\n", &used) == ILP_AUTH_ERROR, "an empty key id is an error");
	ilp_auth_init(&a);
	ok(feed(&a, "cpu,host=a v=1\n", &used) == ILP_AUTH_ERROR,
	   "a line of line protocol is not a key id");
	ilp_auth_init(&a);
	memset(input, 'k', sizeof(input) - 1);
	input[sizeof(input) - 1] = '\0';
	ok(feed(&a, input, &used) == ILP_AUTH_ERROR && used == ILP_AUTH_MAX_KEY_ID + 1,
	   "a key id over %d bytes is an error", ILP_AUTH_MAX_KEY_ID);
	ilp_auth_init(&a);
	(void) feed(&a, "k\n", &used);
	ok(feed(&a, "early\n", &used) == ILP_AUTH_ERROR,
	   "input before the challenge is set is an error");
	ilp_auth_init(&a);
	(void) feed(&a, "k\n", &used);
	ilp_auth_set_challenge(&a, random);
	ok(feed(&a, input, &used) == ILP_AUTH_ERROR, "a signature line too long is an error");
	ilp_auth_init(&a);
	(void) feed(&a, "k\n", &used);
	ilp_auth_set_challenge(&a, random);
	ok(feed(&a, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", &used) == ILP_AUTH_ERROR,
	   "the all-zero signature is refused before verification");
	ok(feed(&a, "x\n", &used) == ILP_AUTH_ERROR, "a failed handshake stays failed");

	/* Points. */
	ok(ilp_ecdsa_valid_point(x, y), "a public key is a point of P-256");
	y[31] ^= 1;
	ok(!ilp_ecdsa_valid_point(x, y), "a changed y is not");
	memset(x, 0, 32);
	memset(y, 0, 32);
	ok(!ilp_ecdsa_valid_point(x, y), "(0, 0) is not");
	{
		unsigned char r[32] = {0};
		unsigned char s[32] = {0};

		ok(!ilp_ecdsa_verify(x2, y2, "m", 1, r, s), "verification refuses r = s = 0");
	}
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

int
main(void)
{
	test_base64();
	test_signatures();
	test_handshake();
	printf("1..%d\n", ntests);
	return nfailed == 0 ? 0 : 1;
}
