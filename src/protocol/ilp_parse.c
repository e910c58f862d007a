/*
 * ilp_parse.c
 *		InfluxDB line protocol parser: one line of text in, one IlpPoint out.
 *
 * Sits right after the line splitter in the path of a record: the ingest
 * worker (TCP) and the HTTP write API cut their input into lines and hand
 * each one here; the IlpPoint that comes back is what the batch writer
 * turns into a row, and an ILP_ERROR becomes a row of streamstat.rejects
 * with ilp_error() as its reason.  The wire format is ../shared/ILP.md and
 * the contract is ilp.h.
 *
 * Pure C99 with no PostgreSQL headers (unit tests, fuzzer and benchmark
 * link it alone).  Speed matters, so:
 *	- an element without escapes is returned zero-copy, pointing into the
 *	  line; only escaped elements are unescaped into the parser's scratch
 *	  buffer.  Scratch is reserved once per line at the line's length (an
 *	  unescaped element is never longer than its source), so it is never
 *	  reallocated while a line is parsed and pointers into it stay valid;
 *	- bytes are classified through a 256-entry table, no per-line malloc
 *	  (tags, fields and scratch grow through realloc_fn and are reused);
 *	- short decimal floats take an exact fast path (see parse_float()).
 *
 * Policies worth knowing (tested in test/unit/test_ilp.c):
 *	- A tag or field key repeated within one line, a key used both as tag
 *	  and field, and the key "time" are errors: we reject the line rather
 *	  than let the first (QuestDB) or last value win, so that a client bug
 *	  never silently drops data.
 *	- Bytes are not checked for valid UTF-8 here: the worker validates the
 *	  text once, against the database encoding, before it stores it.  An
 *	  embedded NUL byte, which no PostgreSQL text can hold, is an error.
 *	- Leading blanks (space, tab) before the measurement are skipped;
 *	  blank lines and lines whose first non-blank character is '#' are
 *	  ILP_SKIP (a comment is not checked for NUL bytes); one trailing '\r'
 *	  is dropped and trailing spaces are allowed.  Exactly one space
 *	  separates measurement+tags, fields and timestamp.
 *	- Values: a trailing 'i' or 'u' makes an integer or unsigned integer,
 *	  t/T/f/F starts a boolean, '"' a string, anything else is a float.
 *	  Strings are limited to ILP_MAX_STRING_BYTES after unescaping.
 *	- Floats follow PostgreSQL's float8in: a value that overflows to
 *	  infinity or underflows to zero is out of range; inf, nan, hex and a
 *	  leading '+' are not numbers here.
 */
#include "protocol/ilp.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define ILP_LIKELY(x)	__builtin_expect(!!(x), 1)
#define ILP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ILP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ILP_LIKELY(x)	(x)
#define ILP_UNLIKELY(x) (x)
#define ILP_PRINTF(f, a)
#endif

/* Byte classes of the structural characters. */
#define C_COMMA		0x01
#define C_SPACE		0x02
#define C_EQUALS	0x04
#define C_BACKSLASH 0x08

/* Escapable after a backslash, per element (ILP.md). */
#define ESC_MEASUREMENT (C_COMMA | C_SPACE)
#define ESC_KEY		(C_COMMA | C_EQUALS | C_SPACE)

static const unsigned char byte_class[256] = {
	[','] = C_COMMA,
	[' '] = C_SPACE,
	['='] = C_EQUALS,
	['\\'] = C_BACKSLASH,
};

/* Longest key or value quoted in an error message. */
#define ERR_QUOTE	40

/* Slack in scratch beyond the line's length, for a float's strtod copy. */
#define SCRATCH_SLACK 16

/* Exact powers of ten for the float fast path (10^22 is the last exact one). */
static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/* Parse state of one line. */
typedef struct LineState
{
	IlpParser  *parser;
	const char *line;			/* start of the line, for byte offsets */
	const char *end;			/* end of the line (after dropping '\r') */
	char	   *scratch;		/* next free byte of parser->scratch */
	int			ntags;
	int			nfields;
} LineState;

