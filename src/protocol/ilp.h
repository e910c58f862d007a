/*
 * ilp.h
 *		InfluxDB line protocol parser: the contract between the parser
 *		(ilp_parse.c) and its users (the ingest worker, the HTTP write API,
 *		the unit tests, the fuzzer and the parse benchmark).
 *
 * Pure C99 with no PostgreSQL headers, so test/unit and test/fuzz link the
 * parser alone.  One call parses one line (without its '\n'; a trailing
 * '\r' is ignored) into an IlpPoint whose strings point either into the
 * line itself (no escapes) or into the parser's scratch buffer (unescaped
 * copies); both stay valid until the next ilp_parse_line() call on the same
 * parser.  The parser never allocates per line: arrays and scratch grow
 * through the caller's allocator and are reused.
 *
 * Rules (../shared/ILP.md): escapes per element, all five value types,
 * blank and '#' comment lines skipped, 64-bit range checks, strings at most
 * ILP_MAX_STRING_BYTES after unescaping.  A tag or field key repeated
 * within one line, a key used both as tag and field, and the key "time"
 * are errors (the line is rejected whole).
 */
#ifndef STREAMSTAT_ILP_H
#define STREAMSTAT_ILP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ILP_MAX_STRING_BYTES (64 * 1024)
#define ILP_ERROR_BYTES 160

typedef enum IlpValueType
{
	ILP_FLOAT,					/* 1, -1.5, 1e9: double precision */
	ILP_INTEGER,				/* 42i: int64 */
	ILP_UNSIGNED,				/* 42u: uint64 */
	ILP_STRING,					/* "text" */
	ILP_BOOLEAN					/* t, true, F, FALSE, ... */
} IlpValueType;

typedef enum IlpPrecision
{
	ILP_PRECISION_NS,
	ILP_PRECISION_US,
	ILP_PRECISION_MS,
	ILP_PRECISION_S
} IlpPrecision;

/* An unescaped string; not NUL-terminated. */
typedef struct IlpString
{
	const char *data;
	size_t		len;
} IlpString;

typedef struct IlpTag
{
	IlpString	key;
	IlpString	value;
} IlpTag;

typedef struct IlpField
{
	IlpString	key;
	IlpValueType type;
	union
	{
		double		f;
		int64_t		i;
		uint64_t	u;
		bool		b;
		IlpString	s;
	}			value;
} IlpField;

typedef struct IlpPoint
{
	IlpString	measurement;
	IlpTag	   *tags;
	int			ntags;
	IlpField   *fields;
	int			nfields;
	bool		has_timestamp;
	int64_t		timestamp;		/* as written, in the configured precision */
} IlpPoint;

typedef enum IlpResult
{
	ILP_OK,						/* *point is filled in */
	ILP_SKIP,					/* blank or comment line: nothing to store */
	ILP_ERROR					/* malformed: ilp_error() says why */
} IlpResult;

/* Allocator the parser grows its buffers with (realloc semantics, NULL ok). */
typedef void *(*IlpReallocFn) (void *ptr, size_t size, void *arg);

typedef struct IlpParser
{
	IlpReallocFn realloc_fn;
	void	   *realloc_arg;
	IlpTag	   *tags;
	int			tags_cap;
	IlpField   *fields;
	int			fields_cap;
	char	   *scratch;		/* unescaped copies of escaped elements */
	size_t		scratch_cap;
	char		error[ILP_ERROR_BYTES];
} IlpParser;

/* Set up a parser; realloc_fn(NULL-able ptr, size, arg) must not return NULL
 * (it reports out-of-memory its own way). */
extern void ilp_parser_init(IlpParser *parser, IlpReallocFn realloc_fn, void *arg);

/* Free what the parser grew (through realloc_fn with size 0). */
extern void ilp_parser_free(IlpParser *parser);

/* Parse one line of len bytes (no '\n'; a trailing '\r' is dropped). */
extern IlpResult ilp_parse_line(IlpParser *parser, const char *line, size_t len,
								IlpPoint *point);

/* Why the last ilp_parse_line() returned ILP_ERROR; a lowercase sentence. */
extern const char *ilp_error(const IlpParser *parser);

/*
 * Convert a timestamp in the given precision to microseconds since the Unix
 * epoch, truncating toward minus infinity.  False when the result does not
 * fit in int64.
 */
extern bool ilp_timestamp_to_us(int64_t ts, IlpPrecision precision, int64_t *us);

#endif							/* STREAMSTAT_ILP_H */
