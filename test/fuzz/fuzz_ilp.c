/*
 * fuzz_ilp.c
 *		libFuzzer target for the line protocol parser (ilp_parse.c).
 *
 * The input is split on '\n' and every line parsed with one parser (so
 * buffer reuse is exercised too).  Besides "no crash, no sanitizer report"
 * it checks the contract of ilp.h on every point: strings lie inside the
 * line or the scratch buffer, lengths are sane, names are non-empty, no key
 * repeats, no key is "time", errors are bounded lowercase sentences.  A
 * point is then written back as line protocol and parsed again, which must
 * give the same point (skipped when an element ends in a backslash, which
 * the format cannot write before a separator).
 *
 * Build and run: scripts/fuzz.sh [seconds] (make fuzz builds it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/ilp.h"

/* Plain allocator for the parsers. */
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

/* Crash with a message: libFuzzer saves the input. */
#define CHECK(cond) \
	do { if (!(cond)) { fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__); abort(); } } while (0)

/* Is s inside the line or the parser's scratch? */
static int
string_ok(const IlpString *s, const char *line, size_t len, const IlpParser *p)
{
	uintptr_t	a = (uintptr_t) s->data;
	uintptr_t	b = a + s->len;

	if (s->len > len)
		return 0;
	if (a >= (uintptr_t) line && b <= (uintptr_t) (line + len))
		return 1;
	return p->scratch != NULL && a >= (uintptr_t) p->scratch &&
		b <= (uintptr_t) (p->scratch + p->scratch_cap);
}

