#!/bin/sh
# Regenerates tests/verify/names/ (committed with this script): chains whose
# issuer and subject names are equal under RFC 5280 7.1 but not byte for byte.
#   ca-printable.pem   self-signed anchor, subject in PrintableString
#   inter-printable.pem  the same key and subject as an intermediate under root.pem
#   leaf-issuer-utf8.pem  issuer = the same name in UTF8String
#   leaf-issuer-case.pem  issuer = "O=EKU Verify  Tests, CN=name test ca" (UTF8String,
#                         other case, doubled inner space)
# Leaves are signed through UTF8String "twin" CA certificates with the same key
# (ca-utf8, ca-case), which are not kept. Keys are deleted after signing.
set -eu
cd "$(dirname "$0")"
D=names
rm -rf "$D" && mkdir -p "$D" && cd "$D"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
# cnf NAME STRING_MASK: a req config whose v3 section makes a CA
cnf() {
	printf '[req]\ndistinguished_name=dn\nstring_mask=%s\n[dn]\n[v3]\n%s\n%s\n%s\n' "$2" \
		"basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" \
		"subjectKeyIdentifier=hash" > "$1.cnf"
}
selfsigned() { # NAME CNF KEY SUBJECT
	openssl req -new -x509 -config "$2.cnf" -extensions v3 -key "$3.key" -subj "$4" \
		-days 7300 -sha256 -out "$1.pem"
}
cnf printable nombstr   # PrintableString wherever the characters allow
cnf utf8 utf8only
key root
key ca
key leaf
selfsigned root utf8 root "/CN=Name Test Root"
selfsigned ca-printable printable ca "/O=eku verify tests/CN=Name Test CA"
selfsigned ca-utf8 utf8 ca "/O=eku verify tests/CN=Name Test CA"
selfsigned ca-case utf8 ca "/O=EKU Verify  Tests/CN=name test ca"

openssl req -new -config printable.cnf -key ca.key -subj "/O=eku verify tests/CN=Name Test CA" \
	-out inter.csr
printf '%s\n' "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" \
	"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" > inter.ext
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -CAcreateserial -days 7200 \
	-sha256 -extfile inter.ext -out inter-printable.pem 2>/dev/null

printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
	"extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:names.partner.example" \
	"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" > leaf.ext
openssl req -new -key leaf.key -subj "/CN=names.partner.example" -out leaf.csr
for v in utf8 case; do
	openssl x509 -req -in leaf.csr -CA "ca-$v.pem" -CAkey ca.key -CAcreateserial -days 7000 \
		-sha256 -extfile leaf.ext -out "leaf-issuer-$v.pem" 2>/dev/null
done
rm -f ./*.key ./*.csr ./*.ext ./*.srl ./*.cnf ca-utf8.pem ca-case.pem
chmod 644 ./*
echo "fixtures written to tests/verify/$D"
