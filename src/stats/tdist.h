/*
 * tdist.h
 *		Student t distribution for the regression inference accessors.
 *
 * Pure C (no PostgreSQL headers): regrsummary.c calls these to turn a slope
 * and its standard error into a p-value and a confidence interval.  Invalid
 * arguments give NaN; callers check arguments and report user errors.
 */
#ifndef STREAMSTAT_TDIST_H
#define STREAMSTAT_TDIST_H

/* ln B(a, b), accurate also when one argument is large. */
extern double tdist_lbeta(double a, double b);

/* Regularized incomplete beta I_x(a, b); y must equal 1 - x. */
extern double tdist_ibeta(double a, double b, double x, double y);

/* P(|T| >= |t|) for T ~ Student t with df degrees of freedom. */
extern double tdist_two_sided_p(double t, double df);

/* P(T <= t). */
extern double tdist_cdf(double t, double df);

/* The t >= 0 with P(|T| >= t) = alpha, for 0 < alpha <= 1. */
extern double tdist_two_sided_quantile(double alpha, double df);

/* The t with P(T <= t) = p, for 0 < p < 1. */
extern double tdist_quantile(double p, double df);

#endif							/* STREAMSTAT_TDIST_H */
