/*
 * statsummary.c
 *		The statsummary type, its stats_agg() and rollup() aggregates (plain
 *		and parallel), the + operator and the accessors.
 *
 * This is the analytics end of the path of a record: rows that the ingest
 * writer stored are summarised by stats_agg(value), summaries are stored or
 * merged with rollup() and +, and accessors (mean, stddev, skewness, ...)
 * turn a summary into numbers for SQL clients and dashboards.  The
 * sliding-window (moving-aggregate) support lives in statsummary_window.c.
 *
 * Numerical method
 * ----------------
 * The state is N, Sx = sum(X) and the central sums M2 = sum((X-mean)^2),
 * M3 = sum((X-mean)^3), M4 = sum((X-mean)^4), plus min and max.  N, Sx and
 * M2 are accumulated exactly as PostgreSQL's float8_accum() and combined as
 * float8_combine() do (the Youngs-Cramer algorithm [1], generalised to
 * pairwise merging by Chan, Golub and LeVeque [2]), same expressions in the
 * same order, so num_vals/mean/variance/stddev of a summary agree with
 * count, avg, var_samp, var_pop, stddev_samp and stddev_pop of the
 * same rows.  For a new value x, with
 * tmp = N*x - Sx after incrementing N and Sx, the deviation from the old
 * mean is delta = tmp/(N-1), and with dn = delta/N = tmp/(N*(N-1)):
 *
 *		M4 += tmp^2/(N(N-1)) * dn^2 * (N^2 - 3N + 3) + 6 dn^2 M2 - 4 dn M3
 *		M3 += tmp^2/(N(N-1)) * dn * (N - 2) - 3 dn M2
 *		M2 += tmp^2/(N(N-1))
 *
 * (M3 and M4 use the old M2 and M3).  Two summaries A and B merge with
 * delta = meanB - meanA, N = NA + NB:
 *
 *		M2 = M2a + M2b + delta^2 NA NB / N
 *		M3 = M3a + M3b + delta^3 NA NB (NA - NB) / N^2
 *			 + 3 delta (NA M2b - NB M2a) / N
 *		M4 = M4a + M4b + delta^4 NA NB (NA^2 - NA NB + NB^2) / N^3
 *			 + 6 delta^2 (NA^2 M2b + NB^2 M2a) / N^2
 *			 + 4 delta (NA M3b - NB M3a) / N
 *
 * These are the one-pass update and pairwise formulas of Terriberry [3] and
 * Pébay [4].  Skewness and kurtosis follow Joanes and Gill [5]: population
 * g1 = sqrt(N) M3 / M2^1.5 and excess g2 = N M4 / M2^2 - 3; the sample
 * (default) estimators are the adjusted Fisher-Pearson G1 = g1 sqrt(N(N-1))
 * / (N-2) and G2 = (N-1) ((N+1) g2 + 6) / ((N-2)(N-3)), as pandas and SAS
 * report them.
 *
 * Edge cases, as the built-ins: NULL inputs are skipped; no values gives a
 * NULL summary; an accessor that is undefined (sample variance for N < 2,
 * skewness for N < 3 or zero variance, ...) returns NULL.  A NaN input makes
 * Sx and the central sums NaN; an infinite input makes Sx infinite (NaN for
 * both signs) and the central sums NaN.  Finite inputs whose sum or central
 * sums overflow raise "value out of range: overflow", as float8_accum() does
 * (for M4 that is values spread by more than about 1e77).  min and max order
 * values as float8 comparison does: NaN above +Infinity.
 *
 * [1] E. A. Youngs and E. M. Cramer, "Some results relevant to choice of sum
 *	   and sum-of-product algorithms", Technometrics 13(3), 1971.
 * [2] T. F. Chan, G. H. Golub and R. J. LeVeque, "Updating formulae and a
 *	   pairwise algorithm for computing sample variances", COMPSTAT 1982.
 * [3] T. B. Terriberry, "Computing higher-order moments online", 2007.
 * [4] P. Pébay, "Formulas for robust, one-pass parallel computation of
 *	   covariances and arbitrary-order statistical moments", Sandia report
 *	   SAND2008-6212, 2008.
 * [5] D. N. Joanes and C. A. Gill, "Comparing measures of sample skewness
 *	   and kurtosis", The Statistician 47(1), 1998.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "statsummary.h"

PG_FUNCTION_INFO_V1(streamstat_statsummary_in);
PG_FUNCTION_INFO_V1(streamstat_statsummary_out);
PG_FUNCTION_INFO_V1(streamstat_statsummary_recv);
PG_FUNCTION_INFO_V1(streamstat_statsummary_send);
PG_FUNCTION_INFO_V1(streamstat_statsummary_combine);
PG_FUNCTION_INFO_V1(streamstat_stats_agg_trans);
PG_FUNCTION_INFO_V1(streamstat_stats_rollup_trans);
PG_FUNCTION_INFO_V1(streamstat_stats_agg_combine);
PG_FUNCTION_INFO_V1(streamstat_stats_agg_serialize);
PG_FUNCTION_INFO_V1(streamstat_stats_agg_deserialize);
PG_FUNCTION_INFO_V1(streamstat_stats_agg_final);
PG_FUNCTION_INFO_V1(streamstat_stats_num_vals);
PG_FUNCTION_INFO_V1(streamstat_stats_mean);
PG_FUNCTION_INFO_V1(streamstat_stats_sum);
PG_FUNCTION_INFO_V1(streamstat_stats_min);
PG_FUNCTION_INFO_V1(streamstat_stats_max);
PG_FUNCTION_INFO_V1(streamstat_stats_variance);
PG_FUNCTION_INFO_V1(streamstat_stats_stddev);
PG_FUNCTION_INFO_V1(streamstat_stats_skewness);
PG_FUNCTION_INFO_V1(streamstat_stats_kurtosis);
PG_FUNCTION_INFO_V1(streamstat_stats_zscore);

/* The text form, field names in storage order. */
static const char *const statsummary_fields[] = {
	"n", "sum", "m2", "m3", "m4", "min", "max"
};

