# BiNode: a cluster with demo-like data for the BI client tests
# (test/t/05x_*.pl: JDBC, psycopg2, the Grafana dashboard).
#
# bi_node() starts a PostgreSQL::Test::Cluster with streamstat preloaded
# that also listens on TCP 127.0.0.1 (JDBC has no Unix sockets), creates the
# extension, and streams six hours of readings of three sensors (and three
# malformed lines) through the line-protocol socket, as scripts/demo.sh
# does, at fixed times or (recent => 1) up to now; bi_range() gives them.
# With one-hour partitions the rows land in several.  bi_run() runs a client program with the connection
# in PGHOST/PGPORT/PGUSER/PGDATABASE and takes over its TAP lines ("ok N -
# ...", "not ok N - ...") as checks of the calling test.
package BiNode;

use strict;
use warnings;
use Exporter 'import';
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

our @EXPORT = qw(bi_node bi_run bi_range);

# Readings every 10 s for six hours, from 2025-11-25 00:00:10 UTC (or with
# recent => 1, over the six hours before now).
my $T0 = 1764028800;
my $STEPS = 6 * 360;

# The time range of a node's readings (epoch seconds): first reading and,
# for recent data, the time loading ended (the rejects are stamped then).
sub bi_range
{
	my ($node) = @_;
	return ($node->{_bi_t0} + 10, $node->{_bi_end});
}

# The started, loaded node.
sub bi_node
{
	my ($name, %opt) = @_;
	my $t0 = $opt{recent} ? int(time() / 10) * 10 - 10 * $STEPS : $T0;
	my $node = PostgreSQL::Test::Cluster->new($name);
	my $port = PostgreSQL::Test::Cluster::get_free_port();
	$node->init;
	$node->append_conf('postgresql.conf', qq{
listen_addresses = '127.0.0.1'
shared_preload_libraries = 'streamstat'
streamstat.port = $port
streamstat.http_port = 0
streamstat.listen_addresses = '127.0.0.1'
streamstat.flush_interval = 50
streamstat.partition_interval = '1h'
});
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION streamstat');
	$node->{_streamstat_port} = $port;
	$node->wait_for_log(qr/listening on port $port/);

	# A daily swing, a drift on s2, deterministic noise; ints and booleans.
	my $lines = '';
	for my $i (1 .. $STEPS)
	{
		my $t = $t0 + 10 * $i;
		for my $s (1 .. 3)
		{
			my $temp = 20 + 3 * sin($t / 3600) + ($s == 2 ? $i / 360 : 0)
			  + 0.5 * sin($i * 7.3 + $s * 1.7);
			$lines .= sprintf "sensor,site=lab,id=s%d temperature=%.3f,humidity=%di,ok=%s %d000000000\n",
			  $s, $temp, 40 + ($i * $s) % 10, ($i % 97 ? 'true' : 'false'), $t;
		}
		$lines .= "sensor,site=lab,id=s1 temperature=not_a_number\n" if $i == 2000;
		$lines .= "sensor,site=lab id=s2\n" if $i == 1000;
		$lines .= "sensor temperature=21.5 123abc\n" if $i == 500;
	}
	ilp_send($node, $lines);
	wait_for($node, 'SELECT count(*) FROM sensor', 3 * $STEPS, 'demo readings ingested through the worker');
	wait_for($node, 'SELECT count(*) FROM streamstat.rejects', '3', 'malformed demo lines rejected');
	# Once rollups are part of the extension (streamstat.create_rollup), a
	# one-minute rollup of the readings too, with percentile sketches
	# (the Grafana p99 panel reads them); the clients then check it
	# (BI_ROLLUP names it).
	if ($node->safe_psql('postgres',
			q{SELECT count(*) > 0 FROM pg_proc WHERE proname = 'create_rollup' AND pronamespace = 'streamstat'::regnamespace}) eq 't')
	{
		$node->safe_psql('postgres', q{SELECT streamstat.create_rollup('sensor_1m', 'sensor', '1 minute', percentiles => true)});
		$node->{_bi_rollup} = 'sensor_1m';
	}
	$node->{_bi_t0} = $t0;
	$node->{_bi_end} = $opt{recent} ? time() + 1 : $t0 + 10 * $STEPS;
	return $node;
}

# Run @cmd against $node; every TAP line it prints becomes a check here.
# A program that fails, or prints no check, fails one more.
sub bi_run
{
	my ($node, $label, @cmd) = @_;
	my ($out, $err) = ('', '');
	local $ENV{PGHOST} = '127.0.0.1';
	local $ENV{PGPORT} = $node->port;
	local $ENV{PGUSER} = scalar getpwuid($<);
	local $ENV{PGDATABASE} = 'postgres';
	local $ENV{BI_ROLLUP} = $node->{_bi_rollup} // '';
	my $ok = IPC::Run::run(\@cmd, '<', \undef, '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default * 2));
	my $checks = 0;
	for my $line (split /\n/, $out)
	{
		if ($line =~ /^(not )?ok \d+\s*-?\s*(.*)$/)
		{
			ok(!defined $1, "$label: $2");
			$checks++;
		}
		elsif ($line =~ /^#/)
		{
			note($line);
		}
	}
	ok($ok && $checks > 0, "$label: ran to the end with $checks checks")
	  or diag("exit: $?\nstdout:\n$out\nstderr:\n$err");
	return $checks;
}

1;
