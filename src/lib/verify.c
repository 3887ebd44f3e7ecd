/* Role-aware path validation (RFC 5280 section 6 through OpenSSL's
 * X509_verify_cert) and the EKU policies of docs/verify.md.
 *
 * Every verification evaluates the chain under enforce and (for role client)
 * under ignore-client-eku, so the result can tell an operator what each
 * policy would decide. All failures are collected (the verify callback keeps
 * going), each with a stable code and depth. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <eku/verify.h>

#include "verify_int.h"

#define X_NAME(code, name, msg) [code] = name,
static const char *const code_names[] = { EKU_VERIFY_CODE_LIST(X_NAME) };
#undef X_NAME
#define X_MSG(code, name, msg) [code] = msg,
static const char *const code_msgs[] = { EKU_VERIFY_CODE_LIST(X_MSG) };
#undef X_MSG

const char *eku_verify_code_name(enum eku_verify_code c)
{
	return (unsigned)c < EKU_V__COUNT ? code_names[c] : "openssl_other";
}

const char *eku_verify_code_explain(enum eku_verify_code c)
{
	return (unsigned)c < EKU_V__COUNT ? code_msgs[c] : code_msgs[EKU_V_OTHER];
}

/* ---- error lists --------------------------------------------------------- */

int eku_verrlist_add(struct verrlist *l, enum eku_verify_code code, int depth, int ossl,
	const char *fmt, ...)
{
	struct verr *nv;
	va_list ap;
	char *msg = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(msg);
		return -1;
	}
	l->v = nv;
	nv[l->n++] = (struct verr){ code, depth, ossl, msg };
	return 0;
}

void eku_verrlist_clear(struct verrlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].message);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

bool eku_verrlist_has(const struct verrlist *l, enum eku_verify_code code, int depth)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].code == code && l->v[i].depth == depth)
			return true;
	return false;
}

/* ---- one OpenSSL run ----------------------------------------------------- */

/* What a run collects; reached from the callback through the app data. */
struct run {
	struct verrlist openssl;   /* raw (X509_V_ERR, depth) pairs as verr with code 0 */
	STACK_OF(X509) *chain;
	bool oom;
	bool ignore_crl_expiry;
};

static int collect_cb(int ok, X509_STORE_CTX *ctx)
{
	struct run *run = X509_STORE_CTX_get_app_data(ctx);
	int err = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);

	if (ok || run == NULL)
		return ok;
	if (err == X509_V_ERR_CRL_HAS_EXPIRED && run->ignore_crl_expiry)
		return 1;
	for (size_t i = 0; i < run->openssl.n; i++)
		if (run->openssl.v[i].openssl_error == err && run->openssl.v[i].depth == depth)
			return 1;
	if (eku_verrlist_add(&run->openssl, EKU_V_OTHER, depth, err, "%s",
		    X509_verify_cert_error_string(err)) != 0)
		run->oom = true;
	return 1; /* keep going: every failure is reported, the verdict is ours */
}

static int set_name(X509_VERIFY_PARAM *vp, const char *name)
{
	ASN1_OCTET_STRING *ip = a2i_IPADDRESS(name);

	if (ip != NULL) {
		ASN1_OCTET_STRING_free(ip);
		return X509_VERIFY_PARAM_set1_ip_asc(vp, name);
	}
	ERR_clear_error();
	return X509_VERIFY_PARAM_set1_host(vp, name, 0);
}

