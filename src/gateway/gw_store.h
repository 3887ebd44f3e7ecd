/* gw_store.h - loading store entries and deriving SSL_CTXs (store.c), and
 * the one place that opens private keys (keyfile.c). */
#ifndef EKU_GW_STORE_H
#define EKU_GW_STORE_H

#include <sys/stat.h>

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

/* config_file.c: files named by a config are regular files, read without
 * blocking (a FIFO or device would hang --check and freeze a reload).
 * Opens path O_NONBLOCK and checks it is a regular file: returns the
 * descriptor (caller closes) with *st filled, or -1 with why naming the file. */
int gw_file_open_regular(const char *path, struct stat *st, char *why, size_t whylen)
	__attribute__((warn_unused_result));
/* Reads a whole regular file of at most max bytes into a new buffer (caller
 * frees). Returns 0, or -1 with why. */
int gw_file_read(const char *path, size_t max, uint8_t **bufp, size_t *lenp, char *why,
	size_t whylen) __attribute__((warn_unused_result));
/* why from the two readers above without its leading "path: ", for a
 * diagnostic whose source already names the file (else "gw.yaml: gw.yaml:
 * cannot open"). Points into why. */
const char *gw_file_why_unnamed(const char *why, const char *path);
/* Writable by others (a sticky folder such as /tmp is not). */
bool gw_file_world_writable(const struct stat *st);
/* 1 with a message in why when others may change or replace the file at
 * path (world-writable, or in a world-writable non-sticky folder); else 0.
 * The message starts with what ("config file", "private key"), not path. */
int gw_file_perm_warning(const char *path, const struct stat *st, const char *what, char *why,
	size_t whylen);

/* Reads a PEM private key. Refuses a key file that others may read
 * (world-readable or world-writable); a group-readable one gives a warning
 * (*warn set). Never logs or copies key material. */
EVP_PKEY *gw_key_load(const char *path, char *why, size_t whylen, bool *warn);

#endif
