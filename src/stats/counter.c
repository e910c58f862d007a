/*
 * counter.c
 *		The countersummary type: increases of monotonic counters that may
 *		reset (bytes sent, requests served), Prometheus style; its aggregates
 *		counter_agg and rollup, the operator + and the accessors delta, rate,
 *		num_resets, num_vals, first_time, last_time.
 *
 * Sits at the query end of the path of a record: counter samples that the
 * ingest worker wrote are summarized per time bucket, stored, and summaries
 * of adjacent ranges are combined later.
 *
 * Semantics.  Over the samples in time order, every rise adds to delta and
 * every drop counts as a reset to 0 followed by a rise to the new value (so
 * the drop's new value is added), as Prometheus's increase() does without
 * its extrapolation to the edges of the range.  rate = delta / (last_time -
 * first_time) in seconds.  Samples with equal timestamps are taken in
 * ascending order of value.
 *
 * Why the state keeps samples.  Rows may reach the aggregate in any order,
 * and a parallel worker sees rows from anywhere in the range, so nothing
 * can be folded before the final function has sorted them.  The state is
 * the countersummary itself (a varlena, so Citus can push it down) holding
 * two lists: raw samples (time, value) appended in place, and "pieces",
 * summaries of time ranges that came from rollup() or +.  The final
 * function sorts both by time and folds them into one piece; pieces whose
 * time ranges overlap cannot be folded and are an error.  The state grows by
 * 16 bytes a row; a finished summary is one piece, 56 bytes.
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#define COUNTER_SEND_VERSION 1

/* A sample. */
typedef struct CounterPoint
{
	TimestampTz time;
	double		value;
} CounterPoint;

/* The summary of the samples of a time range. */
typedef struct CounterPiece
{
	TimestampTz first_time;
	TimestampTz last_time;
	double		first_value;
	double		last_value;
	double		delta;			/* increase, resets counted from 0 */
	int64		resets;
	int64		n;				/* samples */
} CounterPiece;

typedef struct CounterSummary
{
	int32		vl_len_;
	int32		npieces;
	int32		piece_capacity; /* room for pieces */
	int32		npoints;
	int32		capacity;		/* room for points after the pieces */
	CounterPiece pieces[FLEXIBLE_ARRAY_MEMBER];
	/* followed by CounterPoint points[capacity] */
} CounterSummary;

#define COUNTER_SIZE(piece_capacity, capacity) \
	(offsetof(CounterSummary, pieces) + (Size) (piece_capacity) * sizeof(CounterPiece) + \
	 (Size) (capacity) * sizeof(CounterPoint))
#define COUNTER_POINTS(s)	((CounterPoint *) ((s)->pieces + (s)->piece_capacity))

#define PG_GETARG_COUNTER_P(n)	((CounterSummary *) PG_DETOAST_DATUM(PG_GETARG_DATUM(n)))

/* An empty summary with room for the given pieces and points. */
static CounterSummary *
counter_alloc(int32 piece_capacity, int32 capacity)
{
	CounterSummary *s = palloc0(COUNTER_SIZE(piece_capacity, capacity));

	SET_VARSIZE(s, COUNTER_SIZE(piece_capacity, capacity));
	s->piece_capacity = piece_capacity;
	s->capacity = capacity;
	return s;
}

/* a := a followed by b (b starts at or after a's end). */
static void
piece_fold(CounterPiece *a, const CounterPiece *b)
{
	if (b->first_value >= a->last_value)
		a->delta += b->first_value - a->last_value;
	else
	{
		a->delta += b->first_value;
		a->resets++;
	}
	a->delta += b->delta;
	a->resets += b->resets;
	a->last_time = b->last_time;
	a->last_value = b->last_value;
	a->n += b->n;
}

