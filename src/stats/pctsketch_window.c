/*
 * pctsketch_window.c
 *		Moving-aggregate (sliding window) support for pct_agg(), so that
 *		percentile(pct_agg(v) OVER (ORDER BY t ROWS 999 PRECEDING), 0.99)
 *		costs O(buckets) per row instead of O(frame).
 *
 * The plain state (pctsketch.c) collapses when its budget overflows, and a
 * collapse cannot be undone: once two buckets are one, removing a value
 * cannot tell which half it came from.  So the moving state keeps the
 * counts uncollapsed, at the base grid of max_error, in one dense array of
 * counts per sign (indexed by key - lo), and its final function collapses
 * a copy just as far as the current frame needs: to the smallest collapse
 * count at which the frame's keys fit max_buckets, which is exactly the
 * collapse count of pct_agg over the frame's rows (see pctsketch.c).
 * Buckets, count and extremes are therefore bit-identical to a sketch
 * recomputed from the frame; a frame that once held extreme values comes
 * back to the fine grid as soon as they have left.
 *
 * Only when one array would span more than 2^20 keys (data covering over
 * 9000 orders of magnitude at max_error 0.01, fewer at smaller errors) does
 * the state coarsen its own base grid (a base collapse), and from then on
 * the frame's sketch has at least that many collapses until the frame is
 * recomputed from scratch (PostgreSQL does so when a window partition
 * starts, or when the inverse function declines).
 *
 * Extremes: frames remove rows in the order they were added, so min and
 * max come from monotone deques (the front of each is the extreme); a
 * removal out of that order makes the inverse return NULL, and PostgreSQL
 * recomputes the frame.  The sum (for mean) is a double-double; a value
 * more than 2^40 times larger than everything left in the frame would
 * leave its rounding behind when it goes, so its removal also returns NULL
 * (one recomputation, after which the state has forgotten it).
 *
 * Cost per row of a W-row frame: O(1) to add or remove (a log(), an array
 * increment, amortised deque work), and O(span of keys) in the final
 * function, which rebuilds the frame's sketch (span is bounded by the
 * data's range: about 700 keys per factor 10^6 at max_error 0.01).
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fmgr.h"
#include "utils/float.h"

#include "ddouble.h"
#include "pctsketch.h"

#define DENSE_MAX_SPAN	(1 << 20)
#define SUM_TOLERANCE	40		/* binary orders of magnitude */

/* Counts of one sign, by key: counts[key - lo] for key in [lo, lo + len). */
typedef struct DenseSide
{
	int64	   *counts;
	int32		lo;
	int32		len;
	int32		used;			/* keys with a non-zero count */
} DenseSide;

/* A monotone deque of extreme candidates (ring buffer, power-of-2 size). */
typedef struct ExtremeDeque
{
	double	   *buf;
	int			cap;
	int			head;
	int			count;
} ExtremeDeque;

typedef struct PctMoving
{
	double		alpha0;
	double		inv_lg0;		/* 1 / log(gamma0) */
	int32		max_buckets;
	int32		base;			/* collapses of the dense arrays */
	int64		count;
	int64		zeros;
	DDouble		sum;
	double		peak;			/* largest |v| that entered the sum */
	DenseSide	side[2];		/* [0] negatives by |v|, [1] positives */
	ExtremeDeque mins;			/* candidates for the min, rising */
	ExtremeDeque maxs;			/* candidates for the max, falling */
	MemoryContext context;
} PctMoving;

/* Halve the keys of a dense side (one base collapse). */
static void
dense_collapse(PctMoving *m, DenseSide *d)
{
	int32		lo,
				hi;
	int64	   *counts;

	if (d->len == 0)
		return;
	lo = pct_key_collapse(d->lo, 1);
	hi = pct_key_collapse(d->lo + d->len - 1, 1);
	counts = MemoryContextAllocZero(m->context, (hi - lo + 1) * sizeof(int64));
	d->used = 0;
	for (int32 i = 0; i < d->len; i++)
	{
		int32		k = pct_key_collapse(d->lo + i, 1) - lo;

		if (d->counts[i] != 0 && counts[k] == 0)
			d->used++;
		counts[k] += d->counts[i];
	}
	pfree(d->counts);
	d->counts = counts;
	d->lo = lo;
	d->len = hi - lo + 1;
}

