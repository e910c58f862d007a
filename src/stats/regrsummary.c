/*
 * regrsummary.c
 *		The regrsummary type (least squares of y against x), its text and
 *		binary forms, the plain aggregates regr_agg and rollup, and the
 *		accessors that read a fit from it.
 *
 * Sits at the query end of the path of a record: rows that the ingest
 * worker wrote into a measurement table are summarized here by SQL.  A
 * regrsummary holds the six numbers of float.c's regression state (N, Sx,
 * Sxx, Sy, Syy, Sxy), so every accessor reproduces the built-in regr_*
 * aggregates; summaries combine (operator +, rollup) so that per-bucket
 * summaries can be stored and merged later.  The plain transition
 * functions here update a RegrSummary in place (Youngs-Cramer, as
 * float8_regr_accum), combine and serialize it for parallel plans.  The
 * moving-aggregate (sliding window) mode lives in regrsummary_window.c,
 * the standard errors, p-values and confidence intervals in
 * regrsummary_inference.c.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/timestamp.h"

#include "regrsummary.h"

#define REGRSUMMARY_SEND_VERSION 1

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
 * Release 0.1's plain aggregate support (its install script still names
 * these symbols): the state is a RegrSummary declared internal, allocated
 * in the aggregate context and updated in place.
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
 * Aggregate support of 0.2 (regr_agg_trans, regr_rollup_trans,
 * regr_agg_combine, regr_agg_final): the state is a regrsummary rather than
 * internal, so that Citus can compute partial summaries on the shards and
 * merge them on the coordinator.  Called as an aggregate, a transition
 * updates the state in place and returns the same pointer (nodeAgg copies
 * nothing per row); a state starts in short-lived memory and the executor
 * copies it into the aggregate context once.  Called directly, the inputs
 * are left alone.  The functions above are release 0.1's, whose install
 * script still names them.
 */

/* The state argument, to update in place, or a copy outside an aggregate. */
static inline RegrSummary *
regr_writable_state(FunctionCallInfo fcinfo)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);

	if (likely(AggCheckCallContext(fcinfo, NULL)))
		return s;
	return regrsummary_copy(s);
}

/* regr_agg_trans(regrsummary, y, x): add one pair unless y or x is NULL. */
PG_FUNCTION_INFO_V1(streamstat_regr_agg_trans);
Datum
streamstat_regr_agg_trans(PG_FUNCTION_ARGS)
{
	RegrSummary *s;

	if (unlikely(PG_ARGISNULL(1) || PG_ARGISNULL(2)))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	s = unlikely(PG_ARGISNULL(0)) ? palloc0(sizeof(RegrSummary)) : regr_writable_state(fcinfo);
	regr_accum(s, PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2));
	PG_RETURN_REGRSUMMARY_P(s);
}

/* regr_agg_trans(regrsummary, y, timestamptz): x in seconds since the epoch. */
PG_FUNCTION_INFO_V1(streamstat_regr_agg_trans_tstz);
Datum
streamstat_regr_agg_trans_tstz(PG_FUNCTION_ARGS)
{
	RegrSummary *s;

	if (unlikely(PG_ARGISNULL(1) || PG_ARGISNULL(2)))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	s = unlikely(PG_ARGISNULL(0)) ? palloc0(sizeof(RegrSummary)) : regr_writable_state(fcinfo);
	regr_accum(s, PG_GETARG_FLOAT8(1),
			   timestamptz_to_epoch_seconds(PG_GETARG_TIMESTAMPTZ(2)));
	PG_RETURN_REGRSUMMARY_P(s);
}

/* regr_rollup_trans(regrsummary, regrsummary): merge one stored summary. */
PG_FUNCTION_INFO_V1(streamstat_regr_rollup_trans);
Datum
streamstat_regr_rollup_trans(PG_FUNCTION_ARGS)
{
	RegrSummary *s;

	if (unlikely(PG_ARGISNULL(1)))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (unlikely(PG_ARGISNULL(0)))
		PG_RETURN_REGRSUMMARY_P(regrsummary_copy(PG_GETARG_REGRSUMMARY_P(1)));
	s = regr_writable_state(fcinfo);
	regr_combine(s, PG_GETARG_REGRSUMMARY_P(1));
	PG_RETURN_REGRSUMMARY_P(s);
}

/* regr_agg_combine(regrsummary, regrsummary): merge a partial state (strict). */
PG_FUNCTION_INFO_V1(streamstat_regr_agg_combine);
Datum
streamstat_regr_agg_combine(PG_FUNCTION_ARGS)
{
	RegrSummary *s = regr_writable_state(fcinfo);

	regr_combine(s, PG_GETARG_REGRSUMMARY_P(1));
	PG_RETURN_REGRSUMMARY_P(s);
}

/* regr_agg_final: no rows gives the empty summary, as regr_count gives 0. */
PG_FUNCTION_INFO_V1(streamstat_regr_agg_final);
Datum
streamstat_regr_agg_final(PG_FUNCTION_ARGS)
{
	RegrSummary empty = {0};

	if (PG_ARGISNULL(0))
		PG_RETURN_REGRSUMMARY_P(regrsummary_copy(&empty));
	PG_RETURN_REGRSUMMARY_P(regrsummary_copy(PG_GETARG_REGRSUMMARY_P(0)));
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
