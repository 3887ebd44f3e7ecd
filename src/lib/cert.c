/* The eku_cert object, certificate lists, load diagnostics and names. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <openssl/x509.h>

#include <eku/cert.h>

#include "cert_int.h"
#include "hash.h"
#include "der/der.h"

struct eku_cert {
	/* Atomic: anchors of a shared eku_trust are referenced by every chain
	 * built from them, on whichever thread classifies (gateway workers). */
	atomic_int refs;
	/* Certificates made from DER by the walker keep their DER (a copy, in
	 * the same allocation as the struct) and build the X509 on the first
	 * eku_cert_get0_x509(): threads race with a compare-exchange and the
	 * loser frees its copy. Most runs never need the X509 of most
	 * certificates. */
	_Atomic(X509 *) x509;
	const uint8_t *der;
	size_t der_len;
	struct eku_facts *facts;
	char *source;
	int index;
	int line;
	const char *container; /* static string */
	eku_strv aux_trusted, aux_rejected;
	/* The last signature check made on this certificate: which issuer
	 * (63 bits of its SHA-256) and whether its key verified. Chains share
	 * intermediates and roots, so this spares re-verifying them for every
	 * leaf. Atomic, because anchors are shared by threads; races are benign
	 * (every thread computes the same answer). */
	_Atomic uint64_t sig_memo;
	/* eku_name_key of the subject and issuer names, computed once: chain
	 * building asks for them for every candidate of every leaf. */
	uint64_t subject_key, issuer_key;
	/* An alias (eku_cert_new_alias): another place where the same bytes
	 * were read. It has its own position and borrows everything else
	 * from `same` (a reference): facts, DER, X509, signature memo. */
	eku_cert *same;
};

/* The certificate that holds the facts, X509 and memo of c. */
static inline eku_cert *holder(const eku_cert *c)
{
	return c->same != NULL ? c->same : (eku_cert *)c;
}

static int aux_names(STACK_OF(ASN1_OBJECT) *objs, eku_strv *out)
{
	char buf[128];

	for (int i = 0; i < sk_ASN1_OBJECT_num(objs); i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(objs, i);
		int nid = OBJ_obj2nid(o);
		if (nid != NID_undef)
			snprintf(buf, sizeof(buf), "%s", OBJ_nid2sn(nid));
		else if (OBJ_obj2txt(buf, sizeof(buf), o, 1) <= 0)
			snprintf(buf, sizeof(buf), "?");
		if (eku_strv_push(out, buf) != 0)
			return -1;
	}
	return 0;
}

const char *eku_eku_class_name(enum eku_eku_class c)
{
	static const char *const n[] = { "none", "server_only", "client_only", "server_client",
		"any", "other" };
	return (unsigned)c < sizeof(n) / sizeof(n[0]) ? n[c] : "other";
}

/* OpenSSL 3.0's purpose checks (X509_PURPOSE_SSL_SERVER/CLIENT) accept a leaf
 * with no EKU or with the named purpose; anyExtendedKeyUsage alone is NOT
 * accepted by xku_reject() (see OBSERVED.anyEKU-openssl-3.0.19.json). */
bool eku_eku_class_allows_server(enum eku_eku_class c)
{
	return c == EKU_CLASS_NONE || c == EKU_CLASS_SERVER_ONLY || c == EKU_CLASS_SERVER_CLIENT;
}

bool eku_eku_class_allows_client(enum eku_eku_class c)
{
	return c == EKU_CLASS_NONE || c == EKU_CLASS_CLIENT_ONLY || c == EKU_CLASS_SERVER_CLIENT;
}

const char *eku_san_type_name(enum eku_san_type t)
{
	static const char *const n[] = { "dns", "ip", "uri", "email", "other" };
	return (unsigned)t < sizeof(n) / sizeof(n[0]) ? n[t] : "other";
}

