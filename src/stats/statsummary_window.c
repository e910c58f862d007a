/*
 * statsummary_window.c
 *		Moving-aggregate (sliding window) support for stats_agg() and
 *		rollup(statsummary).
 *
 * In a window such as OVER (ORDER BY time ROWS 999 PRECEDING) PostgreSQL
 * adds the row entering the frame with the moving transition function and
 * takes the row leaving it out with the inverse one, so a frame costs O(1)
 * instead of O(frame).  The plain aggregates of statsummary.c cannot run
 * backwards accurately (Youngs-Cramer updates do not invert without
 * cancellation), so the moving aggregates keep a state of their own and
 * their final function turns it into an ordinary statsummary.
 *
 * Numerical method
 * ----------------
 * The state holds, for the finite values present, their count n and the
 * power sums S_k = sum((x - c)^k), k = 1..4, about a shift c, each a
 * double-double (ddouble.h, about 106 bits).  c is the first finite value
 * that enters an empty state, so it is a value of the data: the sums stay
 * of the order of the central moments times n, and x - c is formed exactly
 * (TwoSum).  Adding a value adds its powers, removing it subtracts the very
 * same double-double numbers, so nothing drifts beyond the double-double
 * rounding of each update.  The final function converts to central sums
 * about the mean, still in double-double (m = S1/n):
 *
 *		M2 = S2 - m S1
 *		M3 = S3 - m (3 S2 - 2 m S1)
 *		M4 = S4 - m (4 S3 - m (6 S2 - 3 m S1))
 *
 * and rounds them to double; the sum is n c + S1.  The same formulas with
 * a stored summary's count, mean offset d = mean - c and central sums give
 * its power sums (S2 += M2 + n d^2, S3 += M3 + 3 d M2 + n d^3, S4 += M4 +
 * 4 d M3 + 6 d^2 M2 + n d^4), which is how rollup() slides.
 *
 * What can go wrong is cancellation: a huge value (say 1e15 among values
 * near 1) passes through, the sums carry rounding errors of the size of
 * 2^-104 times the huge powers, and once it has left, those errors can be
 * larger than what remains.  So every update adds |S_k| to a running error
 * budget E_k (each double-double addition errs by at most about 3*2^-106
 * relative to its result, see Joldes, Muller and Popescu, "Tight and
 * rigorous error bounds for basic building blocks of double-word
 * arithmetic", ACM TOMS 44(2), 2017), and after every removal the inverse
 * function bounds the absolute error of M2, M3 and M4 by first-order
 * propagation through the formulas above, with a generous 2^-100 per unit
 * of budget, plus the rounding of the conversion itself.  If the bound
 * exceeds 2^-40 of M2 (of M4, of M2^1.5/sqrt(n) for M3), it returns NULL
 * and PostgreSQL recomputes the frame from scratch with a fresh state
 * (new shift, zero budget).  The check compares magnitudes (sums of
 * squares and fourth powers, never a signed sum that could be near zero),
 * so each row stays within about 1e-12 relative of the exact answer for
 * variance and stddev, far inside the 1e-9 the tests require.  Additions
 * are not checked: while c's own value is in the frame the sums are at
 * most about n times the central ones, and after a removal has passed the
 * check, later additions can grow the error bound only in proportion to
 * the frame.
 *
 * NaN, +Infinity and -Infinity are counted, not summed, so they can enter
 * and leave; while any is present the sum is NaN or infinite and the
 * central sums NaN, as the plain aggregate reports them.  A stored summary
 * with a non-finite sum counts the same way.
 *
 * min and max cannot be undone from a single number.  Frames add rows at
 * the tail and remove them from the head, in order, so the state keeps for
 * each a monotone deque (the classic sliding-window extreme): the values
 * that can still become the frame's max, falling from the front, each
 * entering value first dropping those behind it that it exceeds; the front
 * is the max, and a leaving value that equals the front is removed.
 * Should a removal not fit that order, the inverse function returns NULL
 * and the frame is recomputed.  NaN sorts above everything, as in float8
 * comparison.
 *
 * Cost model, per row of a W-row frame: O(1) amortised for the add and
 * the removal (some 40 double-double operations with the final function;
 * every value enters and leaves each deque at most once), whatever the
 * data: monotone series (counters, trends) slide as cheaply as noise.
 * Memory is O(W) in the worst case (a monotone series keeps every value
 * of the frame in one deque), 16 bytes a row at most.  A recomputation,
 * O(W), happens only when the precision check fails, that is after a
 * value far outside the frame's remaining spread has left.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/float.h"

#include "ddouble.h"
#include "statsummary.h"

PG_FUNCTION_INFO_V1(streamstat_stats_agg_moving_trans);
PG_FUNCTION_INFO_V1(streamstat_stats_agg_inv);
PG_FUNCTION_INFO_V1(streamstat_stats_rollup_moving_trans);
PG_FUNCTION_INFO_V1(streamstat_stats_rollup_inv);
PG_FUNCTION_INFO_V1(streamstat_stats_agg_moving_final);

/* error of the sums per unit of budget (3*2^-106 per addition, and margin) */
#define MOVING_EPS		0x1p-100
/* largest relative error of M2, M4 (and skewness) allowed before recomputing */
#define MOVING_TOL		0x1p-40