/* Make room for key in a side (keys at the state's base). */
static void
dense_reserve(PctMoving *m, DenseSide *d, int32 key)
{
	int64		lo,
				hi,
				len;
	int64	   *counts;

	if (d->len > 0 && key >= d->lo && key < d->lo + d->len)
		return;
	if (d->len == 0)
	{
		lo = (int64) key - 32;
		hi = (int64) key + 32;
	}
	else
	{
		/* grow by at least the current length toward the new key */
		lo = Min((int64) d->lo, (int64) key - (key < d->lo ? d->len : 0));
		hi = Max((int64) d->lo + d->len - 1, (int64) key + (key >= d->lo ? d->len : 0));
	}
	len = hi - lo + 1;
	counts = MemoryContextAllocZero(m->context, len * sizeof(int64));
	if (d->len > 0)
	{
		memcpy(counts + (d->lo - lo), d->counts, d->len * sizeof(int64));
		pfree(d->counts);
	}
	d->counts = counts;
	d->lo = (int32) lo;
	d->len = (int32) len;
}

/* The key of |v| at the state's base; coarsens the base if spans overflow. */
static int32
moving_key(PctMoving *m, int sign, double absv)
{
	int32		key0 = pct_key0(absv, m->inv_lg0);

	for (;;)
	{
		DenseSide  *d = &m->side[sign];
		int32		key = pct_key_collapse(key0, m->base);
		int64		lo = d->len ? Min((int64) d->lo, key) : key;
		int64		hi = d->len ? Max((int64) d->lo + d->len - 1, key) : key;

		if (2 * (hi - lo + 1) <= DENSE_MAX_SPAN ||
			m->base >= PCTSKETCH_MAX_COLLAPSES)
			return key;
		dense_collapse(m, &m->side[0]);
		dense_collapse(m, &m->side[1]);
		m->base++;
	}
}

static inline bool
beats(double a, double b, bool for_max)
{
	return for_max ? a > b : a < b;
}

static void
deque_push(PctMoving *m, ExtremeDeque *dq, double x, bool for_max)
{
	while (dq->count > 0 &&
		   beats(x, dq->buf[(dq->head + dq->count - 1) & (dq->cap - 1)], for_max))
		dq->count--;
	if (dq->count == dq->cap)
	{
		int			newcap = dq->cap > 0 ? dq->cap * 2 : 16;
		double	   *newbuf = MemoryContextAlloc(m->context, newcap * sizeof(double));

		for (int i = 0; i < dq->count; i++)
			newbuf[i] = dq->buf[(dq->head + i) & (dq->cap - 1)];
		if (dq->buf)
			pfree(dq->buf);
		dq->buf = newbuf;
		dq->cap = newcap;
		dq->head = 0;
	}
	dq->buf[(dq->head + dq->count) & (dq->cap - 1)] = x;
	dq->count++;
}

/* The oldest value x leaves; false if it cannot have been the oldest. */
static bool
deque_remove(ExtremeDeque *dq, double x, bool for_max)
{
	if (dq->count == 0)
		return false;
	if (dq->buf[dq->head] == x)
	{
		dq->head = (dq->head + 1) & (dq->cap - 1);
		dq->count--;
		return true;
	}
	return beats(dq->buf[dq->head], x, for_max);
}

/* The moving state of this call, created in the aggregate context. */
static PctMoving *
moving_state(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;
	PctMoving  *m;
	double		alpha0 = 0.01;
	int32		max_buckets = 1024;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "pct_agg moving transition called in non-aggregate context");
	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
		alpha0 = PG_GETARG_FLOAT8(2);
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
		max_buckets = PG_GETARG_INT32(3);
	if (!PG_ARGISNULL(0))
	{
		m = (PctMoving *) PG_GETARG_POINTER(0);
		if (unlikely(m->alpha0 != alpha0 || m->max_buckets != max_buckets))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pct_agg's max_error and max_buckets must be the same for every row"),
					 errhint("Pass constants.")));
		return m;
	}
	pct_check_params(alpha0, max_buckets);
	m = MemoryContextAllocZero(aggcontext, sizeof(PctMoving));
	m->alpha0 = alpha0;
	m->inv_lg0 = 1.0 / pct_log_gamma0(alpha0);
	m->max_buckets = max_buckets;
	m->context = aggcontext;
	return m;
}

/* pct_agg moving transition: a value enters the frame. */
PG_FUNCTION_INFO_V1(streamstat_pct_agg_moving_trans);
Datum
streamstat_pct_agg_moving_trans(PG_FUNCTION_ARGS)
{
	PctMoving  *m = moving_state(fcinfo);
	double		v;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(m);
	v = PG_GETARG_FLOAT8(1);
	pct_reject_nonfinite(v);
	if (v == 0.0)
		m->zeros++;
	else
	{
		int			sign = v > 0.0;
		int32		key = moving_key(m, sign, fabs(v));
		DenseSide  *d = &m->side[sign];

		dense_reserve(m, d, key);
		if (d->counts[key - d->lo]++ == 0)
			d->used++;
	}
	m->count++;
	m->sum = dd_add_d(m->sum, v);
	m->peak = Max(m->peak, fabs(v));
	deque_push(m, &m->mins, v, false);
	deque_push(m, &m->maxs, v, true);
	PG_RETURN_POINTER(m);
}

