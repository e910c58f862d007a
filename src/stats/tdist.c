/*
 * tdist.c
 *		Student t distribution: two-sided tail probability, CDF and quantile.
 *
 * Sits at the very end of the analytics path: slope_pvalue() and slope_ci()
 * in regrsummary.c turn a fitted slope and its standard error into a
 * t statistic and call these functions.  Pure C on purpose (math.h and
 * ddouble.h only), so the numerics can be exercised without a server.
 *
 * Accuracy (checked against 50-digit mpmath): about 1e-15 relative for
 * df from 1 to 1e9 and p-values down to 1e-10, about 3e-14 far out in the
 * tail (p near 1e-190), where a naive lgamma(a) + lgamma(b) - lgamma(a + b)
 * or a double-precision continued fraction would lose eight digits or more
 * for df in the millions.
 */
#include <float.h>
#include <math.h>

#include "ddouble.h"
#include "tdist.h"

/*
 * Log-gamma differences
 * ---------------------
 * For moderate arguments lgamma() is accurate to a few ulps, and its values
 * are small, so ln B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b) is fine.
 * When one argument is large (df/2 for a regression over millions of rows)
 * the two big lgamma values cancel and their absolute rounding errors
 * survive.  We then write ln Gamma(z) = (z - 1/2) ln z - z + ln(2 pi)/2 +
 * w(z), with w(z) the Stirling remainder, and combine the leading terms
 * analytically, so that only quantities of moderate size are added.  The
 * remainder w(z) is summed from its asymptotic series
 *		w(z) = sum_k B_2k / (2k (2k - 1) z^(2k - 1)),
 * whose first eight terms give w(z) to about 3e-17 for z >= 10.  See
 * Abramowitz and Stegun 6.1.40, and DiDonato and Morris, "Algorithm 708:
 * significant digit computation of the incomplete beta function ratios",
 * ACM TOMS 18 (1992), whose ALGDIV routine uses the same idea.
 */
#define STIRLING_MIN 10.0

/* Stirling remainder w(z) = ln Gamma(z) - ((z - 1/2) ln z - z + ln(2 pi)/2), z >= 10. */
static double
stirling_remainder(double z)
{
	double		u = 1.0 / (z * z);

	/* Horner form of the first eight terms, coefficients B_2k/(2k(2k-1)) */
	return (1.0 / 12.0 +
			u * (-1.0 / 360.0 +
				 u * (1.0 / 1260.0 +
					  u * (-1.0 / 1680.0 +
						   u * (1.0 / 1188.0 +
								u * (-691.0 / 360360.0 +
									 u * (1.0 / 156.0 +
										  u * (-3617.0 / 122400.0)))))))) / z;
}

/* ln Gamma(big) - ln Gamma(big + small), big >= 10, without cancellation. */
static double
lgamma_ratio(double big, double small)
{
	return -small * log(big)
		- (big + small - 0.5) * log1p(small / big)
		+ small
		+ stirling_remainder(big) - stirling_remainder(big + small);
}

/* ln B(a, b), accurate also when one argument is large. */
double
tdist_lbeta(double a, double b)
{
	double		small = fmin(a, b);
	double		big = fmax(a, b);

	if (big < STIRLING_MIN)
		return lgamma(a) + lgamma(b) - lgamma(a + b);
	if (small < STIRLING_MIN)
		return lgamma(small) + lgamma_ratio(big, small);

	/* both large: combine the Stirling forms of all three terms */
	return 0.5 * log(2.0 * M_PI) - 0.5 * log(a + b)
		+ (a - 0.5) * log(a / (a + b))
		+ (b - 0.5) * log(b / (a + b))
		+ stirling_remainder(a) + stirling_remainder(b)
		- stirling_remainder(a + b);
}