/* Store a formatted error message in the parser; always ILP_ERROR. */
static IlpResult ilp_fail(IlpParser *parser, const char *fmt,...) ILP_PRINTF(2, 3);

static IlpResult
ilp_fail(IlpParser *parser, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(parser->error, ILP_ERROR_BYTES, fmt, ap);
	va_end(ap);
	return ILP_ERROR;
}

/* Length of a string for quoting in an error message. */
static int
quote_len(const IlpString *s)
{
	return s->len > ERR_QUOTE ? ERR_QUOTE : (int) s->len;
}

/* Byte offset (1-based column) of p within the line. */
static long
column_of(const LineState *st, const char *p)
{
	return (long) (p - st->line) + 1;
}

void
ilp_parser_init(IlpParser *parser, IlpReallocFn realloc_fn, void *arg)
{
	memset(parser, 0, sizeof(*parser));
	parser->realloc_fn = realloc_fn;
	parser->realloc_arg = arg;
}

void
ilp_parser_free(IlpParser *parser)
{
	if (parser->tags)
		parser->realloc_fn(parser->tags, 0, parser->realloc_arg);
	if (parser->fields)
		parser->realloc_fn(parser->fields, 0, parser->realloc_arg);
	if (parser->scratch)
		parser->realloc_fn(parser->scratch, 0, parser->realloc_arg);
	parser->tags = NULL;
	parser->fields = NULL;
	parser->scratch = NULL;
	parser->tags_cap = parser->fields_cap = 0;
	parser->scratch_cap = 0;
}

const char *
ilp_error(const IlpParser *parser)
{
	return parser->error;
}

/* Make room for one more tag. */
static void
grow_tags(IlpParser *parser)
{
	int			cap = parser->tags_cap ? parser->tags_cap * 2 : 16;

	parser->tags = parser->realloc_fn(parser->tags, sizeof(IlpTag) * (size_t) cap,
									  parser->realloc_arg);
	parser->tags_cap = cap;
}

/* Make room for one more field. */
static void
grow_fields(IlpParser *parser)
{
	int			cap = parser->fields_cap ? parser->fields_cap * 2 : 16;

	parser->fields = parser->realloc_fn(parser->fields,
										sizeof(IlpField) * (size_t) cap,
										parser->realloc_arg);
	parser->fields_cap = cap;
}

/*
 * Scan a measurement, key or tag value starting at p: it ends at the first
 * unescaped byte of class stop, or at the end of the line.  Returns the end;
 * *escaped tells whether an escape (per esc) was seen.
 */
static inline const char *
scan_name(const char *p, const char *end, unsigned stop, unsigned esc,
		  bool *escaped)
{
	while (p < end)
	{
		unsigned	c = byte_class[(unsigned char) *p];

		if (ILP_LIKELY(c == 0))
		{
			p++;
			continue;
		}
		if (c & stop)
			break;
		if ((c & C_BACKSLASH) && p + 1 < end &&
			(byte_class[(unsigned char) p[1]] & esc))
		{
			*escaped = true;
			p += 2;
			continue;
		}
		p++;					/* a literal backslash, or a non-stop byte */
	}
	return p;
}

/*
 * Make an IlpString of [start, stop): zero-copy unless escaped, else
 * unescaped into scratch (a backslash before a byte of class esc is dropped;
 * before anything else it is literal).
 */
static inline IlpString
make_name(LineState *st, const char *start, const char *stop, unsigned esc,
		  bool escaped)
{
	IlpString	s;
	char	   *out;
	const char *p;

	if (ILP_LIKELY(!escaped))
	{
		s.data = start;
		s.len = (size_t) (stop - start);
		return s;
	}
	out = st->scratch;
	for (p = start; p < stop; p++)
	{
		if (*p == '\\' && p + 1 < stop &&
			(byte_class[(unsigned char) p[1]] & esc))
			p++;
		*out++ = *p;
	}
	s.data = st->scratch;
	s.len = (size_t) (out - st->scratch);
	st->scratch = out;
	return s;
}

