# Back-pressure: while a table is locked the worker cannot write; it keeps
# reading until its batch reaches streamstat.worker_memory, then stops
# reading, so the client's socket fills and its writes block.  Once the
# lock is gone every line lands; none is lost or rejected.
use strict;
use warnings;
use Errno qw(EAGAIN EWOULDBLOCK);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $node = streamstat_node('pressure', worker_memory => '1MB');
my $stats = 'SELECT %s FROM streamstat.ingest_stats';

# The table exists (one line), then another session locks it.
ilp_send($node, "bp,seq=s0 v=0i,pad=\"x\"\n");
wait_for($node, 'SELECT count(*) FROM bp', '1', 'the table is made');
my $locker = $node->background_psql('postgres');
$locker->query_safe('BEGIN; LOCK TABLE bp IN ACCESS EXCLUSIVE MODE;');

# Write without blocking until the socket takes no more.
my $pad = 'p' x 100;
my $total = 400_000;			# about 50 MB: far over the cap and socket buffers
my $sock = ilp_connect($node);
$sock->blocking(0);
my ($i, $pending, $written, $blocked) = (1, '', 0, 0);
while ($i <= $total || length $pending)
{
	while (length($pending) < 65536 && $i <= $total)
	{
		$pending .= "bp,seq=s$i v=${i}i,pad=\"$pad\"\n";
		$i++;
	}
	my $n = syswrite($sock, $pending);
	if (!defined $n)
	{
		die "write failed: $!" unless $! == EAGAIN || $! == EWOULDBLOCK;
		# Blocked: it stays so while the table is locked (check a few times).
		my $still = 1;
		for (1 .. 20)
		{
			select(undef, undef, undef, 0.05);
			my $m = syswrite($sock, $pending);
			if (defined $m) { substr($pending, 0, $m, ''); $written += $m; $still = 0; last; }
		}
		if ($still) { $blocked = 1; last; }
		next;
	}
	substr($pending, 0, $n, '');
	$written += $n;
}
ok($blocked, "the client's writes block while the table is locked (after $written bytes)");
my $received = $node->safe_psql('postgres', sprintf($stats, 'bytes_received'));
cmp_ok($received, '<', $written, 'the worker has read less than was written');
cmp_ok($received, '<', 8 * 1024 * 1024, 'and what it holds stays near its 1MB cap');
wait_for($node, sprintf($stats, q{last_error LIKE '%lock timeout%'}), 't',
	'ingest_stats says why it cannot write');
is($node->safe_psql('postgres', 'SELECT count(*) FROM streamstat.rejects'), '0', 'nothing is rejected meanwhile');

# Release the lock; write the rest (blocking) and close.
$locker->query_safe('COMMIT;');
$locker->quit;
$sock->blocking(1);
while ($i <= $total || length $pending)
{
	while (length($pending) < 65536 && $i <= $total)
	{
		$pending .= "bp,seq=s$i v=${i}i,pad=\"$pad\"\n";
		$i++;
	}
	my $n = syswrite($sock, $pending);
	die "write failed: $!" unless defined $n;
	substr($pending, 0, $n, '');
}
close $sock;
wait_for($node, 'SELECT count(*) FROM bp', $total + 1, 'every line lands once the lock is gone');
is($node->safe_psql('postgres', 'SELECT sum(v) FROM bp'), $total * ($total + 1) / 2, 'each exactly once');
is($node->safe_psql('postgres', 'SELECT count(*) FROM streamstat.rejects'), '0', 'and none is rejected');

# Several tables in one batch, one of them locked: the flush waits (retries)
# as a whole, and then all land.
ilp_send($node, "other v=1i\n");
wait_for($node, 'SELECT count(*) FROM other', '1', 'a second table');
$locker = $node->background_psql('postgres');
$locker->query_safe('BEGIN; LOCK TABLE other IN ACCESS EXCLUSIVE MODE;');
my $seen = $node->safe_psql('postgres', sprintf($stats, 'lines_received'));
my $flushes = $node->safe_psql('postgres', sprintf($stats, 'flushes'));
ilp_send($node, "bp,seq=t v=-1i,pad=\"y\"\nother v=2i\nthird v=3i\n");
wait_for($node, sprintf($stats, "lines_received - $seen || ' ' || (flushes > $flushes)::int"), '3 1',
	'the worker has read the lines and tried to write them');
is($node->safe_psql('postgres', q{SELECT count(*) FROM bp WHERE seq = 't'}), '0',
	'the unlocked table waits too: one batch is one transaction');
$locker->query_safe('COMMIT;');
$locker->quit;
wait_for($node, q{SELECT (SELECT count(*) FROM other) || ' ' || (SELECT count(*) FROM third) || ' ' || (SELECT count(*) FROM bp WHERE seq = 't')},
	'2 1 1', 'then every table of the batch gets its rows');

$node->stop;
done_testing();
