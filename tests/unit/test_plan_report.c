/* eku_plan_counts_kind / eku_plan_first_break_kind and the JSON summary that
 * uses them: links and nodes are counted apart, as the text output's two
 * summary lines do, and the totals are their sum. Cases run on the shipped
 * example (examples/expressway, certificates in the repository) and on a
 * host:port inventory that needs no certificate at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <eku/plan.h>
#include <eku/util.h>

/* Expected tallies, in enum eku_severity order: not_affected, ok, unknown,
 * at_risk, broken; first break as YYYY-MM-DD or "" for none. */
struct tally {
	size_t c[5];
	const char *first;
};

struct count_case {
	const char *name;
	const char *file;  /* relative to the source tree, or NULL: yaml */
	const char *yaml;
	const char *at;
	const char *now;   /* the present (see eku_plan_set_now) */
	struct tally links, nodes;
};

static const struct count_case cases[] = {
	{ "example on its own date: the text's '3 links broken, 10 at risk' and nodes line",
	  "examples/expressway/inventory.yaml", NULL, "2026-11-27", "2026-11-27",
	  { { 0, 2, 0, 10, 3 }, "2027-02-15" }, { { 2, 3, 0, 4, 0 }, "2027-02-15" } },
	{ "example after the Chrome leaf rule: every public mTLS link broken, no link date left",
	  "examples/expressway/inventory.yaml", NULL, "2027-10-01", "2026-11-27",
	  { { 0, 2, 0, 0, 13 }, "" }, { { 2, 3, 0, 4, 0 }, NULL } },
	{ "host:port certificates: unknown, counted per kind (1 link, 2 nodes)",
	  NULL,
	  "nodes:\n"
	  "  - { name: a, product: expressway-c, version: X15.5.0, certificates: { server: 'a.example:5061' } }\n"
	  "  - { name: b, product: cucm, certificates: { server: 'b.example:5061' } }\n"
	  "links:\n  - { kind: sip-neighbor, client: a, server: b }\n",
	  "2026-11-27", "2026-11-27",
	  { { 0, 0, 1, 0, 0 }, "" }, { { 0, 0, 2, 0, 0 }, "" } },
};

static eku_plan *run_case(const struct count_case *cc)
{
	const char *src = getenv("EKU_SRCDIR");
	char path[1024];
	int64_t at, now;
	eku_plan *p = eku_plan_new();

	assert_non_null(p);
	assert_non_null(src);
	assert_int_equal(eku_plan_set_system_bundle(p, ""), 0);
	assert_int_equal(eku_time_parse(cc->at, &at), 0);
	assert_int_equal(eku_time_parse(cc->now, &now), 0);
	eku_plan_set_at(p, at);
	eku_plan_set_now(p, now);
	if (cc->file != NULL) {
		snprintf(path, sizeof(path), "%s/%s", src, cc->file);
		assert_int_equal(eku_plan_load_file(p, path), 0);
	} else {
		assert_int_equal(eku_plan_load_mem(p, "inv.yaml", NULL, cc->yaml, strlen(cc->yaml)), 0);
	}
	assert_int_equal(eku_plan_run(p), 0);
	return p;
}

static void check_tally(const eku_plan *p, enum eku_finding_kind kind, const struct tally *want)
{
	size_t c[5];
	char d[16];
	int64_t first = eku_plan_first_break_kind(p, kind);

	eku_plan_counts_kind(p, kind, c);
	for (int s = 0; s < 5; s++) {
		if (c[s] != want->c[s])
			print_message("  %s %s: %zu, expected %zu\n", kind == EKU_FINDING_LINK ? "links" : "nodes",
				eku_severity_name((enum eku_severity)s), c[s], want->c[s]);
		assert_int_equal(c[s], want->c[s]);
	}
	if (want->first != NULL)
		assert_string_equal(first ? eku_time_date(first, d, sizeof(d)) : "", want->first);
}

/* summary.links / summary.nodes carry the library's numbers. */
static void check_json_tally(json_t *t, const eku_plan *p, enum eku_finding_kind kind)
{
	static const char *const keys[5] = { "not_affected", "ok", "unknown", "at_risk", "broken" };
	size_t c[5];
	char d[16];
	int64_t first = eku_plan_first_break_kind(p, kind);

	eku_plan_counts_kind(p, kind, c);
	assert_true(json_is_object(t));
	for (int s = 0; s < 5; s++)
		assert_int_equal(json_integer_value(json_object_get(t, keys[s])), c[s]);
	if (first == 0)
		assert_true(json_is_null(json_object_get(t, "first_break")));
	else
		assert_string_equal(json_string_value(json_object_get(t, "first_break")),
			eku_time_date(first, d, sizeof(d)));
}

static void counts_per_kind(void **state)
{
	const struct count_case *cc = *state;
	eku_plan *p = run_case(cc);
	size_t all[5], links[5], nodes[5];
	int64_t fl, fn, fa;
	json_t *doc, *sum;

	check_tally(p, EKU_FINDING_LINK, &cc->links);
	check_tally(p, EKU_FINDING_NODE, &cc->nodes);
	/* The totals are the sum, the first break the earlier of the two. */
	eku_plan_counts(p, all);
	eku_plan_counts_kind(p, EKU_FINDING_LINK, links);
	eku_plan_counts_kind(p, EKU_FINDING_NODE, nodes);
	for (int s = 0; s < 5; s++)
		assert_int_equal(all[s], links[s] + nodes[s]);
	fl = eku_plan_first_break_kind(p, EKU_FINDING_LINK);
	fn = eku_plan_first_break_kind(p, EKU_FINDING_NODE);
	fa = eku_plan_first_break(p);
	assert_true(fa == (fl == 0 ? fn : fn == 0 ? fl : fl < fn ? fl : fn));
	doc = eku_plan_json(p);
	assert_non_null(doc);
	sum = json_object_get(doc, "summary");
	check_json_tally(json_object_get(sum, "links"), p, EKU_FINDING_LINK);
	check_json_tally(json_object_get(sum, "nodes"), p, EKU_FINDING_NODE);
	assert_int_equal(json_integer_value(json_object_get(sum, "broken")), all[EKU_SEV_BROKEN]);
	json_decref(doc);
	eku_plan_free(p);
}

/* "data" names the timeline the plan was computed from. */
static void data_versions(void **state)
{
	eku_plan *p = run_case(&cases[0]);
	json_t *doc, *tl;

	(void)state;
	doc = eku_plan_json(p);
	assert_non_null(doc);
	tl = json_object_get(json_object_get(doc, "data"), "timeline");
	assert_string_equal(json_string_value(json_object_get(tl, "schema")), "eku-timeline/1");
	assert_non_null(json_string_value(json_object_get(tl, "as_of")));
	assert_int_equal(strlen(json_string_value(json_object_get(tl, "as_of"))), 10);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(doc, "data"),
		"products"), "schema")), "eku-products/1");
	json_decref(doc);
	eku_plan_free(p);
}

int main(void)
{
	enum { NC = sizeof(cases) / sizeof(cases[0]) };
	struct CMUnitTest tests[NC + 1];
	size_t n = 0;

	for (size_t i = 0; i < NC; i++)
		tests[n++] = (struct CMUnitTest){ cases[i].name, counts_per_kind, NULL, NULL, (void *)&cases[i] };
	tests[n++] = (struct CMUnitTest){ "JSON data: timeline as_of and schemas", data_versions, NULL, NULL, NULL };
	return _cmocka_run_group_tests("plan_report", tests, n, NULL, NULL);
}
