/* libFuzzer target: the gateway config parser (YAML -> table walker ->
 * semantic checks) on arbitrary bytes, without file I/O. Every diagnostic
 * must carry a message and a position inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../src/gateway/gw_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	eku_diaglist d = { 0 };
	struct gw_config *c = gw_config_load_mem("fuzz.yaml", (const char *)data, size, false, &d);

	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].message == NULL || d.v[i].line < 0 || d.v[i].column < 0)
			abort();
	if (c != NULL && (c->n_routes == 0 || eku_diaglist_errors(&d) != 0))
		abort();
	gw_config_free(c);
	eku_diaglist_clear(&d);
	return 0;
}
