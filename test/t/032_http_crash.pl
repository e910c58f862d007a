# An HTTP 204 is durable: kill -9 of the postmaster right after a 204
# loses none of the rows acknowledged before it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $node = streamstat_node('crash', http => 1, flush_interval => '10s');
my $tmp = $PostgreSQL::Test::Utils::tmp_check;

# Requests of 500 rows each; the killing happens right after the 204 of
# request 8, while request 9 is already on its way.
my @acked;
for my $k (1 .. 8)
{
	my $f = "$tmp/req$k";
	open my $fh, '>', $f or die $!;
	print $fh map { "crash,k=$k v=${_}i\n" } 1 .. 500;
	close $fh;
	my ($st) = http_request($node, '--data-binary', "\@$f", '/api/v2/write');
	push @acked, $k if $st eq '204';
}
my $f9 = "$tmp/req9";
open my $fh, '>', $f9 or die $!;
print $fh map { "crash,k=9 v=${_}i\n" } 1 .. 500;
close $fh;
my $inflight = IPC::Run::start([ 'curl', '-sS', '--data-binary', "\@$f9",
	http_url($node) . '/api/v2/write' ], '>', \my $o9, '2>', \my $e9);

my $pid = $node->{_pid};
my @children = split /\s+/, `pgrep -P $pid`;
$node->kill9;
# The server's other processes notice the postmaster's death and exit;
# wait for them before starting again (shared memory must be free).
my $gone = 0;
for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
{
	$gone = !grep { kill 0, $_ } @children;
	last if $gone;
	select(undef, undef, undef, 0.1);
}
ok($gone, 'the killed server\'s processes exited');
$inflight->finish;
is(scalar(@acked), 8, 'all 8 requests were acknowledged before the kill');
$node->start;
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM crash WHERE k::int BETWEEN 1 AND 8}),
	'4000', 'every acknowledged row survived kill -9 of the postmaster');
is($node->safe_psql('postgres', q{
	SELECT count(DISTINCT (k, v)) FROM crash WHERE k::int BETWEEN 1 AND 8}),
	'4000', 'each exactly once');
my $k9 = $node->safe_psql('postgres', q{SELECT count(*) FROM crash WHERE k = '9'});
ok($k9 eq '0' || $k9 eq '500', "the request in flight is all or nothing ($k9 rows)");

$node->stop;
done_testing();
