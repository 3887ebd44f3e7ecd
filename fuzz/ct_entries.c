/* libFuzzer target: Certificate Transparency get-entries input. Inputs that
 * start with '{' go through the whole page parser (JSON, base64, entries);
 * others are one entry's binary fields, split by the first two bytes (the
 * leaf_input length), straight into eku_ct_entry_decode. Every certificate
 * an entry yields is handed to the DER loader, as eku census does. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <eku/cert.h>
#include <eku/ct.h>

static void load(const uint8_t *der, size_t len)
{
	eku_error err = { 0 };
	eku_cert *c = eku_cert_new_der(der, len, "fuzz", 1, &err);

	eku_cert_free(c);
}

static int on_entry(void *arg, const struct eku_ct_entry *e, eku_error *err)
{
	(void)arg;
	(void)err;
	load(e->cert, e->cert_len);
	for (size_t i = 0; i < e->n_chain; i++)
		load(e->chain[i], e->chain_len[i]);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	eku_error err = { 0 };
	struct eku_ct_entry e;
	size_t leaf_len;

	if (size > 0 && data[0] == '{') {
		(void)eku_ct_page_detect(data, size);
		(void)eku_ct_page_parse("fuzz", data, size, on_entry, NULL, &err);
		return 0;
	}
	if (size < 2)
		return 0;
	leaf_len = (size_t)data[0] << 8 | data[1];
	if (leaf_len > size - 2)
		leaf_len = size - 2;
	if (eku_ct_entry_decode("fuzz", 0, data + 2, leaf_len, data + 2 + leaf_len, size - 2 - leaf_len, &e,
		    &err) == 0)
		on_entry(NULL, &e, &err);
	return 0;
}
