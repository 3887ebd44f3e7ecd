/* Internal: a small open-addressing hash table from byte-string keys to
 * size_t values (usually an index into the caller's array), so lookups by
 * name, path or text stay O(1) where a linear search would make a run
 * quadratic in the inventory.
 *
 * Keys are copied. Linear probing, FNV-1a, grows at 1/2 load; no deletion.
 * The hash is not keyed: inputs are operator files, not network peers.
 * Not locked: one thread per table. */
#ifndef EKU_HASH_H
#define EKU_HASH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct eku_hmap eku_hmap;

eku_hmap *eku_hmap_new(void);
void eku_hmap_free(eku_hmap *m);
size_t eku_hmap_count(const eku_hmap *m);
/* True and *val set when key is present (val may be NULL). */
bool eku_hmap_get(const eku_hmap *m, const void *key, size_t len, size_t *val);
/* Sets key to val, replacing an existing value. 0, or -1 on allocation failure. */
int eku_hmap_put(eku_hmap *m, const void *key, size_t len, size_t val) __attribute__((warn_unused_result));
/* Adds key with val unless present. 1 when added, 0 when it was there (*val
 * untouched), -1 on allocation failure. */
int eku_hmap_add(eku_hmap *m, const void *key, size_t len, size_t val) __attribute__((warn_unused_result));

/* NUL-terminated string keys. */
bool eku_hmap_gets(const eku_hmap *m, const char *key, size_t *val);
int eku_hmap_puts(eku_hmap *m, const char *key, size_t val) __attribute__((warn_unused_result));

#endif
