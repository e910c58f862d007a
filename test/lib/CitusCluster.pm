# CitusCluster: a local Citus cluster for the scale-out TAP tests.
#
# citus_available() says whether Citus is installed for the PostgreSQL on
# PATH (its library and control file).  citus_cluster() starts a
# coordinator and two worker nodes (PostgreSQL::Test::Cluster, free ports),
# each with citus and streamstat preloaded and created and streamstat's
# listeners on free ports, registers the workers with the coordinator and
# returns the three nodes, coordinator first.
package CitusCluster;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(citus_available citus_cluster citus_node_start);

# Whether citus.so and citus.control are installed for pg_config on PATH.
sub citus_available
{
	my $lib = `pg_config --pkglibdir`;
	my $share = `pg_config --sharedir`;
	return 0 unless defined $lib && defined $share;
	chomp($lib, $share);
	return -f "$lib/citus.so" && -f "$share/extension/citus.control";
}

# One node, initialised and started; %conf holds extra streamstat.* settings.
sub citus_node_start
{
	my ($name, %conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	my $port = PostgreSQL::Test::Cluster::get_free_port();
	my $http_port = PostgreSQL::Test::Cluster::get_free_port();
	$node->init;
	my $extra = join '', map { "streamstat.$_ = '$conf{$_}'\n" } sort keys %conf;
	$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'citus,streamstat'
listen_addresses = '127.0.0.1'
citus.local_hostname = '127.0.0.1'
max_prepared_transactions = 20
streamstat.port = $port
streamstat.http_port = $http_port
streamstat.listen_addresses = '127.0.0.1'
streamstat.flush_interval = 50
$extra});
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION citus');
	$node->safe_psql('postgres', 'CREATE EXTENSION streamstat');
	$node->{_streamstat_port} = $port;
	$node->{_streamstat_http_port} = $http_port;
	$node->wait_for_log(qr/listening on port $port/);
	$node->wait_for_log(qr/listening on HTTP port $http_port/);
	return $node;
}

# Coordinator and two workers, registered; %conf goes to every node.
sub citus_cluster
{
	my (%conf) = @_;
	my @nodes = map { citus_node_start($_, %conf) } qw(coordinator worker1 worker2);
	my $coord = $nodes[0];
	$coord->safe_psql('postgres',
		"SELECT citus_set_coordinator_host('127.0.0.1', " . $coord->port . ")");
	$coord->safe_psql('postgres',
		"SELECT citus_add_node('127.0.0.1', " . $_->port . ")")
	  for @nodes[ 1 .. 2 ];
	return @nodes;
}

1;
