#!/bin/sh
# Creates the demo certificates gateway.yaml refers to, under ./pki next to
# this script (ECDSA P-256, 90 days; keys mode 600). Demo only: a real
# deployment points the stores at its own files.
#   examples/gateway/make-pki.sh && eku gateway --check examples/gateway/gateway.yaml
#   examples/gateway/make-pki.sh USER    (as root: pki/ and the keys owned by
#                                         USER, for 'eku gateway --user USER')
set -eu
owner=${1:-}
if [ -n "$owner" ] && ! id "$owner" >/dev/null 2>&1; then
	echo "make-pki.sh: user '$owner' does not exist (useradd --system --no-create-home --shell /usr/sbin/nologin $owner)" >&2
	exit 2
fi
cd "$(dirname "$0")"
umask 077
mkdir -p pki
cd pki
ca() {  # name subject
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 90 \
		-keyout "$1.key" -out "$1.pem" -subj "/CN=$2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
leaf() {  # name issuer eku san
	printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' \
		"$3" "$4" > "$1.ext"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
		-out "$1.csr" -subj "/CN=$1" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 90 \
		-out "$1.pem" -extfile "$1.ext" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}
ca partners-ca "eku demo partners CA"     # trusted for inbound peers and upstreams
ca edge-ca "eku demo edge CA"             # issues the gateway's own certificates
leaf edge.example.com edge-ca serverAuth "DNS:edge.example.com,DNS:*.edge.example.com"
leaf edge-client partners-ca clientAuth "DNS:edge.example.com"
leaf sip.partner.example partners-ca serverAuth "DNS:sip.partner.example"  # a peer, for s_client
leaf cucm.internal partners-ca serverAuth "DNS:cucm.internal"      # upstreams, for s_server
leaf legacy.internal partners-ca serverAuth "DNS:legacy.internal"
cp edge-ca.pem edge-chain.pem
rm -f ./*.srl
chmod 600 ./*.key
chmod 644 ./*.pem
if [ -n "$owner" ]; then
	# After the privilege drop each reload reads the keys as that user.
	chown "$owner" . ./*.key
fi
echo "pki/ ready: $(ls | tr '\n' ' ')"
