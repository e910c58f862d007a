/*
 * pctsketch.c
 *		The pctsketch type (a mergeable relative-error quantile sketch), its
 *		text and binary forms, the plain aggregates pct_agg and rollup, the
 *		operator + and the accessors (percentile, percentiles,
 *		percentile_rank, max_error, num_vals, min, max, mean).
 *
 * Sits at the query end of the path of a record: latencies and sizes that
 * the ingest worker wrote into measurement tables are summarized here by
 * SQL, stored per time bucket, and merged later.
 *
 * Method (UDDSketch: Epicoco, Melle, Cafaro, Pulimeno and Morleo, "UDDSketch:
 * accurate tracking of quantiles in data streams", IEEE Access 8 (2020),
 * building on DDSketch: Masson, Rim and Lee, VLDB 12(12), 2019).  With
 * gamma = (1 + a) / (1 - a), the bucket of key k holds the values v with
 * gamma^(k-1) < |v| <= gamma^k, and 2 gamma^k / (gamma + 1) is within a
 * relative of every one of them.  Keys are computed once, as base keys for
 * the max_error a0 asked for; when more than max_buckets buckets are in use
 * the sketch collapses: gamma becomes gamma^2, key k becomes ceil(k / 2),
 * and the bound becomes a' = 2a / (1 + a^2).  A value's key after c
 * collapses is ceil(key0 / 2^c) whenever it arrived, so sketching values
 * one by one and merging sketches give the same buckets: the collapse count
 * is the smallest c at which the values' keys fit the budget, whatever the
 * order (the number of distinct keys only grows with the values and only
 * falls with c).  Counts are integers, so the buckets, count, min and max
 * of a merge are bit-identical to those of sketching the union; the sum
 * (for mean) is a double-double and agrees to its last bits.
 *
 * Quantile convention: percentile_disc's.  percentile(s, p) estimates the
 * value of rank r = max(1, ceil(p n)) in ascending order, the first value
 * whose position reaches the fraction p, so percentile(s, 0) and
 * percentile(s, 1) are the exact min and max.  Estimates are clamped to
 * [min, max], which keeps them within the bound.  For rank r the bucket
 * walk finds the bucket k where the cumulative count reaches r; the r-th
 * value lies in that bucket, so the estimate is within max_error of it.
 *
 * Merging sketches of different max_error (or different grids) brings the
 * finer onto the grid of the coarser: each fine bucket moves, by its
 * representative value, into the coarse bucket of that value.  A value may
 * then sit one coarse bucket off by at most the factor 1 / (1 - a_fine),
 * which the sketch records as its slack s; the bound becomes (1 + a) s - 1
 * (max_error() reports it).  Budgets that differ take the smaller.
 *
 * NaN and +-Infinity have no bucket: pct_agg raises an error with a hint
 * to filter them (v > '-Infinity' AND v < 'Infinity' excludes all three).
 * NULL values are skipped.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "ddouble.h"
#include "pctsketch.h"

#define PCTSKETCH_SEND_VERSION 1

/*
 * Parameters and building blocks
 * ------------------------------
 */

void
pct_check_params(double max_error, int32 max_buckets)
{
	if (!(max_error >= PCTSKETCH_MIN_ERROR && max_error <= PCTSKETCH_MAX_ERROR))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_error must be between %g and %g",
						PCTSKETCH_MIN_ERROR, PCTSKETCH_MAX_ERROR),
				 errhint("It is a relative error: 0.01 (the default) means 1%%.")));
	if (max_buckets < PCTSKETCH_MIN_BUCKETS || max_buckets > PCTSKETCH_MAX_BUCKETS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_buckets must be between %d and %d",
						PCTSKETCH_MIN_BUCKETS, PCTSKETCH_MAX_BUCKETS),
				 errhint("The default, 1024, keeps a sketch below 17 kB.")));
}

void
pct_reject_nonfinite(double v)
{
	if (unlikely(!isfinite(v)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pct_agg cannot summarize %s", isnan(v) ? "NaN" :
						(v > 0 ? "Infinity" : "-Infinity")),
				 errhint("Filter such rows out, for example with WHERE v > '-Infinity' AND v < 'Infinity', which excludes NaN too.")));
}

PctSketch *
pct_sketch_alloc(double alpha0, int32 max_buckets, int32 capacity)
{
	PctSketch  *s = palloc0(PCTSKETCH_SIZE(capacity));

	SET_VARSIZE(s, PCTSKETCH_SIZE(capacity));
	s->alpha0 = alpha0;
	s->max_buckets = max_buckets;
	s->capacity = capacity;
	s->slack = 1.0;
	return s;
}

