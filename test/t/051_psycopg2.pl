# psycopg2 (Superset, notebooks) against a cluster with demo data ingested
# through the worker: test/bi/test_psycopg2.py, its checks counted here.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use BiNode;

my $root = $ENV{STREAMSTAT_ROOT} // '.';
# Debian's python3 with python3-psycopg2 (not another python on PATH).
my $python = -x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3';

my $node = bi_node('psycopg2');
bi_run($node, 'psycopg2', $python, "$root/test/bi/test_psycopg2.py");
$node->stop;
done_testing();
