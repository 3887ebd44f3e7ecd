/* gw_peer.h - inbound peer verification for the gateway.
 *
 * The gateway does not own a policy engine: policies, allow-lists and the
 * verdict under every policy come from libeku's verify API
 * (include/eku/verify.h). This file only turns a verify result into the flat
 * record the gateway logs, counts and shows in observe mode.
 */
#ifndef EKU_GW_PEER_H
#define EKU_GW_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/x509.h>

#include <eku/cert.h>
#include <eku/error.h>
#include <eku/trust.h>
#include <eku/util.h>
#include <eku/verify.h>

/* Identity allow-list as written in the config (kept for /status). */
struct gw_allow {
	eku_strv dns, uri, ip, cn, spki;
};
bool gw_allow_empty(const struct gw_allow *a);
void gw_allow_clear(struct gw_allow *a);
/* Builds the verify allow-list. Returns NULL with err set on a bad entry. */
eku_allowlist *gw_allow_build(const struct gw_allow *a, eku_error *err);

/* What the gateway records about one inbound peer certificate. */
struct gw_peer_result {
	bool present;                      /* the peer sent a certificate */
	bool pass;                         /* may proceed under the route policy */
	bool clean;                        /* no check failed under the route policy */
	bool fails_under[EKU_VERIFY_POLICY_COUNT]; /* verdict under every policy */
	char code[48];                     /* first failure code, "" when clean */
	char reason[200];                  /* its explanation (never key material) */
	enum eku_eku_class eku_class;
	enum eku_issuer_class issuer_class;
	int64_t not_after;
	char subject[256];
	char spki_hex[65];
	char sha256_hex[65];
	char allowed_by[160];              /* allow-list entry that matched, "" if none */
};

/* Fills out from a verify result and the leaf. classifier may be NULL
 * (issuer_class stays unknown). */
void gw_peer_fill(const eku_verify_result *r, X509 *leaf, STACK_OF(X509) *extra,
	eku_trust *classifier, struct gw_peer_result *out);

#endif
