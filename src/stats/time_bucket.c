/*
 * time_bucket.c
 *		time_bucket(): the start of the bucket a timestamp falls in.
 *
 * This sits at the query end of a record's path: rows land in their
 * measurement table with a `time` column, and dashboards group them with
 * `GROUP BY time_bucket('5 minutes', time)`.
 *
 * Two kinds of width:
 *
 * - Fixed widths (microseconds up to weeks, and days counted as 24 hours)
 *	 give buckets of constant length aligned to an origin, as date_bin()
 *	 does: bucket = ts - ((ts - origin) mod width), with the remainder taken
 *	 toward minus infinity so timestamps before the origin floor correctly.
 *	 The default origin is Monday 2000-01-03 00:00, so weekly buckets start
 *	 on Mondays.
 *
 * - Month widths (months and years) give calendar buckets, which date_bin()
 *	 cannot: bucket = origin + k months for the largest multiple k of the
 *	 width with origin + k months <= ts.  Adding months keeps the origin's
 *	 day of month and time of day, clamped to the length of the month as
 *	 timestamp + interval does.  The default origin is 2000-01-01 00:00.
 *
 * An interval mixing months with days or time has no single meaning and is
 * rejected.  timestamp and timestamptz share the arithmetic (on UTC for
 * timestamptz); the form with a time zone name buckets the local wall-clock
 * time in that zone and converts the bucket start back.  It reads the zone
 * argument as timezone(text, timestamptz) does: an abbreviation first, then
 * a zone name; a zone name is resolved once per call site, abbreviations
 * and errors go through timezone() itself.
 */
#include "postgres.h"

#include <ctype.h>

#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "parser/scansup.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

/* Monday 2000-01-03 00:00, relative to the PostgreSQL epoch 2000-01-01. */
#define TIME_BUCKET_DEFAULT_ORIGIN		(2 * USECS_PER_DAY)
/* 2000-01-01 00:00, the default origin of month buckets. */
#define TIME_BUCKET_DEFAULT_MONTH_ORIGIN	((Timestamp) 0)

PG_FUNCTION_INFO_V1(streamstat_time_bucket);
PG_FUNCTION_INFO_V1(streamstat_time_bucket_zone);
PG_FUNCTION_INFO_V1(streamstat_time_bucket_date);

/* A bucket width, validated: exactly one of the two fields is positive. */
typedef struct BucketWidth
{
	int64		usecs;			/* fixed width in microseconds, or 0 */
	int32		months;			/* calendar width in months, or 0 */
} BucketWidth;

/* Report a result or intermediate value outside the timestamp range. */
static void
report_out_of_range(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("timestamp out of range")));
}

/* Check a width interval and split it into fixed or month width. */
static BucketWidth
bucket_width_from_interval(const Interval *width)
{
	BucketWidth result = {0, 0};

	if (width->month != 0 && (width->day != 0 || width->time != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_bucket width cannot mix months with days or time"),
				 errhint("Use a width in months or years only (such as '3 months'), or one in days and smaller units only (such as '36 hours').")));

	if (width->month != 0)
	{
		if (width->month < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("time_bucket width must be positive"),
					 errhint("Give a positive width, such as '1 month'.")));
		result.months = width->month;
		return result;
	}

	if (pg_mul_s64_overflow((int64) width->day, USECS_PER_DAY, &result.usecs) ||
		pg_add_s64_overflow(result.usecs, width->time, &result.usecs))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("interval out of range")));
	if (result.usecs <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_bucket width must be positive"),
				 errhint("Give a positive width, such as '5 minutes'.")));
	return result;
}

/* Start of the fixed-width bucket holding ts, floored toward minus infinity. */
static Timestamp
bucket_fixed(int64 width, Timestamp ts, Timestamp origin)
{
	int64		offset;
	int64		remainder;
	Timestamp	result;

	if (pg_sub_s64_overflow(ts, origin, &offset))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("interval out of range")));
	remainder = offset % width;
	if (remainder < 0)
		remainder += width;
	/* ts - remainder cannot overflow: 0 <= remainder and ts >= MIN */
	result = ts - remainder;
	if (!IS_VALID_TIMESTAMP(result))
		report_out_of_range();
	return result;
}

