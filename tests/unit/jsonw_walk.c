/* See jsonw_walk.h. */
#include <stdlib.h>
#include <string.h>

#include "jsonw_walk.h"

static int walk_object(eku_jsonw *w, const json_t *j)
{
	if (eku_jsonw_object_begin(w) != 0)
		return -1;
	for (void *it = json_object_iter((json_t *)j); it != NULL;
	     it = json_object_iter_next((json_t *)j, it))
		if (eku_jsonw_keyn(w, json_object_iter_key(it), json_object_iter_key_len(it)) != 0 ||
		    jsonw_walk(w, json_object_iter_value(it)) != 0)
			return -1;
	return eku_jsonw_object_end(w);
}

static int walk_array(eku_jsonw *w, const json_t *j)
{
	if (eku_jsonw_array_begin(w) != 0)
		return -1;
	for (size_t i = 0; i < json_array_size(j); i++)
		if (jsonw_walk(w, json_array_get(j, i)) != 0)
			return -1;
	return eku_jsonw_array_end(w);
}

int jsonw_walk(eku_jsonw *w, const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return walk_object(w, j);
	case JSON_ARRAY: return walk_array(w, j);
	case JSON_STRING: return eku_jsonw_stringn(w, json_string_value(j), json_string_length(j));
	case JSON_INTEGER: return eku_jsonw_integer(w, json_integer_value(j));
	case JSON_REAL: return eku_jsonw_real(w, json_real_value(j));
	case JSON_TRUE: return eku_jsonw_bool(w, true);
	case JSON_FALSE: return eku_jsonw_bool(w, false);
	case JSON_NULL: return eku_jsonw_null(w);
	}
	return -1;
}

int jsonw_compare(const json_t *j, unsigned flags, char **jansson, char **writer)
{
	eku_jsonw *w = eku_jsonw_new(flags, 0);
	const char *text;
	size_t len = 0;
	int rc = -1;

	*jansson = json_dumps(j, flags | JSON_ENCODE_ANY);
	*writer = NULL;
	if (w == NULL || jsonw_walk(w, j) != 0 || !eku_jsonw_complete(w))
		goto out;
	text = eku_jsonw_data(w, &len);
	if ((*writer = malloc(len + 1)) == NULL)
		goto out;
	memcpy(*writer, text, len);
	(*writer)[len] = '\0';
	if (*jansson != NULL && strlen(*jansson) == len && memcmp(*jansson, text, len) == 0)
		rc = 0;
out:
	eku_jsonw_free(w);
	return rc;
}
