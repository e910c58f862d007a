# A real client nobody here wrote: @influxdata/influxdb-client (through
# test/node/write_points.js) writes points with gzip on and off and with
# each precision, with a token; every point is stored with its exact time
# and values.
use strict;
use warnings;
use File::Copy;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $root = $ENV{STREAMSTAT_ROOT} // '.';
my $nodedir = "$root/test/node";
if (system('node --version >/dev/null 2>&1') != 0)
{
	plan skip_all => 'node is not installed (scripts/common.sh installs nodejs and npm)';
}

# The client library: test/node/node_modules when installed there, else
# `npm ci` into a copy of test/node under tmp_check.
unless (-d "$nodedir/node_modules/\@influxdata/influxdb-client")
{
	my $copy = "$PostgreSQL::Test::Utils::tmp_check/node";
	mkdir $copy;
	copy("$nodedir/$_", "$copy/$_") or die "copy $_: $!"
	  for qw(package.json package-lock.json write_points.js);
	my ($out, $err) = run_command([ 'sh', '-c',
		"cd '$copy' && HOME='$copy' npm ci --no-audit --no-fund" ]);
	-d "$copy/node_modules/\@influxdata/influxdb-client"
	  or BAIL_OUT("npm ci failed in $copy: $out $err");
	$nodedir = $copy;
}

my $node = streamstat_node('client', http => 1, require_auth => 'on');
my $token = $node->safe_psql('postgres', q{SELECT streamstat.create_token('node')});

# Seconds since the epoch of the first point, and one unit in microseconds.
my $start_s = 1764028800;
my %unit_us = (ns => 0.001, us => 1, ms => 1000, s => 1000000);
my %per_s = (ns => '000000000', us => '000000', ms => '000', s => '');

for my $gzip (qw(off on))
{
	for my $precision (qw(ns us ms s))
	{
		my $m = "node_${precision}_gzip_$gzip";
		# ns: step 1000 ns (PostgreSQL keeps microseconds)
		my $step = $precision eq 'ns' ? 1000 : 1;
		my $step_us = $step * $unit_us{$precision};
		my ($out, $err) = run_command([ 'node', "$nodedir/write_points.js",
			'--url', http_url($node), '--token', $token,
			'--bucket', 'public', '--count', '1000', '--batch', '250',
			'--precision', $precision, '--gzip', $gzip, '--measurement', $m,
			'--start', "$start_s$per_s{$precision}", '--step', $step ]);
		like($out, qr/"written":1000/, "client writes 1000 points, precision $precision, gzip $gzip")
		  or diag("stdout: $out\nstderr: $err");
		is($node->safe_psql('postgres', qq{
			SELECT count(*) FILTER (WHERE (extract(epoch from time) * 1000000)::bigint
					= ${start_s}000000 + i * $step_us
				AND f = i / 2.0 AND s = 's' || i AND b = (i % 2 = 0)
				AND src = 'node' AND batch = (i / 250)::text)
			FROM $m}),
			'1000', "every point stored with its time and values ($precision, gzip $gzip)");
	}
}

$node->stop;
done_testing();
