/*
 * regrsummary.c
 *		The regrsummary type (least squares of y against x), its aggregates
 *		regr_agg and rollup, and the accessors that read a fit from it.
 *
 * Sits at the query end of the path of a record: rows that the ingest
 * worker wrote into a measurement table are summarized here by SQL.  A
 * regrsummary holds the six numbers of float.c's regression state (N, Sx,
 * Sxx, Sy, Syy, Sxy), so every accessor reproduces the built-in regr_*
 * aggregates; summaries combine (operator +, rollup) so that per-bucket
 * summaries can be stored and merged later.  Three kinds of aggregate state
 * feed it:
 *
 *	- RegrSummary itself, updated in place by the plain transition functions
 *	  (Youngs-Cramer, as float8_regr_accum), combined and serialized for
 *	  parallel plans;
 *	- RegrMoving, the state of the moving-aggregate (sliding window) mode:
 *	  double-double sums about a shift, with NaN and Inf counted apart, so
 *	  rows can also leave the frame;
 *	- nothing else: the accessors only read a RegrSummary.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/timestamp.h"

#include "ddouble.h"
#include "tdist.h"

/* The on-disk and in-memory form of a regrsummary: 48 bytes, no header. */
typedef struct RegrSummary
{
	int64		n;				/* number of (y, x) pairs */
	double		sx;				/* sum of x */
	double		sxx;			/* sum of (x - mean x)^2 */
	double		sy;				/* sum of y */
	double		syy;			/* sum of (y - mean y)^2 */
	double		sxy;			/* sum of (x - mean x)(y - mean y) */
} RegrSummary;

#define REGRSUMMARY_SEND_VERSION 1

#define DatumGetRegrSummaryP(X)		((RegrSummary *) DatumGetPointer(X))
#define PG_GETARG_REGRSUMMARY_P(n)	DatumGetRegrSummaryP(PG_GETARG_DATUM(n))
#define PG_RETURN_REGRSUMMARY_P(x)	PG_RETURN_POINTER(x)

/*
 * Plain accumulation
 * ------------------
 * Exactly the method of PostgreSQL's float8_regr_accum and
 * float8_regr_combine (src/backend/utils/adt/float.c), so that regr_agg
 * agrees with regr_slope, regr_r2, corr, covar_samp ... to rounding: the
 * Youngs-Cramer updates
 *		N' = N + 1, Sx' = Sx + x, Sxx' = Sxx + (N' x - Sx')^2 / (N' N),
 *		Sxy' = Sxy + (N' x - Sx')(N' y - Sy') / (N' N),
 * and for two partial states Chan, Golub and LeVeque's pairwise formula
 *		Sxx = Sxx1 + Sxx2 + N1 N2 (Sx1/N1 - Sx2/N2)^2 / N.
 * References: Youngs and Cramer, "Some results relevant to choice of sum
 * and sum-of-product algorithms", Technometrics 13 (1971); Chan, Golub and
 * LeVeque, "Algorithms for computing the sample variance", Stanford
 * STAN-CS-79-773 (1979).
 *
 * Edge cases, as in float.c: an Inf or NaN x makes Sxx and Sxy NaN (and Sx
 * follows IEEE addition), likewise for y; overflow is an error only when
 * finite inputs produce an infinite result.
 */

/* Add one (y, x) pair to a summary, Youngs-Cramer style. */
static inline void
regr_accum(RegrSummary *s, double y, double x)
{
	double		n_old = (double) s->n;
	double		n = n_old + 1.0;
	double		sx = s->sx + x;
	double		sy = s->sy + y;
	double		sxx = s->sxx;
	double		syy = s->syy;
	double		sxy = s->sxy;

	if (s->n > 0)
	{
		double		dx = x * n - sx;
		double		dy = y * n - sy;
		double		scale = 1.0 / (n * n_old);

		sxx += dx * dx * scale;
		syy += dy * dy * scale;
		sxy += dx * dy * scale;

		if (unlikely(isinf(sx) || isinf(sxx) || isinf(sy) || isinf(syy) ||
					 isinf(sxy)))
		{
			if (((isinf(sx) || isinf(sxx)) && !isinf(s->sx) && !isinf(x)) ||
				((isinf(sy) || isinf(syy)) && !isinf(s->sy) && !isinf(y)) ||
				(isinf(sxy) && !isinf(s->sx) && !isinf(x) &&
				 !isinf(s->sy) && !isinf(y)))
				float_overflow_error();
			/* sums of squares of infinite inputs are NaN, not Inf */
			if (isinf(sxx))
				sxx = get_float8_nan();
			if (isinf(syy))
				syy = get_float8_nan();
			if (isinf(sxy))
				sxy = get_float8_nan();
		}
	}
	else
	{
		/* a first non-finite input must not look like zero variance */
		if (!isfinite(x))
			sxx = sxy = get_float8_nan();
		if (!isfinite(y))
			syy = sxy = get_float8_nan();
	}

	s->n++;
	s->sx = sx;
	s->sxx = sxx;
	s->sy = sy;
	s->syy = syy;
	s->sxy = sxy;
}

/* a := a combined with b (Chan-Golub-LeVeque, as float8_regr_combine). */
static void
regr_combine(RegrSummary *a, const RegrSummary *b)
{
	double		n1 = (double) a->n;
	double		n2 = (double) b->n;
	double		n;
	double		dx,
				dy;
	RegrSummary r;

	if (b->n == 0)
		return;
	if (a->n == 0)
	{
		*a = *b;
		return;
	}

	n = n1 + n2;
	r.n = a->n + b->n;
	r.sx = float8_pl(a->sx, b->sx);
	dx = a->sx / n1 - b->sx / n2;
	r.sxx = a->sxx + b->sxx + n1 * n2 * dx * dx / n;
	if (unlikely(isinf(r.sxx)) && !isinf(a->sxx) && !isinf(b->sxx))
		float_overflow_error();
	r.sy = float8_pl(a->sy, b->sy);
	dy = a->sy / n1 - b->sy / n2;
	r.syy = a->syy + b->syy + n1 * n2 * dy * dy / n;
	if (unlikely(isinf(r.syy)) && !isinf(a->syy) && !isinf(b->syy))
		float_overflow_error();
	r.sxy = a->sxy + b->sxy + n1 * n2 * dx * dy / n;
	if (unlikely(isinf(r.sxy)) && !isinf(a->sxy) && !isinf(b->sxy))
		float_overflow_error();
	*a = r;
}

