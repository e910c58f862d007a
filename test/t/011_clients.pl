# Many clients at once: 100 concurrent connections with interleaved writes
# and lines split at arbitrary bytes all land exactly once; the connection
# cap refuses extra clients (logged once per burst); two workers share the
# port and both take connections.
use strict;
use warnings;
use IO::Socket::INET;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $node = streamstat_node('clients', max_connections => 150);

# 100 sockets open at once; each sends 50 lines, written in pieces cut at
# pseudo-random byte positions, round-robin over all sockets.
my $nclients = 100;
my $nlines = 50;
my @socks = map { ilp_connect($node) } 1 .. $nclients;
my @data;
my $expected_sum = 0;
for my $c (0 .. $nclients - 1)
{
	my $text = '';
	for my $l (1 .. $nlines)
	{
		my $v = $c * 1000 + $l;
		$text .= "many,client=c$c,kind=k" . ($l % 3) . " v=${v}i,f=$l.5\n";
		$expected_sum += $v;
	}
	push @data, $text;
}
my $seed = 12345;
my $left = $nclients;
while ($left > 0)
{
	$left = 0;
	for my $c (0 .. $nclients - 1)
	{
		next unless length $data[$c];
		$seed = ($seed * 1103515245 + 12345) % 2147483648;
		my $n = 1 + $seed % 97;
		my $piece = substr($data[$c], 0, $n, '');
		print { $socks[$c] } $piece;
		$socks[$c]->flush;
		$left++ if length $data[$c];
	}
}
wait_for($node, 'SELECT connections_open FROM streamstat.ingest_stats',
	$nclients, "$nclients connections are open at once");
close $_ for @socks;
wait_for($node, 'SELECT count(*) FROM many', $nclients * $nlines, 'every line of every client lands');
is($node->safe_psql('postgres', 'SELECT sum(v) FROM many'), $expected_sum, 'each exactly once (sum of values)');
is($node->safe_psql('postgres', 'SELECT count(DISTINCT client) FROM many'), $nclients, 'from every client');
is($node->safe_psql('postgres', 'SELECT count(*) FROM streamstat.rejects'), '0', 'no line was cut wrongly');
wait_for($node, 'SELECT connections_open FROM streamstat.ingest_stats', '0', 'closed connections are counted out');
$node->stop;

# The cap: with max_connections = 5, a sixth client is closed at once.
my $capped = streamstat_node('capped', max_connections => 5);
my @five = map { ilp_connect($capped) } 1 .. 5;
print { $five[$_] } "capped,n=$_ v=1\n" for 0 .. 4;
$_->flush for @five;
wait_for($capped, 'SELECT connections_open FROM streamstat.ingest_stats', '5', 'five clients are served');
my @extra = map { ilp_connect($capped) } 1 .. 3;
for my $i (0 .. $#extra)
{
	my $buf;
	$extra[$i]->blocking(1);
	# The server closes a refused socket: a read sees EOF (or a reset).
	my $n = sysread($extra[$i], $buf, 1);
	ok(!$n, "extra client " . ($i + 1) . " is refused");
}
my $log = slurp_file($capped->logfile);
my @refusals = ($log =~ /refuses connections: streamstat\.max_connections \(5\) are open/g);
is(scalar @refusals, 1, 'the refusals are logged once, not per connection');
close $_ for @five;
wait_for($capped, 'SELECT count(*) FROM capped', '5', 'the served clients\' lines land');
wait_for($capped, 'SELECT connections_open FROM streamstat.ingest_stats', '0', 'all closed');
my $after = ilp_connect($capped);
print $after "capped,n=after v=2\n";
close $after;
wait_for($capped, 'SELECT count(*) FROM capped', '6', 'a client is served again once there is room');
$capped->stop;

# Two workers share the port; the kernel spreads connections over them.
my $two = streamstat_node('two', workers => 2);
is($two->safe_psql('postgres', 'SELECT count(pid) FROM streamstat.ingest_stats'), '2',
	'two workers run');
# Wait until the second one listens too (both log it).
$two->wait_for_log(qr/ingest worker 2 listening on port/);
my $sent = 0;
for my $round (1 .. 200)
{
	ilp_send($two, "spread,round=r$round v=${round}i\n");
	$sent++;
	last if $round >= 20 && $two->safe_psql('postgres',
		'SELECT count(*) FROM streamstat.ingest_stats WHERE connections_total > 0') eq '2';
}
is($two->safe_psql('postgres', 'SELECT count(*) FROM streamstat.ingest_stats WHERE connections_total > 0'),
	'2', "connections reach both workers (after $sent)");
wait_for($two, 'SELECT count(*) FROM spread', $sent, 'and every line lands');
$two->stop;

done_testing();