/*
 * Parse the magnitude of a decimal integer [p, end) (digits only, at least
 * one) not above limit.  False on a non-digit, no digits, or overflow
 * (*overflow set for the latter).
 */
static inline bool
parse_magnitude(const char *p, const char *end, uint64_t limit,
				uint64_t *result, bool *overflow)
{
	uint64_t	v = 0;

	*overflow = false;
	if (p == end)
		return false;
	for (; p < end; p++)
	{
		unsigned	d = (unsigned) (unsigned char) *p - '0';

		if (d > 9)
			return false;
		if (v > (limit - d) / 10)
		{
			/* keep checking the syntax: "99999999999999999999x" is garbage */
			*overflow = true;
			for (p++; p < end; p++)
				if ((unsigned) (unsigned char) *p - '0' > 9)
				{
					*overflow = false;
					return false;
				}
			return false;
		}
		v = v * 10 + d;
	}
	*result = v;
	return true;
}

/* Parse a signed 64-bit decimal integer [p, end); see parse_magnitude(). */
static inline bool
parse_int64(const char *p, const char *end, int64_t *result, bool *overflow)
{
	bool		neg = false;
	uint64_t	mag;

	if (p < end && *p == '-')
	{
		neg = true;
		p++;
	}
	if (!parse_magnitude(p, end, neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX,
						 &mag, overflow))
		return false;
	if (neg)
		*result = mag == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) mag;
	else
		*result = (int64_t) mag;
	return true;
}

/* Outcome of parse_float(). */
typedef enum FloatResult
{
	FLOAT_OK,
	FLOAT_SYNTAX,
	FLOAT_RANGE
} FloatResult;

/*
 * Parse a float [p, end): [-] (digits [. [digits]] | . digits)
 * [(e|E) [+|-] digits], nothing else (no inf, nan, hex, leading '+').
 *
 * Fast path (Clinger 1990, "How to read floating point numbers
 * accurately"): when the significant digits fit in 15 decimal digits (so
 * the integer mantissa is exact in a double) and the decimal exponent is
 * within +-22 (10^22 is the largest exact power of ten), the value is one
 * IEEE multiplication or division of two exact doubles, hence correctly
 * rounded.  Anything else goes to strtod() on a NUL-terminated copy in
 * scratch (buf, at least end - p + SCRATCH_SLACK bytes).
 *
 * strtod() reads the decimal point of the current LC_NUMERIC locale.  The
 * backend always runs with LC_NUMERIC "C", but to stay locale-independent
 * anyway we put the locale's decimal point in place of '.' in the copy.
 */