static int
piece_cmp(const void *pa, const void *pb)
{
	const CounterPiece *a = pa;
	const CounterPiece *b = pb;

	if (a->first_time != b->first_time)
		return a->first_time < b->first_time ? -1 : 1;
	if (a->last_time != b->last_time)
		return a->last_time < b->last_time ? -1 : 1;
	if (a->first_value != b->first_value)
		return a->first_value < b->first_value ? -1 : 1;
	return 0;
}

/* Is s already one folded piece? */
static inline bool
counter_is_folded(const CounterSummary *s)
{
	return s->npieces == 1 && s->npoints == 0;
}

/*
 * The folded summary of everything s holds: one piece, newly allocated
 * (or s itself when already folded); NULL when s holds nothing.
 */
static CounterSummary *
counter_fold(CounterSummary *s)
{
	int32		n = s->npieces + s->npoints;
	CounterPiece *all;
	CounterPoint *pts = COUNTER_POINTS(s);
	CounterSummary *r;

	if (counter_is_folded(s))
		return s;
	if (n == 0)
		return NULL;
	all = palloc(n * sizeof(CounterPiece));
	memcpy(all, s->pieces, s->npieces * sizeof(CounterPiece));
	for (int32 i = 0; i < s->npoints; i++)
	{
		CounterPiece *p = &all[s->npieces + i];

		p->first_time = p->last_time = pts[i].time;
		p->first_value = p->last_value = pts[i].value;
		p->delta = 0.0;
		p->resets = 0;
		p->n = 1;
	}
	qsort(all, n, sizeof(CounterPiece), piece_cmp);
	for (int32 i = 1; i < n; i++)
	{
		if (all[i].first_time < all[0].last_time)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("countersummaries of overlapping time ranges cannot be combined"),
					 errdetail("A summary starting at %s begins before the previous one ends at %s.",
							   pstrdup(timestamptz_to_str(all[i].first_time)),
							   pstrdup(timestamptz_to_str(all[0].last_time))),
					 errhint("Combine summaries of adjacent, non-overlapping ranges, such as the buckets of one time_bucket width.")));
		piece_fold(&all[0], &all[i]);
	}
	r = counter_alloc(1, 0);
	r->npieces = 1;
	r->pieces[0] = all[0];
	pfree(all);
	return r;
}

/* A copy of s with room for at least the given pieces and points. */
static CounterSummary *
counter_grow(const CounterSummary *s, int32 piece_capacity, int32 capacity)
{
	CounterSummary *r = counter_alloc(Max(piece_capacity, s->npieces),
									  Max(capacity, s->npoints));

	memcpy(r->pieces, s->pieces, s->npieces * sizeof(CounterPiece));
	memcpy(COUNTER_POINTS(r), COUNTER_POINTS(s), s->npoints * sizeof(CounterPoint));
	r->npieces = s->npieces;
	r->npoints = s->npoints;
	return r;
}

/*
 * Append b's pieces and points to a, in place when a may be modified and
 * has room, else in a copy with twice the room; returns the result.
 */
static CounterSummary *
counter_append(CounterSummary *a, bool in_place, const CounterSummary *b)
{
	if (!in_place || a->npieces + b->npieces > a->piece_capacity ||
		a->npoints + b->npoints > a->capacity)
		a = counter_grow(a,
						 a->npieces + b->npieces > a->piece_capacity ?
						 2 * (a->npieces + b->npieces) : a->piece_capacity,
						 a->npoints + b->npoints > a->capacity ?
						 2 * (a->npoints + b->npoints) : a->capacity);
	memcpy(a->pieces + a->npieces, b->pieces, b->npieces * sizeof(CounterPiece));
	memcpy(COUNTER_POINTS(a) + a->npoints, COUNTER_POINTS(b),
		   b->npoints * sizeof(CounterPoint));
	a->npieces += b->npieces;
	a->npoints += b->npoints;
	return a;
}

