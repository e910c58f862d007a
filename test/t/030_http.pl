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

# Poll a condition the way poll_query_until does (every 0.1 s, up to the
# default timeout); true once it holds.
sub poll
{
	my ($cond) = @_;
	for (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		return 1 if $cond->();
		select(undef, undef, undef, 0.1);
	}
	return 0;
}

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

# 400 also when the writer rejects rows: a field whose type conflicts with
# its column (the line numbers are not known there).
($st, $body) = write_lines('/api/v2/write', "h400 v=3i 1764028802000000000\nh400 v=\"text\" 1764028803000000000\n");
is($st, '400', 'a row the writer rejects: 400');
like($body, qr/"code":"invalid","message":"1 of 2 lines rejected while written: .*v.*streamstat\.rejects/,
	'the body says the row was rejected while written');
is(sql('SELECT count(*) FROM h400'), '3', 'the good line of that request is stored');

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

# Tokens: with require_auth on, no token or a bad one is 401 and nothing
# is written; a token limited to a schema writes only there (403 else).
sql(q{CREATE SCHEMA metrics});
my $tok = sql(q{SELECT streamstat.create_token('telegraf')});
my $mtok = sql(q{SELECT streamstat.create_token('metrics_only', 'metrics')});
sql(q{ALTER SYSTEM SET streamstat.require_auth = on});
$node->reload;
ok(poll(sub { (write_lines('/api/v2/write', "hauth v=0i\n"))[0] eq '401' }),
	'require_auth on takes effect');
($st, $body, $hdr) = write_lines('/api/v2/write', "hauth v=1i\n");
is($st, '401', 'no token: 401');
like($hdr, qr/^WWW-Authenticate: /mi, '401 has WWW-Authenticate');
($st) = write_lines('/api/v2/write', "hauth v=2i\n", '-H', 'Authorization: Token sst_wrong');
is($st, '401', 'an invalid token: 401');
($st) = write_lines('/api/v2/write?bucket=public', "hauth v=3i\n", '-H', "Authorization: Token $tok");
is($st, '204', 'a valid token: 204');
($st) = write_lines("/write?db=public&u=x&p=$tok", "hauth v=4i\n");
is($st, '204', 'v1 with the token as p: 204');
($st) = write_lines('/write', "hauth v=5i\n", '-u', "x:$tok");
is($st, '204', 'v1 with Basic auth: 204');
is(sql('SELECT string_agg(v::text, \',\' ORDER BY v) FROM hauth'), '3,4,5', 'only authorized requests stored');
($st) = write_lines('/api/v2/write?bucket=metrics', "hschema v=1i\n", '-H', "Authorization: Token $mtok");
is($st, '204', 'a schema token writing its schema: 204');
is(sql('SELECT count(*) FROM metrics.hschema'), '1', 'the bucket names the schema');
($st, $body) = write_lines('/api/v2/write?bucket=public', "hschema v=2i\n", '-H', "Authorization: Token $mtok");
is($st, '403', 'a schema token writing elsewhere: 403');
($st) = write_lines('/api/v2/write?bucket=nosuchschema', "hschema v=3i\n", '-H', "Authorization: Token $mtok");
is($st, '403', 'a bucket that is no schema means streamstat.schema: 403 for that token');
sql(q{SELECT streamstat.revoke_token('telegraf')});
($st) = write_lines('/api/v2/write', "hauth v=6i\n", '-H', "Authorization: Token $tok");
is($st, '401', 'a revoked token: 401');
is(sql(q{SELECT count(*) FROM pg_class WHERE relname = 'hschema' AND relnamespace = 'public'::regnamespace}), '0',
	'nothing of the refused requests is stored');
sql(q{ALTER SYSTEM SET streamstat.require_auth = off});

# 503: a table locked so that the batch cannot be written keeps the
# request parked (no answer yet) and the worker over streamstat.worker_memory
# answers 503 with Retry-After; once the lock is gone the parked request
# gets its 204 with every row stored.
sql(q{ALTER SYSTEM SET streamstat.worker_memory = '1MB'});
sql(q{ALTER SYSTEM SET streamstat.max_body_bytes = '8MB'});
$node->reload;
($st) = write_lines('/api/v2/write', "h503 v=0i\n");
is($st, '204', 'h503 exists');
my ($lin, $lout) = ('', '');
my $locker = IPC::Run::start([ 'psql', '-X', '-q', '-d', $node->connstr('postgres') ],
	'<', \$lin, '>', \$lout, '2>', \$lout);
$lin .= "BEGIN; LOCK TABLE h503 IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n";
$locker->pump until $lout =~ /locked/;
my $many = join('', map { "h503,tag=t$_ v=${_}i,s=\"some text to take room\"\n" } 1 .. 40000);
my $mf = tmpfile('many', $many);
my ($pout, $perr) = ('', '');
my $parked = IPC::Run::start([ 'curl', '-sS', '-o', '/dev/null', '-w', '%{http_code}',
	'--data-binary', "\@$mf", http_url($node) . '/api/v2/write' ], '>', \$pout, '2>', \$perr);
# Once the worker waits for the lock, the big request is in its batch.
wait_for($node, q{SELECT count(*) > 0 FROM pg_locks WHERE NOT granted AND relation = 'h503'::regclass},
	't', 'the worker waits for the locked table');
# Now the worker, over its memory cap, refuses new writes.
my $refused = 0;
my ($st503, $hdr503);
$refused = poll(sub {
	($st503, undef, $hdr503) = write_lines('/api/v2/write', "h503 v=1i\n");
	return $st503 ne '204';
}) && $st503 eq '503';
ok($refused, 'over the memory cap with the batch unwritable: 503');
like($hdr503 // '', qr/^Retry-After: \d+/mi, '503 has Retry-After');
$parked->pump_nb;
is($pout, '', 'the big request is not answered while its rows are not committed');
$lin .= "COMMIT;\n\\q\n";
$locker->finish;
$parked->finish;
is($pout, '204', 'the parked request is answered 204 once the batch committed');
is(sql('SELECT count(*) FROM h503 WHERE v >= 1 AND s IS NOT NULL'), '40000', 'all its rows are stored');
sql(q{ALTER SYSTEM RESET streamstat.worker_memory});
$node->reload;

$node->stop;
done_testing();