const char *eku_key_usage_name(unsigned bit)
{
	static const char *const n[] = { "digitalSignature", "nonRepudiation", "keyEncipherment",
		"dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly",
		"decipherOnly" };
	for (unsigned i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if (bit == (1u << i))
			return n[i];
	return NULL;
}

static void name_keys(eku_cert *c)
{
	c->subject_key = eku_name_key(c->facts->subject);
	c->issuer_key = eku_name_key(c->facts->issuer);
}

uint64_t eku_cert_subject_key(const eku_cert *c) { return c->subject_key; }
uint64_t eku_cert_issuer_key(const eku_cert *c) { return c->issuer_key; }

eku_cert *eku_cert_new_x509(X509 *x, const char *source, int index, int line, eku_error *err)
{
	eku_cert *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		return NULL;
	}
	atomic_init(&c->refs, 1);
	atomic_init(&c->sig_memo, 0);
	c->index = index;
	c->line = line;
	c->container = "PEM";
	c->facts = eku_facts_from_x509(x, err);
	c->source = strdup(source != NULL ? source : "");
	if (c->facts == NULL || c->source == NULL ||
	    aux_names(X509_get0_trust_objects(x), &c->aux_trusted) != 0 ||
	    aux_names(X509_get0_reject_objects(x), &c->aux_rejected) != 0 || X509_up_ref(x) != 1) {
		eku_error_setx(err, EKU_E_NOMEM, "out of memory");
		eku_facts_free(c->facts);
		eku_strv_clear(&c->aux_trusted);
		eku_strv_clear(&c->aux_rejected);
		free(c->source);
		free(c);
		return NULL;
	}
	atomic_init(&c->x509, x);
	name_keys(c);
	return c;
}

eku_cert *eku_cert_new_der_fast(const uint8_t *der, size_t len, const uint8_t *sha256, const char *source,
	int index, int line, const char *container)
{
	struct eku_facts *f = eku_der_facts_hashed(der, len, sha256);
	eku_cert *c = NULL;
	uint8_t *copy;

	if (f == NULL)
		return NULL;
	if (len > SIZE_MAX - sizeof(*c) || (c = calloc(1, sizeof(*c) + len)) == NULL ||
	    (c->source = strdup(source != NULL ? source : "")) == NULL) {
		free(c);
		eku_facts_free(f);
		return NULL;
	}
	copy = (uint8_t *)(c + 1);
	memcpy(copy, der, len);
	atomic_init(&c->refs, 1);
	atomic_init(&c->x509, NULL);
	atomic_init(&c->sig_memo, 0);
	c->der = copy;
	c->der_len = len;
	c->facts = f;
	name_keys(c);
	c->index = index;
	c->line = line;
	c->container = container;
	return c;
}

eku_cert *eku_cert_new_der(const uint8_t *der, size_t len, const char *source, int index,
	eku_error *err)
{
	const unsigned char *p = der;
	X509 *x = NULL;
	eku_cert *c = eku_cert_new_der_fast(der, len, NULL, source, index, 0, "DER");

	if (c != NULL)
		return c;
	/* The walker was not sure (or memory ran out): OpenSSL decides, with
	 * today's messages. */
	x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL || p != der + len) {
		eku_error_set_openssl(err, EKU_E_BAD_DER,
			x == NULL ? "not a DER certificate" : "trailing bytes after the DER certificate");
		goto out;
	}
	c = eku_cert_new_x509(x, source, index, 0, err);
	if (c != NULL)
		c->container = "DER";
out:
	X509_free(x);
	return c;
}

eku_cert *eku_cert_new_alias(eku_cert *base, const char *source, int index, int line, const char *container)
{
	eku_cert *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->source = strdup(source != NULL ? source : "")) == NULL) {
		free(c);
		return NULL;
	}
	atomic_init(&c->refs, 1);
	atomic_init(&c->x509, NULL);
	atomic_init(&c->sig_memo, 0);
	c->same = eku_cert_up_ref(holder(base));
	c->facts = c->same->facts;
	c->subject_key = c->same->subject_key;
	c->issuer_key = c->same->issuer_key;
	c->index = index;
	c->line = line;
	c->container = container;
	return c;
}

eku_cert *eku_cert_up_ref(eku_cert *c)
{
	/* Relaxed: a new reference is taken from an existing one, which already
	 * orders it after the object's construction. */
	if (c != NULL)
		atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}

