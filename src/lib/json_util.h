/* Internal: two small JSON builders every report writer needs (plan,
 * probe): a string or null, and a string list as an array. */
#ifndef EKU_JSON_UTIL_H
#define EKU_JSON_UTIL_H

#include <jansson.h>

#include <eku/util.h>

static inline json_t *eku_json_str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* A new array of sv's strings (NULL on allocation failure). */
static inline json_t *eku_json_strv(const eku_strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

#endif
