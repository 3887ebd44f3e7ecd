/* gw_vcache.h - per-route cache of inbound peer verdicts.
 *
 * A full verification (two X509_verify_cert runs, certificate facts, issuer
 * classification) costs several signature checks; a gateway sees the same
 * few peer certificates again and again. The cache keeps, per route, the
 * verdict and the flat peer record for a (leaf, certificates sent) pair.
 *
 * What the verdict depends on, and how the cache covers it:
 *   - the route's verify config, trust store and classifier: the cache lives
 *     in the route, which lives in one config version; a reload builds new
 *     routes with empty caches (live connections keep the old one);
 *   - the certificates the peer sent: the key is SHA-256 over the DER of the
 *     leaf and of every certificate sent, in order;
 *   - the time: an entry expires at the earliest notAfter or future
 *     notBefore of the chain as built, and at most GW_VCACHE_TTL seconds
 *     after it was computed (bounds changes the chain cannot show, e.g. a
 *     different candidate issuer becoming valid). The gateway loads no CRLs.
 * So a hit gives the verdict the current policy would give, never a more
 * permissive one. Shared by the workers of a config: gw_vcache_get_copy and
 * gw_vcache_put lock; gw_vcache_get does not (single-threaded callers only).
 */
#ifndef EKU_GW_VCACHE_H
#define EKU_GW_VCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "gw_peer.h"

#define GW_VCACHE_TTL 60          /* seconds */
#define GW_VCACHE_MAX 1024        /* entries per route (LRU beyond) */

/* The outcome of verify_cb for one handshake. */
struct gw_verdict {
	int ok;                       /* 1: the handshake may proceed */
	int x509_error, depth;        /* what the X509_STORE_CTX reported */
	bool cached;                  /* came from the cache */
	struct gw_peer_result peer;
};

struct gw_vcache;

struct gw_vcache *gw_vcache_new(size_t max);
void gw_vcache_free(struct gw_vcache *vc);
/* SHA-256 over the DER of leaf and of each certificate in sent (may be NULL).
 * Returns 0, or -1 (no caching then). */
int gw_vcache_key(X509 *leaf, STACK_OF(X509) *sent, uint8_t key[32])
	__attribute__((warn_unused_result));
/* Entry for key valid at now (UTC seconds), or NULL. The pointer is valid
 * until the next gw_vcache_put(); copy what you keep. */
const struct gw_verdict *gw_vcache_get(struct gw_vcache *vc, const uint8_t key[32], int64_t now);
/* Copies the entry for key valid at now into out under the cache's lock.
 * Returns true on a hit. Thread-safe. */
bool gw_vcache_get_copy(struct gw_vcache *vc, const uint8_t key[32], int64_t now,
	struct gw_verdict *out);
/* Stores a copy of v valid while now < expires; evicts the least recently
 * used entry when full. Failures to allocate are silent (no caching).
 * Thread-safe. */
void gw_vcache_put(struct gw_vcache *vc, const uint8_t key[32], int64_t expires,
	const struct gw_verdict *v);
/* When a verdict computed at now for this result stops being reusable. */
int64_t gw_vcache_expiry(const eku_verify_result *r, int64_t now);
size_t gw_vcache_count(const struct gw_vcache *vc);

#endif