/* purpose: X509_PURPOSE_SSL_* or 0 (none, trust as given). */
static int run_openssl(const eku_verify_config *cfg, X509 *leaf, STACK_OF(X509) *untrusted,
	int64_t at, int purpose, int trust, struct run *run)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *vp;
	unsigned long flags = cfg->flags | X509_V_FLAG_POLICY_CHECK |
			      (cfg->profile == EKU_VERIFY_PROFILE_STRICT ? X509_V_FLAG_X509_STRICT : 0);
	int rc = -1, ok;

	if (ctx == NULL || X509_STORE_CTX_init(ctx, cfg->store, leaf, untrusted) != 1)
		goto out;
	vp = X509_STORE_CTX_get0_param(ctx);
	if (sk_X509_CRL_num(cfg->crls) > 0) {
		X509_STORE_CTX_set0_crls(ctx, cfg->crls);
		/* RFC 5280 5.2.4-5.2.5: indirect CRLs, cRLIssuer, delta CRLs. */
		flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL |
			 X509_V_FLAG_EXTENDED_CRL_SUPPORT | X509_V_FLAG_USE_DELTAS;
	}
	X509_VERIFY_PARAM_set_flags(vp, flags);
	X509_VERIFY_PARAM_set_time(vp, (time_t)at);
	X509_VERIFY_PARAM_set_auth_level(vp, cfg->auth_level);
	if (purpose > 0 && X509_STORE_CTX_set_purpose(ctx, purpose) != 1)
		goto out;
	if (trust > 0 && X509_STORE_CTX_set_trust(ctx, trust) != 1)
		goto out;
	if (X509_VERIFY_PARAM_set1_policies(vp, cfg->policies) != 1)
		goto out;
	if (cfg->name != NULL && set_name(vp, cfg->name) != 1)
		goto out;
	X509_STORE_CTX_set_verify_cb(ctx, collect_cb);
	run->ignore_crl_expiry = cfg->ignore_crl_expiry;
	X509_STORE_CTX_set_app_data(ctx, run);
	ok = X509_verify_cert(ctx);
	if (ok <= 0 && run->openssl.n == 0 &&
	    eku_verrlist_add(&run->openssl, EKU_V_OTHER, 0, X509_STORE_CTX_get_error(ctx), "%s",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx))) != 0)
		goto out;
	run->chain = X509_STORE_CTX_get1_chain(ctx);
	rc = run->oom ? -1 : 0;
out:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

static void run_clear(struct run *run)
{
	eku_verrlist_clear(&run->openssl);
	sk_X509_pop_free(run->chain, X509_free);
	run->chain = NULL;
}

/* ---- mapping OpenSSL's codes to ours ------------------------------------- */

static enum eku_verify_code map_openssl(int e)
{
	switch (e) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return EKU_V_CHAIN_INCOMPLETE;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return EKU_V_UNTRUSTED_ROOT;
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
		return EKU_V_ANCHOR_REJECTED;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
	case X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH:
		return EKU_V_BAD_SIGNATURE;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return EKU_V_NOT_YET_VALID;
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return EKU_V_EXPIRED;
	case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
	case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
	case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
	case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
		return EKU_V_BAD_TIME_FIELD;
	case X509_V_ERR_CERT_REVOKED:
		return EKU_V_REVOKED;
	case X509_V_ERR_UNABLE_TO_GET_CRL:
	case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
	case X509_V_ERR_DIFFERENT_CRL_SCOPE:
		return EKU_V_CRL_MISSING;
	case X509_V_ERR_CRL_NOT_YET_VALID:
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
	case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
		return EKU_V_CRL_INVALID;
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
		return EKU_V_NOT_A_CA;
	case X509_V_ERR_PATH_LENGTH_EXCEEDED:
	case X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED:
		return EKU_V_PATH_LENGTH;
	case X509_V_ERR_PERMITTED_VIOLATION:
	case X509_V_ERR_EXCLUDED_VIOLATION:
	case X509_V_ERR_SUBTREE_MINMAX:
	case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
	case X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX:
	case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
	case X509_V_ERR_PROXY_SUBJECT_NAME_VIOLATION:
		return EKU_V_NAME_CONSTRAINTS;
	case X509_V_ERR_NO_EXPLICIT_POLICY:
	case X509_V_ERR_INVALID_POLICY_EXTENSION:
		return EKU_V_POLICY;
	case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
	case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
		return EKU_V_CRITICAL_EXTENSION;
	/* -x509_strict findings that profile strict also makes itself (verify_strict.c) */
	case X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER:
		return EKU_V_STRICT_AKI_MISSING;
	case X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER:
		return EKU_V_STRICT_SKI_MISSING;
	case X509_V_ERR_CA_BCONS_NOT_CRITICAL:
		return EKU_V_STRICT_CA_BC_NOT_CRITICAL;
	case X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA:
		return EKU_V_STRICT_KEYCERTSIGN_NON_CA;
	case X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL:
		return EKU_V_STRICT_EMPTY_SUBJECT_SAN;
	case X509_V_ERR_INVALID_EXTENSION:
	case X509_V_ERR_INVALID_NON_CA:
		return EKU_V_INVALID_EXTENSION;
	case X509_V_ERR_EE_KEY_TOO_SMALL:
	case X509_V_ERR_CA_KEY_TOO_SMALL:
	case X509_V_ERR_CA_MD_TOO_WEAK:
		return EKU_V_KEY_TOO_WEAK;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
	case X509_V_ERR_EMAIL_MISMATCH:
		return EKU_V_HOSTNAME_MISMATCH;
	case X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED:
		return EKU_V_PROXY_CERT;
	case X509_V_ERR_INVALID_PURPOSE:
		return EKU_V_LEAF_PURPOSE; /* refined by the caller */
	default:
		/* X509_V_FLAG_X509_STRICT's RFC 5280 profile checks (OpenSSL 3.0: 79..94) */
		if (e >= X509_V_ERR_PATH_LOOP && e <= X509_V_ERR_EC_KEY_EXPLICIT_PARAMS)
			return EKU_V_INVALID_EXTENSION;
		return EKU_V_OTHER;
	}
}

