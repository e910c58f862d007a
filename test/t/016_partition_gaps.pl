# Partitions are made for the gaps between existing ones: after
# streamstat.partition_interval changes, and around partitions the user
# made with other sizes, a new partition is clipped so it never overlaps
# one, and every row lands.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $node = streamstat_node('gaps', partition_interval => '1h');

# Nanosecond timestamp of a UTC time given as 'YYYY-MM-DD HH:MM'.
sub ns
{
	my ($t) = @_;
	return $node->safe_psql('postgres',
		"SELECT (extract(epoch FROM timestamptz '$t+00')::bigint * 1000000000)::text");
}

# Partitions of a table: name and bounds, ordered.
sub parts
{
	my ($table) = @_;
	return $node->safe_psql('postgres', qq{
		SELECT string_agg(c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid), E'\\n' ORDER BY c.relname)
		FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = '$table'::regclass});
}

# Wait until the worker applies a new interval: probe lines in a far day
# until one gets a partition named the new way.
sub wait_interval
{
	my ($suffix_re) = @_;
	for my $i (1 .. 100)
	{
		my $t = ns(sprintf('2031-01-%02d 00:30', ($i % 28) + 1));
		ilp_send($node, "probe$i v=1 $t\n");
		$node->poll_query_until('postgres', "SELECT count(*) FROM probe$i", '1')
		  or die "probe$i never landed";
		return 1 if parts("probe$i") =~ $suffix_re;
	}
	return 0;
}

ilp_send($node, "weather,city=A temp=1 " . ns('2025-11-25 10:30') . "\n");
wait_for($node, 'SELECT count(*) FROM weather', '1', 'first row lands in an hourly partition');
like(parts('weather'), qr/^weather_p20251125_1000 FOR VALUES FROM \('2025-11-25 10:00:00\+00'\) TO \('2025-11-25 11:00:00\+00'\)$/m,
	'the hourly partition is named after its range');

# Widen the interval to a day: the day is cut around the hourly partition.
$node->safe_psql('postgres', "ALTER SYSTEM SET streamstat.partition_interval = '1d'");
$node->reload;
ok(wait_interval(qr/_p20310\d+ FOR/), 'the worker applies the new interval');
ilp_send($node, join('',
	"weather,city=B temp=2 " . ns('2025-11-25 05:00') . "\n",
	"weather,city=C temp=3 " . ns('2025-11-25 10:45') . "\n",
	"weather,city=D temp=4 " . ns('2025-11-25 12:00') . "\n"));
wait_for($node, 'SELECT count(*) FROM weather', '4', 'rows before, inside and after the hourly partition land');
my @old = grep { /^weather_p2025/ } split /\n/, parts('weather');
is(join("\n", @old), join("\n",
	q{weather_p20251125 FOR VALUES FROM ('2025-11-25 00:00:00+00') TO ('2025-11-25 10:00:00+00')},
	q{weather_p20251125_1000 FOR VALUES FROM ('2025-11-25 10:00:00+00') TO ('2025-11-25 11:00:00+00')},
	q{weather_p20251125_1100 FOR VALUES FROM ('2025-11-25 11:00:00+00') TO ('2025-11-26 00:00:00+00')}),
	'the day is made of the partitions around the hourly one, none overlapping');

# A user's table with a monthly partition: rows past it get a day of their own.
$node->safe_psql('postgres', q{
	CREATE TABLE meter (time timestamptz NOT NULL, kwh float8) PARTITION BY RANGE (time);
	CREATE TABLE meter_2025_11 PARTITION OF meter FOR VALUES FROM ('2025-11-01 00:00+00') TO ('2025-12-01 00:00+00');
});
ilp_send($node, join('',
	"meter kwh=1 " . ns('2025-11-30 23:00') . "\n",
	"meter kwh=2 " . ns('2025-12-01 05:00') . "\n"));
wait_for($node, 'SELECT count(*) FROM meter', '2', 'rows in and after the user partition land');
is($node->safe_psql('postgres', q{SELECT count(*) FROM meter_2025_11}), '1', 'the user partition keeps its row');
like(parts('meter'), qr/^meter_p20251201 FOR VALUES FROM \('2025-12-01 00:00:00\+00'\) TO \('2025-12-02 00:00:00\+00'\)$/m,
	'the next day gets a partition of its own');
is($node->safe_psql('postgres', q{SELECT count(*) FROM streamstat.rejects}), '0', 'nothing rejected');

$node->stop;
done_testing();
