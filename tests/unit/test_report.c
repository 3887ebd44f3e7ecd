/* eku report's building blocks (src/lib/report/): iCalendar folding and
 * TEXT escaping (RFC 5545 3.1, 3.3.11), HTML escaping of hostile strings
 * (markup, U+202E), and the plan document check that --from plan.json
 * relies on (the exact field path in each message). Tables of named cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <eku/calendar.h>
#include <eku/html_report.h>

struct str_case {
	const char *name, *in, *want;
};

static const struct str_case escape_cases[] = {
	{ "plain text passes", "Renew expc1", "Renew expc1" },
	{ "comma, semicolon, backslash", "a,b;c\\d", "a\\,b\\;c\\\\d" },
	{ "LF, CRLF and CR become \\n", "one\ntwo\r\nthree\rfour", "one\\ntwo\\nthree\\nfour" },
	{ "other controls dropped", "a\x01" "b\x7f" "c\td", "abcd" },
	{ "UTF-8 untouched", "\xe2\x80\xae rtl", "\xe2\x80\xae rtl" },
};

static void test_ics_escape(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(escape_cases) / sizeof(*escape_cases); i++) {
		char *got = eku_ics_escape_text(escape_cases[i].in);
		assert_non_null(got);
		if (strcmp(got, escape_cases[i].want) != 0)
			fail_msg("%s: got '%s', want '%s'", escape_cases[i].name, got, escape_cases[i].want);
		free(got);
	}
}

/* Every physical line at most 75 octets, continuations start with one
 * space, unfolding gives the input back. */
static void check_folded(const char *name, const char *in, const char *out)
{
	size_t n = strlen(out), start = 0;
	char *unfolded = calloc(n + 1, 1);
	size_t k = 0;

	assert_non_null(unfolded);
	assert_true(n >= 2 && strcmp(out + n - 2, "\r\n") == 0);
	for (size_t i = 0; i + 1 < n; i++) {
		if (out[i] != '\r')
			continue;
		if (out[i + 1] != '\n')
			fail_msg("%s: bare CR at %zu", name, i);
		if (i - start > 75)
			fail_msg("%s: line of %zu octets", name, i - start);
		/* continuation: skip CRLF and the one space */
		memcpy(unfolded + k, out + start, i - start);
		k += i - start;
		start = i + 2;
		if (start < n) {
			if (out[start] != ' ')
				fail_msg("%s: continuation without a space", name);
			if (((unsigned char)out[start + 1] & 0xC0) == 0x80)
				fail_msg("%s: split inside a UTF-8 sequence", name);
			start++;
		}
		i++;
	}
	if (strcmp(unfolded, in) != 0)
		fail_msg("%s: unfolds to '%s'", name, unfolded);
	free(unfolded);
}

