# StreamstatSecurity: throwaway TLS certificates and line-protocol keys for
# the security TAP tests, made with the openssl command at test time.
#
# make_ca() makes a CA; make_cert() a certificate it signs (server: with
# subjectAltName IP:127.0.0.1 and DNS:localhost; client: for mutual TLS);
# make_ilp_key() an ECDSA P-256 key pair, returned as QuestDB's key files
# give it (x, y, d in base64url) with the PEM file of the private key.
# ilp_client() runs test/lib/ilp_client.py (Python's ssl module, the
# handshake signed by `openssl dgst`); questdb_client() runs
# test/node/questdb_send.js (@questdb/nodejs-client).
package StreamstatSecurity;

use strict;
use warnings;
use Exporter 'import';
use MIME::Base64 qw(encode_base64url);
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(make_ca make_cert make_ilp_key ilp_client questdb_client
  node_dir curl_status);

# Run openssl with @args; dies with its output on failure.
sub openssl
{
	my @args = @_;
	my ($out, $err) = run_command([ 'openssl', @args ]);
	return $out;
}

sub _check
{
	my ($file) = @_;
	-s $file or die "openssl did not make $file";
}

# A CA in $dir/$name.{crt,key}; returns the path of the certificate.
sub make_ca
{
	my ($dir, $name) = @_;
	openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt',
		'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
		'-subj', "/CN=$name", '-keyout', "$dir/$name.key",
		'-out', "$dir/$name.crt");
	_check("$dir/$name.crt");
	return "$dir/$name.crt";
}

# A certificate $dir/$name.{crt,key} signed by CA $ca (its .crt path).
sub make_cert
{
	my ($dir, $name, $ca, $kind) = @_;
	(my $cakey = $ca) =~ s/\.crt$/.key/;
	my $ext = "$dir/$name.ext";
	open my $fh, '>', $ext or die "$ext: $!";
	print $fh $kind eq 'server'
	  ? "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
	  : "extendedKeyUsage=clientAuth\n";
	close $fh;
	openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
		'-nodes', '-subj', "/CN=$name", '-keyout', "$dir/$name.key",
		'-out', "$dir/$name.csr");
	openssl('x509', '-req', '-in', "$dir/$name.csr", '-CA', $ca,
		'-CAkey', $cakey, '-CAcreateserial', '-days', '2',
		'-extfile', $ext, '-out', "$dir/$name.crt");
	_check("$dir/$name.crt");
	chmod 0600, "$dir/$name.key";
	return ("$dir/$name.crt", "$dir/$name.key");
}

# An ECDSA P-256 key pair: { pem => file, x, y, d => base64url }.
sub make_ilp_key
{
	my ($dir, $name) = @_;
	my $pem = "$dir/$name.pem";
	openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout',
		'-out', $pem);
	_check($pem);
	my $text = openssl('ec', '-in', $pem, '-text', '-noout');
	my ($priv) = $text =~ /priv:\s*\n((?:\s+[0-9a-f:]+\n)+)/;
	my ($pub) = $text =~ /pub:\s*\n((?:\s+[0-9a-f:]+\n)+)/;
	die "cannot read key $pem" unless $priv && $pub;
	my $hex = sub { my $h = shift; $h =~ s/[\s:]//g; return pack('H*', $h) };
	my $d = $hex->($priv);
	my $point = $hex->($pub);
	die "uncompressed point expected" unless substr($point, 0, 1) eq "\x04";
	$d = ("\0" x (32 - length $d)) . $d if length $d < 32;
	$d = substr($d, -32);
	return {
		pem => $pem,
		x => encode_base64url(substr($point, 1, 32)),
		y => encode_base64url(substr($point, 33, 32)),
		d => encode_base64url($d),
	};
}

# Run curl with @args as they are; returns the HTTP status ('000' when no
# answer came, as after a refused TLS handshake) and curl's stderr.
sub curl_status
{
	my @args = @_;
	my ($out, $err);
	IPC::Run::run([ 'curl', '-sS', '-o', '/dev/null', '--max-time', '60',
		'-w', '%{http_code}', @args ], '>', \$out, '2>', \$err);
	return ($out, $err);
}

# Run test/lib/ilp_client.py with @args; returns (exit code, stdout, stderr).
sub ilp_client
{
	my @args = @_;
	my $root = $ENV{STREAMSTAT_ROOT} // '.';
	my ($out, $err);
	IPC::Run::run([ 'python3', "$root/test/lib/ilp_client.py", @args ],
		'>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

# test/node with @questdb/nodejs-client and @influxdata/influxdb-client
# installed (npm ci into a copy under tmp_check when they are not).
my $node_dir;
sub node_dir
{
	return $node_dir if defined $node_dir;
	my $root = $ENV{STREAMSTAT_ROOT} // '.';
	my $dir = "$root/test/node";
	if (!-d "$dir/node_modules/\@questdb/nodejs-client"
		|| !-d "$dir/node_modules/\@influxdata/influxdb-client")
	{
		my $copy = "$PostgreSQL::Test::Utils::tmp_check/node";
		mkdir $copy;
		system('cp', "$dir/package.json", "$dir/package-lock.json",
			glob("$dir/*.js"), $copy) == 0 or die "cp: $?";
		my ($out, $err) = run_command([ 'sh', '-c',
			"cd '$copy' && HOME='$copy' npm ci --no-audit --no-fund" ]);
		-d "$copy/node_modules/\@questdb/nodejs-client"
		  or BAIL_OUT("npm ci failed in $copy: $out $err");
		$dir = $copy;
	}
	$node_dir = $dir;
	return $dir;
}

# Run test/node/questdb_send.js with @args; returns (exit code, stdout, stderr).
sub questdb_client
{
	my @args = @_;
	my $dir = node_dir();
	my ($out, $err);
	IPC::Run::run([ 'node', "$dir/questdb_send.js", @args ],
		'>', \$out, '2>', \$err);
	return ($? >> 8, $out, $err);
}

1;