/*
 * A monotone deque (ring buffer) of the values that can still become the
 * frame's min (or max): each entering value first drops the candidates
 * behind it that it beats, so the front is the current extreme.
 */
typedef struct MonoDeque
{
	double	   *buf;
	int			cap;			/* allocated slots, a power of 2 */
	int			head;			/* slot of the front */
	int			count;			/* values held */
} MonoDeque;

typedef struct StatsMovingState
{
	double		nfinite;		/* values in the power sums */
	double		nother;			/* values in NaN or infinite contributions */
	int64		nnan;			/* contributions with sum NaN */
	int64		npinf;			/* ... with sum +Infinity */
	int64		nninf;			/* ... with sum -Infinity */
	double		shift;			/* c: powers are of (x - c) */
	DDouble		s[4];			/* S_k = sum((x - c)^k), k = 1..4 */
	double		err[4];			/* E_k: sum of |S_k| after each update */
	int64		nitems;			/* contributions present */
	MonoDeque	mins;			/* candidates for the min, rising */
	MonoDeque	maxs;			/* candidates for the max, falling */
	MemoryContext context;		/* the aggregate context, for the deques */
} StatsMovingState;

/* Allocate an empty moving state in the aggregate's context. */
static StatsMovingState *
moving_new_state(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;
	StatsMovingState *st;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "statsummary moving aggregate function called in non-aggregate context");
	st = (StatsMovingState *) MemoryContextAllocZero(aggcontext,
													 sizeof(StatsMovingState));
	st->context = aggcontext;
	return st;
}

/* The moving state of argument 0, made at the first row. */
static inline StatsMovingState *
moving_state_arg(FunctionCallInfo fcinfo)
{
	if (unlikely(PG_ARGISNULL(0)))
		return moving_new_state(fcinfo);
	return (StatsMovingState *) PG_GETARG_POINTER(0);
}

/* The moving state of an inverse transition, which always has one. */
static inline StatsMovingState *
moving_state_inv_arg(FunctionCallInfo fcinfo)
{
	if (unlikely(PG_ARGISNULL(0)))
		elog(ERROR, "statsummary inverse transition called without a state");
	return (StatsMovingState *) PG_GETARG_POINTER(0);
}

/* Add (sign > 0) or subtract powers p[0..3] to the sums, and budget them. */
static inline void
moving_apply_powers(StatsMovingState *st, const DDouble *p, bool add)
{
	int			k;

	for (k = 0; k < 4; k++)
	{
		st->s[k] = add ? dd_add(st->s[k], p[k]) : dd_sub(st->s[k], p[k]);
		st->err[k] += fabs(st->s[k].hi);
	}
}

/* Powers (x - c)^1..4 of one finite value, in double-double. */
static inline void
moving_value_powers(double x, double c, DDouble *p)
{
	double		e;

	p[0].hi = dd_two_sum(x, -c, &e);
	p[0].lo = e;
	p[1] = dd_mul(p[0], p[0]);
	p[2] = dd_mul(p[1], p[0]);
	p[3] = dd_mul(p[1], p[1]);
	if (unlikely(!isfinite(p[3].hi)))
		float_overflow_error();
}

