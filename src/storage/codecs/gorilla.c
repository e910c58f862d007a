/*
 * gorilla.c
 *		float8 codec (codecs.h) after the Gorilla paper (Pelkonen et al.,
 *		VLDB 2015): the first value's 64 bits, then per value the XOR with
 *		the previous one: '0' when equal; '10' + the meaningful bits when
 *		they fit the previous window; '11' + 6 bits of leading zeros + 6
 *		bits of (length - 1) + the meaningful bits otherwise.  Works on the
 *		bit patterns, so NaN payloads, -0.0 and subnormals come back as
 *		they went in.
 */
#include <string.h>

#include "storage/codecs/codecs.h"
#include "storage/codecs/bitio.h"

size_t
gorilla_bound(size_t n)
{
	return 10 + (n * (2 + 12 + 64) + 7) / 8 + 8;
}

size_t
gorilla_encode(const uint64_t *bits, size_t n, uint8_t *out)
{
	size_t		pos = codec_put_varint(out, n);
	BitWriter	bw;
	int			lead = -1,
				trail = 0;

	if (n == 0)
		return pos;
	bw.buf = out + pos;
	bw.bitpos = 0;
	memset(bw.buf, 0, gorilla_bound(n) - pos);
	bw_put(&bw, bits[0], 64);
	for (size_t i = 1; i < n; i++)
	{
		uint64_t	x = bits[i] ^ bits[i - 1];
		int			l,
					t;

		if (x == 0)
		{
			bw_put(&bw, 0, 1);
			continue;
		}
		l = __builtin_clzll(x);
		t = __builtin_ctzll(x);
		if (lead >= 0 && l >= lead && t >= trail)
		{
			bw_put(&bw, 1, 2);	/* bits '1','0' LSB first */
			bw_put(&bw, x >> trail, 64 - lead - trail);
		}
		else
		{
			bw_put(&bw, 3, 2);
			bw_put(&bw, (uint64_t) l, 6);
			bw_put(&bw, (uint64_t) (64 - l - t - 1), 6);
			bw_put(&bw, x >> t, 64 - l - t);
			lead = l;
			trail = t;
		}
	}
	return pos + bw_bytes(&bw);
}

int64_t
gorilla_count(const uint8_t *in, size_t len)
{
	return dd_count(in, len);
}

int
gorilla_decode(const uint8_t *in, size_t len, uint64_t *out, size_t n)
{
	size_t		pos = 0;
	uint64_t	cnt,
				v;
	BitReader	br;
	int			lead = -1,
				trail = 0;

	if (codec_get_varint(in, len, &pos, &cnt) != 0 || cnt != n)
		return -1;
	if (n == 0)
		return pos == len ? 0 : -1;
	br.buf = in + pos;
	br.nbits = (len - pos) * 8;
	br.bitpos = 0;
	if (br_get(&br, 64, &v) != 0)
		return -1;
	out[0] = v;
	for (size_t i = 1; i < n; i++)
	{
		uint64_t	b,
					x;

		if (br_get(&br, 1, &b) != 0)
			return -1;
		if (b == 0)
		{
			out[i] = out[i - 1];
			continue;
		}
		if (br_get(&br, 1, &b) != 0)
			return -1;
		if (b == 1)
		{
			uint64_t	l,
						m;

			if (br_get(&br, 6, &l) != 0 || br_get(&br, 6, &m) != 0)
				return -1;
			m += 1;
			if (l + m > 64)
				return -1;
			lead = (int) l;
			trail = (int) (64 - l - m);
		}
		else if (lead < 0)
			return -1;
		if (br_get(&br, 64 - lead - trail, &x) != 0)
			return -1;
		out[i] = out[i - 1] ^ (x << trail);
	}
	/* nothing but padding may follow */
	return (br.nbits - br.bitpos) < 8 ? 0 : -1;
}
