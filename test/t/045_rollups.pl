# Rollups on the worker path: rows written over TCP and HTTP by two ingest
# workers, late data, rejected rows, other writers meanwhile, a restart in
# the middle, and retention removing raw partitions while ingest runs.  After
# each step every rollup equals stats_agg ... GROUP BY over the raw rows
# (count, min, max exactly; mean within 1e-12 relative; variance within
# 1e-12 of the mean square: equal values give stats_agg a variance of
# rounding noise, 1e-29, and the combined summaries 0), every percentile
# sketch of the rollups (percentiles => true) equals pct_agg ... GROUP BY
# over the raw rows (same buckets and counts, same percentiles), and a row
# visible in its table is always already in its rollups.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $node = streamstat_node('rollups', http => 1, workers => 2,
	maintenance_interval => '200ms');
$node->wait_for_log(qr/worker 2 listening on HTTP port/);
my $tmp = $PostgreSQL::Test::Utils::tmp_check;

my $now_ns = time() * 1_000_000_000;
my $min = 60 * 1_000_000_000;

# Lines of measurement m: $n points from $t0 on, every $step ns.
sub lines
{
	my ($t0, $step, $n, $tag) = @_;
	return join '', map {
		my $v = ($_ * 7919 % 1000) / 10;
		"m,host=h" . ($_ % 3) . ($_ % 5 ? ",dc=d" . ($_ % 2) : '')
		  . " used=$v,free=${_}i,note=\"$tag\" " . int($t0 + $_ * $step) . "\n"
	} 0 .. $n - 1;
}

# The table comes from the first lines; the rollups are made on it.
ilp_send($node, lines($now_ns - 120 * $min, $min / 7, 200, 'first'));
wait_for($node, 'SELECT count(*) FROM m', '200', 'first lines stored');
$node->safe_psql('postgres', q{
	SELECT streamstat.create_rollup('m_1m', 'm', '1 minute', '{host,dc}', '{used,free}', percentiles => true);
	SELECT streamstat.create_rollup('m_1h', 'm_1m', '1 hour', '{host}', percentiles => true);
	CREATE FUNCTION wrong(a statsummary, b statsummary) RETURNS boolean LANGUAGE sql AS $$
		SELECT num_vals(a) IS DISTINCT FROM num_vals(b) OR min(a) IS DISTINCT FROM min(b)
			OR max(a) IS DISTINCT FROM max(b)
			OR NOT coalesce(abs(mean(a) - mean(b)) <= 1e-12 * abs(mean(b)), mean(a) IS NULL AND mean(b) IS NULL)
			OR NOT coalesce(abs(variance(a) - variance(b)) <= 1e-12 * (abs(variance(b)) + mean(b) ^ 2),
							variance(a) IS NULL AND variance(b) IS NULL) $$;
	CREATE FUNCTION wrong(a pctsketch, b pctsketch) RETURNS boolean LANGUAGE sql AS $$
		SELECT regexp_replace(a::text, ',sum:[^,]*,sum_lo:[^,]*', '')
				IS DISTINCT FROM regexp_replace(b::text, ',sum:[^,]*,sum_lo:[^,]*', '')
			OR percentiles(a, '{0,0.1,0.5,0.9,0.99,0.999,1}') IS DISTINCT FROM percentiles(b, '{0,0.1,0.5,0.9,0.99,0.999,1}') $$;
	CREATE FUNCTION mismatches(since timestamptz DEFAULT '-infinity') RETURNS text LANGUAGE sql AS $$
		SELECT (SELECT count(*) FROM
				(SELECT time_bucket('1 minute', time) t, host, dc, stats_agg(used) u,
						stats_agg(free::float8) f, pct_agg(used) up, pct_agg(free) fp
				   FROM m WHERE time >= since GROUP BY 1, 2, 3) s
				FULL JOIN (SELECT * FROM m_1m WHERE time >= since) r ON r.time = s.t
					 AND r.host IS NOT DISTINCT FROM s.host AND r.dc IS NOT DISTINCT FROM s.dc
				WHERE r.time IS NULL OR s.t IS NULL OR wrong(r.used, s.u) OR wrong(r.free, s.f)
					OR wrong(r.used_pct, s.up) OR wrong(r.free_pct, s.fp))
			|| ',' ||
			(SELECT count(*) FROM
				(SELECT time_bucket('1 hour', time) t, host, stats_agg(used) u, stats_agg(free::float8) f,
						pct_agg(used) up, pct_agg(free) fp
				   FROM m WHERE time >= time_bucket('1 hour', since) GROUP BY 1, 2) s
				FULL JOIN (SELECT * FROM m_1h WHERE time >= time_bucket('1 hour', since)) r
					 ON r.time = s.t AND r.host IS NOT DISTINCT FROM s.host
				WHERE r.time IS NULL OR s.t IS NULL OR wrong(r.used, s.u) OR wrong(r.free, s.f)
					OR wrong(r.used_pct, s.up) OR wrong(r.free_pct, s.fp)) $$;
});
is($node->safe_psql('postgres', 'SELECT mismatches()'), '0,0', 'backfilled rollups are exact');
is($node->safe_psql('postgres', q{SELECT count(*) FILTER (WHERE used_pct IS NOT NULL) = count(*) AND count(*) > 0 FROM m_1m}),
	't', 'the minute rollup carries a sketch per bucket');

