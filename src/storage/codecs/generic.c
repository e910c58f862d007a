/*
 * generic.c
 *		Fallback codec (codecs.h): any byte string, LZ4 block compression
 *		(liblz4), or stored raw when that is not smaller.  Format: varint
 *		decoded length, a mode byte (0 raw, 1 LZ4), the payload.
 */
#include <string.h>
#include <lz4.h>

#include "storage/codecs/codecs.h"

size_t
generic_bound(size_t nbytes)
{
	return 10 + 1 + (size_t) LZ4_compressBound((int) nbytes) + nbytes;
}

size_t
generic_encode(const uint8_t *src, size_t nbytes, uint8_t *out)
{
	size_t		pos = codec_put_varint(out, nbytes);
	int			c = 0;

	if (nbytes == 0)
		return pos;
	if (nbytes < (size_t) LZ4_MAX_INPUT_SIZE)
		c = LZ4_compress_default((const char *) src, (char *) out + pos + 1, (int) nbytes,
								 LZ4_compressBound((int) nbytes));
	if (c > 0 && (size_t) c < nbytes)
	{
		out[pos] = 1;
		return pos + 1 + c;
	}
	out[pos] = 0;
	memcpy(out + pos + 1, src, nbytes);
	return pos + 1 + nbytes;
}

int64_t
generic_count(const uint8_t *in, size_t len)
{
	size_t		pos = 0;
	uint64_t	n;

	if (codec_get_varint(in, len, &pos, &n) != 0 || n > (uint64_t) 1 << 30)
		return -1;
	return (int64_t) n;
}

int
generic_decode(const uint8_t *in, size_t len, uint8_t *out, size_t nbytes)
{
	size_t		pos = 0;
	uint64_t	n;

	if (codec_get_varint(in, len, &pos, &n) != 0 || n != nbytes)
		return -1;
	if (n == 0)
		return pos == len ? 0 : -1;
	if (pos >= len)
		return -1;
	if (in[pos] == 0)
	{
		if (len - pos - 1 != n)
			return -1;
		memcpy(out, in + pos + 1, n);
		return 0;
	}
	if (in[pos] != 1 || len - pos - 1 > (size_t) LZ4_MAX_INPUT_SIZE)
		return -1;
	if (LZ4_decompress_safe((const char *) in + pos + 1, (char *) out,
							(int) (len - pos - 1), (int) nbytes) != (int) nbytes)
		return -1;
	return 0;
}