static FloatResult
parse_float(const char *p, const char *end, char *buf, double *result)
{
	const char *start = p;
	bool		neg = false;
	bool		any_digit = false;
	bool		truncated = false;
	bool		has_point = false;
	uint64_t	mant = 0;
	int			ndigits = 0;
	long		exp10 = 0;

	if (p < end && *p == '-')
	{
		neg = true;
		p++;
	}
	for (; p < end && (unsigned) (unsigned char) *p - '0' <= 9; p++)
	{
		unsigned	d = (unsigned) (unsigned char) *p - '0';

		any_digit = true;
		if (mant == 0 && d == 0)
			continue;			/* leading zero */
		if (ndigits < 19)
		{
			mant = mant * 10 + d;
			ndigits++;
		}
		else
		{
			exp10++;
			truncated |= d != 0;
		}
	}
	if (p < end && *p == '.')
	{
		has_point = true;
		for (p++; p < end && (unsigned) (unsigned char) *p - '0' <= 9; p++)
		{
			unsigned	d = (unsigned) (unsigned char) *p - '0';

			any_digit = true;
			if (mant == 0 && d == 0)
				exp10--;
			else if (ndigits < 19)
			{
				mant = mant * 10 + d;
				ndigits++;
				exp10--;
			}
			else
				truncated |= d != 0;
		}
	}
	if (!any_digit)
		return FLOAT_SYNTAX;
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		bool		eneg = false;
		long		e = 0;
		const char *digits;

		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		digits = p;
		for (; p < end && (unsigned) (unsigned char) *p - '0' <= 9; p++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
		if (p == digits)
			return FLOAT_SYNTAX;
		exp10 += eneg ? -e : e;
	}
	if (p != end)
		return FLOAT_SYNTAX;

	if (mant == 0)
	{
		*result = neg ? -0.0 : 0.0;
		return FLOAT_OK;
	}
	if (!truncated && ndigits <= 15 && exp10 >= -22 && exp10 <= 22)
	{
		double		v = (double) mant;

		v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
		*result = neg ? -v : v;
		return FLOAT_OK;
	}

	/* Slow path: strtod on a NUL-terminated copy. */
	{
		const char *dp = ".";
		size_t		dplen = 1;
		char	   *out = buf;
		char	   *stop;
		double		v;
		const struct lconv *lc = localeconv();

		if (has_point && lc && lc->decimal_point && strcmp(lc->decimal_point, ".") != 0)
		{
			dp = lc->decimal_point;
			dplen = strlen(dp);
			if (dplen == 0 || dplen >= SCRATCH_SLACK - 1)
				return FLOAT_SYNTAX;	/* cannot happen in practice */
		}
		for (p = start; p < end; p++)
		{
			if (*p == '.' && dplen != 1)
			{
				memcpy(out, dp, dplen);
				out += dplen;
			}
			else
				*out++ = *p == '.' ? dp[0] : *p;
		}
		*out = '\0';
		errno = 0;
		v = strtod(buf, &stop);
		if (stop != out)
			return FLOAT_SYNTAX;	/* cannot happen: syntax checked above */
		if (errno == ERANGE && (v == 0.0 || v >= HUGE_VAL || v <= -HUGE_VAL))
			return FLOAT_RANGE;
		*result = v;
		return FLOAT_OK;
	}
}

/* True when [p, end) is one of the boolean spellings; *b gets its value. */
static inline bool
parse_boolean(const char *p, size_t n, bool *b)
{
	switch (n)
	{
		case 1:
			if (*p == 't' || *p == 'T')
				return (*b = true);
			if (*p == 'f' || *p == 'F')
				return !(*b = false);
			return false;
		case 4:
			if (memcmp(p, "true", 4) == 0 || memcmp(p, "True", 4) == 0 ||
				memcmp(p, "TRUE", 4) == 0)
				return (*b = true);
			return false;
		case 5:
			if (memcmp(p, "false", 5) == 0 || memcmp(p, "False", 5) == 0 ||
				memcmp(p, "FALSE", 5) == 0)
				return !(*b = false);
			return false;
		default:
			return false;
	}
}

/*
 * Parse a string field value starting after its opening quote at p.  \" and
 * \\ are escapes, and so are \n and \r (QuestDB sends them) for newline and
 * carriage return; a backslash before anything else is literal.  Returns the
 * byte after the closing quote, or NULL when there is none.
 */
