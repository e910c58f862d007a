# TLS on both ingest ports, with real clients: curl --cacert, Python's ssl
# module over TCP, @influxdata/influxdb-client over https, and
# @questdb/nodejs-client with tcps:: and https::.  One port serves TLS and
# clear text (first-byte detection) until streamstat.ssl = require refuses
# clear text; a client stalled mid-handshake does not block another and is
# closed after streamstat.http_timeout; a reload swaps the certificate
# without dropping open connections; streamstat.ssl_ca_file asks for client
# certificates; ssl_min_protocol_version is enforced.  A throwaway CA and
# certificates are made with openssl at test time.
use strict;
use warnings;
use File::Copy;
use IO::Socket::INET;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;
use StreamstatSecurity;

my $certs = "$PostgreSQL::Test::Utils::tmp_check/certs_tls";
mkdir $certs;
my $ca = make_ca($certs, 'ca');
my ($crt, $key) = make_cert($certs, 'server', $ca, 'server');
# What the server loads: copies, replaced in place by the reload test.
copy($crt, "$certs/live.crt") or die;
copy($key, "$certs/live.key") or die;
chmod 0600, "$certs/live.key";

my $node = streamstat_node('tls', http => 1, ssl => 'on',
	ssl_cert_file => "$certs/live.crt", ssl_key_file => "$certs/live.key",
	http_timeout => '3s');
my $port = $node->{_streamstat_port};
my $http_port = $node->{_streamstat_http_port};
my $https = "https://127.0.0.1:$http_port";

sub counter
{
	my ($col) = @_;
	return $node->safe_psql('postgres', "SELECT sum($col) FROM streamstat.ingest_stats");
}

# curl: https with the CA, and clear text on the same port while ssl = on.
my ($status) = curl_status('--cacert', $ca, "$https/ping");
is($status, '204', 'curl --cacert: GET /ping over TLS');
($status) = curl_status('--cacert', $ca, '--data-binary',
	'curl_tls,via=https v=1 1764028800000000000', "$https/api/v2/write?bucket=public");
is($status, '204', 'curl --cacert: a write over TLS is acknowledged');
is($node->safe_psql('postgres', 'SELECT count(*) FROM curl_tls'), '1', 'the TLS write is stored');
($status) = http_request($node, '/ping');
is($status, '204', 'clear-text HTTP on the same port while streamstat.ssl = on');

# Python's ssl module over the line-protocol port.
my ($rc, $out, $err) = ilp_client('--port', $port, '--tls-ca', $ca,
	'--line', 'py_tls,via=tcps v=1 1764028800000000000',
	'--line', 'py_tls,via=tcps v=2 1764028801000000000');
is($rc, 0, 'Python ssl client connects over TCP') or diag($err);
like($out, qr/"tls_version": "TLSv1\.[23]"/, 'the connection is TLS 1.2+');
wait_for($node, 'SELECT count(*) FROM py_tls', '2', 'rows sent over TLS on the TCP port are stored');
ilp_send($node, "plain_tcp v=1 1764028800000000000\n");
wait_for($node, 'SELECT count(*) FROM plain_tcp', '1', 'clear-text line protocol on the same port while ssl = on');

# @influxdata/influxdb-client over https.
SKIP:
{
	skip 'node is not installed', 6 if system('node --version >/dev/null 2>&1') != 0;
	my $nd = node_dir();
	{
		local $ENV{NODE_EXTRA_CA_CERTS} = $ca;
		($out, $err) = run_command([ 'node', "$nd/write_points.js",
			'--url', $https, '--bucket', 'public', '--count', '500',
			'--batch', '250', '--measurement', 'influx_tls' ]);
	}
	like($out, qr/"written":500/, '@influxdata/influxdb-client writes over https') or diag("$out $err");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM influx_tls'), '500',
		'every point written over https is stored');

	# @questdb/nodejs-client: tcps:: and https:: configuration strings.
	($rc, $out, $err) = questdb_client('--conf', "tcps::addr=127.0.0.1:$port;tls_ca=$ca;",
		'--table', 'quest_tcps', '--count', '300');
	is($rc, 0, 'QuestDB client sends over tcps::') or diag("$out $err");
	wait_for($node, 'SELECT count(*) FROM quest_tcps', '300', 'rows from tcps:: are stored');
	($rc, $out, $err) = questdb_client('--conf',
		"https::addr=127.0.0.1:$http_port;tls_ca=$ca;protocol_version=1;",
		'--table', 'quest_https', '--count', '300');
	is($rc, 0, 'QuestDB client sends over https::') or diag("$out $err");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM quest_https'), '300',
		'rows from https:: are stored (acknowledged after commit)');
}

# A client stalled in the middle of its handshake blocks nobody.
my $stalled = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
	Proto => 'tcp') or die "connect: $!";
print $stalled "\x16\x03\x01\x02";    # the start of a ClientHello record, no more
$stalled->flush;
my $stalled_http = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	PeerPort => $http_port, Proto => 'tcp') or die "connect: $!";
print $stalled_http "\x16\x03\x01";
$stalled_http->flush;
my $failures_before = counter('tls_failures');
($rc, $out, $err) = ilp_client('--port', $port, '--tls-ca', $ca,
	'--line', 'second_client v=1 1764028800000000000');
