/*
 * ddouble.h
 *		Double-double arithmetic for the moving-aggregate states.
 *
 * A value is the unevaluated sum hi + lo with |lo| <= ulp(hi)/2, which
 * carries about 106 bits of significand.  Sliding windows add and later
 * subtract the same inputs; in plain doubles the rounding errors of those
 * pairs accumulate over millions of rows, in double-double they stay below
 * the precision of the double result.
 *
 * The error-free transformations are Knuth's TwoSum and Dekker's TwoProduct
 * (splitting, so no hardware FMA is needed); see Dekker, "A floating-point
 * technique for extending the available precision", Numer. Math. 18 (1971),
 * and Hida, Li and Bailey, "Library for double-double and quad-double
 * arithmetic" (2000).  Inputs must be finite: callers keep NaN and Inf out
 * of these states and count them separately.
 */
#ifndef STREAMSTAT_DDOUBLE_H
#define STREAMSTAT_DDOUBLE_H

typedef struct DDouble
{
	double		hi;
	double		lo;
} DDouble;

#define DD_ZERO ((DDouble) {0.0, 0.0})

/* a + b = s + err exactly, for any finite a, b (Knuth). */
static inline double
dd_two_sum(double a, double b, double *err)
{
	double		s = a + b;
	double		bb = s - a;

	*err = (a - (s - bb)) + (b - bb);
	return s;
}

/* a + b = s + err exactly, given |a| >= |b|. */
static inline double
dd_quick_two_sum(double a, double b, double *err)
{
	double		s = a + b;

	*err = b - (s - a);
	return s;
}

/* a * b = p + err exactly, barring overflow (Dekker, by splitting). */
static inline double
dd_two_prod(double a, double b, double *err)
{
	const double split = 134217729.0;	/* 2^27 + 1 */
	double		p = a * b;
	double		t,
				ahi,
				alo,
				bhi,
				blo;

	t = split * a;
	ahi = t - (t - a);
	alo = a - ahi;
	t = split * b;
	bhi = t - (t - b);
	blo = b - bhi;
	*err = ((ahi * bhi - p) + ahi * blo + alo * bhi) + alo * blo;
	return p;
}

static inline DDouble
dd_from_double(double a)
{
	DDouble		r = {a, 0.0};

	return r;
}

static inline double
dd_to_double(DDouble a)
{
	return a.hi + a.lo;
}

/* a + b, with b a double. */
static inline DDouble
dd_add_d(DDouble a, double b)
{
	DDouble		r;
	double		e;
	double		s = dd_two_sum(a.hi, b, &e);

	e += a.lo;
	r.hi = dd_quick_two_sum(s, e, &r.lo);
	return r;
}

/* a + b (the accurate variant: both tails take part in the error term). */
static inline DDouble
dd_add(DDouble a, DDouble b)
{
	DDouble		r;
	double		s1,
				s2,
				t1,
				t2;

	s1 = dd_two_sum(a.hi, b.hi, &s2);
	t1 = dd_two_sum(a.lo, b.lo, &t2);
	s2 += t1;
	s1 = dd_quick_two_sum(s1, s2, &s2);
	s2 += t2;
	r.hi = dd_quick_two_sum(s1, s2, &r.lo);
	return r;
}

static inline DDouble
dd_neg(DDouble a)
{
	DDouble		r = {-a.hi, -a.lo};

	return r;
}

static inline DDouble
dd_sub(DDouble a, DDouble b)
{
	return dd_add(a, dd_neg(b));
}

/* a * b, with b a double. */
static inline DDouble
dd_mul_d(DDouble a, double b)
{
	DDouble		r;
	double		e;
	double		p = dd_two_prod(a.hi, b, &e);

	e += a.lo * b;
	r.hi = dd_quick_two_sum(p, e, &r.lo);
	return r;
}

/* a * b. */
static inline DDouble
dd_mul(DDouble a, DDouble b)
{
	DDouble		r;
	double		e;
	double		p = dd_two_prod(a.hi, b.hi, &e);

	e += a.hi * b.lo + a.lo * b.hi;
	r.hi = dd_quick_two_sum(p, e, &r.lo);
	return r;
}

/* a / b (one Newton correction of the double quotient). */
static inline DDouble
dd_div(DDouble a, DDouble b)
{
	DDouble		r;
	double		q1 = a.hi / b.hi;
	DDouble		rem = dd_sub(a, dd_mul_d(b, q1));
	double		q2 = rem.hi / b.hi;

	r.hi = dd_quick_two_sum(q1, q2, &r.lo);
	return r;
}

#endif							/* STREAMSTAT_DDOUBLE_H */
