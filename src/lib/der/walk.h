/* Internal: state shared by the certificate walker (cert_walk.c) and the
 * extension readers (ext.c). */
#ifndef EKU_DER_WALK_H
#define EKU_DER_WALK_H
#include "der.h"
#include "facts_build.h"

struct eku_walk {
	struct eku_fb b;
	int version;                 /* 0 v1, 1 v2, 2 v3 */
	eku_cursor subject, issuer;
	eku_cursor tbs_sig_oid;
	int key_nid;
	/* What ossl_x509v3_cache_extensions() would cache. */
	uint32_t xku;                /* XKU_* bits */
	uint32_t kusage;             /* ex_kusage (KU_* bits) */
	bool has_ns;
	uint8_t ns;                  /* ex_nscert */
	bool has_ski, has_akid_keyid, has_akid_serial, has_akid_dirname;
	eku_cursor ski, akid_keyid;
	eku_cursor serial;           /* the certificate's, contents */
	eku_cursor akid_serial;      /* contents */
	eku_cursor akid_dirname;     /* the first directoryName's Name contents */
};

/* Reads the [3] Extensions contents; -1 when not sure. */
int eku_der_extensions(struct eku_walk *w, eku_cursor exts) __attribute__((warn_unused_result));
#endif
