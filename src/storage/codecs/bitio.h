/*
 * bitio.h
 *		LSB-first bit writer and reader shared by the codecs (codecs.h).
 *		The writer's buffer must be zeroed; the reader never reads past
 *		its end (a read past it fails the decode).
 */
#ifndef STREAMSTAT_CODECS_BITIO_H
#define STREAMSTAT_CODECS_BITIO_H

#include <stdint.h>
#include <stddef.h>

typedef struct BitWriter
{
	uint8_t    *buf;
	size_t		bitpos;
} BitWriter;

typedef struct BitReader
{
	const uint8_t *buf;
	size_t		nbits;
	size_t		bitpos;
} BitReader;

/* Write the low w bits (0..64) of v. */
static inline void
bw_put(BitWriter *w, uint64_t v, int width)
{
	while (width > 0)
	{
		int			off = (int) (w->bitpos & 7);
		int			take = 8 - off < width ? 8 - off : width;

		w->buf[w->bitpos >> 3] |= (uint8_t) ((v & ((1u << take) - 1)) << off);
		v = take == 64 ? 0 : v >> take;
		width -= take;
		w->bitpos += take;
	}
}

static inline size_t
bw_bytes(const BitWriter *w)
{
	return (w->bitpos + 7) >> 3;
}

/* Read w bits (0..64) into *v; -1 past the end. */
static inline int
br_get(BitReader *r, int width, uint64_t *v)
{
	uint64_t	res = 0;
	int			got = 0;

	if (width < 0 || width > 64 || r->nbits - r->bitpos < (size_t) width || r->bitpos > r->nbits)
		return -1;
	while (got < width)
	{
		int			off = (int) (r->bitpos & 7);
		int			take = 8 - off < width - got ? 8 - off : width - got;
		uint64_t	bits = (r->buf[r->bitpos >> 3] >> off) & ((1u << take) - 1);

		res |= bits << got;
		got += take;
		r->bitpos += take;
	}
	*v = res;
	return 0;
}

static inline uint64_t
zigzag(int64_t v)
{
	return ((uint64_t) v << 1) ^ (uint64_t) (v >> 63);
}

static inline int64_t
unzigzag(uint64_t u)
{
	return (int64_t) ((u >> 1) ^ (~(u & 1) + 1));
}

static inline int
bit_width(uint64_t v)
{
	return v == 0 ? 0 : 64 - __builtin_clzll(v);
}

#endif
