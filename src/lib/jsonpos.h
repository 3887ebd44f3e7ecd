/* Internal: where each key and value of a JSON text sits, so that the
 * validators of data files can say file:line:column. jansson reports a
 * position for syntax errors only; this rescans a text jansson has already
 * accepted. */
#ifndef EKU_JSONPOS_H
#define EKU_JSONPOS_H

#include <stdbool.h>
#include <stddef.h>

/* One value. Paths look like "products[2].rules[5].needs"; the root is "".
 * Keys are taken as written (escapes are not decoded), which is exact for
 * the plain keys data files use. Lines and columns are 1-based; columns
 * count characters, as jansson's do. */
struct jsonpos_entry {
	char *path;
	int key_line, key_col;   /* the member's key; 0 for array items and the root */
	int line, col;           /* the value */
};

struct jsonpos {
	struct jsonpos_entry *v;
	size_t n;
};

/* Scans buf (valid JSON). Returns 0, or -1 when out of memory. */
int jsonpos_scan(struct jsonpos *m, const char *buf, size_t len) __attribute__((warn_unused_result));
/* Position of the value at path, or of its key when key is true and the
 * value is an object member. false (and 0:0) when path is not in the text. */
bool jsonpos_find(const struct jsonpos *m, const char *path, bool key, int *line, int *col);
void jsonpos_clear(struct jsonpos *m);

#endif
