/*
 * deltadelta.c
 *		int64 and timestamp codec (codecs.h): the first value as a zigzag
 *		varint, then blocks of up to 128 values, each a header byte (bit 7:
 *		delta-of-delta, else delta; bits 0..6: width 0..64) and the block's
 *		zigzag values bit-packed at that width.  Regular timestamps have a
 *		delta-of-delta of zero: one byte a block.  Random walks (the TSBS
 *		metrics) take the delta mode at a few bits a value.  All arithmetic
 *		is unsigned, so it wraps and every int64 round-trips.
 */
#include <string.h>

#include "storage/codecs/codecs.h"
#include "storage/codecs/bitio.h"

#define DD_BLOCK 128

size_t
dd_bound(size_t n)
{
	return 10 + 10 + (n / DD_BLOCK + 1) * (1 + DD_BLOCK * 8);
}

size_t
dd_encode(const int64_t *v, size_t n, uint8_t *out)
{
	size_t		pos = codec_put_varint(out, n);
	uint64_t	prev,
				prevdelta = 0;

	if (n == 0)
		return pos;
	pos += codec_put_varint(out + pos, zigzag(v[0]));
	prev = (uint64_t) v[0];
	/* the first delta seeds the delta-of-delta mode */
	if (n > 1)
	{
		prevdelta = (uint64_t) v[1] - (uint64_t) v[0];
		pos += codec_put_varint(out + pos, zigzag((int64_t) prevdelta));
	}
	for (size_t i = 1; i < n; i += DD_BLOCK)
	{
		size_t		cnt = n - i < DD_BLOCK ? n - i : DD_BLOCK;
		uint64_t	zd[DD_BLOCK],
					zdd[DD_BLOCK],
					ord = 0,
					ordd = 0,
					p = prev,
					pd = prevdelta;
		int			wd,
					wdd,
					mode,
					width;
		BitWriter	bw;

		for (size_t j = 0; j < cnt; j++)
		{
			uint64_t	d = (uint64_t) v[i + j] - p;

			zd[j] = zigzag((int64_t) d);
			zdd[j] = zigzag((int64_t) (d - pd));
			ord |= zd[j];
			ordd |= zdd[j];
			p = (uint64_t) v[i + j];
			pd = d;
		}
		wd = bit_width(ord);
		wdd = bit_width(ordd);
		mode = wdd < wd;
		width = mode ? wdd : wd;
		out[pos++] = (uint8_t) ((mode << 7) | width);
		bw.buf = out + pos;
		bw.bitpos = 0;
		memset(bw.buf, 0, (cnt * width + 7) / 8);
		for (size_t j = 0; j < cnt; j++)
			bw_put(&bw, mode ? zdd[j] : zd[j], width);
		pos += bw_bytes(&bw);
		prev = p;
		prevdelta = pd;
	}
	return pos;
}

int64_t
dd_count(const uint8_t *in, size_t len)
{
	size_t		pos = 0;
	uint64_t	n;

	if (codec_get_varint(in, len, &pos, &n) != 0 || n > CODEC_MAX_VALUES)
		return -1;
	return (int64_t) n;
}

int
dd_decode(const uint8_t *in, size_t len, int64_t *out, size_t n)
{
	size_t		pos = 0;
	uint64_t	cnt,
				first,
				prev,
				prevdelta = 0;

	if (codec_get_varint(in, len, &pos, &cnt) != 0 || cnt != n)
		return -1;
	if (n == 0)
		return pos == len ? 0 : -1;
	if (codec_get_varint(in, len, &pos, &first) != 0)
		return -1;
	out[0] = unzigzag(first);
	prev = (uint64_t) out[0];
	if (n > 1)
	{
		uint64_t	z;

		if (codec_get_varint(in, len, &pos, &z) != 0)
			return -1;
		prevdelta = (uint64_t) unzigzag(z);
	}
	for (size_t i = 1; i < n; i += DD_BLOCK)
	{
		size_t		bcnt = n - i < DD_BLOCK ? n - i : DD_BLOCK;
		int			mode,
					width;
		BitReader	br;

		if (pos >= len)
			return -1;
		mode = in[pos] >> 7;
		width = in[pos] & 0x7f;
		pos++;
		if (width > 64 || (len - pos) < (bcnt * width + 7) / 8)
			return -1;
		br.buf = in + pos;
		br.nbits = bcnt * width;
		br.bitpos = 0;
		for (size_t j = 0; j < bcnt; j++)
		{
			uint64_t	z,
						d;

			if (br_get(&br, width, &z) != 0)
				return -1;
			d = mode ? prevdelta + (uint64_t) unzigzag(z) : (uint64_t) unzigzag(z);
			prev += d;
			prevdelta = d;
			out[i + j] = (int64_t) prev;
		}
		pos += (bcnt * width + 7) / 8;
	}
	return pos == len ? 0 : -1;
}
