# Ingest on a Citus cluster: with streamstat.distribute_by a new
# measurement becomes a distributed table whose time partitions exist on
# every shard and whose rows spread over the workers; a table the user
# distributed beforehand is used as it is; bad lines go to rejects; HTTP
# answers 204 only after the distributed commit; two nodes ingest into the
# same table at once without loss or duplicates; a worker node stopped
# during ingest makes the flush fail, be kept and retried, and nothing is
# lost once the node is back.  Skipped when Citus is not installed.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;
use CitusCluster;

plan skip_all => 'Citus not installed (see README)' unless citus_available();

my ($coord, $w1, $w2) = citus_cluster(distribute_by => 'host');
sub sql { $coord->safe_psql('postgres', $_[0]) }

# Rows per worker node of a distributed table (through the shards).
sub rows_per_node
{
	my ($table) = @_;
	return sql(qq{
		SELECT string_agg(n::text, ',' ORDER BY nodeport) FROM (
			SELECT p.nodeport, sum(r.result::bigint) n
			FROM run_command_on_shards('$table', 'SELECT count(*) FROM %s') r
			JOIN pg_dist_shard_placement p USING (shardid)
			GROUP BY p.nodeport) s});
}

# 1. A new measurement, 40 hosts over two days: a distributed table.
my $t0 = 1764028800;    # 2025-11-25 00:00 UTC
ilp_send($coord, join '', map {
	my $i = $_;
	"cpu,host=h" . ($i % 40) . " v=$i,seq=${i}i " . ($t0 + $i * 90) . "000000000\n"
} 0 .. 1999);
wait_for($coord, 'SELECT count(*) FROM cpu', '2000', 'the rows of a new measurement arrive');
is(sql(q{SELECT column_to_column_name(logicalrelid, partkey) FROM pg_dist_partition
	WHERE logicalrelid = 'cpu'::regclass}), 'host', 'cpu is distributed by the tag streamstat.distribute_by names');
is(sql(q{SELECT count(*) > 0 FROM pg_inherits WHERE inhparent = 'cpu'::regclass}), 't',
	'cpu has time partitions');
is(sql(q{SELECT bool_and(c.logicalrelid IS NOT NULL) FROM pg_inherits i
	LEFT JOIN pg_dist_partition c ON c.logicalrelid = i.inhrelid WHERE i.inhparent = 'cpu'::regclass}),
	't', 'every time partition is distributed too');
is(sql(q{SELECT count(DISTINCT s.nodeport) FROM pg_inherits i JOIN citus_shards s ON s.table_name = i.inhrelid::regclass
	WHERE i.inhparent = 'cpu'::regclass}), '2', 'the partitions have shards on both workers');
my @per_node = split /,/, rows_per_node('cpu');
is(scalar(@per_node), 2, 'rows are on both workers');
ok(!grep({ $_ == 0 } @per_node), 'no worker is empty') or diag("rows per node: @per_node");
is(sql('SELECT count(DISTINCT seq) FROM cpu'), '2000', 'every row once');

# 2. A table the user distributed beforehand, by another column.
sql(q{
	CREATE TABLE mem (time timestamptz NOT NULL, region text, used float8) PARTITION BY RANGE (time);
	SELECT create_distributed_table('mem', 'region');
});
ilp_send($coord, join '', map {
	"mem,region=r" . ($_ % 5) . ",host=x used=$_ " . ($t0 + $_) . "000000000\n"
} 1 .. 100);
wait_for($coord, 'SELECT count(*) FROM mem', '100', 'rows reach a pre-distributed table');
is(sql(q{SELECT column_to_column_name(logicalrelid, partkey) FROM pg_dist_partition
	WHERE logicalrelid = 'mem'::regclass}), 'region', 'its distribution column is left as it was');
is(sql('SELECT count(DISTINCT host) FROM mem'), '1', 'a new tag became a column of the distributed table');

# 3. Bad lines and bad rows go to rejects; the others land.
my $rejects0 = sql('SELECT count(*) FROM streamstat.rejects');
ilp_send($coord, "cpu,host=h1 v=1,seq=5000i " . ($t0 + 10) . "000000000\n"
	  . "cpu,host=h1 v=\"text\",seq=5001i " . ($t0 + 11) . "000000000\n"
	  . "cpu,host=h2 v=2,seq=5002i " . ($t0 + 12) . "000000000\n"
	  . "cpu,host=h3 v=oops\n"
	  . "mem,host=y used=1 " . ($t0 + 13) . "000000000\n");
wait_for($coord, 'SELECT count(*) FROM cpu WHERE seq >= 5000', '2', 'the good lines land');
wait_for($coord, "SELECT count(*) - $rejects0 FROM streamstat.rejects", '3', 'the bad ones are rejected');
like(sql(q{SELECT string_agg(reason, ' | ') FROM streamstat.rejects WHERE line LIKE 'mem,%'}),
	qr/null value in column "region"|partition column|distribution column/,
	'a row without the distribution column is rejected with the database\'s reason');

# 4. HTTP: 204 only once the rows are committed on the shards.
my ($st) = http_request($coord, '--data-binary',
	"cpu,host=h7 v=7,seq=6000i " . ($t0 + 20) . "000000000\n", '/write?db=x');
is($st, '204', 'HTTP write answers 204');
is(sql('SELECT count(*) FROM cpu WHERE seq = 6000'), '1', 'the row is there when 204 arrives');

# 5. Two nodes ingest into the same distributed table at once.
my $n = 3000;
my $batch = sub {
	my ($base) = @_;
	join '', map { "cpu,host=h" . ($_ % 40) . " v=$_,seq=" . ($base + $_) . "i " . ($t0 + 100 + $_) . "000000000\n" } 1 .. $n;
};
my ($c1, $c2) = (ilp_connect($coord), ilp_connect($w1));
print $c1 $batch->(100000);
print $c2 $batch->(200000);
close $c1;
close $c2;
wait_for($coord, 'SELECT count(*) FROM cpu WHERE seq > 100000', 2 * $n, 'both nodes\' rows arrive');
is(sql('SELECT count(DISTINCT seq) FROM cpu WHERE seq > 100000'), 2 * $n, 'no row lost or duplicated');
is($w1->safe_psql('postgres', 'SELECT count(*) FROM cpu WHERE seq > 200000'), $n,
	'the worker node wrote through Citus (its rows are seen from the worker too)');

# 6. A worker node stops during ingest: the flush fails and is retried.
$w2->stop('fast');
ilp_send($coord, join '', map {
	"cpu,host=h" . ($_ % 40) . " v=$_,seq=" . (300000 + $_) . "i " . ($t0 + 200 + $_) . "000000000\n"
} 1 .. 500);
ok($coord->poll_query_until('postgres',
	q{SELECT count(*) > 0 FROM streamstat.ingest_stats WHERE last_error <> ''}),
	'the flush fails while a worker node is down');
$w2->start;
wait_for($coord, 'SELECT count(*) FROM cpu WHERE seq > 300000', '500',
	'the kept batch lands once the node is back');
is(sql('SELECT count(DISTINCT seq) FROM cpu WHERE seq > 300000'), '500', 'nothing lost or duplicated');
is(sql("SELECT count(*) - $rejects0 FROM streamstat.rejects"), '3', 'and nothing rejected');

$_->stop for ($coord, $w1, $w2);
done_testing();
