/*
 * bench_parse.c
 *		Parse-only benchmark of the line protocol parser (ilp_parse.c).
 *
 * Three inputs of N lines each (values vary line to line): (a) the typical
 * Telegraf cpu line, (b) a line with escapes in every element and a string
 * field, (c) a 20-field line.  Each is parsed whole, best of 3 runs, and
 * reported as lines/s and MB/s, with the ratio to a reference measured in
 * the same run: splitting the same buffer into lines with memchr (what the
 * TCP reader does anyway), so the figures can be compared across machines.
 *
 * Usage: bench_parse [lines, default 2000000]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "protocol/ilp.h"

/* Allocator for the parser. */
static void *
bench_realloc(void *ptr, size_t size, void *arg)
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

/* Monotonic seconds. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An input: the lines, '\n'-terminated, in one buffer. */
typedef struct Input
{
	char	   *buf;
	size_t		len;
	long		lines;
} Input;

/* Build n lines of the given kind. */
static void
make_input(Input *in, int kind, long n)
{
	size_t		cap = (size_t) n * 400 + 1024;
	long		i;
	unsigned	x = 12345;

	in->buf = malloc(cap);
	in->len = 0;
	in->lines = n;
	for (i = 0; i < n; i++)
	{
		char	   *p = in->buf + in->len;
		long long	ts = 1700000000000000000LL + i * 1000000LL;
		int			k;

		x = x * 1103515245u + 12345u;
		switch (kind)
		{
			case 0:
				p += sprintf(p, "cpu,host=server%02u,region=us-west usage_user=%u.%u,"
							 "usage_system=%u.%02u,usage_idle=%u.%02u,count=%ui %lld\n",
							 x % 100, (x >> 8) % 100, (x >> 4) % 10, (x >> 12) % 10,
							 (x >> 16) % 100, 50 + (x >> 5) % 50, (x >> 9) % 100,
							 (x >> 3) % 1000, ts);
				break;
			case 1:
				p += sprintf(p, "disk\\ io,host=web\\,%02u,path=/var/lib\\ data"
							 " used\\ pct=%u.%u,status=\"ok \\\"disk\\\" %u\\nnext\",errors=%ui %lld\n",
							 x % 100, (x >> 8) % 100, (x >> 4) % 10, (x >> 12) % 1000,
							 (x >> 16) % 10, ts);
				break;
			default:
				p += sprintf(p, "sensors,host=h%u,site=s%u", x % 1000, (x >> 10) % 10);
				for (k = 0; k < 20; k++)
				{
					x = x * 1103515245u + 12345u;
					p += sprintf(p, "%cf%d=%u.%02u", k ? ',' : ' ', k, (x >> 8) % 1000, (x >> 4) % 100);
				}
				p += sprintf(p, " %lld\n", ts);
				break;
		}
		in->len = (size_t) (p - in->buf);
	}
}

static volatile double sink;

/* Split only (the reference): seconds for one pass. */
static double
run_split(const Input *in)
{
	const char *p = in->buf,
			   *end = in->buf + in->len;
	double		t0 = now();
	size_t		total = 0;

	while (p < end)
	{
		const char *nl = memchr(p, '\n', (size_t) (end - p));

		total += (size_t) (nl - p);
		p = nl + 1;
	}
	sink = (double) total;
	return now() - t0;
}

/* Split and parse: seconds for one pass. */
static double
run_parse(const Input *in, IlpParser *parser)
{
	const char *p = in->buf,
			   *end = in->buf + in->len;
	double		t0 = now();
	double		sum = 0;
	long		bad = 0;

	while (p < end)
	{
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		IlpPoint	pt;

		if (ilp_parse_line(parser, p, (size_t) (nl - p), &pt) != ILP_OK)
			bad++;
		else
			sum += pt.nfields + (pt.fields[0].type == ILP_FLOAT ? pt.fields[0].value.f : 0);
		p = nl + 1;
	}
	if (bad)
	{
		fprintf(stderr, "%ld lines failed to parse: %s\n", bad, ilp_error(parser));
		exit(1);
	}
	sink = sum;
	return now() - t0;
}

int
main(int argc, char **argv)
{
	static const char *names[] = {
		"(a) typical cpu line, 4 fields",
		"(b) escapes + string field",
		"(c) 20 float fields"
	};
	long		n = argc > 1 ? atol(argv[1]) : 2000000;
	int			kind;

	printf("parse-only, %ld lines per input, best of 3 runs\n", n);
	for (kind = 0; kind < 3; kind++)
	{
		Input		in;
		IlpParser	parser;
		double		best = 1e9,
					ref = 1e9;
		int			run;

		make_input(&in, kind, n);
		ilp_parser_init(&parser, bench_realloc, NULL);
		for (run = 0; run < 3; run++)
		{
			double		t = run_parse(&in, &parser);
			double		r = run_split(&in);

			if (t < best)
				best = t;
			if (r < ref)
				ref = r;
		}
		printf("%-34s %6.1f B/line  %7.2f M lines/s  %7.1f MB/s  (%.1fx the memchr split)\n",
			   names[kind], (double) in.len / n, n / best / 1e6, in.len / best / 1e6,
			   best / ref);
		ilp_parser_free(&parser);
		free(in.buf);
	}
	return 0;
}