/* Floor division of two integers, rounding toward minus infinity. */
static int64
floor_div(int64 a, int64 b)
{
	int64		q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* origin (broken down) plus a number of months, day clamped to month end. */
static Timestamp
add_months(const struct pg_tm *origin, fsec_t fsec, int64 months)
{
	struct pg_tm tm = *origin;
	int64		month_index;
	Timestamp	result;

	/*
	 * Months since January of year 0.  A width fits int32 and the origin is
	 * within the timestamp range, so the year fits an int; tm2timestamp()
	 * refuses years outside the Julian day range.
	 */
	month_index = (int64) tm.tm_year * MONTHS_PER_YEAR + (tm.tm_mon - 1) + months;
	tm.tm_year = (int) floor_div(month_index, MONTHS_PER_YEAR);
	tm.tm_mon = (int) (month_index - (int64) tm.tm_year * MONTHS_PER_YEAR) + 1;
	if (tm.tm_mday > day_tab[isleap(tm.tm_year)][tm.tm_mon - 1])
		tm.tm_mday = day_tab[isleap(tm.tm_year)][tm.tm_mon - 1];

	if (tm2timestamp(&tm, fsec, NULL, &result) != 0 ||
		!IS_VALID_TIMESTAMP(result))
		report_out_of_range();
	return result;
}

/* Start of the calendar bucket of `months` months holding ts. */
static Timestamp
bucket_months(int32 months, Timestamp ts, Timestamp origin)
{
	struct pg_tm ts_tm;
	struct pg_tm origin_tm;
	fsec_t		ts_fsec;
	fsec_t		origin_fsec;
	int64		month_diff;
	int64		k;
	Timestamp	result;

	if (timestamp2tm(ts, NULL, &ts_tm, &ts_fsec, NULL, NULL) != 0 ||
		timestamp2tm(origin, NULL, &origin_tm, &origin_fsec, NULL, NULL) != 0)
		report_out_of_range();

	/*
	 * The bucket origin + k months with k the multiple of the width just at
	 * or below the calendar month difference starts in ts's month or
	 * earlier; if it starts in ts's month but later in it than ts, the
	 * bucket holding ts is the one before.
	 */
	month_diff = ((int64) ts_tm.tm_year - origin_tm.tm_year) * MONTHS_PER_YEAR +
		(ts_tm.tm_mon - origin_tm.tm_mon);
	k = floor_div(month_diff, months) * months;
	result = add_months(&origin_tm, origin_fsec, k);
	if (result > ts)
		result = add_months(&origin_tm, origin_fsec, k - months);
	return result;
}

/* Bucket start of ts for a width; origin NULL means the default origin. */
static Timestamp
bucket_timestamp(const Interval *width, Timestamp ts, const Timestamp *origin)
{
	BucketWidth w = bucket_width_from_interval(width);

	if (origin != NULL && TIMESTAMP_NOT_FINITE(*origin))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_bucket origin must be finite"),
				 errhint("Give a finite origin timestamp, or leave it out to use the default.")));
	if (TIMESTAMP_NOT_FINITE(ts))
		return ts;

	if (w.months > 0)
		return bucket_months(w.months, ts,
							 origin ? *origin : TIME_BUCKET_DEFAULT_MONTH_ORIGIN);
	return bucket_fixed(w.usecs, ts,
						origin ? *origin : TIME_BUCKET_DEFAULT_ORIGIN);
}

/*
 * time_bucket(width interval, ts timestamp [, origin timestamp])
 * time_bucket(width interval, ts timestamptz [, origin timestamptz])
 *
 * Both types are microseconds since 2000-01-01 00:00 (UTC for timestamptz),
 * so one function serves both.
 */
Datum
streamstat_time_bucket(PG_FUNCTION_ARGS)
{
	Interval   *width = PG_GETARG_INTERVAL_P(0);
	Timestamp	ts = PG_GETARG_TIMESTAMP(1);
	Timestamp	origin;

	if (PG_NARGS() > 2)
	{
		origin = PG_GETARG_TIMESTAMP(2);
		PG_RETURN_TIMESTAMP(bucket_timestamp(width, ts, &origin));
	}
	PG_RETURN_TIMESTAMP(bucket_timestamp(width, ts, NULL));
}