/* pct_agg inverse transition: a value leaves; NULL asks for recomputation. */
PG_FUNCTION_INFO_V1(streamstat_pct_agg_inv);
Datum
streamstat_pct_agg_inv(PG_FUNCTION_ARGS)
{
	PctMoving  *m = moving_state(fcinfo);
	double		v;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(m);
	v = PG_GETARG_FLOAT8(1);
	if (!isfinite(v) || m->count == 0)
		PG_RETURN_NULL();
	if (!deque_remove(&m->mins, v, false) || !deque_remove(&m->maxs, v, true))
		PG_RETURN_NULL();
	if (v == 0.0)
		m->zeros--;
	else
	{
		int			sign = v > 0.0;
		DenseSide  *d = &m->side[sign];
		int32		key = pct_key_collapse(pct_key0(fabs(v), m->inv_lg0), m->base);

		if (d->len == 0 || key < d->lo || key >= d->lo + d->len ||
			d->counts[key - d->lo] == 0)
			PG_RETURN_NULL();
		if (--d->counts[key - d->lo] == 0)
			d->used--;
	}
	m->count--;
	m->sum = dd_add_d(m->sum, -v);
	if (m->count == 0)
	{
		m->sum = DD_ZERO;
		m->peak = 0.0;
	}
	else
	{
		double		scale = Max(fabs(m->mins.buf[m->mins.head]),
								fabs(m->maxs.buf[m->maxs.head]));

		if (scale == 0.0)
		{
			m->sum = DD_ZERO;	/* only zeros are left */
			m->peak = 0.0;
		}
		else if (m->peak > ldexp(scale, SUM_TOLERANCE))
			PG_RETURN_NULL();
	}
	PG_RETURN_POINTER(m);
}

/* Distinct keys of a side after c further collapses. */
static int32
side_distinct(const DenseSide *d, int c)
{
	int32		n = 0;
	int32		last = 0;

	for (int32 i = 0; i < d->len; i++)
	{
		if (d->counts[i] != 0)
		{
			int32		k = pct_key_collapse(d->lo + i, c);

			if (n == 0 || k != last)
				n++;
			last = k;
		}
	}
	return n;
}

/* Write the buckets of a side after c further collapses; returns their number. */
static int32
side_emit(const DenseSide *d, int c, PctBucket *out)
{
	int32		n = 0;

	for (int32 i = 0; i < d->len; i++)
	{
		if (d->counts[i] != 0)
		{
			int32		k = pct_key_collapse(d->lo + i, c);

			if (n > 0 && out[n - 1].key == k)
				out[n - 1].count += d->counts[i];
			else
			{
				out[n].key = k;
				out[n].pad = 0;
				out[n].count = d->counts[i];
				n++;
			}
		}
	}
	return n;
}

/* pct_agg moving final: the pctsketch of the current frame. */
PG_FUNCTION_INFO_V1(streamstat_pct_agg_moving_final);
Datum
streamstat_pct_agg_moving_final(PG_FUNCTION_ARGS)
{
	PctMoving  *m;
	int			c = 0;
	int32		n;
	PctSketch  *s;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = (PctMoving *) PG_GETARG_POINTER(0);
	if (m->count == 0)
		PG_RETURN_NULL();

	/* the fewest collapses at which the frame's keys fit the budget */
	n = m->side[0].used + m->side[1].used;
	while (n > m->max_buckets && c + m->base < PCTSKETCH_MAX_COLLAPSES)
	{
		c++;
		n = side_distinct(&m->side[0], c) + side_distinct(&m->side[1], c);
	}
	s = pct_sketch_alloc(m->alpha0, m->max_buckets, n);
	s->collapses = m->base + c;
	s->nneg = side_emit(&m->side[0], c, s->buckets);
	s->npos = side_emit(&m->side[1], c, s->buckets + s->nneg);
	s->count = m->count;
	s->zeros = m->zeros;
	s->min = m->mins.buf[m->mins.head];
	s->max = m->maxs.buf[m->maxs.head];
	s->sum_hi = m->sum.hi;
	s->sum_lo = m->sum.lo;
	PG_RETURN_PCTSKETCH_P(s);
}