/* Collapse the n sorted buckets of one side in place; returns the new n. */
static int32
collapse_side(PctBucket *b, int32 n)
{
	int32		j = -1;

	for (int32 i = 0; i < n; i++)
	{
		int32		k = pct_key_collapse(b[i].key, 1);

		if (j >= 0 && b[j].key == k)
			b[j].count += b[i].count;
		else
		{
			j++;
			b[j].key = k;
			b[j].count = b[i].count;
		}
	}
	return j + 1;
}

/* One collapse of the whole sketch: gamma -> gamma^2. */
static void
collapse_once(PctSketch *s)
{
	int32		nneg = collapse_side(s->buckets, s->nneg);
	int32		npos;

	if (nneg < s->nneg && s->npos > 0)
		memmove(s->buckets + nneg, s->buckets + s->nneg,
				s->npos * sizeof(PctBucket));
	npos = collapse_side(s->buckets + nneg, s->npos);
	s->nneg = nneg;
	s->npos = npos;
	s->collapses++;
}

void
pct_fit_budget(PctSketch *s)
{
	while (s->nneg + s->npos > s->max_buckets)
	{
		if (s->collapses >= PCTSKETCH_MAX_COLLAPSES)
			elog(ERROR, "pctsketch cannot fit %d buckets", s->max_buckets);
		collapse_once(s);
	}
}

/*
 * Index of key in the sorted side b[0..n), or -(insertion point) - 1.  The
 * search is branch-free (its loop runs log2(n) times whatever the keys), so
 * random data does not pay a mispredicted branch per step.
 */
static inline int32
find_key(const PctBucket *b, int32 n, int32 key)
{
	const PctBucket *base = b;
	int32		len = n;
	int32		lo;

	if (n == 0)
		return -1;
	while (len > 1)
	{
		int32		half = len / 2;

		base = (base[half].key <= key) ? base + half : base;
		len -= half;
	}
	/* base is the last bucket with key <= key, or the first one */
	lo = (int32) (base - b);
	if (b[lo].key == key)
		return lo;
	if (b[lo].key < key)
		lo++;
	return -lo - 1;
}

/* A copy of s with room for capacity buckets (at least its own). */
static PctSketch *
pct_sketch_copy(const PctSketch *s, int32 capacity)
{
	int32		n = s->nneg + s->npos;
	PctSketch  *r;

	if (capacity < n)
		capacity = n;
	r = palloc(PCTSKETCH_SIZE(capacity));
	memcpy(r, s, PCTSKETCH_SIZE(n));
	SET_VARSIZE(r, PCTSKETCH_SIZE(capacity));
	r->capacity = capacity;
	return r;
}

/* A copy whose capacity is what it uses (the stored form). */
static PctSketch *
pct_sketch_copy_compact(const PctSketch *s)
{
	int32		n = s->nneg + s->npos;
	PctSketch  *r = palloc(PCTSKETCH_SIZE(n));

	memcpy(r, s, PCTSKETCH_SIZE(n));
	SET_VARSIZE(r, PCTSKETCH_SIZE(n));
	r->capacity = n;
	return r;
}

/*
 * Add one finite value to a sketch that may be updated in place; returns
 * the sketch, or a larger copy when it had no room for a new bucket.
 */
static PctSketch *
pct_add_value(PctSketch *s, double v)
{
	DDouble		sum;

	if (s->count == 0 || v < s->min)
		s->min = v;
	if (s->count == 0 || v > s->max)
		s->max = v;
	sum = dd_add_d((DDouble) {s->sum_hi, s->sum_lo}, v);
	s->sum_hi = sum.hi;
	s->sum_lo = sum.lo;
	s->count++;

	if (v == 0.0)
		s->zeros++;
	else
	{
		bool		neg = v < 0.0;
		int32		key = pct_key_collapse(pct_key0(fabs(v),
													pct_inv_log_gamma0(s->alpha0)),
										   s->collapses);
		PctBucket  *side = neg ? s->buckets : s->buckets + s->nneg;
		int32		n = neg ? s->nneg : s->npos;
		int32		i = -1;
		int32		at;

		/*
		 * The keys of a side are mostly consecutive, with gaps in the tails:
		 * guess the index from the key, and correct the guess by how far its
		 * key is off (a few steps at most for such data), before falling
		 * back to the binary search.
		 */
		if (n > 0)
		{
			int32		guess = key - side[0].key;

			for (int step = 0; step < 4 && guess >= 0 && guess < n; step++)
			{
				int32		off = side[guess].key - key;

				if (off == 0)
				{
					i = guess;
					break;
				}
				guess -= off;
			}
		}
		if (i < 0)
			i = find_key(side, n, key);

		if (i >= 0)
		{
			side[i].count++;
			return s;
		}
		if (s->nneg + s->npos >= s->capacity)
		{
			int32		cap = Max(8, Min(2 * s->capacity, s->max_buckets + 1));

			s = pct_sketch_copy(s, cap);
		}
		/* insert at position -i-1 of its side, shifting what follows */
		at = (neg ? 0 : s->nneg) + (-i - 1);
		memmove(s->buckets + at + 1, s->buckets + at,
				(s->nneg + s->npos - at) * sizeof(PctBucket));
		s->buckets[at].key = key;
		s->buckets[at].pad = 0;
		s->buckets[at].count = 1;
		if (neg)
			s->nneg++;
		else
			s->npos++;
		pct_fit_budget(s);
	}
	return s;
}