/* Local wall-clock time of ts in a zone, as timezone(zone, ts) gives it. */
static Timestamp
local_time_in_zone(text *zone, TimestampTz ts)
{
	return DatumGetTimestamp(DirectFunctionCall2(timestamptz_zone,
												 PointerGetDatum(zone),
												 TimestampTzGetDatum(ts)));
}

/* Does a zone name look like a date, an origin mistaken for a zone? */
static bool
zone_looks_like_date(text *zone)
{
	const char *p = VARDATA_ANY(zone);
	int			len = VARSIZE_ANY_EXHDR(zone);

	return len >= 8 && isdigit((unsigned char) p[0]) &&
		memchr(p, '-', len) != NULL;
}

/*
 * local_time_in_zone(), with a hint when the zone is an origin in disguise:
 * an untyped literal third argument, time_bucket(w, ts, '2020-01-01'),
 * resolves to the text (time zone) form.
 */
static Timestamp
local_time_in_zone_checked(text *zone, TimestampTz ts)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	Timestamp	result = 0;

	if (!zone_looks_like_date(zone))
		return local_time_in_zone(zone, ts);

	PG_TRY();
	{
		result = local_time_in_zone(zone, ts);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		/* only "time zone not recognized"; cancels and the like pass */
		if (edata->sqlerrcode != ERRCODE_INVALID_PARAMETER_VALUE)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(edata->sqlerrcode),
				 errmsg("%s", edata->message),
				 errhint("To give an origin, cast it: time_bucket(width, ts, '%s'::timestamptz).",
						 text_to_cstring(zone))));
	}
	PG_END_TRY();
	return result;
}

/*
 * A time zone argument resolved once per call site (in fn_extra) rather
 * than once per row: a full zone name keeps its pg_tz.  Abbreviations take
 * precedence over zone names, as in timezone(); they and unknown names go
 * through timezone() itself, which also reports the errors.
 */
typedef struct ZoneCache
{
	char		name[TZ_STRLEN_MAX + 1];	/* the argument it was resolved from */
	pg_tz	   *tz;				/* the full zone, or NULL */
} ZoneCache;