/* Seconds since the Unix epoch, as a double; infinite timestamps give +-Inf. */
static inline double
timestamptz_to_epoch_seconds(TimestampTz t)
{
	if (TIMESTAMP_IS_NOBEGIN(t))
		return -get_float8_infinity();
	if (TIMESTAMP_IS_NOEND(t))
		return get_float8_infinity();
	/* exact in int64, then one correctly rounded division */
	return (double) (t + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)
		/ (double) USECS_PER_SEC;
}

/* Reject summaries that no aggregate could have produced. */
static bool
regrsummary_is_valid(const RegrSummary *s)
{
	if (s->n < 0)
		return false;
	if (s->n == 0)
		return s->sx == 0.0 && s->sxx == 0.0 && s->sy == 0.0 &&
			s->syy == 0.0 && s->sxy == 0.0;
	/* Sxx is finite exactly when every x was, and then non-negative */
	if (isfinite(s->sx) != isfinite(s->sxx) || isinf(s->sxx) || s->sxx < 0.0)
		return false;
	if (isfinite(s->sy) != isfinite(s->syy) || isinf(s->syy) || s->syy < 0.0)
		return false;
	if (isfinite(s->sxy) != (isfinite(s->sxx) && isfinite(s->syy)) ||
		isinf(s->sxy))
		return false;
	/* one pair has no spread */
	if (s->n == 1 && isfinite(s->sxy) &&
		(s->sxx != 0.0 || s->syy != 0.0 || s->sxy != 0.0))
		return false;
	return true;
}

/* A palloc'd copy of a summary, to return as a datum. */
static RegrSummary *
regrsummary_copy(const RegrSummary *s)
{
	RegrSummary *r = palloc(sizeof(RegrSummary));

	*r = *s;
	return r;
}

/*
 * Text and binary I/O
 * -------------------
 * Text form: (n:3,sx:6,sxx:2,sy:12,syy:8,sxy:4).  Doubles are written in the
 * shortest form that reads back to the same bits (Ryu, as float8out does
 * with extra_float_digits > 0, but regardless of that setting), so
 * pg_dump/restore and text COPY are exact.
 */

/* Field names of the text form, in order. */
static const char *const regrsummary_fields[] = {"n", "sx", "sxx", "sy", "syy", "sxy"};

/* Report malformed text input of a regrsummary. */
static void
regrsummary_syntax_error(const char *str)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", "regrsummary", str),
			 errhint("A regrsummary looks like (n:2,sx:3,sxx:0.5,sy:4,syy:2,sxy:1).")));
}

/* Text input: (n:N,sx:..,sxx:..,sy:..,syy:..,sxy:..), validated. */
PG_FUNCTION_INFO_V1(streamstat_regrsummary_in);
Datum
streamstat_regrsummary_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	char	   *p = str;
	double		vals[6];
	RegrSummary s;

	while (isspace((unsigned char) *p))
		p++;
	if (*p++ != '(')
		regrsummary_syntax_error(str);
	for (int i = 0; i < 6; i++)
	{
		size_t		len = strlen(regrsummary_fields[i]);
		char	   *end;

		while (isspace((unsigned char) *p))
			p++;
		if (strncmp(p, regrsummary_fields[i], len) != 0 || p[len] != ':')
			regrsummary_syntax_error(str);
		p += len + 1;
		if (i == 0)
		{
			errno = 0;
			s.n = strtoi64(p, &end, 10);
			if (end == p || errno != 0)
				regrsummary_syntax_error(str);
			vals[0] = 0.0;
		}
		else
			vals[i] = float8in_internal(p, &end, "regrsummary", str);
		p = end;
		while (isspace((unsigned char) *p))
			p++;
		if (*p++ != (i < 5 ? ',' : ')'))
			regrsummary_syntax_error(str);
	}
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		regrsummary_syntax_error(str);

	s.sx = vals[1];
	s.sxx = vals[2];
	s.sy = vals[3];
	s.syy = vals[4];
	s.sxy = vals[5];
	if (!regrsummary_is_valid(&s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("inconsistent regrsummary \"%s\"", str),
				 errhint("n must be non-negative, sums of squares non-negative, and NaN where an input was not finite, as regr_agg produces them.")));
	PG_RETURN_REGRSUMMARY_P(regrsummary_copy(&s));
}

/* Append the shortest exact decimal form of a double. */
static void
append_double(StringInfo buf, double v)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(v, tmp);
	appendStringInfoString(buf, tmp);
}

/* Text output, exact for every double. */
PG_FUNCTION_INFO_V1(streamstat_regrsummary_out);
Datum
streamstat_regrsummary_out(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(n:" INT64_FORMAT ",sx:", s->n);
	append_double(&buf, s->sx);
	appendStringInfoString(&buf, ",sxx:");
	append_double(&buf, s->sxx);
	appendStringInfoString(&buf, ",sy:");
	append_double(&buf, s->sy);
	appendStringInfoString(&buf, ",syy:");
	append_double(&buf, s->syy);
	appendStringInfoString(&buf, ",sxy:");
	append_double(&buf, s->sxy);
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

/* Binary input: a version byte, n, then the five sums. */
PG_FUNCTION_INFO_V1(streamstat_regrsummary_recv);
Datum
streamstat_regrsummary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	RegrSummary s;
	int			version = pq_getmsgbyte(buf);

	if (version != REGRSUMMARY_SEND_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported binary regrsummary version %d", version),
				 errhint("Send the value in text form, or upgrade streamstat on the receiving server.")));
	s.n = pq_getmsgint64(buf);
	s.sx = pq_getmsgfloat8(buf);
	s.sxx = pq_getmsgfloat8(buf);
	s.sy = pq_getmsgfloat8(buf);
	s.syy = pq_getmsgfloat8(buf);
	s.sxy = pq_getmsgfloat8(buf);
	if (!regrsummary_is_valid(&s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("inconsistent binary regrsummary"),
				 errhint("The value was not produced by regr_agg or rollup.")));
	PG_RETURN_REGRSUMMARY_P(regrsummary_copy(&s));
}