/* Sums of (x - c)^1..4 over the values a finite stored summary describes. */
static void
moving_summary_powers(const StatSummary *v, double c, DDouble *p)
{
	DDouble		d,
				d2;

	/* S1 = sum - n c, exactly formed; d = S1 / n is the mean's offset */
	p[0] = dd_sub(dd_from_double(v->sx), dd_mul_d(dd_from_double(c), v->n));
	d = dd_div(p[0], dd_from_double(v->n));
	d2 = dd_mul(d, d);
	p[1] = dd_add_d(dd_mul_d(d2, v->n), v->m2);
	p[2] = dd_add(dd_add_d(dd_mul_d(d, 3.0 * v->m2), v->m3),
				  dd_mul_d(dd_mul(d2, d), v->n));
	p[3] = dd_add(dd_add(dd_add_d(dd_mul_d(d, 4.0 * v->m3), v->m4),
						 dd_mul_d(d2, 6.0 * v->m2)),
				  dd_mul_d(dd_mul(d2, d2), v->n));
	if (unlikely(!isfinite(p[3].hi) || !isfinite(p[2].hi)))
		float_overflow_error();
}

/* True if a beats b as the deque's extreme: a < b for mins, a > b for maxs. */
static inline bool
deque_beats(double a, double b, bool for_max)
{
	return for_max ? float8_gt(a, b) : float8_lt(a, b);
}

/* Append x, after dropping the candidates at the back that x beats. */
static void
deque_push(MonoDeque *dq, double x, bool for_max, MemoryContext context)
{
	while (dq->count > 0 &&
		   deque_beats(x, dq->buf[(dq->head + dq->count - 1) & (dq->cap - 1)], for_max))
		dq->count--;
	if (dq->count == dq->cap)
	{
		int			newcap = dq->cap > 0 ? dq->cap * 2 : 16;
		double	   *newbuf = MemoryContextAlloc(context, newcap * sizeof(double));
		int			i;

		for (i = 0; i < dq->count; i++)
			newbuf[i] = dq->buf[(dq->head + i) & (dq->cap - 1)];
		if (dq->buf != NULL)
			pfree(dq->buf);
		dq->buf = newbuf;
		dq->cap = newcap;
		dq->head = 0;
	}
	dq->buf[(dq->head + dq->count) & (dq->cap - 1)] = x;
	dq->count++;
}

/*
 * The oldest value x leaves.  If it is the front, the front goes; if the
 * front does not beat or equal it, x cannot have been the oldest value
 * (removals must come in the order of additions, as window frames do), so
 * report failure and let the frame be recomputed.
 */
static bool
deque_remove(MonoDeque *dq, double x, bool for_max)
{
	if (dq->count == 0)
		return false;
	if (float8_eq(dq->buf[dq->head], x))
	{
		dq->head = (dq->head + 1) & (dq->cap - 1);
		dq->count--;
		return true;
	}
	return deque_beats(dq->buf[dq->head], x, for_max);
}

/* Count a contribution's extremes in. */
static inline void
moving_track_add(StatsMovingState *st, double lo, double hi)
{
	st->nitems++;
	deque_push(&st->mins, lo, false, st->context);
	deque_push(&st->maxs, hi, true, st->context);
}

/* Count a contribution's extremes out; false if the deques disagree. */
static inline bool
moving_track_remove(StatsMovingState *st, double lo, double hi)
{
	st->nitems--;
	return deque_remove(&st->mins, lo, false) &&
		deque_remove(&st->maxs, hi, true) &&
		(st->nitems == 0 || (st->mins.count > 0 && st->maxs.count > 0));
}

/* Count a contribution with a NaN or infinite sum of n values, in or out. */
static inline void
moving_count_nonfinite(StatsMovingState *st, double sum, double n, int dir)
{
	st->nother += dir * n;
	if (isnan(sum))
		st->nnan += dir;
	else if (sum > 0)
		st->npinf += dir;
	else
		st->nninf += dir;
}

/* Central sums M2, M3, M4 of the finite values, from the power sums. */
static void
moving_central(const StatsMovingState *st, DDouble *m2, DDouble *m3,
			   DDouble *m4)
{
	DDouble		m = dd_div(st->s[0], dd_from_double(st->nfinite));
	DDouble		ms1 = dd_mul(m, st->s[0]);	/* n m^2 */

	*m2 = dd_sub(st->s[1], ms1);
	*m3 = dd_sub(st->s[2],
				 dd_mul(m, dd_sub(dd_mul_d(st->s[1], 3.0), dd_mul_d(ms1, 2.0))));
	*m4 = dd_sub(st->s[3],
				 dd_mul(m, dd_sub(dd_mul_d(st->s[2], 4.0),
								  dd_mul(m, dd_sub(dd_mul_d(st->s[1], 6.0),
												   dd_mul_d(ms1, 3.0))))));
}