/*
 * Text and binary I/O
 * -------------------
 * Text form of a folded summary:
 * (n:3,first:2026-01-01 00:00:00+00,first_value:5,last:...,last_value:9,
 * delta:12,resets:1); timestamps as timestamptz_out writes them (exact to
 * the microsecond), doubles in their shortest exact form.
 */

static void
counter_syntax_error(const char *str)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type countersummary: \"%s\"", str),
			 errhint("Expected (n:N,first:T,first_value:X,last:T,last_value:X,delta:X,resets:N).")));
}

/* Parse "name:" then the text up to the next ',' or ')' into a C string. */
static char *
counter_field(const char **p, const char *name, const char *str)
{
	size_t		len = strlen(name);
	const char *end;

	if (strncmp(*p, name, len) != 0 || (*p)[len] != ':')
		counter_syntax_error(str);
	*p += len + 1;
	end = *p + strcspn(*p, ",)");
	if (*end == '\0' || end == *p)
		counter_syntax_error(str);
	{
		char	   *r = pnstrdup(*p, end - *p);

		*p = end;
		return r;
	}
}

static double
counter_double(const char *f, const char *str)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(f, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(v))
		counter_syntax_error(str);
	return v;
}

static int64
counter_int(const char *f, const char *str)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(f, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		counter_syntax_error(str);
	return (int64) v;
}

static TimestampTz
counter_time(const char *f)
{
	return DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in, CStringGetDatum(f),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1)));
}

static void
counter_check(const CounterPiece *p, int errc, const char *input)
{
	const char *reason = NULL;

	if (p->n < 1)
		reason = "n must be positive";
	else if (TIMESTAMP_NOT_FINITE(p->first_time) || TIMESTAMP_NOT_FINITE(p->last_time) ||
			 p->last_time < p->first_time)
		reason = "the times must be finite, first <= last";
	else if (!isfinite(p->first_value) || !isfinite(p->last_value) ||
			 !isfinite(p->delta) || p->delta < 0.0)
		reason = "values must be finite, delta >= 0";
	else if (p->resets < 0 || p->resets >= p->n)
		reason = "resets must be between 0 and n - 1";
	else if (p->n == 1 && (p->first_time != p->last_time || p->delta != 0.0 ||
						   p->first_value != p->last_value))
		reason = "a single sample has no range and no increase";
	if (reason)
		ereport(ERROR,
				(errcode(errc),
				 errmsg("invalid countersummary \"%s\"", input ? input : "(binary)"),
				 errdetail("%s.", reason)));
}

PG_FUNCTION_INFO_V1(streamstat_countersummary_in);
Datum
streamstat_countersummary_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	CounterSummary *s = counter_alloc(1, 0);
	CounterPiece *c = &s->pieces[0];

	s->npieces = 1;
	if (*p++ != '(')
		counter_syntax_error(str);
	c->n = counter_int(counter_field(&p, "n", str), str);
	if (*p++ != ',')
		counter_syntax_error(str);
	c->first_time = counter_time(counter_field(&p, "first", str));
	if (*p++ != ',')
		counter_syntax_error(str);
	c->first_value = counter_double(counter_field(&p, "first_value", str), str);
	if (*p++ != ',')
		counter_syntax_error(str);
	c->last_time = counter_time(counter_field(&p, "last", str));
	if (*p++ != ',')
		counter_syntax_error(str);
	c->last_value = counter_double(counter_field(&p, "last_value", str), str);
	if (*p++ != ',')
		counter_syntax_error(str);
	c->delta = counter_double(counter_field(&p, "delta", str), str);
	if (*p++ != ',')
		counter_syntax_error(str);
	c->resets = counter_int(counter_field(&p, "resets", str), str);
	if (*p++ != ')')
		counter_syntax_error(str);
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p != '\0')
		counter_syntax_error(str);
	counter_check(c, ERRCODE_INVALID_TEXT_REPRESENTATION, str);
	PG_RETURN_POINTER(s);
}

