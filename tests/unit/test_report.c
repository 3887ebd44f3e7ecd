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

/* A census document as eku census writes it: two vendors' rows and one
 * issuer class, both histograms. */
static const char census_ok[] = "{\"schema\":\"eku/1\",\"kind\":\"census\",\"at\":\"2026-11-30T00:00:00Z\","
	"\"totals\":{\"certificates\":5,\"clientauth\":4,\"loses_clientauth_at_renewal\":2,\"expired\":1,"
	"\"sunset\":{\"not_affected\":1,\"ok\":0,\"at_risk\":2,\"broken\":2,\"unknown\":0},\"ca_certificates\":3},"
	"\"rows\":["
	"{\"issuer\":\"digicert\",\"issuer_kind\":\"vendor\",\"issue_month\":\"2026-06\",\"eku_class\":\"server_client\","
	"\"certificates\":2,\"clientauth\":2,\"loses_clientauth_at_renewal\":2,\"expired\":0,"
	"\"sunset\":{\"not_affected\":0,\"ok\":0,\"at_risk\":2,\"broken\":0,\"unknown\":0}},"
	"{\"issuer\":\"letsencrypt\",\"issuer_kind\":\"vendor\",\"issue_month\":\"2026-10\",\"eku_class\":\"server_only\","
	"\"certificates\":1,\"clientauth\":0,\"loses_clientauth_at_renewal\":0,\"expired\":0,"
	"\"sunset\":{\"not_affected\":0,\"ok\":0,\"at_risk\":0,\"broken\":1,\"unknown\":0}},"
	"{\"issuer\":\"letsencrypt\",\"issuer_kind\":\"vendor\",\"issue_month\":\"2026-10\",\"eku_class\":\"server_client\","
	"\"certificates\":1,\"clientauth\":1,\"loses_clientauth_at_renewal\":0,\"expired\":1,"
	"\"sunset\":{\"not_affected\":0,\"ok\":0,\"at_risk\":0,\"broken\":1,\"unknown\":0}},"
	"{\"issuer\":\"private\",\"issuer_kind\":\"issuer_class\",\"issue_month\":\"2025-01\",\"eku_class\":\"none\","
	"\"certificates\":1,\"clientauth\":1,\"loses_clientauth_at_renewal\":0,\"expired\":0,"
	"\"sunset\":{\"not_affected\":1,\"ok\":0,\"at_risk\":0,\"broken\":0,\"unknown\":0}}],"
	"\"expiries\":[{\"month\":\"2026-11\",\"certificates\":1},{\"month\":\"2027-03\",\"certificates\":4}],"
	"\"clientauth_losses\":[{\"month\":\"2027-02\",\"certificates\":1},{\"month\":\"2027-05\",\"certificates\":1}],"
	"\"errors\":[],\"warnings\":[]}";

/* One change to census_ok (a JSON pointer-ish path and the new value as
 * JSON; NULL value: remove the member). */
struct census_edit {
	const char *name, *array, *member; /* array: top-level array or NULL for the document; */
	int index;                         /* its element, or -1 for the member of the document */
	const char *sub, *value, *want;    /* sub: a member of member (e.g. sunset), or NULL */
};

static json_t *census_edited(const struct census_edit *e)
{
	json_t *doc = json_loads(census_ok, 0, NULL), *o;

	assert_non_null(doc);
	if (e->member == NULL)
		return doc;
	o = e->array != NULL ? (e->index >= 0 ? json_array_get(json_object_get(doc, e->array), (size_t)e->index)
					      : json_object_get(doc, e->array))
			     : doc;
	assert_non_null(o);
	if (e->sub != NULL)
		o = json_object_get(o, e->sub);
	assert_non_null(o);
	if (e->value == NULL)
		json_object_del(o, e->member);
	else
		json_object_set_new(o, e->member, json_loads(e->value, JSON_DECODE_ANY, NULL));
	return doc;
}

