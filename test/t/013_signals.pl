# Signals and crashes: SIGHUP applies reloadable settings; SIGTERM (alone or
# in a fast shutdown) writes everything received before the worker exits;
# a terminated worker is started again; kill -9 of the worker makes the
# postmaster restart and the worker listen again.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use StreamstatNode;

my $node = streamstat_node('signals', flush_interval => '1h', batch_rows => 1000000);
my $stats = 'SELECT %s FROM streamstat.ingest_stats';

sub stat1 { my ($col) = @_; return $node->safe_psql('postgres', sprintf($stats, $col)); }

# SIGTERM alone: lines read but not yet written are written before exit.
my $lines = join '', map { "sig,n=n$_ v=${_}i\n" } 1 .. 500;
ilp_send($node, $lines);
wait_for($node, sprintf($stats, 'lines_received'), '500', 'the worker has read the lines');
is($node->safe_psql('postgres', q{SELECT to_regclass('sig') IS NULL}), 't',
	'nothing is written yet (flush_interval is 1h)');
my $pid = stat1('pid');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
wait_for($node, q{SELECT count(*) FROM sig}, '500', 'SIGTERM writes what was received');
wait_for($node, sprintf($stats, "pid IS NOT NULL AND pid <> $pid"), 't',
	'the terminated worker is started again');

# SIGHUP: a pending line is written as soon as a shorter flush_interval applies.
ilp_send($node, "sig,n=after v=501i\n");
wait_for($node, sprintf($stats, 'lines_received'), '1', 'the new worker reads a line');
is($node->safe_psql('postgres', q{SELECT count(*) FROM sig}), '500', 'which waits for its flush');
$node->safe_psql('postgres', "ALTER SYSTEM SET streamstat.flush_interval = '50ms'");
$node->reload;
wait_for($node, q{SELECT count(*) FROM sig}, '501', 'after SIGHUP the new flush_interval applies');

# SIGHUP: a lower max_line_bytes rejects longer lines from then on.
$node->safe_psql('postgres', "ALTER SYSTEM SET streamstat.max_line_bytes = '1kB'");
$node->reload;
my $applied = 0;
for my $i (1 .. 50)
{
	my $before = stat1('lines_rejected + rows_inserted');
	my $rejected = stat1('lines_rejected');
	ilp_send($node, "long,i=$i s=\"" . ('x' x 2000) . "\"\n");
	$node->poll_query_until('postgres', sprintf($stats, "lines_rejected + rows_inserted > $before"), 't')
	  or last;
	$applied = 1, last if stat1('lines_rejected') > $rejected;
}
ok($applied, 'after SIGHUP a line over the new max_line_bytes is rejected');
wait_for($node, q{SELECT count(*) > 0 FROM streamstat.rejects
	WHERE line LIKE 'long,%' AND reason LIKE '%longer than streamstat.max_line_bytes (1024 bytes)%'}, 't',
	'with the limit in the reason');

# kill -9 of the worker: the postmaster restarts, the worker listens again.
$node->append_conf('postgresql.conf', "restart_after_crash = on\n");
$node->reload;
$node->poll_query_until('postgres', q{SELECT setting FROM pg_settings WHERE name = 'restart_after_crash'}, 'on')
  or die 'restart_after_crash not on';
$pid = stat1('pid');
kill 'KILL', $pid;
$node->poll_query_until('postgres', sprintf($stats, "pid IS NOT NULL AND pid <> $pid"), 't')
  or die 'no worker after the crash restart';
my $landed = 0;
for my $i (1 .. 100)
{
	# The new worker may still be opening its port: retry the connection.
	my $ok = eval { ilp_send($node, "crash,i=i$i v=${i}i\n"); 1 };
	if ($ok)
	{
		$landed = $node->poll_query_until('postgres',
			qq{SELECT count(*) FROM streamstat.ingest_stats WHERE lines_received > 0}, '1');
		last;
	}
	usleep(100_000);
}
wait_for($node, q{SELECT count(*) FROM crash}, '1', 'the line sent after the crash lands') if $landed;
ok($landed > 0, 'after kill -9 the worker listens again and lines land');

$node->stop;

# Fast shutdown: received lines are written before the server stops.
my $shut = streamstat_node('shutdown', flush_interval => '1h', batch_rows => 1000000);
ilp_send($shut, join '', map { "shut,n=n$_ v=${_}i\n" } 1 .. 300);
wait_for($shut, sprintf($stats, 'lines_received'), '300', 'the worker has read the lines');
is($shut->safe_psql('postgres', q{SELECT to_regclass('shut') IS NULL}), 't', 'none written yet');
$shut->stop('fast');
$shut->start;
is($shut->safe_psql('postgres', q{SELECT count(*) FROM shut}), '300',
	'a fast shutdown writes the received lines first');
$shut->stop;

done_testing();
