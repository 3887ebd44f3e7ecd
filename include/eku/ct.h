/* eku/ct.h - Certificate Transparency get-entries pages (RFC 6962 4.6).
 *
 * A page is the JSON a log returns for /ct/v1/get-entries:
 *   {"entries":[{"leaf_input":BASE64,"extra_data":BASE64}, ...]}
 * leaf_input is a MerkleTreeLeaf (RFC 6962 3.4): version v1 (0), leaf_type
 * timestamped_entry (0), then a TimestampedEntry: 64-bit timestamp,
 * entry_type x509_entry (0, ASN.1Cert with a 24-bit length) or precert_entry
 * (1, issuer_key_hash[32] and a TBSCertificate), extensions (16-bit length).
 * extra_data is, for x509_entry, the certificate_chain (24-bit total length
 * of 24-bit-length certificates); for precert_entry a PrecertChainEntry: the
 * pre_certificate (24-bit length) followed by the chain. For a precert entry
 * the certificate given to callers is that pre_certificate (a whole signed
 * certificate carrying the poison extension 1.3.6.1.4.1.11129.2.4.3), since
 * the TBSCertificate alone is not a certificate the loader can read.
 *
 * Every length goes through the bounded cursor. Errors name the source, the
 * 0-based entry index and the field ("log.json: entry 3: extra_data:
 * certificate_chain: length 70000 exceeds the 512 bytes left").
 *
 * The page is scanned in place (no JSON tree): the scanner knows the page's
 * shape, skips members it does not use, and decodes one entry at a time, so
 * beyond the caller's buffer only one entry's decoded bytes are alive at
 * once. Entries before a syntax error have been handed on when it is found.
 */
#ifndef EKU_CT_H
#define EKU_CT_H

#include <eku/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eku/error.h>

#define EKU_CT_MAX_CHAIN 32 /* certificates per entry chain; more is an error */

enum eku_ct_entry_type { EKU_CT_X509_ENTRY = 0, EKU_CT_PRECERT_ENTRY = 1 };

/* One decoded entry. Pointers borrow the decoded bytes and are valid only
 * during the callback. */
struct eku_ct_entry {
	size_t index;                 /* 0-based position in the page */
	uint64_t timestamp;           /* milliseconds since the epoch */
	enum eku_ct_entry_type type;
	const uint8_t *issuer_key_hash; /* precert: 32 bytes; NULL otherwise */
	const uint8_t *cert;          /* x509: the certificate; precert: the pre_certificate */
	size_t cert_len;
	size_t n_chain;               /* issuers, leaf's issuer first */
	const uint8_t *chain[EKU_CT_MAX_CHAIN];
	size_t chain_len[EKU_CT_MAX_CHAIN];
};

/* Called once per entry in page order; return 0 to go on, -1 to stop (the
 * parse then fails with the callback's error, which it sets in err). */
typedef int (*eku_ct_entry_fn)(void *arg, const struct eku_ct_entry *e, eku_error *err);

/* Is buf a CT page? The first non-blank byte is '{' and "\"entries\"" occurs
 * in the first 64 KiB. Certificates in PEM, DER, PKCS#7 and PKCS#12 never
 * start with '{'. */
EKU_API bool eku_ct_page_detect(const uint8_t *buf, size_t len);

/* Parses a page named source (for messages) and calls fn per entry. Returns
 * the number of entries, or -1 with err set (EKU_E_BAD_DATA for a malformed
 * page or entry, or the callback's error). */
EKU_API long eku_ct_page_parse(const char *source, const uint8_t *buf, size_t len, eku_ct_entry_fn fn,
	void *arg, eku_error *err);

/* Decodes one entry's binary fields (already base64-decoded). Fills *e with
 * pointers into leaf and extra. 0, or -1 with err naming source, index and
 * field. */
EKU_API int eku_ct_entry_decode(const char *source, size_t index, const uint8_t *leaf, size_t leaf_len,
	const uint8_t *extra, size_t extra_len, struct eku_ct_entry *e, eku_error *err)
	__attribute__((warn_unused_result));

/* Strict RFC 4648 base64 (padding required, no whitespace) into a new
 * buffer. 0, or -1 with *bad the offset of the first bad character. */
EKU_API int eku_base64_decode(const char *s, size_t len, uint8_t **out, size_t *out_len, size_t *bad)
	__attribute__((warn_unused_result));

#endif