/* Append the buckets of one side, mapped to the grid (inv_lg0, c), to out. */
static int32
map_side(const PctSketch *s, bool neg, bool same_grid, double inv_lg0, int c,
		 PctBucket *out, int32 nout)
{
	const PctBucket *b = neg ? s->buckets : s->buckets + s->nneg;
	int32		n = neg ? s->nneg : s->npos;
	double		lg = ldexp(pct_log_gamma0(s->alpha0), s->collapses);
	double		gamma = exp(lg);

	for (int32 i = 0; i < n; i++)
	{
		int32		k;

		if (same_grid)
			k = pct_key_collapse(b[i].key, c - s->collapses);
		else
		{
			double		rep = 2.0 * exp(b[i].key * lg) / (gamma + 1.0);

			if (!isfinite(rep) || rep <= 0.0)
				rep = (rep > 0.0) ? DBL_MAX : DBL_MIN;
			k = pct_key_collapse(pct_key0(rep, inv_lg0), c);
		}
		if (nout > 0 && out[nout - 1].key == k)
			out[nout - 1].count += b[i].count;
		else
		{
			out[nout].key = k;
			out[nout].pad = 0;
			out[nout].count = b[i].count;
			nout++;
		}
	}
	return nout;
}

/* Merge two sorted bucket lists into out; returns its length. */
static int32
merge_lists(const PctBucket *a, int32 na, const PctBucket *b, int32 nb,
			PctBucket *out)
{
	int32		i = 0,
				j = 0,
				n = 0;

	while (i < na || j < nb)
	{
		if (j >= nb || (i < na && a[i].key < b[j].key))
			out[n++] = a[i++];
		else if (i >= na || b[j].key < a[i].key)
			out[n++] = b[j++];
		else
		{
			out[n] = a[i++];
			out[n++].count += b[j++].count;
		}
	}
	return n;
}

/*
 * The sketch of the values of a and b together, newly allocated and
 * compact.  Same base grid: both go to the larger collapse count.  Else the
 * finer sketch is mapped onto the coarser's grid (see the file comment).
 */
static PctSketch *
pct_merge(const PctSketch *a, const PctSketch *b)
{
	const PctSketch *coarse = a,
			   *fine = b;
	bool		same = (a->alpha0 == b->alpha0);
	int			c;
	double		inv_lg0;
	double		slack;
	int32		na = a->nneg + a->npos,
				nb = b->nneg + b->npos;
	PctBucket  *tmp1 = palloc((na + nb + 1) * sizeof(PctBucket));
	PctBucket  *tmp2 = palloc((na + nb + 1) * sizeof(PctBucket));
	PctSketch  *r;
	int32		n1,
				n2,
				nneg,
				npos;
	DDouble		sum;

	if (same)
		c = Max(a->collapses, b->collapses);
	else
	{
		double		aa = pct_alpha_at(a->alpha0, a->collapses),
					ab = pct_alpha_at(b->alpha0, b->collapses);

		if (ab > aa || (ab == aa && b->alpha0 > a->alpha0))
		{
			coarse = b;
			fine = a;
		}
		c = coarse->collapses;
	}
	inv_lg0 = 1.0 / pct_log_gamma0(coarse->alpha0);
	slack = Max(coarse->slack, fine->slack);
	if (!same && fine->nneg + fine->npos > 0)
		slack = Max(slack, fine->slack /
					(1.0 - pct_alpha_at(fine->alpha0, fine->collapses)));
	/* a fine sketch collapsed to a ratio of ~1e300 has no useful bound left */
	if (!isfinite(slack))
		slack = DBL_MAX;

	r = pct_sketch_alloc(coarse->alpha0, Min(a->max_buckets, b->max_buckets),
						 na + nb);
	r->collapses = c;
	r->slack = slack;

	/* negative side */
	n1 = map_side(coarse, true, true, inv_lg0, c, tmp1, 0);
	n2 = map_side(fine, true, same, inv_lg0, c, tmp2, 0);
	nneg = merge_lists(tmp1, n1, tmp2, n2, r->buckets);
	/* positive side */
	n1 = map_side(coarse, false, true, inv_lg0, c, tmp1, 0);
	n2 = map_side(fine, false, same, inv_lg0, c, tmp2, 0);
	npos = merge_lists(tmp1, n1, tmp2, n2, r->buckets + nneg);
	r->nneg = nneg;
	r->npos = npos;
	pfree(tmp1);
	pfree(tmp2);

	r->count = a->count + b->count;
	r->zeros = a->zeros + b->zeros;
	r->min = Min(a->min, b->min);
	r->max = Max(a->max, b->max);
	sum = dd_add((DDouble) {a->sum_hi, a->sum_lo}, (DDouble) {b->sum_hi, b->sum_lo});
	r->sum_hi = sum.hi;
	r->sum_lo = sum.lo;
	pct_fit_budget(r);
	/* compact: the capacity is what is used */
	r->capacity = r->nneg + r->npos;
	SET_VARSIZE(r, PCTSKETCH_SIZE(r->capacity));
	return r;
}

