#!/bin/sh
# Scenario certificates for tests/unit/test_plan.c, written to $1 (default
# tests/plan/certs). Lab roots stand in for public CAs; test inventories
# declare them under public_roots with a ca_vendor.
set -eu
out=${1:-$(dirname "$0")/certs}
lib=$(cd "$(dirname "$0")" && pwd)/certlib.sh
mkdir -p "$out"
cd "$out"
. "$lib"
root le-root "Fake ISRG Root (test)"
root dc-root "Fake DigiCert Root (test)"
root gs-root "Fake GlobalSign Root (test)"
root corp-root "Corp Root (test)"
# name                 cn                EKU                    not before       not after        CA
leaf le-server-only    e.example        serverAuth             20261015000000Z 20270112235959Z le-root
leaf le-dual-acme      e.example        serverAuth,clientAuth  20260115000000Z 20260414235959Z le-root
leaf dc-dual           c.example        serverAuth,clientAuth  20260801000000Z 20270215235959Z dc-root
leaf dc-server-only    c.example        serverAuth             20260801000000Z 20270215235959Z dc-root
leaf dc-dual-long      c.example        serverAuth,clientAuth  20260601000000Z 20270617235959Z dc-root
leaf dc-dual-expired   c.example        serverAuth,clientAuth  20250101000000Z 20251231235959Z dc-root
leaf gs-dual-0314      g.example        serverAuth,clientAuth  20260901000000Z 20270314235959Z gs-root
leaf gs-dual-0315      g.example        serverAuth,clientAuth  20260902000000Z 20270315000000Z gs-root
leaf gs-dual-long      g.example        serverAuth,clientAuth  20261201000000Z 20270601000000Z gs-root
leaf corp-dual         i.example        serverAuth,clientAuth  20250101000000Z 20280229235959Z corp-root
leaf corp-server-only  i.example        serverAuth             20260301000000Z 20280229235959Z corp-root
# Early 2026, while X15.4 is out and X15.5 is not (upgrade merging).
leaf le-server-only-early e.example     serverAuth             20260201000000Z 20260501235959Z le-root
leaf dc-dual-early     c.example        serverAuth,clientAuth  20260101000000Z 20260930235959Z dc-root
# Issue 8 #5: a public-looking leaf whose root nobody declared (issuer unknown).
root unk-root "Unknown Root (test)"
leaf unk-dual          u.example        serverAuth,clientAuth  20260801000000Z 20270215235959Z unk-root
# Keep the leaf only: with its root beside it, the chain would end at an
# undeclared self-signed root, which eku rightly calls private.
openssl x509 -in unk-dual.pem -out unk-dual.leaf 2>/dev/null && mv unk-dual.leaf unk-dual.pem
rm -f unk-root.pem unk-root.key
