#!/bin/sh
# Benchmark: eku inspect throughput and peak memory on a directory of
# certificates, against the named baseline "openssl x509 loop" (one
# `openssl x509 -noout -text -ext ...` per certificate, what operators script
# today), measured in the same run on the same files. Prints ratios.
#
#   bench/inspect/run.sh [COPIES]     (default 20 copies of the system bundle)
set -eu
cd "$(dirname "$0")/../.."
EKU=${EKU_BIN:-build/eku}
COPIES=${1:-20}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

awk -v dir="$W/one" 'BEGIN{system("mkdir -p " dir)} /BEGIN CERT/{n++} {print > sprintf("%s/c%04d.pem", dir, n)}' \
	/etc/ssl/certs/ca-certificates.crt
cp tests/data/leaf-*.pem tests/data/private-*.pem "$W/one/"
i=0
while [ $i -lt "$COPIES" ]; do cp -r "$W/one" "$W/copy$i"; i=$((i + 1)); done
rm -rf "$W/one"
N=$(find "$W" -name '*.pem' | wc -l)

now() { date +%s.%N; }
t0=$(now)
/usr/bin/time -f '%M' -o "$W/rss" "$EKU" inspect --format jsonl "$W" > "$W/out.jsonl"
t1=$(now)
eku_s=$(echo "$t1 - $t0" | bc -l)
rss_kb=$(cat "$W/rss")
got=$(wc -l < "$W/out.jsonl")

# Baseline on a sample (the loop is slow); scaled per certificate.
SAMPLE=300
t0=$(now)
find "$W" -name '*.pem' | head -n $SAMPLE | while read -r f; do
	openssl x509 -noout -text -fingerprint -sha256 -in "$f" > /dev/null
done
t1=$(now)
base_s=$(echo "$t1 - $t0" | bc -l)

eku_rate=$(echo "$got / $eku_s" | bc -l)
base_rate=$(echo "$SAMPLE / $base_s" | bc -l)
printf 'certificates            %d (eku reported %d)\n' "$N" "$got"
printf 'eku inspect             %.0f certs/s, peak RSS %.1f MiB (%.1f KiB per certificate)\n' \
	"$eku_rate" "$(echo "$rss_kb / 1024" | bc -l)" "$(echo "$rss_kb / $got" | bc -l)"
printf 'baseline openssl x509   %.0f certs/s (loop over %d files)\n' "$base_rate" "$SAMPLE"
printf 'ratio eku / baseline    %.1fx\n' "$(echo "$eku_rate / $base_rate" | bc -l)"