/*
 * Validation (text and binary input)
 * ----------------------------------
 */

/* Why the fields cannot come from pct_agg, or NULL if they can. */
static const char *
pct_invalid_reason(const PctSketch *s)
{
	int64		total;

	if (!(s->alpha0 >= PCTSKETCH_MIN_ERROR && s->alpha0 <= PCTSKETCH_MAX_ERROR))
		return "max_error is out of range";
	if (s->max_buckets < PCTSKETCH_MIN_BUCKETS || s->max_buckets > PCTSKETCH_MAX_BUCKETS)
		return "max_buckets is out of range";
	if (s->collapses < 0 || s->collapses > PCTSKETCH_MAX_COLLAPSES)
		return "collapses is out of range";
	if (!(s->slack >= 1.0 && isfinite(s->slack)))
		return "slack must be a finite number of at least 1";
	if (s->nneg < 0 || s->npos < 0 || s->nneg + s->npos > s->max_buckets)
		return "more buckets than max_buckets";
	if (s->count < 1 || s->zeros < 0 || s->zeros > s->count)
		return "count must be positive and at least the count of zeros";
	if (!isfinite(s->min) || !isfinite(s->max) || s->min > s->max)
		return "min and max must be finite, min <= max";
	if (!isfinite(s->sum_hi) || !isfinite(s->sum_lo))
		return "sum must be finite";
	total = s->zeros;
	for (int32 i = 0; i < s->nneg + s->npos; i++)
	{
		if (s->buckets[i].count < 1)
			return "bucket counts must be positive";
		if (i != 0 && i != s->nneg && s->buckets[i].key <= s->buckets[i - 1].key)
			return "bucket keys must ascend";
		if (s->buckets[i].count > s->count - total)
			return "count must be the sum of the bucket counts and zeros";
		total += s->buckets[i].count;
	}
	if (total != s->count)
		return "count must be the sum of the bucket counts and zeros";
	if ((s->nneg > 0) != (s->min < 0.0) || (s->npos > 0) != (s->max > 0.0))
		return "min and max disagree with the buckets";
	return NULL;
}

static void
pct_check_valid(const PctSketch *s, const char *input)
{
	const char *reason = pct_invalid_reason(s);

	if (reason)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid pctsketch \"%s\"", input),
				 errdetail("%s.", reason),
				 errhint("A pctsketch comes from pct_agg(); its text form is what pctsketch_out writes.")));
}

/*
 * Text and binary I/O
 * -------------------
 * Text form: (max_error:0.01,max_buckets:1024,collapses:0,slack:1,count:4,
 * zeros:1,min:-2,max:7,sum:9,sum_lo:0,neg:[35:1],pos:[0:1,98:1]), each
 * bucket key:count.  Doubles in the shortest form that reads back to the
 * same bits, so the text form round-trips exactly.
 */

static void
pct_syntax_error(const char *str)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type pctsketch: \"%s\"", str),
			 errhint("Expected (max_error:A,max_buckets:N,collapses:C,slack:S,count:N,zeros:Z,min:X,max:X,sum:X,sum_lo:X,neg:[K:N,...],pos:[K:N,...]).")));
}

/* Expect the literal word at *p; advance past it. */
static void
expect(const char **p, const char *word, const char *str)
{
	size_t		len = strlen(word);

	if (strncmp(*p, word, len) != 0)
		pct_syntax_error(str);
	*p += len;
}

static double
parse_double(const char **p, const char *str)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(*p, &end);
	if (end == *p || errno == ERANGE)
		pct_syntax_error(str);
	*p = end;
	return v;
}

