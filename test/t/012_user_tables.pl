# Tables the user made are used as they are: their own column types,
# constraints and indexes.  Rows the database refuses (NOT NULL, CHECK,
# varchar length, a unique index) are isolated into streamstat.rejects with
# the database's message while the other rows of the same batch land.
# auto_create off and another streamstat.schema.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $node = streamstat_node('usertables');
$node->safe_psql('postgres', q{
	CREATE TABLE meter (
		time timestamptz NOT NULL,
		site varchar(5) NOT NULL,
		kwh numeric(12,3) CHECK (kwh >= 0),
		phase integer,
		note text DEFAULT 'none',
		UNIQUE (site, time)
	) PARTITION BY RANGE (time);
	CREATE TABLE plain (time timestamptz NOT NULL, v double precision, tag text);
});

# One write, so that the good and the bad rows share a batch.
my $t = 1764028800;
ilp_send($node, join '',
	"meter,site=a kwh=1.5,phase=1i ${t}000000000\n",
	"meter kwh=2 ${t}000000001\n",								# site NOT NULL
	"meter,site=b kwh=-1 ${t}000000002\n",						# CHECK
	"meter,site=toolong kwh=3 ${t}000000003\n",					# varchar(5)
	"meter,site=c kwh=4.25,phase=3i ${t}000000004\n",
	"meter,site=a kwh=5 ${t}000000000\n",						# unique (site, time)
	"meter,site=d kwh=6i,phase=2i,note=\"given\" ${t}000000005\n",
	"meter,site=e phase=99999999999i ${t}000000006\n",			# integer out of range
	"meter,site=f kwh=7 ${t}000000007\n");
wait_for($node, 'SELECT count(*) FROM meter', '4', 'the good rows of the batch land');
is($node->safe_psql('postgres', q{SELECT string_agg(site || ':' || kwh || ':' || coalesce(phase::text, '-') || ':' || note, ' ' ORDER BY site) FROM meter}),
	'a:1.500:1:none c:4.250:3:none d:6.000:2:given f:7.000:-:none',
	'with the table\'s own types and defaults');
wait_for($node, q{SELECT count(*) FROM streamstat.rejects}, '5', 'each refused row is a reject of its own');
my $rej = $node->safe_psql('postgres', q{SELECT line || ' => ' || reason FROM streamstat.rejects ORDER BY line});
like($rej, qr/^meter kwh=2 \S+ => null value in column "site"/m, 'NOT NULL, with the database\'s message');
like($rej, qr/^meter,site=b kwh=-1 \S+ => new row for relation "\S+" violates check constraint/m, 'CHECK');
like($rej, qr/^meter,site=toolong .* => value too long for type character varying\(5\)/m, 'varchar length');
like($rej, qr/^meter,site=a kwh=5 .* => duplicate key value violates unique constraint/m, 'unique index');
like($rej, qr/^meter,site=e .* => .*out of range for type integer/m, 'integer range');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'meter'::regclass AND attnum > 0 AND NOT attisdropped}),
	'5', 'no column was added or changed');

# A table that is not partitioned.
ilp_send($node, "plain,tag=x v=1.25 ${t}000000000\nplain v=2i\n");
wait_for($node, 'SELECT count(*) FROM plain', '2', 'a plain (unpartitioned) table takes rows');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_inherits WHERE inhparent = 'plain'::regclass}), '0',
	'and gets no partitions');

# A field whose type does not fit the column.
ilp_send($node, "plain v=\"text\"\n");
wait_for($node, q{SELECT count(*) FROM streamstat.rejects WHERE line = 'plain v="text"' AND reason LIKE '%"v"%double precision%string%'}, '1',
	'a string into a double precision column is rejected');

# auto_create off: an unknown measurement is rejected, a known one lands.
$node->safe_psql('postgres', 'ALTER SYSTEM SET streamstat.auto_create = off');
$node->reload;
my $off = 0;
for my $i (1 .. 50)
{
	ilp_send($node, "unknown$i v=1\n");
	$node->poll_query_until('postgres', qq{SELECT (SELECT count(*) FROM streamstat.rejects WHERE line = 'unknown$i v=1') > 0}
		. qq{ OR to_regclass('unknown$i') IS NOT NULL}, 't') or last;
	$off = $i, last if $node->safe_psql('postgres', qq{SELECT to_regclass('unknown$i') IS NULL}) eq 't';
}
ok($off, 'with auto_create off a new measurement makes no table');
like($node->safe_psql('postgres', qq{SELECT reason FROM streamstat.rejects WHERE line = 'unknown$off v=1'}),
	qr/does not exist and streamstat\.auto_create is off/, 'it is rejected naming the setting');
ilp_send($node, "plain,newtag=z v=3\n");
wait_for($node, q{SELECT count(*) FROM streamstat.rejects WHERE line = 'plain,newtag=z v=3' AND reason LIKE '%column "newtag"%auto_create is off%'}, '1',
	'a new key makes no column either');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET streamstat.auto_create');

# Another schema.
$node->safe_psql('postgres', "CREATE SCHEMA iot; ALTER SYSTEM SET streamstat.schema = 'iot'");
$node->reload;
my $moved = 0;
for my $i (1 .. 50)
{
	ilp_send($node, "probe$i v=1\n");
	$node->poll_query_until('postgres', qq{SELECT to_regclass('iot.probe$i') IS NOT NULL OR to_regclass('public.probe$i') IS NOT NULL}, 't')
	  or last;
	$moved = 1, last if $node->safe_psql('postgres', qq{SELECT to_regclass('iot.probe$i') IS NOT NULL}) eq 't';
}
ok($moved, 'with streamstat.schema = iot new tables are made in iot');

$node->stop;
done_testing();
