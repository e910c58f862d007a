/*
 * rollup.h
 *		Continuous rollups: the contract between the fold (rollup_fold.c),
 *		its callers (the ingest writer and the INSERT triggers of
 *		rollup_trigger.c) and the maintenance worker (maintenance.c).
 *
 * A rollup keeps, per time bucket and group, one statsummary per field,
 * and with percentiles one pctsketch per field (column <field>_pct).
 * Whoever inserts rows into a table with rollups summarises them per
 * bucket and group of each rollup in a RollupDelta, then applies the delta
 * with one INSERT ... ON CONFLICT DO UPDATE per rollup that combines it
 * with the stored summaries (+), in the transaction of the rows.
 */
#ifndef STREAMSTAT_ROLLUP_H
#define STREAMSTAT_ROLLUP_H

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "utils/relcache.h"

#include "stats/statsummary.h"

struct BatchTable;

/* One rollup of a table (any level: every level is folded from raw rows). */
typedef struct RollupDef
{
	int			id;
	Oid			relid;			/* the rollup table */
	char	   *qualname;		/* quoted schema.name */
	Interval	bucket;
	int64		bucket_usecs;	/* fixed width, or 0 for month buckets */
	Interval	partition_interval;
	int			ngroups;
	char	  **groups;
	int			nfields;
	char	  **fields;
	bool		percentiles;	/* a pctsketch per field too */
} RollupDef;

/* The summaries of some rows per (bucket, group) of one rollup. */
typedef struct RollupDelta RollupDelta;

/* Rollups whose chain starts at table root, in id order (SPI connected). */
extern List *rollup_defs_for(Relation root);

/* Whether the table has rollups (its capture trigger is there): no SPI. */
extern bool rollup_table_has_rollups(Relation rel);

extern RollupDelta *rollup_delta_create(RollupDef *def, MemoryContext cxt);
extern void rollup_delta_add(RollupDelta *delta, TimestampTz ts,
							 const char *const *groups, const int *group_lens,
							 const double *values, const bool *isnull);
extern int	rollup_delta_size(RollupDelta *delta);

/* Fold the deltas into their rollups (SPI connected), in list order. */
extern void rollup_deltas_apply(List *deltas);

/* Make the partition of rollup relid that holds time ts, if missing. */
extern void rollup_ensure_partition(Oid relid, const Interval *width, TimestampTz ts);

/*
 * Called by the ingest writer inside its flush transaction, after the rows
 * of t were inserted into rel: folds the rows not rejected into every
 * rollup of rel.
 */
extern void rollup_fold_batch(Relation rel, struct BatchTable *t, const bool *rejected);

/*
 * A process that calls rollup_fold_batch for everything it writes (the
 * ingest worker) says so once, so the capture trigger leaves its rows alone.
 */
extern void rollup_set_caller_folds(bool folds);

/* The maintenance worker (retention). */
extern void maintenance_register(void);
extern PGDLLEXPORT void maintenance_worker_main(Datum main_arg);

#endif							/* STREAMSTAT_ROLLUP_H */
