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

#include <eku/api.h>

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
EKU_API const char *eku_sunset_verdict_name(enum eku_sunset_verdict v);

struct eku_sunset {
	enum eku_sunset_verdict verdict;
	int64_t breaks_on;           /* at_risk: the renewal instant; else 0 */
	const char *reason;          /* stable code: NOT_PUBLIC, CA_CERTIFICATE, EXPIRED,
	                              * CLIENT_EKU_MISSING, RENEWAL_DROPS_CLIENTAUTH,
	                              * PUBLIC_CLIENTAUTH_KEPT, CHAIN_INCOMPLETE */
	const struct eku_rule *rule; /* the deciding dated rule, or NULL (owned by the policy) */
	char explanation[384];
};

/* How a certificate's owner renews it: the inputs every renewal projection
 * shares (the planner per node, inspect per certificate). Borrowed strings. */
struct eku_renewer {
	const eku_timeline *timeline;
	const char *vendor;       /* CA vendor id, NULL when unknown */
	const char *profile;      /* ACME profile, NULL: the vendor's default */
	bool webpki;              /* chains to the Chrome Root Store: Chrome's leaf rule caps the vendor */
	bool acme;                /* renews with a third of the lifetime left (certbot), else at expiry */
	bool explicit_clientauth; /* asks for clientAuth at every renewal; an ordinary renewal does
	                           * not, and vendors in a clientauth_on_request period then drop it */
};

/* A certificate the renewer gets when it renews at `at`. */
struct eku_renewal {
	int64_t at, not_after;
	int days;                         /* lifetime: vendor lifetime capped by the CA/B maximum */
	const struct eku_rule *life_rule; /* the rule that set days, NULL when none is known */
	bool clientauth;                  /* the new certificate carries clientAuth */
	/* Without clientAuth: the rule that ends it — clientauth_end, or
	 * clientauth_on_request when asking for it would have kept it. With
	 * clientAuth: the end rule that will end it later, or NULL. */
	const struct eku_rule *why;
};

/* The renewal instant of a certificate valid nb..na, never before floor. */
EKU_API int64_t eku_renewal_instant(const struct eku_renewer *r, int64_t nb, int64_t na, int64_t floor);
/* The certificate issued at `at`. prev_days is used when the data knows no
 * lifetime for that day. */
EKU_API void eku_renewal_issue(const struct eku_renewer *r, int64_t at, int prev_days, struct eku_renewal *out);

/* Walks the renewals of a public certificate valid nb..na from `at` on:
 * the first renewal whose certificate comes without clientAuth. Returns its
 * instant (0 when renewals keep clientAuth for the foreseeable chain) and
 * fills *brk (may be NULL) with that renewal; *first (may be NULL) gets the
 * first renewal instant. */
EKU_API int64_t eku_sunset_project_break(const struct eku_renewer *r, int64_t nb, int64_t na, int64_t at,
	struct eku_renewal *brk, int64_t *first);

/* Judges certificate c with its classification cl (may be NULL) at `at`. */
EKU_API void eku_sunset_judge(const eku_timeline *pol, const eku_cert *c,
	const struct eku_classification *cl, int64_t at, struct eku_sunset *out);

#endif
