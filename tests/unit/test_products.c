/* The product model loader: a small valid document, and one named case per
 * way an edited copy goes wrong (misspelt key, wrong type, unknown band,
 * link kind or setting, duplicate id, ...), each asserting the exact
 * problems with file:line:column. The embedded data must load clean and
 * carry the typed values the planner relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan/products.h"

/* Line numbers in the cases below refer to this text. */
static const char base[] =
	"{\n"
	" \"schema\": \"eku-products/1\",\n"
	" \"notes\": \"test\",\n"
	" \"families\": {\n"
	"  \"fam\": {\n"
	"   \"name\": \"Fam\",\n"
	"   \"same_version\": [\"p1\"],\n"
	"   \"same_version_source\": \"https://example.test/same\",\n"
	"   \"bands\": [\n"
	"    {\"id\": \"b1\", \"label\": \"X1\", \"from\": \"X1.0.0\", \"to\": \"X1.9.9\"},\n"
	"    {\"id\": \"b2\", \"label\": \"X2 and later\", \"from\": \"X2.0.0\", \"to\": null, \"released\": \"2026-05-01\"}\n"
	"   ]\n"
	"  }\n"
	" },\n"
	" \"link_kinds\": {\n"
	"  \"k1\": {\"what\": \"kind one\"},\n"
	"  \"cl\": {\"what\": \"cluster\", \"private_pki_ok\": false, \"tls_verify_setting\": \"mode\", \"tls_verify_map\": {\"strict\": \"on\", \"lax\": \"off\"}}\n"
	" },\n"
	" \"universal_rules\": [\n"
	"  {\"id\": \"u1\", \"links\": [\"*\"], \"side\": \"client\", \"checks\": \"server\", \"needs\": [\"serverAuth\"], \"tls_verify\": \"ignore\", \"explain\": \"e\", \"source\": \"s\"}\n"
	" ],\n"
	" \"products\": [\n"
	"  {\n"
	"   \"id\": \"p1\",\n"
	"   \"name\": \"P1\",\n"
	"   \"family\": \"fam\",\n"
	"   \"settings\": {\n"
	"    \"mode\": {\"values\": [\"strict\", \"lax\"], \"default\": \"strict\", \"what\": \"m\"},\n"
	"    \"gate\": {\"values\": [\"on\", \"off\"], \"default\": \"off\", \"bands\": [\"b2\"], \"what\": \"g\", \"requires\": {\"on\": {\"mode\": \"lax\", \"why\": \"w\"}}}\n"
	"   },\n"
	"   \"separate_client_cert_from\": \"b2\",\n"
	"   \"private_pki\": {\"ok\": true, \"why\": \"w\"},\n"
	"   \"upload\": [\n"
	"    {\"id\": \"up1\", \"bands\": [\"b1\"], \"needs\": [\"clientAuth\"], \"unless\": {\"gate\": \"on\"}, \"fixed_in\": \"b2\", \"fix\": \"f\", \"explain\": \"e\", \"source\": \"s\"}\n"
	"   ],\n"
	"   \"client_store\": {\"bands\": [\"b2\"], \"needs\": [\"clientAuth\"], \"explain\": \"e\", \"source\": \"s\"},\n"
	"   \"rules\": [\n"
	"    {\"id\": \"r1\", \"links\": [\"k1\"], \"side\": \"server\", \"checks\": \"client\", \"needs\": [\"clientAuth\"], \"bands\": [\"b1\"], \"when\": {\"mode\": [\"strict\"]}, \"fixed_in\": \"b2\", \"fix\": \"f\", \"explain\": \"e\", \"source\": \"s\"}\n"
	"   ]\n"
	"  },\n"
	"  {\"id\": \"p2\", \"name\": \"P2\", \"private_pki\": {\"ok\": false, \"why\": \"public only\"}, \"assumed\": true, \"rules\": []}\n"
	" ]\n"
	"}\n";

struct want {
	int line, col;
	const char *message;
};

struct bad_case {
	const char *name;
	const char *from, *to;   /* one edit of base */
	const char *second;      /* a second file, or NULL */
	struct want w[3];        /* every problem, in order */
};

