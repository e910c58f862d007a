/*
 * bitpack.c
 *		Boolean codec (codecs.h), also the NULL bitmap of every compressed
 *		column: a count, a mode byte, then either eight values a byte
 *		(mode 0) or runs (mode 1: the first value, then run lengths as
 *		varints, values alternating), whichever is shorter.
 */
#include <string.h>

#include "storage/codecs/codecs.h"

size_t
bool_bound(size_t n)
{
	return 10 + 1 + 1 + (n + 7) / 8;
}

size_t
bool_encode(const uint8_t *v, size_t n, uint8_t *out)
{
	size_t		pos = codec_put_varint(out, n);
	size_t		packed = (n + 7) / 8;
	size_t		nruns = 0;

	if (n == 0)
		return pos;
	for (size_t i = 1; i < n; i++)
		nruns += (v[i] != 0) != (v[i - 1] != 0);
	nruns++;
	/* runs cost at least one byte each; take them only when clearly shorter */
	if (nruns * 3 + 1 < packed)
	{
		size_t		run = 1;

		out[pos++] = 1;
		out[pos++] = v[0] != 0;
		for (size_t i = 1; i < n; i++)
		{
			if ((v[i] != 0) == (v[i - 1] != 0))
				run++;
			else
			{
				pos += codec_put_varint(out + pos, run);
				run = 1;
			}
		}
		pos += codec_put_varint(out + pos, run);
		return pos;
	}
	out[pos++] = 0;
	memset(out + pos, 0, packed);
	for (size_t i = 0; i < n; i++)
		if (v[i])
			out[pos + i / 8] |= (uint8_t) (1u << (i % 8));
	return pos + packed;
}

int64_t
bool_count(const uint8_t *in, size_t len)
{
	return dd_count(in, len);
}

int
bool_decode(const uint8_t *in, size_t len, uint8_t *out, size_t n)
{
	size_t		pos = 0;
	uint64_t	cnt;

	if (codec_get_varint(in, len, &pos, &cnt) != 0 || cnt != n)
		return -1;
	if (n == 0)
		return pos == len ? 0 : -1;
	if (pos >= len)
		return -1;
	if (in[pos] == 0)
	{
		pos++;
		if (len - pos != (n + 7) / 8)
			return -1;
		for (size_t i = 0; i < n; i++)
			out[i] = (in[pos + i / 8] >> (i % 8)) & 1;
		return 0;
	}
	else if (in[pos] == 1)
	{
		uint8_t		val;
		size_t		done = 0;

		pos++;
		if (pos >= len || in[pos] > 1)
			return -1;
		val = in[pos++];
		while (done < n)
		{
			uint64_t	run;

			if (codec_get_varint(in, len, &pos, &run) != 0 || run == 0 || run > n - done)
				return -1;
			memset(out + done, val, run);
			done += run;
			val ^= 1;
		}
		return pos == len ? 0 : -1;
	}
	return -1;
}
