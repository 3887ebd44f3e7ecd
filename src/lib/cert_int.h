/* Internal to the cert module. */
#ifndef EKU_CERT_INT_H
#define EKU_CERT_INT_H
#include <openssl/x509.h>
#include <eku/cert.h>
/* The oracle: facts through OpenSSL's parse (X509 object). Same layout as
 * the fast path (one block, freed by eku_facts_free). */
struct eku_facts *eku_facts_from_x509(X509 *x, eku_error *err);
/* d2i_X509, then the oracle: what eku_facts_from_der did before the DER
 * walker; the differential tests and the fuzzer compare the two. */
struct eku_facts *eku_facts_from_der_oracle(const uint8_t *der, size_t len, eku_error *err);
/* A certificate from DER through the walker only (sha256: the DER's hash
 * when the caller has it, else NULL) (no X509 until
 * eku_cert_get0_x509 asks): NULL when the walker is not sure or memory ran
 * out, and the caller takes its OpenSSL path. container is static. */
eku_cert *eku_cert_new_der_fast(const uint8_t *der, size_t len, const uint8_t *sha256, const char *source,
	int index, int line, const char *container);

/* Another place where base's bytes were read: its own source, position and
 * container, everything else (facts, DER, X509, signature memo) shared
 * with base, which it keeps a reference to. NULL when memory ran out. */
eku_cert *eku_cert_new_alias(eku_cert *base, const char *source, int index, int line, const char *container);

/* The DER a certificate was made from by the walker, or NULL (certificates
 * made from an X509 keep no copy). */
const uint8_t *eku_cert_der(const eku_cert *c, size_t *len);

/* Issuer candidates for chain building, in list order: the positions of l
 * whose subject name may equal issuer (an RFC 4514 name as in eku_facts; a
 * superset: callers still check with X509_check_issued or eku_issued_by_facts), one per distinct certificate. SIZE_MAX ends the walk:
 *   for (size_t i = eku_certlist_issuer_first(l, n); i != SIZE_MAX;
 *        i = eku_certlist_issuer_next(l, i)) ... eku_certlist_get0(l, i) ...
 * Read-only: safe from several threads on a list nobody modifies. */
size_t eku_certlist_issuer_first(const eku_certlist *l, const char *issuer);
size_t eku_certlist_issuer_next(const eku_certlist *l, size_t pos);
/* The same from an eku_name_key (eku_cert_issuer_key of the subject). */
size_t eku_certlist_issuer_first_key(const eku_certlist *l, uint64_t key);
/* The first certificate of l with this SHA-256, or NULL. Read-only. */
eku_cert *eku_certlist_find_sha256(const eku_certlist *l, const uint8_t sha256[32]);
/* Index key of an RFC 4514 name (see cert.c). */
uint64_t eku_name_key(const char *name);
/* eku_name_key of c's subject and issuer names, computed when c was made. */
uint64_t eku_cert_subject_key(const eku_cert *c);
uint64_t eku_cert_issuer_key(const eku_cert *c);
/* Memo of the last signature check on c: 1 when the certificate with this
 * SHA-256 verified c's signature, 0 when it did not, -1 when unknown. Safe
 * on shared certificates (relaxed atomics: a lost update only costs a
 * second check). */
int eku_cert_sig_memo_get(const eku_cert *c, const uint8_t issuer_sha256[32]);
void eku_cert_sig_memo_set(const eku_cert *c, const uint8_t issuer_sha256[32], bool ok);
#endif
