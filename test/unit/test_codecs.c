/*
 * test_codecs.c
 *		Unit tests (TAP) of the column codecs of compressed partitions
 *		(src/storage/codecs/): round trips of every codec on the edge
 *		values (NaN payloads, infinities, -0.0, subnormals, int64
 *		extremes), empty and one-value segments, long runs and random data,
 *		and the decoders' refusal of truncated input.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "storage/codecs/codecs.h"
#include "tap.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
dd_round(const int64_t *v, size_t n, const char *what)
{
	uint8_t    *buf = malloc(dd_bound(n));
	int64_t    *out = malloc((n + 1) * sizeof(int64_t));
	size_t		len = dd_encode(v, n, buf);
	int			good = dd_count(buf, len) == (int64_t) n &&
		dd_decode(buf, len, out, n) == 0 &&
		(n == 0 || memcmp(v, out, n * sizeof(int64_t)) == 0);
	int			trunc_ok = 1;

	/* every strict prefix is refused */
	for (size_t l = 0; l < len && trunc_ok; l++)
		if (dd_count(buf, l) == (int64_t) n && dd_decode(buf, l, out, n) == 0)
			trunc_ok = 0;
	ok(good, "deltadelta round trip: %s (%zu values, %zu bytes)", what, n, len);
	ok(trunc_ok, "deltadelta refuses truncations: %s", what);
	free(buf);
	free(out);
	return (int) len;
}

static int
gor_round(const double *d, size_t n, const char *what)
{
	uint64_t   *bits = malloc((n + 1) * sizeof(uint64_t));
	uint64_t   *out = malloc((n + 1) * sizeof(uint64_t));
	uint8_t    *buf = malloc(gorilla_bound(n));
	size_t		len;
	int			good,
				trunc_ok = 1;

	memcpy(bits, d, n * sizeof(double));
	len = gorilla_encode(bits, n, buf);
	good = gorilla_count(buf, len) == (int64_t) n &&
		gorilla_decode(buf, len, out, n) == 0 &&
		(n == 0 || memcmp(bits, out, n * sizeof(uint64_t)) == 0);
	for (size_t l = 0; l < len && trunc_ok; l++)
		if (gorilla_count(buf, l) == (int64_t) n && gorilla_decode(buf, l, out, n) == 0)
			trunc_ok = 0;
	ok(good, "gorilla round trip, bit for bit: %s (%zu values, %zu bytes)", what, n, len);
	ok(trunc_ok, "gorilla refuses truncations: %s", what);
	free(bits);
	free(out);
	free(buf);
	return (int) len;
}

static void
bool_round(const uint8_t *v, size_t n, const char *what)
{
	uint8_t    *buf = malloc(bool_bound(n));
	uint8_t    *out = malloc(n + 1);
	size_t		len = bool_encode(v, n, buf);
	int			good = bool_count(buf, len) == (int64_t) n &&
		bool_decode(buf, len, out, n) == 0 && (n == 0 || memcmp(v, out, n) == 0);

	ok(good && len <= bool_bound(n), "bitpack round trip: %s (%zu values, %zu bytes)", what, n, len);
	ok(n == 0 || bool_decode(buf, len - 1, out, n) != 0, "bitpack refuses a truncation: %s", what);
	free(buf);
	free(out);
}

static void
dict_round(const char *const *s, size_t n, const char *what)
{
	size_t	   *lens = malloc((n + 1) * sizeof(size_t));
	size_t		total = 0,
				len;
	uint8_t    *buf;
	const char **op = malloc((n + 1) * sizeof(char *));
	size_t	   *ol = malloc((n + 1) * sizeof(size_t));
	int			good;

	for (size_t i = 0; i < n; i++)
		total += lens[i] = strlen(s[i]);
	buf = malloc(dict_bound(n, total));
	len = dict_encode(s, lens, n, buf);
	good = dict_count(buf, len) == (int64_t) n && dict_decode(buf, len, op, ol, n) == 0;
	for (size_t i = 0; i < n && good; i++)
		good = ol[i] == lens[i] && memcmp(op[i], s[i], lens[i]) == 0;
	ok(good, "dictionary round trip: %s (%zu values, %zu bytes)", what, n, len);
	ok(n == 0 || dict_decode(buf, len - 1, op, ol, n) != 0, "dictionary refuses a truncation: %s", what);
	free(lens);
	free(buf);
	free(op);
	free(ol);
}

static void
generic_round(const uint8_t *src, size_t n, const char *what)
{
	uint8_t    *buf = malloc(generic_bound(n));
	uint8_t    *out = malloc(n + 1);
	size_t		len = generic_encode(src, n, buf);
	int			good = generic_count(buf, len) == (int64_t) n &&
		generic_decode(buf, len, out, n) == 0 && (n == 0 || memcmp(src, out, n) == 0);

	ok(good, "generic round trip: %s (%zu bytes -> %zu)", what, n, len);
	ok(n == 0 || generic_decode(buf, len - 1, out, n) != 0, "generic refuses a truncation: %s", what);
	free(buf);
	free(out);
}

