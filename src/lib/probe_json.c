/* JSON view of one probe result (docs/scan.md, inside the caller's
 * {"schema":"eku/1","results":[...]}). */
#include <eku/probe.h>
#include <eku/report.h>
#include "json_util.h"


static json_t *chain_json(const struct eku_probe_result *r, int64_t at)
{
	json_t *a = json_array();
	size_t n = eku_certlist_count(r->chain);

	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, eku_report_cert_json(eku_certlist_get0(r->chain, i),
			r->chain_cl != NULL ? r->chain_cl[i] : NULL, at));
	return a;
}

static json_t *dry_runs_json(const struct eku_probe_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < r->n_dry_runs; i++) {
		const struct eku_dry_run *d = &r->dry_runs[i];
		json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:o}", "certificate", d->certificate,
			"result", eku_dry_result_name(d->result), "alert", eku_json_str_or_null(d->alert),
			"detail", eku_json_str_or_null(d->detail)));
	}
	return a;
}

json_t *eku_probe_result_json(const struct eku_probe_result *r, int64_t at)
{
	json_t *err = r->err_class == EKU_PROBE_OK ? json_null() :
		json_pack("{s:s,s:s}", "class", eku_probe_errclass_name(r->err_class),
			"message", r->err_message != NULL ? r->err_message : "");

	return json_pack("{s:s,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:s,s:o,s:b,s:o,s:o,s:o}",
		"target", r->target->spec,
		"label", eku_json_str_or_null(r->target->label),
		"address", eku_json_str_or_null(r->address),
		"failed_addresses", eku_json_strv(&r->failed_addresses),
		"protocol", eku_proto_name(r->proto),
		"tls_version", eku_json_str_or_null(r->tls_version),
		"cipher", eku_json_str_or_null(r->cipher),
		"chain", chain_json(r, at),
		"client_auth", eku_client_auth_name(r->client_auth),
		"acceptable_cas", eku_json_strv(&r->acceptable_cas),
		"accepts_public_client_certs", r->accepts_public_client_certs,
		"dry_runs", dry_runs_json(r),
		"banner", eku_json_str_or_null(r->banner),
		"error", err);
}
