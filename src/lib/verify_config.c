/* eku_verify_config: built once, then shared read-only by verifications. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <eku/trust.h>
#include <eku/verify.h>

#include "trust_int.h"
#include "verify_int.h"

#define DEFAULT_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static const char *const role_names[] = { "client", "server" };
static const char *const policy_names[] = { "enforce", "ignore-client-eku", "permissive", "off" };

const char *eku_verify_role_name(enum eku_verify_role r)
{
	return (unsigned)r < 2 ? role_names[r] : "?";
}

int eku_verify_role_parse(const char *s, enum eku_verify_role *out)
{
	for (unsigned i = 0; s != NULL && i < 2; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum eku_verify_role)i;
			return 0;
		}
	return -1;
}

static const char *const profile_names[] = { "openssl", "strict" };

const char *eku_verify_profile_name(enum eku_verify_profile p)
{
	return (unsigned)p < 2 ? profile_names[p] : "?";
}

int eku_verify_profile_parse(const char *s, enum eku_verify_profile *out)
{
	for (unsigned i = 0; s != NULL && i < 2; i++)
		if (strcmp(s, profile_names[i]) == 0) {
			*out = (enum eku_verify_profile)i;
			return 0;
		}
	return -1;
}

int eku_verify_config_set_profile(eku_verify_config *cfg, enum eku_verify_profile profile)
{
	if ((unsigned)profile > EKU_VERIFY_PROFILE_STRICT) {
		eku_error_set(&cfg->err, EKU_E_USAGE, "unknown verification profile %d", (int)profile);
		return -1;
	}
	cfg->profile = profile;
	return 0;
}

const char *eku_verify_policy_name(enum eku_verify_policy p)
{
	return (unsigned)p < EKU_VERIFY_POLICY_COUNT ? policy_names[p] : "?";
}

int eku_verify_policy_parse(const char *s, enum eku_verify_policy *out)
{
	for (unsigned i = 0; s != NULL && i < EKU_VERIFY_POLICY_COUNT; i++)
		if (strcmp(s, policy_names[i]) == 0) {
			*out = (enum eku_verify_policy)i;
			return 0;
		}
	return -1;
}

/* {anyPolicy}: the RFC 5280 6.1.1 (c) default. It must be handed to OpenSSL
 * explicitly: with no user policy set at all, OpenSSL 3.0's X509_policy_check()
 * leaves the user-constrained set empty and, whenever an explicit policy is
 * required (initial-explicit-policy, or a requireExplicitPolicy constraint in
 * the path), fails with X509_V_ERR_NO_EXPLICIT_POLICY on valid paths (PKITS
 * 4.8.1.1, 4.9.4, ...; compare `openssl verify -explicit_policy` with and
 * without `-policy 2.5.29.32.0`). */
static STACK_OF(ASN1_OBJECT) *any_policy_set(void)
{
	STACK_OF(ASN1_OBJECT) *sk = sk_ASN1_OBJECT_new_null();
	ASN1_OBJECT *any = OBJ_nid2obj(NID_any_policy);

	if (sk == NULL || any == NULL || sk_ASN1_OBJECT_push(sk, any) <= 0) {
		sk_ASN1_OBJECT_free(sk);
		return NULL;
	}
	return sk;
}

eku_verify_config *eku_verify_config_new(void)
{
	eku_verify_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	atomic_init(&cfg->refs, 1);
	cfg->store = X509_STORE_new();
	cfg->untrusted = sk_X509_new_null();
	cfg->from_files = eku_certlist_new();
	cfg->crls = sk_X509_CRL_new_null();
	cfg->allow = eku_allowlist_new();
	cfg->policies = any_policy_set();
	cfg->policies_default = true;
	cfg->auth_level = 1;
	if (cfg->store == NULL || cfg->untrusted == NULL || cfg->from_files == NULL || cfg->crls == NULL || cfg->allow == NULL ||
	    cfg->policies == NULL) {
		eku_verify_config_free(cfg);
		return NULL;
	}
	return cfg;
}

eku_verify_config *eku_verify_config_up_ref(eku_verify_config *cfg)
{
	if (cfg != NULL)
		atomic_fetch_add(&cfg->refs, 1);
	return cfg;
}

void eku_verify_config_free(eku_verify_config *cfg)
{
	if (cfg == NULL || atomic_fetch_sub(&cfg->refs, 1) != 1)
		return;
	X509_STORE_free(cfg->store);
	sk_X509_pop_free(cfg->untrusted, X509_free);
	eku_certlist_free(cfg->from_files);
	sk_X509_CRL_pop_free(cfg->crls, X509_CRL_free);
	sk_ASN1_OBJECT_pop_free(cfg->policies, ASN1_OBJECT_free);
	eku_allowlist_free(cfg->allow);
	free(cfg->name);
	free(cfg);
}