int
main(void)
{
	enum
	{
		N = 5000
	};
	static int64_t iv[N];
	static double dv[N];
	static uint8_t bv[N];
	static const char *sv[N];
	static char sbuf[N][16];
	int			len;

	/* deltadelta */
	dd_round(iv, 0, "empty");
	iv[0] = 42;
	dd_round(iv, 1, "one value");
	{
		int64_t		ext[] = {INT64_MIN, INT64_MAX, 0, INT64_MIN, -1, INT64_MAX, INT64_MAX, 1,
		INT64_MIN + 1, INT64_MAX - 1};

		dd_round(ext, sizeof(ext) / sizeof(ext[0]), "int64 extremes");
	}
	for (int i = 0; i < N; i++)
		iv[i] = 1700000000000000LL + (int64_t) i * 10000000;
	len = dd_round(iv, N, "evenly spaced timestamps (10 s)");
	ok(len < 64, "evenly spaced timestamps take one byte a block (%d bytes)", len);
	for (int i = 0; i < N; i++)
		iv[i] = 7;
	dd_round(iv, N, "a long run of one value");
	iv[0] = 50;
	for (int i = 1; i < N; i++)
	{
		iv[i] = iv[i - 1] + (int64_t) (rnd() % 3) - 1;
		if (iv[i] < 0)
			iv[i] = 0;
		if (iv[i] > 100)
			iv[i] = 100;
	}
	len = dd_round(iv, N, "a bounded random walk");
	ok(len < N, "a random walk of steps -1..1 takes under a byte a value (%d bytes)", len);
	for (int i = 0; i < N; i++)
		iv[i] = (int64_t) rnd();
	dd_round(iv, N, "random int64");
	for (int i = 0; i < 129; i++)
		iv[i] = i * i;
	dd_round(iv, 128, "one full block + first");
	dd_round(iv, 129, "a block boundary");

	/* gorilla */
	gor_round(dv, 0, "empty");
	dv[0] = 3.25;
	gor_round(dv, 1, "one value");
	{
		double		sp[12];
		uint64_t	nanp = 0x7ff8000000000123ULL,
					snan = 0x7ff0000000000001ULL,
					nnan = 0xfff8000000000000ULL;

		sp[0] = NAN;
		memcpy(&sp[1], &nanp, 8);
		memcpy(&sp[2], &snan, 8);
		memcpy(&sp[3], &nnan, 8);
		sp[4] = INFINITY;
		sp[5] = -INFINITY;
		sp[6] = -0.0;
		sp[7] = 0.0;
		sp[8] = 4.9406564584124654e-324;	/* smallest subnormal */
		sp[9] = -2.2250738585072009e-308;	/* largest subnormal, negative */
		sp[10] = 1.7976931348623157e308;
		sp[11] = -0.0;
		gor_round(sp, 12, "NaN payloads, +-Inf, -0.0, subnormals, DBL_MAX");
	}
	for (int i = 0; i < N; i++)
		dv[i] = 12.5;
	len = gor_round(dv, N, "a long run of one value");
	ok(len < N / 8 + 32, "a run costs one bit a value (%d bytes)", len);
	dv[0] = 50;
	for (int i = 1; i < N; i++)
		dv[i] = dv[i - 1] + ((double) (rnd() % 2001) - 1000.0) / 1000.0;
	gor_round(dv, N, "a random walk");
	for (int i = 0; i < N; i++)
	{
		uint64_t	b = rnd();

		memcpy(&dv[i], &b, 8);
	}
	gor_round(dv, N, "random bit patterns");

	/* bitpack */
	bool_round(bv, 0, "empty");
	bv[0] = 1;
	bool_round(bv, 1, "one value");
	memset(bv, 0, N);
	bool_round(bv, N, "all false (a long run)");
	for (int i = 0; i < N; i++)
		bv[i] = rnd() & 1;
	bool_round(bv, N, "random");
	for (int i = 0; i < N; i++)
		bv[i] = (i / 700) & 1;
	bool_round(bv, N, "runs of 700");

	/* dictionary */
	dict_round(sv, 0, "empty");
	sv[0] = "";
	dict_round(sv, 1, "one empty string");
	for (int i = 0; i < N; i++)
		sv[i] = (i / 100) % 3 == 0 ? "ok" : (i / 100) % 3 == 1 ? "warn" : "";
	dict_round(sv, N, "three values in runs");
	for (int i = 0; i < N; i++)
	{
		snprintf(sbuf[i], sizeof(sbuf[i]), "h%llu", (unsigned long long) (rnd() % 100000));
		sv[i] = sbuf[i];
	}
	dict_round(sv, 2000, "random, mostly distinct");

	/* generic */
	generic_round((const uint8_t *) "", 0, "empty");
	generic_round((const uint8_t *) "x", 1, "one byte");
	{
		static uint8_t g[N];

		memset(g, 'a', N);
		generic_round(g, N, "a long run");
		for (int i = 0; i < N; i++)
			g[i] = (uint8_t) rnd();
		generic_round(g, N, "random bytes (stored raw)");
	}

	/* decoders refuse nonsense counts */
	{
		uint8_t		junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};

		ok(dd_count(junk, sizeof(junk)) < 0 && gorilla_count(junk, sizeof(junk)) < 0 &&
		   bool_count(junk, sizeof(junk)) < 0 && dict_count(junk, sizeof(junk)) < 0 &&
		   generic_count(junk, sizeof(junk)) < 0, "over-long counts are refused");
	}

	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}
