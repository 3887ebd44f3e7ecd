/* eku/census.h - the clientAuth sunset in numbers: an aggregator fed one
 * certificate at a time (eku census, docs/census.md).
 *
 * Each certificate adds to one row keyed by (issuer group, EKU class, issue
 * month), to the expiry histogram (not_after month) and, when its sunset
 * verdict is at_risk, to the clientAuth-loss histogram (breaks_on month). The
 * issuer group is the CA vendor id when the classification names one, else
 * the issuer class name. Work per certificate is constant (hash lookups);
 * memory grows with the number of distinct keys, never with the number of
 * certificates.
 *
 * CA certificates (basicConstraints cA=TRUE) are counted in
 * totals.ca_certificates and nowhere else: they are not TLS endpoints.
 *
 * Thread-safety: an eku_census is used by one thread at a time; run one per
 * thread and combine them with eku_census_merge.
 */
#ifndef EKU_CENSUS_H
#define EKU_CENSUS_H

#include <eku/api.h>

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include <eku/cert.h>
#include <eku/error.h>
#include <eku/sunset.h>
#include <eku/trust.h>

#define EKU_CENSUS_VERDICTS 5 /* enum eku_sunset_verdict values */

/* Counters shared by rows and totals. */
struct eku_census_counts {
	uint64_t certificates;
	/* EKU class server_client, client_only or none (no EKU extension: any
	 * purpose), i.e. eku_eku_class_allows_client(). anyExtendedKeyUsage
	 * alone does not count: OpenSSL refuses it for sslclient. */
	uint64_t clientauth;
	uint64_t verdict[EKU_CENSUS_VERDICTS]; /* indexed by enum eku_sunset_verdict */
	uint64_t expired;                      /* not_after <= the census instant */
};

struct eku_census_totals {
	struct eku_census_counts all; /* every non-CA certificate added */
	uint64_t ca_certificates;     /* added but not counted anywhere else */
	uint64_t rows;                /* distinct (group, class, month) keys */
};

typedef struct eku_census eku_census;

/* A census whose expired counts use instant at (the sunset verdicts the
 * caller passes should use the same instant). NULL on allocation failure. */
EKU_API eku_census *eku_census_new(int64_t at);
EKU_API void eku_census_free(eku_census *cen);
EKU_API const eku_error *eku_census_error(const eku_census *cen);
EKU_API int64_t eku_census_at(const eku_census *cen);

/* Adds one certificate: f its facts, cl its classification (NULL: issuer
 * unknown), sun its sunset verdict at the census instant (NULL: unknown).
 * All borrowed. 0, or -1 on allocation failure (error set). */
EKU_API int eku_census_add(eku_census *cen, const struct eku_facts *f, const struct eku_classification *cl,
	const struct eku_sunset *sun) __attribute__((warn_unused_result));
/* Adds src's counts to dst (src unchanged). Both must have the same instant.
 * 0, or -1 with dst's error set. */
EKU_API int eku_census_merge(eku_census *dst, const eku_census *src) __attribute__((warn_unused_result));

EKU_API void eku_census_get_totals(const eku_census *cen, struct eku_census_totals *out);

/* Writers. Rows come sorted: vendors before issuer classes, then by group
 * name, issue month, EKU class (enum order); histograms by month. The JSON
 * object (schema "eku/1", docs/schema/census.schema.json) is a new
 * reference or NULL; the stream writers return 0, or -1 on a write or
 * allocation failure. Text fits 80 columns. */
EKU_API json_t *eku_census_json(const eku_census *cen);
EKU_API int eku_census_write_text(const eku_census *cen, FILE *out);
EKU_API int eku_census_write_csv(const eku_census *cen, FILE *out);

#endif
