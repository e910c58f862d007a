/*
 * test_ilp.c
 *		TAP unit tests of the InfluxDB line protocol parser (ilp_parse.c):
 *		escapes in every element, every value type with its boundaries,
 *		skipped lines, whitespace, duplicate keys, timestamps, limits, NUL
 *		bytes, timestamp conversion, buffer reuse, and an allocator that
 *		moves every block (to catch pointers left dangling by a realloc).
 *
 * A parsed point is rendered as one string, e.g.
 *	m[cpu] t[host][a] f[x]F[1.5] ts[10]
 * (F float %.17g, I integer, U unsigned, S string, B boolean) and compared
 * with the expected rendering, so each case checks the unescaped bytes,
 * the types and the exact values at once.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/ilp.h"

#include "tap.h"

/*
 * Test allocator that always moves: a new block, the old contents copied,
 * the old block poisoned and freed.  Sizes are kept in a header.
 */
static int	moves = 0;
static void *
moving_realloc(void *ptr, size_t size, void *arg)
{
	size_t	   *hdr = ptr ? (size_t *) ptr - 2 : NULL;
	size_t		old = hdr ? hdr[0] : 0;
	size_t	   *nhdr;

	(void) arg;
	if (size == 0)
	{
		if (hdr)
		{
			memset(hdr, 0xAB, old + 2 * sizeof(size_t));
			free(hdr);
			live_blocks--;
		}
		return NULL;
	}
	nhdr = malloc(size + 2 * sizeof(size_t));
	if (nhdr == NULL)
		abort();
	nhdr[0] = size;
	memset(nhdr + 2, 0xCD, size);
	if (hdr)
	{
		memcpy(nhdr + 2, ptr, old < size ? old : size);
		memset(hdr, 0xAB, old + 2 * sizeof(size_t));
		free(hdr);
		moves++;
	}
	else
		live_blocks++;
	return nhdr + 2;
}

static IlpParser parser;
static IlpPoint point;
static char rendered[1 << 18];

/* Append to rendered. */
static void
put(const char *fmt,...)
{
	va_list		ap;
	size_t		n = strlen(rendered);

	va_start(ap, fmt);
	vsnprintf(rendered + n, sizeof(rendered) - n, fmt, ap);
	va_end(ap);
}

/* Append an IlpString's bytes to rendered, bracketed. */
static void
put_str(const char *tag, IlpString s)
{
	put("%s[%.*s]", tag, (int) s.len, s.data);
}

/* Render point into rendered. */
static void
render(const IlpPoint *pt)
{
	int			i;

	rendered[0] = '\0';
	put_str("m", pt->measurement);
	for (i = 0; i < pt->ntags; i++)
	{
		put_str(" t", pt->tags[i].key);
		put_str("", pt->tags[i].value);
	}
	for (i = 0; i < pt->nfields; i++)
	{
		const IlpField *f = &pt->fields[i];

		put_str(" f", f->key);
		switch (f->type)
		{
			case ILP_FLOAT:
				put("F[%.17g]", f->value.f);
				break;
			case ILP_INTEGER:
				put("I[%lld]", (long long) f->value.i);
				break;
			case ILP_UNSIGNED:
				put("U[%llu]", (unsigned long long) f->value.u);
				break;
			case ILP_STRING:
				put_str("S", f->value.s);
				break;
			case ILP_BOOLEAN:
				put("B[%d]", f->value.b ? 1 : 0);
				break;
		}
	}
	if (pt->has_timestamp)
		put(" ts[%lld]", (long long) pt->timestamp);
}

/* Parse len bytes of line with the shared parser. */
static IlpResult
parse_n(const char *line, size_t len)
{
	return ilp_parse_line(&parser, line, len, &point);
}

/* Expect line (of len bytes) to parse to the given rendering. */
static void
t_ok_n(const char *line, size_t len, const char *expect)
{
	IlpResult	r = parse_n(line, len);

	if (r == ILP_OK)
		render(&point);
	else
		snprintf(rendered, sizeof(rendered), "result %d: %s", (int) r,
				 ilp_error(&parser));
	ok(r == ILP_OK && strcmp(rendered, expect) == 0, "ok: %.60s", line);
	if (r != ILP_OK || strcmp(rendered, expect) != 0)
		diag("got '%s', expected '%s'", rendered, expect);
}

/* Expect a NUL-terminated line to parse to the given rendering. */
static void
t_ok(const char *line, const char *expect)
{
	t_ok_n(line, strlen(line), expect);
}

/* Expect line (len bytes) to be rejected with an error containing substr. */
static void
t_err_n(const char *line, size_t len, const char *substr)
{
	IlpResult	r = parse_n(line, len);
	const char *e = ilp_error(&parser);

	ok(r == ILP_ERROR && strstr(e, substr) != NULL &&
	   strlen(e) < ILP_ERROR_BYTES,
	   "error \"%s\": %.60s", substr, line);
	if (r != ILP_ERROR || strstr(e, substr) == NULL)
		diag("result %d, error '%s'", (int) r, e);
}

