# The PostgreSQL JDBC driver (DBeaver, Metabase, Superset over JDBC) against
# a cluster with demo data ingested through the worker: test/bi/JdbcTest.java
# with Debian's libpostgresql-jdbc-java, its checks counted here.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use BiNode;

my $root = $ENV{STREAMSTAT_ROOT} // '.';
my ($jar) = grep { -r } ('/usr/share/java/postgresql.jar', glob('/usr/share/java/postgresql-*.jar'));
plan skip_all => 'libpostgresql-jdbc-java is not installed (scripts/test.sh installs it)'
  unless $jar && -x '/usr/bin/java';

my $node = bi_node('jdbc');
# Java 11+ runs a single source file directly; its class cache goes to tmp_check.
bi_run($node, 'jdbc', '/usr/bin/java', "-Djava.io.tmpdir=$PostgreSQL::Test::Utils::tmp_check",
	'-cp', $jar, "$root/test/bi/JdbcTest.java");
$node->stop;
done_testing();