#define STATSUMMARY_NFIELDS 7
#define STATSUMMARY_MAX_N 9007199254740992.0	/* 2^53 */

/* The fields of a summary as an array, in storage order. */
static inline double *
statsummary_field_array(StatSummary *s)
{
	StaticAssertStmt(sizeof(StatSummary) == STATSUMMARY_NFIELDS * sizeof(double),
					 "StatSummary must be an array of doubles");
	return (double *) s;
}

/* Add one value to a summary (Youngs-Cramer, then the M3/M4 updates). */
static inline void
statsummary_accum(StatSummary *s, double x)
{
	double		n_old = s->n;
	double		n = n_old + 1.0;
	double		sx_old = s->sx;
	double		sx = sx_old + x;

	if (likely(n_old > 0.0))
	{
		double		tmp = x * n - sx;
		double		scale = n * n_old;
		double		term = tmp * tmp / scale;
		double		dn = tmp / scale;
		double		m2 = s->m2;
		double		m3 = s->m3;
		double		m4;

		m4 = s->m4 + term * dn * dn * (n * n - 3.0 * n + 3.0) +
			6.0 * dn * dn * m2 - 4.0 * dn * m3;
		m3 = m3 + term * dn * (n - 2.0) - 3.0 * dn * m2;
		m2 = m2 + term;

		/*
		 * As float8_accum(): an infinite result from finite inputs is an
		 * overflow; an infinite input makes the central sums NaN.
		 */
		if (unlikely(isinf(sx) || isinf(m2) || isinf(m3) || isinf(m4)))
		{
			if (!isinf(sx_old) && !isinf(x))
				float_overflow_error();
			m2 = m3 = m4 = get_float8_nan();
		}
		s->m2 = m2;
		s->m3 = m3;
		s->m4 = m4;

		if (float8_lt(x, s->min))
			s->min = x;
		if (float8_gt(x, s->max))
			s->max = x;
	}
	else
	{
		/* The first value: the central sums are 0, or NaN if x is not. */
		if (isnan(x) || isinf(x))
			s->m2 = s->m3 = s->m4 = get_float8_nan();
		else
			s->m2 = s->m3 = s->m4 = 0.0;
		s->min = s->max = x;
	}
	s->n = n;
	s->sx = sx;
}

