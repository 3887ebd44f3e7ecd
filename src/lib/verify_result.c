/* eku_verify_result accessors and its JSON / one-line views. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/report.h>
#include <eku/verify.h>

#include "verify_int.h"

bool eku_verify_result_passed(const eku_verify_result *r) { return r != NULL && r->passed; }
bool eku_verify_result_clean(const eku_verify_result *r) { return r != NULL && r->clean; }
enum eku_verify_policy eku_verify_result_policy(const eku_verify_result *r) { return r->policy; }
enum eku_verify_role eku_verify_result_role(const eku_verify_result *r) { return r->role; }
int64_t eku_verify_result_time(const eku_verify_result *r) { return r->at; }
size_t eku_verify_result_error_count(const eku_verify_result *r) { return r->n_pub; }
size_t eku_verify_result_chain_len(const eku_verify_result *r) { return eku_certlist_count(r->chain); }
const char *eku_verify_result_allowed_by(const eku_verify_result *r) { return r->allowed_by; }

const struct eku_verify_error *eku_verify_result_error_get0(const eku_verify_result *r, size_t i)
{
	return i < r->n_pub ? &r->pub[i] : NULL;
}

const eku_cert *eku_verify_result_chain_get0(const eku_verify_result *r, size_t i)
{
	return i < eku_certlist_count(r->chain) ? eku_certlist_get0(r->chain, i) : NULL;
}

enum eku_eku_class eku_verify_result_leaf_eku_class(const eku_verify_result *r)
{
	return r->leaf_class;
}

int eku_verify_result_under(const eku_verify_result *r, enum eku_verify_policy p, bool *passed,
	const char **reason)
{
	if ((unsigned)p >= EKU_VERIFY_POLICY_COUNT || !r->under[p].evaluated)
		return -1;
	if (passed != NULL)
		*passed = r->under[p].passed;
	if (reason != NULL)
		*reason = r->under[p].reason;
	return 0;
}

const char *eku_verify_result_summary(const eku_verify_result *r)
{
	eku_verify_result *w = (eku_verify_result *)r; /* lazily cached view */
	char others[128] = "";
	const struct eku_verify_error *e = r->n_pub > 0 ? &r->pub[0] : NULL;

	if (r->summary != NULL)
		return r->summary;
	for (int p = 0; p < EKU_VERIFY_POLICY_COUNT; p++) {
		if (p == (int)r->policy || p == EKU_VERIFY_PERMISSIVE || p == EKU_VERIFY_OFF ||
		    !r->under[p].passed)
			continue;
		strncat(others, others[0] ? "," : "", sizeof(others) - strlen(others) - 1);
		strncat(others, eku_verify_policy_name((enum eku_verify_policy)p),
			sizeof(others) - strlen(others) - 1);
	}
	if (asprintf(&w->summary, "result=%s policy=%s role=%s code=%s depth=%d errors=%zu "
		    "would_pass=%s eku_class=%s", r->passed ? "pass" : "fail",
		    eku_verify_policy_name(r->policy), eku_verify_role_name(r->role),
		    e ? eku_verify_code_name(e->code) : "ok", e ? e->depth : -1, r->n_pub,
		    others[0] ? others : "none", eku_eku_class_name(r->leaf_class)) < 0) {
		w->summary = NULL;
		return "result=unknown";
	}
	return r->summary;
}

static json_t *errors_json(const struct verrlist *l)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < l->n; i++) {
		json_t *o = json_pack("{s:s,s:i,s:s}", "code", eku_verify_code_name(l->v[i].code),
			"depth", l->v[i].depth, "message", l->v[i].message);
		if (o == NULL || json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *under_json(const eku_verify_result *r)
{
	json_t *o = json_object();

	for (int p = 0; o != NULL && p < EKU_VERIFY_POLICY_COUNT; p++) {
		const struct eval *ev = &r->under[p];
		json_t *v;
		if (p == (int)r->policy || !ev->evaluated)
			continue;
		v = json_pack("{s:s,s:s,s:o}", "result", ev->passed ? "pass" : "fail", "reason",
			ev->reason ? ev->reason : "", "errors", errors_json(&ev->errs));
		if (v == NULL || json_object_set_new(o, eku_verify_policy_name(p), v) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* docs/verify.md: a chain certificate's source is the file it was read from,
 * or null when it came from the store (system bundle, chrome, a caller's
 * X509_STORE) or from a peer's handshake. */
static json_t *chain_cert_json(const eku_cert *c, const struct eku_classification *cl, int64_t at)
{
	json_t *o = eku_report_cert_json(c, cl, at);

	if (o != NULL && eku_cert_source(c)[0] == '\0') /* "" = no file */
		json_object_set_new(o, "source", json_null());
	return o;
}

json_t *eku_verify_result_json(const eku_verify_result *r)
{
	json_t *chain = json_array(), *o;
	char at[32];

	for (size_t i = 0; chain != NULL && i < eku_certlist_count(r->chain); i++)
		if (json_array_append_new(chain, chain_cert_json(eku_certlist_get0(r->chain, i),
							 NULL, r->at)) != 0) {
			json_decref(chain);
			chain = NULL;
		}
	o = json_pack("{s:s,s:s,s:b,s:s,s:s,s:s,s:s?,s:s,s:o,s:o,s:o}", "schema", EKU_SCHEMA,
		"result", r->passed ? "pass" : "fail", "clean", r->clean,
		"policy", eku_verify_policy_name(r->policy), "role", eku_verify_role_name(r->role),
		"at", eku_time_iso(r->at, at, sizeof(at)), "allowed_by", r->allowed_by,
		"leaf_eku_class", eku_eku_class_name(r->leaf_class), "chain", chain,
		"errors", errors_json(&r->under[r->policy].errs), "under_other_policies", under_json(r));
	return o;
}
