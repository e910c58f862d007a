# The Grafana dashboard (contrib/grafana): test/bi/test_grafana.py expands
# every panel's SQL as Grafana's PostgreSQL data source does and runs it on a
# cluster with demo data just ingested through the worker; checks counted here.
use strict;
use warnings;
use PostgreSQL::Test::Utils;
use Test::More;
use BiNode;

my $root = $ENV{STREAMSTAT_ROOT} // '.';
my $python = -x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3';

# Readings over the six hours before now, so that the rejects (stamped with
# the time they arrived) fall in the dashboard's time range too.
my $node = bi_node('grafana', recent => 1);
my ($from, $to) = bi_range($node);
local $ENV{BI_FROM} = $from;
local $ENV{BI_TO} = $to;
bi_run($node, 'grafana', $python, "$root/test/bi/test_grafana.py");
$node->stop;
done_testing();