static const struct bad_case bad_cases[] = {
	{ "misspelt rule key: 'neds' is unknown, 'needs' missing",
	  "\"checks\": \"client\", \"needs\"", "\"checks\": \"client\", \"neds\"", NULL,
	  { { 38, 5, "products[0].rules[0]: 'needs' is required" },
	    { 38, 73, "products[0].rules[0]: unknown key 'neds'; did you mean 'needs'?" } } },
	{ "misspelt product key", "\"separate_client_cert_from\"", "\"separate_client_cert_frm\"", NULL,
	  { { 31, 4, "products[0]: unknown key 'separate_client_cert_frm'; did you mean 'separate_client_cert_from'?" } } },
	{ "misspelt top-level key", "\"notes\"", "\"note\"", NULL,
	  { { 3, 2, "unknown key 'note'; did you mean 'notes'?" } } },
	{ "wrong type: side is a number", "\"side\": \"server\"", "\"side\": 1", NULL,
	  { { 38, 43, "products[0].rules[0].side: must be a string, not a number" } } },
	{ "wrong type: needs is a string", "\"needs\": [\"serverAuth\"]", "\"needs\": \"serverAuth\"", NULL,
	  { { 20, 79, "universal_rules[0].needs: must be an array, not a string" } } },
	{ "unknown side value", "\"checks\": \"client\"", "\"checks\": \"clients\"", NULL,
	  { { 38, 63, "products[0].rules[0].checks: unknown side 'clients'; did you mean 'client'?" } } },
	{ "unknown certificate purpose", "\"needs\": [\"clientAuth\"], \"bands\": [\"b1\"]",
	  "\"needs\": [\"clientauth\"], \"bands\": [\"b1\"]", NULL,
	  { { 38, 83, "products[0].rules[0].needs[0]: unknown certificate purpose 'clientauth'; did you mean 'clientAuth'?" } } },
	{ "unknown band in a rule", "\"bands\": [\"b1\"], \"when\"", "\"bands\": [\"b3\"], \"when\"", NULL,
	  { { 38, 108, "products[0].rules[0].bands[0]: unknown band 'b3' of family 'fam' (its bands: b1, b2)" } } },
	{ "unknown band in fixed_in", "\"fixed_in\": \"b2\", \"fix\": \"f\", \"explain\": \"e\", \"source\": \"s\"}\n   ]\n",
	  "\"fixed_in\": \"x9\", \"fix\": \"f\", \"explain\": \"e\", \"source\": \"s\"}\n   ]\n", NULL,
	  { { 38, 157, "products[0].rules[0].fixed_in: unknown band 'x9' of family 'fam' (its bands: b1, b2)" } } },
	{ "unknown link kind", "\"links\": [\"k1\"]", "\"links\": [\"k2\"]", NULL,
	  { { 38, 28, "products[0].rules[0].links[0]: unknown link kind 'k2'; did you mean 'k1'?" } } },
	{ "link kind names an unknown product at its client end", "\"k1\": {\"what\": \"kind one\"}",
	  "\"k1\": {\"what\": \"kind one\", \"client_products\": [\"p9\"]}", NULL,
	  { { 16, 50, "link_kinds.k1.client_products[0]: unknown product 'p9'; did you mean 'p1'?" } } },
	{ "link kind: same_product is a boolean", "\"k1\": {\"what\": \"kind one\"}",
	  "\"k1\": {\"what\": \"kind one\", \"same_product\": \"yes\"}", NULL,
	  { { 16, 46, "link_kinds.k1.same_product: must be true or false, not a string" } } },
	{ "'*' with other link kinds", "\"links\": [\"*\"]", "\"links\": [\"*\", \"k1\"]", NULL,
	  { { 20, 25, "universal_rules[0].links: '*' (every link kind) stands alone" } } },
	{ "unknown setting in when", "\"when\": {\"mode\"", "\"when\": {\"mod\"", NULL,
	  { { 38, 124, "products[0].rules[0].when.mod: unknown setting 'mod'; did you mean 'mode'?" } } },
	{ "unknown value in when", "[\"strict\"]}", "[\"strikt\"]}", NULL,
	  { { 38, 133, "products[0].rules[0].when.mode[0]: unknown value 'strikt'; did you mean 'strict'?" } } },
	{ "unknown setting in unless", "\"unless\": {\"gate\"", "\"unless\": {\"gat\"", NULL,
	  { { 34, 72, "products[0].upload[0].unless.gat: unknown setting 'gat'; did you mean 'gate'?" } } },
	{ "when in a universal rule (no product settings)", "\"tls_verify\": \"ignore\"",
	  "\"tls_verify\": \"ignore\", \"when\": {}", NULL,
	  { { 20, 119, "universal_rules[0]: unknown key 'when' (known: id, links, side, checks, needs, tls_verify, reason, explain, source)" } } },
	{ "duplicate rule id", "\"source\": \"s\"}\n   ]\n  },",
	  "\"source\": \"s\"},\n    {\"id\": \"r1\", \"links\": [\"*\"], \"side\": \"server\", \"checks\": \"client\", \"needs\": [], \"explain\": \"e\", \"source\": \"s\"}\n   ]\n  },", NULL,
	  { { 39, 12, "products[0].rules[1].id: duplicate rule id 'r1'" } } },
	{ "duplicate product id", "{\"id\": \"p2\"", "{\"id\": \"p1\"", NULL,
	  { { 41, 10, "products[1].id: duplicate product id 'p1'" } } },
	{ "duplicate key in one object (JSON would keep the last)", "\"name\": \"P2\"", "\"name\": \"P2\", \"name\": \"P3\"", NULL,
	  { { 41, 35, "duplicate object key near '\"name\"'" } } },
	{ "syntax error", "\"assumed\": true,", "\"assumed\": true,,", NULL,
	  { { 41, 98, "string or '}' expected near ','" } } },
	{ "missing private_pki", "\"private_pki\": {\"ok\": false, \"why\": \"public only\"}, ", "", NULL,
	  { { 41, 3, "products[1]: 'private_pki' is required" } } },
	{ "setting default not among its values", "\"default\": \"strict\"", "\"default\": \"strikt\"", NULL,
	  { { 28, 54, "products[0].settings.mode.default: unknown value 'strikt'; did you mean 'strict'?" } } },
	{ "requires names an unknown setting", "{\"mode\": \"lax\", \"why\"", "{\"mood\": \"lax\", \"why\"", NULL,
	  { { 29, 107, "products[0].settings.gate.requires.on.mood: unknown setting 'mood'; did you mean 'mode'?" } } },
	{ "bands overlap", "\"from\": \"X2.0.0\"", "\"from\": \"X1.5.0\"", NULL,
	  { { 11, 51, "families.fam.bands[1].from: band 'b2' starts at X1.5.0, inside band 'b1': bands go in version order and do not overlap" } } },
	{ "not a version", "\"to\": \"X1.9.9\"", "\"to\": \"1.9.9\"", NULL,
	  { { 10, 57, "families.fam.bands[0].to: '1.9.9' is not a version (X<major>.<minor>[.<patch>])" } } },
	{ "released is not a date", "\"2026-05-01\"", "\"May 2026\"", NULL,
	  { { 11, 85, "families.fam.bands[1].released: 'May 2026' is not a date (YYYY-MM-DD)" } } },
	{ "unknown family", "\"family\": \"fam\"", "\"family\": \"famm\"", NULL,
	  { { 26, 14, "products[0].family: unknown family 'famm'; did you mean 'fam'?" },
	    { 7, 21, "families.fam.same_version[0]: product 'p1' is not in family 'fam'" } } },
	{ "bands on a product without a family", "\"assumed\": true, \"rules\": []",
	  "\"assumed\": true, \"rules\": [], \"upload\": [{\"id\": \"u\", \"bands\": [\"b1\"], \"needs\": [], \"explain\": \"e\", \"source\": \"s\"}]", NULL,
	  { { 41, 135, "products[1].upload[0]: 'bands' names bands, but the product has no family" } } },
	{ "tls_verify_map maps to an unknown tls_verify", "\"strict\": \"on\"", "\"strict\": \"onn\"", NULL,
	  { { 17, 113, "link_kinds.cl.tls_verify_map.strict: unknown tls_verify 'onn'; did you mean 'on'?" } } },
	{ "tls_verify_map key is not a value of the setting", "\"lax\": \"off\"", "\"loose\": \"off\"", NULL,
	  { { 17, 119, "link_kinds.cl.tls_verify_map: 'loose' is not a value of setting 'mode'" } } },
	{ "same_version names a product of no family", "[\"p1\"]", "[\"p1\", \"p2\"]", NULL,
	  { { 7, 27, "families.fam.same_version[1]: product 'p2' is not in family 'fam'" } } },
	{ "reason is not a reason code", "\"tls_verify\": \"ignore\"", "\"tls_verify\": \"ignore\", \"reason\": \"oops\"", NULL,
	  { { 20, 129, "universal_rules[0].reason: 'oops' is not a reason code (UPPER_CASE)" } } },
	{ "wrong schema version", "\"eku-products/1\"", "\"eku-products/2\"", NULL,
	  { { 2, 12, "schema: 'eku-products/2' is not eku-products/1 (the version this eku reads)" } } },
	{ "link kind defined in two files", NULL, NULL,
	  "{\"schema\": \"eku-products/1\",\n \"link_kinds\": {\"k1\": {\"what\": \"again\"}},\n \"products\": []}\n",
	  { { 2, 17, "link_kinds: link kind 'k1' is also defined in base.json" } } },
	{ "every problem at once, in one round", "\"side\": \"server\", \"checks\": \"client\"",
	  "\"sde\": \"server\", \"checks\": \"clint\"", NULL,
	  { { 38, 5, "products[0].rules[0]: 'side' is required" },
	    { 38, 35, "products[0].rules[0]: unknown key 'sde'; did you mean 'side'?" },
	    { 38, 62, "products[0].rules[0].checks: unknown side 'clint'; did you mean 'client'?" } } },
};

