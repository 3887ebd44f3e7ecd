#!/bin/sh
# Generates the fixture certificates the unit tests use. Committed together
# with its output so tests never depend on the clock of the day they ran:
# every date is fixed with `openssl ca -startdate/-enddate`.
#
#   private-root      self-signed private root (CN=eku Test Private Root)
#   private-ca        intermediate under it
#   leaf-*            leaves under private-ca, named by EKU:
#       server-only, client-only, dual, none (no EKU), any (anyEKU only),
#       other (codeSigning only), dual-expired (2024-01-01..2025-01-01)
#   fake-le-root / fake-le-r3 / leaf-fake-le-*    a "public-like" hierarchy
#       named like Let's Encrypt (for issuer/vendor tests; declare it public)
#   selfsigned-dual   a self-signed leaf with both EKUs
#   Bundles: chain-dual.pem (leaf+ca+root with text around), leaf-dual.der,
#   chain.p7b (PEM PKCS#7), chain.p7c (DER PKCS#7), dual-pw.p12 (password in
#   p12-password.txt), dual-nopw.p12 (empty password), dual-legacy.p12 (RC2), trusted-root.pem
#   (TRUSTED CERTIFICATE), and malformed inputs: truncated.der, garbage.bin,
#   empty.pem, bad-base64.pem, unterminated.pem, key-only.pem.
set -eu
cd "$(dirname "$0")"
umask 077
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/$1.key" 2>/dev/null; }

ca_conf() {
	# $1 = issuer name, $2 = extensions section body
	mkdir -p "$T/db-$1"
	: > "$T/db-$1/index.txt"
	[ -f "$T/db-$1/serial" ] || echo 1000 > "$T/db-$1/serial"
	cat > "$T/$1.cnf" <<CNF
[ ca ]
default_ca = c
[ c ]
dir = $T/db-$1
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = p
unique_subject = no
copy_extensions = none
email_in_dn = no
[ p ]
commonName = supplied
organizationName = optional
countryName = optional
CNF
}

# sign ISSUER NAME SUBJECT START END EXTFILE-CONTENT
sign() {
	issuer=$1 name=$2 subj=$3 start=$4 end=$5 ext=$6
	key "$name"
	openssl req -new -key "$T/$name.key" -subj "$subj" -out "$T/$name.csr" 2>/dev/null
	printf '[ e ]\n%b\n' "$ext" > "$T/$name.ext"
	ca_conf "$issuer"
	openssl ca -batch -config "$T/$issuer.cnf" -cert "$issuer.pem" -keyfile "$T/$issuer.key" \
		-in "$T/$name.csr" -out "$T/$name.out" -startdate "$start" -enddate "$end" \
		-extfile "$T/$name.ext" -extensions e -notext 2>/dev/null
	openssl x509 -in "$T/$name.out" -out "$name.pem"
}

selfsign() {
	name=$1 subj=$2 ext=$3
	key "$name"
	printf '[ req ]\ndistinguished_name = dn\n[ dn ]\n[ e ]\n%b\n' "$ext" > "$T/$name.cnf"
	openssl req -new -x509 -key "$T/$name.key" -subj "$subj" -days 7300 -set_serial 1 \
		-config "$T/$name.cnf" -extensions e -out "$name.pem" 2>/dev/null
}

CAEXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash'
SUBEXT="$CAEXT\nauthorityKeyIdentifier=keyid"
LEAF='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
S=20260101000000Z
E=20270401000000Z

selfsign private-root "/CN=eku Test Private Root/O=eku tests" "$CAEXT"
sign private-root private-ca "/CN=eku Test Private CA/O=eku tests" $S 20360101000000Z "$SUBEXT"
sign private-ca leaf-server-only "/CN=server.example.test" $S $E \
	"$LEAF\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:server.example.test,IP:192.0.2.10"
sign private-ca leaf-client-only "/CN=client.example.test" $S $E \
	"$LEAF\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:client.example.test"
