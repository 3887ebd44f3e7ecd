# Shared shell functions for generating lab certificates with exact dates
# (sourced by tests/plan/make-certs.sh and examples/expressway/make-certs.sh).
# `openssl ca` is used because it takes -startdate/-enddate on OpenSSL 3.0,
# which `openssl x509` does not; keys are created under umask 077.

umask 077
CADB=$(mktemp -d)
trap 'rm -rf "$CADB"' EXIT

# root NAME "CN"  -> NAME.pem, NAME.key (self-signed CA, 2020..2040)
root() {
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
		-keyout "$1.key" -out "$1.pem" -subj "/O=eku lab/CN=$2" -days 7300 \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		2>/dev/null
	chmod 0600 "$1.key"
	chmod 0644 "$1.pem"
}

# leaf NAME "CN" EKU START END CA [SAN]
#   EKU: "serverAuth" | "serverAuth,clientAuth" | "clientAuth" | "none"
#   START/END: YYYYMMDDHHMMSSZ; the output NAME.pem holds the leaf then CA.pem
leaf() {
	name=$1 cn=$2 eku=$3 start=$4 end=$5 ca=$6 san=${7:-DNS:$2}
	rm -rf "$CADB"/*
	: > "$CADB/index.txt"
	echo 1000 > "$CADB/serial"
	cat > "$CADB/ca.cnf" <<CNF
[ca]
default_ca = lab
[lab]
database = $CADB/index.txt
serial = $CADB/serial
new_certs_dir = $CADB
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
organizationName = optional
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
subjectAltName = $san
CNF
	if [ "$eku" != none ]; then
		echo "extendedKeyUsage = $eku" >> "$CADB/ca.cnf"
	fi
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" \
		-out "$CADB/req.csr" -subj "/O=eku lab/CN=$cn" 2>/dev/null
	chmod 0600 "$name.key"
	openssl ca -batch -config "$CADB/ca.cnf" -extensions ext -cert "$ca.pem" -keyfile "$ca.key" \
		-startdate "$start" -enddate "$end" -in "$CADB/req.csr" -out "$CADB/leaf.pem" -notext \
		2>/dev/null
	cat "$CADB/leaf.pem" "$ca.pem" > "$name.pem"
	chmod 0644 "$name.pem"
}
