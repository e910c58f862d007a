# StreamstatNode: shared helpers of the ingest TAP tests.
#
# streamstat_node() starts a PostgreSQL::Test::Cluster with streamstat
# preloaded, its listener on a free port, the extension created, and waits
# until the ingest worker listens.  ilp_send() sends lines over TCP;
# wait_for() polls a query until it returns the expected value.
package StreamstatNode;

use strict;
use warnings;
use Exporter 'import';
use IO::Socket::INET;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(streamstat_node ilp_connect ilp_send wait_for);

# A started node; %conf holds extra streamstat.* settings.
sub streamstat_node
{
	my ($name, %conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	my $port = PostgreSQL::Test::Cluster::get_free_port();
	$node->init;
	my $extra = join '', map { "streamstat.$_ = '$conf{$_}'\n" } sort keys %conf;
	$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'streamstat'
streamstat.port = $port
streamstat.http_port = 0
streamstat.listen_addresses = '127.0.0.1'
streamstat.flush_interval = 50
$extra});
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION streamstat');
	$node->{_streamstat_port} = $port;
	$node->wait_for_log(qr/listening on port $port/);
	return $node;
}

# A connected socket to the node's line-protocol port.
sub ilp_connect
{
	my ($node) = @_;
	my $sock = IO::Socket::INET->new(
		PeerAddr => '127.0.0.1',
		PeerPort => $node->{_streamstat_port},
		Proto => 'tcp') or die "cannot connect: $!";
	binmode $sock;
	return $sock;
}

# Send data on a fresh connection and close it.
sub ilp_send
{
	my ($node, $data) = @_;
	my $sock = ilp_connect($node);
	print $sock $data;
	close $sock;
}

# Poll until $sql returns $expected (fails the test after the timeout).
sub wait_for
{
	my ($node, $sql, $expected, $what) = @_;
	ok($node->poll_query_until('postgres', $sql, $expected), $what)
	  or diag("last: " . $node->safe_psql('postgres', $sql));
}

1;
