/*
 * fuzz_auth.c
 *		libFuzzer target for the line-protocol authentication handshake
 *		(ilp_auth.c) and the ECDSA verification behind it (ilp_ecdsa.c).
 *
 * The first input byte chooses how the rest is cut into feeds (1 to 64
 * bytes at a time), as a TCP stream may be; the rest is what a client
 * sends: key id, signature, lines.  The harness plays the server: at the
 * key id it sets a fixed challenge, at the signature it verifies against
 * a fixed public key.  Besides "no crash, no sanitizer report" it checks
 * the contract of ilp_auth.h: used bytes within the input, the key id
 * NUL-terminated, printable and bounded, r and s never zero at a
 * signature, no event after an error, line protocol after DONE untouched.
 * The signature decoders are also run on the raw input.
 *
 * Build and run: scripts/fuzz.sh [seconds] (make fuzz builds it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/ilp_auth.h"
#include "protocol/ilp_ecdsa.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "contract broken: %s (line %d)\n", #cond, __LINE__); \
			abort(); \
		} \
	} while (0)

/* A fixed P-256 public key (the generator point G). */
static const unsigned char key_x[32] = {
	0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
	0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0,
	0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96
};
static const unsigned char key_y[32] = {
	0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a,
	0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce,
	0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5
};

static bool
zero32(const unsigned char *v)
{
	for (int i = 0; i < 32; i++)
		if (v[i])
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	IlpAuth		a;
	unsigned char random[ILP_AUTH_CHALLENGE_LEN];
	size_t		step;
	size_t		off = 1;
	bool		failed = false;

	if (size == 0)
		return 0;
	step = (data[0] & 63) + 1;
	memset(random, 0x5a, sizeof(random));

	/* The decoders alone, on the raw input. */
	{
		unsigned char out[512];
		unsigned char r[32];
		unsigned char s[32];
		long		n = ilp_base64_decode((const char *) data + 1, size - 1, out, sizeof(out));

		CHECK(n >= -1 && n <= (long) sizeof(out));
		if (ilp_auth_parse_signature(data + 1, size - 1, r, s))
			CHECK(!zero32(r) && !zero32(s));
	}

	ilp_auth_init(&a);
	while (off < size)
	{
		size_t		len = size - off < step ? size - off : step;
		size_t		used = 0;
		IlpAuthEvent ev = ilp_auth_feed(&a, (const char *) data + off, len, &used);

		CHECK(used <= len);
		CHECK(a.key_id_len <= ILP_AUTH_MAX_KEY_ID);
		CHECK(a.sig_b64_len <= ILP_AUTH_MAX_SIGNATURE_B64);
		if (failed)
			CHECK(ev == ILP_AUTH_ERROR);
		switch (ev)
		{
			case ILP_AUTH_NEED_MORE:
				if (a.state == ILP_AUTH_DONE)
				{
					CHECK(used == 0);
					return 0;	/* the rest is line protocol */
				}
				CHECK(used == len);
				break;
			case ILP_AUTH_KEY_ID:
				CHECK(a.key_id_len > 0 && a.key_id[a.key_id_len] == '\0');
				CHECK(strlen(a.key_id) == a.key_id_len);
				for (size_t i = 0; i < a.key_id_len; i++)
					CHECK(a.key_id[i] >= 0x21 && a.key_id[i] <= 0x7e);
				random[0] = data[off];
				ilp_auth_set_challenge(&a, random);
				CHECK(a.state == ILP_AUTH_WANT_SIGNATURE);
				break;
			case ILP_AUTH_SIGNATURE:
				CHECK(!zero32(a.r) && !zero32(a.s));
				ilp_auth_set_verified(&a, ilp_ecdsa_verify(key_x, key_y, a.challenge,
														   ILP_AUTH_CHALLENGE_LEN,
														   a.r, a.s));
				if (a.state == ILP_AUTH_FAILED)
					failed = true;
				break;
			case ILP_AUTH_ERROR:
				CHECK(a.state == ILP_AUTH_FAILED && a.error != NULL);
				failed = true;
				break;
		}
		off += used;
		if (failed && used == 0)
			return 0;
	}
	return 0;
}
