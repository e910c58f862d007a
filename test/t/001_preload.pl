# The library loads both ways: preloaded (ingest settings live, no notice at
# CREATE EXTENSION) and not preloaded (analytics only, with a hint to preload).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('preloaded');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'streamstat'
streamstat.port = @{[ PostgreSQL::Test::Cluster::get_free_port() ]}
streamstat.http_port = 0
});
$node->start;

my ($ret, $stdout, $stderr) =
  $node->psql('postgres', 'CREATE EXTENSION streamstat');
is($ret, 0, 'CREATE EXTENSION succeeds when preloaded');
unlike($stderr, qr/shared_preload_libraries/, 'no preload hint when preloaded');

is($node->safe_psql('postgres', 'SHOW streamstat.database'), 'postgres',
	'streamstat.database defaults to postgres');

($ret, $stdout, $stderr) =
  $node->psql('postgres', "SET streamstat.bogus_setting = 1");
isnt($ret, 0, 'a misspelt streamstat setting is refused');
like($stderr, qr/invalid configuration parameter name/, '... as an invalid name');

$node->stop;

my $plain = PostgreSQL::Test::Cluster->new('plain');
$plain->init;
$plain->start;
($ret, $stdout, $stderr) =
  $plain->psql('postgres', 'CREATE EXTENSION streamstat');
is($ret, 0, 'CREATE EXTENSION succeeds without preload');
like($stderr, qr/HINT:\s+Add streamstat to shared_preload_libraries/,
	'without preload, CREATE EXTENSION hints how to enable ingest');
$plain->stop;

done_testing();