/* "CN=leaf.example" or "?" */
static const char *subject_of(STACK_OF(X509) *chain, int depth, char *buf, size_t len)
{
	X509 *x = depth >= 0 && depth < sk_X509_num(chain) ? sk_X509_value(chain, depth) : NULL;

	if (x == NULL)
		return "?";
	X509_NAME_oneline(X509_get_subject_name(x), buf, (int)len);
	return buf;
}

static void eku_list(const struct eku_facts *f, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!f->has_eku) {
		snprintf(buf, len, "none");
		return;
	}
	for (size_t i = 0; i < f->eku_names.n; i++) {
		strncat(buf, i ? "," : "", len - strlen(buf) - 1);
		strncat(buf, f->eku_names.v[i], len - strlen(buf) - 1);
	}
	if (f->eku_names.n == 0)
		snprintf(buf, len, "empty");
}

/* Leaf INVALID_PURPOSE: is it the EKU, or key usage / nsCertType? */
static int add_leaf_purpose(struct verrlist *out, const struct eku_facts *lf,
	enum eku_verify_role role, int ossl)
{
	char ekus[256];
	bool client = role == EKU_VERIFY_ROLE_CLIENT;
	bool eku_ok = client ? eku_eku_class_allows_client(lf->eku_class)
			     : eku_eku_class_allows_server(lf->eku_class);

	eku_list(lf, ekus, sizeof(ekus));
	if (!eku_ok)
		return eku_verrlist_add(out, client ? EKU_V_CLIENT_EKU_MISSING : EKU_V_SERVER_EKU_MISSING,
			0, ossl, "leaf lacks %s (EKU: %s)", client ? "clientAuth" : "serverAuth", ekus);
	return eku_verrlist_add(out, EKU_V_LEAF_PURPOSE, 0, ossl,
		"leaf is unsuitable as a TLS %s: its key usage or Netscape certificate type forbids it",
		eku_verify_role_name(role));
}

/* Translates raw OpenSSL failures into our codes and messages. */
static int translate(const struct run *run, const struct eku_facts *lf, enum eku_verify_role role,
	struct verrlist *out)
{
	char subj[256];