# TCP from two connections at once (two workers share the port), late
# points (a day and 40 days back) and a rejected line in the middle.
my $expected = 200;
my @socks = map { ilp_connect($node) } 1 .. 2;
for my $round (1 .. 5)
{
	for my $k (0 .. 1)
	{
		my $s = $socks[$k];
		print $s lines($now_ns - (100 - $round * 10 - $k) * $min, $min / 13, 400, "tcp$round");
		print $s "m,host=bad used=\"not a number\" $now_ns\n";
		print $s lines($now_ns - 1440 * $min - $round * $min, $min / 3, 20, 'late');
		print $s lines($now_ns - 40 * 1440 * $min + $round * $min, $min / 2, 5, 'very late');
		$expected += 425;
	}
}
close $_ for @socks;

# HTTP (InfluxDB v2 write): answered after commit, so the rollups are
# current when the 204 arrives.
my $f = "$tmp/body";
open my $fh, '>', $f or die $!;
print $fh lines($now_ns - 30 * $min, $min / 11, 500, 'http');
close $fh;
my ($status) = http_request($node, '--data-binary', "\@$f", '/api/v2/write?precision=ns');
is($status, '204', 'HTTP write answered 204');
$expected += 500;
is($node->safe_psql('postgres', q{SELECT count(*) || ';' || mismatches() FROM m WHERE note = 'http'}),
	'500;0,0', 'after the 204 the rollups hold the HTTP rows (and whatever else is visible)');

wait_for($node, 'SELECT count(*) FROM m', $expected, 'every TCP and HTTP row stored');
is($node->safe_psql('postgres', q{SELECT count(*) FROM streamstat.rejects WHERE line LIKE 'm,host=bad%'}),
	'10', 'the bad lines were rejected');
is($node->safe_psql('postgres', q{SELECT count(*) FROM m_1m WHERE host = 'bad'}), '0',
	'rejected rows are not in the rollups');
is($node->safe_psql('postgres', 'SELECT mismatches()'), '0,0',
	'rollups exact after two workers, TCP, HTTP and late data')
  or diag($node->safe_psql('postgres', q{
	SELECT s.t, s.host, r.used, s.u, r.free, s.f FROM
		(SELECT time_bucket('1 hour', time) t, host, stats_agg(used) u, stats_agg(free::float8) f
		   FROM m GROUP BY 1, 2) s
		FULL JOIN m_1h r ON r.time = s.t AND r.host IS NOT DISTINCT FROM s.host
		WHERE r.time IS NULL OR s.t IS NULL OR wrong(r.used, s.u) OR wrong(r.free, s.f)}));
ok($node->safe_psql('postgres', q{SELECT count(*) FROM m_1m WHERE time < now() - interval '39 days'}) > 0,
	'points 40 days late are in the minute rollup');

# A row the table refuses at write time (a constraint: the writer isolates
# it by bisection) is in neither the table nor the rollups.
$node->safe_psql('postgres', q{ALTER TABLE m ADD CONSTRAINT not_huge CHECK (free < 1000000)});
ilp_send($node, "m,host=h9 used=1,free=5i $now_ns\nm,host=h9 used=2,free=2000000i $now_ns\nm,host=h9 used=3,free=7i $now_ns\n");
wait_for($node, q{SELECT count(*) FROM streamstat.rejects WHERE reason LIKE '%not_huge%'}, '1',
	'the row breaking the constraint was rejected');
is($node->safe_psql('postgres', q{SELECT count(*) || ',' || (SELECT sum(num_vals(used)) || ',' || max(max(free)) FROM m_1m WHERE host = 'h9') FROM m WHERE host = 'h9'}),
	'2,2,7', 'the rollups hold the two stored rows, not the rejected one');

