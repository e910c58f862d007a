/*
 * ewma.c
 *		ewma(): exponentially weighted moving averages as aggregates.
 *
 * This sits at the query end of a record's path, next to time_bucket():
 * `ewma(v, 0.1 ORDER BY time)` smooths a measurement column, and
 * `ewma(v, 0.1) OVER (ORDER BY time)` gives the running smoothed series.
 *
 * ewma(value, alpha): s_1 = x_1, s_k = alpha * x_k + (1 - alpha) * s_{k-1},
 * with each row's own alpha, which must be in (0, 1].
 *
 * ewma(value, ts, half_life), for irregularly sampled series: a sample's
 * weight halves every half_life of time after it, so with dt = ts_k -
 * ts_{k-1} and decay = 2^(-dt / half_life),
 * s_k = decay * s_{k-1} + (1 - decay) * x_k, s_1 = x_1.  On regular samples
 * this is the alpha form with alpha = 1 - 2^(-dt / half_life).
 *
 * Samples with equal timestamps are one observation, their mean: the
 * recursion above would give a second sample at the same time the weight
 * 1 - 2^0 = 0, so the result would depend on which of the tied rows came
 * first, and ORDER BY leaves that order unspecified.  Averaging ties makes
 * the result independent of it.  A timestamp earlier than the one before
 * is an error: the input must be ordered by the timestamp.
 *
 * Both are order-dependent, so there is no combine function and no partial
 * (parallel) aggregation; the functions are still parallel safe.  Rows with
 * a NULL argument are skipped, as for a strict aggregate.  NaN and infinite
 * values propagate as they do in avg().  The state is a small struct in the
 * aggregate context, updated in place.
 */
#include "postgres.h"

#include <math.h>

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(streamstat_ewma_trans);
PG_FUNCTION_INFO_V1(streamstat_ewma_final);
PG_FUNCTION_INFO_V1(streamstat_ewma_time_trans);
PG_FUNCTION_INFO_V1(streamstat_ewma_time_final);

/* State of ewma(value, alpha): the smoothed value so far. */
typedef struct EwmaState
{
	double		smoothed;
} EwmaState;

/*
 * State of ewma(value, ts, half_life).  The samples at the latest
 * timestamp form a group still open to more ties; the result is the
 * smoothed value before that group decayed towards the group's mean.
 */
typedef struct EwmaTimeState
{
	bool		have_previous;	/* a group before the latest one exists */
	double		previous;		/* smoothed value up to the previous group */
	TimestampTz group_ts;		/* timestamp of the latest group */
	double		group_sum;		/* sum of the latest group's values */
	int64		group_count;	/* number of values in the latest group */
	double		group_decay;	/* weight of `previous` against the group */
} EwmaTimeState;

/* The aggregate context of the current call, or an error outside one. */
static MemoryContext
ewma_aggregate_context(FunctionCallInfo fcinfo, const char *name)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", name);
	return aggcontext;
}

/* Check a smoothing factor: it must lie in (0, 1] (so NaN is refused). */
static void
ewma_check_alpha(double alpha)
{
	if (!(alpha > 0.0 && alpha <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ewma smoothing factor must be greater than 0 and at most 1, got %g",
						alpha),
				 errhint("Alpha is the weight of the newest value: 1 keeps only the last value, smaller values such as 0.1 smooth more.")));
}

/* Blend the previous smoothed value with a new value, weight w on new. */
static inline double
ewma_blend(double previous, double value, double w)
{
	/* with w = 1 the result is exactly the new value, even if previous is Inf */
	if (w == 1.0)
		return value;
	return w * value + (1.0 - w) * previous;
}

