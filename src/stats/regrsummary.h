/*
 * regrsummary.h
 *		The regrsummary value, shared by the plain aggregates and accessors
 *		(regrsummary.c), the sliding-window aggregates (regrsummary_window.c)
 *		and the inference accessors (regrsummary_inference.c).
 *
 * A regrsummary holds the six numbers of float.c's regression state (N, Sx,
 * Sxx, Sy, Syy, Sxy); it is also, unchanged, the transition state of the
 * plain aggregates.
 */
#ifndef STREAMSTAT_REGRSUMMARY_H
#define STREAMSTAT_REGRSUMMARY_H

#include "fmgr.h"
#include "datatype/timestamp.h"
#include "utils/float.h"

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

#define DatumGetRegrSummaryP(X)		((RegrSummary *) DatumGetPointer(X))
#define PG_GETARG_REGRSUMMARY_P(n)	DatumGetRegrSummaryP(PG_GETARG_DATUM(n))
#define PG_RETURN_REGRSUMMARY_P(x)	PG_RETURN_POINTER(x)

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

#endif							/* STREAMSTAT_REGRSUMMARY_H */