static char *edit(const char *from, const char *to)
{
	const char *at = from ? strstr(base, from) : NULL;
	char *out;

	if (from == NULL)
		return strdup(base);
	assert_non_null(at);
	assert_null(strstr(at + 1, from)); /* the edit must be unambiguous */
	out = malloc(sizeof(base) + strlen(to));
	assert_non_null(out);
	memcpy(out, base, (size_t)(at - base));
	strcpy(out + (at - base), to);
	strcat(out, at + strlen(from));
	return out;
}

static void bad_case(void **state)
{
	const struct bad_case *bc = *state;
	char *doc = edit(bc->from, bc->to);
	const char *names[2] = { "base.json", "second.json" }, *bufs[2] = { doc, bc->second };
	struct products pr = { 0 };
	eku_error err = { 0 };
	size_t n = 0;

	assert_int_equal(plan_products_load_mem(&pr, bc->second ? 2 : 1, names, bufs, &err), -1);
	assert_int_equal(err.code, EKU_E_BAD_DATA);
	while (n < 3 && bc->w[n].message != NULL)
		n++;
	for (size_t i = 0; i < pr.diags.n; i++)
		print_message("  got %s:%d:%d: %s\n", pr.diags.v[i].source, pr.diags.v[i].line, pr.diags.v[i].column,
			pr.diags.v[i].message);
	assert_int_equal(pr.diags.n, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(pr.diags.v[i].source, bc->second && bc->from == NULL ? "second.json" : "base.json");
		assert_int_equal(pr.diags.v[i].code, EKU_E_BAD_DATA);
		assert_string_equal(pr.diags.v[i].message, bc->w[i].message);
		assert_int_equal(pr.diags.v[i].line, bc->w[i].line);
		assert_int_equal(pr.diags.v[i].column, bc->w[i].col);
	}
	plan_products_clear(&pr);
	free(doc);
}

