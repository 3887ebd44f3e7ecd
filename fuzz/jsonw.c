/* libFuzzer target: the streaming JSON writer against jansson's dump. Any
 * input jansson parses (any top-level value, NUL allowed) is re-emitted by
 * walking the tree on the writer and dumped by jansson, in five flag modes;
 * the bytes must be equal. The raw input is also written as one string: the
 * writer must accept exactly the bytes json_stringn accepts (valid UTF-8),
 * and then write what jansson writes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../tests/unit/jsonw_walk.h"

static const unsigned modes[] = {
	JSON_COMPACT, JSON_INDENT(2), 0, JSON_INDENT(2) | JSON_COMPACT, JSON_INDENT(31),
};

static void compare(const json_t *j)
{
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		char *a, *b;

		if (jsonw_compare(j, modes[m], &a, &b) != 0) {
			fprintf(stderr, "flags 0x%x\njansson: %s\nwriter:  %s\n", modes[m],
				a != NULL ? a : "(failed)", b != NULL ? b : "(failed)");
			abort();
		}
		free(a);
		free(b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	json_t *s = json_stringn((const char *)data, size);
	eku_jsonw *w = eku_jsonw_new(EKU_JSONW_COMPACT, 0);
	size_t len;

	if (w == NULL)
		abort();
	if (j != NULL)
		compare(j);
	if ((eku_jsonw_stringn(w, (const char *)data, size) == 0) != (s != NULL))
		abort();
	if (s != NULL)
		compare(s);
	else if (eku_jsonw_data(w, &len) == NULL || len != 0)
		abort();
	eku_jsonw_free(w);
	json_decref(j);
	json_decref(s);
	return 0;
}
