/* eku/report.h - machine-readable views of results (JSON via jansson).
 * Every command's JSON carries "schema": "eku/1"; certificate objects are the
 * same everywhere (inspect, scan chains, verify chains). */
#ifndef EKU_REPORT_H
#define EKU_REPORT_H

#include <eku/api.h>

#include <jansson.h>
#include <stdint.h>

#include <eku/cert.h>
#include <eku/jsonw.h>
#include <eku/trust.h>

#define EKU_SCHEMA "eku/1"

/* The objects are written once, on the streaming writer (eku/jsonw.h); the
 * json_t views below are that text parsed back, so both agree byte for byte
 * when dumped with the writer's flags. Each _write returns 0, or -1 with the
 * writer's error set (invalid UTF-8 in a field other than the file name,
 * allocation, the writer's maximum). */

/* The certificate object: begin, the fields below, end. */
EKU_API int eku_report_cert_write(eku_jsonw *w, const eku_cert *c, const struct eku_classification *cl,
	int64_t at) __attribute__((warn_unused_result));
/* Only the certificate object's members, inside an object the caller has
 * begun and will end, so it can add its own keys after them (eku inspect
 * adds "sunset"). */
EKU_API int eku_report_cert_write_fields(eku_jsonw *w, const eku_cert *c,
	const struct eku_classification *cl, int64_t at) __attribute__((warn_unused_result));
struct eku_sunset;
/* The sunset object (see eku_report_sunset_json). */
EKU_API int eku_report_sunset_write(eku_jsonw *w, const struct eku_sunset *s)
	__attribute__((warn_unused_result));
/* The diagnostic object (see eku_report_diag_json). */
EKU_API int eku_report_diag_write(eku_jsonw *w, const struct eku_diag *d)
	__attribute__((warn_unused_result));

/* The certificate object of eku inspect's JSON. cl may be NULL (no
 * issuer fields then). at is the instant for days_left. Returns a new
 * reference or NULL on allocation failure. */
EKU_API json_t *eku_report_cert_json(const eku_cert *c, const struct eku_classification *cl, int64_t at);
/* {"client_use","breaks_on","reason","rule","rule_source","explanation"} */
EKU_API json_t *eku_report_sunset_json(const struct eku_sunset *s);

/* {"source","line","block","code","class","message"} */
EKU_API json_t *eku_report_diag_json(const struct eku_diag *d);

#endif