static inline const char *
parse_string(LineState *st, const char *p, IlpString *s, bool *too_long)
{
	const char *start = p;
	const char *end = st->end;
	bool		escaped = false;

	while (p < end)
	{
		char		c = *p;

		if (c == '"')
			break;
		if (c == '\\' && p + 1 < end &&
			(p[1] == '"' || p[1] == '\\' || p[1] == 'n' || p[1] == 'r'))
		{
			escaped = true;
			p += 2;
			continue;
		}
		p++;
	}
	if (p >= end)
		return NULL;
	if (!escaped)
	{
		s->data = start;
		s->len = (size_t) (p - start);
	}
	else
	{
		char	   *out = st->scratch;
		const char *q;

		for (q = start; q < p; q++)
		{
			if (*q == '\\' && q + 1 < p &&
				(q[1] == '"' || q[1] == '\\' || q[1] == 'n' || q[1] == 'r'))
			{
				q++;
				*out++ = *q == 'n' ? '\n' : *q == 'r' ? '\r' : *q;
			}
			else
				*out++ = *q;
		}
		s->data = st->scratch;
		s->len = (size_t) (out - st->scratch);
		st->scratch = out;
	}
	*too_long = s->len > ILP_MAX_STRING_BYTES;
	return p + 1;
}

/* Equal keys? */
static inline bool
key_equal(const IlpString *a, const IlpString *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* Is this key "time"? */
static inline bool
key_is_time(const IlpString *k)
{
	return k->len == 4 && memcmp(k->data, "time", 4) == 0;
}

/* Sort comparator for the duplicate check of wide lines. */
static int
compare_keys(const void *a, const void *b)
{
	const IlpString *x = *(const IlpString *const *) a;
	const IlpString *y = *(const IlpString *const *) b;
	size_t		n = x->len < y->len ? x->len : y->len;
	int			r = memcmp(x->data, y->data, n);

	if (r != 0)
		return r;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	/* ties by address: deterministic order */
	return (uintptr_t) x < (uintptr_t) y ? -1 : (uintptr_t) x > (uintptr_t) y;
}

/* Up to this many keys the filtered pairwise check is used, else sorting. */
#define PAIRWISE_KEYS 64

/* Key i of a point: the tags' keys, then the fields' keys. */
static inline const IlpString *
point_key(const IlpPoint *point, int i)
{
	return i < point->ntags ? &point->tags[i].key :
		&point->fields[i - point->ntags].key;
}

/* The error for a key seen twice; first_tag/second_tag: was each a tag? */
static IlpResult
duplicate_error(IlpParser *parser, const IlpString *k, bool first_tag,
				bool second_tag)
{
	if (first_tag && second_tag)
		return ilp_fail(parser, "tag \"%.*s\" appears twice", quote_len(k), k->data);
	if (first_tag || second_tag)
		return ilp_fail(parser, "key \"%.*s\" is both a tag and a field",
						quote_len(k), k->data);
	return ilp_fail(parser, "field \"%.*s\" appears twice", quote_len(k), k->data);
}

/*
 * Reject a line whose keys repeat: tag twice, field twice, or tag and
 * field.  For up to PAIRWISE_KEYS keys, a 64-bit filter on (length, first
 * byte, last byte) lets most keys skip the comparison with earlier ones
 * (f0..f19 rarely collide); only a key whose filter bit is already set is
 * compared pairwise.  For wide lines (an attacker can send 100000 fields)
 * pointers to the keys are sorted instead, in a temporary array from
 * realloc_fn, so the check stays O(n log n).
 */
static IlpResult
check_duplicates(LineState *st, IlpPoint *point)
{
	IlpParser  *parser = st->parser;
	int			ntags = point->ntags;
	int			nfields = point->nfields;
	int			nkeys = ntags + nfields;
	const IlpString **keys;
	int			i,
				j;

	if (nkeys <= PAIRWISE_KEYS)
	{
		uint64_t	seen = 0;

		for (i = 0; i < nkeys; i++)
		{
			const IlpString *k = point_key(point, i);
			unsigned	h = (unsigned) k->len * 7u +
				(unsigned char) k->data[0] * 3u +
				(unsigned char) k->data[k->len - 1];
			uint64_t	bit = (uint64_t) 1 << (h & 63);

			if (seen & bit)
			{
				for (j = 0; j < i; j++)
					if (key_equal(k, point_key(point, j)))
						return duplicate_error(parser, k, j < ntags, i < ntags);
			}
			seen |= bit;
		}
		return ILP_OK;
	}

	keys = parser->realloc_fn(NULL, sizeof(*keys) * (size_t) nkeys,
							  parser->realloc_arg);
	for (i = 0; i < ntags; i++)
		keys[i] = &point->tags[i].key;
	for (i = 0; i < nfields; i++)
		keys[ntags + i] = &point->fields[i].key;
	qsort(keys, (size_t) nkeys, sizeof(*keys), compare_keys);
	for (i = 1; i < nkeys; i++)
	{
		if (key_equal(keys[i - 1], keys[i]))
		{
			uintptr_t	tags_lo = (uintptr_t) point->tags;
			uintptr_t	tags_hi = (uintptr_t) (point->tags + ntags);
			bool		first_tag = (uintptr_t) keys[i - 1] >= tags_lo &&
				(uintptr_t) keys[i - 1] < tags_hi;
			bool		second_tag = (uintptr_t) keys[i] >= tags_lo &&
				(uintptr_t) keys[i] < tags_hi;
			const IlpString *k = keys[i];

			parser->realloc_fn(keys, 0, parser->realloc_arg);
			return duplicate_error(parser, k, first_tag, second_tag);
		}
	}
	parser->realloc_fn(keys, 0, parser->realloc_arg);
	return ILP_OK;
}

/* Parse one field value [p, vend) of field f (not a string). */
static IlpResult
parse_value(LineState *st, IlpField *f, const char *p, const char *vend)
{
	IlpParser  *parser = st->parser;
	size_t		n = (size_t) (vend - p);
	char		last;
	bool		overflow;

	if (n == 0)
		return ilp_fail(parser, "field \"%.*s\": missing value",
						quote_len(&f->key), f->key.data);
	last = vend[-1];
	if (last == 'i')
	{
		f->type = ILP_INTEGER;
		if (parse_int64(p, vend - 1, &f->value.i, &overflow))
			return ILP_OK;
		if (overflow)
			return ilp_fail(parser, "field \"%.*s\": integer out of range",
							quote_len(&f->key), f->key.data);
		return ilp_fail(parser, "field \"%.*s\": invalid integer \"%.*s\"",
						quote_len(&f->key), f->key.data,
						n > ERR_QUOTE ? ERR_QUOTE : (int) n, p);
	}
	if (last == 'u')
	{
		f->type = ILP_UNSIGNED;
		if (*p == '-')
			return ilp_fail(parser, "field \"%.*s\": unsigned integer is negative",
							quote_len(&f->key), f->key.data);
		if (parse_magnitude(p, vend - 1, UINT64_MAX, &f->value.u, &overflow))
			return ILP_OK;
		if (overflow)
			return ilp_fail(parser, "field \"%.*s\": unsigned integer out of range",
							quote_len(&f->key), f->key.data);
		return ilp_fail(parser, "field \"%.*s\": invalid unsigned integer \"%.*s\"",
						quote_len(&f->key), f->key.data,
						n > ERR_QUOTE ? ERR_QUOTE : (int) n, p);
	}
	if (*p == 't' || *p == 'T' || *p == 'f' || *p == 'F')
	{
		f->type = ILP_BOOLEAN;
		if (parse_boolean(p, n, &f->value.b))
			return ILP_OK;
		return ilp_fail(parser, "field \"%.*s\": invalid value \"%.*s\"",
						quote_len(&f->key), f->key.data,
						n > ERR_QUOTE ? ERR_QUOTE : (int) n, p);
	}
	f->type = ILP_FLOAT;
	switch (parse_float(p, vend, st->scratch, &f->value.f))
	{
		case FLOAT_OK:
			return ILP_OK;
		case FLOAT_RANGE:
			return ilp_fail(parser, "field \"%.*s\": float out of range",
							quote_len(&f->key), f->key.data);
		case FLOAT_SYNTAX:
			break;
	}
	return ilp_fail(parser, "field \"%.*s\": invalid value \"%.*s\"",
					quote_len(&f->key), f->key.data,
					n > ERR_QUOTE ? ERR_QUOTE : (int) n, p);
}

IlpResult
ilp_parse_line(IlpParser *parser, const char *line, size_t len, IlpPoint *point)
{
	LineState	st;
	const char *p;
	const char *end;
	const char *q;
	bool		escaped;
	IlpResult	r;

	parser->error[0] = '\0';
	if (len > 0 && line[len - 1] == '\r')
		len--;
	end = line + len;

	/* blank or comment line?  p then stays past the leading blanks */
	for (p = line; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	if (p == end || *p == '#')
		return ILP_SKIP;

	if (ILP_UNLIKELY(memchr(line, '\0', len) != NULL))
		return ilp_fail(parser, "line has a NUL byte at byte %ld",
						(long) ((const char *) memchr(line, '\0', len) - line) + 1);

	/* reserve scratch for the whole line once: see the file header */
	if (parser->scratch_cap < len + SCRATCH_SLACK)
	{
		size_t		cap = parser->scratch_cap ? parser->scratch_cap : 256;

		while (cap < len + SCRATCH_SLACK)
			cap *= 2;
		parser->scratch = parser->realloc_fn(parser->scratch, cap, parser->realloc_arg);
		parser->scratch_cap = cap;
	}
	st.parser = parser;
	st.line = line;
	st.end = end;
	st.scratch = parser->scratch;
	st.ntags = 0;
	st.nfields = 0;

	/* measurement (after any leading blanks), ended by a comma or space */
	escaped = false;
	q = scan_name(p, end, C_COMMA | C_SPACE, ESC_MEASUREMENT, &escaped);
	if (q == p)
		return ilp_fail(parser, "empty measurement at byte %ld", column_of(&st, p));
	point->measurement = make_name(&st, p, q, ESC_MEASUREMENT, escaped);
	p = q;

	/* tags: ,key=value ... */
	while (p < end && *p == ',')
	{
		IlpTag	   *tag;

		p++;
		if (st.ntags == parser->tags_cap)
			grow_tags(parser);
		tag = &parser->tags[st.ntags];

		escaped = false;
		q = scan_name(p, end, C_COMMA | C_SPACE | C_EQUALS, ESC_KEY, &escaped);
		if (q == p)
			return ilp_fail(parser, "empty tag key at byte %ld", column_of(&st, p));
		tag->key = make_name(&st, p, q, ESC_KEY, escaped);
		if (q == end || *q != '=')
			return ilp_fail(parser, "tag \"%.*s\": missing \"=\" at byte %ld",
							quote_len(&tag->key), tag->key.data, column_of(&st, q));
		if (key_is_time(&tag->key))
			return ilp_fail(parser, "tag key \"time\" is reserved for the timestamp");
		p = q + 1;

		escaped = false;
		q = scan_name(p, end, C_COMMA | C_SPACE | C_EQUALS, ESC_KEY, &escaped);
		if (q == p)
			return ilp_fail(parser, "tag \"%.*s\": empty value at byte %ld",
							quote_len(&tag->key), tag->key.data, column_of(&st, p));
		if (q < end && *q == '=')
			return ilp_fail(parser, "tag \"%.*s\": unescaped \"=\" in value at byte %ld",
							quote_len(&tag->key), tag->key.data, column_of(&st, q));
		tag->value = make_name(&st, p, q, ESC_KEY, escaped);
		st.ntags++;
		p = q;
	}

	/* exactly one space, then the fields */
	if (p == end)
		return ilp_fail(parser, "missing fields after the measurement");
	p++;						/* the space: scan_name stopped at one */
	if (p == end || *p == ' ')
	{
		for (q = p; q < end && *q == ' '; q++)
			;
		if (q == end)
			return ilp_fail(parser, "missing fields after the measurement");
		return ilp_fail(parser, "more than one space before the fields at byte %ld",
						column_of(&st, p));
	}

	for (;;)
	{
		IlpField   *f;

		if (st.nfields == parser->fields_cap)
			grow_fields(parser);
		f = &parser->fields[st.nfields];

		escaped = false;
		q = scan_name(p, end, C_COMMA | C_SPACE | C_EQUALS, ESC_KEY, &escaped);
		if (q == p)
			return ilp_fail(parser, "empty field key at byte %ld", column_of(&st, p));
		f->key = make_name(&st, p, q, ESC_KEY, escaped);
		if (q == end || *q != '=')
			return ilp_fail(parser, "field \"%.*s\": missing \"=\" at byte %ld",
							quote_len(&f->key), f->key.data, column_of(&st, q));
		if (key_is_time(&f->key))
			return ilp_fail(parser, "field key \"time\" is reserved for the timestamp");
		p = q + 1;

		if (p < end && *p == '"')
		{
			bool		too_long;

			f->type = ILP_STRING;
			q = parse_string(&st, p + 1, &f->value.s, &too_long);
			if (q == NULL)
				return ilp_fail(parser, "field \"%.*s\": unterminated string",
								quote_len(&f->key), f->key.data);
			if (too_long)
				return ilp_fail(parser, "field \"%.*s\": string longer than %d bytes",
								quote_len(&f->key), f->key.data, ILP_MAX_STRING_BYTES);
			if (q < end && *q != ',' && *q != ' ')
				return ilp_fail(parser, "field \"%.*s\": unexpected character after the string at byte %ld",
								quote_len(&f->key), f->key.data, column_of(&st, q));
		}
		else
		{
			for (q = p; q < end && *q != ',' && *q != ' '; q++)
				;
			if ((r = parse_value(&st, f, p, q)) != ILP_OK)
				return r;
		}
		st.nfields++;
		p = q;
		if (p == end || *p == ' ')
			break;
		p++;					/* the comma */
	}

	/* optional timestamp after one space, then only spaces */
	point->has_timestamp = false;
	point->timestamp = 0;
	if (p < end)
	{
		p++;
		for (q = p; q < end && *q != ' '; q++)
			;
		if (q > p)
		{
			bool		overflow;

			if (!parse_int64(p, q, &point->timestamp, &overflow))
			{
				if (overflow)
					return ilp_fail(parser, "timestamp out of range at byte %ld",
									column_of(&st, p));
				return ilp_fail(parser, "invalid timestamp \"%.*s\" at byte %ld",
								(q - p) > ERR_QUOTE ? ERR_QUOTE : (int) (q - p), p,
								column_of(&st, p));
			}
			point->has_timestamp = true;
		}
		for (p = q; p < end && *p == ' '; p++)
			;
		if (p < end)
			return ilp_fail(parser, "unexpected text after the %s at byte %ld",
							point->has_timestamp ? "timestamp" : "fields",
							column_of(&st, p));
	}

	point->tags = parser->tags;
	point->ntags = st.ntags;
	point->fields = parser->fields;
	point->nfields = st.nfields;
	if ((r = check_duplicates(&st, point)) != ILP_OK)
		return r;
	return ILP_OK;
}

bool
ilp_timestamp_to_us(int64_t ts, IlpPrecision precision, int64_t *us)
{
	int64_t		q;

	switch (precision)
	{
		case ILP_PRECISION_NS:
			/* floor division: -1 ns is in the microsecond before the epoch */
			q = ts / 1000;
			if (ts % 1000 < 0)
				q--;
			*us = q;
			return true;
		case ILP_PRECISION_US:
			*us = ts;
			return true;
		case ILP_PRECISION_MS:
			if (ts > INT64_MAX / 1000 || ts < INT64_MIN / 1000)
				return false;
			*us = ts * 1000;
			return true;
		case ILP_PRECISION_S:
			if (ts > INT64_MAX / 1000000 || ts < INT64_MIN / 1000000)
				return false;
			*us = ts * 1000000;
			return true;
	}
	return false;
}
