/* yaml/walk.h: the one YAML walker the inventory and the gateway config
 * share. Each case is a document read against a small key table; problems
 * are asserted by count, position, text and exact code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "yaml/walk.h"

/* Positions are libfyaml's token marks, 1-based: a quoted scalar's is its
 * first character inside the quotes; a list or mapping has its first
 * entry's. */

/* The object the table below fills. */
struct obj {
	char *name;
	bool enabled;
	unsigned count;
	eku_strv tags;
	char *deep;
};

static const struct eku_yaml_key inner_keys[] = {
	{ "deep", eku_yaml_key_str, offsetof(struct obj, deep), false, NULL },
};

static void key_inner(struct eku_yaml *y, const struct eku_yaml_key *k, void *obj, struct fy_node *v,
	struct eku_pos at)
{
	eku_yaml_walk_map(y, v, at, "inner", inner_keys, 1, obj);
}

static const struct eku_yaml_key keys[] = {
	{ "name", eku_yaml_key_str, offsetof(struct obj, name), true, NULL },
	{ "enabled", eku_yaml_key_bool, offsetof(struct obj, enabled), false, NULL },
	{ "count", eku_yaml_key_uint, offsetof(struct obj, count), false, NULL },
	{ "tags", eku_yaml_key_strv, offsetof(struct obj, tags), false, NULL },
	{ "inner", key_inner, 0, false, NULL },
};

static void obj_clear(struct obj *o)
{
	free(o->name);
	free(o->deep);
	eku_strv_clear(&o->tags);
}

/* Loads text and walks it against keys; returns the number of diags. */
static size_t walk(const char *text, size_t len, eku_diaglist *d, struct obj *o)
{
	struct eku_yaml y;
	struct fy_node *root = NULL;

	assert_int_equal(eku_diaglist_set_source(d, "t.yaml"), 0);
	if (eku_yaml_load(&y, d, text, len, &root) == 0 && root != NULL)
		eku_yaml_walk_map(&y, root, (struct eku_pos){ 1, 1 }, "test", keys, 5, o);
	assert_false(y.nomem);
	eku_yaml_close(&y);
	return d->n;
}

