/* Internal to the certificate loader (cert_load.c, cert_load_p12.c,
 * cert_load_dir.c). */
#ifndef EKU_CERT_LOAD_INT_H
#define EKU_CERT_LOAD_INT_H

#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <eku/cert.h>

struct eku_loader {
	size_t max_bytes;
	char *password;  /* NULL: try the empty password */
	eku_strv extensions;
	bool issuers_only; /* eku_loader_set_issuers_only */
	const eku_certlist *known; /* eku_loader_set_known */
};

/* Adds one X509 (or each of a stack) to out, labelled with container.
 * add_x509 returns 1 when added, -1 with a diag; add_stack the count added. */
int eku_load_add_x509(X509 *x, const char *source, int index, int line, const char *container,
	eku_certlist *out, eku_diaglist *diags);
int eku_load_add_stack(STACK_OF(X509) *sk, const char *source, int line, int first_index,
	const char *container, eku_certlist *out, eku_diaglist *diags);

/* The certificates of a PKCS#12 (cert_load_p12.c): count added, or -1 with
 * exactly one diag. */
int eku_load_pkcs12(eku_loader *ld, const char *source, PKCS12 *p12, eku_certlist *out,
	eku_diaglist *diags);

/* One step of the PEM block walk (pem_walk.c), shared by the loader and
 * the parts reader so both cut a file at the same places. */
enum eku_pem_step {
	EKU_PEM_NONE,      /* no "-----BEGIN " in [p, end) */
	EKU_PEM_BAD_BEGIN, /* a BEGIN line without a usable label: go on at next */
	EKU_PEM_NO_END,    /* a BEGIN without its END line in [p, end) */
	EKU_PEM_BLOCK,     /* [begin, next) is a whole block */
};
struct eku_pem_block {
	const uint8_t *begin; /* the "-----BEGIN " */
	const uint8_t *next;  /* where the walk goes on */
	bool no_dash;         /* BAD_BEGIN because no "-----" follows (yet) */
	char label[64];
};
enum eku_pem_step eku_pem_next(const uint8_t *p, const uint8_t *end, struct eku_pem_block *blk);
const uint8_t *eku_pem_find(const uint8_t *p, const uint8_t *end, const char *needle);
/* How many '\n' bytes [p, p + n) holds: the walk's line numbers. The
 * portable word-at-a-time count is eku_pem_lines_words, which eku_pem_lines
 * uses for what its vector loop leaves (all of it without SSE2). */
size_t eku_pem_lines(const uint8_t *p, size_t n);
size_t eku_pem_lines_words(const uint8_t *p, size_t n);

/* One file (or "-"): count added, or -1 with a diag. */
int eku_load_file(eku_loader *ld, const char *path, eku_certlist *out, eku_diaglist *diags);

#endif
