/*
 * fuzz_http.c
 *		libFuzzer target for the HTTP request parser (http_parse.c) with
 *		gzip bodies (http_gzip.c) and the request helpers the worker uses
 *		on what it parsed (http_write.c).
 *
 * The first input byte chooses the mode and how the rest is cut into
 * feeds (1 to 32 bytes, or all at once).  Mode "raw": the rest is a byte
 * stream of pipelined requests.  Mode "gzip": the rest is a request body;
 * the harness compresses it (zlib) and wraps it in a POST with
 * Content-Encoding: gzip, with Content-Length or chunked, and may cut or
 * flip a byte of the compressed data, so the inflater sees valid, damaged
 * and truncated streams.  Every request body marked gzip is inflated with
 * a small cap, as http_conn.c does.  Checks: consumed bytes within the
 * input, body slices within it, decoded sizes within the limits, the
 * inflater never past its cap, and the worker's helpers (parameters,
 * secret, precision) on every parsed head.
 *
 * Build and run: scripts/fuzz.sh [seconds] (make fuzz builds it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "protocol/http.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "contract broken: %s (line %d)\n", #cond, __LINE__); \
			abort(); \
		} \
	} while (0)

#define FUZZ_MAX_OUT 65536

static void *
fuzz_realloc(void *ptr, size_t size, void *arg)
{
	(void) arg;
	if (size == 0)
	{
		free(ptr);
		return NULL;
	}
	ptr = realloc(ptr, size);
	if (ptr == NULL)
		abort();
	return ptr;
}

/* Parse a stream of requests, inflating gzip bodies. */
static void
parse_stream(const char *data, size_t size, size_t step)
{
	HttpParser	p;
	HttpLimits	limits = {1024, 4096, 32, 1 << 20};
	HttpGzip	gz;
	bool		gzip = false;
	bool		gz_dead = false;
	size_t		off = 0;
	static char out[4096];
	int64_t		inflated = 0;

	http_parser_init(&p, &limits, fuzz_realloc, NULL);
	while (off < size)
	{
		size_t		len = step == 0 || size - off < step ? size - off : step;
		size_t		used = 0;
		const char *body = NULL;
		size_t		body_len = 0;
		HttpEvent	ev = http_parser_feed(&p, data + off, len, &used, &body, &body_len);

		CHECK(used <= len);
		switch (ev)
		{
			case HTTP_NEED_MORE:
				CHECK(used == len);
				break;
			case HTTP_HEAD:
				{
					char		secret[256];
					IlpPrecision prec;
					int64_t		mult;

					CHECK(p.request.path != NULL && p.request.nparams <= HTTP_MAX_PARAMS);
					(void) http_request_param(&p.request, "bucket");
					(void) http_request_secret(&p.request, true, secret, sizeof(secret));
					(void) http_request_secret(&p.request, false, secret, sizeof(secret));
					(void) http_parse_precision(http_request_param(&p.request, "precision"),
												true, &prec, &mult);
					if (gzip)
						http_gzip_free(&gz);
					gzip = p.request.content_encoding == HTTP_ENCODING_GZIP;
					gz_dead = false;
					inflated = 0;
					if (gzip && http_gzip_init(&gz, FUZZ_MAX_OUT, fuzz_realloc, NULL) != HTTP_GZIP_OK)
						abort();
				}
				break;
			case HTTP_BODY:
				CHECK(body != NULL && body >= data + off && body + body_len <= data + off + len);
				while (gzip && !gz_dead && body_len > 0)
				{
					size_t		in_used = 0;
					size_t		produced = 0;
					HttpGzipResult r = http_gzip_inflate(&gz, body, body_len, &in_used,
														 out, sizeof(out), &produced);

					CHECK(in_used <= body_len && produced <= sizeof(out));
					inflated += produced;
					CHECK(inflated <= FUZZ_MAX_OUT);
					body += in_used;
					body_len -= in_used;
					if (r != HTTP_GZIP_OK)
						gz_dead = true;
					else if (in_used == 0 && produced == 0)
						break;
				}
				break;
			case HTTP_DONE:
				if (gzip)
				{
					if (!gz_dead)
						(void) http_gzip_finish(&gz);
					http_gzip_free(&gz);
					gzip = false;
				}
				break;
			case HTTP_ERROR:
				CHECK(p.status >= 400 && p.status < 600);
				CHECK(memchr(p.error, '\0', sizeof(p.error)) != NULL);
				off = size;
				continue;
		}
		off += used;
		if (used == 0 && ev == HTTP_NEED_MORE)
			break;
	}
	if (gzip)
		http_gzip_free(&gz);
	http_parser_free(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		step;

	if (size == 0)
		return 0;
	step = (data[0] & 31) == 0 ? 0 : (size_t) (data[0] & 31);
	if (!(data[0] & 0x80))
	{
		parse_stream((const char *) data + 1, size - 1, step);
		return 0;
	}

	/* gzip mode: compress the body, wrap it in a request. */
	{
		uLongf		clen = compressBound(size) + 64;
		unsigned char *c = malloc(clen);
		z_stream	zs;
		char	   *req;
		size_t		rlen;
		bool		chunked = data[0] & 0x40;
		bool		damage = data[0] & 0x20;

		memset(&zs, 0, sizeof(zs));
		if (c == NULL || deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			abort();
		zs.next_in = (Bytef *) data + 1;
		zs.avail_in = size - 1;
		zs.next_out = c;
		zs.avail_out = clen;
		if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
			abort();
		clen = zs.total_out;
		deflateEnd(&zs);
		if (damage && clen > 0 && size > 1)
		{
			size_t		at = data[1] % clen;

			if (data[size - 1] & 1)
				clen = at;		/* truncated */
			else
				c[at] ^= data[size - 1] | 1;	/* a flipped byte */
		}
		req = malloc(clen * 2 + 256);
		if (req == NULL)
			abort();
		rlen = sprintf(req, "POST /api/v2/write?bucket=b&precision=ms HTTP/1.1\r\n"
					   "Content-Encoding: gzip\r\n%s\r\n",
					   chunked ? "Transfer-Encoding: chunked\r\n" : "");
		if (!chunked)
		{
			rlen = sprintf(req, "POST /api/v2/write?bucket=b&precision=ms HTTP/1.1\r\n"
						   "Content-Encoding: gzip\r\nContent-Length: %lu\r\n\r\n",
						   (unsigned long) clen);
			memcpy(req + rlen, c, clen);
			rlen += clen;
		}
		else
		{
			/* two chunks, then the last one */
			size_t		half = clen / 2;

			rlen += sprintf(req + rlen, "%lx\r\n", (unsigned long) half);
			memcpy(req + rlen, c, half);
			rlen += half;
			rlen += sprintf(req + rlen, "\r\n%lx\r\n", (unsigned long) (clen - half));
			memcpy(req + rlen, c + half, clen - half);
			rlen += clen - half;
			rlen += sprintf(req + rlen, "\r\n0\r\n\r\n");
		}
		parse_stream(req, rlen, step);
		free(req);
		free(c);
	}
	return 0;
}