/* Merge summary b into summary a (Chan et al. and Pébay, see above). */
static void
statsummary_merge(StatSummary *a, const StatSummary *b)
{
	double		na = a->n,
				nb = b->n,
				n,
				tmp,
				delta,
				d2,
				m2,
				m3,
				m4;

	if (nb == 0.0)
		return;
	if (na == 0.0)
	{
		*a = *b;
		return;
	}

	n = na + nb;
	/* the same expressions as float8_combine() for Sx and Sxx */
	tmp = a->sx / na - b->sx / nb;
	m2 = a->m2 + b->m2 + na * nb * tmp * tmp / n;
	delta = -tmp;
	d2 = delta * delta;
	m3 = a->m3 + b->m3 + delta * d2 * (na * nb * (na - nb) / (n * n)) +
		3.0 * delta * (na * b->m2 - nb * a->m2) / n;
	m4 = a->m4 + b->m4 +
		d2 * d2 * (na * nb * (na * na - na * nb + nb * nb) / (n * n * n)) +
		6.0 * d2 * (na * na * b->m2 + nb * nb * a->m2) / (n * n) +
		4.0 * delta * (na * b->m3 - nb * a->m3) / n;

	if (unlikely((isinf(m2) && !isinf(a->m2) && !isinf(b->m2)) ||
				 (isinf(m3) && !isinf(a->m3) && !isinf(b->m3)) ||
				 (isinf(m4) && !isinf(a->m4) && !isinf(b->m4))))
		float_overflow_error();

	a->sx = float8_pl(a->sx, b->sx);
	a->n = n;
	a->m2 = m2;
	a->m3 = m3;
	a->m4 = m4;
	if (float8_lt(b->min, a->min))
		a->min = b->min;
	if (float8_gt(b->max, a->max))
		a->max = b->max;
}

/*
 * Why the fields cannot describe values stats_agg summarised, or NULL.  The
 * invariants: N is a whole number; an empty summary is all zeros; a finite
 * sum comes with finite central sums and extremes, a non-finite one with
 * NaN central sums; M2 and M4 are not negative; min <= max.
 */
const char *
statsummary_invalid_reason(const StatSummary *s)
{
	if (!(s->n >= 0.0 && s->n <= STATSUMMARY_MAX_N) || s->n != floor(s->n))
		return "n must be a whole number between 0 and 2^53";
	if (s->n == 0.0)
	{
		if (s->sx != 0.0 || s->m2 != 0.0 || s->m3 != 0.0 || s->m4 != 0.0 ||
			s->min != 0.0 || s->max != 0.0)
			return "an empty summary must have all fields zero";
		return NULL;
	}
	if (isfinite(s->sx))
	{
		if (!isfinite(s->m2) || !isfinite(s->m3) || !isfinite(s->m4) ||
			!isfinite(s->min) || !isfinite(s->max))
			return "a finite sum needs finite moments, min and max";
		if (s->m2 < 0.0 || s->m4 < 0.0)
			return "m2 and m4 must not be negative";
	}
	else if (!isnan(s->m2) || !isnan(s->m3) || !isnan(s->m4))
		return "a non-finite sum needs NaN moments";
	if (float8_gt(s->min, s->max))
		return "min must not exceed max";
	return NULL;
}

/* Allocate a zeroed summary as aggregate state, in the aggregate context. */
static StatSummary *
statsummary_new_state(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "statsummary aggregate function called in non-aggregate context");
	return (StatSummary *) MemoryContextAllocZero(aggcontext, sizeof(StatSummary));
}

/*
 * statsummary_in: "(n:N,sum:S,m2:M2,m3:M3,m4:M4,min:MIN,max:MAX)", each
 * number read by float8in_internal(), so NaN and [-]Infinity are accepted.
 */
Datum
streamstat_statsummary_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	StatSummary *result = palloc0(sizeof(StatSummary));
	double	   *fields = statsummary_field_array(result);
	char	   *p = str;
	const char *reason;
	int			i;

	while (isspace((unsigned char) *p))
		p++;
	if (*p++ != '(')
		goto syntax_error;
	for (i = 0; i < STATSUMMARY_NFIELDS; i++)
	{
		size_t		len = strlen(statsummary_fields[i]);

		while (isspace((unsigned char) *p))
			p++;
		if (strncmp(p, statsummary_fields[i], len) != 0 || p[len] != ':')
			goto syntax_error;
		p += len + 1;
		fields[i] = float8in_internal(p, &p, "statsummary", str);
		if (*p++ != (i == STATSUMMARY_NFIELDS - 1 ? ')' : ','))
			goto syntax_error;
	}
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		goto syntax_error;

	reason = statsummary_invalid_reason(result);
	if (reason != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid statsummary \"%s\": %s", str, reason),
				 errhint("Use a value produced by stats_agg() or rollup().")));
	PG_RETURN_STATSUMMARY_P(result);