/* Expect a NUL-terminated line to be rejected; see t_err_n. */
static void
t_err(const char *line, const char *substr)
{
	t_err_n(line, strlen(line), substr);
}

/* Expect line to be skipped. */
static void
t_skip_n(const char *line, size_t len, const char *what)
{
	IlpResult	r = parse_n(line, len);

	ok(r == ILP_SKIP, "skip: %s", what);
}

/* Expect "m f=<text>" to give the float expect, bit for bit. */
static void
t_float(const char *text, double expect)
{
	char		line[512];
	IlpResult	r;

	snprintf(line, sizeof(line), "m f=%s", text);
	r = parse_n(line, strlen(line));
	ok(r == ILP_OK && point.nfields == 1 && point.fields[0].type == ILP_FLOAT &&
	   memcmp(&point.fields[0].value.f, &expect, sizeof(double)) == 0,
	   "float %s = %.17g", text, expect);
	if (r != ILP_OK)
		diag("error '%s'", ilp_error(&parser));
	else if (point.fields[0].type == ILP_FLOAT &&
			 memcmp(&point.fields[0].value.f, &expect, sizeof(double)) != 0)
		diag("got %.17g", point.fields[0].value.f);
}

/* Expect "m f=<text>" to give the integer expect. */
static void
t_int(const char *text, int64_t expect)
{
	char		line[512];
	IlpResult	r;

	snprintf(line, sizeof(line), "m f=%s", text);
	r = parse_n(line, strlen(line));
	ok(r == ILP_OK && point.nfields == 1 && point.fields[0].type == ILP_INTEGER &&
	   point.fields[0].value.i == expect,
	   "integer %s = %lld", text, (long long) expect);
	if (r != ILP_OK)
		diag("error '%s'", ilp_error(&parser));
}

/* Expect "m f=<text>" to give the unsigned integer expect. */
static void
t_uint(const char *text, uint64_t expect)
{
	char		line[512];
	IlpResult	r;

	snprintf(line, sizeof(line), "m f=%s", text);
	r = parse_n(line, strlen(line));
	ok(r == ILP_OK && point.nfields == 1 && point.fields[0].type == ILP_UNSIGNED &&
	   point.fields[0].value.u == expect,
	   "unsigned %s = %llu", text, (unsigned long long) expect);
	if (r != ILP_OK)
		diag("error '%s'", ilp_error(&parser));
}

/* Expect "m f=<text>" to give the boolean expect. */
static void
t_bool(const char *text, bool expect)
{
	char		line[512];
	IlpResult	r;

	snprintf(line, sizeof(line), "m f=%s", text);
	r = parse_n(line, strlen(line));
	ok(r == ILP_OK && point.nfields == 1 && point.fields[0].type == ILP_BOOLEAN &&
	   point.fields[0].value.b == expect,
	   "boolean %s = %d", text, (int) expect);
	if (r != ILP_OK)
		diag("error '%s'", ilp_error(&parser));
}

/* Expect "m f=<text>" to be rejected with an error containing substr. */
static void
t_bad_value(const char *text, const char *substr)
{
	char		line[512];

	snprintf(line, sizeof(line), "m f=%s", text);
	t_err(line, substr);
}

/* Expect ilp_timestamp_to_us(ts, prec) to give expect (or fail when !fits). */
static void
t_ts(int64_t ts, IlpPrecision prec, bool fits, int64_t expect)
{
	int64_t		us = 0x5555;
	bool		r = ilp_timestamp_to_us(ts, prec, &us);

	ok(r == fits && (!fits || us == expect),
	   "timestamp_to_us(%lld, %d) %s %lld", (long long) ts, (int) prec,
	   fits ? "=" : "overflows, not", (long long) expect);
	if (r != fits || (fits && us != expect))
		diag("got %d %lld", (int) r, (long long) us);
}

/* Is [p, p+n) inside [lo, lo+len)? */
static bool
inside(const char *p, size_t n, const char *lo, size_t len)
{
	return (uintptr_t) p >= (uintptr_t) lo &&
		(uintptr_t) (p + n) <= (uintptr_t) (lo + len);
}

