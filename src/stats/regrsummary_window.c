/*
 * regrsummary_window.c
 *		Moving-aggregate (sliding window) support for regr_agg() and
 *		rollup(regrsummary).
 *
 * In a window such as OVER (ORDER BY time ROWS 999 PRECEDING) PostgreSQL
 * adds the row entering the frame with the moving transition function and
 * takes the row leaving it out with the inverse one.  The state here,
 * RegrMoving, keeps double-double sums about a shift, with NaN and Inf
 * counted apart, so rows can also leave the frame; its final function
 * turns it into the ordinary regrsummary of regrsummary.h.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fmgr.h"
#include "utils/float.h"
#include "utils/timestamp.h"

#include "ddouble.h"
#include "regrsummary.h"

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
PG_FUNCTION_INFO_V1(streamstat_regr_agg_moving_trans);
Datum
streamstat_regr_agg_moving_trans(PG_FUNCTION_ARGS)
{
	RegrMoving *m = moving_state(fcinfo, "streamstat_regr_agg_moving_trans");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		RegrSummary e = pair_entry(PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2));

		moving_apply(m, &e, 1);
	}
	PG_RETURN_POINTER(m);
}

/* Moving regr_agg(y, x): a pair leaves; NULL asks for recomputation. */
PG_FUNCTION_INFO_V1(streamstat_regr_agg_inv);
Datum
streamstat_regr_agg_inv(PG_FUNCTION_ARGS)
{
	RegrMoving *m = moving_state(fcinfo, "streamstat_regr_agg_inv");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		RegrSummary e = pair_entry(PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2));

		if (!moving_remove(m, &e))
			PG_RETURN_NULL();
	}
	PG_RETURN_POINTER(m);
}

/* Moving regr_agg(y, timestamptz): a pair enters the frame. */
PG_FUNCTION_INFO_V1(streamstat_regr_agg_moving_trans_tstz);
Datum
streamstat_regr_agg_moving_trans_tstz(PG_FUNCTION_ARGS)
{
	RegrMoving *m = moving_state(fcinfo, "streamstat_regr_agg_moving_trans_tstz");

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
	{
		RegrSummary e = pair_entry(PG_GETARG_FLOAT8(1),
								   timestamptz_to_epoch_seconds(PG_GETARG_TIMESTAMPTZ(2)));

		moving_apply(m, &e, 1);
	}
	PG_RETURN_POINTER(m);
}

/* Moving regr_agg(y, timestamptz): a pair leaves; NULL asks for recomputation. */
PG_FUNCTION_INFO_V1(streamstat_regr_agg_inv_tstz);
Datum
streamstat_regr_agg_inv_tstz(PG_FUNCTION_ARGS)
{
	RegrMoving *m = moving_state(fcinfo, "streamstat_regr_agg_inv_tstz");

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
PG_FUNCTION_INFO_V1(streamstat_regr_rollup_moving_trans);
Datum
streamstat_regr_rollup_moving_trans(PG_FUNCTION_ARGS)
{
	RegrMoving *m = moving_state(fcinfo, "streamstat_regr_rollup_moving_trans");

	if (!PG_ARGISNULL(1))
		moving_apply(m, PG_GETARG_REGRSUMMARY_P(1), 1);
	PG_RETURN_POINTER(m);
}

/* Moving rollup: a summary leaves; NULL asks for recomputation. */
PG_FUNCTION_INFO_V1(streamstat_regr_rollup_inv);
Datum
streamstat_regr_rollup_inv(PG_FUNCTION_ARGS)
{
	RegrMoving *m = moving_state(fcinfo, "streamstat_regr_rollup_inv");

	if (!PG_ARGISNULL(1) && !moving_remove(m, PG_GETARG_REGRSUMMARY_P(1)))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(m);
}

/* Moving final function: the regrsummary of the current frame. */
PG_FUNCTION_INFO_V1(streamstat_regr_agg_moving_final);
Datum
streamstat_regr_agg_moving_final(PG_FUNCTION_ARGS)
{
	RegrSummary *s = palloc0(sizeof(RegrSummary));

	if (!PG_ARGISNULL(0))
		moving_summary((RegrMoving *) PG_GETARG_POINTER(0), s);
	PG_RETURN_REGRSUMMARY_P(s);
}

/*
 * Release 0.1's names of the moving-aggregate functions: its install
 * script still names these symbols.
 */
PG_FUNCTION_INFO_V1(streamstat_regr_maccum_tstz);
PG_FUNCTION_INFO_V1(streamstat_regr_minv_tstz);
PG_FUNCTION_INFO_V1(streamstat_regr_rollup_maccum);
PG_FUNCTION_INFO_V1(streamstat_regr_rollup_minv);
PG_FUNCTION_INFO_V1(streamstat_regr_maccum);
PG_FUNCTION_INFO_V1(streamstat_regr_minv);
PG_FUNCTION_INFO_V1(streamstat_regr_mfinal);

Datum
streamstat_regr_maccum_tstz(PG_FUNCTION_ARGS)
{
	return streamstat_regr_agg_moving_trans_tstz(fcinfo);
}

Datum
streamstat_regr_minv_tstz(PG_FUNCTION_ARGS)
{
	return streamstat_regr_agg_inv_tstz(fcinfo);
}

Datum
streamstat_regr_rollup_maccum(PG_FUNCTION_ARGS)
{
	return streamstat_regr_rollup_moving_trans(fcinfo);
}

Datum
streamstat_regr_rollup_minv(PG_FUNCTION_ARGS)
{
	return streamstat_regr_rollup_inv(fcinfo);
}

Datum
streamstat_regr_maccum(PG_FUNCTION_ARGS)
{
	return streamstat_regr_agg_moving_trans(fcinfo);
}

Datum
streamstat_regr_minv(PG_FUNCTION_ARGS)
{
	return streamstat_regr_agg_inv(fcinfo);
}

Datum
streamstat_regr_mfinal(PG_FUNCTION_ARGS)
{
	return streamstat_regr_agg_moving_final(fcinfo);
}
