/* libFuzzer target: the DER facts walker (src/lib/der/) against the OpenSSL
 * oracle on arbitrary bytes. Aborts when the walker accepts what the oracle
 * refuses, or when they disagree on any fact; the public entry must refuse
 * exactly when the oracle does. */
#include <stdio.h>
#include <stdlib.h>

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
	eku_facts_free(fast);
	eku_facts_free(slow);
	eku_facts_free(pub);
	return 0;
}