static int64
parse_int(const char **p, const char *str)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(*p, &end, 10);
	if (end == *p || errno == ERANGE)
		pct_syntax_error(str);
	*p = end;
	return (int64) v;
}

/* Parse "[k:n,...]" into b (at most room entries); returns the count. */
static int32
parse_buckets(const char **p, const char *str, PctBucket *b, int32 room)
{
	int32		n = 0;

	expect(p, "[", str);
	if (**p == ']')
	{
		(*p)++;
		return 0;
	}
	for (;;)
	{
		int64		k,
					c;

		if (n >= room)
			pct_syntax_error(str);
		k = parse_int(p, str);
		expect(p, ":", str);
		c = parse_int(p, str);
		if (k < PG_INT32_MIN || k > PG_INT32_MAX)
			pct_syntax_error(str);
		b[n].key = (int32) k;
		b[n].pad = 0;
		b[n].count = c;
		n++;
		if (**p == ']')
		{
			(*p)++;
			return n;
		}
		expect(p, ",", str);
	}
}

PG_FUNCTION_INFO_V1(streamstat_pctsketch_in);
Datum
streamstat_pctsketch_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	PctSketch	hdr;
	PctSketch  *s;
	int64		mb;
	int32		room;

	memset(&hdr, 0, sizeof(hdr));
	expect(&p, "(max_error:", str);
	hdr.alpha0 = parse_double(&p, str);
	expect(&p, ",max_buckets:", str);
	mb = parse_int(&p, str);
	if (mb < PCTSKETCH_MIN_BUCKETS || mb > PCTSKETCH_MAX_BUCKETS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid pctsketch \"%s\"", str),
				 errdetail("max_buckets is out of range.")));
	hdr.max_buckets = (int32) mb;
	expect(&p, ",collapses:", str);
	mb = parse_int(&p, str);
	hdr.collapses = (int32) Max(Min(mb, PCTSKETCH_MAX_COLLAPSES + 1), -1);
	expect(&p, ",slack:", str);
	hdr.slack = parse_double(&p, str);
	expect(&p, ",count:", str);
	hdr.count = parse_int(&p, str);
	expect(&p, ",zeros:", str);
	hdr.zeros = parse_int(&p, str);
	expect(&p, ",min:", str);
	hdr.min = parse_double(&p, str);
	expect(&p, ",max:", str);
	hdr.max = parse_double(&p, str);
	expect(&p, ",sum:", str);
	hdr.sum_hi = parse_double(&p, str);
	expect(&p, ",sum_lo:", str);
	hdr.sum_lo = parse_double(&p, str);

	room = hdr.max_buckets;
	s = pct_sketch_alloc(hdr.alpha0, hdr.max_buckets, room);
	memcpy(((char *) s) + sizeof(int32), ((char *) &hdr) + sizeof(int32),
		   PCTSKETCH_HEADER_SIZE - sizeof(int32));
	expect(&p, ",neg:", str);
	s->nneg = parse_buckets(&p, str, s->buckets, room);
	expect(&p, ",pos:", str);
	s->npos = parse_buckets(&p, str, s->buckets + s->nneg, room - s->nneg);
	expect(&p, ")", str);
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p != '\0')
		pct_syntax_error(str);
	s->capacity = s->nneg + s->npos;
	SET_VARSIZE(s, PCTSKETCH_SIZE(s->capacity));
	pct_check_valid(s, str);
	PG_RETURN_PCTSKETCH_P(s);
}