static void
append_double(StringInfo buf, double v)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(v, tmp);
	appendStringInfoString(buf, tmp);
}

static char *
time_text(TimestampTz t)
{
	return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(t)));
}

PG_FUNCTION_INFO_V1(streamstat_countersummary_out);
Datum
streamstat_countersummary_out(PG_FUNCTION_ARGS)
{
	CounterSummary *s = counter_fold(PG_GETARG_COUNTER_P(0));
	CounterPiece *c;
	StringInfoData buf;

	if (s == NULL)
		PG_RETURN_CSTRING(pstrdup("(n:0)"));
	c = &s->pieces[0];
	initStringInfo(&buf);
	appendStringInfo(&buf, "(n:" INT64_FORMAT ",first:%s,first_value:", c->n,
					 time_text(c->first_time));
	append_double(&buf, c->first_value);
	appendStringInfo(&buf, ",last:%s,last_value:", time_text(c->last_time));
	append_double(&buf, c->last_value);
	appendStringInfoString(&buf, ",delta:");
	append_double(&buf, c->delta);
	appendStringInfo(&buf, ",resets:" INT64_FORMAT ")", c->resets);
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(streamstat_countersummary_recv);
Datum
streamstat_countersummary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	CounterSummary *s = counter_alloc(1, 0);
	CounterPiece *c = &s->pieces[0];

	s->npieces = 1;
	if (version != COUNTER_SEND_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported countersummary binary version %d", version)));
	c->n = pq_getmsgint64(buf);
	c->first_time = pq_getmsgint64(buf);
	c->first_value = pq_getmsgfloat8(buf);
	c->last_time = pq_getmsgint64(buf);
	c->last_value = pq_getmsgfloat8(buf);
	c->delta = pq_getmsgfloat8(buf);
	c->resets = pq_getmsgint64(buf);
	counter_check(c, ERRCODE_INVALID_BINARY_REPRESENTATION, NULL);
	PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(streamstat_countersummary_send);
Datum
streamstat_countersummary_send(PG_FUNCTION_ARGS)
{
	CounterSummary *s = counter_fold(PG_GETARG_COUNTER_P(0));
	CounterPiece *c;
	StringInfoData buf;

	if (s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot send an empty countersummary")));
	c = &s->pieces[0];
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, COUNTER_SEND_VERSION);
	pq_sendint64(&buf, c->n);
	pq_sendint64(&buf, c->first_time);
	pq_sendfloat8(&buf, c->first_value);
	pq_sendint64(&buf, c->last_time);
	pq_sendfloat8(&buf, c->last_value);
	pq_sendfloat8(&buf, c->delta);
	pq_sendint64(&buf, c->resets);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* countersummary + countersummary: both ranges, which must not overlap. */
PG_FUNCTION_INFO_V1(streamstat_countersummary_combine);
Datum
streamstat_countersummary_combine(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(counter_fold(counter_append(PG_GETARG_COUNTER_P(0), false,
												  PG_GETARG_COUNTER_P(1))));
}

/*
 * Aggregate support
 * -----------------
 */

/* counter_agg(value, ts) transition: append the sample in place. */
PG_FUNCTION_INFO_V1(streamstat_counter_agg_trans);
Datum
streamstat_counter_agg_trans(PG_FUNCTION_ARGS)
{
	CounterSummary *s;
	double		v;
	TimestampTz t;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	v = PG_GETARG_FLOAT8(1);
	t = PG_GETARG_TIMESTAMPTZ(2);
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("counter_agg cannot use a counter value of %s",
						isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity")),
				 errhint("Filter such rows out, for example with WHERE v > '-Infinity' AND v < 'Infinity'.")));
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("counter_agg cannot use an infinite timestamp"),
				 errhint("Filter such rows out.")));

	if (PG_ARGISNULL(0))
		s = counter_alloc(0, 16);
	else if (!AggCheckCallContext(fcinfo, NULL))
		s = counter_grow(PG_GETARG_COUNTER_P(0), 0, PG_GETARG_COUNTER_P(0)->npoints + 1);
	else
		s = (CounterSummary *) PG_GETARG_POINTER(0);
	if (s->npoints >= s->capacity)
		s = counter_grow(s, 0, Max(16, 2 * s->capacity));
	COUNTER_POINTS(s)[s->npoints].time = t;
	COUNTER_POINTS(s)[s->npoints].value = v;
	s->npoints++;
	PG_RETURN_POINTER(s);
}