/*
 * Incomplete beta function
 * ------------------------
 * I_x(a, b) = x^a y^b / (a B(a, b)) * 1 / (1 + d1 / (1 + d2 / (1 + ...)))
 * with y = 1 - x and
 *		d(2m + 1) = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),
 *		d(2m)     = m (b - m) x / ((a + 2m - 1)(a + 2m)).
 * The fraction converges quickly for x < (a + 1)/(a + b + 2), in about
 * O(sqrt(max(a, b))) terms; above that point we use the symmetry
 * I_x(a, b) = 1 - I_y(b, a).  The fraction is evaluated forwards by the
 * modified Lentz method (Lentz, Applied Optics 15 (1976); Thompson and
 * Barnett, J. Comput. Phys. 64 (1986)), which keeps the ratios of
 * successive numerators and denominators instead of the numerators and
 * denominators themselves, so nothing overflows; a zero denominator is
 * nudged to a tiny number.  See Numerical Recipes, 3rd ed., sections 5.2
 * and 6.4, for the fraction and the method (implemented here afresh).
 *
 * Callers pass y = 1 - x computed independently (for the t distribution
 * y = t^2/(df + t^2)), so that ln x and ln y are both accurate when the
 * other one is close to 1; this is what keeps small p-values accurate.
 * The fraction itself runs in double-double arithmetic (ddouble.h), on
 * the larger of x and y formed exactly as 1 minus the smaller, and stops
 * only when a step changes it by less than 1e-26: for large a near the
 * switch point the steps shrink slowly, so stopping at the double epsilon
 * would truncate the fraction (by about 1e-13 at df = 1e9).
 */
#define CF_TINY 1e-300
#define CF_EPS 1e-26			/* see below: far below the double epsilon */
#define CF_MAX_TERMS 1000000

/* Keep a Lentz ratio away from zero. */
static inline DDouble
cf_nudge(DDouble v)
{
	if (fabs(v.hi) < CF_TINY)
		return dd_from_double(CF_TINY);
	return v;
}

/*
 * The continued fraction 1 + d1/(1 + d2/(1 + ...)) for I_x(a, b), in
 * double-double arithmetic: when a is large (df/2 for a regression over
 * many rows) the fraction is needed near x = 1, where it depends on
 * y = 1 - x, which a double x would only carry to about 1e-16/y; the
 * recurrences then magnify that by about a*y.  With x exact as a
 * double-double the p-value keeps full double precision.
 */
static double
ibeta_fraction(double a, double b, DDouble x)
{
	const DDouble one = dd_from_double(1.0);
	DDouble		f = one;		/* value so far (b0 = 1) */
	DDouble		c = one;		/* ratio of successive numerators */
	DDouble		d = DD_ZERO;	/* ratio of successive denominators */

	for (int j = 1; j <= CF_MAX_TERMS; j++)
	{
		double		m = (double) (j / 2);
		DDouble		num,
					den,
					coef,
					delta;
		double		err;

		if (j % 2 == 1)
		{
			num.hi = dd_two_prod(-(a + m), a + b + m, &err);
			num.lo = err;
			den.hi = dd_two_prod(a + 2.0 * m, a + 2.0 * m + 1.0, &err);
			den.lo = err;
		}
		else
		{
			num.hi = dd_two_prod(m, b - m, &err);
			num.lo = err;
			den.hi = dd_two_prod(a + 2.0 * m - 1.0, a + 2.0 * m, &err);
			den.lo = err;
		}
		coef = dd_div(dd_mul(num, x), den);

		d = cf_nudge(dd_add(one, dd_mul(coef, d)));
		c = cf_nudge(dd_add(one, dd_div(coef, c)));
		d = dd_div(one, d);
		delta = dd_mul(c, d);
		f = dd_mul(f, delta);
		if (fabs(dd_to_double(dd_sub(delta, one))) <= CF_EPS)
			break;
	}
	return dd_to_double(f);
}

/* The prefactor x^a y^b / (a B(a, b)), from logarithms of x and y. */
static double
ibeta_front(double a, double b, double x, double y)
{
	double		lnx = (x < 0.5) ? log(x) : log1p(-y);
	double		lny = (y < 0.5) ? log(y) : log1p(-x);

	return exp(a * lnx + b * lny - tdist_lbeta(a, b)) / a;
}

/* Regularized incomplete beta I_x(a, b); y must equal 1 - x. */
double
tdist_ibeta(double a, double b, double x, double y)
{
	DDouble		xd,
				yd;

	if (isnan(a) || isnan(b) || isnan(x) || isnan(y) || a <= 0.0 || b <= 0.0)
		return NAN;
	if (x <= 0.0)
		return 0.0;
	if (y <= 0.0)
		return 1.0;
	/* the larger of x and y, exactly, as 1 minus the smaller */
	if (x <= y)
	{
		xd = dd_from_double(x);
		yd.hi = dd_two_sum(1.0, -x, &yd.lo);
	}
	else
	{
		yd = dd_from_double(y);
		xd.hi = dd_two_sum(1.0, -y, &xd.lo);
	}
	if (x < (a + 1.0) / (a + b + 2.0))
		return ibeta_front(a, b, x, y) / ibeta_fraction(a, b, xd);
	return 1.0 - ibeta_front(b, a, y, x) / ibeta_fraction(b, a, yd);
}