	for (size_t i = 0; i < run->openssl.n; i++) {
		const struct verr *v = &run->openssl.v[i];
		enum eku_verify_code code = map_openssl(v->openssl_error);
		const char *s = subject_of(run->chain, v->depth, subj, sizeof(subj));
		int rc;

		/* OpenSSL can report one problem twice at one depth (no issuer:
		 * "unable to get local issuer certificate", then "unable to
		 * verify the first certificate"); ours is listed once. */
		if (code != EKU_V_OTHER && v->openssl_error != X509_V_ERR_INVALID_PURPOSE &&
		    eku_verrlist_has(out, code, v->depth))
			continue;
		if (v->openssl_error == X509_V_ERR_INVALID_PURPOSE && v->depth == 0)
			rc = add_leaf_purpose(out, lf, role, v->openssl_error);
		else if (v->openssl_error == X509_V_ERR_INVALID_PURPOSE)
			rc = eku_verrlist_add(out, EKU_V_CA_PURPOSE, v->depth, v->openssl_error,
				"CA at depth %d (%s) may not issue for TLS %s authentication "
				"(its EKU or Netscape certificate type excludes it)", v->depth, s,
				eku_verify_role_name(role));
		else
			rc = eku_verrlist_add(out, code, v->depth, v->openssl_error,
				"depth %d (%s): %s (OpenSSL: %s)", v->depth, s, eku_verify_code_explain(code),
				v->message);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* ---- policies ------------------------------------------------------------ */

struct input {
	const eku_verify_config *cfg;
	X509 *leaf;
	const eku_cert *leaf_cert;    /* NULL: eku_verify_chain (no file names) */
	const eku_certlist *extra;
	const struct eku_facts *lf;
	STACK_OF(X509) *untrusted;
	int64_t at;
	bool allow_hit;
	char allow_why[300];
};

static int check_allowlist(const struct input *in, struct verrlist *errs, bool required)
{
	if (eku_allowlist_count(in->cfg->allow) == 0)
		return required ? eku_verrlist_add(errs, EKU_V_ALLOWLIST_REQUIRED, -1, 0, "%s",
					  eku_verify_code_explain(EKU_V_ALLOWLIST_REQUIRED))
				: 0;
	if (in->allow_hit)
		return 0;
	return eku_verrlist_add(errs, EKU_V_NOT_ALLOWED, 0, 0,
		"leaf %s matches no allow-list entry (its SANs, CN and SPKI are not allowed)",
		in->lf->subject);
}

static int check_profile(const eku_verify_config *cfg, STACK_OF(X509) *chain, struct verrlist *errs)
{
	if (cfg->profile != EKU_VERIFY_PROFILE_STRICT)
		return 0;
	return eku_verify_strict_check(chain, errs);
}

/* RFC 5280 + OpenSSL's purpose for the role. */
static int eval_enforce(const struct input *in, struct eval *ev, struct run *run)
{
	int purpose = in->cfg->role == EKU_VERIFY_ROLE_CLIENT ? X509_PURPOSE_SSL_CLIENT
							       : X509_PURPOSE_SSL_SERVER;

	if (run_openssl(in->cfg, in->leaf, in->untrusted, in->at, purpose, 0, run) != 0 ||
	    translate(run, in->lf, in->cfg->role, &ev->errs) != 0 ||
	    check_profile(in->cfg, run->chain, &ev->errs) != 0 ||
	    check_allowlist(in, &ev->errs, false) != 0)
		return -1;
	ev->evaluated = true;
	ev->passed = ev->errs.n == 0;
	return 0;
}

/* Is the anchor trusted for serverAuth through OpenSSL trust settings or
 * the self-signed compatibility rule? (clientAuth trust is relaxed.) */
static bool anchor_ok_relaxed(X509 *x)
{
	return X509_check_trust(x, X509_TRUST_SSL_SERVER, 0) == X509_TRUST_TRUSTED ||
	       (X509_get0_trust_objects(x) == NULL && X509_get0_reject_objects(x) == NULL);
}

static int check_leaf_relaxed(const struct input *in, struct verrlist *errs)
{
	const struct eku_facts *lf = in->lf;
	char ekus[256];
	bool signs = !lf->has_key_usage ||
		     (lf->key_usage & (EKU_KU_DIGITAL_SIGNATURE | EKU_KU_KEY_AGREEMENT)) != 0;

	eku_list(lf, ekus, sizeof(ekus));
	switch (lf->eku_class) {
	case EKU_CLASS_ANY:
	case EKU_CLASS_OTHER:
		return eku_verrlist_add(errs, EKU_V_EKU_NO_TLS_PURPOSE, 0, 0,
			"leaf EKU names neither clientAuth nor serverAuth (EKU: %s)", ekus);
	case EKU_CLASS_SERVER_ONLY:
		/* serverAuth is present, so it is checked as OpenSSL would for a server. */
		if (X509_check_purpose(in->leaf, X509_PURPOSE_SSL_SERVER, 0) == 1 && signs)
			return 0;
		break;
	default:
		if (X509_check_purpose(in->leaf, X509_PURPOSE_SSL_CLIENT, 0) == 1)
			return 0;
		break;
	}
	return eku_verrlist_add(errs, EKU_V_LEAF_PURPOSE, 0, 0,
		"leaf cannot sign as a TLS client: its key usage or Netscape certificate type forbids it");
}

/* CAs: an EKU restricting a CA must still name a TLS purpose (either one). */
static int check_cas_relaxed(const struct input *in, const struct run *run,
	const struct verrlist *have, struct verrlist *errs)
{
	char subj[256];

	for (int d = 1; d < sk_X509_num(run->chain); d++) {
		X509 *x = sk_X509_value(run->chain, d);
		if (eku_verrlist_has(have, EKU_V_NOT_A_CA, d) ||
		    X509_check_purpose(x, X509_PURPOSE_SSL_CLIENT, 1) == 1 ||
		    X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 1) == 1)
			continue;
		if (d == sk_X509_num(run->chain) - 1 && X509_get0_trust_objects(x) != NULL)
			continue; /* explicitly trusted anchor: OpenSSL skips its purpose too */
		if (eku_verrlist_add(errs, EKU_V_CA_PURPOSE, d, 0,
			    "CA at depth %d (%s) is restricted to purposes other than TLS", d,
			    subject_of(run->chain, d, subj, sizeof(subj))) != 0)
			return -1;
	}
	return 0;
}

/* Everything but the clientAuth purpose (role client); enforce for servers. */
static int eval_ignore(const struct input *in, struct eval *ev, struct run *run)
{
	struct run raw = { 0 };
	int top, rc = -1;

	if (in->cfg->role == EKU_VERIFY_ROLE_SERVER) {
		rc = eval_enforce(in, ev, run);
		return rc;
	}
	if (run_openssl(in->cfg, in->leaf, in->untrusted, in->at, 0, X509_TRUST_SSL_CLIENT, run) != 0)
		goto out;
	/* Drop anchor trust failures that only concern clientAuth trust settings. */
	top = sk_X509_num(run->chain) - 1;
	for (size_t i = 0; i < run->openssl.n; i++) {
		const struct verr *v = &run->openssl.v[i];
		if ((v->openssl_error == X509_V_ERR_CERT_UNTRUSTED ||
			    v->openssl_error == X509_V_ERR_CERT_REJECTED) &&
		    v->depth == top && anchor_ok_relaxed(sk_X509_value(run->chain, top)))
			continue;
		if (eku_verrlist_add(&raw.openssl, EKU_V_OTHER, v->depth, v->openssl_error, "%s",
			    v->message) != 0)
			goto out;
	}
	raw.chain = run->chain;
	if (translate(&raw, in->lf, in->cfg->role, &ev->errs) != 0 ||
	    check_profile(in->cfg, run->chain, &ev->errs) != 0 ||
	    check_leaf_relaxed(in, &ev->errs) != 0 ||
	    check_cas_relaxed(in, run, &ev->errs, &ev->errs) != 0 ||
	    check_allowlist(in, &ev->errs, true) != 0)
		goto out;
	ev->evaluated = true;
	ev->passed = ev->errs.n == 0;
	rc = 0;
out:
	raw.chain = NULL;
	run_clear(&raw);
	return rc;
}

/* ---- reasons and the result ---------------------------------------------- */

static char *fail_reason(const struct verrlist *errs)
{
	char *s = NULL;

	if (errs->n == 1)
		return strdup(errs->v[0].message);
	if (asprintf(&s, "%s (and %zu more)", errs->v[0].message, errs->n - 1) < 0)
		return NULL;
	return s;
}

static char *pass_reason(const struct input *in, enum eku_verify_policy p)
{
	char *s = NULL;
	const char *eku = in->lf->eku_class == EKU_CLASS_NONE ? "no EKU (any purpose)"
			  : eku_verify_role_name(in->cfg->role)[0] == 'c' ? "clientAuth" : "serverAuth";

	if (p == EKU_VERIFY_IGNORE_CLIENT_EKU && in->cfg->role == EKU_VERIFY_ROLE_CLIENT)
		return strdup(in->allow_why);
	if (asprintf(&s, "chain valid, leaf has %s%s%s", eku, in->allow_hit ? "; " : "",
		    in->allow_hit ? in->allow_why : "") < 0)
		return NULL;
	return s;
}

static int set_reasons(struct eku_verify_result *r, const struct input *in)
{
	struct eval *enf = &r->under[EKU_VERIFY_ENFORCE];
	struct eval *ign = &r->under[EKU_VERIFY_IGNORE_CLIENT_EKU];
	struct eval *per = &r->under[EKU_VERIFY_PERMISSIVE];
	struct eval *off = &r->under[EKU_VERIFY_OFF];
	char *s = NULL;

	enf->reason = enf->passed ? pass_reason(in, EKU_VERIFY_ENFORCE) : fail_reason(&enf->errs);
	ign->reason = ign->passed ? pass_reason(in, EKU_VERIFY_IGNORE_CLIENT_EKU)
				  : fail_reason(&ign->errs);
	if (enf->reason == NULL || ign->reason == NULL)
		return -1;
	per->evaluated = off->evaluated = true;
	per->passed = off->passed = true;
	if (asprintf(&s, "%s%s", enf->passed ? "nothing would fail" : "never blocks; would fail: ",
		    enf->passed ? "" : enf->reason) < 0)
		return -1;
	per->reason = s;
	off->reason = strdup("nothing is checked");
	return off->reason != NULL ? 0 : -1;
}

static int copy_errs(struct verrlist *dst, const struct verrlist *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (eku_verrlist_add(dst, src->v[i].code, src->v[i].depth, src->v[i].openssl_error,
			    "%s", src->v[i].message) != 0)
			return -1;
	return 0;
}

/* A certificate whose X509 cannot be built is not the one in the chain
 * (X509_cmp would dereference NULL). */
static bool same_x509(const eku_cert *c, X509 *x)
{
	X509 *y = eku_cert_get0_x509(c);

	return y != NULL && X509_cmp(y, x) == 0;
}

static const char *source_in(const eku_certlist *l, X509 *x)
{
	for (size_t i = 0; l != NULL && i < eku_certlist_count(l); i++)
		if (same_x509(eku_certlist_get0(l, i), x))
			return eku_cert_source(eku_certlist_get0(l, i));
	return NULL;
}

/* The file a chain certificate was read from: the leaf's, an extra
 * certificate's, a --trust / --untrusted file's; NULL for the store's. */
static const char *source_of(const struct input *in, X509 *x)
{
	const char *s;

	if (in->leaf_cert != NULL && same_x509(in->leaf_cert, x))
		return eku_cert_source(in->leaf_cert);
	if ((s = source_in(in->extra, x)) != NULL)
		return s;
	return source_in(in->cfg->from_files, x);
}

static int set_chain(struct eku_verify_result *r, const struct input *in, STACK_OF(X509) *chain)
{
	eku_error err = { 0 };

	for (int i = 0; i < sk_X509_num(chain); i++) {
		X509 *x = sk_X509_value(chain, i);
		eku_cert *c = eku_cert_new_x509(x, source_of(in, x), i + 1, 0, &err);
		if (c == NULL || eku_certlist_push0(r->chain, c) != 0)
			return -1;
	}
	return 0;
}

static int finish(struct eku_verify_result *r, const struct input *in, STACK_OF(X509) *chain)
{
	struct eval *mine = &r->under[r->policy];
	const struct verrlist *errs = r->policy == EKU_VERIFY_PERMISSIVE
		? &r->under[EKU_VERIFY_ENFORCE].errs : &mine->errs;

	if (set_reasons(r, in) != 0 || set_chain(r, in, chain) != 0)
		return -1;
	if (r->policy == EKU_VERIFY_PERMISSIVE && copy_errs(&mine->errs, errs) != 0)
		return -1;
	r->passed = mine->passed;
	r->clean = mine->errs.n == 0;
	r->pub = calloc(mine->errs.n + 1, sizeof(*r->pub));
	if (r->pub == NULL)
		return -1;
	for (size_t i = 0; i < mine->errs.n; i++)
		r->pub[i] = (struct eku_verify_error){ mine->errs.v[i].code, mine->errs.v[i].depth,
			mine->errs.v[i].message, mine->errs.v[i].openssl_error };
	r->n_pub = mine->errs.n;
	if (in->allow_hit && (r->allowed_by = strdup(in->allow_why)) == NULL)
		return -1;
	return 0;
}

static int evaluate(const eku_verify_config *cfg, X509 *leaf, STACK_OF(X509) *untrusted,
	const struct input *named, eku_verify_result *r)
{
	struct run enf_run = { 0 }, ign_run = { 0 };
	eku_error err = { 0 };
	eku_cert *lc = eku_cert_new_x509(leaf, NULL, 1, 0, &err);
	struct input in = { .cfg = cfg, .leaf = leaf, .untrusted = untrusted, .at = r->at,
		.leaf_cert = named->leaf_cert, .extra = named->extra };
	STACK_OF(X509) *shown;
	int rc = -1;

	if (lc == NULL)
		goto out;
	in.lf = eku_cert_facts(lc);
	r->leaf_class = in.lf->eku_class;
	in.allow_hit = eku_allowlist_match(cfg->allow, leaf, in.allow_why, sizeof(in.allow_why));
	if (eval_enforce(&in, &r->under[EKU_VERIFY_ENFORCE], &enf_run) != 0 ||
	    eval_ignore(&in, &r->under[EKU_VERIFY_IGNORE_CLIENT_EKU], &ign_run) != 0)
		goto out;
	shown = r->policy == EKU_VERIFY_IGNORE_CLIENT_EKU && ign_run.chain != NULL ? ign_run.chain
										  : enf_run.chain;
	if (finish(r, &in, shown) != 0)
		goto out;
	rc = 0;
out:
	run_clear(&enf_run);
	run_clear(&ign_run);
	eku_cert_free(lc);
	ERR_clear_error();
	return rc;
}

static eku_verify_result *result_new(const eku_verify_config *cfg)
{
	eku_verify_result *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->policy = cfg->policy;
	r->role = cfg->role;
	r->at = cfg->time_fixed ? cfg->at : (int64_t)time(NULL);
	r->chain = eku_certlist_new();
	if (r->chain == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

/* untrusted = peer's certificates after the leaf + the config's. */
static STACK_OF(X509) *merge_untrusted(const eku_verify_config *cfg, STACK_OF(X509) *peer, int from)
{
	STACK_OF(X509) *u = sk_X509_new_null();

	for (int i = from; u != NULL && i < sk_X509_num(peer); i++)
		if (sk_X509_push(u, sk_X509_value(peer, i)) <= 0)
			goto fail;
	for (int i = 0; u != NULL && i < sk_X509_num(cfg->untrusted); i++)
		if (sk_X509_push(u, sk_X509_value(cfg->untrusted, i)) <= 0)
			goto fail;
	return u;
fail:
	sk_X509_free(u);
	return NULL;
}

static int verify_x509(const eku_verify_config *cfg, X509 *leaf, STACK_OF(X509) *peer, int from,
	const struct input *named, eku_verify_result **out)
{
	eku_verify_result *r = NULL;
	STACK_OF(X509) *u = NULL;
	int rc = -1;

	*out = NULL;
	if (cfg == NULL || leaf == NULL)
		goto out;
	r = result_new(cfg);
	u = merge_untrusted(cfg, peer, from);
	if (r == NULL || u == NULL || evaluate(cfg, leaf, u, named, r) != 0)
		goto out;
	*out = r;
	r = NULL;
	rc = 0;
out:
	sk_X509_free(u);
	eku_verify_result_free(r);
	ERR_clear_error();
	return rc;
}

int eku_verify_chain(const eku_verify_config *cfg, STACK_OF(X509) *chain, eku_verify_result **out)
{
	X509 *leaf = chain != NULL && sk_X509_num(chain) > 0 ? sk_X509_value(chain, 0) : NULL;

	struct input named = { 0 };

	return verify_x509(cfg, leaf, chain, 1, &named, out);
}

int eku_verify_cert(const eku_verify_config *cfg, const eku_cert *leaf, const eku_certlist *extra,
	eku_verify_result **out)
{
	STACK_OF(X509) *peer = sk_X509_new_null();
	X509 *x;
	int rc = -1;

	*out = NULL;
	/* A NULL X509 (not built: eku_cert_get0_x509) must not reach the stack,
	 * where OpenSSL's chain building would dereference it. */
	for (size_t i = 0; peer != NULL && extra != NULL && i < eku_certlist_count(extra); i++)
		if ((x = eku_cert_get0_x509(eku_certlist_get0(extra, i))) == NULL || sk_X509_push(peer, x) <= 0)
			goto out;
	if (peer != NULL && leaf != NULL && (x = eku_cert_get0_x509(leaf)) != NULL)
	{
		struct input named = { .leaf_cert = leaf, .extra = extra };
		rc = verify_x509(cfg, x, peer, 0, &named, out);
	}
out:
	sk_X509_free(peer);
	return rc;
}

/* The X509_V_ERR_* that best tells the peer why (TLS alert selection). */
static int store_ctx_error(const eku_verify_result *r)
{
	const struct eku_verify_error *e = r->n_pub > 0 ? &r->pub[0] : NULL;

	if (e == NULL)
		return X509_V_ERR_UNSPECIFIED;
	if (e->code == EKU_V_NOT_ALLOWED || e->code == EKU_V_ALLOWLIST_REQUIRED)
		return X509_V_ERR_CERT_REJECTED;
	if (e->code == EKU_V_EKU_NO_TLS_PURPOSE || e->code == EKU_V_LEAF_PURPOSE)
		return X509_V_ERR_INVALID_PURPOSE;
	return e->openssl_error != 0 ? e->openssl_error : X509_V_ERR_UNSPECIFIED;
}

int eku_verify_store_ctx(const eku_verify_config *cfg, X509_STORE_CTX *ctx, eku_verify_result **out)
{
	struct input named = { 0 }; /* peer certificates: no file names */
	eku_verify_result *r = NULL;
	int ok = 0;

	if (out != NULL)
		*out = NULL;
	if (verify_x509(cfg, X509_STORE_CTX_get0_cert(ctx), X509_STORE_CTX_get0_untrusted(ctx), 0, &named,
		    &r) != 0) {
		X509_STORE_CTX_set_error(ctx, X509_V_ERR_OUT_OF_MEM);
		goto out;
	}
	ok = r->passed;
	X509_STORE_CTX_set_error(ctx, ok ? X509_V_OK : store_ctx_error(r));
	if (!ok && r->n_pub > 0)
		X509_STORE_CTX_set_error_depth(ctx, r->pub[0].depth < 0 ? 0 : r->pub[0].depth);
out:
	if (out != NULL)
		*out = r;
	else
		eku_verify_result_free(r);
	return ok;
}

void eku_verify_result_free(eku_verify_result *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < EKU_VERIFY_POLICY_COUNT; i++) {
		eku_verrlist_clear(&r->under[i].errs);
		free(r->under[i].reason);
	}
	eku_certlist_free(r->chain);
	free(r->pub);
	free(r->allowed_by);
	free(r->summary);
	free(r);
}
