# The HTTP write API: every status code, keep-alive and pipelining, gzip
# and chunked bodies, precisions, buckets naming schemas, tokens, limits
# and timeouts, and that an answer is only sent once its rows committed.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use IO::Compress::Gzip ();
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

# v1 API: precision m (minutes) and h (hours).
($st) = write_lines('/write?db=x&precision=m', "hv1,p=m v=1 29400480\n");
is($st, '204', 'v1 write, precision m');
($st) = write_lines('/write?db=x&precision=h', "hv1,p=h v=1 490008\n");
is($st, '204', 'v1 write, precision h');
is(sql(q{SELECT string_agg(p || extract(epoch from time)::bigint, ',' ORDER BY p) FROM hv1}),
	'h1764028800,m1764028800', 'minutes and hours scale to the right times');
($st, $body) = write_lines('/api/v2/write?precision=m', "hv1,p=x v=1 1\n");
is($st, '400', 'v2 refuses precision m');
like($body, qr/"code":"invalid".*precision/, 'and says why');

# 400: bad lines name the first one; the good lines are stored.
($st, $body) = write_lines('/api/v2/write?bucket=b',
	"h400 v=1i 1764028800000000000\nnot a line at all\nh400 v=2i 1764028801000000000\nh400 v=\n");
is($st, '400', 'bad lines: 400');
like($body, qr/\A\{"code":"invalid","message":"line 2: .*2 of 4 lines rejected.*streamstat\.rejects.*","line":2\}\z/,
	'the JSON body names the first bad line and says where the rest went');
is(sql('SELECT count(*) FROM h400'), '2', 'the good lines of a 400 request are stored');
is(sql(q{SELECT count(*) FROM streamstat.rejects WHERE line IN ('not a line at all', 'h400 v=')}), '2',
	'the bad lines are in streamstat.rejects');

# Other paths and methods, ping and health.
($st, $body) = http_request($node, '/nope');
is($st, '404', 'unknown path: 404');
like($body, qr/"code":"not found"/, '404 body');
($st, $body, $hdr) = http_request($node, '/api/v2/write');
is($st, '405', 'GET on the write path: 405');
like($hdr, qr/^Allow: POST\r?$/mi, '405 says Allow: POST');
($st, $body, $hdr) = http_request($node, '-X', 'DELETE', '/ping');
is($st, '405', 'DELETE /ping: 405');
($st) = http_request($node, '/ping');
is($st, '204', 'GET /ping: 204');
($st) = http_request($node, '-I', '/ping');
is($st, '204', 'HEAD /ping: 204');
($st, $body) = http_request($node, '/health');
is($st, '200', 'GET /health: 200');
like($body, qr/"status":"pass"/, 'health body is JSON');

# 413: over max_body_bytes on the wire, and a gzip bomb.
my $big = join('', map { "h413 v=${_}i\n" } 1 .. 8000);
cmp_ok(length($big), '>', 65536, 'the big body is over 64kB');
($st, $body) = write_lines('/api/v2/write', $big);
is($st, '413', 'a body over max_body_bytes: 413');
my $bomb = "h413 v=1i\n" x 100000;
my $bombgz;
IO::Compress::Gzip::gzip(\$bomb, \$bombgz) or die 'gzip';
cmp_ok(length($bombgz), '<', 65536, 'the gzip bomb is small on the wire');
($st, $body) = write_lines('/api/v2/write', $bombgz, '-H', 'Content-Encoding: gzip');
is($st, '413', 'a gzip body inflating past max_body_bytes: 413');
like($body, qr/decompressed/, 'the 413 says it was the decompressed size');
is(sql(q{SELECT count(*) FROM pg_class WHERE relname = 'h413'}), '0', 'nothing of a 413 is stored');