static void test_ics_fold(void **state)
{
	char long_ascii[300], long_utf8[400], exact[76];

	(void)state;
	memset(long_ascii, 'x', sizeof(long_ascii) - 1);
	long_ascii[sizeof(long_ascii) - 1] = '\0';
	memcpy(long_ascii, "DESCRIPTION:", 12);
	/* Three-octet characters after one ASCII octet: cuts land inside
	 * sequences unless the folder backs up. */
	strcpy(long_utf8, "SUMMARY:a");
	while (strlen(long_utf8) + 3 < sizeof(long_utf8))
		strcat(long_utf8, "\xe2\x82\xac");
	memset(exact, 'y', 75);
	exact[75] = '\0';
	const struct {
		const char *name, *in;
		size_t lines;
	} cases[] = {
		{ "short line unchanged", "UID:abc@eku", 1 },
		{ "exactly 75 octets: one line", exact, 1 },
		{ "300 octets of ASCII: 75 then 74 per line", long_ascii, 5 },
		{ "euro signs never split", long_utf8, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *got = eku_ics_fold(cases[i].in);
		size_t lines = 0;
		assert_non_null(got);
		check_folded(cases[i].name, cases[i].in, got);
		for (const char *p = got; (p = strstr(p, "\r\n")) != NULL; p += 2)
			lines++;
		if (cases[i].lines && lines != cases[i].lines)
			fail_msg("%s: %zu lines, want %zu", cases[i].name, lines, cases[i].lines);
		free(got);
	}
}

static const struct str_case html_cases[] = {
	{ "markup", "<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
	{ "attribute breakout", "\" onmouseover=\"x", "&quot; onmouseover=&quot;x" },
	{ "ampersand", "a&b", "a&amp;b" },
	{ "U+202E shown, not obeyed", "abc\xe2\x80\xaegnp.exe", "abc[U+202E]gnp.exe" },
	{ "isolate U+2066 and zero-width U+200B", "\xe2\x81\xa6x\xe2\x80\x8by", "[U+2066]x[U+200B]y" },
	{ "C0 control", "a\x1b[31mb", "a[U+001B][31mb" },
	{ "ordinary non-ASCII kept", "Zürich \xe2\x82\xac", "Zürich \xe2\x82\xac" },
};

static void test_html_escape(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(html_cases) / sizeof(*html_cases); i++) {
		char *got = eku_html_escape(html_cases[i].in);
		assert_non_null(got);
		if (strcmp(got, html_cases[i].want) != 0)
			fail_msg("%s: got '%s', want '%s'", html_cases[i].name, got, html_cases[i].want);
		free(got);
	}
}

static const char plan_ok[] = "{\"schema\":\"eku/1\",\"at\":\"2026-11-27T00:00:00Z\",\"deployment\":\"d\","
	"\"data\":{},\"summary\":{},\"actions\":[{\"by\":\"2027-01-01\",\"action\":\"Renew\",\"finding_ids\":[\"n\"]}],"
	"\"findings\":[{\"id\":\"n\",\"subject\":\"s\",\"severity\":\"at_risk\",\"breaks_on\":\"2027-01-02\","
	"\"reasons\":[],\"explanation\":\"e\",\"options\":[]}]}";

static void test_check_plan(void **state)
{
	const struct {
		const char *name, *json, *want; /* want: the message, NULL when valid */
	} cases[] = {
		{ "a valid minimal plan", plan_ok, NULL },
		{ "not an object", "[1]", "(top level): expected an object: the output of 'eku plan --format json'" },
		{ "another schema", "{\"schema\":\"eku-timeline/1\"}", "schema: \"eku-timeline/1\" is not \"eku/1\" (an eku plan document)" },
		{ "findings missing", "{\"schema\":\"eku/1\",\"at\":\"2026-11-27T00:00:00Z\",\"deployment\":\"\"}",
		  "findings: missing" },
		{ "bad severity", NULL, "findings[0].severity: expected one of broken, at_risk, unknown, ok, not_affected, got \"bad\"" },
		{ "bad date", NULL, "actions[0].by: \"soon\" is not a date (YYYY-MM-DD)" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		json_t *doc = cases[i].json ? json_loads(cases[i].json, 0, NULL) : json_loads(plan_ok, 0, NULL);
		eku_error err = { 0 };
		int rc;
		assert_non_null(doc);
		if (i == 4)
			json_object_set_new(json_array_get(json_object_get(doc, "findings"), 0), "severity", json_string("bad"));
		if (i == 5)
			json_object_set_new(json_array_get(json_object_get(doc, "actions"), 0), "by", json_string("soon"));
		rc = eku_report_check_plan(doc, &err);
		if (cases[i].want == NULL && rc != 0)
			fail_msg("%s: refused: %s", cases[i].name, err.message);
		if (cases[i].want != NULL && (rc == 0 || err.code != EKU_E_BAD_DATA || strcmp(err.message, cases[i].want) != 0))
			fail_msg("%s: rc %d, message '%s', want '%s'", cases[i].name, rc, err.message, cases[i].want);
		json_decref(doc);
	}
}

/* The same finding and action give the same UIDs whatever their dates and
 * wording: a re-export updates the events it made. */
static void test_ics_stable_uids(void **state)
{
	json_t *a = json_loads(plan_ok, 0, NULL), *b = json_loads(plan_ok, 0, NULL);
	eku_error err = { 0 };
	char *ca, *cb;

	(void)state;
	json_object_set_new(json_array_get(json_object_get(b, "actions"), 0), "by", json_string("2027-02-01"));
	json_object_set_new(json_array_get(json_object_get(b, "actions"), 0), "action", json_string("Renew later"));
	json_object_set_new(json_array_get(json_object_get(b, "findings"), 0), "breaks_on", json_string("2027-03-01"));
	ca = eku_ics_calendar(a, 1795737600, &err);
	cb = eku_ics_calendar(b, 1795737600, &err);
	assert_non_null(ca);
	assert_non_null(cb);
	for (const char *p = ca, *q = cb; (p = strstr(p, "UID:")) != NULL; p += 4, q += 4) {
		q = strstr(q, "UID:");
		assert_non_null(q);
		assert_memory_equal(p, q, strcspn(p, "\r"));
	}
	assert_non_null(strstr(ca, "DTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270102\r\n"));
	assert_non_null(strstr(cb, "DTSTART;VALUE=DATE:20270201\r\n"));
	assert_non_null(strstr(ca, "DTSTAMP:20261127T000000Z\r\n"));
	free(ca);
	free(cb);
	json_decref(a);
	json_decref(b);
}

/* Two actions of one kind for the same findings stay two events. */
static void test_ics_repeated_identity(void **state)
{
	json_t *a = json_loads(plan_ok, 0, NULL);
	json_t *acts = json_object_get(a, "actions");
	eku_error err = { 0 };
	char *cal, *u1, *u2;

	(void)state;
	json_array_append_new(acts, json_deep_copy(json_array_get(acts, 0)));
	json_object_set_new(json_array_get(acts, 1), "action", json_string("Renew elsewhere"));
	cal = eku_ics_calendar(a, 1795737600, &err);
	assert_non_null(cal);
	u1 = strstr(cal, "UID:");
	assert_non_null(u1);
	u2 = strstr(u1 + 4, "UID:");
	assert_non_null(u2);
	assert_true(strncmp(u1, u2, strcspn(u1, "\r")) != 0);
	free(cal);
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ics_escape),
		cmocka_unit_test(test_ics_fold),
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_check_plan),
		cmocka_unit_test(test_ics_stable_uids),
		cmocka_unit_test(test_ics_repeated_identity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
