/* Internal: SHA-256 of a byte string with a digest fetched once per
 * process. EVP_sha256() in EVP_Digest makes OpenSSL 3 fetch the
 * implementation from the provider on every call (a locked lookup by name),
 * which cost as much as the hashing of a certificate itself. Thread-safe. */
#ifndef EKU_DIGEST_H
#define EKU_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -1 when OpenSSL fails (out is then undefined). */
int eku_sha256(const void *data, size_t len, uint8_t out[32]) __attribute__((warn_unused_result));

#endif