/* The resolved zone for this call's zone argument. */
static ZoneCache *
zone_cache_lookup(FunctionCallInfo fcinfo, text *zone)
{
	ZoneCache  *cache = (ZoneCache *) fcinfo->flinfo->fn_extra;
	char		name[TZ_STRLEN_MAX + 1];
	char	   *lower;
	int			offset;
	pg_tz	   *abbrev_zone;
	int			type;

	text_to_cstring_buffer(zone, name, sizeof(name));
	if (cache != NULL && strcmp(cache->name, name) == 0)
		return cache;

	if (cache == NULL)
	{
		cache = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(ZoneCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	strlcpy(cache->name, name, sizeof(cache->name));
	lower = downcase_truncate_identifier(name, strlen(name), false);
	type = DecodeTimezoneAbbrev(0, lower, &offset, &abbrev_zone);
	cache->tz = (type == TZ || type == DTZ || type == DYNTZ) ? NULL : pg_tzset(name);
	return cache;
}

/* Local wall-clock time of ts in the zone, as timezone(zone, ts) gives it. */
static Timestamp
zone_local_time(const ZoneCache *cache, text *zone, TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			offset;
	Timestamp	result;

	if (cache->tz == NULL)
		return local_time_in_zone_checked(zone, ts);
	if (timestamp2tm(ts, &offset, &tm, &fsec, NULL, cache->tz) != 0 ||
		tm2timestamp(&tm, fsec, NULL, &result) != 0)
		report_out_of_range();
	return result;
}

/* The instant of a local time in the zone, as timezone(zone, local) gives it. */
static TimestampTz
zone_instant(const ZoneCache *cache, text *zone, Timestamp local)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			offset;
	TimestampTz result;

	if (cache->tz == NULL)
		return DatumGetTimestampTz(DirectFunctionCall2(timestamp_zone,
													   PointerGetDatum(zone),
													   TimestampGetDatum(local)));
	if (timestamp2tm(local, NULL, &tm, &fsec, NULL, NULL) != 0)
		report_out_of_range();
	offset = DetermineTimeZoneOffset(&tm, cache->tz);
	if (tm2timestamp(&tm, fsec, &offset, &result) != 0 ||
		!IS_VALID_TIMESTAMP(result))
		report_out_of_range();
	return result;
}

/*
 * time_bucket(width interval, ts timestamptz, zone text [, origin timestamp])
 *
 * Buckets the local time of ts in the zone; the origin is a local time too.
 * The bucket start is a local time b, turned back into an instant:
 *
 * - If ts's UTC offset also holds at ts minus the local distance from b to
 *	 ts, that instant is it.  This also picks the right one of two instants
 *	 when b is in an hour repeated by a backward clock change.
 * - Otherwise (a daily bucket over a DST change, say) the instant is
 *	 timezone(zone, b), with PostgreSQL's rule for local times that do not
 *	 exist or exist twice.
 */
Datum
streamstat_time_bucket_zone(PG_FUNCTION_ARGS)
{
	Interval   *width = PG_GETARG_INTERVAL_P(0);
	TimestampTz ts = PG_GETARG_TIMESTAMPTZ(1);
	text	   *zone = PG_GETARG_TEXT_PP(2);
	Timestamp	origin = 0;
	Timestamp	local;
	Timestamp	local_bucket;
	TimestampTz same_offset;
	TimestampTz result;
	ZoneCache  *cache;

	if (PG_NARGS() > 3)
		origin = PG_GETARG_TIMESTAMP(3);

	/* validate the width and origin even for infinite ts */
	if (TIMESTAMP_NOT_FINITE(ts))
	{
		(void) bucket_timestamp(width, ts, PG_NARGS() > 3 ? &origin : NULL);
		PG_RETURN_TIMESTAMPTZ(ts);
	}

	cache = zone_cache_lookup(fcinfo, zone);
	local = zone_local_time(cache, zone, ts);
	local_bucket = bucket_timestamp(width, local,
									PG_NARGS() > 3 ? &origin : NULL);

	/* local >= local_bucket, and both are valid timestamps */
	if (!pg_sub_s64_overflow(ts, local - local_bucket, &same_offset) &&
		IS_VALID_TIMESTAMP(same_offset) &&
		zone_local_time(cache, zone, same_offset) == local_bucket)
		PG_RETURN_TIMESTAMPTZ(same_offset);

	result = zone_instant(cache, zone, local_bucket);
	if (result > ts)
		elog(ERROR, "time_bucket start " INT64_FORMAT " is after the timestamp " INT64_FORMAT,
			 result, ts);
	PG_RETURN_TIMESTAMPTZ(result);
}

/* A date as a timestamp at its midnight, or an error if out of range. */
static Timestamp
date_to_timestamp(DateADT d)
{
	int			overflow = 0;
	Timestamp	result = date2timestamp_opt_overflow(d, &overflow);

	if (overflow != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("date out of range for timestamp")));
	return result;
}

/*
 * time_bucket(width interval, d date [, origin date]) -> date
 *
 * The date whose midnight starts the bucket of d's midnight.  The width must
 * be whole days (or weeks), or months and years: a part of a day would put
 * bucket starts between dates.
 */
Datum
streamstat_time_bucket_date(PG_FUNCTION_ARGS)
{
	Interval   *width = PG_GETARG_INTERVAL_P(0);
	DateADT		d = PG_GETARG_DATEADT(1);
	Timestamp	origin = 0;
	Timestamp	bucket;

	if (width->time != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_bucket width for a date must be whole days, months or years"),
				 errhint("Use a width such as '1 day', '1 week' or '1 month', or cast the date to timestamp.")));

	if (PG_NARGS() > 2)
	{
		DateADT		origin_date = PG_GETARG_DATEADT(2);

		if (DATE_NOT_FINITE(origin_date))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("time_bucket origin must be finite"),
					 errhint("Give a finite origin date, or leave it out to use the default.")));
		origin = date_to_timestamp(origin_date);
	}

	if (DATE_NOT_FINITE(d))
	{
		(void) bucket_width_from_interval(width);
		PG_RETURN_DATEADT(d);
	}

	bucket = bucket_timestamp(width, date_to_timestamp(d),
							  PG_NARGS() > 2 ? &origin : NULL);
	PG_RETURN_DATEADT((DateADT) floor_div(bucket, USECS_PER_DAY));
}
