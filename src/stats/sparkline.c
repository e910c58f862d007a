/*
 * sparkline.c
 *		sparkline(): a series drawn as one line of block characters.
 *
 * This sits at the query end of a record's path, for people looking at
 * psql: `sparkline(temperature ORDER BY time)` turns a column into a text
 * such as "▁▂▄▆█▆▄▂" that shows its shape beside the numbers.
 *
 * The aggregate keeps every value (NULL, NaN and the infinities as a gap
 * marker) in order, in a growing array in the aggregate context.  The final
 * function then:
 *	 - with sparkline(value), draws one character per row;
 *	 - with sparkline(value, width), when there are more rows than width,
 *	   splits the rows into width consecutive runs of (nearly) equal length
 *	   and draws one character per run, from the mean of its finite values;
 *	   with width rows or fewer it draws one character per row as well;
 *	 - scales the finite values linearly from the smallest (▁) to the largest
 *	   (█) over eight levels; a flat series (all equal) is drawn at ▄;
 *	 - draws a gap (a NULL row, NaN, ±Infinity, or a run without a finite
 *	   value) as a space, so a missing bucket (from a LEFT JOIN on buckets()
 *	   or generate_series) shows as a hole in the line.
 * No rows gives NULL.  The result depends on the row order, so use ORDER BY
 * in the call; there is no combine function, so it is never partial.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(streamstat_sparkline_trans);
PG_FUNCTION_INFO_V1(streamstat_sparkline_final);

/* Widest line sparkline(value, width) draws. */
#define SPARKLINE_MAX_WIDTH 10000

/* The eight levels, lowest first, as UTF-8 (U+2581 .. U+2588). */
static const char *const sparkline_levels[8] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
};

/* State: the values so far (NaN marks a gap) and the requested width. */
typedef struct SparklineState
{
	double	   *values;
	int64		count;
	int64		capacity;
	int32		width;			/* 0: one character per row */
} SparklineState;

/* Check the width argument of sparkline(value, width). */
static int32
sparkline_check_width(FunctionCallInfo fcinfo)
{
	int32		width;

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("sparkline width must not be NULL"),
				 errhint("Give the number of characters to draw, such as 40, or call sparkline(value) for one per row.")));
	width = PG_GETARG_INT32(2);
	if (width < 1 || width > SPARKLINE_MAX_WIDTH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sparkline width must be between 1 and %d, got %d",
						SPARKLINE_MAX_WIDTH, width),
				 errhint("Give the number of characters to draw, such as 40.")));
	return width;
}

/*
 * sparkline(value float8 [, width int4]) transition: not strict, a NULL
 * value is kept as a gap.  The width is read on every row and must not
 * change within a group.
 */
Datum
streamstat_sparkline_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	SparklineState *state;
	int32		width = PG_NARGS() > 2 ? sparkline_check_width(fcinfo) : 0;
	double		value;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "sparkline called in non-aggregate context");

	if (PG_ARGISNULL(0))
	{
		state = (SparklineState *) MemoryContextAllocZero(aggcontext, sizeof(SparklineState));
		state->capacity = 64;
		state->values = (double *) MemoryContextAlloc(aggcontext,
													  state->capacity * sizeof(double));
		state->width = width;
	}
	else
		state = (SparklineState *) PG_GETARG_POINTER(0);

	if (state->width != width)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sparkline width changed within a group, from %d to %d",
						state->width, width),
				 errhint("Give the same width on every row, usually a constant.")));

	if (state->count == state->capacity)
	{
		if ((Size) state->capacity * 2 * sizeof(double) > MaxAllocHugeSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("sparkline has too many rows")));
		state->capacity *= 2;
		state->values = (double *) repalloc_huge(state->values,
												 state->capacity * sizeof(double));
	}

	value = PG_ARGISNULL(1) ? get_float8_nan() : PG_GETARG_FLOAT8(1);
	if (isinf(value))
		value = get_float8_nan();
	state->values[state->count++] = value;
	PG_RETURN_POINTER(state);
}

/*
 * The points to draw: the values themselves, or with a width smaller than
 * the row count the mean of each of width runs of rows (NaN if a run has no
 * finite value).  Returns the number of points, in *points (palloc'd).
 */
static int64
sparkline_points(const SparklineState *state, double **points)
{
	int64		npoints;
	double	   *out;

	if (state->width == 0 || state->count <= state->width)
	{
		*points = state->values;
		return state->count;
	}

	npoints = state->width;
	out = (double *) palloc(npoints * sizeof(double));
	for (int64 i = 0; i < npoints; i++)
	{
		/* rows [start, end) form run i; runs differ in length by at most 1 */
		int64		start = i * state->count / npoints;
		int64		end = (i + 1) * state->count / npoints;
		double		sum = 0.0;
		int64		n = 0;

		for (int64 j = start; j < end; j++)
		{
			if (isnan(state->values[j]))
				continue;
			/* halves keep the sum finite for values near DBL_MAX */
			sum += state->values[j] / 2.0;
			n++;
		}
		out[i] = n > 0 ? (sum / n) * 2.0 : get_float8_nan();
		/* a mean of values near DBL_MAX can round past it */
		if (isinf(out[i]))
			out[i] = copysign(DBL_MAX, out[i]);
	}
	*points = out;
	return npoints;
}

/* sparkline final function: the line, NULL for no rows. */
Datum
streamstat_sparkline_final(PG_FUNCTION_ARGS)
{
	SparklineState *state;
	double	   *points;
	int64		npoints;
	double		lo = 0.0;
	double		hi = 0.0;
	bool		any = false;
	StringInfoData line;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (SparklineState *) PG_GETARG_POINTER(0);
	if (GetDatabaseEncoding() != PG_UTF8 && GetDatabaseEncoding() != PG_SQL_ASCII)
		ereport(ERROR,
				(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
				 errmsg("sparkline needs a UTF8 database, this one is %s",
						GetDatabaseEncodingName()),
				 errhint("The block characters U+2581 to U+2588 exist only in Unicode; create the database with ENCODING 'UTF8'.")));
	npoints = sparkline_points(state, &points);

	for (int64 i = 0; i < npoints; i++)
	{
		if (isnan(points[i]))
			continue;
		if (!any || points[i] < lo)
			lo = points[i];
		if (!any || points[i] > hi)
			hi = points[i];
		any = true;
	}

	initStringInfo(&line);
	for (int64 i = 0; i < npoints; i++)
	{
		int			level;

		if (isnan(points[i]))
		{
			appendStringInfoChar(&line, ' ');
			continue;
		}
		if (hi == lo)
			level = 3;
		else
		{
			/* halves: hi - lo can overflow when both are near DBL_MAX */
			double		frac = (points[i] / 2.0 - lo / 2.0) / (hi / 2.0 - lo / 2.0);

			level = (int) floor(frac * 8.0);
			level = Max(0, Min(7, level));
		}
		appendStringInfoString(&line, sparkline_levels[level]);
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(line.data, line.len));
}
