#!/bin/sh
# Regenerates the eku verify fixtures in tests/verify/certs/ (committed with
# this script). Private test PKI only; keys are deleted after signing, so
# regenerate everything at once. Validity starts at generation time and lasts 20 years; the unit
# tests evaluate at leaf notBefore + 1 day so the fixtures never go stale.
set -eu
cd "$(dirname "$0")"
D=certs
rm -rf "$D" && mkdir -p "$D" && cd "$D"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
# ca NAME SUBJECT [ISSUER] [extra ext lines]
ca() {
	key "$1"
	printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n%s\n' "${4:-}" > "$1.ext"
	if [ -z "${3:-}" ]; then
		openssl req -new -x509 -key "$1.key" -subj "$2" -days 7300 -sha256 \
			-extensions v3 -config /dev/null -addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" -addext "subjectKeyIdentifier=hash" \
			${4:+-addext "$4"} -out "$1.pem" 2>/dev/null || \
		openssl req -new -x509 -key "$1.key" -subj "$2" -days 7300 -sha256 -out "$1.pem" \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
	else
		openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
		openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 7300 \
			-sha256 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
	fi
}
# leaf NAME CN EKU-line SAN-line ISSUER [KU]
leaf() {
	key "$1"
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,${6:-digitalSignature}"
		[ -n "$3" ] && echo "extendedKeyUsage=$3"
		[ -n "$4" ] && echo "subjectAltName=$4"
	} > "$1.ext"
	openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
	openssl x509 -req -in "$1.csr" -CA "$5.pem" -CAkey "$5.key" -CAcreateserial -days 7000 \
		-sha256 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}

ca root "/O=eku verify tests/CN=Verify Test Root"
ca other-root "/O=eku verify tests/CN=Untrusted Other Root"
ca inter "/O=eku verify tests/CN=Verify Test Intermediate" root
ca inter-server-only "/O=eku verify tests/CN=Server-only Intermediate" root "extendedKeyUsage=serverAuth"
ca inter-email "/O=eku verify tests/CN=Email-only Intermediate" root "extendedKeyUsage=emailProtection"
ca other-inter "/O=eku verify tests/CN=Untrusted Intermediate" other-root

leaf leaf-server-only sip.partner.example serverAuth "DNS:sip.partner.example,IP:192.0.2.10" inter
leaf leaf-client-only client.partner.example clientAuth "DNS:client.partner.example" inter
leaf leaf-dual dual.partner.example "serverAuth,clientAuth" "DNS:dual.partner.example,URI:sip:dual@partner.example" inter
leaf leaf-none none.partner.example "" "DNS:none.partner.example" inter
leaf leaf-neither mail.partner.example emailProtection "DNS:mail.partner.example" inter
leaf leaf-any any.partner.example anyExtendedKeyUsage "DNS:any.partner.example" inter
leaf leaf-server-kenc kenc.partner.example serverAuth "DNS:kenc.partner.example" inter keyEncipherment
leaf leaf-untrusted-ca sip.partner.example serverAuth "DNS:sip.partner.example" other-inter
leaf leaf-under-server-ca srvca.partner.example serverAuth "DNS:srvca.partner.example" inter-server-only
leaf leaf-under-email-ca emailca.partner.example serverAuth "DNS:emailca.partner.example" inter-email
leaf leaf-revoked revoked.partner.example "serverAuth,clientAuth" "DNS:revoked.partner.example" inter

# CRLs: root's (empty) and the intermediate's (revokes leaf-revoked).
cat > ca.cnf <<CNF
[ca]
default_ca = c
[c]
database = index.txt
default_md = sha256
default_crl_days = 7000
CNF
: > index.txt
openssl ca -config ca.cnf -gencrl -keyfile root.key -cert root.pem -out root.crl 2>/dev/null
openssl ca -config ca.cnf -revoke leaf-revoked.pem -keyfile inter.key -cert inter.pem 2>/dev/null
openssl ca -config ca.cnf -gencrl -keyfile inter.key -cert inter.pem -out inter.crl 2>/dev/null
rm -f ./*.key ./*.csr ./*.ext ./*.srl index.txt* ca.cnf
chmod 644 ./*
echo "fixtures written to tests/verify/$D"