/* Binary output: a version byte, n, then the five sums. */
PG_FUNCTION_INFO_V1(streamstat_regrsummary_send);
Datum
streamstat_regrsummary_send(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, REGRSUMMARY_SEND_VERSION);
	pq_sendint64(&buf, s->n);
	pq_sendfloat8(&buf, s->sx);
	pq_sendfloat8(&buf, s->sxx);
	pq_sendfloat8(&buf, s->sy);
	pq_sendfloat8(&buf, s->syy);
	pq_sendfloat8(&buf, s->sxy);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* regrsummary + regrsummary: the summary of both inputs together. */
PG_FUNCTION_INFO_V1(streamstat_regrsummary_combine);
Datum
streamstat_regrsummary_combine(PG_FUNCTION_ARGS)
{
	RegrSummary *r = regrsummary_copy(PG_GETARG_REGRSUMMARY_P(0));

	regr_combine(r, PG_GETARG_REGRSUMMARY_P(1));
	PG_RETURN_REGRSUMMARY_P(r);
}

/*
 * Plain aggregate support: the state is a RegrSummary allocated in the
 * aggregate context and updated in place.
 */

/* The state of a plain regr_agg/rollup call, created on first use. */
static inline RegrSummary *
regr_state(FunctionCallInfo fcinfo, const char *caller)
{
	MemoryContext aggcontext;

	if (!PG_ARGISNULL(0))
		return (RegrSummary *) PG_GETARG_POINTER(0);
	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", caller);
	return (RegrSummary *) MemoryContextAllocZero(aggcontext, sizeof(RegrSummary));
}

/* regr_agg(y, x) transition: add one pair unless y or x is NULL. */
PG_FUNCTION_INFO_V1(streamstat_regr_accum);
Datum
streamstat_regr_accum(PG_FUNCTION_ARGS)
{
	RegrSummary *s = regr_state(fcinfo, "streamstat_regr_accum");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
		regr_accum(s, PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2));
	PG_RETURN_POINTER(s);
}

/* regr_agg(y, timestamptz) transition: x in seconds since the Unix epoch. */
PG_FUNCTION_INFO_V1(streamstat_regr_accum_tstz);
Datum
streamstat_regr_accum_tstz(PG_FUNCTION_ARGS)
{
	RegrSummary *s = regr_state(fcinfo, "streamstat_regr_accum_tstz");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
		regr_accum(s, PG_GETARG_FLOAT8(1),
				   timestamptz_to_epoch_seconds(PG_GETARG_TIMESTAMPTZ(2)));
	PG_RETURN_POINTER(s);
}

/* rollup(regrsummary) transition: combine one more summary. */
PG_FUNCTION_INFO_V1(streamstat_regr_rollup_accum);
Datum
streamstat_regr_rollup_accum(PG_FUNCTION_ARGS)
{
	RegrSummary *s = regr_state(fcinfo, "streamstat_regr_rollup_accum");

	if (!PG_ARGISNULL(1))
		regr_combine(s, PG_GETARG_REGRSUMMARY_P(1));
	PG_RETURN_POINTER(s);
}

/* Combine two partial states of a parallel aggregate. */
PG_FUNCTION_INFO_V1(streamstat_regr_combine_states);
Datum
streamstat_regr_combine_states(PG_FUNCTION_ARGS)
{
	RegrSummary *s;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	s = regr_state(fcinfo, "streamstat_regr_combine_states");
	regr_combine(s, (RegrSummary *) PG_GETARG_POINTER(1));
	PG_RETURN_POINTER(s);
}

/* Serialize a partial state for a parallel worker. */
PG_FUNCTION_INFO_V1(streamstat_regr_serialize);
Datum
streamstat_regr_serialize(PG_FUNCTION_ARGS)
{
	RegrSummary *s = (RegrSummary *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "streamstat_regr_serialize called in non-aggregate context");
	pq_begintypsend(&buf);
	pq_sendint64(&buf, s->n);
	pq_sendfloat8(&buf, s->sx);
	pq_sendfloat8(&buf, s->sxx);
	pq_sendfloat8(&buf, s->sy);
	pq_sendfloat8(&buf, s->syy);
	pq_sendfloat8(&buf, s->sxy);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Deserialize a partial state from a parallel worker. */
PG_FUNCTION_INFO_V1(streamstat_regr_deserialize);
Datum
streamstat_regr_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *sstate = PG_GETARG_BYTEA_PP(0);
	RegrSummary *s;
	StringInfoData buf;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "streamstat_regr_deserialize called in non-aggregate context");
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(sstate), VARSIZE_ANY_EXHDR(sstate));
	s = palloc(sizeof(RegrSummary));
	s->n = pq_getmsgint64(&buf);
	s->sx = pq_getmsgfloat8(&buf);
	s->sxx = pq_getmsgfloat8(&buf);
	s->sy = pq_getmsgfloat8(&buf);
	s->syy = pq_getmsgfloat8(&buf);
	s->sxy = pq_getmsgfloat8(&buf);
	pq_getmsgend(&buf);
	pfree(buf.data);
	PG_RETURN_POINTER(s);
}