/*
 * After a removal: true if the sums still give M2, M3 and M4 to MOVING_TOL,
 * by the error budget (see the header comment); false to recompute.
 */
static bool
moving_still_accurate(StatsMovingState *st)
{
	double		n = st->nfinite;
	double		s1,
				s2,
				as3,
				s4,
				m,
				am,
				m2,
				m4,
				err2,
				err3,
				err4;
	const double *e = st->err;

	if (n == 0.0)
	{
		/* no finite value left: start the sums afresh, exactly */
		memset(st->s, 0, sizeof(st->s));
		memset(st->err, 0, sizeof(st->err));
		return true;
	}

	s1 = st->s[0].hi;
	s2 = st->s[1].hi;
	as3 = fabs(st->s[2].hi);
	s4 = st->s[3].hi;
	m = s1 / n;
	am = fabs(m);

	/* M2 and M4 in double are good enough unless they cancel heavily */
	m2 = s2 - m * s1;
	m4 = s4 - m * (4.0 * st->s[2].hi - m * (6.0 * s2 - 3.0 * m * s1));
	if (m2 < 0x1p-20 * s2 || m4 < 0x1p-20 * s4)
	{
		DDouble		dm2,
					dm3,
					dm4;

		moving_central(st, &dm2, &dm3, &dm4);
		m2 = dd_to_double(dm2);
		m4 = dd_to_double(dm4);
	}

	/* budget through d/dS_k of each formula, plus the conversion rounding */
	err2 = MOVING_EPS * (e[1] + 2.0 * am * e[0] + 2.0 * s2);
	err3 = MOVING_EPS * (e[2] + 3.0 * am * e[1] + (3.0 * s2 / n + 6.0 * m * m) * e[0] +
						 sqrt(s2 * s4) + 3.0 * am * s2 + 2.0 * n * am * m * m);
	err4 = MOVING_EPS * (e[3] + 4.0 * am * e[2] + 6.0 * m * m * e[1] +
						 (4.0 * as3 / n + 12.0 * am * s2 / n + 12.0 * am * m * m) * e[0] +
						 16.0 * s4);

	return err2 <= MOVING_TOL * m2 &&
		err4 <= MOVING_TOL * m4 &&
		err3 * sqrt(n) <= MOVING_TOL * m2 * sqrt(m2);
}

/* stats_agg moving transition: one value enters the frame. */
Datum
streamstat_stats_agg_moving_trans(PG_FUNCTION_ARGS)
{
	StatsMovingState *st = moving_state_arg(fcinfo);
	double		x;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	x = PG_GETARG_FLOAT8(1);

	if (likely(isfinite(x)))
	{
		DDouble		p[4];

		if (st->nfinite == 0.0)
			st->shift = x;
		moving_value_powers(x, st->shift, p);
		moving_apply_powers(st, p, true);
		st->nfinite += 1.0;
	}
	else
		moving_count_nonfinite(st, x, 1.0, 1);
	moving_track_add(st, x, x);
	PG_RETURN_POINTER(st);
}

/* stats_agg inverse transition: one value leaves; NULL means recompute. */
Datum
streamstat_stats_agg_inv(PG_FUNCTION_ARGS)
{
	StatsMovingState *st = moving_state_inv_arg(fcinfo);
	double		x;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	x = PG_GETARG_FLOAT8(1);

	if (!moving_track_remove(st, x, x))
		PG_RETURN_NULL();
	if (likely(isfinite(x)))
	{
		DDouble		p[4];

		moving_value_powers(x, st->shift, p);
		moving_apply_powers(st, p, false);
		st->nfinite -= 1.0;
		if (!moving_still_accurate(st))
			PG_RETURN_NULL();
	}
	else
		moving_count_nonfinite(st, x, 1.0, -1);
	PG_RETURN_POINTER(st);
}