syntax_error:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", "statsummary", str),
			 errhint("The form is (n:N,sum:S,m2:M2,m3:M3,m4:M4,min:MIN,max:MAX).")));
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/*
 * statsummary_out: shortest decimal that reads back as the same double, for
 * every field and whatever extra_float_digits says, so text round-trips.
 */
Datum
streamstat_statsummary_out(PG_FUNCTION_ARGS)
{
	StatSummary *s = PG_GETARG_STATSUMMARY_P(0);
	double	   *fields = statsummary_field_array(s);
	StringInfoData buf;
	char		num[DOUBLE_SHORTEST_DECIMAL_LEN];
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '(');
	for (i = 0; i < STATSUMMARY_NFIELDS; i++)
	{
		double_to_shortest_decimal_buf(fields[i], num);
		appendStringInfo(&buf, "%s%s:%s", i > 0 ? "," : "",
						 statsummary_fields[i], num);
	}
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

/* statsummary_recv: seven float8 in network order, checked like text. */
Datum
streamstat_statsummary_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	StatSummary *result = palloc(sizeof(StatSummary));
	double	   *fields = statsummary_field_array(result);
	const char *reason;
	int			i;

	for (i = 0; i < STATSUMMARY_NFIELDS; i++)
		fields[i] = pq_getmsgfloat8(buf);
	reason = statsummary_invalid_reason(result);
	if (reason != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid statsummary in binary input: %s", reason),
				 errhint("Send a value produced by statsummary_send().")));
	PG_RETURN_STATSUMMARY_P(result);
}