/* No rows gives the empty summary (num_vals 0), as regr_count gives 0. */
PG_FUNCTION_INFO_V1(streamstat_regr_final);
Datum
streamstat_regr_final(PG_FUNCTION_ARGS)
{
	RegrSummary empty = {0};

	if (PG_ARGISNULL(0))
		PG_RETURN_REGRSUMMARY_P(regrsummary_copy(&empty));
	PG_RETURN_REGRSUMMARY_P(regrsummary_copy((RegrSummary *) PG_GETARG_POINTER(0)));
}

/*
 * Moving aggregation (sliding window frames)
 * ------------------------------------------
 * A window frame that slides adds rows at its end and removes them at its
 * start.  Youngs-Cramer updates cannot be undone safely in doubles (the
 * removal of a large value leaves its rounding error behind, amplified
 * when what remains is small), so the moving state keeps different sums:
 *
 *		Sdx = sum (x - kx),  Sdxx = sum (x - kx)^2,  Sdxy = sum (x - kx)(y - ky)
 *
 * (and the same for y) about a shift (kx, ky) taken from the first finite
 * value that entered the state, in double-double arithmetic (ddouble.h,
 * about 106 bits).  x - kx is exact as a double-double (TwoSum), so adding
 * and later subtracting the same pair cancels to the last bits of the
 * double-double sums; the centered sums follow as
 *		Sxx = Sdxx - Sdx^2 / N,  Sxy = Sdxy - Sdx Sdy / N,
 * which loses at most about log2(N) bits while the shift is one of the
 * frame's own values (then Sdxx <= (N + 1) Sxx).  We chose shifted sums
 * over a double-double Youngs-Cramer add/remove because the removal then
 * needs no division and every step has a simple error bound.  A summary
 * entering through rollup(regrsummary) is the same thing with weight N:
 * its shifted sums are Sx - N kx, Sxx + (Sx - N kx)^2 / N, and so on.
 *
 * Non-finite values never enter the sums: entries whose x (or y) is NaN,
 * +Inf or -Inf are counted, per class, and the final function rebuilds the
 * IEEE result float.c would give (Sx = +Inf, NaN for +Inf with -Inf, NaN
 * Sxx ...).  So NaN and Inf can enter a frame and leave it again.
 *
 * Precision guard.  Each double-double operation errs by at most about
 * 2^-104 of the largest magnitude the sum ever had, so after K operations
 * the error of Sdxx is below K * 2^-104 * peak(Sdxx), and likewise for the
 * other sums.  When a row leaves, the inverse transition compares these
 * bounds with what remains: the centered Sxx and Syy, sqrt(Sxx Syy) for
 * Sxy, and max(|Sx|, sqrt(N Sxx)) for the first moments.  If the error
 * bound exceeds 2^-40 of that, removing the row would cancel away too much
 * (a 1e15 spike leaving a frame of unit noise is the classic case) and the
 * inverse transition returns NULL: PostgreSQL then recomputes the frame
 * from scratch, with a fresh shift and fresh peaks.  The test is on
 * magnitudes, never on a signed sum being near zero, so an exact zero
 * spread (constant x) is recognized as such once the shift is one of its
 * values.
 */
#define MOVING_EPS		ldexp(1.0, -104)	/* double-double unit roundoff, generously */
#define MOVING_SLACK	8.0 /* constant of the error bound */
#define MOVING_TOL		ldexp(1.0, -40) /* relative error allowed before restart */

/* Classes of a value: finite, or the kind of non-finite. */
typedef enum
{
	VAL_FINITE,
	VAL_NAN,
	VAL_POSINF,
	VAL_NEGINF
} ValueClass;

/* One side (x or y) of the moving state. */
typedef struct MovingSide
{
	int64		nonfinite[4];	/* entries per ValueClass (index 0 unused) */
	bool		have_shift;
	double		shift;			/* k: first finite value (or mean) seen */
	DDouble		sd;				/* sum of (v - k) over finite entries */
	DDouble		sdd;			/* sum of (v - k)^2 over finite entries */
	double		peak_sd;		/* largest |sd| or |term| seen */
	double		peak_sdd;		/* largest sdd or term seen */
} MovingSide;

/* State of the moving-aggregate mode of regr_agg and rollup. */
typedef struct RegrMoving
{
	int64		n;				/* pairs in the frame */
	int64		nops;			/* additions and removals since created */
	MovingSide	x;
	MovingSide	y;
	DDouble		sdxy;			/* sum of (x - kx)(y - ky), both finite */
	double		peak_sdxy;		/* largest |sdxy| or |term| seen */
} RegrMoving;

/* The class of a double. */
static inline ValueClass
value_class(double v)
{
	if (isfinite(v))
		return VAL_FINITE;
	if (isnan(v))
		return VAL_NAN;
	return v > 0 ? VAL_POSINF : VAL_NEGINF;
}

/* The moving state of this call, created in the aggregate context on first use. */
static inline RegrMoving *
moving_state(FunctionCallInfo fcinfo, const char *caller)
{
	MemoryContext aggcontext;

	if (!PG_ARGISNULL(0))
		return (RegrMoving *) PG_GETARG_POINTER(0);
	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", caller);
	return (RegrMoving *) MemoryContextAllocZero(aggcontext, sizeof(RegrMoving));
}

/* Raise the high-water mark *peak to |v|. */
static inline void
raise_peak(double *peak, double v)
{
	v = fabs(v);
	if (v > *peak)
		*peak = v;
}

/*
 * The shifted first and second sums (d, dd) of one side of an entry of
 * weight n with sum s and centered sum of squares ss: d = s - n k exactly,
 * dd = ss + d^2 / n.
 */
static inline void
moving_side_terms(MovingSide *side, double n, double s, double ss,
				  DDouble *d, DDouble *dd)
{
	double		err;

	if (!side->have_shift)
	{
		side->shift = s / n;
		side->have_shift = true;
	}
	if (n == 1.0)
	{
		d->hi = dd_two_sum(s, -side->shift, &d->lo);
		*dd = dd_mul(*d, *d);
	}
	else
	{
		double		p = dd_two_prod(n, side->shift, &err);
		DDouble		nk = {p, err};

		*d = dd_sub(dd_from_double(s), nk);
		*dd = dd_add_d(dd_div(dd_mul(*d, *d), dd_from_double(n)), ss);
	}
}