const eku_error *eku_verify_config_error(const eku_verify_config *cfg) { return &cfg->err; }

int eku_verify_config_set_role(eku_verify_config *cfg, enum eku_verify_role role)
{
	if ((unsigned)role > EKU_VERIFY_ROLE_SERVER) {
		eku_error_set(&cfg->err, EKU_E_USAGE, "role must be client or server");
		return -1;
	}
	cfg->role = role;
	return 0;
}

int eku_verify_config_set_policy(eku_verify_config *cfg, enum eku_verify_policy policy)
{
	if ((unsigned)policy >= EKU_VERIFY_POLICY_COUNT) {
		eku_error_set(&cfg->err, EKU_E_USAGE,
			"policy must be enforce, ignore-client-eku, permissive or off");
		return -1;
	}
	cfg->policy = policy;
	return 0;
}

int eku_verify_config_set_time(eku_verify_config *cfg, int64_t at)
{
	cfg->time_fixed = true;
	cfg->at = at;
	return 0;
}

void eku_verify_config_set_time_now(eku_verify_config *cfg) { cfg->time_fixed = false; }

int eku_verify_config_set_name(eku_verify_config *cfg, const char *name)
{
	char *copy = NULL;

	if (name != NULL && (*name == '\0' || (copy = strdup(name)) == NULL)) {
		eku_error_set(&cfg->err, *name ? EKU_E_NOMEM : EKU_E_USAGE,
			*name ? "out of memory" : "--name: give a host name or IP address");
		return -1;
	}
	free(cfg->name);
	cfg->name = copy;
	return 0;
}

/* Every certificate of path; the first problem becomes the config error,
 * prefixed with what the file was given as. */
static eku_certlist *load_certs(eku_verify_config *cfg, const char *path, const char *what)
{
	eku_error err = { 0 };
	eku_certlist *l = eku_certlist_load_strict(path, &err);

	if (l == NULL)
		eku_error_set(&cfg->err, err.code, "%s %s", what, err.message);
	return l;
}

/* The X509 of a certificate load_certs read: built on first use, which can
 * fail; the config error then names the file and the certificate. */
static X509 *cert_x509(eku_verify_config *cfg, const eku_cert *c, const char *what)
{
	eku_error err = { 0 };
	X509 *x = eku_cert_get0_x509_err(c, &err);

	if (x == NULL)
		eku_error_set(&cfg->err, err.code, "%s %s", what, err.message);
	return x;
}

int eku_verify_config_add_trust_x509(eku_verify_config *cfg, X509 *anchor)
{
	if (anchor == NULL) {
		eku_error_set(&cfg->err, EKU_E_USAGE, "no anchor given");
		return -1;
	}
	/* X509_STORE_add_cert treats a duplicate as success since 1.1.1. */
	if (X509_STORE_add_cert(cfg->store, anchor) != 1) {
		eku_error_set_openssl(&cfg->err, EKU_E_OPENSSL, "cannot add trust anchor");
		return -1;
	}
	cfg->n_anchors++;
	return 0;
}

