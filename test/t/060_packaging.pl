# Packaging metadata agrees with itself: META.json (PGXN) is valid and names
# the version in streamstat.control, debian/ names the same version and
# builds for this server's major version, every released install script has
# an upgrade path to the default version.  (scripts/deb.sh builds and
# installs the package itself.)
use strict;
use warnings;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = $ENV{STREAMSTAT_ROOT} // '.';
sub slurp { PostgreSQL::Test::Utils::slurp_file("$root/$_[0]") }

my ($version) = slurp('streamstat.control') =~ /^default_version = '([^']+)'/m;
ok(defined $version, "streamstat.control has a default_version ($version)");

my $meta = eval { JSON::PP->new->decode(slurp('META.json')) };
ok($meta, 'META.json is valid JSON') or diag($@);
is($meta->{name}, 'streamstat', 'META.json: name');
is($meta->{'meta-spec'}{version}, '1.0.0', 'META.json: PGXN meta-spec 1.0.0');
for my $key (qw(abstract maintainer license provides release_status))
{
	ok(defined $meta->{$key}, "META.json: $key");
}
like($meta->{version}, qr/^\Q$version\E\.\d+$/, 'META.json: the distribution version is the extension version');
like($meta->{provides}{streamstat}{version}, qr/^\Q$version\E\.\d+$/, 'META.json: provides streamstat at that version');

my ($deb_version) = slurp('debian/changelog') =~ /^streamstat \(([^)]+)\)/;
like($deb_version, qr/^\Q$version\E([~.+-]|$)/, "debian/changelog's version ($deb_version) is the extension version");
my $major = (split /\./, (`pg_config --version` =~ /(\d+(?:\.\d+)?)/)[0])[0];
like(slurp('debian/pgversions'), qr/^(\Q$major\E|all)\+?$/m, "debian/pgversions builds for PostgreSQL $major");
like(slurp('debian/control'), qr/^Package: postgresql-\Q$major\E-streamstat$/m,
	"debian/control (pg_buildext updatecontrol) has postgresql-$major-streamstat");

# The license: the PostgreSQL License, named alike in LICENSE, META.json,
# debian/copyright (DEP-5, with the full text) and the README.
my $license = slurp('LICENSE');
like($license, qr/^PostgreSQL License$/m, 'LICENSE is the PostgreSQL License');
like($license, qr/^Copyright \(c\) 2026, streamstat developers$/m, 'LICENSE names the copyright holders');
is($meta->{license}, 'postgresql', 'META.json: license postgresql');
my $copyright = slurp('debian/copyright');
like($copyright, qr{^Format: https://www\.debian\.org/doc/packaging-manuals/copyright-format/1\.0/$}m,
	'debian/copyright is in DEP-5 form');
like($copyright, qr/^Files: \*\nCopyright: 2026, streamstat developers\nLicense: PostgreSQL$/m,
	'debian/copyright: every file is under the PostgreSQL License');
# The stand-alone License paragraph holds LICENSE's text, line for line.
my ($body) = $license =~ /^(Permission to use.*)\z/ms;
my $dep5 = join '', map { ' ' . ($_ eq '' ? '.' : $_) . "\n" } split /\n/, $body, -1;
$dep5 =~ s/ \.\n\z//;
ok(index($copyright, "License: PostgreSQL\n$dep5") >= 0, 'debian/copyright holds the full license text');
like(slurp('README.md'), qr/PostgreSQL License.*LICENSE/, 'the README names the license and links LICENSE');

# Every released version reaches the default one through upgrade scripts.
my @scripts = map { s{.*/}{}r } glob("$root/sql/streamstat--*.sql");
my %edge;
for (@scripts) { $edge{$1}{$2} = 1 if /^streamstat--([^-]+)--([^-]+)\.sql$/ }
for my $released (grep { /^streamstat--([^-]+)\.sql$/ && $1 ne $version } @scripts)
{
	my ($from) = $released =~ /^streamstat--([^-]+)\.sql$/;
	my %seen = ($from => 1);
	my @queue = ($from);
	while (my $v = shift @queue) { for (keys %{ $edge{$v} // {} }) { push @queue, $_ unless $seen{$_}++ } }
	ok($seen{$version}, "release $from has an upgrade path to $version");
}
done_testing();