/* Add (sign = 1) or remove (sign = -1) the finite terms of one side. */
static inline void
moving_side_apply(MovingSide *side, DDouble d, DDouble dd, int sign)
{
	if (sign > 0)
	{
		side->sd = dd_add(side->sd, d);
		side->sdd = dd_add(side->sdd, dd);
	}
	else
	{
		side->sd = dd_sub(side->sd, d);
		side->sdd = dd_sub(side->sdd, dd);
	}
	raise_peak(&side->peak_sd, d.hi);
	raise_peak(&side->peak_sd, side->sd.hi);
	raise_peak(&side->peak_sdd, dd.hi);
	raise_peak(&side->peak_sdd, side->sdd.hi);
}

/*
 * Add or remove one entry: a summary of n pairs (a single pair has n = 1
 * and zero centered sums).
 */
static void
moving_apply(RegrMoving *m, const RegrSummary *e, int sign)
{
	ValueClass cx = value_class(e->sx);
	ValueClass cy = value_class(e->sy);
	double		n = (double) e->n;
	DDouble		dx = DD_ZERO,
				dxx,
				dy = DD_ZERO,
				dyy;

	if (e->n == 0)
		return;
	m->n += sign * e->n;
	m->nops++;

	if (cx == VAL_FINITE)
	{
		moving_side_terms(&m->x, n, e->sx, e->sxx, &dx, &dxx);
		moving_side_apply(&m->x, dx, dxx, sign);
	}
	else
		m->x.nonfinite[cx] += sign;

	if (cy == VAL_FINITE)
	{
		moving_side_terms(&m->y, n, e->sy, e->syy, &dy, &dyy);
		moving_side_apply(&m->y, dy, dyy, sign);
	}
	else
		m->y.nonfinite[cy] += sign;

	if (cx == VAL_FINITE && cy == VAL_FINITE)
	{
		DDouble		dxy = dd_mul(dx, dy);

		if (n != 1.0)
			dxy = dd_add_d(dd_div(dxy, dd_from_double(n)), e->sxy);
		m->sdxy = (sign > 0) ? dd_add(m->sdxy, dxy) : dd_sub(m->sdxy, dxy);
		raise_peak(&m->peak_sdxy, dxy.hi);
		raise_peak(&m->peak_sdxy, m->sdxy.hi);
	}

	/* an empty frame starts afresh: new shift, no accumulated error */
	if (m->n == 0)
		memset(m, 0, sizeof(RegrMoving));
}

/* Does one side hold any NaN or infinite entry? */
static inline bool
side_has_nonfinite(const MovingSide *side)
{
	return side->nonfinite[VAL_NAN] + side->nonfinite[VAL_POSINF] +
		side->nonfinite[VAL_NEGINF] > 0;
}

/* Centered sum of squares Sdd - Sd^2/n of one side, in double-double. */
static inline DDouble
side_centered(const MovingSide *side, double n)
{
	return dd_sub(side->sdd, dd_div(dd_mul(side->sd, side->sd), dd_from_double(n)));
}

/* The sum of the values of one side, n k + Sd, with float.c's Inf/NaN rules. */
static double
side_sum(const MovingSide *side, double n)
{
	double		err;
	double		p;
	DDouble		nk;

	if (side->nonfinite[VAL_NAN] > 0 ||
		(side->nonfinite[VAL_POSINF] > 0 && side->nonfinite[VAL_NEGINF] > 0))
		return get_float8_nan();
	if (side->nonfinite[VAL_POSINF] > 0)
		return get_float8_infinity();
	if (side->nonfinite[VAL_NEGINF] > 0)
		return -get_float8_infinity();
	p = dd_two_prod(n, side->shift, &err);
	nk.hi = p;
	nk.lo = err;
	return dd_to_double(dd_add(nk, side->sd));
}

/* The error bound K eps peak of a sum whose largest magnitude was peak. */
static inline double
moving_bound(const RegrMoving *m, double peak)
{
	return MOVING_SLACK * MOVING_EPS * (double) m->nops * peak;
}

/* Is an error bound small against scale (or exactly zero)? */
static inline bool
bound_ok(double bound, double scale)
{
	return bound == 0.0 || bound <= MOVING_TOL * scale;
}

/*
 * Can one side still be trusted after a removal?  Sets *ss to its centered
 * sum of squares, or to a lower bound of it.  Plain doubles with a bound
 * on their own error decide the common case; the double-double values are
 * computed only when that is not conclusive.
 */
static bool
side_precise(const RegrMoving *m, const MovingSide *side, double *ss)
{
	double		n = (double) m->n;
	double		bound_ss = moving_bound(m, side->peak_sdd);
	double		bound_s = moving_bound(m, side->peak_sd);
	double		nk = n * side->shift;
	double		sum_lower;

	*ss = 0.0;
	if (side_has_nonfinite(side))
		return true;			/* the result is NaN or Inf anyway */
	if (m->n > 1)
	{
		double		lower = side->sdd.hi - side->sd.hi * side->sd.hi / n
			- 8.0 * DBL_EPSILON * side->sdd.hi;

		if (bound_ss > 0.0 && bound_ok(bound_ss, lower))
			*ss = lower;
		else
		{
			*ss = dd_to_double(side_centered(side, n));
			if (!bound_ok(bound_ss, *ss))
				return false;
		}
	}
	sum_lower = fabs(nk + side->sd.hi) - 4.0 * DBL_EPSILON * (fabs(nk) + fabs(side->sd.hi));
	if (bound_ok(bound_s, fmax(sum_lower, sqrt(n * fmax(*ss, 0.0)))))
		return true;
	return bound_ok(bound_s, fmax(fabs(side_sum(side, n)), sqrt(n * fmax(*ss, 0.0))));
}

