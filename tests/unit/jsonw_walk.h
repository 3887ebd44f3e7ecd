/* Shared by test_jsonw and fuzz/jsonw.c: re-emit a jansson tree on the
 * streaming writer, and compare that text with jansson's own dump. */
#ifndef EKU_TEST_JSONW_WALK_H
#define EKU_TEST_JSONW_WALK_H

#include <jansson.h>

#include <eku/jsonw.h>

/* Writes j (any type) on w. 0, or -1 with the writer's error. */
int jsonw_walk(eku_jsonw *w, const json_t *j);
/* Dumps j with json_dumps(j, flags | JSON_ENCODE_ANY) and with the writer
 * (same flags). Returns 0 when both succeed with the same bytes; otherwise -1
 * with *jansson and *writer (malloc'd, NUL-terminated, NULL when that side
 * failed) left for the caller to print and free. */
int jsonw_compare(const json_t *j, unsigned flags, char **jansson, char **writer);

#endif
