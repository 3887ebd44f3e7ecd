/* libFuzzer target: eku serve's config parser (YAML -> table walker ->
 * checks, target syntax) on arbitrary bytes, without file I/O or stores.
 * Every diagnostic must carry a message and a position inside the input; a
 * config that loads has at least one source and no error. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../src/serve/sv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	eku_diaglist d = { 0 };
	struct sv_config *c = sv_config_load_mem("fuzz.yaml", (const char *)data, size, false, &d);

	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].message == NULL || d.v[i].line < 0 || d.v[i].column < 0)
			abort();
	if (c != NULL && (c->n_sources == 0 || eku_diaglist_errors(&d) != 0))
		abort();
	sv_config_free(c);
	eku_diaglist_clear(&d);
	return 0;
}
