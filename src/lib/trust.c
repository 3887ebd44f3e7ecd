/* Trust stores, offline chain building and issuer classification.
 *
 * Chains are built the way a verifier would (RFC 5280 6.1 / RFC 4158 path
 * building, simplified): walk from the leaf to an issuer whose name and key
 * identifier match (X509_check_issued) and whose key verifies the signature,
 * preferring anchors, until an anchor or a self-signed certificate is
 * reached. No network: AIA caIssuers is only used as evidence for the vendor.
 * Purpose and validity are deliberately not checked here; that is verify's
 * job, and an expired chain still tells who issued it.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdarg.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <eku/data.h>
#include <eku/trust.h>

#include "cert_int.h"
#include "der/der.h"
#include "hash.h"
#include "trust_int.h"

#define MAX_CHAIN 12

enum anchor_kind { ANCHOR_SYSTEM, ANCHOR_USER, ANCHOR_PUBLIC };

struct anchor {
	eku_cert *cert;
	enum anchor_kind kind;
	char *vendor; /* for ANCHOR_PUBLIC, may be NULL */
};

struct eku_trust {
	eku_error err;     /* written under lock once classify may run on threads */
	char *data_dir;
	/* The data tables are loaded on first need, possibly by several threads
	 * classifying at once (probe workers): loading happens under lock, and
	 * the release store of data_loaded publishes the tables to the
	 * lock-free acquire load of every later classify. */
	pthread_mutex_t lock;
	atomic_bool data_loaded;
	struct eku_chrome_root *chrome;
	size_t n_chrome;
	json_t *vendors;   /* array from ca-vendors.json */
	json_t *alt_roots; /* array from alt-roots.json */
	struct anchor *anchors;
	size_t n_anchors, cap_anchors;
	eku_certlist *anchor_certs; /* anchors[i].cert at position i: the issuer index */
	eku_hmap *anchor_by_sha256; /* certificate hash -> the anchor that decides */
	eku_hmap *chrome_by_sha256; /* root hash -> position in chrome */
	eku_certlist *untrusted;
	bool skip_signatures;       /* eku_trust_set_check_signatures(t, false) */
};

const char *eku_issuer_class_name(enum eku_issuer_class c)
{
	static const char *const n[] = { "unknown", "webpki", "public_other", "private",
		"self_signed" };
	return (unsigned)c < sizeof(n) / sizeof(n[0]) ? n[c] : "unknown";
}

eku_trust *eku_trust_new(void)
{
	eku_trust *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->untrusted = eku_certlist_new();
	t->anchor_certs = eku_certlist_new();
	if (t->untrusted == NULL || t->anchor_certs == NULL ||
	    pthread_mutex_init(&t->lock, NULL) != 0) {
		eku_certlist_free(t->untrusted);
		eku_certlist_free(t->anchor_certs);
		free(t);
		return NULL;
	}
	atomic_init(&t->data_loaded, false);
	return t;
}