/* Same bytes? */
static int
same(const IlpString *a, const IlpString *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* Output buffer for the round trip. */
static char *out;
static size_t out_len,
			out_cap;

/* Append one byte to out. */
static void
emit(char c)
{
	if (out_len == out_cap)
	{
		out_cap = out_cap ? out_cap * 2 : 1024;
		out = fuzz_realloc(out, out_cap, NULL);
	}
	out[out_len++] = c;
}

/* Append a name, escaping the bytes in special. */
static void
emit_name(const IlpString *s, const char *special)
{
	size_t		i;

	for (i = 0; i < s->len; i++)
	{
		if (strchr(special, s->data[i]) && s->data[i] != '\0')
			emit('\\');
		emit(s->data[i]);
	}
}

/* Append formatted text. */
static void
emit_text(const char *t)
{
	while (*t)
		emit(*t++);
}

/* Does a name end in a backslash (not writable before a separator)? */
static int
ends_in_backslash(const IlpString *s)
{
	return s->len > 0 && s->data[s->len - 1] == '\\';
}

/* Write pt as line protocol into out; 0 when it cannot be written back. */
static int
write_point(const IlpPoint *pt)
{
	char		num[64];
	int			i;

	out_len = 0;
	if (ends_in_backslash(&pt->measurement) || pt->measurement.data[0] == '\t' ||
		pt->measurement.data[0] == '#')
		return 0;
	emit_name(&pt->measurement, ", ");
	for (i = 0; i < pt->ntags; i++)
	{
		if (ends_in_backslash(&pt->tags[i].key) || ends_in_backslash(&pt->tags[i].value))
			return 0;
		emit(',');
		emit_name(&pt->tags[i].key, ",= ");
		emit('=');
		emit_name(&pt->tags[i].value, ",= ");
	}
	for (i = 0; i < pt->nfields; i++)
	{
		const IlpField *f = &pt->fields[i];
		size_t		j;

		if (ends_in_backslash(&f->key))
			return 0;
		emit(i ? ',' : ' ');
		emit_name(&f->key, ",= ");
		emit('=');
		switch (f->type)
		{
			case ILP_FLOAT:
				snprintf(num, sizeof(num), "%.17g", f->value.f);
				emit_text(num);
				break;
			case ILP_INTEGER:
				snprintf(num, sizeof(num), "%lldi", (long long) f->value.i);
				emit_text(num);
				break;
			case ILP_UNSIGNED:
				snprintf(num, sizeof(num), "%lluu", (unsigned long long) f->value.u);
				emit_text(num);
				break;
			case ILP_BOOLEAN:
				emit_text(f->value.b ? "t" : "f");
				break;
			case ILP_STRING:
				emit('"');
				for (j = 0; j < f->value.s.len; j++)
				{
					char		c = f->value.s.data[j];

					if (c == '"' || c == '\\')
					{
						emit('\\');
						emit(c);
					}
					else if (c == '\n')
						emit_text("\\n");
					else if (c == '\r')
						emit_text("\\r");
					else
						emit(c);
				}
				emit('"');
				break;
		}
	}
	if (pt->has_timestamp)
	{
		snprintf(num, sizeof(num), " %lld", (long long) pt->timestamp);
		emit_text(num);
	}
	return 1;
}

/* Check a parsed point against the contract. */
static void
check_point(const IlpPoint *pt, const char *line, size_t len, const IlpParser *p)
{
	int			i,
				j;

	CHECK(pt->measurement.len > 0);
	CHECK(string_ok(&pt->measurement, line, len, p));
	CHECK(pt->ntags >= 0 && pt->nfields >= 1);
	CHECK((size_t) (pt->ntags + pt->nfields) <= len);
	for (i = 0; i < pt->ntags; i++)
	{
		CHECK(pt->tags[i].key.len > 0 && pt->tags[i].value.len > 0);
		CHECK(string_ok(&pt->tags[i].key, line, len, p));
		CHECK(string_ok(&pt->tags[i].value, line, len, p));
		CHECK(!(pt->tags[i].key.len == 4 && memcmp(pt->tags[i].key.data, "time", 4) == 0));
		for (j = 0; j < i; j++)
			CHECK(!same(&pt->tags[i].key, &pt->tags[j].key));
	}
	for (i = 0; i < pt->nfields; i++)
	{
		const IlpField *f = &pt->fields[i];

		CHECK(f->key.len > 0);
		CHECK(string_ok(&f->key, line, len, p));
		CHECK(!(f->key.len == 4 && memcmp(f->key.data, "time", 4) == 0));
		CHECK(f->type >= ILP_FLOAT && f->type <= ILP_BOOLEAN);
		if (f->type == ILP_STRING)
		{
			CHECK(f->value.s.len <= ILP_MAX_STRING_BYTES);
			CHECK(f->value.s.len == 0 || string_ok(&f->value.s, line, len, p));
		}
		if (f->type == ILP_FLOAT)
			CHECK(f->value.f == f->value.f && f->value.f - f->value.f == 0);	/* finite */
		for (j = 0; j < pt->ntags; j++)
			CHECK(!same(&f->key, &pt->tags[j].key));
		for (j = 0; j < i; j++)
			CHECK(!same(&f->key, &pt->fields[j].key));
	}
	/* without a backslash in the line, nothing is copied */
	if (memchr(line, '\\', len) == NULL)
	{
		CHECK(pt->measurement.data >= line && pt->measurement.data < line + len);
		for (i = 0; i < pt->nfields; i++)
			CHECK(pt->fields[i].key.data >= line && pt->fields[i].key.data < line + len);
	}
}

/* Parse the round-trip output and compare with pt (already rendered). */
static void
check_round_trip(const IlpPoint *pt, IlpParser *p2)
{
	IlpPoint	q;
	int			i;

	CHECK(ilp_parse_line(p2, out, out_len, &q) == ILP_OK);
	CHECK(same(&q.measurement, &pt->measurement));
	CHECK(q.ntags == pt->ntags && q.nfields == pt->nfields);
	CHECK(q.has_timestamp == pt->has_timestamp);
	CHECK(!q.has_timestamp || q.timestamp == pt->timestamp);
	for (i = 0; i < q.ntags; i++)
		CHECK(same(&q.tags[i].key, &pt->tags[i].key) && same(&q.tags[i].value, &pt->tags[i].value));
	for (i = 0; i < q.nfields; i++)
	{
		const IlpField *a = &q.fields[i];
		const IlpField *b = &pt->fields[i];

		CHECK(same(&a->key, &b->key) && a->type == b->type);
		switch (a->type)
		{
			case ILP_FLOAT:
				CHECK(memcmp(&a->value.f, &b->value.f, sizeof(double)) == 0);
				break;
			case ILP_INTEGER:
				CHECK(a->value.i == b->value.i);
				break;
			case ILP_UNSIGNED:
				CHECK(a->value.u == b->value.u);
				break;
			case ILP_BOOLEAN:
				CHECK(a->value.b == b->value.b);
				break;
			case ILP_STRING:
				CHECK(same(&a->value.s, &b->value.s));
				break;
		}
	}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static IlpParser parser,
				parser2;
	static int	initialized = 0;
	const char *p = (const char *) data;
	const char *end = p + size;

	if (!initialized)
	{
		ilp_parser_init(&parser, fuzz_realloc, NULL);
		ilp_parser_init(&parser2, fuzz_realloc, NULL);
		initialized = 1;
	}
	while (p <= end)
	{
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t		len = nl ? (size_t) (nl - p) : (size_t) (end - p);
		char	   *line;
		IlpPoint	pt;
		IlpResult	r;

		/* a copy of exactly len bytes, so ASan sees any read past the end */
		line = malloc(len ? len : 1);
		memcpy(line, p, len);
		r = ilp_parse_line(&parser, line, len, &pt);
		CHECK(r == ILP_OK || r == ILP_SKIP || r == ILP_ERROR);
		if (r == ILP_ERROR)
		{
			size_t		elen = strnlen(parser.error, ILP_ERROR_BYTES);

			CHECK(elen > 0 && elen < ILP_ERROR_BYTES);
			CHECK(parser.error[0] >= 'a' && parser.error[0] <= 'z');
		}
		else if (r == ILP_OK)
		{
			check_point(&pt, line, len, &parser);
			if (write_point(&pt))
				check_round_trip(&pt, &parser2);
		}
		free(line);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}