/* Escapes in every element. */
static void
test_escapes(void)
{
	/* measurement: comma and space */
	t_ok("my\\,m f=1", "m[my,m] f[f]F[1]");
	t_ok("my\\ m f=1", "m[my m] f[f]F[1]");
	t_ok("my\\=m f=1", "m[my\\=m] f[f]F[1]");	/* '=' not escapable here */
	t_ok("my=m f=1", "m[my=m] f[f]F[1]");
	t_ok("my\\xm f=1", "m[my\\xm] f[f]F[1]");
	t_err("m\\\\ f=1", "missing fields");	/* literal \, then escaped space */
	t_ok("m\\ ,t=v f=1", "m[m ] t[t][v] f[f]F[1]");
	t_ok("\\,m f=1", "m[,m] f[f]F[1]");
	t_ok("m\"q f=1", "m[m\"q] f[f]F[1]");
	t_ok("m\\\\,t=v f=1", "m[m\\,t=v] f[f]F[1]");	/* literal \, escaped comma */

	/* tag keys */
	t_ok("m,a\\,b=v f=1", "m[m] t[a,b][v] f[f]F[1]");
	t_ok("m,a\\=b=v f=1", "m[m] t[a=b][v] f[f]F[1]");
	t_ok("m,a\\ b=v f=1", "m[m] t[a b][v] f[f]F[1]");
	t_ok("m,a\\xb=v f=1", "m[m] t[a\\xb][v] f[f]F[1]");
	/* tag values */
	t_ok("m,k=a\\,b f=1", "m[m] t[k][a,b] f[f]F[1]");
	t_ok("m,k=a\\=b f=1", "m[m] t[k][a=b] f[f]F[1]");
	t_ok("m,k=a\\ b f=1", "m[m] t[k][a b] f[f]F[1]");
	t_ok("m,k=a\\\\b f=1", "m[m] t[k][a\\\\b] f[f]F[1]");
	t_ok("m,k=a\\ ,j=b f=1", "m[m] t[k][a ] t[j][b] f[f]F[1]");
	t_err("m,k=a\\ f=1", "tag \"k\": unescaped \"=\" in value");
	t_err("m,k=a\\", "missing fields");	/* a trailing backslash is literal */
	/* field keys */
	t_ok("m f\\,g=1", "m[m] f[f,g]F[1]");
	t_ok("m f\\=g=1", "m[m] f[f=g]F[1]");
	t_ok("m f\\ g=1", "m[m] f[f g]F[1]");
	t_ok("m f\\tg=1", "m[m] f[f\\tg]F[1]");
	t_ok("m \\,=1", "m[m] f[,]F[1]");
	/* string values */
	t_ok("m s=\"a\\\"b\"", "m[m] f[s]S[a\"b]");
	t_ok("m s=\"a\\\\b\"", "m[m] f[s]S[a\\b]");
	t_ok("m s=\"a\\nb\"", "m[m] f[s]S[a\nb]");
	t_ok("m s=\"a\\rb\"", "m[m] f[s]S[a\rb]");
	t_ok("m s=\"a\\tb\"", "m[m] f[s]S[a\\tb]");
	t_ok("m s=\"a\\\\\"", "m[m] f[s]S[a\\]");
	t_ok("m s=\"a\\\\\\\"\"", "m[m] f[s]S[a\\\"]");
	t_ok("m s=\"a,b c=d\"", "m[m] f[s]S[a,b c=d]");
	t_ok("m s=\"\"", "m[m] f[s]S[]");
	t_ok("m s=\"\\\\n\"", "m[m] f[s]S[\\n]");
	t_ok("m s=\"x\",t=\"y\\\"z\" 5", "m[m] f[s]S[x] f[t]S[y\"z] ts[5]");
	t_err("m s=\"a\\\"", "unterminated string");
	t_err("m s=\"abc", "unterminated string");
	t_err("m s=\"a\"b", "unexpected character after the string");
	/* everything escaped at once */
	t_ok("m\\ 1\\,x,k\\ 1\\=a=v\\,1\\=b f\\ 2\\,=\"q\\\"\\\\\\n\" 7",
		 "m[m 1,x] t[k 1=a][v,1=b] f[f 2,]S[q\"\\\n] ts[7]");
}

/* Zero-copy: unescaped elements point into the line, escaped ones into scratch. */
static void
test_zero_copy(void)
{
	const char *line = "cpu,host=a b=1i,s=\"x\"";
	const char *esc = "c\\ pu,h\\ ost=a\\ b f\\ =\"x\\\"\"";
	IlpResult	r;

	r = parse_n(line, strlen(line));
	ok(r == ILP_OK &&
	   point.measurement.data == line &&
	   point.tags[0].key.data == line + 4 &&
	   point.tags[0].value.data == line + 9 &&
	   point.fields[0].key.data == line + 11 &&
	   point.fields[1].value.s.data == line + 19,
	   "elements without escapes point into the line");
	r = parse_n(esc, strlen(esc));
	ok(r == ILP_OK &&
	   inside(point.measurement.data, point.measurement.len, parser.scratch, parser.scratch_cap) &&
	   inside(point.tags[0].key.data, point.tags[0].key.len, parser.scratch, parser.scratch_cap) &&
	   inside(point.tags[0].value.data, point.tags[0].value.len, parser.scratch, parser.scratch_cap) &&
	   inside(point.fields[0].key.data, point.fields[0].key.len, parser.scratch, parser.scratch_cap) &&
	   inside(point.fields[0].value.s.data, point.fields[0].value.s.len, parser.scratch, parser.scratch_cap),
	   "escaped elements point into scratch");
}