static const struct diag_case {
	const char *name;
	const char *yaml;
	size_t len;             /* 0: strlen(yaml) */
	size_t count;           /* diags, all at once */
	int line, column;       /* of the first */
	const char *contains;   /* in the first */
	enum eku_errcode code;
} cases[] = {
	{ "valid document: no diags", "name: a\nenabled: yes\ncount: 3\ntags: [x, y]\ninner: {deep: z}\n", 0, 0, 0, 0,
	  NULL, EKU_E_OK },
	{ "unknown key with the nearest spelling", "nmae: a\n", 0, 2, 1, 1,
	  "unknown key 'nmae' in test; did you mean 'name'?", EKU_E_BAD_CONFIG },
	{ "unknown key, nothing near: the valid keys", "name: a\nxyzzy: blue\n", 0, 1, 2, 1,
	  "unknown key 'xyzzy' in test (valid: name, enabled, count, tags, inner)", EKU_E_BAD_CONFIG },
	{ "unknown key in a nested mapping: its own position", "name: a\ninner:\n  deep: 1\n  depe: 2\n", 0, 1, 4, 3,
	  "unknown key 'depe' in inner; did you mean 'deep'?", EKU_E_BAD_CONFIG },
	{ "nested flow mapping: the key's column", "name: a\ninner: { deep: 1, x: 2 }\n", 0, 1, 2, 19,
	  "unknown key 'x' in inner", EKU_E_BAD_CONFIG },
	{ "missing required key: at the mapping's first key", "enabled: true\n", 0, 1, 1, 1,
	  "test: missing required key 'name'", EKU_E_BAD_CONFIG },
	{ "duplicate key: libfyaml refuses the document at the second one", "name: a\nname: b\n", 0, 1, 2, 1,
	  "YAML syntax error: duplicate key", EKU_E_BAD_CONFIG },
	{ "duplicate key, quoted the second time: still the same key", "name: a\n\"name\": b\n", 0, 1, 2, 2,
	  "YAML syntax error: duplicate key", EKU_E_BAD_CONFIG },
	{ "duplicate key in a nested flow mapping", "name: a\ninner: {deep: 1, deep: 2}\n", 0, 1, 2, 18,
	  "YAML syntax error: duplicate key", EKU_E_BAD_CONFIG },
	{ "invalid UTF-8 refused at its position before libfyaml sees it", "name: a\ntags: [b\xff]\n", 0, 1, 2, 9,
	  "not UTF-8 text", EKU_E_BAD_CONFIG },
	{ "NUL byte in the text", "name: a\0b\n", 10, 1, 1, 8, "not UTF-8 text (or contains a NUL byte)",
	  EKU_E_BAD_CONFIG },
	{ "NUL through an escape: refused at the value", "name: \"a\\0b\"\n", 0, 1, 1, 8,
	  "name: the value contains a NUL character", EKU_E_BAD_CONFIG },
	{ "YAML syntax error: libfyaml's message and position", "name: [a\n", 0, 1, 2, 1,
	  "YAML syntax error: flow sequence without a closing bracket", EKU_E_BAD_CONFIG },
	{ "top level not a mapping", "- a\n- b\n", 0, 1, 1, 3, "test: expected a mapping (key: value)",
	  EKU_E_BAD_CONFIG },
	{ "a key that is a list", "name: a\n? [k]\n: v\n", 0, 1, 2, 4, "test: a key must be a name, found a list",
	  EKU_E_BAD_CONFIG },
	/* Each of these crashes libfyaml 0.7.12 (Debian 12) in its error
	 * cleanup (fuzz_serve_config); eku refuses them first. */
	{ "explicit key and a tab: refused before libfyaml", "k:\n  ? a:\t:\n", 0, 1, 2, 3,
	  "a YAML explicit key ('? ') in a file with tab characters", EKU_E_BAD_CONFIG },
	{ "explicit key, the tab on a later line", "? a: b\n  c:\t:\n", 0, 1, 1, 1,
	  "YAML explicit key", EKU_E_BAD_CONFIG },
	{ "explicit key under a list marker after a lone CR", "k:\r- ? a:\t: b\n", 0, 1, 2, 3,
	  "YAML explicit key", EKU_E_BAD_CONFIG },
	{ "explicit key as a value", ": ? ::\t:", 0, 1, 1, 3, "YAML explicit key", EKU_E_BAD_CONFIG },
	{ "a '?' inside a value is no explicit key, tab or not", "name: \"a?\tb\"\ntags: [what?, x]\n", 0, 0, 0, 0,
	  NULL, EKU_E_OK },
	{ "empty value: a value is required, at the key", "name:\n", 0, 1, 1, 1, "name: a value is required",
	  EKU_E_BAD_CONFIG },
	{ "list where a single value belongs", "name: [a, b]\n", 0, 1, 1, 8,
	  "name: expected a single value, found a list", EKU_E_BAD_CONFIG },
	{ "not a boolean: the accepted spellings", "name: a\nenabled: maybe\n", 0, 1, 2, 10,
	  "enabled: expected true or false (or yes/no, on/off), found 'maybe'", EKU_E_BAD_CONFIG },
	{ "1 is not a boolean", "name: a\nenabled: 1\n", 0, 1, 2, 10, "found '1'", EKU_E_BAD_CONFIG },
	{ "integer out of range", "name: a\ncount: 4294967296\n", 0, 1, 2, 8,
	  "count: '4294967296' is not a whole number from 0 to 4294967295", EKU_E_BAD_CONFIG },
	{ "negative integer", "name: a\ncount: -1\n", 0, 1, 2, 8, "is not a whole number", EKU_E_BAD_CONFIG },
	{ "list item that is a mapping: at the item", "name: a\ntags: [x, {y: z}]\n", 0, 1, 2, 12,
	  "tags: expected a single value, found a mapping", EKU_E_BAD_CONFIG },
	{ "every problem in one go", "nmae: a\nenabled: maybe\ncount: x\ninner: []\n", 0, 5, 1, 1,
	  "did you mean 'name'", EKU_E_BAD_CONFIG },
};

static void run_case(void **state)
{
	const struct diag_case *c = *state;
	eku_diaglist d = { 0 };
	struct obj o = { 0 };
	size_t n = walk(c->yaml, c->len ? c->len : strlen(c->yaml), &d, &o);

	for (size_t i = 0; i < n; i++)
		print_message("  %s:%d:%d: %s\n", d.v[i].source, d.v[i].line, d.v[i].column, d.v[i].message);
	assert_int_equal(n, c->count);
	assert_int_equal(eku_diaglist_errors(&d), c->count);
	if (c->count > 0) {
		assert_int_equal(d.v[0].line, c->line);
		assert_int_equal(d.v[0].column, c->column);
		if (strstr(d.v[0].message, c->contains) == NULL)
			fail_msg("'%s' not in '%s'", c->contains, d.v[0].message);
		assert_int_equal(d.v[0].code, c->code);
		assert_int_equal(d.v[0].severity, EKU_DIAG_ERROR);
		assert_string_equal(d.v[0].source, "t.yaml");
	}
	obj_clear(&o);
	eku_diaglist_clear(&d);
}

