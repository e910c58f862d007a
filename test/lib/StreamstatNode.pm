# StreamstatNode: shared helpers of the ingest TAP tests.
#
# streamstat_node() starts a PostgreSQL::Test::Cluster with streamstat
# preloaded, its listener on a free port, the extension created, and waits
# until the ingest worker listens (with http => 1 also the HTTP write API on
# another free port, http_url() says where).  ilp_send() sends lines over
# TCP; http_request() runs curl against the HTTP port; wait_for() polls a
# query until it returns the expected value.
package StreamstatNode;

use strict;
use warnings;
use Exporter 'import';
use IO::Socket::INET;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(streamstat_node ilp_connect ilp_send wait_for http_url http_request);

# A started node; %conf holds extra streamstat.* settings, and http => 1
# turns the HTTP write API on (on a free port).
sub streamstat_node
{
	my ($name, %conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	my $port = PostgreSQL::Test::Cluster::get_free_port();
	my $http = delete $conf{http};
	my $http_port = $http ? PostgreSQL::Test::Cluster::get_free_port() : 0;
	$node->init;
	my $extra = join '', map { "streamstat.$_ = '$conf{$_}'\n" } sort keys %conf;
	$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'streamstat'
streamstat.port = $port
streamstat.http_port = $http_port
streamstat.listen_addresses = '127.0.0.1'
streamstat.flush_interval = 50
$extra});
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION streamstat');
	$node->{_streamstat_port} = $port;
	$node->{_streamstat_http_port} = $http_port;
	$node->wait_for_log(qr/listening on port $port/);
	$node->wait_for_log(qr/listening on HTTP port $http_port/) if $http;
	return $node;
}

# Base URL of the node's HTTP write API.
sub http_url
{
	my ($node) = @_;
	return "http://127.0.0.1:$node->{_streamstat_http_port}";
}

# Run curl with @args (a path relative to http_url() is made absolute);
# returns (status, body, headers).
sub http_request
{
	my ($node, @args) = @_;
	my $base = http_url($node);
	my $hdr = "$PostgreSQL::Test::Utils::tmp_check/curl_headers.$$";
	@args = map { m{^/} ? "$base$_" : $_ } @args;
	my ($out, $err);
	IPC::Run::run([ 'curl', '-sS', '--max-time', '60', '-D', $hdr,
		'-w', '\n%{http_code}', @args ], '>', \$out, '2>', \$err);
	my ($body, $status) = $out =~ /\A(.*)\n(\d+)\z/s
	  or return (0, $err, '');
	my $headers = -e $hdr ? PostgreSQL::Test::Utils::slurp_file($hdr) : '';
	unlink $hdr;
	return ($status, $body, $headers);
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