/* Floats. */
static void
test_floats(void)
{
	t_float("1", 1.0);
	t_float("-1.5", -1.5);
	t_float("1e9", 1e9);
	t_float("1E9", 1e9);
	t_float("1e+9", 1e9);
	t_float("1e-9", 1e-9);
	t_float(".5", 0.5);
	t_float("1.", 1.0);
	t_float("-.5", -0.5);
	t_float("0", 0.0);
	t_float("-0", -0.0);
	t_float("-0.0", -0.0);
	t_float("0e999999", 0.0);
	t_float("0.1", 0.1);
	t_float("12.5", 12.5);
	t_float("84.25", 84.25);
	t_float("3.14159265358979", 3.14159265358979);
	t_float("0.1234567890123456789", 0.1234567890123456789);	/* slow path */
	t_float("123456789012345678901234567890", 123456789012345678901234567890.0);
	t_float("1.7976931348623157e308", DBL_MAX);
	t_float("-1.7976931348623157e308", -DBL_MAX);
	t_float("2.2250738585072014e-308", DBL_MIN);
	t_float("4.9406564584124654e-324", 4.9406564584124654e-324);	/* denormal */
	t_float("1e22", 1e22);
	t_float("1e23", 1e23);
	t_float("9007199254740993", 9007199254740992.0); /* 2^53+1 rounds to even */
	t_float("000001.50000", 1.5);
	t_float("1.00000000000000000000000000000000000000001", 1.0);
	t_bad_value("1e400", "field \"f\": float out of range");
	t_bad_value("-1e400", "float out of range");
	t_bad_value("1e-400", "float out of range");
	t_bad_value("inf", "field \"f\": invalid value \"inf\"");
	t_bad_value("-inf", "invalid value");
	t_bad_value("nan", "invalid value");
	t_bad_value("NaN", "invalid value");
	t_bad_value("Infinity", "invalid value");
	t_bad_value("0x10", "invalid value");
	t_bad_value("+1", "invalid value");
	t_bad_value(".", "invalid value");
	t_bad_value("-", "invalid value");
	t_bad_value("1e", "invalid value");
	t_bad_value("1e+", "invalid value");
	t_bad_value("1.2.3", "invalid value");
	t_bad_value("1,5", "field \"5\": missing \"=\"");	/* "5" is the next key */
	t_bad_value("1-", "invalid value");
	t_bad_value("--1", "invalid value");
	t_bad_value("1 e5", "invalid timestamp");
	t_err("m f=", "field \"f\": missing value");
	t_err("m f= 5", "field \"f\": missing value");
	t_err("m f=,g=1", "field \"f\": missing value");
}

/* The exact fast path agrees with strtod on many short decimals. */
static void
test_float_agreement(void)
{
	char		text[64];
	char		line[80];
	unsigned long long seed = 42;
	int			i,
				bad = 0;

	for (i = 0; i < 200000; i++)
	{
		long long	m;
		int			scale,
					e;
		double		want;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		m = (long long) ((seed >> 11) % 1000000000000000ULL) >> (int) (seed % 40);
		scale = (int) ((seed >> 7) % 16);
		e = (int) ((seed >> 3) % 61) - 30;
		if (i % 3 == 0)
			snprintf(text, sizeof(text), "%lld.%0*lld", m / 1000, 3, m % 1000);
		else if (i % 3 == 1)
			snprintf(text, sizeof(text), "%llde%d", m, e);
		else
			snprintf(text, sizeof(text), "-%lld.%de%d", m, scale, e);
		snprintf(line, sizeof(line), "m f=%s", text);
		want = strtod(text, NULL);
		if (parse_n(line, strlen(line)) != ILP_OK ||
			memcmp(&point.fields[0].value.f, &want, sizeof(double)) != 0)
		{
			if (bad++ < 5)
				diag("mismatch on %s", text);
		}
	}
	ok(bad == 0, "200000 random decimals agree bit for bit with strtod (%d differ)", bad);
}