/* statsummary_send: the seven fields as float8, storage order. */
Datum
streamstat_statsummary_send(PG_FUNCTION_ARGS)
{
	StatSummary *s = PG_GETARG_STATSUMMARY_P(0);
	double	   *fields = statsummary_field_array(s);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	for (i = 0; i < STATSUMMARY_NFIELDS; i++)
		pq_sendfloat8(&buf, fields[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* statsummary + statsummary: the summary of both sets of values. */
Datum
streamstat_statsummary_combine(PG_FUNCTION_ARGS)
{
	StatSummary *result = palloc(sizeof(StatSummary));

	*result = *PG_GETARG_STATSUMMARY_P(0);
	statsummary_merge(result, PG_GETARG_STATSUMMARY_P(1));
	PG_RETURN_STATSUMMARY_P(result);
}

/*
 * The state of stats_agg and rollup is a statsummary, updated in place when
 * called as an aggregate (nodeAgg then keeps the same pointer and copies
 * nothing per row); called directly, the input is left alone.  Release
 * 0.1 declared the same C functions with an internal state, whose memory
 * nodeAgg never copies: a state those definitions start must be born in
 * the aggregate context.  A statsummary state is copied there by the
 * executor (nodeAgg, nodeWindowAgg, Citus's worker_partial_agg), so it is
 * born in short-lived memory.
 */
static StatSummary *
statsummary_first_state(FunctionCallInfo fcinfo)
{
	if (get_fn_expr_argtype(fcinfo->flinfo, 0) == INTERNALOID)
		return statsummary_new_state(fcinfo);
	return (StatSummary *) palloc0(sizeof(StatSummary));
}

/* The state argument, to update in place, or a copy outside an aggregate. */
static inline StatSummary *
statsummary_writable_state(FunctionCallInfo fcinfo)
{
	StatSummary *state = (StatSummary *) PG_GETARG_POINTER(0);
	StatSummary *copy;

	if (likely(AggCheckCallContext(fcinfo, NULL)))
		return state;
	copy = palloc(sizeof(StatSummary));
	*copy = *state;
	return copy;
}

/*
 * stats_agg_trans(statsummary, float8): fold one value into the state.  A
 * NULL value leaves the state as it is (NULL before the first value: no
 * values gives a NULL summary).
 */
Datum
streamstat_stats_agg_trans(PG_FUNCTION_ARGS)
{
	StatSummary *state;

	if (unlikely(PG_ARGISNULL(1)))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (unlikely(PG_ARGISNULL(0)))
		state = statsummary_first_state(fcinfo);
	else
		state = statsummary_writable_state(fcinfo);
	statsummary_accum(state, PG_GETARG_FLOAT8(1));
	PG_RETURN_POINTER(state);
}

/*
 * stats_rollup_trans(statsummary, statsummary): merge one stored summary
 * into the state.  NULL and empty (n = 0) summaries leave it as it is, so
 * that only empty input gives a NULL rollup.
 */
Datum
streamstat_stats_rollup_trans(PG_FUNCTION_ARGS)
{
	StatSummary *state;

	if (unlikely(PG_ARGISNULL(1) || PG_GETARG_STATSUMMARY_P(1)->n == 0.0))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (unlikely(PG_ARGISNULL(0)))
		state = statsummary_first_state(fcinfo);
	else
		state = statsummary_writable_state(fcinfo);
	statsummary_merge(state, PG_GETARG_STATSUMMARY_P(1));
	PG_RETURN_POINTER(state);
}

/*
 * stats_agg_combine(statsummary, statsummary): merge a partial state into
 * the first (parallel workers, Citus shards).  Strict in 0.2.
 */
Datum
streamstat_stats_agg_combine(PG_FUNCTION_ARGS)
{
	StatSummary *state1;
	StatSummary *state2 = PG_ARGISNULL(1) ? NULL : (StatSummary *) PG_GETARG_POINTER(1);

	if (state2 == NULL)
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
	{
		/* state2 may live in short-lived memory: copy it */
		state1 = statsummary_first_state(fcinfo);
		*state1 = *state2;
		PG_RETURN_POINTER(state1);
	}
	state1 = statsummary_writable_state(fcinfo);
	statsummary_merge(state1, state2);
	PG_RETURN_POINTER(state1);
}

/*
 * Release 0.1's internal-state support (serialise, deserialise, final): its
 * install script still names these symbols; 0.2 needs none of them.
 */

/* Serialise a partial state for a parallel worker's result. */
Datum
streamstat_stats_agg_serialize(PG_FUNCTION_ARGS)
{
	StatSummary *state = (StatSummary *) PG_GETARG_POINTER(0);
	double	   *fields = statsummary_field_array(state);
	StringInfoData buf;
	int			i;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "stats_agg_serialize called in non-aggregate context");
	pq_begintypsend(&buf);
	for (i = 0; i < STATSUMMARY_NFIELDS; i++)
		pq_sendfloat8(&buf, fields[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Rebuild a partial state from stats_agg_serialize()'s bytes. */
Datum
streamstat_stats_agg_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StatSummary *state = palloc(sizeof(StatSummary));
	double	   *fields = statsummary_field_array(state);
	StringInfoData buf;
	int			i;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "stats_agg_deserialize called in non-aggregate context");
	buf.data = VARDATA_ANY(bytes);
	buf.len = VARSIZE_ANY_EXHDR(bytes);
	buf.maxlen = 0;
	buf.cursor = 0;
	for (i = 0; i < STATSUMMARY_NFIELDS; i++)
		fields[i] = pq_getmsgfloat8(&buf);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

/* Final function of stats_agg and rollup: a copy, NULL for no values. */
Datum
streamstat_stats_agg_final(PG_FUNCTION_ARGS)
{
	StatSummary *state = (StatSummary *) PG_GETARG_POINTER(0);
	StatSummary *result;

	if (state->n == 0.0)
		PG_RETURN_NULL();
	result = palloc(sizeof(StatSummary));
	*result = *state;
	PG_RETURN_STATSUMMARY_P(result);
}

/* True for method 'population', false for 'sample'; error otherwise. */
static bool
method_is_population(text *method)
{
	char	   *name = text_to_cstring(method);

	if (pg_strcasecmp(name, "sample") == 0)
		return false;
	if (pg_strcasecmp(name, "population") == 0)
		return true;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown method \"%s\"", name),
			 errhint("The method is 'sample' (the default) or 'population'.")));
	return false;				/* keep compiler quiet */
}

/* num_vals(s): how many non-NULL values were summarised. */
Datum
streamstat_stats_num_vals(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) PG_GETARG_STATSUMMARY_P(0)->n);
}

/* mean(s): Sx/N, as avg(). */
Datum
streamstat_stats_mean(PG_FUNCTION_ARGS)
{
	StatSummary *s = PG_GETARG_STATSUMMARY_P(0);

	if (s->n == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->sx / s->n);
}