/*
 * The t distribution
 * ------------------
 * For T ~ t(df), P(|T| >= |t|) = I_x(df/2, 1/2) with x = df/(df + t^2)
 * (Abramowitz and Stegun 26.7.1 and 26.5.27).  We form x and y = 1 - x
 * from r = t^2/df, or from s = df/t^2 when |t| > sqrt(df), so that neither
 * overflows nor cancels.
 */

/* P(|T| >= |t|) for T ~ Student t with df degrees of freedom. */
double
tdist_two_sided_p(double t, double df)
{
	double		x,
				y;

	if (isnan(t) || isnan(df) || df <= 0.0)
		return NAN;
	if (isinf(t))
		return 0.0;
	if (isinf(df))
		return erfc(fabs(t) / sqrt(2.0));	/* the normal limit */

	if (t * t <= df)
	{
		double		r = t * t / df;

		x = 1.0 / (1.0 + r);
		y = r / (1.0 + r);
	}
	else
	{
		double		s = (df / t) / t;

		x = s / (1.0 + s);
		y = 1.0 / (1.0 + s);
	}
	return tdist_ibeta(0.5 * df, 0.5, x, y);
}

/* P(T <= t). */
double
tdist_cdf(double t, double df)
{
	double		tail = 0.5 * tdist_two_sided_p(t, df);

	return (t > 0.0) ? 1.0 - tail : tail;
}

/* Density of the t distribution at t. */
static double
tdist_pdf(double t, double df)
{
	return exp(-0.5 * (df + 1.0) * log1p((t / df) * t) - tdist_lbeta(0.5 * df, 0.5))
		/ sqrt(df);
}

/*
 * Quantile
 * --------
 * Solve P(|T| >= t) = alpha for t >= 0: the tail is strictly decreasing, so
 * we bracket the root by doubling and then take Newton steps on
 * ln P(|T| >= t) - ln alpha (nearly linear in ln t for heavy tails),
 * falling back to bisection whenever a step leaves the bracket.  Stops when
 * the step or the bracket is a few ulps of t.
 */
double
tdist_two_sided_quantile(double alpha, double df)
{
	double		lo = 0.0;
	double		hi = 1.0;
	double		t;
	double		log_alpha;

	if (isnan(alpha) || isnan(df) || df <= 0.0 || alpha < 0.0 || alpha > 1.0)
		return NAN;
	if (alpha == 1.0)
		return 0.0;
	if (alpha == 0.0)
		return INFINITY;

	while (tdist_two_sided_p(hi, df) > alpha)
	{
		lo = hi;
		hi *= 2.0;
		if (isinf(hi))
			return INFINITY;
	}

	log_alpha = log(alpha);
	t = 0.5 * (lo + hi);
	for (int iter = 0; iter < 400; iter++)
	{
		double		p = tdist_two_sided_p(t, df);
		double		next;

		if (p == alpha)
			return t;
		if (p > alpha)
			lo = t;
		else
			hi = t;

		next = t + (log(p) - log_alpha) * p / (2.0 * tdist_pdf(t, df));
		if (!(next > lo && next < hi))
			next = (lo > 0.0 && hi > 4.0 * lo) ? sqrt(lo * hi) : 0.5 * (lo + hi);
		if (fabs(next - t) <= 2.0 * DBL_EPSILON * next ||
			hi - lo <= 2.0 * DBL_EPSILON * hi)
			return next;
		t = next;
	}
	return t;
}

/* The t with P(T <= t) = p, for 0 < p < 1. */
double
tdist_quantile(double p, double df)
{
	if (isnan(p) || p < 0.0 || p > 1.0)
		return NAN;
	if (p == 0.5)
		return 0.0;
	if (p < 0.5)
		return -tdist_two_sided_quantile(2.0 * p, df);
	return tdist_two_sided_quantile(2.0 * (1.0 - p), df);
}
