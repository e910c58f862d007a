/*
 * bench_http.c
 *		Cost of the HTTP framing in front of the line splitter: 5M lines in
 *		10k-line requests through http_parser_feed (Content-Length, chunked,
 *		gzip), against splitting the same lines as they come off a TCP
 *		socket.  Prints rates and ratios; asserts nothing about time.
 *
 * Where it sits: measures the first stage of the HTTP path only; the ILP
 * parser, batch and writer behind it are the same for both protocols.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "protocol/http.h"

#define LINES_PER_REQUEST 10000
#define READ_BYTES 65536		/* what one socket read returns */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *
bench_realloc(void *ptr, size_t size, void *arg)
{
	(void) arg;
	if (size == 0)
	{
		free(ptr);
		return NULL;
	}
	return realloc(ptr, size);
}

/* Count line ends in a span (the splitter's minimum work). */
static long
count_lines(const char *p, size_t n)
{
	long		lines = 0;
	const char *end = p + n;

	while ((p = memchr(p, '\n', (size_t) (end - p))) != NULL)
	{
		lines++;
		p++;
	}
	return lines;
}

/* Feed a stream in socket-sized reads; returns the lines seen in bodies. */
static long
run_http(const char *stream, size_t len, int64_t max_body, bool gzip)
{
	HttpParser	p;
	HttpLimits	limits = {8192, 65536, 100, max_body};
	HttpGzip	gz;
	static char out[256 * 1024];
	long		lines = 0;
	size_t		off = 0;

	http_parser_init(&p, &limits, bench_realloc, NULL);
	while (off < len)
	{
		size_t		n = len - off < READ_BYTES ? len - off : READ_BYTES;
		size_t		pos = 0;

		for (;;)
		{
			const char *body;
			size_t		blen,
						used;
			HttpEvent	ev = http_parser_feed(&p, stream + off + pos, n - pos, &used, &body, &blen);

			pos += used;
			if (ev == HTTP_NEED_MORE)
				break;
			if (ev == HTTP_ERROR)
			{
				fprintf(stderr, "parse error %d: %s\n", p.status, p.error);
				exit(1);
			}
			if (ev == HTTP_HEAD && gzip)
				http_gzip_init(&gz, max_body, NULL, NULL);
			else if (ev == HTTP_BODY && !gzip)
				lines += count_lines(body, blen);
			else if (ev == HTTP_BODY)
			{
				size_t		bo = 0;

				for (;;)
				{
					size_t		in_used,
								produced;
					HttpGzipResult r = http_gzip_inflate(&gz, body + bo, blen - bo, &in_used,
														 out, sizeof(out), &produced);

					bo += in_used;
					lines += count_lines(out, produced);
					if (r != HTTP_GZIP_OK && r != HTTP_GZIP_END)
					{
						fprintf(stderr, "gzip error: %s\n", gz.error);
						exit(1);
					}
					if (bo == blen && produced < sizeof(out))
						break;
				}
			}
			else if (ev == HTTP_DONE && gzip)
			{
				if (http_gzip_finish(&gz) != HTTP_GZIP_END)
					exit(1);
				http_gzip_free(&gz);
			}
		}
		off += n;
	}
	http_parser_free(&p);
	return lines;
}

/* Append to a growable buffer. */
static void
put(char **buf, size_t *len, size_t *cap, const void *data, size_t n)
{
	if (*len + n > *cap)
	{
		*cap = (*len + n) * 2;
		*buf = realloc(*buf, *cap);
	}
	memcpy(*buf + *len, data, n);
	*len += n;
}

