/* libFuzzer target: the DER facts walker (src/lib/der/) against the OpenSSL
 * oracle on arbitrary bytes. Aborts when the walker accepts what the oracle
 * refuses, or when they disagree on any fact; the public entry must refuse
 * exactly when the oracle does. Also the DER signature path (der/sig.c):
 * an input OpenSSL reads is checked as its own issuer (seeds are roots, so
 * mutants keep self-signatures), and eku_der_issued_by must defer or agree
 * with X509_check_issued + X509_verify. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <eku/cert.h>

#include "cert_int.h"
#include "der/der.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	eku_error e1 = { 0 }, e2 = { 0 };
	struct eku_facts *fast = eku_der_facts(data, size);
	struct eku_facts *slow = eku_facts_from_der_oracle(data, size, &e1);
	struct eku_facts *pub = eku_facts_from_der(data, size, &e2);
	const char *d;

	if (fast != NULL && slow == NULL) {
		fprintf(stderr, "walker accepts, oracle refuses: %s\n", e1.message);
		abort();
	}
	if (fast != NULL && (d = eku_facts_diff(fast, slow)) != NULL) {
		fprintf(stderr, "field %s differs\n", d);
		abort();
	}
	if ((pub == NULL) != (slow == NULL) || (pub == NULL && e1.code != e2.code))
		abort();
	{
		const unsigned char *p = data;
		X509 *x = d2i_X509(NULL, &p, (long)size);
		if (x != NULL) {
			EVP_PKEY *pk;
			int got;
			bool want;
			X509_check_purpose(x, -1, 0);
			pk = X509_get0_pubkey(x);
			want = pk != NULL && X509_check_issued(x, x) == X509_V_OK && X509_verify(x, pk) == 1;
			got = eku_der_issued_by(data, size, x);
			if (got >= 0 && (got == 1) != want) {
				fprintf(stderr, "der signature path says %d, OpenSSL %d\n", got, want);
				abort();
			}
			X509_free(x);
		}
		ERR_clear_error();
	}
	eku_facts_free(fast);
	eku_facts_free(slow);
	eku_facts_free(pub);
	return 0;
}
