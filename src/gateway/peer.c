/* Allow-lists from the config and the flat record of one inbound peer. The
 * decisions themselves are the verify API's (include/eku/verify.h). */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "gw_peer.h"

bool gw_allow_empty(const struct gw_allow *a)
{
	return a->dns.n + a->uri.n + a->ip.n + a->cn.n + a->spki.n == 0;
}

void gw_allow_clear(struct gw_allow *a)
{
	eku_strv_clear(&a->dns);
	eku_strv_clear(&a->uri);
	eku_strv_clear(&a->ip);
	eku_strv_clear(&a->cn);
	eku_strv_clear(&a->spki);
}

typedef int (*adder)(eku_allowlist *al, const char *s);

static int add_all(eku_allowlist *al, const eku_strv *sv, adder fn, const char *kind,
	eku_error *err)
{
	for (size_t i = 0; i < sv->n; i++)
		if (fn(al, sv->v[i]) != 0) {
			eku_error_set(err, eku_allowlist_error(al)->code, "%s '%s': %s", kind,
				sv->v[i], eku_allowlist_error(al)->message);
			return -1;
		}
	return 0;
}

eku_allowlist *gw_allow_build(const struct gw_allow *a, eku_error *err)
{
	eku_allowlist *al = eku_allowlist_new();

	if (al == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		return NULL;
	}
	if (add_all(al, &a->dns, eku_allowlist_add_dns, "dns", err) != 0 ||
	    add_all(al, &a->uri, eku_allowlist_add_uri, "uri", err) != 0 ||
	    add_all(al, &a->ip, eku_allowlist_add_ip, "ip", err) != 0 ||
	    add_all(al, &a->cn, eku_allowlist_add_cn, "cn", err) != 0 ||
	    add_all(al, &a->spki, eku_allowlist_add_spki, "spki", err) != 0) {
		eku_allowlist_free(al);
		return NULL;
	}
	return al;
}

static void leaf_hashes(X509 *leaf, struct gw_peer_result *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (X509_pubkey_digest(leaf, EVP_sha256(), md, &len) == 1 && len == 32)
		eku_hex(md, 32, out->spki_hex);
	if (X509_digest(leaf, EVP_sha256(), md, &len) == 1 && len == 32)
		eku_hex(md, 32, out->sha256_hex);
}

static void classify(X509 *leaf, STACK_OF(X509) *extra, eku_trust *t, struct gw_peer_result *out)
{
	eku_error err = { 0 };
	eku_cert *c = eku_cert_new_x509(leaf, "peer", 1, 0, &err);
	eku_certlist *l = eku_certlist_new();
	struct eku_classification *cl = NULL;

	if (c == NULL || l == NULL)
		goto out;
	out->eku_class = eku_cert_facts(c)->eku_class;
	out->not_after = eku_cert_facts(c)->not_after;
	snprintf(out->subject, sizeof(out->subject), "%s", eku_cert_facts(c)->subject);
	for (int i = 0; extra != NULL && i < sk_X509_num(extra); i++) {
		X509 *x = sk_X509_value(extra, i);
		eku_cert *e = x != leaf ? eku_cert_new_x509(x, "peer", i + 1, 0, &err) : NULL;
		if (e != NULL && eku_certlist_push0(l, e) != 0)
			break;
	}
	if (t != NULL && (cl = eku_trust_classify(t, c, l)) != NULL)
		out->issuer_class = cl->issuer_class;
out:
	eku_classification_free(cl);
	eku_certlist_free(l);
	eku_cert_free(c);
}

void gw_peer_fill(const eku_verify_result *r, X509 *leaf, STACK_OF(X509) *extra,
	eku_trust *classifier, struct gw_peer_result *out)
{
	memset(out, 0, sizeof(*out));
	out->issuer_class = EKU_ISSUER_UNKNOWN;
	if (leaf == NULL)
		return;
	out->present = true;
	leaf_hashes(leaf, out);
	classify(leaf, extra, classifier, out);
	if (r == NULL)
		return;
	out->pass = eku_verify_result_passed(r);
	out->clean = eku_verify_result_clean(r);
	for (int p = 0; p < EKU_VERIFY_POLICY_COUNT; p++) {
		bool passed = true;
		const char *why = NULL;
		if (eku_verify_result_under(r, (enum eku_verify_policy)p, &passed, &why) == 0)
			out->fails_under[p] = !passed;
	}
	if (eku_verify_result_error_count(r) > 0) {
		const struct eku_verify_error *e = eku_verify_result_error_get0(r, 0);
		snprintf(out->code, sizeof(out->code), "%s", eku_verify_code_name(e->code));
		snprintf(out->reason, sizeof(out->reason), "%s", e->message ? e->message : "");
	}
	if (eku_verify_result_allowed_by(r) != NULL)
		snprintf(out->allowed_by, sizeof(out->allowed_by), "%s",
			eku_verify_result_allowed_by(r));
}
