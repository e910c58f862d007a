/*
 * varint.c
 *		LEB128 varints for the column codecs (codecs.h): seven bits a byte,
 *		low first.  Pure C; used by every codec header.
 */
#include "storage/codecs/codecs.h"

size_t
codec_put_varint(uint8_t *out, uint64_t v)
{
	size_t		n = 0;

	while (v >= 0x80)
	{
		out[n++] = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t) v;
	return n;
}

/* Read one varint at *pos; -1 when truncated or longer than 10 bytes. */
int
codec_get_varint(const uint8_t *in, size_t len, size_t *pos, uint64_t *v)
{
	uint64_t	r = 0;
	int			shift = 0;

	while (*pos < len)
	{
		uint8_t		b = in[(*pos)++];

		if (shift == 63 && (b & 0x7e))
			return -1;
		r |= (uint64_t) (b & 0x7f) << shift;
		if (!(b & 0x80))
		{
			*v = r;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return -1;
	}
	return -1;
}