/*
 * Remove an entry; false if what remains may have lost precision, and the
 * frame must be recomputed.
 */
static bool
moving_remove(RegrMoving *m, const RegrSummary *e)
{
	double		sxx,
				syy;

	moving_apply(m, e, -1);
	if (m->n <= 0)
		return true;
	if (!side_precise(m, &m->x, &sxx) || !side_precise(m, &m->y, &syy))
		return false;
	if (m->n > 1 && !side_has_nonfinite(&m->x) && !side_has_nonfinite(&m->y))
		return bound_ok(moving_bound(m, m->peak_sdxy),
						sqrt(fmax(sxx, 0.0) * fmax(syy, 0.0)));
	return true;
}

/* The regrsummary of a moving state, as the plain aggregate would give it. */
static void
moving_summary(const RegrMoving *m, RegrSummary *s)
{
	double		n = (double) m->n;
	bool		xfin = !side_has_nonfinite(&m->x);
	bool		yfin = !side_has_nonfinite(&m->y);

	memset(s, 0, sizeof(RegrSummary));
	if (m->n <= 0)
		return;
	s->n = m->n;
	s->sx = side_sum(&m->x, n);
	s->sy = side_sum(&m->y, n);
	if ((xfin && !isfinite(s->sx)) || (yfin && !isfinite(s->sy)))
		float_overflow_error();
	if (!xfin)
		s->sxx = get_float8_nan();
	else if (m->n > 1)
		s->sxx = dd_to_double(side_centered(&m->x, n));
	if (!yfin)
		s->syy = get_float8_nan();
	else if (m->n > 1)
		s->syy = dd_to_double(side_centered(&m->y, n));
	if (!xfin || !yfin)
		s->sxy = get_float8_nan();
	else if (m->n > 1)
		s->sxy = dd_to_double(dd_sub(m->sdxy,
									 dd_div(dd_mul(m->x.sd, m->y.sd),
											dd_from_double(n))));
	/* finite inputs whose sums overflowed (NaN from Inf - Inf included) */
	if ((xfin && !isfinite(s->sxx)) || (yfin && !isfinite(s->syy)) ||
		(xfin && yfin && !isfinite(s->sxy)))
		float_overflow_error();
	/* rounding must not make a sum of squares negative */
	if (s->sxx < 0.0)
		s->sxx = 0.0;
	if (s->syy < 0.0)
		s->syy = 0.0;
}

/* A single (y, x) pair as an entry of weight one. */
static inline RegrSummary
pair_entry(double y, double x)
{
	RegrSummary e = {1, x, 0.0, y, 0.0, 0.0};

	return e;
}

/* Moving regr_agg(y, x): a pair enters the frame. */
PG_FUNCTION_INFO_V1(streamstat_regr_maccum);
Datum
streamstat_regr_maccum(PG_FUNCTION_ARGS)
{
	RegrMoving *m = moving_state(fcinfo, "streamstat_regr_maccum");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		RegrSummary e = pair_entry(PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2));

		moving_apply(m, &e, 1);
	}
	PG_RETURN_POINTER(m);
}

/* Moving regr_agg(y, x): a pair leaves; NULL asks for recomputation. */
PG_FUNCTION_INFO_V1(streamstat_regr_minv);
Datum
streamstat_regr_minv(PG_FUNCTION_ARGS)
{
	RegrMoving *m = moving_state(fcinfo, "streamstat_regr_minv");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		RegrSummary e = pair_entry(PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2));

		if (!moving_remove(m, &e))
			PG_RETURN_NULL();
	}
	PG_RETURN_POINTER(m);
}

/* Moving regr_agg(y, timestamptz): a pair enters the frame. */
PG_FUNCTION_INFO_V1(streamstat_regr_maccum_tstz);
Datum
streamstat_regr_maccum_tstz(PG_FUNCTION_ARGS)
{
	RegrMoving *m = moving_state(fcinfo, "streamstat_regr_maccum_tstz");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		RegrSummary e = pair_entry(PG_GETARG_FLOAT8(1),
								   timestamptz_to_epoch_seconds(PG_GETARG_TIMESTAMPTZ(2)));

		moving_apply(m, &e, 1);
	}
	PG_RETURN_POINTER(m);
}

/* Moving regr_agg(y, timestamptz): a pair leaves; NULL asks for recomputation. */
PG_FUNCTION_INFO_V1(streamstat_regr_minv_tstz);
Datum
streamstat_regr_minv_tstz(PG_FUNCTION_ARGS)
{
	RegrMoving *m = moving_state(fcinfo, "streamstat_regr_minv_tstz");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		RegrSummary e = pair_entry(PG_GETARG_FLOAT8(1),
								   timestamptz_to_epoch_seconds(PG_GETARG_TIMESTAMPTZ(2)));

		if (!moving_remove(m, &e))
			PG_RETURN_NULL();
	}
	PG_RETURN_POINTER(m);
}

/* Moving rollup: a summary enters the frame. */
PG_FUNCTION_INFO_V1(streamstat_regr_rollup_maccum);
Datum
streamstat_regr_rollup_maccum(PG_FUNCTION_ARGS)
{
	RegrMoving *m = moving_state(fcinfo, "streamstat_regr_rollup_maccum");

	if (!PG_ARGISNULL(1))
		moving_apply(m, PG_GETARG_REGRSUMMARY_P(1), 1);
	PG_RETURN_POINTER(m);
}

/* Moving rollup: a summary leaves; NULL asks for recomputation. */
PG_FUNCTION_INFO_V1(streamstat_regr_rollup_minv);
Datum
streamstat_regr_rollup_minv(PG_FUNCTION_ARGS)
{
	RegrMoving *m = moving_state(fcinfo, "streamstat_regr_rollup_minv");

	if (!PG_ARGISNULL(1) && !moving_remove(m, PG_GETARG_REGRSUMMARY_P(1)))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(m);
}

