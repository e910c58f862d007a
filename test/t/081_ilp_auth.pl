# Authenticated line protocol over TCP: QuestDB's ECDSA challenge-response
# with keys made by openssl at test time.  The QuestDB Node.js client (DER
# signatures) over tcp:: and tcps::, a Python client with raw r||s; wrong
# key, revoked key, unknown key, zero and garbage signatures, a truncated
# handshake and plain lines without a key each store nothing, close the
# connection and are counted; a schema-limited key writes only into its
# schema; with require_auth off a client may still authenticate.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;
use StreamstatSecurity;

my $certs = "$PostgreSQL::Test::Utils::tmp_check/certs_auth";
mkdir $certs;
my $ca = make_ca($certs, 'ca');
my ($crt, $key) = make_cert($certs, 'server', $ca, 'server');
my $k1 = make_ilp_key($certs, 'k1');
my $k2 = make_ilp_key($certs, 'k2');
my $edge = make_ilp_key($certs, 'edge');

my $node = streamstat_node('auth', ssl => 'on', ssl_cert_file => $crt,
	ssl_key_file => $key, require_auth => 'on', http_timeout => '3s');
my $port = $node->{_streamstat_port};

sub counter
{
	my ($col) = @_;
	return $node->safe_psql('postgres', "SELECT sum($col) FROM streamstat.ingest_stats");
}

# Keys in SQL: public parts only, listed in a view.
$node->safe_psql('postgres', qq{
	SELECT streamstat.create_ilp_key('k1', '$k1->{x}', '$k1->{y}');
	SELECT streamstat.create_ilp_key('k2', '$k2->{x}', '$k2->{y}');
	CREATE SCHEMA edge;
	SELECT streamstat.create_ilp_key('edge', '$edge->{x}', '$edge->{y}', 'edge');
});
is($node->safe_psql('postgres', q{SELECT string_agg(key_id || ':' || coalesce(schema_name, '-'), ',' ORDER BY key_id) FROM streamstat.ilp_keys}),
	'edge:edge,k1:-,k2:-', 'the keys are listed in streamstat.ilp_keys');
is($node->safe_psql('postgres', qq{SELECT x = '$k1->{x}' AND y = '$k1->{y}' FROM streamstat.ilp_keys WHERE key_id = 'k1'}),
	't', 'the view shows the public key as given (base64url)');
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	qq{SELECT streamstat.create_ilp_key('bad', '$k1->{x}', '$k2->{y}')});
like($stderr, qr/not a point of the P-256 curve/, 'a point off the curve is refused');
($ret, $stdout, $stderr) = $node->psql('postgres',
	qq{SELECT streamstat.create_ilp_key('k1', '$k2->{x}', '$k2->{y}')});
like($stderr, qr/already exists/, 'a live key id cannot be registered twice');
($ret, $stdout, $stderr) = $node->psql('postgres',
	qq{SELECT streamstat.create_ilp_key('has space', '$k1->{x}', '$k1->{y}')});
like($stderr, qr/printable ASCII without spaces/, 'a key id with a space is refused');
$node->safe_psql('postgres', 'CREATE ROLE plain_user LOGIN');
($ret, $stdout, $stderr) = $node->psql('postgres',
	qq{SELECT streamstat.create_ilp_key('x', '$k1->{x}', '$k1->{y}')},
	extra_params => [ '-U', 'plain_user' ]);
like($stderr, qr/permission denied/, 'only superusers create keys');
($ret, $stdout, $stderr) = $node->psql('postgres', 'SELECT * FROM streamstat.ilp_keys',
	extra_params => [ '-U', 'plain_user' ]);
like($stderr, qr/permission denied/, 'only superusers list keys');

# A real QuestDB client: tcp:: and tcps:: with its auth options (DER).
SKIP:
{
	skip 'node is not installed', 4 if system('node --version >/dev/null 2>&1') != 0;
	my ($rc, $out, $err) = questdb_client('--conf',
		"tcp::addr=127.0.0.1:$port;username=k1;token=$k1->{d};",
		'--table', 'quest_auth', '--count', '250');
	is($rc, 0, 'QuestDB client authenticates over tcp::') or diag("$out $err");
	wait_for($node, 'SELECT count(*) FROM quest_auth', '250', 'its rows are stored');
	($rc, $out, $err) = questdb_client('--conf',
		"tcps::addr=127.0.0.1:$port;username=k1;token=$k1->{d};tls_ca=$ca;",
		'--table', 'quest_auth_tls', '--count', '250');
	is($rc, 0, 'QuestDB client authenticates over tcps::') or diag("$out $err");
	wait_for($node, 'SELECT count(*) FROM quest_auth_tls', '250', 'its rows are stored');
}

# Python: raw r||s signature, over TCP and TLS.
my ($rc, $out, $err) = ilp_client('--port', $port, '--key-id', 'k2',
	'--key-pem', $k2->{pem}, '--sig', 'raw',
	'--line', 'py_raw v=1 1764028800000000000');
like($out, qr/"challenge_len": 512/, 'the challenge is 512 printable bytes') or diag($err);
wait_for($node, 'SELECT count(*) FROM py_raw', '1', 'a raw r||s signature authenticates');
($rc, $out, $err) = ilp_client('--port', $port, '--tls-ca', $ca, '--key-id', 'k2',
	'--key-pem', $k2->{pem}, '--sig', 'der',
	'--line', 'py_der_tls v=1 1764028800000000000');
