# Two ingest workers share the HTTP port (SO_REUSEPORT): concurrent
# requests are all answered 204 with every row stored; the connection cap
# counts HTTP and line-protocol connections together.
use strict;
use warnings;
use IO::Select;
use IO::Socket::INET;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $node = streamstat_node('workers', http => 1, workers => 2, flush_interval => '1h');
my $tmp = $PostgreSQL::Test::Utils::tmp_check;
$node->wait_for_log(qr/worker 2 listening on HTTP port/);

# 12 concurrent requests of 1000 rows, over fresh connections.
my @runs;
for my $k (1 .. 12)
{
	my $f = "$tmp/w$k";
	open my $fh, '>', $f or die $!;
	print $fh map { "wk,k=$k v=${_}i\n" } 1 .. 1000;
	close $fh;
	my $out = '';
	push @runs, [ IPC::Run::start([ 'curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}',
		'--data-binary', "\@$f",
		http_url($node) . '/api/v2/write' ], '>', \$out, '2>', \my $err), \$out ];
}
$_->[0]->finish for @runs;
my @codes = map { ${ $_->[1] } } @runs;
is(join(',', @codes), join(',', ('204') x 12), 'every concurrent request answered 204');
is($node->safe_psql('postgres', 'SELECT count(*) || \',\' || count(DISTINCT (k, v)) FROM wk'),
	'12000,12000', 'every row stored once (flush_interval is an hour: each 204 forced its flush)');
$node->stop;

# The cap of 3 connections (one worker), counted over both kinds: 3 idle
# HTTP connections fill it; a line-protocol connection is then closed at
# once.
$node = streamstat_node('cap', http => 1, max_connections => 3);
my @idle = map {
	IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $node->{_streamstat_http_port},
		Proto => 'tcp') or die $!
} 1 .. 3;
# Each is accepted once a request on it is answered.
for my $s (@idle)
{
	print $s "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n";
	my $sel = IO::Select->new($s);
	my $got = '';
	while ($got !~ /\r\n\r\n/ && $sel->can_read($PostgreSQL::Test::Utils::timeout_default))
	{
		sysread($s, my $buf, 4096) or last;
		$got .= $buf;
	}
	like($got, qr/\AHTTP\/1\.1 204/, 'an HTTP connection is served');
}
my $ilp = ilp_connect($node);
my $sel = IO::Select->new($ilp);
ok($sel->can_read($PostgreSQL::Test::Utils::timeout_default) && !sysread($ilp, my $x, 1),
	'a line-protocol connection over the shared cap is closed');
$node->wait_for_log(qr/refuses connections: streamstat.max_connections \(3\)/);
close $_ for @idle, $ilp;

$node->stop;
done_testing();
