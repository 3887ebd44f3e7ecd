/* Open-addressing hash table: byte-string keys -> size_t (see hash.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

struct slot {
	char *key;         /* NULL: empty */
	size_t len;
	uint64_t hash;
	size_t val;
};

struct eku_hmap {
	struct slot *s;
	size_t cap;        /* a power of two, or 0 */
	size_t n;
};

/* FNV-1a, 64 bits. */
static uint64_t hash_bytes(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

eku_hmap *eku_hmap_new(void)
{
	return calloc(1, sizeof(eku_hmap));
}

void eku_hmap_free(eku_hmap *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->s[i].key);
	free(m->s);
	free(m);
}

size_t eku_hmap_count(const eku_hmap *m)
{
	return m != NULL ? m->n : 0;
}

/* The slot holding key, or the empty slot where it would go. */
static struct slot *find(const eku_hmap *m, const void *key, size_t len, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);

	while (m->s[i].key != NULL &&
	       (m->s[i].hash != h || m->s[i].len != len || memcmp(m->s[i].key, key, len) != 0))
		i = (i + 1) & (m->cap - 1);
	return &m->s[i];
}

static int grow(eku_hmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct slot *old = m->s, *ns = calloc(cap, sizeof(*ns));
	size_t ocap = m->cap;

	if (ns == NULL || cap < m->cap)
		return free(ns), -1;
	m->s = ns;
	m->cap = cap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].key != NULL)
			*find(m, old[i].key, old[i].len, old[i].hash) = old[i];
	free(old);
	return 0;
}

bool eku_hmap_get(const eku_hmap *m, const void *key, size_t len, size_t *val)
{
	const struct slot *s;

	if (m == NULL || m->cap == 0)
		return false;
	s = find(m, key, len, hash_bytes(key, len));
	if (s->key != NULL && val != NULL)
		*val = s->val;
	return s->key != NULL;
}

/* Finds or inserts key; *added tells which. NULL on allocation failure. */
static struct slot *upsert(eku_hmap *m, const void *key, size_t len, bool *added)
{
	uint64_t h = hash_bytes(key, len);
	struct slot *s;

	*added = false;
	if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
		return NULL;
	s = find(m, key, len, h);
	if (s->key != NULL)
		return s;
	/* +1: a zero-length key still gets a non-NULL copy */
	if ((s->key = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(s->key, key, len);
	s->key[len] = '\0';
	s->len = len;
	s->hash = h;
	m->n++;
	*added = true;
	return s;
}

int eku_hmap_put(eku_hmap *m, const void *key, size_t len, size_t val)
{
	bool added;
	struct slot *s = upsert(m, key, len, &added);

	if (s == NULL)
		return -1;
	s->val = val;
	return 0;
}

int eku_hmap_add(eku_hmap *m, const void *key, size_t len, size_t val)
{
	bool added;
	struct slot *s = upsert(m, key, len, &added);

	if (s == NULL)
		return -1;
	if (added)
		s->val = val;
	return added ? 1 : 0;
}

bool eku_hmap_gets(const eku_hmap *m, const char *key, size_t *val)
{
	return eku_hmap_get(m, key, strlen(key), val);
}

int eku_hmap_puts(eku_hmap *m, const char *key, size_t val)
{
	return eku_hmap_put(m, key, strlen(key), val);
}