static void test_check_census(void **state)
{
	static const struct census_edit cases[] = {
		{ "the document as eku census writes it", NULL, NULL, -1, NULL, NULL, NULL },
		{ "a plan, not a census", NULL, "kind", -1, NULL, "\"plan\"",
		  "schema, kind: \"eku/1\", \"plan\" is not \"eku/1\", \"census\": give the output of 'eku census --format json'" },
		{ "a plan document (no kind)", NULL, "kind", -1, NULL, NULL,
		  "schema, kind: \"eku/1\", missing is not \"eku/1\", \"census\": give the output of 'eku census --format json'" },
		{ "no totals", NULL, "totals", -1, NULL, NULL, "totals: missing" },
		{ "at is no instant", NULL, "at", -1, NULL, "\"yesterday\"",
		  "at: \"yesterday\" is not an instant (YYYY-MM-DDTHH:MM:SSZ)" },
		{ "a negative count", "rows", "expired", 1, NULL, "-1", "rows[1].expired: expected an integer >= 0" },
		{ "a count as a string", "totals", "ca_certificates", -1, NULL, "\"3\"",
		  "totals.ca_certificates: expected an integer >= 0" },
		{ "a verdict missing", "rows", "ok", 0, "sunset", NULL, "rows[0].sunset.ok: missing" },
		{ "verdicts that do not add up", "rows", "broken", 0, "sunset", "1",
		  "rows[0]: the counts contradict each other (certificates 2, sunset verdicts adding up to 3, "
		  "clientauth 2, expired 0): every certificate has one verdict" },
		{ "more clientAuth than certificates", "totals", "clientauth", -1, NULL, "6",
		  "totals: the counts contradict each other (certificates 5, sunset verdicts adding up to 5, "
		  "clientauth 6, expired 1): every certificate has one verdict" },
		{ "losses that are not at_risk", "rows", "loses_clientauth_at_renewal", 0, NULL, "1",
		  "rows[0].loses_clientauth_at_renewal: 1 differs from sunset.at_risk (2), which it equals" },
		{ "an unknown EKU class", "rows", "eku_class", 0, NULL, "\"both\"",
		  "rows[0].eku_class: expected one of none, server_only, client_only, server_client, any, other, got \"both\"" },
		{ "an unknown issuer kind", "rows", "issuer_kind", 0, NULL, "\"ca\"",
		  "rows[0].issuer_kind: expected vendor or issuer_class, got \"ca\"" },
		{ "month 13", "rows", "issue_month", 0, NULL, "\"2026-13\"",
		  "rows[0].issue_month: \"2026-13\" is not a month (YYYY-MM)" },
		{ "a day, not a month", "expiries", "month", 0, NULL, "\"2026-11-01\"",
		  "expiries[0].month: \"2026-11-01\" is not a month (YYYY-MM)" },
		{ "the same key twice", "rows", "eku_class", 2, NULL, "\"server_only\"",
		  "rows[2]: the same key (issuer, issue_month, eku_class) as rows[1]; eku census writes each key once, in order" },
		{ "rows out of order", "rows", "issuer", 0, NULL, "\"zeta\"",
		  "rows[1]: out of order after the key of (issuer, issue_month, eku_class) as rows[0]; eku census writes each key once, in order" },
		{ "a month twice", "clientauth_losses", "month", 1, NULL, "\"2027-02\"",
		  "clientauth_losses[1].month: the same month as clientauth_losses[0]; eku census writes each month once, ascending" },
		{ "expiries that do not add up", "expiries", "certificates", 1, NULL, "3",
		  "expiries: 4 certificates, totals.certificates says 5" },
		{ "more losses than at_risk", "clientauth_losses", "certificates", 1, NULL, "2",
		  "clientauth_losses: 3 certificates, more than the 2 of totals.sunset.at_risk" },
		{ "no errors member", NULL, "errors", -1, NULL, NULL, "errors: missing" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		json_t *doc = census_edited(&cases[i]);
		eku_error err = { 0 };
		int rc = eku_report_check_census(doc, &err);
		if (cases[i].want == NULL && rc != 0)
			fail_msg("%s: refused: %s", cases[i].name, err.message);
		if (cases[i].want != NULL && (rc == 0 || err.code != EKU_E_BAD_DATA || strcmp(err.message, cases[i].want) != 0))
			fail_msg("%s: rc %d, message '%s', want '%s'", cases[i].name, rc, err.message, cases[i].want);
		json_decref(doc);
	}
	/* Verdicts whose sum wraps around 2^64 to the row's certificates. */
	{
		static const struct census_edit none = { 0 };
		json_t *doc = census_edited(&none), *sun = json_object_get(json_array_get(json_object_get(doc, "rows"), 1), "sunset");
		eku_error err = { 0 };
		json_object_set_new(sun, "not_affected", json_integer(INT64_MAX));
		json_object_set_new(sun, "ok", json_integer(INT64_MAX));
		json_object_set_new(sun, "broken", json_integer(3)); /* 2^64 - 2 + 3 = 1 */
		assert_int_equal(eku_report_check_census(doc, &err), -1);
		assert_string_equal(err.message, "rows[1].sunset: the verdicts add up to more than 2^64");
		json_decref(doc);
	}
	/* A row gone (a document cut short): each row is consistent, the sum
	 * is not. */
	{
		static const struct census_edit none = { 0 };
		json_t *doc = census_edited(&none);
		eku_error err = { 0 };
		json_array_remove(json_object_get(doc, "rows"), 3);
		assert_int_equal(eku_report_check_census(doc, &err), -1);
		assert_string_equal(err.message, "rows: their certificates add up to 4, totals.certificates says 5; a "
			"census document cut short or edited?");
		json_decref(doc);
	}
}

static void assert_has(const char *page, const char *want)
{
	if (strstr(page, want) == NULL)
		fail_msg("the page lacks '%s'", want);
}

/* The section shows the document's numbers: the totals with their shares,
 * one line per issuer with the sums of its rows, the months of both
 * histograms merged, the first and last month of clientAuth losses, and
 * every row; an issuer name is escaped like every other string. */
static void test_census_section(void **state)
{
	json_t *doc = json_loads(census_ok, 0, NULL), *plan = json_loads(plan_ok, 0, NULL);
	struct eku_html_inputs in = { .census = doc };
	eku_error err = { 0 };
	char *page;

	(void)state;
	assert_non_null(doc);
	page = eku_html_report_page(&in, &err);
	if (page == NULL)
		fail_msg("%s", err.message);
	assert_has(page, "<title>eku report: census</title>");
	assert_has(page, "<strong>5</strong> certificates; 3 CA certificates were read and are not counted");
	assert_has(page, "still carry clientAuth<b>4</b><span class=\"mut\">80.0%</span>");
	assert_has(page, "<span class=\"sev sev-at_risk\">lose it at a renewal</span><b>2</b><span class=\"mut\">40.0%</span>");
	assert_has(page, "expired<b>1</b><span class=\"mut\">20.0%</span>");
	assert_has(page, "fall in <strong>2027-02</strong> (1 certificate), the last in <strong>2027-05</strong>.");
	/* letsencrypt: two rows, one line */
	assert_has(page, "<td data-h=\"issuer\">letsencrypt</td><td class=\"n\" data-h=\"certificates\">2</td>"
		"<td class=\"n\" data-h=\"still carry clientAuth\">1</td><td class=\"n\" data-h=\"lose it at a renewal\">0</td>"
		"<td class=\"n\" data-h=\"cannot act as TLS client\">2</td><td class=\"n\" data-h=\"expired\">1</td>");
	assert_has(page, "private <span class=\"mut\">(issuer class)</span>");
	/* months of both histograms, ascending, each once */
	{
		const char *months[] = { ">2026-11<", ">2027-02<", ">2027-03<", ">2027-05<" }, *p = strstr(page, "<h3>By month");
		assert_non_null(p);
		for (size_t i = 0; i < 4; i++) {
			const char *q = strstr(p, months[i]);
			if (q == NULL)
				fail_msg("month %s missing or out of order", months[i]);
			p = q + 1;
		}
	}
	assert_has(page, "<rect class=\"exp\" width=\"100.0\" height=\"10\"/></svg> 4</td>");
	assert_has(page, "<rect class=\"exp\" width=\"25.0\" height=\"10\"/></svg> 1</td>");
	assert_has(page, "Every row: issuer &#215; issue month &#215; EKU class (4)");
	assert_has(page, "docs/census.md");
	assert_true(strstr(page, "id=\"summary\"") == NULL); /* no plan, no plan sections */
	free(page);

	/* A hostile issuer name, nothing lost, and no input read: no share
	 * invented. */
	json_object_set_new(json_array_get(json_object_get(doc, "rows"), 3), "issuer",
		json_string("<script>x</script>\xe2\x80\xae"));
	json_array_append_new(json_object_get(doc, "errors"), json_object());
	json_array_clear(json_object_get(doc, "clientauth_losses"));
	page = eku_html_report_page(&in, &err);
	assert_non_null(page);
	assert_has(page, "&lt;script&gt;x&lt;/script&gt;[U+202E] <span class=\"mut\">(issuer class)</span>");
	assert_true(strstr(page, "<script>") == NULL);
	assert_has(page, "eku census could not read 1 input: these numbers leave it out");
	assert_has(page, "No certificate counted loses clientAuth at a projected renewal. 2 certificates at risk have no renewal month.");
	free(page);
	{
		json_t *empty = json_loads("{\"schema\":\"eku/1\",\"kind\":\"census\",\"at\":\"2026-11-30T00:00:00Z\","
			"\"totals\":{\"certificates\":0,\"clientauth\":0,\"loses_clientauth_at_renewal\":0,\"expired\":0,"
			"\"sunset\":{\"not_affected\":0,\"ok\":0,\"at_risk\":0,\"broken\":0,\"unknown\":0},"
			"\"ca_certificates\":0},\"rows\":[],\"expiries\":[],\"clientauth_losses\":[],\"errors\":[],"
			"\"warnings\":[]}", 0, NULL);
		in.census = empty;
		page = eku_html_report_page(&in, &err);
		assert_non_null(page);
		assert_has(page, "still carry clientAuth<b>0</b><span class=\"mut\">&#8211;</span>");
		assert_true(strstr(page, "By issuer") == NULL);
		free(page);
		json_decref(empty);
	}
	/* With a plan: the plan's sections, then the census; without either:
	 * a usage error. */
	in.census = doc;
	in.plan = plan;
	page = eku_html_report_page(&in, &err);
	assert_non_null(page);
	assert_true(strstr(page, "id=\"summary\"") != NULL && strstr(page, "id=\"census\"") > strstr(page, "id=\"data\""));
	free(page);
	in.plan = in.census = NULL;
	assert_null(eku_html_report_page(&in, &err));
	assert_int_equal(err.code, EKU_E_USAGE);
	json_decref(plan);
	json_decref(doc);
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
		cmocka_unit_test(test_check_census),
		cmocka_unit_test(test_census_section),
		cmocka_unit_test(test_ics_stable_uids),
		cmocka_unit_test(test_ics_repeated_identity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
