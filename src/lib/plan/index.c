/* A string -> index map (open addressing, FNV-1a, linear probing) for the
 * inventory: node names and link identities are looked up once per
 * reference, so a 10k-link inventory costs 10k lookups, not 10k x 10k
 * comparisons. */
#include <stdlib.h>
#include <string.h>

#include "inventory_int.h"

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static size_t slot(const struct name_index *ix, const char *key)
{
	size_t i = hash(key) & (ix->cap - 1);

	while (ix->keys[i] != NULL && strcmp(ix->keys[i], key) != 0)
		i = (i + 1) & (ix->cap - 1);
	return i;
}

static int grow(struct name_index *ix)
{
	struct name_index nx = { NULL, NULL, ix->cap ? ix->cap * 2 : 64, 0, ix->owns };
	int rc = -1;

	nx.keys = calloc(nx.cap, sizeof(*nx.keys));
	nx.vals = calloc(nx.cap, sizeof(*nx.vals));
	if (nx.keys == NULL || nx.vals == NULL)
		goto out;
	for (size_t i = 0; i < ix->cap; i++) {
		if (ix->keys[i] == NULL)
			continue;
		size_t k = slot(&nx, ix->keys[i]);
		nx.keys[k] = ix->keys[i];
		nx.vals[k] = ix->vals[i];
	}
	nx.n = ix->n;
	free(ix->keys);
	free(ix->vals);
	*ix = nx;
	nx.keys = NULL;
	nx.vals = NULL;
	rc = 0;
out:
	free(nx.keys);
	free(nx.vals);
	return rc;
}

int name_index_put(struct name_index *ix, const char *key, size_t val)
{
	size_t i;

	/* Keep the load under one half so probes stay short. */
	if ((ix->n + 1) * 2 > ix->cap && grow(ix) != 0)
		return -1;
	i = slot(ix, key);
	if (ix->keys[i] == NULL)
		ix->n++;
	else if (ix->owns && ix->keys[i] != key)
		free((char *)ix->keys[i]);
	ix->keys[i] = key;
	ix->vals[i] = val;
	return 0;
}

long name_index_get(const struct name_index *ix, const char *key)
{
	size_t i;

	if (ix->cap == 0 || key == NULL)
		return -1;
	i = slot(ix, key);
	return ix->keys[i] != NULL ? (long)ix->vals[i] : -1;
}

void name_index_clear(struct name_index *ix)
{
	bool owns = ix->owns;

	for (size_t i = 0; owns && i < ix->cap; i++)
		free((char *)ix->keys[i]);
	free(ix->keys);
	free(ix->vals);
	memset(ix, 0, sizeof(*ix));
	ix->owns = owns;
}