/* ewma(value float8, alpha float8) transition: not strict, skips NULLs. */
Datum
streamstat_ewma_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = ewma_aggregate_context(fcinfo, "ewma");
	EwmaState  *state = PG_ARGISNULL(0) ? NULL : (EwmaState *) PG_GETARG_POINTER(0);
	double		value;
	double		alpha;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	value = PG_GETARG_FLOAT8(1);
	alpha = PG_GETARG_FLOAT8(2);
	ewma_check_alpha(alpha);

	if (state == NULL)
	{
		state = (EwmaState *) MemoryContextAlloc(aggcontext, sizeof(EwmaState));
		state->smoothed = value;
	}
	else
		state->smoothed = ewma_blend(state->smoothed, value, alpha);
	PG_RETURN_POINTER(state);
}

/* ewma(value, alpha) final function: the smoothed value, NULL if no rows. */
Datum
streamstat_ewma_final(PG_FUNCTION_ARGS)
{
	EwmaState  *state;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (EwmaState *) PG_GETARG_POINTER(0);
	PG_RETURN_FLOAT8(state->smoothed);
}

/* Half-life in microseconds; it must be positive and without months. */
static double
ewma_half_life_usecs(const Interval *half_life)
{
	double		usecs;

	if (half_life->month != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ewma half-life cannot contain months or years"),
				 errhint("Months have no fixed length; give the half-life in days or smaller units, such as '30 days'.")));
	usecs = (double) half_life->day * USECS_PER_DAY + (double) half_life->time;
	if (usecs <= 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ewma half-life must be positive"),
				 errhint("Give a positive half-life, such as '5 minutes'.")));
	return usecs;
}

/* Current smoothed value of a time-aware state. */
static double
ewma_time_current(const EwmaTimeState *state)
{
	double		group_mean = state->group_sum / (double) state->group_count;

	if (!state->have_previous)
		return group_mean;
	/* decay 0 (a gap of many half-lives) forgets the past even if it is Inf */
	return ewma_blend(state->previous, group_mean, 1.0 - state->group_decay);
}

/*
 * ewma(value float8, ts timestamptz, half_life interval) transition: not
 * strict, skips rows with a NULL argument.
 */
Datum
streamstat_ewma_time_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = ewma_aggregate_context(fcinfo, "ewma");
	EwmaTimeState *state = PG_ARGISNULL(0) ? NULL : (EwmaTimeState *) PG_GETARG_POINTER(0);
	double		value;
	TimestampTz ts;
	double		half_life;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	value = PG_GETARG_FLOAT8(1);
	ts = PG_GETARG_TIMESTAMPTZ(2);
	half_life = ewma_half_life_usecs(PG_GETARG_INTERVAL_P(3));
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ewma timestamp must be finite"),
				 errhint("Filter out infinite timestamps, or use ewma(value, alpha) for a series without times.")));

	if (state == NULL)
	{
		state = (EwmaTimeState *) MemoryContextAllocZero(aggcontext,
														 sizeof(EwmaTimeState));
		state->group_ts = ts;
		state->group_sum = value;
		state->group_count = 1;
	}
	else if (ts == state->group_ts)
	{
		/* a tie: one more sample of the same observation */
		state->group_sum += value;
		state->group_count++;
	}
	else if (ts > state->group_ts)
	{
		double		dt = (double) (ts - state->group_ts);

		state->previous = ewma_time_current(state);
		state->have_previous = true;
		state->group_decay = exp2(-dt / half_life);
		state->group_ts = ts;
		state->group_sum = value;
		state->group_count = 1;
	}
	else
	{
		/* timestamptz_to_str() returns a static buffer: copy the first */
		char	   *later = pstrdup(timestamptz_to_str(state->group_ts));

		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("ewma timestamps must not go backwards"),
				 errdetail("Timestamp %s follows %s.",
						   timestamptz_to_str(ts), later),
				 errhint("Order the aggregate by the timestamp: ewma(v, ts, hl ORDER BY ts).")));
	}
	PG_RETURN_POINTER(state);
}

/* ewma(value, ts, half_life) final function: NULL if no rows. */
Datum
streamstat_ewma_time_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(ewma_time_current((EwmaTimeState *) PG_GETARG_POINTER(0)));
}