/* The base document as the planner reads it. */
static void base_typed(void **state)
{
	const char *names[1] = { "base.json" }, *bufs[1] = { base };
	struct products pr = { 0 };
	eku_error err = { 0 };
	const struct product *p1, *p2;
	const struct prod_rule *r;

	(void)state;
	assert_int_equal(plan_products_load_mem(&pr, 1, names, bufs, &err), 0);
	assert_int_equal(pr.diags.n, 0);
	assert_int_equal(pr.n_kinds, 2);
	assert_false(plan_link_kind_find(&pr, "cl")->private_pki_ok);
	assert_string_equal(plan_link_kind_tls_verify(plan_link_kind_find(&pr, "cl"), "lax"), "off");
	assert_int_equal(pr.n_universal, 1);
	assert_true(pr.universal[0].all_links && pr.universal[0].tls_verify_ignore);
	assert_int_equal(pr.universal[0].side, RULE_CLIENT);
	assert_int_equal(pr.universal[0].needs, NEED_SERVER_AUTH);
	p1 = plan_product_find(&pr, "p1");
	p2 = plan_product_find(&pr, "p2");
	assert_true(p1->same_version && !p2->same_version);
	assert_int_equal(p1->family->n_bands, 2);
	assert_false(p1->family->bands[1].has_to);
	assert_int_equal(plan_product_band(p1, "X1.4"), 0);
	assert_int_equal(plan_product_band(p1, "X7.0.1"), 1);
	assert_int_equal(plan_product_band(p1, "X0.9"), -1);
	assert_int_equal(p1->separate_client_cert_from, 1);
	assert_int_equal(p1->n_settings, 2);
	assert_int_equal(p1->settings[1].n_reqs, 1);
	assert_ptr_equal(p1->settings[1].reqs[0].other, &p1->settings[0]);
	assert_false(plan_setting_in_band(&p1->settings[1], 0));
	r = &p1->rules[0];
	assert_true(!r->all_links && r->links == 1u && r->fixed_in == 1 && r->n_when == 1);
	assert_true(plan_rule_in_band(r, 0) && !plan_rule_in_band(r, 1) && !plan_rule_in_band(r, -1));
	assert_ptr_equal(p1->upload[0].unless[0].setting, &p1->settings[1]);
	assert_non_null(p1->client_store);
	assert_null(p1->client_store->id);
	assert_true(p2->assumed && !p2->private_pki_ok && p2->family == NULL && p2->n_rules == 0);
	plan_products_clear(&pr);
}