/* sum(s): Sx. */
Datum
streamstat_stats_sum(PG_FUNCTION_ARGS)
{
	StatSummary *s = PG_GETARG_STATSUMMARY_P(0);

	if (s->n == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->sx);
}

/* min(s). */
Datum
streamstat_stats_min(PG_FUNCTION_ARGS)
{
	StatSummary *s = PG_GETARG_STATSUMMARY_P(0);

	if (s->n == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->min);
}

/* max(s). */
Datum
streamstat_stats_max(PG_FUNCTION_ARGS)
{
	StatSummary *s = PG_GETARG_STATSUMMARY_P(0);

	if (s->n == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s->max);
}

/* Variance into *result as var_samp/var_pop do; false if undefined. */
static bool
statsummary_variance(const StatSummary *s, bool population, double *result)
{
	if (population)
	{
		if (s->n == 0.0)
			return false;
		*result = s->m2 / s->n;
	}
	else
	{
		if (s->n <= 1.0)
			return false;
		*result = s->m2 / (s->n - 1.0);
	}
	return true;
}

/* variance(s [, method]). */
Datum
streamstat_stats_variance(PG_FUNCTION_ARGS)
{
	double		result;

	if (!statsummary_variance(PG_GETARG_STATSUMMARY_P(0),
							  method_is_population(PG_GETARG_TEXT_PP(1)),
							  &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(result);
}

/* stddev(s [, method]). */
Datum
streamstat_stats_stddev(PG_FUNCTION_ARGS)
{
	double		result;

	if (!statsummary_variance(PG_GETARG_STATSUMMARY_P(0),
							  method_is_population(PG_GETARG_TEXT_PP(1)),
							  &result))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(sqrt(result));
}

/* skewness(s [, method]): G1 (sample) or g1 (population). */
Datum
streamstat_stats_skewness(PG_FUNCTION_ARGS)
{
	StatSummary *s = PG_GETARG_STATSUMMARY_P(0);
	bool		population = method_is_population(PG_GETARG_TEXT_PP(1));
	double		n = s->n;
	double		var,
				g1;

	if (n < (population ? 1.0 : 3.0) || s->m2 == 0.0)
		PG_RETURN_NULL();
	/* moments over N, so that M2^1.5 cannot overflow where M3 did not */
	var = s->m2 / n;
	g1 = (s->m3 / n) / (var * sqrt(var));
	if (!population)
		g1 *= sqrt(n * (n - 1.0)) / (n - 2.0);
	PG_RETURN_FLOAT8(g1);
}

/* kurtosis(s [, method]): excess G2 (sample) or excess g2 (population). */
Datum
streamstat_stats_kurtosis(PG_FUNCTION_ARGS)
{
	StatSummary *s = PG_GETARG_STATSUMMARY_P(0);
	bool		population = method_is_population(PG_GETARG_TEXT_PP(1));
	double		n = s->n;
	double		var,
				g2;

	if (n < (population ? 1.0 : 4.0) || s->m2 == 0.0)
		PG_RETURN_NULL();
	var = s->m2 / n;
	g2 = (s->m4 / n) / (var * var) - 3.0;
	if (!population)
		g2 = (n - 1.0) * ((n + 1.0) * g2 + 6.0) / ((n - 2.0) * (n - 3.0));
	PG_RETURN_FLOAT8(g2);
}

/* zscore(s, x): (x - mean) / sample stddev; NULL if that is 0 or undefined. */
Datum
streamstat_stats_zscore(PG_FUNCTION_ARGS)
{
	StatSummary *s = PG_GETARG_STATSUMMARY_P(0);
	double		x = PG_GETARG_FLOAT8(1);
	double		var;

	if (!statsummary_variance(s, false, &var) || var == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((x - s->sx / s->n) / sqrt(var));
}

/*
 * For C callers that summarise values outside an aggregate (the rollup
 * fold of the ingest writer): the same accumulation and merge as
 * stats_agg() and +, so their summaries agree with the SQL ones.
 */
void
statsummary_add(StatSummary *s, double x)
{
	statsummary_accum(s, x);
}

void
statsummary_add_summary(StatSummary *a, const StatSummary *b)
{
	statsummary_merge(a, b);
}