/* Integers and unsigned integers. */
static void
test_integers(void)
{
	t_int("42i", 42);
	t_int("-42i", -42);
	t_int("0i", 0);
	t_int("-0i", 0);
	t_int("007i", 7);
	t_int("9223372036854775807i", INT64_MAX);
	t_int("-9223372036854775808i", INT64_MIN);
	t_bad_value("9223372036854775808i", "field \"f\": integer out of range");
	t_bad_value("-9223372036854775809i", "integer out of range");
	t_bad_value("99999999999999999999999i", "integer out of range");
	t_bad_value("i", "invalid integer");
	t_bad_value("-i", "invalid integer");
	t_bad_value("1.5i", "invalid integer");
	t_bad_value("+1i", "invalid integer");
	t_bad_value("1e3i", "invalid integer");
	t_bad_value("1ii", "invalid integer");
	t_bad_value("99999999999999999999x9i", "invalid integer");
	t_bad_value("0x1fi", "invalid integer");

	t_uint("42u", 42);
	t_uint("0u", 0);
	t_uint("18446744073709551615u", UINT64_MAX);
	t_bad_value("18446744073709551616u", "field \"f\": unsigned integer out of range");
	t_bad_value("-1u", "unsigned integer is negative");
	t_bad_value("-0u", "unsigned integer is negative");
	t_bad_value("u", "invalid unsigned integer");
	t_bad_value("1.0u", "invalid unsigned integer");
	t_bad_value("+1u", "invalid unsigned integer");
}

/* Booleans and strings. */
static void
test_booleans_strings(void)
{
	static const char *trues[] = {"t", "T", "true", "True", "TRUE"};
	static const char *falses[] = {"f", "F", "false", "False", "FALSE"};
	static char big[ILP_MAX_STRING_BYTES + 64];
	int			i;
	size_t		n;
	IlpResult	r;

	for (i = 0; i < 5; i++)
		t_bool(trues[i], true);
	for (i = 0; i < 5; i++)
		t_bool(falses[i], false);
	t_bad_value("tRUE", "invalid value \"tRUE\"");
	t_bad_value("yes", "invalid value");
	t_bad_value("tr", "invalid value");
	t_bad_value("tru", "invalid unsigned integer \"tru\"");
	t_bad_value("falsey", "invalid value");
	t_bad_value("\"true\"x", "unexpected character after the string");
	t_ok("m b=\"true\"", "m[m] f[b]S[true]");

	/* exactly at the limit */
	n = (size_t) snprintf(big, sizeof(big), "m s=\"");
	memset(big + n, 'x', ILP_MAX_STRING_BYTES);
	n += ILP_MAX_STRING_BYTES;
	big[n++] = '"';
	r = parse_n(big, n);
	ok(r == ILP_OK && point.fields[0].value.s.len == ILP_MAX_STRING_BYTES,
	   "string of exactly %d bytes", ILP_MAX_STRING_BYTES);
	/* one over */
	memmove(big + n, big + n - 1, 1);
	big[n - 1] = 'x';
	n++;
	t_err_n(big, n, "field \"s\": string longer than 65536 bytes");
	/* over the limit in the line, at it after unescaping (\" -> ") */
	n = (size_t) snprintf(big, sizeof(big), "m s=\"\\\"\\\"");
	memset(big + n, 'x', ILP_MAX_STRING_BYTES - 2);
	n += ILP_MAX_STRING_BYTES - 2;
	big[n++] = '"';
	r = parse_n(big, n);
	ok(r == ILP_OK && point.fields[0].value.s.len == ILP_MAX_STRING_BYTES &&
	   point.fields[0].value.s.data[0] == '"',
	   "string at the limit after unescaping");
}

/* Skipped lines, CRLF, whitespace, NUL bytes. */
static void
test_lines(void)
{
	t_skip_n("", 0, "empty line");
	t_skip_n("   ", 3, "spaces only");
	t_skip_n(" \t ", 3, "spaces and a tab");
	t_skip_n("\r", 1, "a lone CR");
	t_skip_n("# comment", 9, "comment");
	t_skip_n("   # indented comment m f=1", 27, "indented comment");
	t_skip_n("#", 1, "bare #");
	t_skip_n("# with a \0 NUL", 14, "comment with a NUL byte");
	t_ok("m f=1\r", "m[m] f[f]F[1]");
	t_ok("m f=1 123\r", "m[m] f[f]F[1] ts[123]");
	t_ok("m s=\"a\r\"", "m[m] f[s]S[a\r]");
	t_err("m f=1\r\r", "invalid value");
	t_ok("  m f=1", "m[m] f[f]F[1]");
	t_ok("\tm f=1", "m[m] f[f]F[1]");
	t_ok("m f=1 ", "m[m] f[f]F[1]");
	t_ok("m f=1    ", "m[m] f[f]F[1]");
	t_ok("m f=1 42   ", "m[m] f[f]F[1] ts[42]");
	t_ok("m f=1 42 \r", "m[m] f[f]F[1] ts[42]");
	t_ok("m\tx f=1", "m[m\tx] f[f]F[1]");
	t_err("m  f=1", "more than one space before the fields");
	t_err("m f=1  42", "unexpected text after the fields");
	t_err("m f=1, g=2", "empty field key");
	t_err("m,t=v  f=1", "more than one space");
	t_err_n("m f=1\0", 6, "NUL byte at byte 6");
	t_err_n("m s=\"a\0b\"", 9, "NUL byte");
	t_err_n("m\0 f=1", 6, "NUL byte at byte 2");
	t_err_n("m,t=\0 f=1", 9, "NUL byte");
}