/* One spelling set for every reader: the inventory (acme.enabled) and the
 * gateway (tls, observe, default, ...) both go through eku_yaml_bool. */
static void test_bool_spellings(void **state)
{
	static const struct {
		const char *text;
		int rc;
		bool value;
	} v[] = {
		{ "true", 0, true }, { "True", 0, true }, { "TRUE", 0, true }, { "yes", 0, true },
		{ "Yes", 0, true }, { "YES", 0, true }, { "on", 0, true }, { "On", 0, true }, { "ON", 0, true },
		{ "false", 0, false }, { "False", 0, false }, { "FALSE", 0, false }, { "no", 0, false },
		{ "No", 0, false }, { "off", 0, false }, { "OFF", 0, false },
		{ "1", -1, false }, { "0", -1, false }, { "y", -1, false }, { "n", -1, false },
		{ "enable", -1, false }, { "", -1, false }, { "true ", -1, false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		bool out = !v[i].value;
		int rc = eku_yaml_bool_parse(v[i].text, &out);
		if (rc != v[i].rc || (rc == 0 && out != v[i].value))
			fail_msg("'%s': rc %d value %d", v[i].text, rc, out);
	}
}

/* The walker fills the table's fields, in document order. */
static void test_values(void **state)
{
	const char *y = "name: a\nenabled: On\ncount: 42\ntags: one\ninner: {deep: z}\n";
	eku_diaglist d = { 0 };
	struct obj o = { 0 };

	(void)state;
	assert_int_equal(walk(y, strlen(y), &d, &o), 0);
	assert_string_equal(o.name, "a");
	assert_true(o.enabled);
	assert_int_equal(o.count, 42);
	assert_int_equal(o.tags.n, 1);
	assert_string_equal(o.tags.v[0], "one");
	assert_string_equal(o.deep, "z");
	obj_clear(&o);
	eku_diaglist_clear(&d);
}

/* A hostile file cannot grow the list without bound, and the dropped
 * errors still count: the input is refused. */
static void test_cap(void **state)
{
	char *y = malloc(300 * 16 + 16);
	size_t len = 0;
	eku_diaglist d = { 0 };
	struct obj o = { 0 };

	(void)state;
	assert_non_null(y);
	len += (size_t)sprintf(y, "name: a\n");
	for (int i = 0; i < 300; i++)
		len += (size_t)sprintf(y + len, "k%d: v\n", i);
	assert_int_equal(walk(y, len, &d, &o), EKU_DIAGLIST_YAML_MAX);
	assert_int_equal(eku_diaglist_errors(&d), 300);
	obj_clear(&o);
	eku_diaglist_clear(&d);
	free(y);
}

static void test_nearest(void **state)
{
	static const char *const words[] = { "upstream", "listen", "routes", "server_store" };

	(void)state;
	assert_int_equal(eku_distance("kitten", "sitting"), 3);
	assert_int_equal(eku_distance("Routes", "routes"), 0);
	assert_string_equal(eku_nearest("upstrem", words, 4), "upstream");
	assert_string_equal(eku_nearest("server-store", words, 4), "server_store");
	assert_null(eku_nearest("colour", words, 4));
}

int main(void)
{
	enum { NC = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[NC + 4];
	size_t n = 0;

	for (size_t i = 0; i < NC; i++)
		tests[n++] = (struct CMUnitTest){ cases[i].name, run_case, NULL, NULL, (void *)&cases[i] };
	tests[n++] = (struct CMUnitTest){ "bool spellings: one set, any case", test_bool_spellings, NULL, NULL, NULL };
	tests[n++] = (struct CMUnitTest){ "values land in the table's fields", test_values, NULL, NULL, NULL };
	tests[n++] = (struct CMUnitTest){ "the cap keeps counting errors", test_cap, NULL, NULL, NULL };
	tests[n++] = (struct CMUnitTest){ "nearest spelling", test_nearest, NULL, NULL, NULL };
	return _cmocka_run_group_tests("yaml", tests, n, NULL, NULL);
}
