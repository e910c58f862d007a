# Upgrade from release 0.1: CREATE EXTENSION streamstat VERSION '0.1' with
# the current library, store summaries, a token and ingested tables, then
# ALTER EXTENSION streamstat UPDATE; everything stored still reads and
# works (and the worker keeps ingesting), and the updated extension's
# catalog equals a fresh install's (test/extension_catalog.sql describes
# every member found in pg_depend).  streamstat.require_auth is off under
# 0.1 (it now asks TCP clients for a key, which 0.1 cannot store) and on
# after the update, where a TCP client authenticates with a key.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;
use StreamstatSecurity;

my $root = $ENV{STREAMSTAT_ROOT} // '.';
my $tmp = $PostgreSQL::Test::Utils::tmp_check;

# A node like streamstat_node()'s, but with release 0.1 installed.
my $node = PostgreSQL::Test::Cluster->new('upgrade');
my $port = PostgreSQL::Test::Cluster::get_free_port();
my $http_port = PostgreSQL::Test::Cluster::get_free_port();
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'streamstat'
streamstat.port = $port
streamstat.http_port = $http_port
streamstat.listen_addresses = '127.0.0.1'
streamstat.require_auth = off
streamstat.flush_interval = 50
});
$node->start;
$node->{_streamstat_port} = $port;
$node->{_streamstat_http_port} = $http_port;

sub sql { $node->safe_psql($_[1] // 'postgres', $_[0]) }

sql(q{CREATE EXTENSION streamstat VERSION '0.1'});
is(sql(q{SELECT extversion FROM pg_extension WHERE extname = 'streamstat'}), '0.1',
	'release 0.1 installs with the current library');
$node->wait_for_log(qr/listening on port $port/);
$node->wait_for_log(qr/listening on HTTP port $http_port/);

# ---- under 0.1: ingested tables, rejects, a token, stored summaries ----
my $t0 = 1764028800;
my $lines = join '', map {
	my $h = $_ % 3;
	sprintf "cpu,host=h%d usage=%.3f,n=%di %d000000000\n", $h, 50 + 10 * sin($_ / 20) + $h, $_, $t0 + 10 * $_
} 1 .. 600;
ilp_send($node, $lines . "cpu,host=h1 usage=oops\n");
wait_for($node, 'SELECT count(*) FROM cpu', '600', 'under 0.1: lines ingested over TCP');
wait_for($node, 'SELECT count(*) FROM streamstat.rejects', '1', 'under 0.1: the bad line rejected');

my $secret = sql(q{SELECT streamstat.create_token('upgrade')});
my ($st) = http_request($node, '--data-binary', "cpu,host=web usage=1.5 ${t0}000000000",
	'-H', "Authorization: Token $secret", '/api/v2/write?bucket=public');
is($st, '204', 'under 0.1: HTTP write with a token');

sql(q{
CREATE TABLE sums AS
	SELECT g, stats_agg(x) AS s, regr_agg(3 * x + g + sin(x), x) AS r
	  FROM generate_series(1, 100) x, generate_series(1, 3) g GROUP BY g;
CREATE TABLE cpu_hourly AS
	SELECT time_bucket('1 hour', time) AS hour, host, stats_agg(usage) AS s,
		   regr_agg(usage, time) AS r
	  FROM cpu GROUP BY 1, 2;
CREATE VIEW sums_view AS
	SELECT g, mean(s) AS mean, stddev(s) AS sd, slope(r) AS slope, r2(r) AS r2 FROM sums;
});
my $read_sums = q{
	SELECT string_agg(format('%s|%s|%s|%s|%s|%s', g, s, r, mean, sd, slope), E'\n' ORDER BY g)
	  FROM sums JOIN sums_view USING (g)};
my $read_hourly = q{
	SELECT string_agg(format('%s|%s|%s|%s|%s|%s', hour, host, s, r, num_vals(s), slope_pvalue(r)),
					  E'\n' ORDER BY hour, host)
	  FROM cpu_hourly};
my $sums_before = sql($read_sums);
my $hourly_before = sql($read_hourly);
my $cpu_before = sql(q{SELECT count(*), sum(usage), sum(n), count(DISTINCT tableoid) FROM cpu});
my $rejects_before = sql(q{SELECT reason, line FROM streamstat.rejects});
is(sql(q{SELECT count(*) FROM pg_proc WHERE proname = 'sparkline'}), '0',
	'0.1 has none of 0.2\'s objects (sparkline)');

# ---- the update ----
sql(q{ALTER EXTENSION streamstat UPDATE});
my ($default_version) = PostgreSQL::Test::Utils::slurp_file("$root/streamstat.control")
  =~ /^default_version = '([^']+)'/m;
