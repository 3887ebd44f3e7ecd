/* libFuzzer harness: CertificateRequest bodies (TLS 1.2 and 1.3 layouts) and
 * the CA names inside them, as probe.c turns them into RFC 4514 strings. */
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include <eku/probe.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eku_certreq cr;

	if (size < 1)
		return 0;
	if (eku_certreq_parse(data + 1, size - 1, data[0] & 1, &cr) != 0)
		return 0;
	for (size_t i = 0; i < cr.n_names; i++) {
		const unsigned char *p = cr.name[i];
		X509_NAME *n;

		if (cr.name[i] < data + 1 || cr.name[i] + cr.name_len[i] > data + size)
			__builtin_trap(); /* names must be borrowed from the input */
		n = d2i_X509_NAME(NULL, &p, (long)cr.name_len[i]);
		if (n != NULL) {
			BIO *b = BIO_new(BIO_s_mem());
			X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
			BIO_free(b);
		}
		X509_NAME_free(n);
	}
	return 0;
}
