/* Internal: public keys from SubjectPublicKeyInfo (key.c). */
#ifndef EKU_DER_KEY_H
#define EKU_DER_KEY_H
#include "der.h"

struct eku_key {
	int nid;           /* algorithm OID's nid */
	const char *type;  /* "RSA", "EC", "ED25519", "ED448" (static) */
	int bits;          /* EVP_PKEY_get_bits() */
	const char *curve; /* OpenSSL's group name or NULL (static) */
};
/* params is the algorithm's parameters TLV (whole) when has_params; bits is
 * the BIT STRING's key octets (no unused-bits octet). -1: not sure. */
int eku_der_key(int alg_nid, bool has_params, eku_cursor params, eku_cursor bits,
	struct eku_key *k) __attribute__((warn_unused_result));
#endif
