# Input edge cases end to end: timestamps in each streamstat.precision, the
# server clock for lines without one, names that need quoting, names too
# long for PostgreSQL, NUL bytes, CRLF, comments, and a huge line followed
# by a good one on the same connection.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $node = streamstat_node('edge', max_line_bytes => '64kB');

# Precision: the same instant written in each unit.
my %ts = (ns => '1764028800123456789', us => '1764028800123456', ms => '1764028800123', s => '1764028800');
my %want = (ns => '2025-11-25 00:00:00.123456+00', us => '2025-11-25 00:00:00.123456+00',
	ms => '2025-11-25 00:00:00.123+00', s => '2025-11-25 00:00:00+00');
for my $p (qw(us ms s ns))
{
	$node->safe_psql('postgres', "ALTER SYSTEM SET streamstat.precision = '$p'");
	$node->reload;
	# Probe until the worker reads timestamps in the new unit.
	my $got = '';
	for my $i (1 .. 50)
	{
		ilp_send($node, "prec_$p,i=i$i v=1 $ts{$p}\n");
		$node->poll_query_until('postgres',
			qq{SELECT (SELECT count(*) FROM streamstat.rejects WHERE line LIKE 'prec_$p,i=i$i %') > 0
			    OR CASE WHEN to_regclass('prec_$p') IS NULL THEN false
			       ELSE (xpath('/row/n/text()', query_to_xml(
			           format('SELECT count(*) AS n FROM %I WHERE i = %L', 'prec_$p', 'i$i'),
			           false, true, '')))[1]::text::int > 0 END}, 't')
		  or last;
		next unless $node->safe_psql('postgres', "SELECT to_regclass('prec_$p') IS NOT NULL") eq 't';
		$got = $node->safe_psql('postgres',
			"SET timezone = 'UTC'; SELECT time FROM prec_$p WHERE i = 'i$i'");
		last if $got eq $want{$p};
	}
	is($got, $want{$p}, "precision $p");
}

# No timestamp: the server's clock when the line arrived.
my $before = $node->safe_psql('postgres', 'SELECT now()');
ilp_send($node, "clock v=1\n");
wait_for($node, 'SELECT count(*) FROM clock', '1', 'a line without timestamp lands');
my $after = $node->safe_psql('postgres', 'SELECT now()');
is($node->safe_psql('postgres', "SELECT time BETWEEN '$before' AND '$after' FROM clock"), 't',
	'with the time it arrived');

# Names that need quoting, and names too long.
my $long = 'm' x 64;
ilp_send($node, join '',
	"select,from=x where=1i\n",
	"we\"ird,Upper=A Value=2i\n",
	"$long v=1\n",
	"ok," . ('k' x 64) . "=v v=1\n",
	"ok f\x00x=1\n",
	"crlf v=3i\r\n",
	"# a comment\n",
	"\r\n",
	"   \n",
	"crlf v=4i\r\n");
wait_for($node, q{SELECT count(*) FROM "select" WHERE "from" = 'x' AND "where" = 1}, '1', 'SQL keywords as names');
wait_for($node, q{SELECT count(*) FROM "we""ird" WHERE "Upper" = 'A' AND "Value" = 2}, '1', 'quotes and upper case in names');
wait_for($node, q{SELECT count(*) FROM streamstat.rejects WHERE reason LIKE 'measurement "mmm%is longer than 63 bytes'}, '1',
	'a measurement name over 63 bytes is rejected');
wait_for($node, q{SELECT count(*) FROM streamstat.rejects WHERE reason LIKE 'tag key "kkk%is longer than 63 bytes'}, '1',
	'a tag key over 63 bytes is rejected');
wait_for($node, q{SELECT count(*) FROM streamstat.rejects WHERE line = 'ok f\x00x=1'}, '1',
	'a line with a NUL byte is rejected, stored with the byte escaped');
wait_for($node, 'SELECT sum(v) FROM crlf', '7', 'CRLF line ends; comments and blank lines skipped');
is($node->safe_psql('postgres', q{SELECT count(*) FROM streamstat.rejects WHERE line LIKE '#%' OR line ~ '^\s*$'}), '0',
	'comments and blank lines are not rejects');

# A 2 MB line, then a good line on the same connection: resynchronised.
my $sock = ilp_connect($node);
print $sock "huge s=\"" . ('z' x (2 * 1024 * 1024)) . "\"\nafter v=5i\n";
close $sock;
wait_for($node, 'SELECT count(*) FROM after', '1', 'the line after a huge one lands');
wait_for($node, q{SELECT count(*) FROM streamstat.rejects WHERE line LIKE 'huge s="zzz%' AND reason LIKE 'line longer than%'}, '1',
	'the huge line is one reject');

$node->stop;
done_testing();
