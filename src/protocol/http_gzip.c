/*
 * http_gzip.c
 *		Streaming inflate of gzip-encoded request bodies with a hard cap on
 *		the decompressed size.
 *
 * Where it sits in the path of a record: between the HTTP parser and the
 * line splitter.  The body spans HTTP_BODY hands out (chunking already
 * removed) go in; line-protocol text comes out in pieces of the caller's
 * output buffer, so a body is never held whole in memory.  Telegraf and the
 * InfluxDB clients gzip by default.
 *
 * A gzip bomb stops at the cap (HTTP_GZIP_TOO_LARGE, answered 413) after at
 * most max_out bytes were produced; bad or truncated data is
 * HTTP_GZIP_CORRUPT (400).  Concatenated members are accepted, as Go's gzip
 * reader (InfluxDB) does; anything else after a member is corrupt.
 *
 * Pure C99 and zlib, no PostgreSQL headers.
 */
#include "protocol/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* zlib's gzip-only window: 15 bits plus 16 selects the gzip wrapper. */
#define HTTP_GZIP_WINDOW_BITS (15 + 16)

/* zlib allocation through the caller's allocator. */
static voidpf
gzip_alloc(voidpf opaque, uInt items, uInt size)
{
	HttpGzip   *gz = opaque;

	return gz->realloc_fn(NULL, (size_t) items * size, gz->realloc_arg);
}

/* zlib release through the caller's allocator. */
static void
gzip_free_cb(voidpf opaque, voidpf ptr)
{
	HttpGzip   *gz = opaque;

	if (ptr)
		gz->realloc_fn(ptr, 0, gz->realloc_arg);
}

/* Default allocator: malloc/realloc/free. */
static void *
gzip_default_realloc(void *ptr, size_t size, void *arg)
{
	(void) arg;
	if (size == 0)
	{
		free(ptr);
		return NULL;
	}
	return realloc(ptr, size);
}

/* Record why inflating failed; returns the result for convenience. */
static HttpGzipResult
gzip_fail(HttpGzip *gz, HttpGzipResult result, const char *message)
{
	snprintf(gz->error, sizeof(gz->error), "%s", message);
	return result;
}

HttpGzipResult
http_gzip_init(HttpGzip *gz, int64_t max_out, HttpReallocFn realloc_fn, void *arg)
{
	z_stream   *zs;

	memset(gz, 0, sizeof(*gz));
	gz->realloc_fn = realloc_fn ? realloc_fn : gzip_default_realloc;
	gz->realloc_arg = arg;
	gz->max_out = max_out;

	zs = gz->realloc_fn(NULL, sizeof(z_stream), gz->realloc_arg);
	if (zs == NULL)
		return gzip_fail(gz, HTTP_GZIP_NO_MEMORY, "out of memory");
	memset(zs, 0, sizeof(*zs));
	zs->zalloc = gzip_alloc;
	zs->zfree = gzip_free_cb;
	zs->opaque = gz;
	if (inflateInit2(zs, HTTP_GZIP_WINDOW_BITS) != Z_OK)
	{
		gz->realloc_fn(zs, 0, gz->realloc_arg);
		return gzip_fail(gz, HTTP_GZIP_NO_MEMORY, "could not start gzip decompression");
	}
	gz->zs = zs;
	return HTTP_GZIP_OK;
}

HttpGzipResult
http_gzip_inflate(HttpGzip *gz, const char *in, size_t in_len, size_t *in_used,
				  char *out, size_t out_cap, size_t *out_len)
{
	z_stream   *zs = gz->zs;
	int64_t		room;
	int			rc;

	*in_used = 0;
	*out_len = 0;
	if (zs == NULL)
		return gzip_fail(gz, HTTP_GZIP_NO_MEMORY, "gzip decompression not started");

	/* Between members: more input must start another gzip member. */
	if (gz->member_done)
	{
		if (in_len == 0)
			return HTTP_GZIP_END;
		if ((unsigned char) in[0] != 0x1f)
			return gzip_fail(gz, HTTP_GZIP_CORRUPT, "data after the end of the gzip stream");
		if (inflateReset(zs) != Z_OK)
			return gzip_fail(gz, HTTP_GZIP_CORRUPT, "could not restart gzip decompression");
		gz->member_done = false;
	}

	/*
	 * Offer at most one byte beyond the cap: producing it proves the body is
	 * too large without ever holding more than the cap.
	 */
	room = gz->max_out - gz->total_out + 1;
	if ((int64_t) out_cap > room)
		out_cap = (size_t) room;
	if (out_cap > UINT32_MAX)
		out_cap = UINT32_MAX;
	if (in_len > UINT32_MAX)
		in_len = UINT32_MAX;

	zs->next_in = (Bytef *) in;
	zs->avail_in = (uInt) in_len;
	zs->next_out = (Bytef *) out;
	zs->avail_out = (uInt) out_cap;
	rc = inflate(zs, Z_NO_FLUSH);
	*in_used = in_len - zs->avail_in;
	*out_len = out_cap - zs->avail_out;
	gz->total_out += (int64_t) *out_len;

	if (gz->total_out > gz->max_out)
	{
		*out_len -= (size_t) (gz->total_out - gz->max_out);
		return gzip_fail(gz, HTTP_GZIP_TOO_LARGE, "decompressed body over the size limit");
	}
	switch (rc)
	{
		case Z_OK:
			return HTTP_GZIP_OK;
		case Z_BUF_ERROR:
			/* no progress possible: output room is zero */
			return HTTP_GZIP_OK;
		case Z_STREAM_END:
			gz->member_done = true;
			return HTTP_GZIP_OK;
		case Z_MEM_ERROR:
			return gzip_fail(gz, HTTP_GZIP_NO_MEMORY, "out of memory in gzip decompression");
		default:
			return gzip_fail(gz, HTTP_GZIP_CORRUPT,
							 zs->msg ? zs->msg : "corrupt gzip data");
	}
}

HttpGzipResult
http_gzip_finish(HttpGzip *gz)
{
	if (gz->zs != NULL && gz->member_done)
		return HTTP_GZIP_END;
	return gzip_fail(gz, HTTP_GZIP_CORRUPT, "truncated gzip data");
}

void
http_gzip_free(HttpGzip *gz)
{
	if (gz->zs != NULL)
	{
		inflateEnd(gz->zs);
		gz->realloc_fn(gz->zs, 0, gz->realloc_arg);
		gz->zs = NULL;
	}
}