void eku_cert_free(eku_cert *c)
{
	/* acq_rel: the last owner must see every other owner's writes before
	 * freeing (the Boost/libstdc++ shared_ptr pattern). */
	if (c == NULL || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (c->same != NULL) {
		eku_cert_free(c->same);
		free(c->source);
		free(c);
		return;
	}
	X509_free(atomic_load_explicit(&c->x509, memory_order_acquire));
	eku_facts_free(c->facts);
	eku_strv_clear(&c->aux_trusted);
	eku_strv_clear(&c->aux_rejected);
	free(c->source);
	free(c);
}

static uint64_t memo_key(const uint8_t issuer_sha256[32])
{
	uint64_t k;

	memcpy(&k, issuer_sha256, sizeof(k));
	return (k & ~(uint64_t)1) | 2; /* never 0, the empty memo */
}

int eku_cert_sig_memo_get(const eku_cert *c, const uint8_t issuer_sha256[32])
{
	uint64_t m = atomic_load_explicit(&holder(c)->sig_memo, memory_order_relaxed);

	if (m == 0 || (m & ~(uint64_t)1) != (memo_key(issuer_sha256) & ~(uint64_t)1))
		return -1;
	return (int)(m & 1);
}

void eku_cert_sig_memo_set(const eku_cert *c, const uint8_t issuer_sha256[32], bool ok)
{
	atomic_store_explicit(&holder(c)->sig_memo,
		(memo_key(issuer_sha256) & ~(uint64_t)1) | (ok ? 1 : 0), memory_order_relaxed);
}

const struct eku_facts *eku_cert_facts(const eku_cert *c) { return c->facts; }
const uint8_t *eku_cert_der(const eku_cert *c, size_t *len)
{
	*len = holder(c)->der_len;
	return holder(c)->der;
}
X509 *eku_cert_get0_x509(const eku_cert *c)
{
	eku_cert *m = holder(c); /* the lazily built X509 is a cache */
	X509 *x = atomic_load_explicit(&m->x509, memory_order_acquire), *expected = NULL;
	const unsigned char *p;

	if (x != NULL || m->der == NULL)
		return x;
	p = m->der;
	/* The walker accepted these bytes, and it only accepts what d2i_X509
	 * accepts (tests/unit/test_der_facts.c, fuzz/der_facts.c). */
	if ((x = d2i_X509(NULL, &p, (long)m->der_len)) == NULL)
		return NULL;
	/* Fill OpenSSL's extension cache before publishing, as the oracle did
	 * at load: readers of a shared X509 (X509_check_issued...) read the
	 * cached akid/skid without its lock (TSan, tests/unit/test_threads.c). */
	X509_check_purpose(x, -1, 0);
	ERR_clear_error();
	if (!atomic_compare_exchange_strong_explicit(&m->x509, &expected, x, memory_order_acq_rel,
		    memory_order_acquire)) {
		X509_free(x);
		return expected;
	}
	return x;
}

X509 *eku_cert_get0_x509_err(const eku_cert *c, eku_error *err)
{
	X509 *x = eku_cert_get0_x509(c);
	char line[24] = "";

	if (x != NULL)
		return x;
	if (c->line > 0)
		snprintf(line, sizeof(line), ":%d", c->line);
	/* d2i_X509's reason is still queued: eku_error_set_openssl appends it. */
	eku_error_set_openssl(err, ERR_GET_REASON(ERR_peek_error()) == ERR_R_MALLOC_FAILURE ?
		EKU_E_NOMEM : EKU_E_BAD_DER, "%s%s: certificate %d: OpenSSL cannot build it from its DER",
		c->source != NULL ? c->source : "(unnamed input)", line, c->index);
	return NULL;
}

void eku_cert_drop_x509(eku_cert *c)
{
	X509 *x;

	/* Only the sole owner may drop it (a reader on another thread could
	 * hold the pointer), and only when the DER is there to rebuild it. */
	if (c->same != NULL || c->der == NULL || atomic_load_explicit(&c->refs, memory_order_acquire) != 1)
		return; /* an alias never drops what it borrows */
	x = atomic_exchange_explicit(&c->x509, NULL, memory_order_acq_rel);
	X509_free(x);
}

const char *eku_cert_source(const eku_cert *c) { return c->source; }
int eku_cert_index(const eku_cert *c) { return c->index; }
int eku_cert_line(const eku_cert *c) { return c->line; }
const char *eku_cert_container(const eku_cert *c) { return c->container; }
void eku_cert_set_container(eku_cert *c, const char *container) { c->container = container; }
const eku_strv *eku_cert_aux_trusted(const eku_cert *c) { return &holder(c)->aux_trusted; }
const eku_strv *eku_cert_aux_rejected(const eku_cert *c) { return &holder(c)->aux_rejected; }

/* Besides the array, a list keeps an index for chain building: certificates
 * by subject name (eku_name_key) so an issuer lookup is not a scan of the whole
 * run, which made `eku inspect` of 20,000 certificates quadratic. Exact
 * copies (same SHA-256) are indexed once: a copy is rejected or accepted as
 * issuer exactly when the first one is. The index is built as certificates
 * are pushed, never on lookup, so a list is read-only after loading. When
 * it cannot be built (memory) lookups fall back to every
 * position in order: slower, same answers. */
#define NO_POS SIZE_MAX

struct eku_certlist {
	size_t n, cap;
	eku_cert **v;
	eku_hmap *by_subject; /* eku_name_key(subject) -> first position */
	eku_hmap *by_sha256;  /* certificate hash -> first position */
	size_t *next;         /* next position with the same subject name hash */
	size_t *last;         /* for a first position: the last one of its name */
	bool unindexed;       /* the index could not be built: lookups scan */
};

eku_certlist *eku_certlist_new(void)
{
	return calloc(1, sizeof(eku_certlist));
}

static void index_clear(eku_certlist *l)
{
	eku_hmap_free(l->by_subject);
	eku_hmap_free(l->by_sha256);
	l->by_subject = l->by_sha256 = NULL;
}

void eku_certlist_free(eku_certlist *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		eku_cert_free(l->v[i]);
	index_clear(l);
	free(l->next);
	free(l->last);
	free(l->v);
	free(l);
}

size_t eku_certlist_count(const eku_certlist *l) { return l == NULL ? 0 : l->n; }

eku_cert *eku_certlist_get0(const eku_certlist *l, size_t i)
{
	return i < l->n ? l->v[i] : NULL;
}

/* Index key of an RFC 4514 name as eku prints it (eku_facts subject and
 * issuer): a hash of its attribute values, case-folded (ASCII, as OpenSSL's
 * canonical form), blanks and escapes dropped, combined by addition so the
 * order of attributes does not matter. Names OpenSSL's X509_NAME_cmp calls
 * equal get equal keys (its canonical form only folds ASCII case and
 * collapses blanks, and values print the same from any string type); the
 * reverse is not promised: a key finds candidates, X509_check_issued (or
 * eku_issued_by_facts) decides. Works from facts alone, so indexing never
 * needs the certificate parsed by OpenSSL. */
uint64_t eku_name_key(const char *name)
{
	uint64_t sum = 0, h = 1469598103934665603ull;
	bool esc = false;

	for (const unsigned char *p = (const unsigned char *)name;; p++) {
		unsigned char ch = *p;
		if (ch == '\\' && !esc) {
			esc = true;
			continue;
		}
		if (ch == '\0' || (!esc && (ch == ',' || ch == '+'))) {
			sum += h * 0x9e3779b97f4a7c15ull;
			h = 1469598103934665603ull;
			if (ch == '\0')
				return sum;
		} else if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') {
			if (ch >= 'A' && ch <= 'Z')
				ch = (unsigned char)(ch - 'A' + 'a');
			h = (h ^ ch) * 1099511628211ull;
		}
		esc = false;
	}
}