static void
append_double(StringInfo buf, double v)
{
	char		tmp[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(v, tmp);
	appendStringInfoString(buf, tmp);
}

static void
append_buckets(StringInfo buf, const PctBucket *b, int32 n)
{
	appendStringInfoChar(buf, '[');
	for (int32 i = 0; i < n; i++)
		appendStringInfo(buf, "%s%d:" INT64_FORMAT, i ? "," : "", b[i].key,
						 b[i].count);
	appendStringInfoChar(buf, ']');
}

PG_FUNCTION_INFO_V1(streamstat_pctsketch_out);
Datum
streamstat_pctsketch_out(PG_FUNCTION_ARGS)
{
	PctSketch  *s = PG_GETARG_PCTSKETCH_P(0);
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "(max_error:");
	append_double(&buf, s->alpha0);
	appendStringInfo(&buf, ",max_buckets:%d,collapses:%d,slack:",
					 s->max_buckets, s->collapses);
	append_double(&buf, s->slack);
	appendStringInfo(&buf, ",count:" INT64_FORMAT ",zeros:" INT64_FORMAT ",min:",
					 s->count, s->zeros);
	append_double(&buf, s->min);
	appendStringInfoString(&buf, ",max:");
	append_double(&buf, s->max);
	appendStringInfoString(&buf, ",sum:");
	append_double(&buf, s->sum_hi);
	appendStringInfoString(&buf, ",sum_lo:");
	append_double(&buf, s->sum_lo);
	appendStringInfoString(&buf, ",neg:");
	append_buckets(&buf, s->buckets, s->nneg);
	appendStringInfoString(&buf, ",pos:");
	append_buckets(&buf, s->buckets + s->nneg, s->npos);
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

/* Binary input: a version byte, then the fields in the order of the text form. */
PG_FUNCTION_INFO_V1(streamstat_pctsketch_recv);
Datum
streamstat_pctsketch_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	double		alpha0;
	int32		max_buckets,
				nneg,
				npos;
	PctSketch  *s;

	if (version != PCTSKETCH_SEND_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported pctsketch binary version %d", version)));
	alpha0 = pq_getmsgfloat8(buf);
	max_buckets = pq_getmsgint(buf, 4);
	if (max_buckets < PCTSKETCH_MIN_BUCKETS || max_buckets > PCTSKETCH_MAX_BUCKETS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid pctsketch: max_buckets is out of range")));
	s = pct_sketch_alloc(alpha0, max_buckets, 0);
	s->collapses = pq_getmsgint(buf, 4);
	s->slack = pq_getmsgfloat8(buf);
	s->count = pq_getmsgint64(buf);
	s->zeros = pq_getmsgint64(buf);
	s->min = pq_getmsgfloat8(buf);
	s->max = pq_getmsgfloat8(buf);
	s->sum_hi = pq_getmsgfloat8(buf);
	s->sum_lo = pq_getmsgfloat8(buf);
	nneg = pq_getmsgint(buf, 4);
	npos = pq_getmsgint(buf, 4);
	if (nneg < 0 || npos < 0 || nneg + npos > max_buckets)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid pctsketch: more buckets than max_buckets")));
	s = pct_sketch_copy(s, nneg + npos);
	s->nneg = nneg;
	s->npos = npos;
	for (int32 i = 0; i < nneg + npos; i++)
	{
		s->buckets[i].key = pq_getmsgint(buf, 4);
		s->buckets[i].pad = 0;
		s->buckets[i].count = pq_getmsgint64(buf);
	}
	{
		const char *reason = pct_invalid_reason(s);

		if (reason)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid pctsketch: %s", reason)));
	}
	PG_RETURN_PCTSKETCH_P(s);
}

PG_FUNCTION_INFO_V1(streamstat_pctsketch_send);
Datum
streamstat_pctsketch_send(PG_FUNCTION_ARGS)
{
	PctSketch  *s = PG_GETARG_PCTSKETCH_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, PCTSKETCH_SEND_VERSION);
	pq_sendfloat8(&buf, s->alpha0);
	pq_sendint32(&buf, s->max_buckets);
	pq_sendint32(&buf, s->collapses);
	pq_sendfloat8(&buf, s->slack);
	pq_sendint64(&buf, s->count);
	pq_sendint64(&buf, s->zeros);
	pq_sendfloat8(&buf, s->min);
	pq_sendfloat8(&buf, s->max);
	pq_sendfloat8(&buf, s->sum_hi);
	pq_sendfloat8(&buf, s->sum_lo);
	pq_sendint32(&buf, s->nneg);
	pq_sendint32(&buf, s->npos);
	for (int32 i = 0; i < s->nneg + s->npos; i++)
	{
		pq_sendint32(&buf, s->buckets[i].key);
		pq_sendint64(&buf, s->buckets[i].count);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * For C callers that sketch values themselves (the rollup fold): add a
 * finite value (the sketch may be replaced by a larger copy), and make the
 * stored form (compact).
 */
PctSketch *
pct_sketch_add(PctSketch *s, double v)
{
	Assert(isfinite(v));
	return pct_add_value(s, v);
}

PctSketch *
pct_sketch_compact(const PctSketch *s)
{
	return pct_sketch_copy_compact(s);
}

/* pctsketch + pctsketch: the sketch of both inputs' values. */
PG_FUNCTION_INFO_V1(streamstat_pctsketch_combine);
Datum
streamstat_pctsketch_combine(PG_FUNCTION_ARGS)
{
	PG_RETURN_PCTSKETCH_P(pct_merge(PG_GETARG_PCTSKETCH_P(0),
									PG_GETARG_PCTSKETCH_P(1)));
}

/*
 * Plain aggregate support
 * -----------------------
 * The state is the pctsketch itself, allocated with spare capacity and
 * updated in place while the aggregate runs (AggCheckCallContext); when a
 * new bucket does not fit, the transition function returns a copy with
 * twice the room and nodeAgg adopts it, so growth costs O(log buckets)
 * copies in all.  Called outside an aggregate, it never modifies its input.
 */

/* pct_agg(value [, max_error [, max_buckets]]) transition. */
PG_FUNCTION_INFO_V1(streamstat_pct_agg_trans);
Datum
streamstat_pct_agg_trans(PG_FUNCTION_ARGS)
{
	double		alpha0 = PCT_DEFAULT_ERROR;
	int32		max_buckets = PCT_DEFAULT_BUCKETS;
	PctSketch  *s;
	double		v;

	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
		alpha0 = PG_GETARG_FLOAT8(2);
	if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
		max_buckets = PG_GETARG_INT32(3);

	if (PG_ARGISNULL(0))
	{
		if (PG_ARGISNULL(1))
			PG_RETURN_NULL();
		pct_check_params(alpha0, max_buckets);
		s = pct_sketch_alloc(alpha0, max_buckets, 8);
	}
	else
	{
		s = (PctSketch *) PG_GETARG_POINTER(0);
		if (!AggCheckCallContext(fcinfo, NULL))
			s = pct_sketch_copy(PG_GETARG_PCTSKETCH_P(0), 0);
		if (PG_ARGISNULL(1))
			PG_RETURN_PCTSKETCH_P(s);
		if (unlikely(s->alpha0 != alpha0 || s->max_buckets != max_buckets))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("pct_agg's max_error and max_buckets must be the same for every row"),
					 errhint("Pass constants.")));
	}
	v = PG_GETARG_FLOAT8(1);
	if (unlikely(!isfinite(v)))
		pct_reject_nonfinite(v);
	PG_RETURN_PCTSKETCH_P(pct_add_value(s, v));
}

/* Combine two partial states (parallel plans), and rollup's transition. */
PG_FUNCTION_INFO_V1(streamstat_pct_agg_combine);
Datum
streamstat_pct_agg_combine(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
		PG_RETURN_PCTSKETCH_P(pct_sketch_copy(PG_GETARG_PCTSKETCH_P(1), 0));
	PG_RETURN_PCTSKETCH_P(pct_merge(PG_GETARG_PCTSKETCH_P(0),
									PG_GETARG_PCTSKETCH_P(1)));
}

/* Final: a compact copy of the state (it keeps changing in windows). */
PG_FUNCTION_INFO_V1(streamstat_pct_agg_final);
Datum
streamstat_pct_agg_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_PCTSKETCH_P(pct_sketch_copy_compact(PG_GETARG_PCTSKETCH_P(0)));
}