is(sql(q{SELECT extversion FROM pg_extension WHERE extname = 'streamstat'}), $default_version,
	"ALTER EXTENSION streamstat UPDATE reaches $default_version through every release");

# ---- after: what 0.1 stored reads the same and works ----
is(sql($read_sums), $sums_before, 'stored summaries and a view over them read the same');
is(sql($read_hourly), $hourly_before, 'summaries of ingested data read the same');
is(sql(q{SELECT count(*), sum(usage), sum(n), count(DISTINCT tableoid) FROM cpu}), $cpu_before,
	'the ingested table reads the same');
is(sql(q{SELECT reason, line FROM streamstat.rejects}), $rejects_before, 'the rejects are kept');

# Stored summaries combine with new ones as if computed in one pass (up to
# rounding: the combination adds partial sums in another order).
is(sql(q{
	WITH one AS (SELECT stats_agg(x) AS o FROM generate_series(1, 100) x, generate_series(1, 3) g),
	     two AS (SELECT stats_agg(x) AS o FROM generate_series(1, 100) x, generate_series(1, 2))
	SELECT num_vals(u) = num_vals(o) AND abs(mean(u) - mean(o)) < 1e-12
	   AND abs(stddev(u) / stddev(o) - 1) < 1e-12 AND min(u) = min(o) AND max(u) = max(o)
	   AND num_vals(s1) = num_vals(t) AND abs(stddev(s1) / stddev(t) - 1) < 1e-12
	  FROM (SELECT rollup(s) AS u FROM sums) r, one,
		   (SELECT s + s AS s1 FROM sums WHERE g = 1) a, (SELECT o AS t FROM two) b}), 't',
	'stored statsummary values roll up and add');
is(sql(q{
	SELECT abs(slope(rollup(r)) - (SELECT slope(regr_agg(3 * x + g + sin(x), x))
									 FROM generate_series(1, 100) x, generate_series(1, 3) g)) < 1e-12
	  FROM sums}), 't', 'stored regrsummary values roll up');
is(sql(q{
	SELECT bool_and(h.s::text = f.s::text)
	  FROM cpu_hourly h
	  JOIN (SELECT time_bucket('1 hour', time) AS hour, host, stats_agg(usage) AS s
			  FROM cpu GROUP BY 1, 2) f USING (hour, host)}), 't',
	'a stored rollup equals one recomputed after the update');

# Binary send/receive of stored values (COPY BINARY out and back in).
my $bin = "$tmp/sums.bin";
sql(qq{
\\copy (SELECT g, s, r FROM sums) TO '$bin' WITH (FORMAT binary)
CREATE TABLE sums_copy (g int, s statsummary, r regrsummary);
\\copy sums_copy FROM '$bin' WITH (FORMAT binary)
});
is(sql(q{SELECT count(*) FROM sums JOIN sums_copy USING (g) WHERE sums.s::text = sums_copy.s::text
			 AND sums.r::text = sums_copy.r::text}), '3', 'stored summaries survive COPY BINARY');