is($rc, 0, 'a second client completes its handshake while another is stalled') or diag($err);
wait_for($node, 'SELECT count(*) FROM second_client', '1', "the second client's row is stored");
($status) = curl_status('--cacert', $ca, "$https/ping");
is($status, '204', 'HTTPS answers while an HTTP client is stalled mid-handshake');
# streamstat.http_timeout (3s) closes the stalled ones.
$stalled->blocking(1);
my $got = sysread($stalled, my $buf, 100);
ok(defined $got && $got == 0, 'the stalled TCP handshake is closed by the server');
$got = sysread($stalled_http, $buf, 100);
ok(defined $got && $got == 0, 'the stalled HTTP handshake is closed by the server');
wait_for($node, "SELECT sum(tls_failures) > $failures_before FROM streamstat.ingest_stats",
	't', 'the stalled handshake is counted in tls_failures');

# Reload: require TLS and swap the certificate, with a TLS connection open.
my ($in, $pyout, $pyerr) = ('', '', '');
my $h = IPC::Run::start([ 'python3', "$ENV{STREAMSTAT_ROOT}/test/lib/ilp_client.py",
	'--port', $port, '--tls-ca', $ca, '--stdin' ], '<', \$in, '>', \$pyout, '2>', \$pyerr);
$in .= "reload_kept,step=before v=1 1764028800000000000\n";
$h->pump while length $in;
wait_for($node, 'SELECT count(*) FROM reload_kept', '1', 'a line before the reload is stored');

my $ca2 = make_ca($certs, 'ca2');
my ($crt2, $key2) = make_cert($certs, 'server2', $ca2, 'server');
copy($crt2, "$certs/live.crt") or die;
copy($key2, "$certs/live.key") or die;
$node->safe_psql('postgres', "ALTER SYSTEM SET streamstat.ssl = 'require'");
$node->reload;
# Poll with clear-text HTTP pings (they store nothing) until the worker
# has reloaded.
my $refused_before = counter('cleartext_refused');
my $reloaded = 0;
for my $try (1 .. 60)
{
	($status) = http_request($node, '/ping');
	if ($status eq '000') { $reloaded = 1; last; }
	sleep 1;
}
ok($reloaded, 'streamstat.ssl = require (after reload): clear-text HTTP is refused');
ilp_send($node, "refused_plain v=1 1764028800000000000\n");
wait_for($node, "SELECT sum(cleartext_refused) >= $refused_before + 2 FROM streamstat.ingest_stats",
	't', 'clear-text TCP is refused too, and both are counted');
$in .= "reload_kept,step=after v=2 1764028801000000000\n";
$h->pump while length $in;
$in = '';
$h->finish;
wait_for($node, 'SELECT count(*) FROM reload_kept', '2',
	'the TLS connection opened before the reload still works after it');
($status) = curl_status('--cacert', $ca2, "$https/ping");
is($status, '204', 'new connections get the reloaded certificate (signed by the new CA)');
($status) = curl_status('--cacert', $ca, "$https/ping");
is($status, '000', 'the old CA no longer verifies the server');
is($node->safe_psql('postgres', q{SELECT to_regclass('refused_plain') IS NULL}), 't',
	'nothing sent in clear text in require mode is stored');
like(slurp_file($node->logfile), qr/streamstat refused a connection from 127\.0\.0\.1:\d+: clear text is refused/,
	'the refusal is logged with the client address');

# Client certificates: streamstat.ssl_ca_file.
my $clientca = make_ca($certs, 'clientca');
my ($ccrt, $ckey) = make_cert($certs, 'client', $clientca, 'client');
$node->safe_psql('postgres', "ALTER SYSTEM SET streamstat.ssl_ca_file = '$clientca'");
$node->reload;
my $ok = 0;
for my $try (1 .. 60)
{
	($status) = curl_status('--cacert', $ca2, "$https/ping");
	if ($status eq '000') { $ok = 1; last; }
	sleep 1;
}
ok($ok, 'with streamstat.ssl_ca_file, a client without a certificate is refused');
($status) = curl_status('--cacert', $ca2, '--cert', $ccrt, '--key', $ckey, "$https/ping");
is($status, '204', 'a client certificate signed by ssl_ca_file is accepted');
($rc, $out, $err) = ilp_client('--port', $port, '--tls-ca', $ca2,
	'--tls-cert', $ccrt, '--tls-key', $ckey,
	'--line', 'client_cert v=1 1764028800000000000');
is($rc, 0, 'Python with a client certificate over TCP') or diag($err);
wait_for($node, 'SELECT count(*) FROM client_cert', '1', 'its row is stored');

# Oldest protocol version.
$node->safe_psql('postgres', "ALTER SYSTEM RESET streamstat.ssl_ca_file");
$node->safe_psql('postgres', "ALTER SYSTEM SET streamstat.ssl_min_protocol_version = 'TLSv1.3'");
$node->reload;
$ok = 0;
for my $try (1 .. 60)
{
	($status) = curl_status('--cacert', $ca2, '--tls-max', '1.2', "$https/ping");
	if ($status eq '000') { $ok = 1; last; }
	sleep 1;
}
ok($ok, 'ssl_min_protocol_version = TLSv1.3 refuses a TLS 1.2 client');
($status) = curl_status('--cacert', $ca2, "$https/ping");
is($status, '204', 'and accepts TLS 1.3');

cmp_ok(counter('tls_connections'), '>=', 8, 'ingest_stats counts TLS connections');
cmp_ok(counter('cleartext_connections'), '>=', 2, 'ingest_stats counts clear-text connections');

$node->stop;
done_testing();