int
main(int argc, char **argv)
{
	long		total_lines = argc > 1 ? atol(argv[1]) : 5000000;
	long		nreq = total_lines / LINES_PER_REQUEST;
	char	   *body = NULL;
	size_t		body_len = 0,
				body_cap = 0;
	char	   *tcp = NULL,
			   *cl = NULL,
			   *ch = NULL,
			   *gz = NULL;
	size_t		tcp_len = 0,
				tcp_cap = 0,
				cl_len = 0,
				cl_cap = 0,
				ch_len = 0,
				ch_cap = 0,
				gz_len = 0,
				gz_cap = 0;
	unsigned char *z;
	uLongf		zlen;
	long		i,
				r;
	double		t0,
				t_ref,
				t_cl,
				t_ch,
				t_gz;
	long		n_ref,
				n_cl,
				n_ch,
				n_gz;
	char		head[512];

	/* one request body: 10k lines like Telegraf's cpu plugin */
	for (i = 0; i < LINES_PER_REQUEST; i++)
	{
		char		line[160];
		int			n = snprintf(line, sizeof(line),
								 "cpu,host=server%02ld,cpu=cpu%ld usage_user=%ld.25,usage_system=%ld.5,usage_idle=%ldi %ld\n",
								 i % 50, i % 8, i % 100, i % 37, 1000 - i % 1000, 1700000000000000000L + i);

		put(&body, &body_len, &body_cap, line, (size_t) n);
	}
	zlen = compressBound(body_len) + 64;
	z = malloc(zlen);
	{
		z_stream	zs = {0};

		deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
		zs.next_in = (Bytef *) body;
		zs.avail_in = body_len;
		zs.next_out = z;
		zs.avail_out = zlen;
		deflate(&zs, Z_FINISH);
		zlen = zs.total_out;
		deflateEnd(&zs);
	}

	for (r = 0; r < nreq; r++)
	{
		size_t		off;
		int			n;

		put(&tcp, &tcp_len, &tcp_cap, body, body_len);

		n = snprintf(head, sizeof(head), "POST /api/v2/write?org=o&bucket=b&precision=ns HTTP/1.1\r\n"
					 "Host: db:8086\r\nAuthorization: Token sst_0123456789abcdef\r\nUser-Agent: bench\r\n"
					 "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n\r\n", body_len);
		put(&cl, &cl_len, &cl_cap, head, (size_t) n);
		put(&cl, &cl_len, &cl_cap, body, body_len);

		/* chunked in 16 KiB chunks, like Node's http client */
		n = snprintf(head, sizeof(head), "POST /api/v2/write?org=o&bucket=b&precision=ns HTTP/1.1\r\n"
					 "Host: db:8086\r\nAuthorization: Token sst_0123456789abcdef\r\n"
					 "Transfer-Encoding: chunked\r\n\r\n");
		put(&ch, &ch_len, &ch_cap, head, (size_t) n);
		for (off = 0; off < body_len; off += 16384)
		{
			size_t		c = body_len - off < 16384 ? body_len - off : 16384;

			n = snprintf(head, sizeof(head), "%zx\r\n", c);
			put(&ch, &ch_len, &ch_cap, head, (size_t) n);
			put(&ch, &ch_len, &ch_cap, body + off, c);
			put(&ch, &ch_len, &ch_cap, "\r\n", 2);
		}
		put(&ch, &ch_len, &ch_cap, "0\r\n\r\n", 5);

		n = snprintf(head, sizeof(head), "POST /api/v2/write?org=o&bucket=b&precision=ns HTTP/1.1\r\n"
					 "Host: db:8086\r\nAuthorization: Token sst_0123456789abcdef\r\n"
					 "Content-Encoding: gzip\r\nContent-Length: %lu\r\n\r\n", (unsigned long) zlen);
		put(&gz, &gz_len, &gz_cap, head, (size_t) n);
		put(&gz, &gz_len, &gz_cap, z, zlen);
	}

	/* reference: the TCP path reads the same lines in socket-sized reads */
	t0 = now_s();
	n_ref = 0;
	for (size_t off = 0; off < tcp_len; off += READ_BYTES)
		n_ref += count_lines(tcp + off, tcp_len - off < READ_BYTES ? tcp_len - off : READ_BYTES);
	t_ref = now_s() - t0;

	t0 = now_s();
	n_cl = run_http(cl, cl_len, 32 << 20, false);
	t_cl = now_s() - t0;
	t0 = now_s();
	n_ch = run_http(ch, ch_len, 32 << 20, false);
	t_ch = now_s() - t0;
	t0 = now_s();
	n_gz = run_http(gz, gz_len, 32 << 20, true);
	t_gz = now_s() - t0;

	if (n_ref != nreq * LINES_PER_REQUEST || n_cl != n_ref || n_ch != n_ref || n_gz != n_ref)
	{
		fprintf(stderr, "line counts differ: %ld %ld %ld %ld\n", n_ref, n_cl, n_ch, n_gz);
		return 1;
	}
	printf("%ld lines in %ld requests of %d lines (%.1f MB of line protocol, %.1f MB gzipped)\n",
		   n_ref, nreq, LINES_PER_REQUEST, tcp_len / 1e6, gz_len / 1e6);
	printf("tcp reference (split only)  %8.1f Mlines/s\n", n_ref / t_ref / 1e6);
	printf("http content-length         %8.1f Mlines/s  %.2fx of tcp\n", n_cl / t_cl / 1e6, t_ref / t_cl);
	printf("http chunked                %8.1f Mlines/s  %.2fx of tcp\n", n_ch / t_ch / 1e6, t_ref / t_ch);
	printf("http gzip                   %8.1f Mlines/s  %.2fx of tcp\n", n_gz / t_gz / 1e6, t_ref / t_gz);
	free(body);
	free(tcp);
	free(cl);
	free(ch);
	free(gz);
	free(z);
	return 0;
}
