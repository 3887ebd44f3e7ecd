#!/bin/sh
# Regenerates tests/verify/strict/ (committed with this script): one structural
# defect per certificate for --profile strict (docs/verify.md). Every defect
# sits in a certificate under a clean root and intermediate:
#   root.pem, inter.pem          clean (AKI, SKI, critical basicConstraints)
#   inter-no-ski.pem             CA without subjectKeyIdentifier
#   inter-bc-noncrit.pem         CA with non-critical basicConstraints
#   leaf-ok.pem                  clean leaf
#   leaf-no-aki.pem              no authorityKeyIdentifier
#   leaf-under-no-ski.pem        leaf of inter-no-ski (AKI is issuer+serial only)
#   leaf-under-bc-noncrit.pem    leaf of inter-bc-noncrit
#   leaf-keycertsign.pem         keyUsage keyCertSign with CA:FALSE
#   leaf-empty-subject.pem       empty subject, non-critical SAN
#   leaf-empty-subject-ok.pem    empty subject, critical SAN (passes)
#   leaf-serial-negative.pem     serial -0x1234 (re-signed by patch-tbs.py)
#   leaf-serial-21.pem           21-octet serial
#   leaf-serial-20.pem           20-octet serial, top bit clear (passes)
#   leaf-gentime-2030.pem        notAfter 2045 as GeneralizedTime (must be UTCTime)
#   leaf-utctime-noseconds.pem        notBefore UTCTime without seconds ("YYMMDDHHMMZ")
#   leaf-gentime-frac.pem        notAfter 2055 GeneralizedTime with fractional seconds
#   leaf-gentime-2055.pem        notAfter 2055 as GeneralizedTime (correct; passes)
# Keys are deleted after signing.
set -eu
cd "$(dirname "$0")"
P="$PWD/patch-tbs.py"
D=strict
rm -rf "$D" && mkdir -p "$D" && cd "$D"
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
# sign NAME SUBJECT ISSUER EXT-LINES...
sign() {
	n=$1 subj=$2 iss=$3
	shift 3
	[ -f "$n.key" ] || key "$n"
	printf '%s\n' "$@" > "$n.ext"
	openssl req -new -key "$n.key" -subj "$subj" -out "$n.csr" 2>/dev/null
	openssl x509 -req -in "$n.csr" -CA "$iss.pem" -CAkey "$iss.key" -CAcreateserial -days 7000 \
		-sha256 -extfile "$n.ext" -out "$n.pem" 2>/dev/null
}
CA="basicConstraints=critical,CA:TRUE"
KUCA="keyUsage=critical,keyCertSign,cRLSign"
LEAF="basicConstraints=critical,CA:FALSE"
KU="keyUsage=critical,digitalSignature"
EKU="extendedKeyUsage=serverAuth,clientAuth"

key root
openssl req -new -x509 -key root.key -subj "/O=eku verify tests/CN=Strict Test Root" -days 7300 \
	-sha256 -addext "$CA" -addext "$KUCA" -addext "subjectKeyIdentifier=hash" -out root.pem
sign inter "/O=eku verify tests/CN=Strict Test Intermediate" root "$CA" "$KUCA" \
	"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid"
sign inter-no-ski "/O=eku verify tests/CN=Strict No-SKI Intermediate" root "$CA" "$KUCA" \
	"subjectKeyIdentifier=none" "authorityKeyIdentifier=keyid"
sign inter-bc-noncrit "/O=eku verify tests/CN=Strict Non-critical BC Intermediate" root \
	"basicConstraints=CA:TRUE" "$KUCA" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid"

OK="subjectKeyIdentifier=hash"
AKI="authorityKeyIdentifier=keyid"
sign leaf-ok "/CN=ok.strict.example" inter "$LEAF" "$KU" "$EKU" "subjectAltName=DNS:ok.strict.example" "$OK" "$AKI"
sign leaf-no-aki "/CN=noaki.strict.example" inter "$LEAF" "$KU" "$EKU" \
	"subjectAltName=DNS:noaki.strict.example" "$OK" "authorityKeyIdentifier=none"
sign leaf-under-no-ski "/CN=underski.strict.example" inter-no-ski "$LEAF" "$KU" "$EKU" \
	"subjectAltName=DNS:underski.strict.example" "$OK" "authorityKeyIdentifier=issuer:always"
sign leaf-under-bc-noncrit "/CN=underbc.strict.example" inter-bc-noncrit "$LEAF" "$KU" "$EKU" \
	"subjectAltName=DNS:underbc.strict.example" "$OK" "$AKI"
sign leaf-keycertsign "/CN=kcs.strict.example" inter "$LEAF" \
	"keyUsage=critical,digitalSignature,keyCertSign" "$EKU" "subjectAltName=DNS:kcs.strict.example" "$OK" "$AKI"
sign leaf-empty-subject "/" inter "$LEAF" "$KU" "$EKU" "subjectAltName=DNS:empty.strict.example" "$OK" "$AKI"
sign leaf-empty-subject-ok "/" inter "$LEAF" "$KU" "$EKU" \
	"subjectAltName=critical,DNS:empty-ok.strict.example" "$OK" "$AKI"

# Encodings openssl's CLI will not produce: re-sign the clean leaf's TBS.
python3 "$P" leaf-ok.pem inter.key leaf-serial-negative.pem --serial-hex=-1234
python3 "$P" leaf-ok.pem inter.key leaf-serial-21.pem --serial-hex 7f0102030405060708090a0b0c0d0e0f1011121314
python3 "$P" leaf-ok.pem inter.key leaf-serial-20.pem --serial-hex 7f0102030405060708090a0b0c0d0e0f10111213
python3 "$P" leaf-ok.pem inter.key leaf-gentime-2030.pem --not-after gen:20450101000000Z
python3 "$P" leaf-ok.pem inter.key leaf-utctime-noseconds.pem --not-before utc:2601010000Z
python3 "$P" leaf-ok.pem inter.key leaf-gentime-frac.pem --not-after gen:20550101000000.5Z
python3 "$P" leaf-ok.pem inter.key leaf-gentime-2055.pem --not-after gen:20550101000000Z
rm -f ./*.key ./*.csr ./*.ext ./*.srl
chmod 644 ./*
echo "fixtures written to tests/verify/$D"