/* keep(c, arg) decides which certificates of the file become anchors. */
static int remember(eku_verify_config *cfg, const eku_cert *c)
{
	if (eku_certlist_push0(cfg->from_files, eku_cert_up_ref((eku_cert *)c)) != 0) {
		eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

static int add_trust_certs(eku_verify_config *cfg, const char *path, const char *what,
	bool (*keep)(const eku_cert *, void *), void *arg)
{
	eku_certlist *l = load_certs(cfg, path, what);
	bool keep_source = strcmp(what, "trust file") == 0;
	int rc = -1;

	if (l == NULL)
		return -1;
	for (size_t i = 0; i < eku_certlist_count(l); i++) {
		const eku_cert *c = eku_certlist_get0(l, i);
		X509 *x;
		if (keep != NULL && !keep(c, arg))
			continue;
		if ((x = cert_x509(cfg, c, what)) == NULL || eku_verify_config_add_trust_x509(cfg, x) != 0 ||
		    (keep_source && remember(cfg, c) != 0))
			goto out;
	}
	rc = 0;
out:
	eku_certlist_free(l);
	return rc;
}

int eku_verify_config_add_trust_file(eku_verify_config *cfg, const char *path)
{
	return add_trust_certs(cfg, path, "trust file", NULL, NULL);
}

int eku_verify_config_add_trust_system(eku_verify_config *cfg, const char *bundle)
{
	if (bundle == NULL)
		bundle = DEFAULT_BUNDLE;
	if (access(bundle, R_OK) != 0) {
		eku_error_set(&cfg->err, EKU_E_IO,
			"system bundle %s is not readable; install ca-certificates or give --trust FILE",
			bundle);
		return -1;
	}
	return add_trust_certs(cfg, bundle, "system bundle", NULL, NULL);
}

static bool in_chrome(const eku_cert *c, void *arg)
{
	return eku_trust_chrome_lookup(arg, eku_cert_facts(c)->sha256) != NULL;
}

int eku_verify_config_add_trust_chrome(eku_verify_config *cfg, const char *bundle,
	const char *data_dir)
{
	eku_trust *t = eku_trust_new();
	size_t before = cfg->n_anchors;
	int rc = -1;

	if (bundle == NULL)
		bundle = DEFAULT_BUNDLE;
	if (t == NULL) {
		eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	if (eku_trust_set_data_dir(t, data_dir) != 0 || eku_trust_load_data(t) != 0) {
		eku_error_set(&cfg->err, eku_trust_error(t)->code, "chrome root store: %s",
			eku_trust_error(t)->message);
		goto out;
	}
	if (access(bundle, R_OK) != 0) {
		eku_error_set(&cfg->err, EKU_E_IO, "--trust chrome takes the roots from %s, which is "
			"not readable; install ca-certificates", bundle);
		goto out;
	}
	if (add_trust_certs(cfg, bundle, "system bundle", in_chrome, t) != 0)
		goto out;
	if (cfg->n_anchors == before) {
		eku_error_set(&cfg->err, EKU_E_TRUST,
			"no root of %s is in the Chrome Root Store snapshot", bundle);
		goto out;
	}
	rc = 0;
out:
	eku_trust_free(t);
	return rc;
}

int eku_verify_config_set1_store(eku_verify_config *cfg, X509_STORE *store)
{
	if (store == NULL || X509_STORE_up_ref(store) != 1) {
		eku_error_set(&cfg->err, EKU_E_USAGE, "no store given");
		return -1;
	}
	X509_STORE_free(cfg->store);
	cfg->store = store;
	cfg->n_anchors = (size_t)sk_X509_OBJECT_num(X509_STORE_get0_objects(store));
	return 0;
}

size_t eku_verify_config_anchor_count(const eku_verify_config *cfg) { return cfg->n_anchors; }

int eku_verify_config_add_untrusted_file(eku_verify_config *cfg, const char *path)
{
	eku_certlist *l = load_certs(cfg, path, "untrusted file");
	int rc = -1;

	if (l == NULL)
		return -1;
	for (size_t i = 0; i < eku_certlist_count(l); i++) {
		X509 *x = cert_x509(cfg, eku_certlist_get0(l, i), "untrusted file");
		if (x == NULL)
			goto out;
		/* A failed up-ref took no reference: nothing of ours to free. */
		if (X509_up_ref(x) != 1) {
			eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
			goto out;
		}
		if (sk_X509_push(cfg->untrusted, x) <= 0) {
			X509_free(x);
			eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
			goto out;
		}
		if (remember(cfg, eku_certlist_get0(l, i)) != 0)
			goto out;
	}
	rc = 0;
out:
	eku_certlist_free(l);
	return rc;
}

/* PEM (any number of X509 CRL blocks) or one DER CRL. */
static int parse_crls(eku_verify_config *cfg, const char *path, const uint8_t *buf, size_t len)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	X509_CRL *crl;
	int n = 0, rc = -1;

	if (bio == NULL) {
		eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	if (memmem(buf, len, "-----BEGIN", 10) != NULL) {
		while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
			if (sk_X509_CRL_push(cfg->crls, crl) <= 0) {
				X509_CRL_free(crl);
				goto nomem;
			}
			n++;
		}
	} else {
		const unsigned char *p = buf;
		crl = d2i_X509_CRL(NULL, &p, (long)len);
		if (crl != NULL && sk_X509_CRL_push(cfg->crls, crl) <= 0) {
			X509_CRL_free(crl);
			goto nomem;
		}
		n = crl != NULL;
	}
	ERR_clear_error();
	if (n == 0) {
		eku_error_set(&cfg->err, EKU_E_BAD_DER, "CRL file %s: no CRL found; give a PEM "
			"(-----BEGIN X509 CRL-----) or DER CRL", path);
		goto out;
	}
	rc = 0;
	goto out;
nomem:
	eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
out:
	BIO_free(bio);
	return rc;
}

int eku_verify_config_add_crl_file(eku_verify_config *cfg, const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	eku_error e = { 0 };
	int rc;

	/* eku_read_file's message does not name the file: say which CRL. */
	if (eku_read_file(path, EKU_LOADER_DEFAULT_MAX_BYTES, &buf, &len, &e) != 0) {
		eku_error_set(&cfg->err, e.code, "CRL file %s: %s", path, e.message);
		return -1;
	}
	rc = parse_crls(cfg, path, buf, len);
	free(buf);
	return rc;
}

int eku_verify_config_add_crl_mem(eku_verify_config *cfg, const char *name, const uint8_t *buf,
	size_t len)
{
	return parse_crls(cfg, name, buf, len);
}

size_t eku_verify_config_crl_count(const eku_verify_config *cfg)
{
	return (size_t)sk_X509_CRL_num(cfg->crls);
}

X509_CRL *eku_verify_config_get0_crl(const eku_verify_config *cfg, size_t i)
{
	return i < eku_verify_config_crl_count(cfg) ? sk_X509_CRL_value(cfg->crls, (int)i) : NULL;
}

void eku_verify_config_set_ignore_crl_expiry(eku_verify_config *cfg, bool on)
{
	cfg->ignore_crl_expiry = on;
}

int eku_verify_config_set1_allowlist(eku_verify_config *cfg, eku_allowlist *al)
{
	eku_allowlist *n = al != NULL ? eku_allowlist_up_ref(al) : eku_allowlist_new();

	if (n == NULL) {
		eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	eku_allowlist_free(cfg->allow);
	cfg->allow = n;
	return 0;
}

eku_allowlist *eku_verify_config_get0_allowlist(const eku_verify_config *cfg)
{
	return cfg->allow;
}

int eku_verify_config_add_policy_oid(eku_verify_config *cfg, const char *oid)
{
	ASN1_OBJECT *obj = oid != NULL ? OBJ_txt2obj(oid, 1) : NULL;
	STACK_OF(ASN1_OBJECT) *fresh = NULL;

	if (obj == NULL) {
		ERR_clear_error();
		eku_error_set(&cfg->err, EKU_E_USAGE,
			"policy OID '%s' is not a dotted OID (like 2.23.140.1.2.1)", oid ? oid : "");
		return -1;
	}
	/* The first OID given replaces the default {anyPolicy}. */
	if (cfg->policies_default && (fresh = sk_ASN1_OBJECT_new_null()) == NULL)
		goto nomem;
	if (sk_ASN1_OBJECT_push(fresh != NULL ? fresh : cfg->policies, obj) <= 0)
		goto nomem;
	if (fresh != NULL) {
		sk_ASN1_OBJECT_pop_free(cfg->policies, ASN1_OBJECT_free);
		cfg->policies = fresh;
		cfg->policies_default = false;
	}
	return 0;
nomem:
	sk_ASN1_OBJECT_free(fresh);
	ASN1_OBJECT_free(obj);
	eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
	return -1;
}

static void set_flag(eku_verify_config *cfg, unsigned long flag, bool on)
{
	cfg->flags = on ? cfg->flags | flag : cfg->flags & ~flag;
}

void eku_verify_config_set_explicit_policy(eku_verify_config *cfg, bool on)
{
	set_flag(cfg, X509_V_FLAG_EXPLICIT_POLICY, on);
}

void eku_verify_config_set_inhibit_policy_mapping(eku_verify_config *cfg, bool on)
{
	set_flag(cfg, X509_V_FLAG_INHIBIT_MAP, on);
}

void eku_verify_config_set_inhibit_any_policy(eku_verify_config *cfg, bool on)
{
	set_flag(cfg, X509_V_FLAG_INHIBIT_ANY, on);
}

void eku_verify_config_set_partial_chain(eku_verify_config *cfg, bool on)
{
	set_flag(cfg, X509_V_FLAG_PARTIAL_CHAIN, on);
}

void eku_verify_config_set_x509_strict(eku_verify_config *cfg, bool on)
{
	set_flag(cfg, X509_V_FLAG_X509_STRICT, on);
}

void eku_verify_config_set_insecure_allow_proxy_certs(eku_verify_config *cfg, bool on)
{
	set_flag(cfg, X509_V_FLAG_ALLOW_PROXY_CERTS, on);
}

int eku_verify_config_set_auth_level(eku_verify_config *cfg, int level)
{
	if (level < 0 || level > 5) {
		eku_error_set(&cfg->err, EKU_E_USAGE, "auth level %d: use 0..5", level);
		return -1;
	}
	cfg->auth_level = level;
	return 0;
}

int eku_verify_config_check(eku_verify_config *cfg)
{
	if (cfg->policy == EKU_VERIFY_IGNORE_CLIENT_EKU && cfg->role == EKU_VERIFY_ROLE_CLIENT &&
	    eku_allowlist_count(cfg->allow) == 0) {
		eku_error_set(&cfg->err, EKU_E_USAGE, "policy ignore-client-eku needs an allow-list "
			"that pins the peer's identity (--allow-dns, --allow-uri, --allow-ip, --allow-cn "
			"or --allow-spki)");
		return -1;
	}
	return 0;
}
