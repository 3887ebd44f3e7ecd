/* libFuzzer target: the certificate loader on arbitrary bytes (PEM scanning,
 * DER, PKCS#7, PKCS#12 with the empty password), then every fact of every
 * certificate found, then classification without stores. */
#include <stddef.h>
#include <stdint.h>

#include <eku/cert.h>
#include <eku/report.h>
#include <eku/trust.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static eku_trust *trust;
	eku_loader *ld = eku_loader_new();
	eku_certlist *l = eku_certlist_new();
	eku_diaglist d = { 0 };

	if (trust == NULL)
		trust = eku_trust_new();
	if (ld == NULL || l == NULL)
		goto out;
	eku_loader_load_mem(ld, "fuzz", data, size, l, &d);
	for (size_t i = 0; i < eku_certlist_count(l); i++) {
		const eku_cert *c = eku_certlist_get0(l, i);
		struct eku_classification *cl = eku_trust_classify(trust, c, l);
		json_t *j = eku_report_cert_json(c, cl, 0);
		json_decref(j);
		eku_classification_free(cl);
	}
out:
	eku_diaglist_clear(&d);
	eku_certlist_free(l);
	eku_loader_free(ld);
	return 0;
}
