# The worker reports its table statistics after each flush: the rows it
# wrote show in pg_stat_user_tables (n_tup_ins, summed over the partitions
# of the streamed table) and autovacuum visits the partitions by its usual
# thresholds (autoanalyze, and the vacuum of insert-only tables).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $node = streamstat_node('tablestats', partition_interval => '1d');

# Autovacuum thresholds low enough for a few thousand rows, checked often.
$node->append_conf('postgresql.conf', q{
autovacuum_naptime = 1
autovacuum_analyze_threshold = 100
autovacuum_analyze_scale_factor = 0
autovacuum_vacuum_insert_threshold = 100
autovacuum_vacuum_insert_scale_factor = 0
});
$node->reload;

# Rows of one day (all in one partition), over several connections and
# flushes; the worker makes the table on the first line.
my $day = 1764028800;    # 2025-11-25 00:00:00 UTC
my $sent = 0;
for my $c (1 .. 4)
{
	my $data = '';
	for my $i (1 .. 1500)
	{
		my $ts = ($day + $c * 10000 + $i) * 1000000000;
		$data .= "tstats,host=h$c v=$i.5,n=${i}i $ts\n";
		$sent++;
	}
	ilp_send($node, $data);
}
wait_for($node, 'SELECT count(*) FROM tstats', $sent, "the $sent rows sent land");

my $parts = q{(SELECT inhrelid FROM pg_inherits WHERE inhparent = 'public.tstats'::regclass)};
wait_for($node, "SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables WHERE relid IN $parts",
	$sent, 'n_tup_ins of the partitions counts the rows sent');
wait_for($node, "SELECT bool_or(autoanalyze_count > 0) FROM pg_stat_user_tables WHERE relid IN $parts",
	't', 'autoanalyze visits the streamed partition');
wait_for($node, "SELECT bool_or(autovacuum_count > 0) FROM pg_stat_user_tables WHERE relid IN $parts",
	't', 'autovacuum visits the insert-only partition');
ok($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename
	WHERE c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'public.tstats'::regclass)
	  AND s.attname = 'v'}) > 0, 'the planner has statistics of a streamed column');

# Later rows, on a worker that has reported before: counted as well.
ilp_send($node, join('', map { "tstats,host=late v=$_ " . (($day + 50000 + $_) * 1000000000) . "\n" } 1 .. 100));
$sent += 100;
wait_for($node, "SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables WHERE relid IN $parts",
	$sent, 'rows of a later flush are counted too');

$node->stop;
done_testing();