/* Moving final function: the regrsummary of the current frame. */
PG_FUNCTION_INFO_V1(streamstat_regr_mfinal);
Datum
streamstat_regr_mfinal(PG_FUNCTION_ARGS)
{
	RegrSummary *s = palloc0(sizeof(RegrSummary));

	if (!PG_ARGISNULL(0))
		moving_summary((RegrMoving *) PG_GETARG_POINTER(0), s);
	PG_RETURN_REGRSUMMARY_P(s);
}

/*
 * Accessors
 * ---------
 * The same formulas and the same NULL cases as float.c's final functions
 * (regr_slope, regr_intercept, regr_r2, corr, covar_*, regr_avg*): NULL for
 * no rows, for a vertical line (Sxx = 0), and so on.
 */

/* Is method 'population' (true) or 'sample' (false)?  Errors otherwise. */
static bool
method_is_population(text *method)
{
	char	   *m = text_to_cstring(method);

	if (pg_strcasecmp(m, "sample") == 0)
		return false;
	if (pg_strcasecmp(m, "population") == 0)
		return true;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid method \"%s\"", m),
			 errhint("Use 'sample' (the default) or 'population'.")));
	return false;				/* keep the compiler quiet */
}

/* Slope Sxy/Sxx into *slope; false when undefined. */
static inline bool
regr_slope_of(const RegrSummary *s, double *slope)
{
	if (s->n < 1 || s->sxx == 0.0)
		return false;
	*slope = s->sxy / s->sxx;
	return true;
}

/* Number of (y, x) pairs summarized. */
PG_FUNCTION_INFO_V1(streamstat_regr_num_vals);
Datum
streamstat_regr_num_vals(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_REGRSUMMARY_P(0)->n);
}

/* Least-squares slope, as regr_slope. */
PG_FUNCTION_INFO_V1(streamstat_regr_slope);
Datum
streamstat_regr_slope(PG_FUNCTION_ARGS)
{
	double		slope;

	if (!regr_slope_of(PG_GETARG_REGRSUMMARY_P(0), &slope))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(slope);
}

/* Least-squares intercept, as regr_intercept. */
PG_FUNCTION_INFO_V1(streamstat_regr_intercept);
Datum
streamstat_regr_intercept(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);

	if (s->n < 1 || s->sxx == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((s->sy - s->sx * s->sxy / s->sxx) / (double) s->n);
}

/*
 * The x where the fitted line crosses y = 0: -intercept/slope, with the
 * intercept as regr_intercept computes it, so that the answer agrees with
 * -regr_intercept/regr_slope.
 */
PG_FUNCTION_INFO_V1(streamstat_regr_x_intercept);
Datum
streamstat_regr_x_intercept(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);
	double		intercept;

	if (s->n < 1 || s->sxx == 0.0 || s->sxy == 0.0)
		PG_RETURN_NULL();
	intercept = (s->sy - s->sx * s->sxy / s->sxx) / (double) s->n;
	PG_RETURN_FLOAT8(-intercept / (s->sxy / s->sxx));
}

/* Coefficient of determination, as regr_r2. */
PG_FUNCTION_INFO_V1(streamstat_regr_r2);
Datum
streamstat_regr_r2(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);

	if (s->n < 1 || s->sxx == 0.0)
		PG_RETURN_NULL();
	/* per spec, a horizontal line fits perfectly */
	if (s->syy == 0.0)
		PG_RETURN_FLOAT8(1.0);
	PG_RETURN_FLOAT8((s->sxy * s->sxy) / (s->sxx * s->syy));
}

/* Pearson correlation, as corr. */
PG_FUNCTION_INFO_V1(streamstat_regr_corr);
Datum
streamstat_regr_corr(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);

	if (s->n < 1 || s->sxx == 0.0 || s->syy == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->sxy / sqrt(s->sxx * s->syy));
}

/* Covariance, as covar_samp (default) or covar_pop. */
PG_FUNCTION_INFO_V1(streamstat_regr_covariance);
Datum
streamstat_regr_covariance(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);

	if (method_is_population(PG_GETARG_TEXT_PP(1)))
	{
		if (s->n < 1)
			PG_RETURN_NULL();
		PG_RETURN_FLOAT8(s->sxy / (double) s->n);
	}
	if (s->n < 2)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->sxy / ((double) s->n - 1.0));
}

/* The fitted y at x, written about the means: mean y + slope (x - mean x). */
static Datum
regr_predict_at(FunctionCallInfo fcinfo, const RegrSummary *s, double x)
{
	double		slope;
	double		n = (double) s->n;

	if (!regr_slope_of(s, &slope))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->sy / n + slope * (x - s->sx / n));
}

/* Fitted y at x. */
PG_FUNCTION_INFO_V1(streamstat_regr_predict);
Datum
streamstat_regr_predict(PG_FUNCTION_ARGS)
{
	return regr_predict_at(fcinfo, PG_GETARG_REGRSUMMARY_P(0), PG_GETARG_FLOAT8(1));
}

/* Fitted y at a time. */
PG_FUNCTION_INFO_V1(streamstat_regr_predict_tstz);
Datum
streamstat_regr_predict_tstz(PG_FUNCTION_ARGS)
{
	return regr_predict_at(fcinfo, PG_GETARG_REGRSUMMARY_P(0),
						   timestamptz_to_epoch_seconds(PG_GETARG_TIMESTAMPTZ(1)));
}

/* Mean of x, as regr_avgx. */
PG_FUNCTION_INFO_V1(streamstat_regr_mean_x);
Datum
streamstat_regr_mean_x(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);

	if (s->n < 1)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->sx / (double) s->n);
}

/* Mean of y, as regr_avgy. */
PG_FUNCTION_INFO_V1(streamstat_regr_mean_y);
Datum
streamstat_regr_mean_y(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);

	if (s->n < 1)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->sy / (double) s->n);
}

