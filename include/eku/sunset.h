/* eku/sunset.h - the clientAuth sunset applied to one certificate: if this
 * certificate is (or is renewed into) a TLS client certificate for mTLS, is it
 * fine, broken now, or at risk from a dated renewal?
 *
 * The deployment planner asks the same question per link with product
 * knowledge; this is the context-free answer `eku inspect` gives per
 * certificate. Both use eku_sunset_project_break() for the renewal chain.
 */
#ifndef EKU_SUNSET_H
#define EKU_SUNSET_H

#include <stdbool.h>
#include <stdint.h>

#include <eku/cert.h>
#include <eku/timeline.h>
#include <eku/trust.h>

enum eku_sunset_verdict {
	EKU_SUNSET_NOT_AFFECTED = 0, /* private PKI, self-signed, or a CA certificate */
	EKU_SUNSET_OK,               /* public, and renewals keep clientAuth */
	EKU_SUNSET_AT_RISK,          /* works today; a renewal on breaks_on drops clientAuth */
	EKU_SUNSET_BROKEN,           /* cannot authenticate a TLS client today */
	EKU_SUNSET_UNKNOWN,          /* issuer not known: chain incomplete */
};
const char *eku_sunset_verdict_name(enum eku_sunset_verdict v);

struct eku_sunset {
	enum eku_sunset_verdict verdict;
	int64_t breaks_on;           /* at_risk: the renewal instant; else 0 */
	const char *reason;          /* stable code: NOT_PUBLIC, CA_CERTIFICATE, EXPIRED,
	                              * CLIENT_EKU_MISSING, RENEWAL_DROPS_CLIENTAUTH,
	                              * PUBLIC_CLIENTAUTH_KEPT, CHAIN_INCOMPLETE */
	const struct eku_rule *rule; /* the deciding dated rule, or NULL (owned by the policy) */
	char explanation[384];
};

/* The first renewal instant at or after `at` at which a public certificate
 * (valid nb..na) no longer gets clientAuth from vendor (ACME profile may be
 * NULL), renewing at expiry or, with acme, with a third of the lifetime left;
 * successive renewals follow the validity caps in force. 0 when renewals keep
 * clientAuth for the foreseeable chain. *why gets the deciding rule. */
int64_t eku_sunset_project_break(const eku_timeline *pol, const char *vendor, const char *profile,
	bool webpki, bool acme, int64_t nb, int64_t na, int64_t at, const struct eku_rule **why);

/* Judges certificate c with its classification cl (may be NULL) at `at`. */
void eku_sunset_judge(const eku_timeline *pol, const eku_cert *c,
	const struct eku_classification *cl, int64_t at, struct eku_sunset *out);

#endif