/* Indexes position i (l->next and l->last have room for it). */
static int index_add(eku_certlist *l, size_t i)
{
	const eku_cert *c = l->v[i];
	size_t first;
	uint64_t key = c->subject_key;
	int added;

	l->next[i] = l->last[i] = NO_POS;
	if ((added = eku_hmap_add(l->by_sha256, c->facts->sha256, 32, i)) != 1)
		return added; /* 0: a copy, found through the first one */
	if ((added = eku_hmap_add(l->by_subject, &key, sizeof(key), i)) < 0)
		return -1;
	if (added == 1) {
		l->last[i] = i;
		return 0;
	}
	if (!eku_hmap_get(l->by_subject, &key, sizeof(key), &first))
		return -1;
	l->next[l->last[first]] = i;
	l->last[first] = i;
	return 0;
}

static void index_give_up(eku_certlist *l)
{
	index_clear(l);
	l->unindexed = true;
}

static void index_rebuild(eku_certlist *l)
{
	index_clear(l);
	l->unindexed = false;
	if ((l->by_subject = eku_hmap_new()) == NULL || (l->by_sha256 = eku_hmap_new()) == NULL) {
		index_give_up(l);
		return;
	}
	for (size_t i = 0; i < l->n; i++)
		if (index_add(l, i) != 0) {
			index_give_up(l);
			return;
		}
}

