/* eku/timeline.h - the dated timeline (data/timeline.json) as questions about
 * certificates at an instant: will this CA still put clientAuth in a
 * certificate issued on date D, what validity cap is in force on D, how long
 * does an ACME profile's certificate live.
 *
 * Rules are data, never code: every answer points at the rule record it came
 * from (id, authority, rule text, source URL, status) so callers can cite it.
 * An eku_timeline is loaded once and read-only afterwards; returned rule
 * pointers stay valid until eku_timeline_free(). Not locked; share read-only.
 */
#ifndef EKU_TIMELINE_H
#define EKU_TIMELINE_H

#include <eku/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eku/error.h>

/* One dated rule. Strings are never NULL ("" when absent) except profile,
 * note and caveat, which are NULL when absent. */
struct eku_rule {
	const char *id;
	const char *authority;   /* "letsencrypt", "chrome-root-program", "cabforum" */
	const char *kind;        /* clientauth_end, clientauth_on_request, leaf_serverauth_only,
	                          * subca_serverauth_only, max_validity, acme_lifetime, info */
	const char *profile;     /* ACME profile the rule is limited to, or NULL */
	const char *scope;
	const char *rule;
	const char *source;      /* URL */
	const char *status;      /* current, superseded, disputed, observed, history */
	const char *note;
	const char *caveat;
	int64_t date;            /* the instant the rule takes effect (UTC midnight) */
	int days;                /* max_validity / acme_lifetime, else 0 */
	size_t n_alternatives;
	const char *const *alternatives; /* ids of superseded or disputed claims */
};

typedef struct eku_timeline eku_timeline;

EKU_API eku_timeline *eku_timeline_new(void);
EKU_API void eku_timeline_free(eku_timeline *p);
EKU_API const eku_error *eku_timeline_error(const eku_timeline *p);

/* Loads timeline.json from dir (NULL: $EKU_DATA_DIR or the embedded copy). */
EKU_API int eku_timeline_load(eku_timeline *p, const char *dir) __attribute__((warn_unused_result));
/* Loads a timeline from memory; source names it in error messages. */
EKU_API int eku_timeline_load_mem(eku_timeline *p, const char *source, const char *buf, size_t len)
	__attribute__((warn_unused_result));

/* The loaded document's "schema" ("eku-timeline/1") and "as_of" (the day its
 * dates were last checked against their sources), borrowed until the next
 * load or eku_timeline_free(); NULL when absent or nothing is loaded. */
EKU_API const char *eku_timeline_schema(const eku_timeline *p);
EKU_API const char *eku_timeline_as_of(const eku_timeline *p);

EKU_API size_t eku_timeline_rule_count(const eku_timeline *p);
EKU_API const struct eku_rule *eku_timeline_rule_at(const eku_timeline *p, size_t i);
EKU_API const struct eku_rule *eku_timeline_rule(const eku_timeline *p, const char *id);

/* The profile a vendor's ACME clients get when they name none, or NULL. */
EKU_API const char *eku_timeline_default_profile(const eku_timeline *p, const char *vendor);

/* The current rule from whose date a certificate issued by vendor (ACME
 * profile may be NULL) no longer carries clientAuth. For a chain to the
 * Chrome Root Store (webpki) the Chrome leaf rule caps the vendor's own date.
 * NULL when no current rule ends clientAuth for that issuer (private PKI,
 * alternative roots). */
EKU_API const struct eku_rule *eku_timeline_clientauth_end(const eku_timeline *p, const char *vendor,
	const char *profile, bool webpki);
/* Does a certificate issued at t still get clientAuth? *why (may be NULL)
 * gets the deciding clientauth_end rule, or NULL when none applies. */
EKU_API bool eku_timeline_issues_clientauth(const eku_timeline *p, const char *vendor, const char *profile,
	bool webpki, int64_t t, const struct eku_rule **why);
/* Among the vendor's ACME profiles (and its profile-less rule), the one that
 * keeps clientAuth longest: its end rule, with *profile set (NULL when the
 * rule has no profile). NULL when the vendor has no clientauth_end rule. */
EKU_API const struct eku_rule *eku_timeline_clientauth_last(const eku_timeline *p, const char *vendor,
	bool webpki, const char **profile);
/* The clientauth_on_request rule of vendor in force at t, or NULL. */
EKU_API const struct eku_rule *eku_timeline_on_request(const eku_timeline *p, const char *vendor, int64_t t);
/* Maximum validity in days for a public TLS certificate issued at t, 0 when
 * no cap is known; *rule (may be NULL) gets the rule. */
EKU_API int eku_timeline_max_validity(const eku_timeline *p, int64_t t, const struct eku_rule **rule);
/* Lifetime in days of a public TLS certificate issued at t by vendor (ACME
 * profile may be NULL: the vendor's default): the vendor's or profile's own
 * lifetime where the data knows it (acme_lifetime, e.g. Let's Encrypt 90 ->
 * 64 -> 45 days), capped by the CA/Browser Forum maximum in force at t. 0
 * when neither is known. *rule (may be NULL) gets the deciding rule: the
 * vendor's when it is the shorter, else the cap. */
EKU_API int eku_timeline_lifetime(const eku_timeline *p, const char *vendor, const char *profile, int64_t t,
	const struct eku_rule **rule);
/* The first instant after t at which eku_timeline_lifetime() may change
 * (a later max_validity or acme_lifetime rule of that vendor), INT64_MAX
 * when none. */
EKU_API int64_t eku_timeline_lifetime_next_change(const eku_timeline *p, const char *vendor, const char *profile,
	int64_t t);
/* Lifetime in days of a certificate issued at t under an ACME profile of
 * vendor, 0 when unknown; *rule (may be NULL) gets the rule. */
EKU_API int eku_timeline_acme_lifetime(const eku_timeline *p, const char *vendor, const char *profile,
	int64_t t, const struct eku_rule **rule);

#endif