void eku_trust_free(eku_trust *t)
{
	if (t == NULL)
		return;
	free(t->data_dir);
	free(t->chrome);
	eku_hmap_free(t->chrome_by_sha256);
	eku_hmap_free(t->anchor_by_sha256);
	json_decref(t->vendors);
	json_decref(t->alt_roots);
	for (size_t i = 0; i < t->n_anchors; i++) {
		eku_cert_free(t->anchors[i].cert);
		free(t->anchors[i].vendor);
	}
	free(t->anchors);
	eku_certlist_free(t->anchor_certs);
	eku_certlist_free(t->untrusted);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

const eku_error *eku_trust_error(const eku_trust *t) { return &t->err; }

int eku_trust_set_data_dir(eku_trust *t, const char *dir)
{
	free(t->data_dir);
	t->data_dir = dir != NULL ? strdup(dir) : NULL;
	atomic_store(&t->data_loaded, false);
	return dir == NULL || t->data_dir != NULL ? 0 : -1;
}

static json_t *load_json_array(eku_trust *t, const char *name, const char *key)
{
	json_error_t jerr;
	size_t len = 0;
	char *origin = NULL;
	uint8_t *buf = eku_data_read(t->data_dir, name, &len, &origin, &t->err);
	const char *shown = origin != NULL ? origin : name;
	json_t *root = NULL, *arr = NULL;

	if (buf == NULL)
		return NULL;
	root = json_loadb((const char *)buf, len, 0, &jerr);
	if (root == NULL) {
		eku_error_set(&t->err, EKU_E_BAD_DATA, "%s:%d:%d: %s", shown, jerr.line, jerr.column,
			jerr.text);
		goto out;
	}
	arr = json_object_get(root, key);
	if (!json_is_array(arr)) {
		eku_error_set(&t->err, EKU_E_BAD_DATA, "%s: missing array \"%s\"", shown, key);
		arr = NULL;
		goto out;
	}
	json_incref(arr);
out:
	json_decref(root);
	free(origin);
	free(buf);
	return arr;
}

static int load_data_locked(eku_trust *t)
{
	size_t len = 0;
	uint8_t *csv;
	char *origin = NULL;
	int rc = -1;

	csv = eku_data_read(t->data_dir, "chrome-root-store.csv", &len, &origin, &t->err);
	if (csv == NULL)
		goto out;
	free(t->chrome);
	t->chrome = NULL;
	if (eku_chrome_parse((const char *)csv, origin != NULL ? origin : "chrome-root-store.csv",
		    &t->chrome, &t->n_chrome, &t->err) != 0)
		goto out;
	eku_hmap_free(t->chrome_by_sha256);
	if ((t->chrome_by_sha256 = eku_hmap_new()) == NULL)
		goto nomem;
	for (size_t i = 0; i < t->n_chrome; i++)
		if (eku_hmap_add(t->chrome_by_sha256, t->chrome[i].sha256, 32, i) < 0)
			goto nomem;
	json_decref(t->vendors);
	json_decref(t->alt_roots);
	t->vendors = load_json_array(t, "ca-vendors.json", "vendors");
	t->alt_roots = load_json_array(t, "alt-roots.json", "roots");
	if (t->vendors == NULL || t->alt_roots == NULL)
		goto out;
	rc = 0;
	goto out;
nomem:
	eku_error_set(&t->err, EKU_E_NOMEM, "out of memory");
out:
	free(origin);
	free(csv);
	return rc;
}

int eku_trust_load_data(eku_trust *t)
{
	int rc = 0;

	if (atomic_load_explicit(&t->data_loaded, memory_order_acquire))
		return 0;
	pthread_mutex_lock(&t->lock);
	if (!atomic_load_explicit(&t->data_loaded, memory_order_relaxed)) {
		rc = load_data_locked(t);
		if (rc == 0)
			atomic_store_explicit(&t->data_loaded, true, memory_order_release);
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* The anchor that decides for a root loaded more than once: the first
 * public declaration, else the first loaded. */
static int index_anchor(eku_trust *t, size_t i)
{
	const uint8_t *h = eku_cert_facts(t->anchors[i].cert)->sha256;
	size_t have;

	if (t->anchor_by_sha256 == NULL && (t->anchor_by_sha256 = eku_hmap_new()) == NULL)
		goto nomem;
	if (eku_hmap_get(t->anchor_by_sha256, h, 32, &have) &&
	    (t->anchors[have].kind == ANCHOR_PUBLIC || t->anchors[i].kind != ANCHOR_PUBLIC))
		return 0;
	if (eku_hmap_put(t->anchor_by_sha256, h, 32, i) != 0)
		goto nomem;
	return 0;
nomem:
	eku_error_set(&t->err, EKU_E_NOMEM, "out of memory");
	return -1;
}

void eku_trust_set_check_signatures(eku_trust *t, bool check)
{
	t->skip_signatures = !check;
}

bool eku_trust_checks_signatures(const eku_trust *t)
{
	return !t->skip_signatures;
}

static int add_anchor(eku_trust *t, eku_cert *c, enum anchor_kind kind, const char *vendor)
{
	struct anchor *nv = t->anchors;

	/* Geometric growth: a system bundle adds a hundred and more. */
	if (t->n_anchors == t->cap_anchors) {
		size_t cap = t->cap_anchors ? t->cap_anchors * 2 : 64;
		if ((nv = realloc(t->anchors, cap * sizeof(*nv))) != NULL) {
			t->anchors = nv;
			t->cap_anchors = cap;
		}
	}
	if (nv == NULL || eku_certlist_push0(t->anchor_certs, eku_cert_up_ref(c)) != 0) {
		eku_cert_free(c);
		eku_error_set(&t->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	nv[t->n_anchors].cert = c;
	nv[t->n_anchors].kind = kind;
	nv[t->n_anchors].vendor = vendor != NULL ? strdup(vendor) : NULL;
	t->n_anchors++;
	return index_anchor(t, t->n_anchors - 1);
}

static int add_anchor_file(eku_trust *t, const char *path, enum anchor_kind kind, const char *vendor)
{
	eku_certlist *l = eku_certlist_load_strict(path, &t->err);
	int rc = -1;

	if (l == NULL)
		return -1;
	for (size_t i = 0; i < eku_certlist_count(l); i++)
		if (add_anchor(t, eku_cert_up_ref(eku_certlist_get0(l, i)), kind, vendor) != 0)
			goto out;
	rc = 0;
out:
	eku_certlist_free(l);
	return rc;
}

int eku_trust_add_system(eku_trust *t, const char *bundle)
{
	if (bundle == NULL)
		bundle = "/etc/ssl/certs/ca-certificates.crt";
	if (access(bundle, R_OK) != 0)
		return 0;
	return add_anchor_file(t, bundle, ANCHOR_SYSTEM, NULL);
}

int eku_trust_add_anchor_file(eku_trust *t, const char *path)
{
	return add_anchor_file(t, path, ANCHOR_USER, NULL);
}

int eku_trust_add_anchor(eku_trust *t, eku_cert *c)
{
	return add_anchor(t, eku_cert_up_ref(c), ANCHOR_USER, NULL);
}

int eku_trust_add_public_root_file(eku_trust *t, const char *path, const char *vendor_id)
{
	return add_anchor_file(t, path, ANCHOR_PUBLIC, vendor_id);
}

int eku_trust_add_untrusted(eku_trust *t, eku_cert *c)
{
	if (eku_certlist_push0(t->untrusted, eku_cert_up_ref(c)) != 0) {
		eku_error_set(&t->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

int eku_trust_add_untrusted_file(eku_trust *t, const char *path)
{
	eku_certlist *l = eku_certlist_load_strict(path, &t->err);
	int rc = -1;

	if (l == NULL)
		return -1;
	for (size_t i = 0; i < eku_certlist_count(l); i++)
		if (eku_trust_add_untrusted(t, eku_certlist_get0(l, i)) != 0)
			goto out;
	rc = 0;
out:
	eku_certlist_free(l);
	return rc;
}

size_t eku_trust_anchor_count(const eku_trust *t) { return t->n_anchors; }

const eku_cert *eku_trust_anchor_get0(const eku_trust *t, size_t i, bool *is_public)
{
	if (i >= t->n_anchors)
		return NULL;
	if (is_public != NULL)
		*is_public = t->anchors[i].kind != ANCHOR_USER;
	return t->anchors[i].cert;
}

static const struct anchor *find_anchor(const eku_trust *t, const eku_cert *c)
{
	size_t i;

	if (t->anchor_by_sha256 == NULL ||
	    !eku_hmap_get(t->anchor_by_sha256, eku_cert_facts(c)->sha256, 32, &i))
		return NULL;
	return &t->anchors[i];
}

/* X509_check_issued from facts alone, for runs that skip signatures: the
 * issuer's subject names the subject's issuer (eku_name_key), the key
 * identifiers agree when both are present, and the issuer may sign
 * certificates (keyCertSign when it has a key usage). */
static bool issued_by_facts(const eku_cert *issuer, const eku_cert *subject)
{
	const struct eku_facts *i = eku_cert_facts(issuer), *s = eku_cert_facts(subject);

	if (eku_cert_subject_key(issuer) != eku_cert_issuer_key(subject))
		return false;
	if (i->ski != NULL && s->aki != NULL && strcmp(i->ski, s->aki) != 0)
		return false;
	return !i->has_key_usage || (i->key_usage & EKU_KU_KEY_CERT_SIGN) != 0;
}

/* Did issuer's key sign subject? Each answer is remembered on subject, so a
 * chain's intermediates and roots are verified once per run, not per leaf. */
static bool issued_by(const eku_trust *t, const eku_cert *issuer, const eku_cert *subject)
{
	const uint8_t *ih = eku_cert_facts(issuer)->sha256;
	X509 *i, *s;
	EVP_PKEY *pk;
	const uint8_t *der;
	size_t der_len;
	bool ok;
	int memo, fast;

	if (t->skip_signatures)
		return issued_by_facts(issuer, subject);
	if ((memo = eku_cert_sig_memo_get(subject, ih)) >= 0)
		return memo == 1;
	i = eku_cert_get0_x509(issuer);
	/* From the subject's DER when it has one: building its X509 costs
	 * three times the check (src/lib/der/sig.c). */
	if (i != NULL && (der = eku_cert_der(subject, &der_len)) != NULL &&
	    (fast = eku_der_issued_by(der, der_len, i)) >= 0) {
		ok = fast == 1;
		goto out;
	}
	s = eku_cert_get0_x509(subject);
	if (i == NULL || s == NULL || X509_check_issued(i, s) != X509_V_OK) {
		ok = false;
	} else {
		pk = X509_get0_pubkey(i);
		ok = pk != NULL && X509_verify(s, pk) == 1;
	}
out:
	ERR_clear_error();
	eku_cert_sig_memo_set(subject, ih, ok);
	return ok;
}

static bool in_chain(const struct eku_classification *cl, const eku_cert *c)
{
	for (size_t i = 0; i < cl->chain_len; i++)
		if (memcmp(eku_cert_facts(cl->chain[i])->sha256, eku_cert_facts(c)->sha256, 32) == 0)
			return true;
	return false;
}

/* The first certificate of l, in list order, that issued cur and is not in
 * the chain yet; only certificates named like cur's issuer are tried. */
static eku_cert *issuer_in(const eku_trust *t, const eku_certlist *l,
	const struct eku_classification *cl, const eku_cert *cur)
{
	for (size_t i = eku_certlist_issuer_first_key(l, eku_cert_issuer_key(cur)); i != SIZE_MAX;
	     i = eku_certlist_issuer_next(l, i)) {
		eku_cert *c = eku_certlist_get0(l, i);
		if (!in_chain(cl, c) && issued_by(t, c, cur))
			return c;
	}
	return NULL;
}

/* Anchors first, then the certificates that came with the leaf, then the
 * configured intermediates. */
static eku_cert *find_issuer(const eku_trust *t, const eku_certlist *extra,
	const struct eku_classification *cl, const eku_cert *cur)
{
	eku_cert *c = issuer_in(t, t->anchor_certs, cl, cur);

	if (c == NULL)
		c = issuer_in(t, extra, cl, cur);
	if (c == NULL)
		c = issuer_in(t, t->untrusted, cl, cur);
	return c;
}

static int chain_push(struct eku_classification *cl, const eku_cert *c)
{
	/* Room for the longest chain at once: no growth one by one. */
	if (cl->chain == NULL && (cl->chain = malloc(MAX_CHAIN * sizeof(*cl->chain))) == NULL)
		return -1;
	if (cl->chain_len == MAX_CHAIN)
		return -1;
	cl->chain[cl->chain_len++] = eku_cert_up_ref((eku_cert *)c);
	return 0;
}

static int build_chain(const eku_trust *t, const eku_cert *leaf, const eku_certlist *extra,
	struct eku_classification *cl, const struct anchor **anchor)
{
	const eku_cert *cur = leaf;

	*anchor = NULL;
	if (chain_push(cl, leaf) != 0)
		return -1;
	while (cl->chain_len < MAX_CHAIN) {
		eku_cert *next;
		if ((*anchor = find_anchor(t, cur)) != NULL) {
			cl->chain_complete = true;
			return 0;
		}
		/* A self-issued top only ends the chain when its own key really
		 * signed it; a forged self-issued certificate stays incomplete. */
		if (eku_cert_facts(cur)->self_signed && issued_by(t, cur, cur)) {
			cl->chain_complete = true;
			return 0;
		}
		if ((next = find_issuer(t, extra, cl, cur)) == NULL)
			return 0;
		if (chain_push(cl, next) != 0)
			return -1;
		cur = next;
	}
	return 0;
}

static int evidence(struct eku_classification *cl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int evidence(struct eku_classification *cl, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? -1 : eku_strv_push0(&cl->evidence, s);
}

const struct eku_chrome_root *eku_trust_chrome_lookup(eku_trust *t, const uint8_t sha256[32])
{
	size_t i;

	if (t->chrome_by_sha256 == NULL || !eku_hmap_get(t->chrome_by_sha256, sha256, 32, &i))
		return NULL;
	return &t->chrome[i];
}

/* Names compared ignoring blanks after RDN separators and letter case: the
 * snapshot writes "CN=x, O=y", OpenSSL's RFC 4514 mode writes "CN=x,O=y". */
static bool same_dn(const char *a, const char *b)
{
	for (;;) {
		if (*a == ',' && *b == ',') {
			a++, b++;
			while (*a == ' ')
				a++;
			while (*b == ' ')
				b++;
			continue;
		}
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		if (*a == '\0')
			return true;
		a++, b++;
	}
}

static const struct eku_chrome_root *chrome_by_subject(eku_trust *t, const char *subject)
{
	for (size_t i = 0; i < t->n_chrome; i++)
		if (same_dn(t->chrome[i].subject, subject))
			return &t->chrome[i];
	return NULL;
}

/* Decides webpki vs public_other for a root in the Chrome snapshot, honouring
 * its phase-out: certificates issued after sct_not_after are not trusted. */
static int classify_chrome_root(struct eku_classification *cl, const struct eku_chrome_root *cr,
	const eku_cert *leaf)
{
	char d[16];

	cl->root_phase_out = cr->sct_not_after;
	if (cr->sct_not_after != 0 && eku_cert_facts(leaf)->not_before > cr->sct_not_after) {
		cl->issuer_class = EKU_ISSUER_PUBLIC_OTHER;
		return evidence(cl, "root is phased out of the Chrome Root Store for certificates issued after %s",
			eku_time_date(cr->sct_not_after, d, sizeof(d)));
	}
	cl->issuer_class = EKU_ISSUER_WEBPKI;
	if (cr->sct_not_after != 0 &&
	    evidence(cl, "root phase-out in Chrome: certificates with SCTs after %s are not trusted",
		    eku_time_date(cr->sct_not_after, d, sizeof(d))) != 0)
		return -1;
	return evidence(cl, "root is in the Chrome Root Store snapshot (id %d)", cr->crs_id);
}

static void classify_top(eku_trust *t, struct eku_classification *cl, const eku_cert *leaf,
	const struct anchor *anchor, int *rc)
{
	const eku_cert *top = cl->chain[cl->chain_len - 1];
	const struct eku_chrome_root *cr = eku_trust_chrome_lookup(t, eku_cert_facts(top)->sha256);

	if (anchor != NULL && anchor->kind == ANCHOR_PUBLIC) {
		cl->issuer_class = EKU_ISSUER_WEBPKI;
		*rc |= evidence(cl, "root declared publicly trusted (public_roots)");
		if (anchor->vendor != NULL) {
			cl->ca_vendor = strdup(anchor->vendor);
			*rc |= evidence(cl, "vendor declared with the public root: %s", anchor->vendor);
		}
		return;
	}
	if (cr != NULL) {
		*rc |= classify_chrome_root(cl, cr, leaf);
		return;
	}
	if (anchor != NULL && anchor->kind == ANCHOR_SYSTEM) {
		cl->issuer_class = EKU_ISSUER_PUBLIC_OTHER;
		*rc |= evidence(cl, "root is in the system bundle but not in the Chrome Root Store");
		return;
	}
	if (cl->chain_len == 1 && eku_cert_facts(leaf)->self_signed && anchor == NULL) {
		cl->issuer_class = EKU_ISSUER_SELF_SIGNED;
		*rc |= evidence(cl, "certificate is self-signed");
		return;
	}
	cl->issuer_class = EKU_ISSUER_PRIVATE;
	*rc |= evidence(cl, anchor != NULL ? "chain ends at a root given with --trust"
					   : "chain ends at a self-signed root outside every public store");
}

struct eku_classification *eku_trust_classify(eku_trust *t, const eku_cert *c,
	const eku_certlist *extra)
{
	struct eku_classification *cl = NULL;
	const struct anchor *anchor = NULL;
	int rc = 0;

	if (eku_trust_load_data(t) != 0)
		return NULL;
	cl = calloc(1, sizeof(*cl));
	if (cl == NULL || build_chain(t, c, extra, cl, &anchor) != 0)
		goto nomem;
	if (cl->chain_complete) {
		const eku_cert *top = cl->chain[cl->chain_len - 1];
		char hex[65];
		classify_top(t, cl, c, anchor, &rc);
		cl->root_subject = strdup(eku_cert_facts(top)->subject);
		cl->root_sha256 = strdup(eku_hex(eku_cert_facts(top)->sha256, 32, hex));
		if (cl->root_subject == NULL || cl->root_sha256 == NULL)
			goto nomem;
		eku_trust_match_alt_root(t->alt_roots, top, cl, &rc);
	} else {
		const eku_cert *top = cl->chain[cl->chain_len - 1];
		const struct eku_chrome_root *cr = chrome_by_subject(t, eku_cert_facts(top)->issuer);
		cl->issuer_class = EKU_ISSUER_UNKNOWN;
		rc |= evidence(cl, "chain incomplete: issuer \"%s\" not found (give it with --untrusted)",
			eku_cert_facts(top)->issuer);
		if (cr != NULL) {
			cl->inferred = true;
			cl->issuer_class = EKU_ISSUER_WEBPKI;
			rc |= evidence(cl, "issuer name matches Chrome Root Store root \"%s\"", cr->subject);
		}
	}
	if (cl->issuer_class != EKU_ISSUER_SELF_SIGNED && cl->issuer_class != EKU_ISSUER_PRIVATE)
		eku_trust_match_vendor(t->vendors, cl, &rc);
	if (cl->issuer_class == EKU_ISSUER_UNKNOWN && cl->ca_vendor != NULL) {
		/* A recognised public CA operator with the chain missing: say so,
		 * marked as inferred, rather than "unknown". */
		cl->inferred = true;
		cl->issuer_class = EKU_ISSUER_WEBPKI;
	}
	if (cl->ca_vendor != NULL)
		cl->ca_vendor_name = strdup(eku_trust_vendor_name(t, cl->ca_vendor) ?: cl->ca_vendor);
	if (t->skip_signatures && cl->chain_len > 1)
		rc |= evidence(cl, "issuers matched by name and key identifier; signatures not checked");
	if (rc != 0)
		goto nomem;
	return cl;
nomem:
	pthread_mutex_lock(&t->lock);
	eku_error_set(&t->err, EKU_E_NOMEM, "out of memory");
	pthread_mutex_unlock(&t->lock);
	eku_classification_free(cl);
	return NULL;
}

void eku_classification_free(struct eku_classification *cl)
{
	if (cl == NULL)
		return;
	free(cl->ca_vendor);
	free(cl->ca_vendor_name);
	eku_strv_clear(&cl->evidence);
	free(cl->root_subject);
	free(cl->root_sha256);
	free(cl->alt_root_label);
	for (size_t i = 0; i < cl->chain_len; i++)
		eku_cert_free(cl->chain[i]);
	free(cl->chain);
	free(cl);
}

const char *eku_trust_vendor_name(eku_trust *t, const char *vendor_id)
{
	size_t i;
	json_t *v;

	if (vendor_id == NULL || eku_trust_load_data(t) != 0)
		return NULL;
	json_array_foreach(t->vendors, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "id")) ?: "", vendor_id) == 0)
			return json_string_value(json_object_get(v, "name"));
	}
	return NULL;
}
