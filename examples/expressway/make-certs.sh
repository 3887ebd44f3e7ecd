#!/bin/sh
# Regenerates the lab certificates of this example (committed with it).
# "Public" roots are fakes declared under public_roots in inventory.yaml, so
# eku treats them as Let's Encrypt and DigiCert; the corporate root is private.
set -eu
cd "$(dirname "$0")"
. ../../tests/plan/certlib.sh
mkdir -p lab certs
root lab/fake-le-root "Fake ISRG Root (lab)"
root lab/fake-digicert-root "Fake DigiCert Global Root (lab)"
root lab/corp-root "Example Corp Internal Root CA"
# Expressway-E 1: ACME (Let's Encrypt classic) renewed in October 2026, so
# serverAuth only since the classic profile dropped clientAuth on 2026-02-11.
leaf certs/expe1 expe1.example.com serverAuth 20261015000000Z 20270112235959Z lab/fake-le-root \
	"DNS:expe1.example.com,DNS:edge.example.com"
# Expressway-E 2: DigiCert, both EKUs, 382 days issued after the 200-day cap.
leaf certs/expe2 expe2.example.com serverAuth,clientAuth 20260601000000Z 20270617235959Z \
	lab/fake-digicert-root "DNS:expe2.example.com,DNS:edge.example.com"
# Expressway-C peers: DigiCert, both EKUs, 199 days.
leaf certs/expc1 expc1.corp.example.com serverAuth,clientAuth 20260801000000Z 20270215235959Z \
	lab/fake-digicert-root
leaf certs/expc2 expc2.corp.example.com serverAuth,clientAuth 20260915000000Z 20270401235959Z \
	lab/fake-digicert-root
# Internal peers on the corporate CA: not affected.
leaf certs/cucm1 cucm1.corp.example.com serverAuth,clientAuth 20260301000000Z 20280229235959Z lab/corp-root
leaf certs/cms1 cms1.corp.example.com serverAuth,clientAuth 20260301000000Z 20280229235959Z lab/corp-root
# A partner's SBC and XMPP server, as seen from here.
leaf certs/partner-sbc sbc.partner.example serverAuth,clientAuth 20261101000000Z 20270301235959Z \
	lab/fake-digicert-root
leaf certs/partner-xmpp xmpp.partner.example serverAuth 20261101000000Z 20270129235959Z lab/fake-le-root
rm -f lab/*.key.tmp
