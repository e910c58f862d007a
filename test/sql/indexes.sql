-- Indexes (issue #18): streamstat.time_index, set_indexes, remove_indexes,
-- the view streamstat.indexes.
SHOW streamstat.time_index;

CREATE TABLE cpu (time timestamptz NOT NULL, hostname text, region varchar, usage_user bigint)
	PARTITION BY RANGE (time);
CREATE TABLE cpu_p1 PARTITION OF cpu FOR VALUES FROM ('2024-01-01 00:00+00') TO ('2024-01-02 00:00+00');
INSERT INTO cpu SELECT t, 'host_' || (i % 4), 'eu', i
	FROM generate_series(1, 40) i, LATERAL (SELECT '2024-01-01 00:00+00'::timestamptz + i * interval '10 minutes') s(t);

-- A btree on (tags..., time DESC) on the table and its partition.
SELECT streamstat.set_indexes('cpu', '{hostname}');
SELECT relation, tags, index, partitions FROM streamstat.indexes;
SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'cpu_p1'::regclass ORDER BY 1;
-- again: nothing new
SELECT streamstat.set_indexes('cpu', '{hostname}');
SELECT count(*) FROM pg_index WHERE indrelid = 'cpu'::regclass;
-- two tags
SELECT streamstat.set_indexes('cpu', '{region,hostname}');
-- a partition made later has them too
CREATE TABLE cpu_p2 PARTITION OF cpu FOR VALUES FROM ('2024-01-02 00:00+00') TO ('2024-01-03 00:00+00');
SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'cpu_p2'::regclass ORDER BY 1;
SELECT relation, tags, index, partitions FROM streamstat.indexes ORDER BY index::text;

-- The index is used for one series.
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT max(usage_user) FROM cpu WHERE hostname = 'host_1' AND time >= '2024-01-01 02:00+00';
RESET enable_seqscan;
SELECT max(usage_user) FROM cpu WHERE hostname = 'host_1' AND time >= '2024-01-01 02:00+00';

-- Dropped by hand: set_indexes makes it again.
DROP INDEX cpu_hostname_time_idx;
SELECT streamstat.set_indexes('cpu', '{hostname}');
SELECT relation, tags, index IS NOT NULL AS present FROM streamstat.indexes ORDER BY tags;

-- Bad input: an error with a hint, nothing changed.
\set VERBOSITY default
SELECT streamstat.set_indexes('cpu', '{nosuch}');
SELECT streamstat.set_indexes('cpu', '{usage_user}');
SELECT streamstat.set_indexes('cpu', '{time}');
SELECT streamstat.set_indexes('cpu', '{}');
SELECT streamstat.set_indexes('cpu', NULL);
SELECT streamstat.set_indexes('cpu', '{hostname,hostname}');
CREATE TABLE plain (time timestamptz, hostname text);
SELECT streamstat.set_indexes('plain', '{hostname}');
CREATE TABLE by_host (time timestamptz, hostname text) PARTITION BY LIST (hostname);
SELECT streamstat.set_indexes('by_host', '{hostname}');
SELECT streamstat.set_indexes('nosuch', '{hostname}');
SELECT streamstat.remove_indexes('plain');
SELECT streamstat.remove_indexes('cpu', '{region}');
SELECT count(*) FROM streamstat.index_defs;
SELECT count(*) FROM pg_index WHERE indrelid = 'cpu'::regclass;
SELECT count(*) FROM pg_index WHERE indrelid IN ('plain'::regclass, 'by_host'::regclass);

-- Rollups: tag indexes on their group columns.
SELECT streamstat.create_rollup('cpu_1h', 'cpu', '1 hour', '{hostname}', '{usage_user}');
SELECT streamstat.set_indexes('cpu_1h', '{hostname}');
SELECT relation, tags FROM streamstat.indexes WHERE relation = 'cpu_1h'::regclass;
SELECT streamstat.set_indexes('cpu_1h', '{region}');
SELECT streamstat.drop_rollup('cpu_1h');

-- remove_indexes: one, then all.
SELECT streamstat.remove_indexes('cpu', '{region,hostname}');
SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'cpu_p2'::regclass ORDER BY 1;
SELECT streamstat.set_indexes('cpu', '{region}');
SELECT streamstat.remove_indexes('cpu');
SELECT count(*) FROM pg_index WHERE indrelid IN ('cpu'::regclass, 'cpu_p1'::regclass, 'cpu_p2'::regclass);
SELECT count(*) FROM streamstat.index_defs WHERE relation_name = 'cpu';

DROP TABLE cpu, plain, by_host;