sign private-ca leaf-dual "/CN=dual.example.test" $S $E \
	"$LEAF\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:dual.example.test,DNS:*.dual.example.test,URI:sip:dual.example.test,email:ops@example.test,IP:2001:db8::1\ncrlDistributionPoints=URI:http://crl.example.test/ca.crl\nauthorityInfoAccess=OCSP;URI:http://ocsp.example.test,caIssuers;URI:http://aia.example.test/ca.cer\ncertificatePolicies=2.23.140.1.2.1"
sign private-ca leaf-none "/CN=noeku.example.test" $S $E "$LEAF\nsubjectAltName=DNS:noeku.example.test"
sign private-ca leaf-any "/CN=any.example.test" $S $E "$LEAF\nextendedKeyUsage=anyExtendedKeyUsage"
sign private-ca leaf-other "/CN=codesign.example.test" $S $E "$LEAF\nextendedKeyUsage=codeSigning,1.3.6.1.4.1.99999.1"
sign private-ca leaf-dual-expired "/CN=old.example.test" 20240101000000Z 20250101000000Z \
	"$LEAF\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:old.example.test"

selfsign fake-le-root "/C=US/O=Internet Security Research Group/CN=ISRG Root X1" "$CAEXT"
sign fake-le-root fake-le-r3 "/C=US/O=Let's Encrypt/CN=R3" $S 20300101000000Z "$SUBEXT"
sign fake-le-r3 leaf-fake-le-dual "/CN=expe.example.test" 20260301000000Z 20260529000000Z \
	"$LEAF\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:expe.example.test\nauthorityInfoAccess=OCSP;URI:http://r3.o.lencr.org,caIssuers;URI:http://r3.i.lencr.org/"
sign fake-le-r3 leaf-fake-le-server "/CN=expe2.example.test" 20260301000000Z 20260529000000Z \
	"$LEAF\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:expe2.example.test"
selfsign selfsigned-dual "/CN=selfsigned.example.test" \
	'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:selfsigned.example.test'

# Bundles and containers.
{ echo "Certificate chain for dual.example.test (text before the blocks)"
  cat leaf-dual.pem; echo "-- between --"; cat private-ca.pem private-root.pem; echo "trailing text"; } > chain-dual.pem
openssl x509 -in leaf-dual.pem -outform DER -out leaf-dual.der
openssl crl2pkcs7 -nocrl -certfile leaf-dual.pem -certfile private-ca.pem -out chain.p7b
openssl crl2pkcs7 -nocrl -certfile leaf-dual.pem -certfile private-ca.pem -outform DER -out chain.p7c
echo 'correct horse battery staple' > p12-password.txt
openssl pkcs12 -export -inkey "$T/leaf-dual.key" -in leaf-dual.pem -certfile private-ca.pem \
	-passout file:p12-password.txt -out dual-pw.p12
openssl pkcs12 -export -inkey "$T/leaf-dual.key" -in leaf-dual.pem -passout pass: -out dual-nopw.p12
# RC2-40 / 3DES, as older Windows and Java exports: needs OpenSSL's legacy provider.
openssl pkcs12 -export -legacy -in leaf-dual.pem -nokeys -passout file:p12-password.txt -out dual-legacy.p12
openssl x509 -in private-root.pem -addtrust clientAuth -out trusted-root.pem
head -c 200 leaf-dual.der > truncated.der
printf '\x30\x82\xff\xff%s' "$(head -c 300 /dev/urandom | base64 -w0)" > garbage.bin
: > empty.pem
printf -- '-----BEGIN CERTIFICATE-----\nMIIB!!!notbase64***\n-----END CERTIFICATE-----\n' > bad-base64.pem
{ cat leaf-dual.pem; head -n 4 leaf-server-only.pem; } > unterminated.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key-only.pem 2>/dev/null
chmod 0644 ./*.pem ./*.der ./*.p7b ./*.p7c ./*.p12 ./*.bin p12-password.txt
chmod 0600 key-only.pem
echo "fixtures written to $(pwd)"