/*
 * Accessors
 * ---------
 */

/* The estimate of the bucket at position i (in the buckets array). */
static double
bucket_value(const PctSketch *s, int32 i)
{
	double		lg = ldexp(pct_log_gamma0(s->alpha0), s->collapses);
	double		v = 2.0 * exp(s->buckets[i].key * lg) / (exp(lg) + 1.0);

	if (i < s->nneg)
		v = -v;
	/* clamping keeps the bound and the extremes exact */
	if (!(v >= s->min))
		v = s->min;
	if (v > s->max)
		v = s->max;
	return v;
}

/* The value of rank r (1-based, ascending). */
static double
value_at_rank(const PctSketch *s, int64 r)
{
	int64		cum = 0;

	if (r <= 1)
		return s->min;
	if (r >= s->count)
		return s->max;
	/* negatives: largest |v| first */
	for (int32 i = s->nneg - 1; i >= 0; i--)
	{
		cum += s->buckets[i].count;
		if (cum >= r)
			return bucket_value(s, i);
	}
	cum += s->zeros;
	if (cum >= r)
		return 0.0;
	for (int32 i = s->nneg; i < s->nneg + s->npos; i++)
	{
		cum += s->buckets[i].count;
		if (cum >= r)
			return bucket_value(s, i);
	}
	return s->max;
}

/* percentile_disc's rank for fraction p; errors outside [0, 1]. */
static int64
rank_of(const PctSketch *s, double p)
{
	double		r;

	if (!(p >= 0.0 && p <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("percentile value %g is not between 0 and 1", p),
				 errhint("Write the 99th percentile as 0.99.")));
	r = ceil(p * (double) s->count);
	return (r < 1.0) ? 1 : (int64) r;
}

/* Estimate of percentile_disc(p) within max_error(s) relative. */
PG_FUNCTION_INFO_V1(streamstat_pct_percentile);
Datum
streamstat_pct_percentile(PG_FUNCTION_ARGS)
{
	PctSketch  *s = PG_GETARG_PCTSKETCH_P(0);

	PG_RETURN_FLOAT8(value_at_rank(s, rank_of(s, PG_GETARG_FLOAT8(1))));
}

