# Indexes on the partitions the ingest worker makes (issue #18): the time
# index (streamstat.time_index) on every new table and so on each of its
# partitions, tag indexes (streamstat.set_indexes) on the partitions made
# after them, and no index with streamstat.time_index off.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $node = streamstat_node('indexes', partition_interval => '1h');

# Nanosecond timestamp of a UTC time given as 'YYYY-MM-DD HH:MM'.
sub ns
{
	my ($t) = @_;
	return $node->safe_psql('postgres',
		"SELECT (extract(epoch FROM timestamptz '$t+00')::bigint * 1000000000)::text");
}

# The index definitions of each partition of a table, one line each.
sub part_indexes
{
	my ($table) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT c.relname || ': ' || coalesce((SELECT string_agg(regexp_replace(pg_get_indexdef(x.indexrelid), '^.* USING ', ''), '; ' ORDER BY 1)
				FROM pg_index x WHERE x.indrelid = c.oid), '-')
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = '$table'::regclass AND c.relname LIKE '%_p2025%' ORDER BY c.relname});
}

ilp_send($node, join('',
	"cpu,host=a,region=eu usage=1i " . ns('2025-11-25 10:10') . "\n",
	"cpu,host=b,region=eu usage=2i " . ns('2025-11-25 11:10') . "\n"));
wait_for($node, 'SELECT count(*) FROM cpu', '2', 'rows land in two partitions');
is($node->safe_psql('postgres',
		"SELECT regexp_replace(pg_get_indexdef(indexrelid), '^.* USING ', '') FROM pg_index WHERE indrelid = 'cpu'::regclass"),
	q{brin ("time") WITH (autosummarize='on')}, 'the new table has a BRIN time index');
is(part_indexes('cpu'),
	"cpu_p20251125_1000: brin (\"time\") WITH (autosummarize='on')\n"
	  . "cpu_p20251125_1100: brin (\"time\") WITH (autosummarize='on')",
	'every partition has it');

# A tag index: on the partitions there, and on those the worker makes later.
is($node->safe_psql('postgres', "SELECT streamstat.set_indexes('cpu', '{host}')"),
	'cpu_host_time_idx', 'set_indexes names the index');
ilp_send($node, "cpu,host=c,region=us usage=3i " . ns('2025-11-25 12:10') . "\n");
wait_for($node, 'SELECT count(*) FROM cpu', '3', 'a row in a third partition');
is(part_indexes('cpu'),
	join("\n", map { "cpu_p20251125_${_}00: brin (\"time\") WITH (autosummarize='on'); btree (host, \"time\" DESC)" } 10 .. 12),
	'old and new partitions have both indexes');
is($node->safe_psql('postgres', "SELECT partitions >= 3 FROM streamstat.indexes WHERE relation = 'cpu'::regclass"),
	't', 'streamstat.indexes counts the partitions');

# Rows still land and the planner uses the tag index for one series.
is($node->safe_psql('postgres', q{
	SET enable_seqscan = off; SET enable_bitmapscan = off;
	EXPLAIN (COSTS OFF) SELECT * FROM cpu WHERE host = 'c' AND time > '2025-11-25 12:00+00'}) =~ /Index Scan using \S*host_time_idx/ ? 1 : 0,
	1, 'a one-series query uses the tag index');

# streamstat.time_index off: new tables get no index.  Probe until the
# worker has the reloaded setting.
$node->safe_psql('postgres', "ALTER SYSTEM SET streamstat.time_index = off");
$node->reload;
my $plain = 0;
for my $i (1 .. 100)
{
	ilp_send($node, "probe$i v=1i " . ns('2025-11-25 10:00') . "\n");
	$node->poll_query_until('postgres', "SELECT count(*) FROM probe$i", '1')
	  or die "probe$i never landed";
	if ($node->safe_psql('postgres', "SELECT count(*) FROM pg_index WHERE indrelid = 'probe$i'::regclass") eq '0')
	{
		$plain = $i;
		last;
	}
}
ok($plain, 'with streamstat.time_index off a new table has no index');
is(part_indexes("probe$plain"), "probe${plain}_p20251125_1000: -", 'nor its partitions');
# A table made before keeps its index on new partitions.
ilp_send($node, "cpu,host=d usage=4i " . ns('2025-11-25 13:10') . "\n");
wait_for($node, 'SELECT count(*) FROM cpu', '4', 'a row in a fourth partition');
like(part_indexes('cpu'), qr/cpu_p20251125_1300: brin \("time"\)[^\n]*; btree \(host, "time" DESC\)/,
	'an older table keeps its indexes on new partitions');

$node->stop;
done_testing();