/* Combine partial states (parallel plans), and rollup's transition. */
PG_FUNCTION_INFO_V1(streamstat_counter_agg_combine);
Datum
streamstat_counter_agg_combine(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(counter_grow(PG_GETARG_COUNTER_P(1), 4, 0));
	PG_RETURN_POINTER(counter_append(PG_GETARG_COUNTER_P(0),
									 AggCheckCallContext(fcinfo, NULL),
									 PG_GETARG_COUNTER_P(1)));
}

/* Final: sort and fold into one summary (a new value; the state is left). */
PG_FUNCTION_INFO_V1(streamstat_counter_agg_final);
Datum
streamstat_counter_agg_final(PG_FUNCTION_ARGS)
{
	CounterSummary *s;
	CounterSummary *r;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = PG_GETARG_COUNTER_P(0);
	r = counter_fold(s);
	if (r == NULL)
		PG_RETURN_NULL();
	if (r == s)
	{
		r = counter_alloc(1, 0);
		r->npieces = 1;
		r->pieces[0] = s->pieces[0];
	}
	PG_RETURN_POINTER(r);
}

/*
 * Accessors
 * ---------
 */

/* The folded piece of a summary argument, or NULL (caller returns NULL). */
static const CounterPiece *
counter_piece(FunctionCallInfo fcinfo)
{
	CounterSummary *s = counter_fold(PG_GETARG_COUNTER_P(0));

	return s ? &s->pieces[0] : NULL;
}

PG_FUNCTION_INFO_V1(streamstat_counter_delta);
Datum
streamstat_counter_delta(PG_FUNCTION_ARGS)
{
	const CounterPiece *c = counter_piece(fcinfo);

	if (!c)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(c->delta);
}

/* Increase per second over the covered time; NULL for a single instant. */
PG_FUNCTION_INFO_V1(streamstat_counter_rate);
Datum
streamstat_counter_rate(PG_FUNCTION_ARGS)
{
	const CounterPiece *c = counter_piece(fcinfo);

	if (!c || c->last_time == c->first_time)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(c->delta / ((double) (c->last_time - c->first_time) / USECS_PER_SEC));
}

PG_FUNCTION_INFO_V1(streamstat_counter_num_resets);
Datum
streamstat_counter_num_resets(PG_FUNCTION_ARGS)
{
	const CounterPiece *c = counter_piece(fcinfo);

	if (!c)
		PG_RETURN_NULL();
	PG_RETURN_INT64(c->resets);
}

PG_FUNCTION_INFO_V1(streamstat_counter_num_vals);
Datum
streamstat_counter_num_vals(PG_FUNCTION_ARGS)
{
	const CounterPiece *c = counter_piece(fcinfo);

	PG_RETURN_INT64(c ? c->n : 0);
}

PG_FUNCTION_INFO_V1(streamstat_counter_first_time);
Datum
streamstat_counter_first_time(PG_FUNCTION_ARGS)
{
	const CounterPiece *c = counter_piece(fcinfo);

	if (!c)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(c->first_time);
}

PG_FUNCTION_INFO_V1(streamstat_counter_last_time);
Datum
streamstat_counter_last_time(PG_FUNCTION_ARGS)
{
	const CounterPiece *c = counter_piece(fcinfo);

	if (!c)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(c->last_time);
}
