/* The inventory's bridge to the shared YAML walker (src/lib/yaml/): its key
 * tables have handlers that take the inventory's parse state (struct ctx),
 * and inv_walk_map hands them to eku_yaml_walk_map, which reports unknown
 * keys with the nearest spelling, duplicates and wrong types. */
#include <stddef.h>

#include "inventory_int.h"

static void dispatch(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v,
	struct eku_pos at)
{
	struct ctx *c = (struct ctx *)(void *)((char *)y - offsetof(struct ctx, y));
	const struct key_def *def = k->arg;

	def->fn(c, obj, v, at);
}

void inv_walk_map(struct ctx *c, struct fy_node *m, struct eku_pos at, const char *where,
	const struct key_def *defs, size_t n, void *obj)
{
	struct eku_yaml_key keys[EKU_YAML_MAX_KEYS];

	n = n < EKU_YAML_MAX_KEYS ? n : EKU_YAML_MAX_KEYS;
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct eku_yaml_key){ .name = defs[i].name, .fn = dispatch, .arg = &defs[i] };
	eku_yaml_walk_map(&c->y, m, at, where, keys, n, obj);
}