wait_for($node, 'SELECT count(*) FROM py_der_tls', '1', 'DER over TLS authenticates');

# Failures: each stores nothing, is closed by the server and is counted.
$node->safe_psql('postgres', q{SELECT streamstat.revoke_ilp_key('k2')});
my @bad = (
	[ 'wrong key', '--key-id', 'k1', '--key-pem', $k2->{pem}, '--sig', 'der' ],
	[ 'revoked key', '--key-id', 'k2', '--key-pem', $k2->{pem}, '--sig', 'raw' ],
	[ 'unknown key id', '--key-id', 'nobody', '--key-pem', $k1->{pem}, '--sig', 'der' ],
	[ 'all-zero signature', '--key-id', 'k1', '--key-pem', $k1->{pem}, '--sig', 'zero' ],
	[ 'garbage signature', '--key-id', 'k1', '--key-pem', $k1->{pem}, '--sig', 'garbage' ],
	[ 'truncated handshake', '--key-id', 'k1', '--key-pem', $k1->{pem}, '--sig', 'none' ],
	[ 'no key at all', ],
);
my $n = 0;
for my $case (@bad)
{
	my ($what, @args) = @$case;
	$n++;
	my $before = counter('auth_failures');
	($rc, $out, $err) = ilp_client('--port', $port, @args, '--wait-close', '30',
		'--line', "bad_auth_$n v=1 1764028800000000000");
	like($out, qr/"closed_by_server": true/, "$what: the server closes the connection") or diag("$out $err");
	wait_for($node, "SELECT sum(auth_failures) > $before FROM streamstat.ingest_stats",
		't', "$what: counted in auth_failures");
}
# A good write after them, so that anything they had sent is flushed too.
($rc, $out, $err) = ilp_client('--port', $port, '--key-id', 'k1',
	'--key-pem', $k1->{pem}, '--line', 'after_bad v=1 1764028800000000000');
wait_for($node, 'SELECT count(*) FROM after_bad', '1', 'a good client after the failures');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_class WHERE relname LIKE 'bad_auth_%'}), '0',
	'no failed handshake stored anything (no table made)');
is($node->safe_psql('postgres', q{SELECT count(*) FROM streamstat.rejects}), '0',
	'and nothing of them is in streamstat.rejects');
like(slurp_file($node->logfile),
	qr/streamstat refused a connection from 127\.0\.0\.1:\d+: line-protocol authentication failed/,
	'failures are logged with the client address');

# A revoked key id can be given a new key.
my $k2b = make_ilp_key($certs, 'k2b');
$node->safe_psql('postgres', qq{SELECT streamstat.create_ilp_key('k2', '$k2b->{x}', '$k2b->{y}')});
($rc, $out, $err) = ilp_client('--port', $port, '--key-id', 'k2',
	'--key-pem', $k2b->{pem}, '--line', 'k2_new v=1 1764028800000000000');
wait_for($node, 'SELECT count(*) FROM k2_new', '1', 'a revoked key id works again with its new key');

# A key limited to a schema writes there and nowhere else.
($rc, $out, $err) = ilp_client('--port', $port, '--key-id', 'edge',
	'--key-pem', $edge->{pem},
	'--line', 'edge_cpu v=1 1764028800000000000',
	'--line', 'public.edge_cpu v=2 1764028800000000000');
wait_for($node, 'SELECT count(*) FROM edge.edge_cpu', '1', 'a schema-limited key writes into its schema');
is($node->safe_psql('postgres', q{SELECT count(*) FROM edge."public.edge_cpu"}), '1',
	'a qualified-looking measurement is a table name inside that schema');
is($node->safe_psql('postgres', q{SELECT to_regclass('public.edge_cpu') IS NULL}), 't',
	'nothing of that key is written to public');

# require_auth off: plain clients and authenticating clients both work.
$node->safe_psql('postgres', "ALTER SYSTEM SET streamstat.require_auth = 'off'");
$node->reload;
my $stored = 0;
for my $try (1 .. 60)
{
	ilp_send($node, "plain_after_reload v=1 1764028800000000000\n");
	if ($node->safe_psql('postgres', q{SELECT to_regclass('plain_after_reload') IS NOT NULL}) eq 't'
		&& $node->poll_query_until('postgres', 'SELECT count(*) > 0 FROM plain_after_reload', 't'))
	{
		$stored = 1;
		last;
	}
	sleep 1;
}
ok($stored, 'require_auth off: a client without a key writes');
($rc, $out, $err) = ilp_client('--port', $port, '--key-id', 'k1',
	'--key-pem', $k1->{pem}, '--line', 'optional_auth v=1 1764028800000000000');
wait_for($node, 'SELECT count(*) FROM optional_auth', '1', 'require_auth off: a client with a key authenticates and writes');
my $before = counter('auth_failures');
($rc, $out, $err) = ilp_client('--port', $port, '--key-id', 'k1',
	'--key-pem', $k2->{pem}, '--wait-close', '30',
	'--line', 'optional_bad v=1 1764028800000000000');
like($out, qr/"closed_by_server": true/, 'require_auth off: a client that starts the handshake and fails is closed');
is($node->safe_psql('postgres', q{SELECT to_regclass('optional_bad') IS NULL}), 't', 'and stores nothing');

$node->stop;
done_testing();
