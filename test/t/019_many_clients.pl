# 1000 concurrent clients held by one worker (streamstat.max_connections
# raised): every connection stays open with a line half sent until all are
# connected, then each finishes its line; every line lands.  The worker
# raises its own limit on open files for its sockets (the server here runs
# with the soft limit of the test, often 1024), and counts the connections'
# buffers toward streamstat.worker_memory.
use strict;
use warnings;
use IO::Socket::INET;
use POSIX ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $clients = 1000;
my $per_child = 250;    # 4 processes: each stays under a 1024-file limit
my $node = streamstat_node('manyclients', max_connections => 1100);

# Children connect and send half a line each, say so, then wait for a go.
my @kids;
for my $k (0 .. $clients / $per_child - 1)
{
	pipe(my $ready_r, my $ready_w) or die "pipe: $!";
	pipe(my $go_r, my $go_w) or die "pipe: $!";
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		close $ready_r;
		close $go_w;
		my @socks;
		for my $i (1 .. $per_child)
		{
			my $s = IO::Socket::INET->new(
				PeerAddr => '127.0.0.1',
				PeerPort => $node->{_streamstat_port},
				Proto => 'tcp') or die "connect $i: $!";
			my $n = $k * $per_child + $i;
			syswrite($s, "many,client=c$n v=");
			push @socks, [ $s, $n ];
		}
		syswrite($ready_w, "r");
		sysread($go_r, my $c, 1);
		syswrite($_->[0], "$_->[1]i\n"), close($_->[0]) for @socks;
		POSIX::_exit(0);
	}
	close $ready_w;
	close $go_r;
	push @kids, [ $pid, $ready_r, $go_w ];
}
sysread($_->[1], my $c, 1) for @kids;

wait_for($node, 'SELECT sum(connections_open) FROM streamstat.ingest_stats', $clients,
	"$clients connections are open at once");
is($node->safe_psql('postgres', 'SELECT to_regclass(\'many\') IS NULL'), 't',
	'no line is complete yet');
unlike(slurp_file($node->logfile), qr/could not accept|refuses connections/,
	'none was refused or failed');

syswrite($_->[2], "g") for @kids;
waitpid($_->[0], 0) for @kids;
wait_for($node, 'SELECT count(*), count(DISTINCT client), sum(v) FROM many',
	"$clients|$clients|" . ($clients * ($clients + 1) / 2), 'every client\'s line lands');
wait_for($node, 'SELECT sum(connections_open) FROM streamstat.ingest_stats', '0',
	'and every connection is closed');

$node->stop;
done_testing();
