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

# The p99 panel on the rollup shows what pct_agg over the raw rows gives:
# per hour and sensor, the merged minute sketches equal the raw rows' sketch.
like($node->safe_psql('postgres', q{
	SELECT count(*) || ',' || count(*) FILTER (WHERE r.p IS DISTINCT FROM s.p)
	  FROM (SELECT time_bucket('1 hour', time) t, id, percentiles(rollup(temperature_pct), '{0.5,0.99}') p
			  FROM sensor_1m GROUP BY 1, 2) r
	  JOIN (SELECT time_bucket('1 hour', time) t, id, percentiles(pct_agg(temperature), '{0.5,0.99}') p
			  FROM sensor GROUP BY 1, 2) s ON r.t = s.t AND r.id = s.id}),
	qr/^[1-9]\d*,0$/, 'p50 and p99 per hour from the rollup\'s sketches equal pct_agg over the raw rows');

# The demo's SVG chart (scripts/demo.sh --svg) from the same data: a
# well-formed SVG document with a band and a line per sensor.
my $svg = $node->safe_psql('postgres', PostgreSQL::Test::Utils::slurp_file("$root/scripts/demo_svg.sql"));
my $svgfile = "$PostgreSQL::Test::Utils::tmp_check/demo.svg";
unlink $svgfile;
PostgreSQL::Test::Utils::append_to_file($svgfile, $svg);
my $shape = `$python -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); ns = "{http://www.w3.org/2000/svg}"; print(r.tag == ns + "svg", len(r.findall(ns + "polygon")), sorted(len(p.get("points").split()) for p in r.findall(ns + "polyline")))' $svgfile 2>&1`;
like($shape, qr/^True 3 \[(\d{3}), (\d{3}), (\d{3})\]$/, 'the demo SVG: an svg document, three bands, three lines of hundreds of points')
  or diag($shape);
$node->stop;
done_testing();