# Other writers meanwhile: INSERT, UPDATE and DELETE while a worker writes.
my $s = ilp_connect($node);
print $s lines($now_ns - 50 * $min, $min / 17, 300, 'concurrent');
$node->safe_psql('postgres', q{
	INSERT INTO m (time, host, dc, used, free) SELECT now() - i * interval '1 minute', 'sql', 'd1', i, i
	  FROM generate_series(1, 100) i;
	UPDATE m SET used = used * 2 WHERE note = 'tcp2';
	DELETE FROM m WHERE note = 'tcp3' AND host = 'h1';
});
print $s lines($now_ns - 45 * $min, $min / 17, 300, 'concurrent2');
close $s;
wait_for($node, q{SELECT count(*) FROM m WHERE note LIKE 'concurrent%'}, '600', 'concurrent lines stored');
is($node->safe_psql('postgres', 'SELECT mismatches()'), '0,0',
	'rollups exact after SQL INSERT, UPDATE and DELETE amid ingest');

# Freshness: while points stream in, every snapshot that shows a row in
# the table also shows it in the rollups (same transaction).
my $fresh = ilp_connect($node);
my $inconsistent = 0;
my $seen = 0;
for my $i (1 .. 40)
{
	print $fresh "m,host=fresh used=$i,free=${i}i " . ($now_ns + $i * 1_000_000) . "\n";
	my $r = $node->safe_psql('postgres', q{SELECT (SELECT count(*) FROM m WHERE host = 'fresh')
		|| ',' || (SELECT coalesce(sum(num_vals(used)), 0) FROM m_1m WHERE host = 'fresh')
		|| ',' || (SELECT coalesce(sum(num_vals(used)), 0) FROM m_1h WHERE host = 'fresh')});
	my ($raw, $m1, $h1) = split /,/, $r;
	$inconsistent++ if $raw != $m1 || $raw != $h1;
	$seen = $raw;
}
close $fresh;
is($inconsistent, 0, "no snapshot saw a raw row without its rollups ($seen of 40 seen while sending)");
wait_for($node, q{SELECT count(*) FROM m_1m WHERE host = 'fresh'}, '1', 'fresh rows folded');

# A restart in the middle: rows sent before a fast shutdown are flushed
# and folded; ingest resumes after it.
$s = ilp_connect($node);
print $s lines($now_ns - 20 * $min, $min / 19, 300, 'before restart');
close $s;
wait_for($node, q{SELECT count(*) FROM m WHERE note = 'before restart'}, '300', 'rows before the restart stored');
my $off = -s $node->logfile;
$node->restart;
$node->wait_for_log(qr/worker 2 listening on port/, $off);
ilp_send($node, lines($now_ns - 10 * $min, $min / 23, 300, 'after restart'));
wait_for($node, q{SELECT count(*) FROM m WHERE note = 'after restart'}, '300', 'rows after the restart stored');
is($node->safe_psql('postgres', 'SELECT mismatches()'), '0,0', 'rollups exact across a restart');

# Retention while ingest runs: raw partitions of days long past go, the
# rollups keep those days.
my $old_counts = $node->safe_psql('postgres',
	q{SELECT count(*) FROM m WHERE time < now() - interval '3 days'});
ok($old_counts > 0, 'there are raw rows older than 3 days');
$node->safe_psql('postgres', q{SELECT streamstat.set_retention('m', '3 days')});
my $removed = 0;
for my $i (1 .. 200)
{
	ilp_send($node, lines(time() * 1_000_000_000 - 5 * $min, $min / 29, 50, "during retention $i"));
	$removed = $node->safe_psql('postgres',
		q{SELECT count(*) = 0 FROM m WHERE time < now() - interval '3 days'});
	last if $removed eq 't';
	select(undef, undef, undef, 0.1);
}
is($removed, 't', 'retention removed the old raw partitions while rows streamed in');
$node->wait_for_log(qr/streamstat retention: dropped partition streamstat_partitions\.m_p/);
like($node->safe_psql('postgres', q{SELECT partitions_removed > 0 AND last_error IS NULL FROM streamstat.policies WHERE relation = 'm'::regclass}),
	qr/^t$/, 'the policy counts its removals');
is($node->safe_psql('postgres', q{SELECT sum(num_vals(used)) > 0 FROM m_1m WHERE time < now() - interval '39 days'}),
	't', 'the rollups keep the days retention removed');
wait_for($node, q{SELECT count(*) FROM m WHERE note LIKE 'during retention%'},
	$node->safe_psql('postgres', q{SELECT 50 * count(DISTINCT note) FROM m WHERE note LIKE 'during retention%'}),
	'every row sent during retention stored');
is($node->safe_psql('postgres', q{SELECT mismatches(now() - interval '2 days')}), '0,0',
	'rollups exact where raw rows remain');

$node->stop;
done_testing();