/* Structure: missing parts, empty names, tags. */
static void
test_structure(void)
{
	t_ok("cpu,host=server01,region=us-west usage_user=12.5,usage_system=3.25,usage_idle=84.25,count=42i 1700000000000000000",
		 "m[cpu] t[host][server01] t[region][us-west] f[usage_user]F[12.5] "
		 "f[usage_system]F[3.25] f[usage_idle]F[84.25] f[count]I[42] ts[1700000000000000000]");
	t_ok("m a=1,b=2i,c=3u,d=\"x\",e=t", "m[m] f[a]F[1] f[b]I[2] f[c]U[3] f[d]S[x] f[e]B[1]");
	t_ok("_m,_t=_v _f=1", "m[_m] t[_t][_v] f[_f]F[1]");
	t_ok("m,z=1,a=2 f=1", "m[m] t[z][1] t[a][2] f[f]F[1]");
	t_ok("time f=1", "m[time] f[f]F[1]");
	t_ok("m,k=time f=1", "m[m] t[k][time] f[f]F[1]");
	t_ok("m,Time=1 TIME=1", "m[m] t[Time][1] f[TIME]F[1]");
	t_err("m,t=v=w f=1", "tag \"t\": unescaped \"=\" in value at byte 6");
	t_err("m", "missing fields");
	t_err("m ", "missing fields");
	t_err("m   ", "missing fields");
	t_err("m,t=v", "missing fields");
	t_err("m,t=v ", "missing fields");
	t_err(",t=v f=1", "empty measurement at byte 1");
	t_err(" f=1", "missing fields");	/* leading blank skipped: measurement "f=1" */
	t_err("m, f=1", "empty tag key at byte 3");
	t_err("m,=v f=1", "empty tag key");
	t_err("m,t= f=1", "tag \"t\": empty value at byte 5");
	t_err("m,t=,u=1 f=1", "tag \"t\": empty value");
	t_err("m,t f=1", "tag \"t\": missing \"=\"");
	t_err("m,t,u=1 f=1", "tag \"t\": missing \"=\"");
	t_err("m,t=v, f=1", "empty tag key");
	t_err("m f", "field \"f\": missing \"=\"");
	t_err("m f,g=1", "field \"f\": missing \"=\"");
	t_err("m =1", "empty field key at byte 3");
	t_err("m f=1,", "empty field key");
	t_err("m f=1,=2", "empty field key");
	t_err("m f=1 x", "invalid timestamp \"x\"");
}

/* n tags and n fields, distinct, then each kind of repeat at the end. */
static void
test_wide_duplicates(int nk)
{
	char		line[4096];
	size_t		n;
	int			i;

	n = (size_t) snprintf(line, sizeof(line), "m");
	for (i = 0; i < nk; i++)
		n += (size_t) snprintf(line + n, sizeof(line) - n, ",t%d=v", i);
	for (i = 0; i < nk; i++)
		n += (size_t) snprintf(line + n, sizeof(line) - n, "%sf%d=%d", i ? "," : " ", i, i);
	ok(parse_n(line, n) == ILP_OK && point.ntags == nk && point.nfields == nk &&
	   point.fields[nk - 1].value.f == nk - 1, "%d tags and %d fields, all distinct", nk, nk);
	snprintf(line + n, sizeof(line) - n, ",f7=1");
	t_err(line, "field \"f7\" appears twice");
	line[n] = '\0';
	snprintf(line + n, sizeof(line) - n, ",t%d=1", nk - 1);
	t_err(line, "is both a tag and a field");
	line[n] = '\0';
	snprintf(line + n, sizeof(line) - n, ",t0=1");
	t_err(line, "key \"t0\" is both a tag and a field");
	line[n] = '\0';
	memcpy(line + 1, ",t5=v", 5);	/* ",t0=v" becomes a second ",t5=v" */
	t_err(line, "tag \"t5\" appears twice");
}