# gzip and chunked bodies.
my $lines = join('', map { "hgz,k=$_ v=${_}i\n" } 1 .. 500);
my $linesgz;
IO::Compress::Gzip::gzip(\$lines, \$linesgz) or die 'gzip';
($st) = write_lines('/api/v2/write', $linesgz, '-H', 'Content-Encoding: gzip');
is($st, '204', 'gzip body: 204');
is(sql('SELECT count(*) || \',\' || sum(v) FROM hgz'), '500,125250', 'gzip body rows');
($st) = write_lines('/api/v2/write', join('', map { "hchunk v=${_}i\n" } 1 .. 300),
	'-H', 'Transfer-Encoding: chunked');
is($st, '204', 'chunked body: 204');
is(sql('SELECT count(*) || \',\' || sum(v) FROM hchunk'), '300,45150', 'chunked body rows');
($st) = write_lines('/api/v2/write', $linesgz, '-H', 'Content-Encoding: gzip',
	'-H', 'Transfer-Encoding: chunked');
is($st, '204', 'gzip and chunked: 204');
is(sql('SELECT count(*) FROM hgz'), '1000', 'gzip and chunked rows');

# Keep-alive and pipelining: two requests sent at once on one connection.
sub raw_connect
{
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
		PeerPort => $node->{_streamstat_http_port}, Proto => 'tcp') or die $!;
	binmode $s;
	return $s;
}
# Read from a socket until $re matches or EOF; returns what was read.
sub raw_read_until
{
	my ($s, $re, $timeout) = @_;
	my $sel = IO::Select->new($s);
	my $got = '';
	my $deadline = time + ($timeout // $PostgreSQL::Test::Utils::timeout_default);
	while ($got !~ $re && time < $deadline)
	{
		next unless $sel->can_read(1);
		my $n = sysread($s, my $buf, 65536);
		last unless $n;
		$got .= $buf;
	}
	return $got;
}
my $req1 = "hka v=1i\n";
my $req2 = "hka v=2i\nhka v=3i\n";
my $s = raw_connect();
print $s "POST /api/v2/write HTTP/1.1\r\nHost: x\r\nContent-Length: " . length($req1) . "\r\n\r\n$req1"
  . "POST /api/v2/write HTTP/1.1\r\nHost: x\r\nContent-Length: " . length($req2) . "\r\n\r\n$req2";
my $got = raw_read_until($s, qr/(HTTP\/1\.1 204.*){2}/s);
is(scalar(() = $got =~ /HTTP\/1\.1 204 /g), 2, 'two pipelined requests on one connection: two 204s');
is(sql('SELECT sum(v) FROM hka'), '6', 'both pipelined requests stored');
# The same connection serves a third request.
print $s "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n";
like(raw_read_until($s, qr/HTTP\/1\.1 204/), qr/HTTP\/1\.1 204/, 'the connection is kept alive');
close $s;

# A request cut off mid-body stores nothing, not even its complete lines.
$s = raw_connect();
print $s "POST /api/v2/write HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nhcut v=1i\nhcut v=2i\n";
close $s;
($st) = write_lines('/api/v2/write', "hcutmark v=1i\n");
is($st, '204', 'a request after the cut one');
is(sql(q{SELECT count(*) FROM pg_class WHERE relname = 'hcut'}), '0', 'nothing of the cut-off request is stored');

# 408: a request sent one byte at a time does not get http_timeout (2s) more
# per byte; the answer comes once 2s passed since its first byte.
$s = raw_connect();
my $slow = "POST /api/v2/write HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhslow v=1i\n";
my $sel = IO::Select->new($s);
$got = '';
for my $c (split //, $slow)
{
	syswrite($s, $c) or last;
	# waiting for the answer paces the bytes
	if ($sel->can_read(0.5))
	{
		$got = raw_read_until($s, qr/\r\n\r\n.*\}/s, 10);
		last;
	}
}
like($got, qr/\AHTTP\/1\.1 408 /, 'slowloris: 408');
like($got, qr/Connection: close/i, 'and the connection is closed');
close $s;

# An idle keep-alive connection is closed after http_timeout.
$s = raw_connect();
my $eof = raw_read_until($s, qr/will not match/, 30);
is($eof, '', 'an idle connection is closed by the server');
close $s;

done_testing();