/* Several percentiles at once; NULL elements give NULL. */
PG_FUNCTION_INFO_V1(streamstat_pct_percentiles);
Datum
streamstat_pct_percentiles(PG_FUNCTION_ARGS)
{
	PctSketch  *s = PG_GETARG_PCTSKETCH_P(0);
	ArrayType  *ps = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	Datum	   *out;
	int			dims[1];
	int			lbs[1] = {1};

	if (ARR_NDIM(ps) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("percentiles takes a one-dimensional array")));
	deconstruct_array(ps, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &n);
	out = palloc(Max(n, 1) * sizeof(Datum));
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			out[i] = Float8GetDatum(value_at_rank(s, rank_of(s, DatumGetFloat8(elems[i]))));
	dims[0] = n;
	if (n == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(FLOAT8OID));
	PG_RETURN_ARRAYTYPE_P(construct_md_array(out, nulls, 1, dims, lbs, FLOAT8OID,
											 sizeof(float8), FLOAT8PASSBYVAL,
											 TYPALIGN_DOUBLE));
}

/*
 * Estimated fraction of the values <= v: exact outside [min, max),
 * otherwise counting v's whole bucket.
 */
PG_FUNCTION_INFO_V1(streamstat_pct_percentile_rank);
Datum
streamstat_pct_percentile_rank(PG_FUNCTION_ARGS)
{
	PctSketch  *s = PG_GETARG_PCTSKETCH_P(0);
	double		v = PG_GETARG_FLOAT8(1);
	int64		cum = 0;

	if (isnan(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("percentile_rank of NaN is undefined")));
	if (v < s->min)
		PG_RETURN_FLOAT8(0.0);
	if (v >= s->max)
		PG_RETURN_FLOAT8(1.0);
	if (v < 0.0)
	{
		int32		key = pct_key_collapse(pct_key0(-v, pct_inv_log_gamma0(s->alpha0)),
										   s->collapses);

		for (int32 i = s->nneg - 1; i >= 0 && s->buckets[i].key >= key; i--)
			cum += s->buckets[i].count;
	}
	else
	{
		for (int32 i = 0; i < s->nneg; i++)
			cum += s->buckets[i].count;
		cum += s->zeros;
		if (v > 0.0)
		{
			int32		key = pct_key_collapse(pct_key0(v, pct_inv_log_gamma0(s->alpha0)),
											   s->collapses);

			for (int32 i = s->nneg; i < s->nneg + s->npos && s->buckets[i].key <= key; i++)
				cum += s->buckets[i].count;
		}
	}
	PG_RETURN_FLOAT8((double) cum / (double) s->count);
}

/* The relative error bound that holds now, after collapses and merges. */
PG_FUNCTION_INFO_V1(streamstat_pct_max_error);
Datum
streamstat_pct_max_error(PG_FUNCTION_ARGS)
{
	PctSketch  *s = PG_GETARG_PCTSKETCH_P(0);

	double		a = (s->collapses == 0) ? s->alpha0 : pct_alpha_at(s->alpha0, s->collapses);

	PG_RETURN_FLOAT8(s->slack == 1.0 ? a : (1.0 + a) * s->slack - 1.0);
}

PG_FUNCTION_INFO_V1(streamstat_pct_num_vals);
Datum
streamstat_pct_num_vals(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(PG_GETARG_PCTSKETCH_P(0)->count);
}

PG_FUNCTION_INFO_V1(streamstat_pct_min);
Datum
streamstat_pct_min(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(PG_GETARG_PCTSKETCH_P(0)->min);
}

PG_FUNCTION_INFO_V1(streamstat_pct_max);
Datum
streamstat_pct_max(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(PG_GETARG_PCTSKETCH_P(0)->max);
}

PG_FUNCTION_INFO_V1(streamstat_pct_mean);
Datum
streamstat_pct_mean(PG_FUNCTION_ARGS)
{
	PctSketch  *s = PG_GETARG_PCTSKETCH_P(0);

	PG_RETURN_FLOAT8(dd_to_double(dd_div((DDouble) {s->sum_hi, s->sum_lo},
										 dd_from_double((double) s->count))));
}

/* Number of buckets in use (for tests and sizing). */
PG_FUNCTION_INFO_V1(streamstat_pct_num_buckets);
Datum
streamstat_pct_num_buckets(PG_FUNCTION_ARGS)
{
	PctSketch  *s = PG_GETARG_PCTSKETCH_P(0);

	PG_RETURN_INT32(s->nneg + s->npos);
}
