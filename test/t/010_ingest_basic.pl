# Lines of every type and escape land as rows with the right column types;
# new keys add columns; partitions are made (old, current, next); bad input
# goes to streamstat.rejects with reasons while the good lines land.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use StreamstatNode;

my $node = streamstat_node('basic', partition_interval => '1d', max_line_bytes => '1kB');

like($node->safe_psql('postgres',
	"SELECT backend_type FROM pg_stat_activity WHERE backend_type = 'streamstat ingest'"),
	qr/streamstat ingest/, 'the worker shows in pg_stat_activity');

# Every value type, escapes in every element, a string with escapes.
ilp_send($node, join('',
	"weather,city=Z\\ rich,kind=a\\,b temp=21.5,hum=40i,count=7u,ok=true,note=\"say \\\"hi\\\" \\\\ there\" 1764028800000000000\n",
	"weather,city=Bern temp=-3e2,hum=-5i,count=18446744073709551615u,ok=F,note=\"\" 1764028801000000000\n",
	"# a comment\n",
	"\n",
	"my\\ meas,t\\=k=v\\=1 f\\,x=1.0 1764028802000000000\n"));

wait_for($node, 'SELECT count(*) FROM weather', '1', 'the good weather line lands');
is($node->safe_psql('postgres', q{
	SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod), ',' ORDER BY attnum)
	FROM pg_attribute WHERE attrelid = 'public.weather'::regclass AND attnum > 0}),
	'time:timestamp with time zone,city:text,kind:text,temp:double precision,hum:bigint,count:bigint,ok:boolean,note:text',
	'column types follow the line protocol types');
is($node->safe_psql('postgres', q{
	SELECT city || '|' || kind || '|' || temp || '|' || hum || '|' || count || '|' || ok || '|' || note || '|' || extract(epoch from time)
	FROM weather}),
	'Z rich|a,b|21.5|40|7|true|say "hi" \\ there|1764028800.000000',
	'values and escapes arrive intact');
wait_for($node, q{SELECT count(*) FROM streamstat.rejects WHERE reason LIKE '%bigint%'}, '1',
	'an unsigned value beyond bigint is rejected');
wait_for($node, q{SELECT count(*) FROM "my meas" WHERE "t=k" = 'v=1' AND "f,x" = 1}, '1',
	'escaped measurement and keys');

# A new field adds a column.
ilp_send($node, "weather,city=Bern temp=1,wind=3.5 1764028803000000000\n");
wait_for($node, 'SELECT count(*) FROM weather WHERE wind = 3.5', '1', 'a new field adds a column');

# Conflicting type: reject naming the column and the types.
ilp_send($node, "weather,city=Bern temp=\"warm\" 1764028804000000000\n");
wait_for($node, q{SELECT count(*) FROM streamstat.rejects WHERE reason LIKE '%"temp"%double precision%string%'}, '1',
	'a field of the wrong type is rejected with the column and types');

# Partitions: an old one, the current day and the next day premade.
ilp_send($node, "weather,city=Old temp=1 946684800000000000\nweather,city=Now temp=2\n");
wait_for($node, q{SELECT count(*) FROM weather WHERE city IN ('Old', 'Now')}, '2', 'old and current rows land');
my $parts = $node->safe_psql('postgres', q{
	SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i
	JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE i.inhparent = 'public.weather'::regclass AND n.nspname = 'streamstat_partitions'});
like($parts, qr/weather_p20000101/, 'a partition for an old timestamp');
like($parts, qr/weather_p20251125/, 'a partition for the given timestamps');
my $next = $node->safe_psql('postgres',
	q{SELECT 'weather_p' || to_char((now() AT TIME ZONE 'UTC') + interval '1 day', 'YYYYMMDD')});
like($parts, qr/$next/, 'the next partition is premade');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partdefid
	WHERE p.partrelid = 'public.weather'::regclass}), '0', 'no default partition');

# Bad input around good lines: malformed, oversized, binary, invalid UTF-8.
my $big = 'big f=' . ('9' x 2000) . "\n";
ilp_send($node, join('',
	"good,n=1 v=1i\n",
	"this is not a line\n",
	"good,n=2 v=2i\n",
	$big,
	"good,n=3 v=3i\n",
	"\x00\x80binary\xff\xfe\n",
	"good,n=4 v=4i\n",
	"bad\xc3\x28utf f=1\n",
	"good,n=5 v=5i\n",
	"good,n=6 v=6i 1764028805000000000\n",
	"good,n=7 v=7i"));
wait_for($node, 'SELECT count(*) FROM good', '7', 'good lines around bad ones land (also a final line without newline)');
wait_for($node, q{SELECT count(*) FROM streamstat.rejects WHERE client LIKE '127.0.0.1:%' AND line NOT LIKE 'weather%'}, '4',
	'each bad line is a reject with its client');
my $rej = $node->safe_psql('postgres', q{SELECT line || ' => ' || reason FROM streamstat.rejects ORDER BY received_at, line});
like($rej, qr/^this is not a line => \S/m, 'malformed line stored with a reason');
like($rej, qr/^big f=9{100}.* => line longer than streamstat.max_line_bytes/m, 'oversized line stored truncated with a reason');
like($rej, qr/\\x00\\x80binary\\xFF\\xFE => NUL byte at byte 1 /, 'binary garbage stored escaped (its first bad byte named)');
like($rej, qr/bad\\xC3\(utf f=1 => invalid UTF8/, 'invalid UTF-8 stored escaped');
is($node->safe_psql('postgres', q{SELECT max(length(line)) FROM streamstat.rejects WHERE line LIKE 'big%'}),
	'1024', 'the oversized line is truncated to its first 1024 bytes');

# Stats view.
wait_for($node, q{SELECT format('%s rejected, %s inserted, %s connections, %s open', lines_rejected, rows_inserted, connections_total, connections_open) FROM streamstat.ingest_stats},
	'6 rejected, 12 inserted, 5 connections, 0 open', 'ingest_stats counts');

$node->stop;
done_testing();
