/* gw_store.h - loading store entries and deriving SSL_CTXs (store.c), and
 * the one place that opens private keys (keyfile.c). */
#ifndef EKU_GW_STORE_H
#define EKU_GW_STORE_H

#include <openssl/evp.h>

#include "gw_config.h"

/* Loads every store entry, trust list and allow-list of c and derives the
 * per-route SSL_CTXs and verify configs. Problems go to diags. */
void gw_config_load_files(struct gw_config *c, eku_diaglist *diags);
void gw_store_clear(struct gw_store *s);
void gw_route_derived_free(struct gw_route *r);

/* SSL ex_data slot holding the struct gw_verdict (gw_vcache.h) of the
 * inbound handshake (owned by the SSL; freed with it). NULL when no
 * certificate was verified (none sent, or a resumed session). */
int gw_ssl_verdict_index(void);

/* Reads a PEM private key. Refuses a key file that others may read
 * (world-readable or world-writable); a group-readable one gives a warning
 * (*warn set). Never logs or copies key material. */
EVP_PKEY *gw_key_load(const char *path, char *why, size_t whylen, bool *warn);

#endif