# 0.2's own objects work on 0.1's data.
my $line = sql(q{SELECT sparkline(mean(s) ORDER BY hour) FROM cpu_hourly WHERE host = 'h1'});
utf8::decode($line);
like($line, qr/^[\x{2581}-\x{2588}]{2,}$/, 'a 0.2 aggregate (sparkline) over summaries stored under 0.1');

# The token made under 0.1 still authenticates, and revoking it works.
is(sql(qq{SELECT valid FROM streamstat.check_token('$secret')}), 't', 'the 0.1 token checks valid');
($st) = http_request($node, '--data-binary', "cpu,host=web usage=2.5 ${t0}000000001",
	'-H', "Authorization: Token $secret", '/api/v2/write?bucket=public');
is($st, '204', 'HTTP write with the 0.1 token after the update');
is(sql(q{SELECT streamstat.revoke_token('upgrade')}), 't', 'the 0.1 token is revoked');
# require_auth on (a token for HTTP, a key for TCP: 0.1 had no keys, so it
# was off until now); poll until the worker has reloaded.
sql(q{ALTER SYSTEM SET streamstat.require_auth = on});
$node->reload;
for my $try (1 .. 100)
{
	($st) = http_request($node, '--data-binary', 'probe v=1', '/api/v2/write?bucket=public');
	last if $st eq '401';
	sleep 1;
}
($st) = http_request($node, '--data-binary', "cpu,host=web usage=3.5",
	'-H', "Authorization: Token $secret", '/api/v2/write?bucket=public');
is($st, '401', 'a revoked token is refused');

# The worker goes on ingesting into the same table, new columns too, from
# a TCP client authenticated with a key (0.2).
my $key = make_ilp_key($tmp, 'upgrade_key');
sql(qq{SELECT streamstat.create_ilp_key('upgrade', '$key->{x}', '$key->{y}')});
ilp_client('--port', $port, '--key-id', 'upgrade', '--key-pem', $key->{pem},
	'--line', "cpu,host=h9 usage=7.5,extra=1i " . ($t0 + 7000) . "000000000",
	'--line', 'cpu,host=h9 usage=bad');
wait_for($node, 'SELECT count(*) FROM cpu', '603', 'lines ingested after the update');
wait_for($node, 'SELECT count(*) FROM streamstat.rejects', '2', 'lines rejected after the update');
is(sql(q{SELECT extra FROM cpu WHERE host = 'h9'}), '1', 'a new field adds a column after the update');
like(sql(q{SELECT rows_inserted FROM streamstat.ingest_stats}), qr/^\d+$/, 'ingest_stats reads');

# ---- the catalog: 0.1 + updates equals a fresh install ----
sql(q{CREATE DATABASE fresh});
sql(q{CREATE EXTENSION streamstat}, 'fresh');
my $catalog_sql = PostgreSQL::Test::Utils::slurp_file("$root/test/extension_catalog.sql");
my @updated = split /\n/, sql($catalog_sql);
my @fresh = split /\n/, sql($catalog_sql, 'fresh');
my %in_fresh = map { $_ => 1 } @fresh;
my %in_updated = map { $_ => 1 } @updated;
my @only_updated = grep { !$in_fresh{$_} } @updated;
my @only_fresh = grep { !$in_updated{$_} } @fresh;
cmp_ok(scalar(grep { /^member / } @fresh), '>', 50, 'the catalog lists the members of a fresh install');
foreach my $kind (qw(function routine aggregate type operator relation view column comment))
{
	cmp_ok(scalar(grep { /^$kind / } @fresh), '>', 0, "the catalog describes every $kind");
}
ok(scalar(grep { /^member function \S*sparkline_trans\(/ } @updated) > 0,
	'the updated extension owns the objects the upgrade script added');
is(join("\n", @only_updated), '', 'nothing in the updated catalog that a fresh install lacks');
is(join("\n", @only_fresh), '', 'nothing in a fresh install that the updated catalog lacks');
is(scalar(@updated), scalar(@fresh), 'as many catalog facts in both');

$node->stop;
done_testing();
