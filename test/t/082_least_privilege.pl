# The ingest workers as a role that is not a superuser (streamstat.role):
# it owns its measurement schema and the partition schema, may insert into
# streamstat.rejects and read the tokens and keys, and (for now) CREATE on
# the database, which the writer's CREATE SCHEMA IF NOT EXISTS needs.
# Ingest, table, column and partition creation, HTTP tokens and TCP keys
# all work with it; nothing is written outside its schemas (a write aimed
# at another schema is refused and stored nowhere).  Retention and rollups
# do not exist yet in this release, so they are not tested here.
#
# Then identifier safety: measurement, tag and field names from the wire
# with quotes, ';', '--', '$$', mixed case or over 63 bytes end up as
# quoted tables and columns or as rejects, never as SQL.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;
use StreamstatSecurity;

my $node = streamstat_node('leastpriv', http => 1, require_auth => 'on');
my $port = $node->{_streamstat_port};
my $certs = "$PostgreSQL::Test::Utils::tmp_check/certs_lp";
mkdir $certs;
my $key = make_ilp_key($certs, 'lp');

$node->safe_psql('postgres', qq{
	CREATE ROLE ingest LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
	CREATE SCHEMA metrics AUTHORIZATION ingest;
	CREATE SCHEMA streamstat_partitions AUTHORIZATION ingest;
	GRANT USAGE ON SCHEMA streamstat TO ingest;
	GRANT INSERT ON streamstat.rejects TO ingest;
	GRANT SELECT ON streamstat.tokens, streamstat.ilp_public_keys TO ingest;
	-- No CREATE on the database: the schemas above are all it needs.
	CREATE TABLE public.victim (time timestamptz NOT NULL, v double precision);
	CREATE SCHEMA other;
	SELECT streamstat.create_ilp_key('lp', '$key->{x}', '$key->{y}');
});
my $token = $node->safe_psql('postgres', q{SELECT streamstat.create_token('lp')});
$node->append_conf('postgresql.conf', qq{
streamstat.role = 'ingest'
streamstat.schema = 'metrics'
});
my $log_offset = -s $node->logfile;
$node->restart;
$node->wait_for_log(qr/listening on HTTP port/, $log_offset);
is($node->safe_psql('postgres', q{
	SELECT rolsuper FROM pg_roles WHERE rolname = (
		SELECT usename FROM pg_stat_activity WHERE backend_type = 'streamstat ingest')}),
	'f', 'the ingest worker runs as a role that is not a superuser');

# TCP with a key, and HTTP with a token: tables, columns and partitions.
my ($rc, $out, $err) = ilp_client('--port', $port, '--key-id', 'lp',
	'--key-pem', $key->{pem},
	'--line', 'lp_cpu,host=a usage=0.5 1764028800000000000',
	'--line', 'lp_cpu,host=b usage=0.7,extra=1i 1764115200000000000');
wait_for($node, 'SELECT count(*) FROM metrics.lp_cpu', '2', 'TCP ingest works as the non-superuser role');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_inherits WHERE inhparent = 'metrics.lp_cpu'::regclass}),
	'3', 'it made the partitions (two days and the premade next one)');
is($node->safe_psql('postgres', q{
	SELECT string_agg(DISTINCT pg_get_userbyid(c.relowner), ',')
	  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE n.nspname IN ('metrics', 'streamstat_partitions') AND c.relkind IN ('r', 'p')}),
	'ingest', 'and owns what it made');
my ($status) = http_request($node, '-H', "Authorization: Token $token", '--data-binary',
	'lp_http,src=curl v=1 1764028800000000000', '/api/v2/write?bucket=metrics');
is($status, '204', 'HTTP ingest with a token works as the role');
is($node->safe_psql('postgres', 'SELECT count(*) FROM metrics.lp_http'), '1', 'the HTTP row is stored');
ilp_client('--port', $port, '--key-id', 'lp', '--key-pem', $key->{pem},
	'--line', 'lp_cpu,host=c usage="text" 1764028800000000000');
