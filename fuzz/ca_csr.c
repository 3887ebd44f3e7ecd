/* libFuzzer target: what `eku ca issue` takes from outside: a CSR's subject
 * alternative names (PEM or DER request; the names are copied, printed and
 * checked against the CA's name constraints) and a --san specification
 * string. Signatures are not the point here: OpenSSL checks those. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "../src/lib/ca/ca_int.h"

static void names(X509_REQ *req)
{
	static char *permit_v[] = { "example.com", "10.0.0.0/8" };
	eku_strv permit = { .v = permit_v, .n = 2 };
	GENERAL_NAMES *g = ca_csr_sans(req);
	eku_error err = { 0 };
	char *text;

	if (g == NULL)
		return;
	text = ca_san_text(g);
	free(text);
	if (ca_san_check_constraints(g, &permit, &err) != 0 && err.message[0] == '\0')
		abort();
	GENERAL_NAMES_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)size);
	BIO *b;
	GENERAL_NAMES *gens;
	eku_error err = { 0 };
	char *spec;

	if (req != NULL) {
		names(req);
		X509_REQ_free(req);
	}
	if ((b = BIO_new_mem_buf(data, (int)size)) != NULL) {
		if ((req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL)) != NULL) {
			names(req);
			X509_REQ_free(req);
		}
		BIO_free(b);
	}
	/* The bytes as a --san value. */
	if (size < 4096 && (spec = malloc(size + 1)) != NULL) {
		memcpy(spec, data, size);
		spec[size] = '\0';
		if ((gens = GENERAL_NAMES_new()) != NULL) {
			if (ca_san_add(gens, spec, &err) != 0 && err.message[0] == '\0')
				abort();
			GENERAL_NAMES_free(gens);
		}
		free(spec);
	}
	ERR_clear_error();
	return 0;
}