/* Duplicate keys, tag-and-field keys, the key "time". */
static void
test_duplicates(void)
{
	t_err("m,a=1,a=2 f=1", "tag \"a\" appears twice");
	t_err("m,a=1,b=1,a=1 f=1", "tag \"a\" appears twice");
	t_err("m f=1,f=2", "field \"f\" appears twice");
	t_err("m f=1,g=2,f=1i", "field \"f\" appears twice");
	t_err("m,a=1 a=2", "key \"a\" is both a tag and a field");
	t_err("m,a\\ b=1 a\\ b=2", "key \"a b\" is both a tag and a field");
	t_err("m,a\\ b=1,a\\ b=2 f=1", "tag \"a b\" appears twice");
	t_ok("m,a=1 A=1", "m[m] t[a][1] f[A]F[1]");
	t_ok("m,ab=1,a=1 abc=1,b=2", "m[m] t[ab][1] t[a][1] f[abc]F[1] f[b]F[2]");
	t_err("m,time=1 f=1", "tag key \"time\" is reserved");
	t_err("m time=1", "field key \"time\" is reserved");
	t_err("m f=1,time=1i", "field key \"time\" is reserved");
	t_err("m time=\"x\" 5", "field key \"time\" is reserved");

	/* 60 keys: filtered pairwise path; 80 keys: sorted path */
	test_wide_duplicates(30);
	test_wide_duplicates(40);
}

/* Timestamps in the line. */
static void
test_timestamps(void)
{
	t_ok("m f=1 0", "m[m] f[f]F[1] ts[0]");
	t_ok("m f=1 -1", "m[m] f[f]F[1] ts[-1]");
	t_ok("m f=1 9223372036854775807", "m[m] f[f]F[1] ts[9223372036854775807]");
	t_ok("m f=1 -9223372036854775808", "m[m] f[f]F[1] ts[-9223372036854775808]");
	t_ok("m f=1 0001", "m[m] f[f]F[1] ts[1]");
	t_err("m f=1 9223372036854775808", "timestamp out of range at byte 7");
	t_err("m f=1 -9223372036854775809", "timestamp out of range");
	t_err("m f=1 1.5", "invalid timestamp \"1.5\"");
	t_err("m f=1 1e9", "invalid timestamp");
	t_err("m f=1 +5", "invalid timestamp");
	t_err("m f=1 -", "invalid timestamp");
	t_err("m f=1 12a", "invalid timestamp");
	t_err("m f=1 123 456", "unexpected text after the timestamp at byte 11");
	t_err("m f=1 123 x", "unexpected text after the timestamp");
	t_err("m f=1 123\t", "invalid timestamp");
	ok(parse_n("m f=1", 5) == ILP_OK && !point.has_timestamp, "no timestamp: has_timestamp false");
}

/* ilp_timestamp_to_us for each precision. */
static void
test_timestamp_to_us(void)
{
	t_ts(1700000000123456789LL, ILP_PRECISION_NS, true, 1700000000123456LL);
	t_ts(999, ILP_PRECISION_NS, true, 0);
	t_ts(-1, ILP_PRECISION_NS, true, -1);
	t_ts(-1000, ILP_PRECISION_NS, true, -1);
	t_ts(-1001, ILP_PRECISION_NS, true, -2);
	t_ts(INT64_MAX, ILP_PRECISION_NS, true, INT64_MAX / 1000);
	t_ts(INT64_MIN, ILP_PRECISION_NS, true, INT64_MIN / 1000 - 1);
	t_ts(-5, ILP_PRECISION_US, true, -5);
	t_ts(INT64_MIN, ILP_PRECISION_US, true, INT64_MIN);
	t_ts(INT64_MAX, ILP_PRECISION_US, true, INT64_MAX);
	t_ts(1700000000123LL, ILP_PRECISION_MS, true, 1700000000123000LL);
	t_ts(-3, ILP_PRECISION_MS, true, -3000);
	t_ts(INT64_MAX / 1000, ILP_PRECISION_MS, true, INT64_MAX / 1000 * 1000);
	t_ts(INT64_MAX / 1000 + 1, ILP_PRECISION_MS, false, 0);
	t_ts(INT64_MIN / 1000, ILP_PRECISION_MS, true, INT64_MIN / 1000 * 1000);
	t_ts(INT64_MIN / 1000 - 1, ILP_PRECISION_MS, false, 0);
	t_ts(1700000000LL, ILP_PRECISION_S, true, 1700000000000000LL);
	t_ts(-1, ILP_PRECISION_S, true, -1000000);
	t_ts(INT64_MAX / 1000000, ILP_PRECISION_S, true, INT64_MAX / 1000000 * 1000000);
	t_ts(INT64_MAX / 1000000 + 1, ILP_PRECISION_S, false, 0);
	t_ts(INT64_MIN / 1000000, ILP_PRECISION_S, true, INT64_MIN / 1000000 * 1000000);
	t_ts(INT64_MIN / 1000000 - 1, ILP_PRECISION_S, false, 0);
	t_ts(INT64_MAX, ILP_PRECISION_S, false, 0);
}

/* Error messages stay bounded however long the key. */
static void
test_error_bounds(void)
{
	char		line[4096];
	size_t		n;

	n = (size_t) snprintf(line, sizeof(line), "m ");
	memset(line + n, 'k', 3000);
	n += 3000;
	n += (size_t) snprintf(line + n, sizeof(line) - n, "=1x");
	t_err(line, "invalid value \"1x\"");
	ok(strlen(ilp_error(&parser)) < ILP_ERROR_BYTES, "long key: error message bounded (%zu bytes)",
	   strlen(ilp_error(&parser)));
}

