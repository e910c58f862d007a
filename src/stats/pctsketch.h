/*
 * pctsketch.h
 *		The pctsketch value (a relative-error quantile sketch), shared by the
 *		type, plain aggregates and accessors (pctsketch.c) and the
 *		sliding-window aggregate (pctsketch_window.c).
 *
 * A pctsketch counts values in logarithmic buckets: with gamma0 =
 * (1 + a0) / (1 - a0) for the requested max_error a0, a value v != 0 has
 * the base key ceil(log|v| / log gamma0), and after c collapses (each
 * squares gamma) the key ceil(key0 / 2^c).  Negative values have buckets
 * of their own keyed by |v|, zeros a count of their own.  The same varlena
 * is the transition state of the plain aggregates: it carries a capacity
 * so that the state can be updated in place and grown by doubling.
 */
#ifndef STREAMSTAT_PCTSKETCH_H
#define STREAMSTAT_PCTSKETCH_H

#include <math.h>

#include "fmgr.h"

/* Limits of the parameters of pct_agg. */
#define PCTSKETCH_MIN_ERROR		1e-6
#define PCTSKETCH_MAX_ERROR		0.5
#define PCTSKETCH_MIN_BUCKETS	4
#define PCTSKETCH_MAX_BUCKETS	100000
#define PCTSKETCH_MAX_COLLAPSES 40

/* pct_agg's defaults (also what rollups with percentiles use). */
#define PCT_DEFAULT_ERROR	0.01
#define PCT_DEFAULT_BUCKETS 1024

/* One bucket: its key and how many values it holds. */
typedef struct PctBucket
{
	int32		key;
	int32		pad;			/* zero */
	int64		count;
} PctBucket;

typedef struct PctSketch
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int32		max_buckets;	/* bucket budget */
	int32		collapses;		/* times gamma was squared */
	int32		nneg;			/* buckets of negative values (keyed by |v|) */
	int32		npos;			/* buckets of positive values */
	int32		capacity;		/* buckets allocated; nneg + npos when stored */
	double		alpha0;			/* max_error asked for, before collapses */
	double		slack;			/* >= 1: misplacement from merging grids */
	int64		count;			/* all values, zeros included */
	int64		zeros;			/* values equal to 0 */
	double		min;
	double		max;
	double		sum_hi;			/* sum of the values, double-double */
	double		sum_lo;
	PctBucket	buckets[FLEXIBLE_ARRAY_MEMBER]; /* negatives, then positives,
												 * each by ascending key */
} PctSketch;

#define PCTSKETCH_HEADER_SIZE	offsetof(PctSketch, buckets)
#define PCTSKETCH_SIZE(nbuckets) \
	(PCTSKETCH_HEADER_SIZE + (Size) (nbuckets) * sizeof(PctBucket))

#define DatumGetPctSketchP(X)	((PctSketch *) PG_DETOAST_DATUM(X))
#define PG_GETARG_PCTSKETCH_P(n) DatumGetPctSketchP(PG_GETARG_DATUM(n))
#define PG_RETURN_PCTSKETCH_P(x) PG_RETURN_POINTER(x)

/* log(gamma0) for a max_error: log((1 + a) / (1 - a)) = 2 atanh(a). */
static inline double
pct_log_gamma0(double alpha0)
{
	return 2.0 * atanh(alpha0);
}

/* 1 / log(gamma0), remembered for the last max_error (once per row else). */
static inline double
pct_inv_log_gamma0(double alpha0)
{
	static double last_alpha0 = 0.0;
	static double last_inv = 0.0;

	if (alpha0 != last_alpha0)
	{
		last_inv = 1.0 / pct_log_gamma0(alpha0);
		last_alpha0 = alpha0;
	}
	return last_inv;
}

/* The base key of |v| > 0, given 1 / log(gamma0). */
static inline int32
pct_key0(double absv, double inv_log_gamma0)
{
	return (int32) ceil(log(absv) * inv_log_gamma0);
}

/* A key after c more collapses: ceil(key / 2^c). */
static inline int32
pct_key_collapse(int32 key, int c)
{
	return (int32) -((-(int64) key) >> c);
}

/* The relative error bound of the buckets after c collapses. */
static inline double
pct_alpha_at(double alpha0, int c)
{
	return tanh(ldexp(pct_log_gamma0(alpha0), c) / 2.0);
}

/* Check pct_agg's max_error and max_buckets; errors if out of range. */
extern void pct_check_params(double max_error, int32 max_buckets);

/* A palloc'd sketch with room for capacity buckets, no values. */
extern PctSketch *pct_sketch_alloc(double alpha0, int32 max_buckets,
								   int32 capacity);

/* Error out for NaN and infinities, which a sketch does not hold. */
extern void pct_reject_nonfinite(double v);

/* Collapse the buckets until they fit the budget (in place). */
extern void pct_fit_budget(PctSketch *s);

/*
 * Sketching in C, as pct_agg does (the rollup fold): start with
 * pct_sketch_alloc(PCT_DEFAULT_ERROR, PCT_DEFAULT_BUCKETS, 8), add finite
 * values (the result may be a larger copy: keep it), store the compact copy.
 */
extern PctSketch *pct_sketch_add(PctSketch *s, double v);
extern PctSketch *pct_sketch_compact(const PctSketch *s);

#endif							/* STREAMSTAT_PCTSKETCH_H */
