/* Bounded LRU of inbound peer verdicts (gw_vcache.h says what the key
 * covers and why a hit never relaxes the policy). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "gw_vcache.h"

struct entry {
	uint8_t key[32];
	int64_t expires;
	struct gw_verdict v;
	struct entry *hnext;          /* hash chain */
	struct entry *prev, *next;    /* LRU list, most recent first */
};

struct gw_vcache {
	size_t max, n, nbuckets;
	struct entry **buckets;
	struct entry *head, *tail;
	pthread_mutex_t lock;         /* gw_vcache_get_copy and gw_vcache_put */
};

struct gw_vcache *gw_vcache_new(size_t max)
{
	struct gw_vcache *vc = calloc(1, sizeof(*vc));

	if (vc == NULL)
		return NULL;
	vc->max = max > 0 ? max : 1;
	vc->nbuckets = 64;
	while (vc->nbuckets < vc->max)
		vc->nbuckets *= 2;
	if ((vc->buckets = calloc(vc->nbuckets, sizeof(*vc->buckets))) == NULL) {
		free(vc);
		return NULL;
	}
	pthread_mutex_init(&vc->lock, NULL);
	return vc;
}

void gw_vcache_free(struct gw_vcache *vc)
{
	struct entry *e, *next;

	if (vc == NULL)
		return;
	for (e = vc->head; e != NULL; e = next) {
		next = e->next;
		free(e);
	}
	free(vc->buckets);
	pthread_mutex_destroy(&vc->lock);
	free(vc);
}

size_t gw_vcache_count(const struct gw_vcache *vc)
{
	return vc != NULL ? vc->n : 0;
}

static int hash_cert(EVP_MD_CTX *md, X509 *x)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);
	uint8_t lenbuf[4];
	int rc = -1;

	if (len <= 0)
		goto out;
	/* Length-prefixed so that concatenations cannot collide. */
	lenbuf[0] = (uint8_t)(len >> 24), lenbuf[1] = (uint8_t)(len >> 16);
	lenbuf[2] = (uint8_t)(len >> 8), lenbuf[3] = (uint8_t)len;
	if (EVP_DigestUpdate(md, lenbuf, 4) != 1 || EVP_DigestUpdate(md, der, (size_t)len) != 1)
		goto out;
	rc = 0;
out:
	OPENSSL_free(der);
	return rc;
}

int gw_vcache_key(X509 *leaf, STACK_OF(X509) *sent, uint8_t key[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len = 0;
	int rc = -1;

	if (md == NULL || leaf == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    hash_cert(md, leaf) != 0)
		goto out;
	for (int i = 0; sent != NULL && i < sk_X509_num(sent); i++)
		if (hash_cert(md, sk_X509_value(sent, i)) != 0)
			goto out;
	if (EVP_DigestFinal_ex(md, key, &len) != 1 || len != 32)
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	return rc;
}

static size_t bucket_of(const struct gw_vcache *vc, const uint8_t key[32])
{
	size_t h;

	memcpy(&h, key, sizeof(h));
	return h & (vc->nbuckets - 1);
}

static void lru_unlink(struct gw_vcache *vc, struct entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		vc->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		vc->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_push_front(struct gw_vcache *vc, struct entry *e)
{
	e->prev = NULL;
	e->next = vc->head;
	if (vc->head != NULL)
		vc->head->prev = e;
	vc->head = e;
	if (vc->tail == NULL)
		vc->tail = e;
}

static void remove_entry(struct gw_vcache *vc, struct entry *e)
{
	struct entry **pp = &vc->buckets[bucket_of(vc, e->key)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	lru_unlink(vc, e);
	vc->n--;
	free(e);
}

static struct entry *find(struct gw_vcache *vc, const uint8_t key[32])
{
	for (struct entry *e = vc->buckets[bucket_of(vc, key)]; e != NULL; e = e->hnext)
		if (memcmp(e->key, key, 32) == 0)
			return e;
	return NULL;
}

const struct gw_verdict *gw_vcache_get(struct gw_vcache *vc, const uint8_t key[32], int64_t now)
{
	struct entry *e = vc != NULL ? find(vc, key) : NULL;

	if (e == NULL)
		return NULL;
	if (now >= e->expires) {
		remove_entry(vc, e);
		return NULL;
	}
	lru_unlink(vc, e);
	lru_push_front(vc, e);
	return &e->v;
}

bool gw_vcache_get_copy(struct gw_vcache *vc, const uint8_t key[32], int64_t now,
	struct gw_verdict *out)
{
	const struct gw_verdict *hit;

	if (vc == NULL)
		return false;
	pthread_mutex_lock(&vc->lock);
	if ((hit = gw_vcache_get(vc, key, now)) != NULL)
		*out = *hit;
	pthread_mutex_unlock(&vc->lock);
	return hit != NULL;
}

static void put_locked(struct gw_vcache *vc, const uint8_t key[32], int64_t expires,
	const struct gw_verdict *v)
{
	struct entry *e;
	size_t b;

	if ((e = find(vc, key)) != NULL)
		remove_entry(vc, e);
	if (vc->n >= vc->max && vc->tail != NULL)
		remove_entry(vc, vc->tail);
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return;
	memcpy(e->key, key, 32);
	e->expires = expires;
	e->v = *v;
	e->v.cached = false;
	b = bucket_of(vc, key);
	e->hnext = vc->buckets[b];
	vc->buckets[b] = e;
	lru_push_front(vc, e);
	vc->n++;
}

void gw_vcache_put(struct gw_vcache *vc, const uint8_t key[32], int64_t expires,
	const struct gw_verdict *v)
{
	if (vc == NULL)
		return;
	pthread_mutex_lock(&vc->lock);
	put_locked(vc, key, expires, v);
	pthread_mutex_unlock(&vc->lock);
}

int64_t gw_vcache_expiry(const eku_verify_result *r, int64_t now)
{
	int64_t exp = now + GW_VCACHE_TTL;

	for (size_t i = 0; r != NULL && i < eku_verify_result_chain_len(r); i++) {
		const struct eku_facts *f = eku_cert_facts(eku_verify_result_chain_get0(r, i));
		if (f->not_after < exp)
			exp = f->not_after;      /* valid through not_after: recheck after */
		if (f->not_before > now && f->not_before < exp)
			exp = f->not_before;     /* becomes valid then: recheck */
	}
	return exp;
}
