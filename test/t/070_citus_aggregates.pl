# Analytics on a Citus cluster: every streamstat aggregate is pushed down
# to the shards (the partial aggregate runs inside the worker tasks, the
# combine on the coordinator), with the results of the same rows in one
# local table; time_bucket, accessors and window functions work in
# distributed queries.  Skipped when Citus is not installed.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use CitusCluster;

plan skip_all => 'Citus not installed (see README)' unless citus_available();

my ($coord, $w1, $w2) = citus_cluster();
sub sql { $coord->safe_psql('postgres', $_[0]) }

# The same rows in a distributed table and in a local one.  Values with a
# large offset make the moments sensitive to how partial states combine.
sql(q{
CREATE TABLE m (time timestamptz NOT NULL, host text, v float8, x float8);
SELECT create_distributed_table('m', 'host');
CREATE TABLE m_local (LIKE m);
INSERT INTO m_local
SELECT '2026-01-01'::timestamptz + i * interval '1 second', 'h' || (i % 17),
	   1e6 + 0.3 * i + sin(i) * 100 + (i % 7), i * 0.5 + cos(i)
FROM generate_series(1, 20000) i;
INSERT INTO m_local VALUES ('2026-01-01', 'h0', NULL, 1), ('2026-01-01', 'h1', 2, NULL);
INSERT INTO m SELECT * FROM m_local;
});
is(sql(q{SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'm'::regclass}),
	'2', 'the distributed table has shards on both workers');

# Pushed down: the task query calls worker_partial_agg, the coordinator
# coord_combine_agg; no row-gathering plan.
for my $agg ('stats_agg(v)', 'regr_agg(v, x)', 'regr_agg(v, time)')
{
	my $plan = sql("EXPLAIN VERBOSE SELECT $agg FROM m");
	like($plan, qr/worker_partial_agg\(/, "$agg: partial aggregate inside the worker tasks");
	like($plan, qr/coord_combine_agg\(/, "$agg: combined on the coordinator");
	unlike($plan, qr/Query: SELECT (?!worker_partial_agg)\S+ AS/, "$agg: rows are not shipped to the coordinator");
}

# Same results as on one node: counts exact, moments within 1e-12.
sub close_to_local
{
	my ($dist, $local, $what) = @_;
	my ($d, $l) = (sql($dist), sql($local));
	ok(($d eq '' && $l eq '') || ($d ne '' && $l ne '' && abs($d - $l) <= 1e-12 * abs($l)), $what)
	  or diag("distributed $d, local $l");
}
sub rel_close
{
	my ($expr, $what) = @_;
	close_to_local("SELECT $expr FROM m", "SELECT $expr FROM m_local", $what);
}
is(sql('SELECT num_vals(stats_agg(v)) FROM m'),
	sql('SELECT num_vals(stats_agg(v)) FROM m_local'), 'stats_agg count is exact');
rel_close("$_(stats_agg(v))", "stats_agg $_ as on one node")
  for qw(mean sum min max variance stddev skewness kurtosis);
is(sql('SELECT num_vals(regr_agg(v, x)) FROM m'),
	sql('SELECT num_vals(regr_agg(v, x)) FROM m_local'), 'regr_agg count is exact');
rel_close("$_(regr_agg(v, x))", "regr_agg $_ as on one node")
  for qw(slope intercept r2 corr covariance slope_stderr);
rel_close('slope(regr_agg(v, time))', 'regr_agg(y, timestamptz) slope as on one node');

# rollup of stored summaries, pushed down too.
sql(q{
CREATE TABLE hourly (host text, hour timestamptz, s statsummary, r regrsummary);
SELECT create_distributed_table('hourly', 'host');
INSERT INTO hourly SELECT host, time_bucket('1 hour', time), stats_agg(v), regr_agg(v, x)
FROM m GROUP BY 1, 2;
});
for my $agg ('rollup(s)', 'rollup(r)')
{
	my $plan = sql("EXPLAIN VERBOSE SELECT $agg FROM hourly");
	like($plan, qr/worker_partial_agg\(/, "$agg: partial aggregate inside the worker tasks");
}
is(sql('SELECT num_vals(rollup(s)) FROM hourly'), sql('SELECT num_vals(stats_agg(v)) FROM m_local'),
	'rollup(statsummary) over shards counts every value');
close_to_local('SELECT stddev(rollup(s)) FROM hourly', 'SELECT stddev(stats_agg(v)) FROM m_local',
	'rollup(statsummary) stddev as on one node');
close_to_local('SELECT slope(rollup(r)) FROM hourly', 'SELECT slope(regr_agg(v, x)) FROM m_local',
	'rollup(regrsummary) slope as on one node');

# time_bucket and accessors, grouped not by the distribution column
# (partial aggregates per bucket, combined on the coordinator).
is(sql(q{
	SELECT count(*) FROM
		(SELECT time_bucket('1 hour', time) b, mean(stats_agg(v)) mu FROM m GROUP BY 1) d
		FULL JOIN
		(SELECT time_bucket('1 hour', time) b, mean(stats_agg(v)) mu FROM m_local GROUP BY 1) l
		USING (b)
	WHERE NOT coalesce(abs(d.mu - l.mu) <= 1e-12 * abs(l.mu), false)}),
	'0', 'time_bucket groups with accessors give the one-node answers');

# Window functions over a distributed table (partitioned by the
# distribution column: run on the shards).
is(sql(q{
	SELECT count(*) FROM (
		SELECT host, time, stddev(stats_agg(v) OVER w) s FROM m
		WINDOW w AS (PARTITION BY host ORDER BY time ROWS 9 PRECEDING)
		EXCEPT
		SELECT host, time, stddev(stats_agg(v) OVER w) s FROM m_local
		WINDOW w AS (PARTITION BY host ORDER BY time ROWS 9 PRECEDING)) d}),
	'0', 'sliding stats_agg windows per host give the one-node answers');

$_->stop for ($coord, $w1, $w2);
done_testing();