size_t eku_certlist_issuer_first(const eku_certlist *l, const char *issuer)
{
	return eku_certlist_issuer_first_key(l, eku_name_key(issuer));
}

size_t eku_certlist_issuer_first_key(const eku_certlist *l, uint64_t key)
{
	size_t pos;

	if (l == NULL || l->n == 0)
		return NO_POS;
	if (l->unindexed)
		return 0;
	if (!eku_hmap_get(l->by_subject, &key, sizeof(key), &pos))
		return NO_POS;
	return pos;
}

size_t eku_certlist_issuer_next(const eku_certlist *l, size_t pos)
{
	if (pos >= l->n)
		return NO_POS;
	if (l->unindexed)
		return pos + 1 < l->n ? pos + 1 : NO_POS;
	return l->next[pos];
}

eku_cert *eku_certlist_find_sha256(const eku_certlist *l, const uint8_t sha256[32])
{
	size_t pos;

	if (l == NULL || l->n == 0)
		return NULL;
	if (l->unindexed) {
		for (size_t i = 0; i < l->n; i++)
			if (memcmp(l->v[i]->facts->sha256, sha256, 32) == 0)
				return l->v[i];
		return NULL;
	}
	if (!eku_hmap_get(l->by_sha256, sha256, 32, &pos))
		return NULL;
	return l->v[pos];
}

static int grow(eku_certlist *l)
{
	size_t cap = l->cap ? 2 * l->cap : 16;
	eku_cert **nv;
	size_t *nn, *nl;

	if ((nv = realloc(l->v, cap * sizeof(*nv))) == NULL)
		return -1;
	l->v = nv;
	if ((nn = realloc(l->next, cap * sizeof(*nn))) == NULL)
		return -1;
	l->next = nn;
	if ((nl = realloc(l->last, cap * sizeof(*nl))) == NULL)
		return -1;
	l->last = nl;
	l->cap = cap;
	return 0;
}

int eku_certlist_push0(eku_certlist *l, eku_cert *c)
{
	if (l->n == l->cap && grow(l) != 0) {
		eku_cert_free(c);
		return -1;
	}
	l->v[l->n++] = c;
	if (l->unindexed)
		return 0;
	if ((l->by_subject == NULL && (l->by_subject = eku_hmap_new()) == NULL) ||
	    (l->by_sha256 == NULL && (l->by_sha256 = eku_hmap_new()) == NULL) ||
	    index_add(l, l->n - 1) != 0)
		index_give_up(l);
	return 0;
}

static int by_expiry(const void *a, const void *b)
{
	const eku_cert *x = *(eku_cert *const *)a, *y = *(eku_cert *const *)b;
	int s;

	if (x->facts->not_after != y->facts->not_after)
		return x->facts->not_after < y->facts->not_after ? -1 : 1;
	s = strcmp(x->source, y->source);
	if (s != 0)
		return s;
	return (x->index > y->index) - (x->index < y->index);
}

void eku_certlist_sort_by_expiry(eku_certlist *l)
{
	if (l->n < 2)
		return;
	qsort(l->v, l->n, sizeof(*l->v), by_expiry);
	/* Issuer lookups follow list order, so positions are indexed anew. */
	if (!l->unindexed)
		index_rebuild(l);
}
