/*
 * codecs.h
 *		The column codecs of compressed partitions (issue #17): pure C, no
 *		PostgreSQL header, so the unit tests and the fuzzer link them alone.
 *		A compressed segment (src/storage/compress.c) holds each column as
 *		one byte string written by one of these; the scan decodes it back.
 *
 * Contract shared by every codec:
 *	- X_bound(n[, ...]) is the most bytes X_encode can write for n values;
 *	  the caller gives an output buffer at least that large.
 *	- X_encode returns the number of bytes written (dict_encode returns 0
 *	  when it could not allocate its scratch space).
 *	- X_count(in, len) returns the value count stored in an encoded string,
 *	  or -1 when the header is malformed; X_decode(in, len, out, n) decodes
 *	  exactly n values (n as X_count said) and returns 0, or -1 on any
 *	  malformed, truncated or over-long input, never reading past in + len
 *	  nor writing past out[n - 1].
 *	- Counts are at most CODEC_MAX_VALUES (a segment holds far fewer).
 */
#ifndef STREAMSTAT_CODECS_H
#define STREAMSTAT_CODECS_H

#include <stddef.h>
#include <stdint.h>

#define CODEC_MAX_VALUES (1 << 20)

/* varint.c: LEB128 varints, shared by the codecs. */
size_t		codec_put_varint(uint8_t *out, uint64_t v);
int			codec_get_varint(const uint8_t *in, size_t len, size_t *pos, uint64_t *v);

/*
 * deltadelta.c: int64 (and timestamps): blocks of 128 values, each block
 * bit-packed at one width either as zigzag deltas or as zigzag
 * delta-of-deltas, whichever is narrower; a run of evenly spaced
 * timestamps costs one byte a block.  Arithmetic wraps, so every int64
 * (INT64_MIN, INT64_MAX) round-trips.
 */
size_t		dd_bound(size_t n);
size_t		dd_encode(const int64_t *v, size_t n, uint8_t *out);
int64_t		dd_count(const uint8_t *in, size_t len);
int			dd_decode(const uint8_t *in, size_t len, int64_t *out, size_t n);

/*
 * gorilla.c: float8 as its 64-bit pattern, XOR with the previous value,
 * leading/trailing zero counts as in the Gorilla paper (VLDB 2015).  Bit
 * patterns are kept exactly: NaN payloads, -0.0, infinities, subnormals.
 */
size_t		gorilla_bound(size_t n);
size_t		gorilla_encode(const uint64_t *bits, size_t n, uint8_t *out);
int64_t		gorilla_count(const uint8_t *in, size_t len);
int			gorilla_decode(const uint8_t *in, size_t len, uint64_t *out, size_t n);

/*
 * dictionary.c: byte strings (text, and other types as their text form):
 * a dictionary of the distinct strings in first-seen order, then the
 * string indexes as runs (index, length).  Decoded strings point into the
 * input buffer (no copy): out_ptr[i], out_len[i].
 */
size_t		dict_bound(size_t n, size_t total_bytes);
size_t		dict_encode(const char *const *str, const size_t *len, size_t n, uint8_t *out);
int64_t		dict_count(const uint8_t *in, size_t len);
int			dict_decode(const uint8_t *in, size_t len, const char **out_ptr,
						size_t *out_len, size_t n);

/*
 * bitpack.c: booleans (and the NULL bitmaps of every column), as runs
 * when that is shorter, else eight to a byte.  Values are 0 or 1.
 */
size_t		bool_bound(size_t n);
size_t		bool_encode(const uint8_t *v, size_t n, uint8_t *out);
int64_t		bool_count(const uint8_t *in, size_t len);
int			bool_decode(const uint8_t *in, size_t len, uint8_t *out, size_t n);

/*
 * generic.c: any byte string, LZ4-compressed (stored raw when LZ4 does not
 * make it smaller).  Here the "count" is the decoded byte length.
 */
size_t		generic_bound(size_t nbytes);
size_t		generic_encode(const uint8_t *src, size_t nbytes, uint8_t *out);
int64_t		generic_count(const uint8_t *in, size_t len);
int			generic_decode(const uint8_t *in, size_t len, uint8_t *out, size_t nbytes);

#endif
