/* eku/report.h - machine-readable views of results (JSON via jansson).
 * Every command's JSON carries "schema": "eku/1"; certificate objects are the
 * same everywhere (inspect, scan chains, verify chains). */
#ifndef EKU_REPORT_H
#define EKU_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include <eku/cert.h>
#include <eku/trust.h>

#define EKU_SCHEMA "eku/1"

/* The certificate object of eku inspect's JSON. cl may be NULL (no
 * issuer fields then). at is the instant for days_left. Returns a new
 * reference or NULL on allocation failure. */
json_t *eku_report_cert_json(const eku_cert *c, const struct eku_classification *cl, int64_t at);
struct eku_sunset;
/* {"client_use","breaks_on","reason","rule","rule_source","explanation"} */
json_t *eku_report_sunset_json(const struct eku_sunset *s);

/* {"source","line","block","code","class","message"} */
json_t *eku_report_diag_json(const struct eku_diag *d);

#endif