/* Many lines in a row with one parser: buffers are reused and grow. */
static void
test_reuse(IlpReallocFn fn, const char *what)
{
	IlpParser	p;
	IlpPoint	pt;
	char		line[8192];
	char		expect[8192];
	int			i,
				bad = 0;

	ilp_parser_init(&p, fn, NULL);
	for (i = 0; i < 3000; i++)
	{
		int			nt = i % 37;
		int			nf = 1 + (i * 7) % 41;
		int			j;
		size_t		n;
		bool		good = true;

		/* a tag value with escapes, fields of every type, growing widths */
		n = (size_t) snprintf(line, sizeof(line), "m\\ %d", i);
		for (j = 0; j < nt; j++)
			n += (size_t) snprintf(line + n, sizeof(line) - n, ",t%d=v\\,%d", j, i + j);
		for (j = 0; j < nf; j++)
		{
			switch (j % 4)
			{
				case 0:
					n += (size_t) snprintf(line + n, sizeof(line) - n, "%sf\\ %d=%d.25", j ? "," : " ", j, i - j);
					break;
				case 1:
					n += (size_t) snprintf(line + n, sizeof(line) - n, ",f%d=%di", j, i * j);
					break;
				case 2:
					n += (size_t) snprintf(line + n, sizeof(line) - n, ",f%d=\"s\\\"%d\"", j, i);
					break;
				case 3:
					n += (size_t) snprintf(line + n, sizeof(line) - n, ",f%d=%s", j, i % 2 ? "t" : "FALSE");
					break;
			}
		}
		n += (size_t) snprintf(line + n, sizeof(line) - n, " %d", -i);
		if (ilp_parse_line(&p, line, n, &pt) != ILP_OK)
		{
			if (bad++ < 3)
				diag("%s: line %d: %s", what, i, ilp_error(&p));
			continue;
		}
		snprintf(expect, sizeof(expect), "m %d", i);
		good &= pt.measurement.len == strlen(expect) &&
			memcmp(pt.measurement.data, expect, pt.measurement.len) == 0;
		good &= pt.ntags == nt && pt.nfields == nf && pt.has_timestamp &&
			pt.timestamp == -i;
		for (j = 0; good && j < nt; j++)
		{
			snprintf(expect, sizeof(expect), "v,%d", i + j);
			good &= pt.tags[j].value.len == strlen(expect) &&
				memcmp(pt.tags[j].value.data, expect, pt.tags[j].value.len) == 0;
		}
		for (j = 0; good && j < nf; j++)
		{
			const IlpField *f = &pt.fields[j];

			switch (j % 4)
			{
				case 0:
					snprintf(expect, sizeof(expect), "f %d", j);
					good &= f->type == ILP_FLOAT && f->value.f == (i - j < 0 ? (i - j) - 0.25 : (i - j) + 0.25) &&
						f->key.len == strlen(expect) && memcmp(f->key.data, expect, f->key.len) == 0;
					break;
				case 1:
					good &= f->type == ILP_INTEGER && f->value.i == (int64_t) i * j;
					break;
				case 2:
					snprintf(expect, sizeof(expect), "s\"%d", i);
					good &= f->type == ILP_STRING && f->value.s.len == strlen(expect) &&
						memcmp(f->value.s.data, expect, f->value.s.len) == 0;
					break;
				case 3:
					good &= f->type == ILP_BOOLEAN && f->value.b == (i % 2 == 1);
					break;
			}
		}
		if (!good && bad++ < 3)
			diag("%s: line %d parsed wrong: %s", what, i, line);
	}
	ilp_parser_free(&p);
	ok(bad == 0, "%s: 3000 lines of growing width with one parser", what);
}

int
main(void)
{
	int			blocks_before;

	ilp_parser_init(&parser, test_realloc, NULL);
	test_escapes();
	test_zero_copy();
	test_floats();
	test_float_agreement();
	test_integers();
	test_booleans_strings();
	test_lines();
	test_structure();
	test_duplicates();
	test_timestamps();
	test_timestamp_to_us();
	test_error_bounds();
	ilp_parser_free(&parser);
	ok(live_blocks == 0, "parser freed everything it grew (%d live)", live_blocks);

	blocks_before = live_blocks;
	test_reuse(test_realloc, "realloc");
	test_reuse(moving_realloc, "always-moving realloc");
	ok(moves > 0 && live_blocks == blocks_before,
	   "moving allocator moved %d blocks, none left live", moves);

	printf("1..%d\n", ntests);
	return nfailed > 0 ? 1 : 0;
}