/* rollup moving transition: one stored summary enters the frame. */
Datum
streamstat_stats_rollup_moving_trans(PG_FUNCTION_ARGS)
{
	StatsMovingState *st = moving_state_arg(fcinfo);
	StatSummary *v;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	v = PG_GETARG_STATSUMMARY_P(1);
	if (v->n == 0.0)
		PG_RETURN_POINTER(st);

	if (likely(isfinite(v->sx)))
	{
		DDouble		p[4];

		if (st->nfinite == 0.0)
			st->shift = v->sx / v->n;
		moving_summary_powers(v, st->shift, p);
		moving_apply_powers(st, p, true);
		st->nfinite += v->n;
	}
	else
		moving_count_nonfinite(st, v->sx, v->n, 1);
	moving_track_add(st, v->min, v->max);
	PG_RETURN_POINTER(st);
}

/* rollup inverse transition: one summary leaves; NULL means recompute. */
Datum
streamstat_stats_rollup_inv(PG_FUNCTION_ARGS)
{
	StatsMovingState *st = moving_state_inv_arg(fcinfo);
	StatSummary *v;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	v = PG_GETARG_STATSUMMARY_P(1);
	if (v->n == 0.0)
		PG_RETURN_POINTER(st);

	if (!moving_track_remove(st, v->min, v->max))
		PG_RETURN_NULL();
	if (likely(isfinite(v->sx)))
	{
		DDouble		p[4];

		moving_summary_powers(v, st->shift, p);
		moving_apply_powers(st, p, false);
		st->nfinite -= v->n;
		if (!moving_still_accurate(st))
			PG_RETURN_NULL();
	}
	else
		moving_count_nonfinite(st, v->sx, v->n, -1);
	PG_RETURN_POINTER(st);
}

/* Final function of both moving aggregates: the frame as a statsummary. */
Datum
streamstat_stats_agg_moving_final(PG_FUNCTION_ARGS)
{
	StatsMovingState *st = (StatsMovingState *) PG_GETARG_POINTER(0);
	StatSummary *result;

	if (st->nitems == 0)
		PG_RETURN_NULL();

	result = palloc(sizeof(StatSummary));
	result->n = st->nfinite + st->nother;
	result->sx = result->m2 = result->m3 = result->m4 = 0.0;
	if (st->nfinite > 0.0)
	{
		DDouble		m2,
					m3,
					m4;

		moving_central(st, &m2, &m3, &m4);
		result->sx = dd_to_double(dd_add(dd_mul_d(dd_from_double(st->shift),
												  st->nfinite),
										 st->s[0]));
		/* rounding can leave a hair below zero where the spread is nil */
		result->m2 = Max(dd_to_double(m2), 0.0);
		result->m3 = dd_to_double(m3);
		result->m4 = Max(dd_to_double(m4), 0.0);
		if (unlikely(isinf(result->sx) || isinf(result->m2) ||
					 isinf(result->m3) || isinf(result->m4)))
			float_overflow_error();
	}
	if (st->nother > 0.0)
	{
		if (st->nnan > 0 || (st->npinf > 0 && st->nninf > 0))
			result->sx = get_float8_nan();
		else if (st->npinf > 0)
			result->sx = get_float8_infinity();
		else
			result->sx = -get_float8_infinity();
		result->m2 = result->m3 = result->m4 = get_float8_nan();
	}
	result->min = st->mins.buf[st->mins.head];
	result->max = st->maxs.buf[st->maxs.head];
	PG_RETURN_STATSUMMARY_P(result);
}

/*
 * Release 0.1's names of the inverse and final functions: its install
 * script still names these symbols.
 */
PG_FUNCTION_INFO_V1(streamstat_stats_agg_moving_inv);
PG_FUNCTION_INFO_V1(streamstat_stats_rollup_moving_inv);
PG_FUNCTION_INFO_V1(streamstat_stats_moving_final);

Datum
streamstat_stats_agg_moving_inv(PG_FUNCTION_ARGS)
{
	return streamstat_stats_agg_inv(fcinfo);
}

Datum
streamstat_stats_rollup_moving_inv(PG_FUNCTION_ARGS)
{
	return streamstat_stats_rollup_inv(fcinfo);
}

Datum
streamstat_stats_moving_final(PG_FUNCTION_ARGS)
{
	return streamstat_stats_agg_moving_final(fcinfo);
}