/* Standard deviation from a centered sum of squares, by method. */
static Datum
regr_stddev(FunctionCallInfo fcinfo, const RegrSummary *s, double ss)
{
	if (method_is_population(PG_GETARG_TEXT_PP(1)))
	{
		if (s->n < 1)
			PG_RETURN_NULL();
		PG_RETURN_FLOAT8(sqrt(ss / (double) s->n));
	}
	if (s->n < 2)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(sqrt(ss / ((double) s->n - 1.0)));
}

/* Standard deviation of x, sample (default) or population. */
PG_FUNCTION_INFO_V1(streamstat_regr_stddev_x);
Datum
streamstat_regr_stddev_x(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);

	return regr_stddev(fcinfo, s, s->sxx);
}

/* Standard deviation of y, sample (default) or population. */
PG_FUNCTION_INFO_V1(streamstat_regr_stddev_y);
Datum
streamstat_regr_stddev_y(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);

	return regr_stddev(fcinfo, s, s->syy);
}

/*
 * Inference
 * ---------
 * Ordinary least squares with normal errors (any textbook, e.g. Draper and
 * Smith, "Applied Regression Analysis", ch. 1): residual sum of squares
 * SSE = Syy - Sxy^2/Sxx, residual variance s^2 = SSE/(n - 2), and
 *		se(slope) = sqrt(s^2 / Sxx),
 *		se(intercept) = sqrt(s^2 (1/n + mean(x)^2 / Sxx)),
 *		t = slope / se(slope) ~ t(n - 2) under slope = 0.
 * Undefined (NULL) for n < 3 or Sxx = 0; SSE is clamped at zero against
 * rounding.
 */

/* Slope, its standard error and the residual variance; false when undefined. */
static bool
regr_slope_inference(const RegrSummary *s, double *slope, double *se, double *s2)
{
	double		sse;

	if (s->n < 3 || s->sxx == 0.0)
		return false;
	*slope = s->sxy / s->sxx;
	sse = s->syy - s->sxy * *slope;
	if (sse < 0.0)
		sse = 0.0;
	*s2 = sse / ((double) s->n - 2.0);
	*se = sqrt(*s2 / s->sxx);
	return true;
}

/* Standard error of the slope. */
PG_FUNCTION_INFO_V1(streamstat_regr_slope_stderr);
Datum
streamstat_regr_slope_stderr(PG_FUNCTION_ARGS)
{
	double		slope,
				se,
				s2;

	if (!regr_slope_inference(PG_GETARG_REGRSUMMARY_P(0), &slope, &se, &s2))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(se);
}

/* Standard error of the intercept. */
PG_FUNCTION_INFO_V1(streamstat_regr_intercept_stderr);
Datum
streamstat_regr_intercept_stderr(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);
	double		slope,
				se,
				s2;
	double		n = (double) s->n;
	double		mx = s->sx / n;

	if (!regr_slope_inference(s, &slope, &se, &s2))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(sqrt(s2 * (1.0 / n + mx * mx / s->sxx)));
}

/* Two-sided p-value of the t test of slope = 0, with n - 2 degrees of freedom. */
PG_FUNCTION_INFO_V1(streamstat_regr_slope_pvalue);
Datum
streamstat_regr_slope_pvalue(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);
	double		slope,
				se,
				s2;

	if (!regr_slope_inference(s, &slope, &se, &s2))
		PG_RETURN_NULL();
	if (isnan(slope) || isnan(se))
		PG_RETURN_FLOAT8(get_float8_nan());
	if (se == 0.0)
	{
		/* a perfect fit: certain unless the line is flat (0/0) */
		if (slope == 0.0)
			PG_RETURN_NULL();
		PG_RETURN_FLOAT8(0.0);
	}
	PG_RETURN_FLOAT8(tdist_two_sided_p(slope / se, (double) s->n - 2.0));
}

/* Confidence interval of the slope: slope -+ t(1 - (1 - level)/2, n - 2) se. */
PG_FUNCTION_INFO_V1(streamstat_regr_slope_ci);
Datum
streamstat_regr_slope_ci(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);
	double		level = PG_GETARG_FLOAT8(1);
	double		slope,
				se,
				s2;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {true, true};

	if (!(level > 0.0 && level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence level must be between 0 and 1, exclusive"),
				 errhint("Use for example 0.95 for a 95%% confidence interval.")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	if (regr_slope_inference(s, &slope, &se, &s2))
	{
		double		tq = tdist_two_sided_quantile(1.0 - level, (double) s->n - 2.0);
		double		half = (se == 0.0) ? 0.0 : tq * se;

		values[0] = Float8GetDatum(slope - half);
		values[1] = Float8GetDatum(slope + half);
		nulls[0] = nulls[1] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

/*
 * The t distribution itself, for tests and for users who compute their own
 * statistics: P(T <= t) and its inverse.
 */

/* CDF of the t distribution: P(T <= t) with df degrees of freedom. */
PG_FUNCTION_INFO_V1(streamstat_t_cdf);
Datum
streamstat_t_cdf(PG_FUNCTION_ARGS)
{
	double		t = PG_GETARG_FLOAT8(0);
	double		df = PG_GETARG_FLOAT8(1);

	if (!(df > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("degrees of freedom must be positive"),
				 errhint("Pass the number of observations minus the number of fitted parameters.")));
	PG_RETURN_FLOAT8(tdist_cdf(t, df));
}

/* Quantile of the t distribution: the t with P(T <= t) = p. */
PG_FUNCTION_INFO_V1(streamstat_t_quantile);
Datum
streamstat_t_quantile(PG_FUNCTION_ARGS)
{
	double		p = PG_GETARG_FLOAT8(0);
	double		df = PG_GETARG_FLOAT8(1);

	if (!(df > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("degrees of freedom must be positive"),
				 errhint("Pass the number of observations minus the number of fitted parameters.")));
	if (!(p > 0.0 && p < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("probability must be between 0 and 1, exclusive"),
				 errhint("Pass for example 0.975 for the upper 2.5%% point.")));
	PG_RETURN_FLOAT8(tdist_quantile(p, df));
}