wait_for($node, q{SELECT count(*) FROM streamstat.rejects WHERE line LIKE 'lp_cpu,host=c%'}, '1',
	'a bad row goes to streamstat.rejects');

# Nothing outside its schemas: a write aimed at public or another schema.
($status) = http_request($node, '-H', "Authorization: Token $token", '--data-binary',
	"victim v=666 1764028800000000000\nnew_in_public v=1 1764028800000000000",
	'/api/v2/write?bucket=public');
isnt($status, '204', "a write into public is not acknowledged ($status)");
($status) = http_request($node, '-H', "Authorization: Token $token", '--data-binary',
	'sneaky v=1 1764028800000000000', '/api/v2/write?bucket=other');
isnt($status, '204', "a write into another schema is not acknowledged ($status)");
is($node->safe_psql('postgres', 'SELECT count(*) FROM public.victim'), '0',
	'nothing was inserted into a table outside its schemas');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	 WHERE n.nspname IN ('public', 'other') AND c.relname IN ('new_in_public', 'sneaky')}),
	'0', 'no table was created outside its schemas');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_namespace WHERE nspowner = 'ingest'::regrole}),
	'2', 'it created no schema of its own');
# The worker keeps serving.
($status) = http_request($node, '-H', "Authorization: Token $token", '--data-binary',
	'lp_http,src=curl v=2 1764028801000000000', '/api/v2/write?bucket=metrics');
is($status, '204', 'the worker still serves after the refused writes');

# Identifier safety: hostile names become quoted identifiers or rejects.
my $long = 'm' x 64;
my @lines = (
	'hostile"quote,tag"key=a field"x=1 1764028800000000000',
	'semi;DROP\ TABLE\ public.victim;--,t=a v=1 1764028800000000000',
	'dollar$$body$$,t=$$ v$$=1 1764028800000000000',
	'MixedCase,Host=A UsAgE=1 1764028800000000000',
	'dash--comment,t--x=a f--y=1 1764028800000000000',
	"$long v=1 1764028800000000000",
	"ok_short,${long}=a v=1 1764028800000000000",
);
($rc, $out, $err) = ilp_client('--port', $port, '--key-id', 'lp',
	'--key-pem', $key->{pem}, map { ('--line', $_) } @lines);
wait_for($node, 'SELECT count(*) FROM metrics."MixedCase"', '1', 'mixed case is kept as it is (a quoted name)');
is($node->safe_psql('postgres', q{SELECT count(*) FROM metrics."hostile""quote" WHERE "tag""key" = 'a' AND "field""x" = 1}),
	'1', 'quotes in names are columns and a table');
is($node->safe_psql('postgres', q{SELECT count(*) FROM metrics."semi;DROP TABLE public.victim;--"}),
	'1', '";", spaces and "--" make a table name, never SQL');
is($node->safe_psql('postgres', q{SELECT to_regclass('public.victim') IS NOT NULL}), 't', 'public.victim still exists');
is($node->safe_psql('postgres', q{SELECT count(*) FROM metrics."dollar$$body$$" WHERE t = '$$' AND "v$$" = 1}),
	'1', 'dollar quotes are names');
is($node->safe_psql('postgres', q{SELECT count(*) FROM metrics."dash--comment" WHERE "t--x" = 'a' AND "f--y" = 1}),
	'1', 'comment markers are names');
wait_for($node, q{SELECT count(*) FROM streamstat.rejects WHERE line LIKE 'mmmm%' OR line LIKE 'ok_short,%'}, '2',
	'names over 63 bytes are rejected with the line');
is($node->safe_psql('postgres', q{SELECT to_regclass('metrics.ok_short') IS NULL}), 't',
	'no table is made for a line with an overlong tag key');

$node->stop;
done_testing();