/* The shipped data: clean, and the facts the Expressway rules hinge on. */
static void embedded_clean(void **state)
{
	struct products pr = { 0 };
	eku_error err = { 0 };
	const struct product *c;
	const struct prod_rule *mra = NULL;

	(void)state;
	unsetenv("EKU_DATA_DIR");
	assert_int_equal(plan_products_load(&pr, NULL, &err), 0);
	assert_int_equal(pr.diags.n, 0);
	assert_int_equal(pr.n_kinds, 11);
	assert_non_null(plan_link_kind_find(&pr, "clusterdb")->tls_verify_setting);
	assert_non_null(c = plan_product_find(&pr, "expressway-c"));
	assert_int_equal(c->family->n_bands, 4);
	assert_int_equal(plan_band_index(c, "x15.5"), 3);
	assert_int_equal(c->separate_client_cert_from, 3);
	assert_true(c->same_version && plan_product_find(&pr, "expressway-e")->same_version);
	for (size_t i = 0; i < c->n_rules; i++)
		if (strcmp(c->rules[i].id, "exp-mra-sip-service-both-ekus") == 0)
			mra = &c->rules[i];
	assert_non_null(mra);
	assert_int_equal(mra->needs, NEED_SERVER_AUTH | NEED_CLIENT_AUTH);
	assert_int_equal(mra->side, RULE_CLIENT);
	assert_int_equal(mra->fixed_in, 2);
	assert_true(plan_product_find(&pr, "other")->assumed);
	assert_false(plan_product_find(&pr, "webex")->private_pki_ok);
	plan_products_clear(&pr);
}

int main(void)
{
	enum { NB = sizeof(bad_cases) / sizeof(bad_cases[0]) };
	struct CMUnitTest t[NB + 2];
	size_t n = 0;

	t[n++] = (struct CMUnitTest){ "embedded product data loads clean", embedded_clean, NULL, NULL, NULL };
	t[n++] = (struct CMUnitTest){ "a valid document reads into the typed model", base_typed, NULL, NULL, NULL };
	for (size_t i = 0; i < NB; i++)
		t[n++] = (struct CMUnitTest){ bad_cases[i].name, bad_case, NULL, NULL, (void *)&bad_cases[i] };
	return _cmocka_run_group_tests("products", t, n, NULL, NULL);
}
