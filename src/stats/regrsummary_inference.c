/*
 * regrsummary_inference.c
 *		Inference on a regrsummary: standard errors of the slope and the
 *		intercept, the p-value and confidence interval of the slope, and
 *		the t distribution they rest on (tdist.c) as SQL functions.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"

#include "regrsummary.h"
#include "tdist.h"

/*
 * Inference
 * ---------
 * Ordinary least squares with normal errors (any textbook, e.g. Draper and
 * Smith, "Applied Regression Analysis", ch. 1): residual sum of squares
 * SSE = Syy - Sxy^2/Sxx, residual variance s^2 = SSE/(n - 2), and
 *		se(slope) = sqrt(s^2 / Sxx),
 *		se(intercept) = sqrt(s^2 (1/n + mean(x)^2 / Sxx)),
 *		t = slope / se(slope) ~ t(n - 2) under slope = 0.
 * Undefined (NULL) for n < 3 or Sxx = 0; SSE is clamped at zero against
 * rounding.
 */

/* Slope, its standard error and the residual variance; false when undefined. */
static bool
regr_slope_inference(const RegrSummary *s, double *slope, double *se, double *s2)
{
	double		sse;

	if (s->n < 3 || s->sxx == 0.0)
		return false;
	*slope = s->sxy / s->sxx;
	sse = s->syy - s->sxy * *slope;
	if (sse < 0.0)
		sse = 0.0;
	*s2 = sse / ((double) s->n - 2.0);
	*se = sqrt(*s2 / s->sxx);
	return true;
}

/* Standard error of the slope. */
PG_FUNCTION_INFO_V1(streamstat_regr_slope_stderr);
Datum
streamstat_regr_slope_stderr(PG_FUNCTION_ARGS)
{
	double		slope,
				se,
				s2;

	if (!regr_slope_inference(PG_GETARG_REGRSUMMARY_P(0), &slope, &se, &s2))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(se);
}

/* Standard error of the intercept. */
PG_FUNCTION_INFO_V1(streamstat_regr_intercept_stderr);
Datum
streamstat_regr_intercept_stderr(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);
	double		slope,
				se,
				s2;
	double		n = (double) s->n;
	double		mx = s->sx / n;

	if (!regr_slope_inference(s, &slope, &se, &s2))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(sqrt(s2 * (1.0 / n + mx * mx / s->sxx)));
}

/* Two-sided p-value of the t test of slope = 0, with n - 2 degrees of freedom. */
PG_FUNCTION_INFO_V1(streamstat_regr_slope_pvalue);
Datum
streamstat_regr_slope_pvalue(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);
	double		slope,
				se,
				s2;

	if (!regr_slope_inference(s, &slope, &se, &s2))
		PG_RETURN_NULL();
	if (isnan(slope) || isnan(se))
		PG_RETURN_FLOAT8(get_float8_nan());
	if (se == 0.0)
	{
		/* a perfect fit: certain unless the line is flat (0/0) */
		if (slope == 0.0)
			PG_RETURN_NULL();
		PG_RETURN_FLOAT8(0.0);
	}
	PG_RETURN_FLOAT8(tdist_two_sided_p(slope / se, (double) s->n - 2.0));
}

/* Confidence interval of the slope: slope -+ t(1 - (1 - level)/2, n - 2) se. */
PG_FUNCTION_INFO_V1(streamstat_regr_slope_ci);
Datum
streamstat_regr_slope_ci(PG_FUNCTION_ARGS)
{
	RegrSummary *s = PG_GETARG_REGRSUMMARY_P(0);
	double		level = PG_GETARG_FLOAT8(1);
	double		slope,
				se,
				s2;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {true, true};

	if (!(level > 0.0 && level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence level must be between 0 and 1, exclusive"),
				 errhint("Use for example 0.95 for a 95%% confidence interval.")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	if (regr_slope_inference(s, &slope, &se, &s2))
	{
		double		tq = tdist_two_sided_quantile(1.0 - level, (double) s->n - 2.0);
		double		half = (se == 0.0) ? 0.0 : tq * se;

		values[0] = Float8GetDatum(slope - half);
		values[1] = Float8GetDatum(slope + half);
		nulls[0] = nulls[1] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

/*
 * The t distribution itself, for tests and for users who compute their own
 * statistics: P(T <= t) and its inverse.
 */

/* CDF of the t distribution: P(T <= t) with df degrees of freedom. */
PG_FUNCTION_INFO_V1(streamstat_t_cdf);
Datum
streamstat_t_cdf(PG_FUNCTION_ARGS)
{
	double		t = PG_GETARG_FLOAT8(0);
	double		df = PG_GETARG_FLOAT8(1);

	if (!(df > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("degrees of freedom must be positive"),
				 errhint("Pass the number of observations minus the number of fitted parameters.")));
	PG_RETURN_FLOAT8(tdist_cdf(t, df));
}

/* Quantile of the t distribution: the t with P(T <= t) = p. */
PG_FUNCTION_INFO_V1(streamstat_t_quantile);
Datum
streamstat_t_quantile(PG_FUNCTION_ARGS)
{
	double		p = PG_GETARG_FLOAT8(0);
	double		df = PG_GETARG_FLOAT8(1);

	if (!(df > 0.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("degrees of freedom must be positive"),
				 errhint("Pass the number of observations minus the number of fitted parameters.")));
	if (!(p > 0.0 && p < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("probability must be between 0 and 1, exclusive"),
				 errhint("Pass for example 0.975 for the upper 2.5%% point.")));
	PG_RETURN_FLOAT8(tdist_quantile(p, df));
}
