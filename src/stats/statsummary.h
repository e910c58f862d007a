/*
 * statsummary.h
 *		The statsummary value, shared by the plain aggregates and accessors
 *		(statsummary.c) and the sliding-window aggregates (statsummary_window.c).
 *
 * A statsummary is what stats_agg() makes of a set of float8 values and what
 * a table stores: the count, the plain sum, the central moments about the
 * mean and the extremes.  It is also, unchanged, the transition state of the
 * non-moving aggregates, so the final function is a copy.
 */
#ifndef STREAMSTAT_STATSUMMARY_H
#define STREAMSTAT_STATSUMMARY_H

#include "fmgr.h"

typedef struct StatSummary
{
	double		n;				/* number of non-NULL values (integral) */
	double		sx;				/* sum(x) */
	double		m2;				/* sum((x - mean)^2) */
	double		m3;				/* sum((x - mean)^3) */
	double		m4;				/* sum((x - mean)^4) */
	double		min;			/* smallest value (NaN sorts above all) */
	double		max;			/* largest value */
} StatSummary;

#define STATSUMMARY_SIZE sizeof(StatSummary)

#define DatumGetStatSummaryP(X)		((StatSummary *) DatumGetPointer(X))
#define PG_GETARG_STATSUMMARY_P(n)	DatumGetStatSummaryP(PG_GETARG_DATUM(n))
#define PG_RETURN_STATSUMMARY_P(x)	PG_RETURN_POINTER(x)

/* Why the fields cannot come from stats_agg, or NULL if they can. */
extern const char *statsummary_invalid_reason(const StatSummary *s);

/* stats_agg()'s accumulation and +'s merge, for C callers (rollups). */
extern void statsummary_add(StatSummary *s, double x);
extern void statsummary_add_summary(StatSummary *a, const StatSummary *b);

#endif							/* STREAMSTAT_STATSUMMARY_H */
