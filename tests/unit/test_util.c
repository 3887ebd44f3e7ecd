/* util: dates (UTC, leap days, offsets), hex, the bounded cursor, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <eku/cursor.h>
#include <eku/diag.h>
#include <eku/error.h>
#include <eku/util.h>

#include "../../src/lib/hash.h"

static const struct {
	const char *name, *text;
	int rc;
	int64_t want;
} time_cases[] = {
	{ "epoch", "1970-01-01", 0, 0 },
	{ "date only is midnight UTC", "2027-03-15", 0, 1805068800 },
	{ "Z suffix", "2027-03-15T00:00:00Z", 0, 1805068800 },
	{ "space separator", "2027-03-15 12:30", 0, 1805068800 + 45000 },
	{ "positive offset is earlier in UTC", "2027-03-15T01:00:00+01:00", 0, 1805068800 },
	{ "negative offset is later in UTC", "2027-03-14T19:00-05:00", 0, 1805068800 },
	{ "leap day 2028", "2028-02-29", 0, 1835395200 },
	{ "no leap day 2027", "2027-02-29", -1, 0 },
	{ "no leap day 2100", "2100-02-29", -1, 0 },
	{ "leap day 2000", "2000-02-29", 0, 951782400 },
	{ "month 13", "2027-13-01", -1, 0 },
	{ "trailing garbage", "2027-03-15x", -1, 0 },
	{ "short year", "27-03-15", -1, 0 },
	{ "hour 24", "2027-03-15T24:00", -1, 0 },
	{ "empty", "", -1, 0 },
	/* Issue 8: outside 1970..9999 is refused, not printed as "0-01-01". */
	{ "year 0000 refused", "0000-01-01", -1, 0 },
	{ "year before 1970 refused", "1969-12-31", -1, 0 },
	{ "offset pushing the epoch day before 1970 refused", "1970-01-01T00:30+01:00", -1, 0 },
	{ "last day of 9999 accepted", "9999-12-31", 0, 253402214400 },
	{ "offset pushing 9999-12-31 into year 10000 refused", "9999-12-31T23:30-01:00", -1, 0 },
	{ "signed year refused", "+202-01-01", -1, 0 },
	{ "negative year refused", "-001-01-01", -1, 0 },
	{ "leading blank refused", " 202-01-01", -1, 0 },
};

static void test_time_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		int64_t got = -12345;
		int rc = eku_time_parse(time_cases[i].text, &got);
		if (rc != time_cases[i].rc || (rc == 0 && got != time_cases[i].want))
			fail_msg("%s: '%s' gave rc=%d t=%lld, want rc=%d t=%lld", time_cases[i].name,
				time_cases[i].text, rc, (long long)got, time_cases[i].rc,
				(long long)time_cases[i].want);
	}
}

static void test_time_format_roundtrip(void **state)
{
	char buf[32];
	int64_t t;

	(void)state;
	assert_int_equal(eku_time_parse("2026-02-11T23:59:59Z", &t), 0);
	assert_string_equal(eku_time_iso(t, buf, sizeof(buf)), "2026-02-11T23:59:59Z");
	assert_string_equal(eku_time_date(t, buf, sizeof(buf)), "2026-02-11");
}

static void test_days_between(void **state)
{
	(void)state;
	assert_int_equal(eku_days_between(0, 86400), 1);
	assert_int_equal(eku_days_between(0, 86399), 0);
	/* Expired by one second is "-1 days left", not 0. */
	assert_int_equal(eku_days_between(86400, 86399), -1);
	assert_int_equal(eku_days_between(2 * 86400, 0), -2);
}

static void test_hex_and_wipe(void **state)
{
	uint8_t b[3] = { 0x00, 0xab, 0xff };
	char out[7];
	char secret[] = "hunter2";

	(void)state;
	assert_string_equal(eku_hex(b, 3, out), "00abff");
	eku_wipe(secret, strlen(secret));
	for (size_t i = 0; i < sizeof(secret); i++)
		assert_int_equal(secret[i], 0);
}

static void test_cursor_reads(void **state)
{
	const uint8_t buf[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06 };
	eku_cursor c = eku_cursor_make(buf, sizeof(buf)), sub;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	(void)state;
	assert_int_equal(eku_cursor_u8(&c, &u8), 0);
	assert_int_equal(u8, 1);
	assert_int_equal(eku_cursor_u16(&c, &u16), 0);
	assert_int_equal(u16, 0x0203);
	/* A read that does not fit fails and leaves the cursor where it was. */
	assert_int_equal(eku_cursor_u32(&c, &u32), -1);
	assert_int_equal(c.left, 3);
	assert_int_equal(eku_cursor_u24(&c, &u32), 0);
	assert_int_equal(u32, 0x040506);
	assert_true(eku_cursor_empty(&c));
	assert_int_equal(eku_cursor_u8(&c, &u8), -1);
	c = eku_cursor_make(buf, sizeof(buf));
	assert_int_equal(eku_cursor_sub(&c, 7, &sub), -1);
	assert_int_equal(eku_cursor_sub(&c, 2, &sub), 0);
	assert_int_equal(sub.left, 2);
	assert_int_equal(c.left, 4);
}

static void test_cursor_lines(void **state)
{
	const char text[] = "220 ready\r\n250 ok\nno-newline";
	eku_cursor c = eku_cursor_make(text, strlen(text));
	const uint8_t *line;
	size_t len;

	(void)state;
	assert_int_equal(eku_cursor_line(&c, 64, &line, &len), 0);
	assert_int_equal(len, 9);
	assert_memory_equal(line, "220 ready", 9);
	assert_int_equal(eku_cursor_line(&c, 64, &line, &len), 0);
	assert_int_equal(len, 6);
	/* Incomplete line: not consumed. */
	assert_int_equal(eku_cursor_line(&c, 64, &line, &len), -1);
	assert_int_equal(c.left, strlen("no-newline"));
	/* Longer than the limit: refused even though complete. */
	c = eku_cursor_make(text, strlen(text));
	assert_int_equal(eku_cursor_line(&c, 4, &line, &len), -1);
}

static void test_error_first_wins(void **state)
{
	eku_error e = { 0 };

	(void)state;
	eku_error_setx(&e, EKU_E_PKCS12_PASSWORD, "specific");
	eku_error_setx(&e, EKU_E_OPENSSL, "generic");
	eku_error_set_openssl(&e, EKU_E_OPENSSL, "generic too");
	assert_int_equal(e.code, EKU_E_PKCS12_PASSWORD);
	assert_string_equal(e.message, "specific");
	assert_string_equal(eku_errcode_name(EKU_E_BAD_DER), "bad_der");
	assert_int_equal(eku_errcode_class(EKU_E_BAD_DER), EKU_ERRCLASS_PARSE);
	assert_string_equal(eku_errclass_name(EKU_ERRCLASS_NETWORK), "network");
	assert_string_equal(eku_errcode_name((enum eku_errcode)9999), "internal");
}

/* eku_utf8_check: the gate in front of libfyaml (issue 8). */
static void test_utf8_check(void **state)
{
	static const struct {
		const char *name, *in;
		size_t len;
		int rc, line, col;
	} cases[] = {
		{ "ASCII", "a: b\n", 5, 0, 0, 0 },
		{ "two-byte e-acute", "caf\xc3\xa9", 5, 0, 0, 0 },
		{ "stray continuation byte on line 2", "a\nb\x80", 4, -1, 2, 2 },
		{ "overlong slash", "\xc0\xaf", 2, -1, 1, 1 },
		{ "surrogate", "\xed\xa0\x80", 3, -1, 1, 1 },
		{ "truncated sequence at the end", "ab\xe2\x82", 4, -1, 1, 3 },
		{ "NUL byte", "a\0b", 3, -1, 1, 2 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line = 0, col = 0, rc = eku_utf8_check(cases[i].in, cases[i].len, &line, &col);
		if (rc != cases[i].rc || (rc != 0 && (line != cases[i].line || col != cases[i].col)))
			fail_msg("%s: rc=%d %d:%d, want rc=%d %d:%d", cases[i].name, rc, line, col, cases[i].rc,
				cases[i].line, cases[i].col);
	}
}

static void test_utf8_sanitize(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain ASCII", "plain ASCII" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92" },
		{ "latin1 \xe9t\xe9", "latin1 ?t?" },
		{ "overlong \xc0\xaf", "overlong ??" },
		{ "surrogate \xed\xa0\x80", "surrogate ???" },
		{ "truncated \xe2\x82", "truncated ??" },
		{ "escape \x1b[31m", "escape ?[31m" },
		{ "tab\tkept", "tab\tkept" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		assert_string_equal(eku_utf8_sanitize(buf), cases[i].out);
	}
	assert_null(eku_utf8_sanitize(NULL));
}

/* Log fields from certificates: what a reader sees must be what the bytes
 * are. Bidi controls reorder the rest of the line ("Trojan Source"),
 * controls fake lines or drive the terminal, a quote would end the field. */
static void test_utf8_escape(void **state)
{
	static const struct { const char *name, *in, *out; } cases[] = {
		{ "plain", "CN=sip.example", "CN=sip.example" },
		{ "UTF-8 letters kept", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92",
			"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92" },
		{ "RLO U+202E", "CN=evil\xe2\x80\xaegpj.exe", "CN=evil\\u202egpj.exe" },
		{ "LRE..PDF U+202A U+202C", "\xe2\x80\xaa" "a" "\xe2\x80\xac", "\\u202aa\\u202c" },
		{ "isolates U+2066 U+2069", "\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069" },
		{ "marks U+200E U+200F U+061C", "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
			"\\u200e\\u200f\\u061c" },
		{ "line separator U+2028", "a\xe2\x80\xa8" "b", "a\\u2028b" },
		{ "C0: escape, tab, newline", "\x1b[31m\t\n", "\\u001b[31m\\u0009\\u000a" },
		{ "DEL", "a\x7f", "a\\u007f" },
		{ "C1 NEL U+0085", "a\xc2\x85", "a\\u0085" },
		{ "invalid byte", "latin1 \xe9t\xe9", "latin1 \\xe9t\\xe9" },
		{ "truncated sequence", "x\xe2\x82", "x\\xe2\\x82" },
		{ "quote and backslash", "O=\"a\\b\"", "O=\\\"a\\\\b\\\"" },
		{ "NULL", NULL, "" },
	};
	char buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case: %s\n", cases[i].name);
		assert_string_equal(eku_utf8_escape(cases[i].in, buf, sizeof(buf)), cases[i].out);
	}
	/* Cut before an escape or a character that does not fit, never inside. */
	assert_string_equal(eku_utf8_escape("ab\xe2\x80\xae", buf, 8), "ab");
	assert_string_equal(eku_utf8_escape("ab\xe2\x80\xae", buf, 9), "ab\\u202e");
	assert_string_equal(eku_utf8_escape("a\xc3\xa9", buf, 3), "a");
	assert_string_equal(eku_utf8_escape("abc", buf, 1), "");
}

/* The hash index behind the planner's lookups: many keys (several growths),
 * keys that differ only in length or after a NUL, replace vs add. */
static void test_hmap(void **state)
{
	eku_hmap *m = eku_hmap_new();
	char key[32];
	size_t v = 0;

	(void)state;
	assert_non_null(m);
	assert_false(eku_hmap_gets(m, "absent", &v));
	for (size_t i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "node%zu", i);
		assert_int_equal(eku_hmap_puts(m, key, i), 0);
	}
	assert_int_equal(eku_hmap_count(m), 5000);
	for (size_t i = 0; i < 5000; i += 7) {
		snprintf(key, sizeof(key), "node%zu", i);
		assert_true(eku_hmap_gets(m, key, &v));
		assert_int_equal(v, i);
	}
	assert_false(eku_hmap_gets(m, "node5000", NULL));
	assert_int_equal(eku_hmap_add(m, "node1", 5, 99), 0);      /* present: kept */
	assert_true(eku_hmap_gets(m, "node1", &v) && v == 1);
	assert_int_equal(eku_hmap_puts(m, "node1", 42), 0);        /* put replaces */
	assert_true(eku_hmap_gets(m, "node1", &v) && v == 42);
	assert_int_equal(eku_hmap_add(m, "a\0b", 3, 7), 1);        /* binary keys */
	assert_false(eku_hmap_get(m, "a\0c", 3, NULL));
	assert_false(eku_hmap_gets(m, "a", NULL));
	assert_int_equal(eku_hmap_add(m, "", 0, 8), 1);
	assert_true(eku_hmap_get(m, "", 0, &v) && v == 8);
	eku_hmap_free(m);
	eku_hmap_free(NULL);
}

/* eku_strv grows geometrically; contents survive every growth. */
static void test_strv_growth(void **state)
{
	eku_strv sv = { 0 };
	char s[16];

	(void)state;
	for (int i = 0; i < 1000; i++) {
		snprintf(s, sizeof(s), "s%d", i);
		assert_int_equal(eku_strv_push(&sv, s), 0);
	}
	assert_int_equal(sv.n, 1000);
	assert_string_equal(sv.v[0], "s0");
	assert_string_equal(sv.v[513], "s513");
	assert_string_equal(sv.v[999], "s999");
	assert_true(eku_strv_contains(&sv, "s768"));
	eku_strv_clear(&sv);
	assert_int_equal(sv.n, 0);
	assert_int_equal(eku_strv_push(&sv, "again"), 0);   /* usable after clear */
	assert_string_equal(sv.v[0], "again");
	eku_strv_clear(&sv);
}

/* A diag like a prototype (census's CT pages: source and line:column taken
 * apart from an error message), and add_copy, which is built on it. */
static void test_diaglist_add_like(void **state)
{
	struct eku_diag proto = { .source = "page-7.json", .line = 3, .column = 14,
				  .block = 2, .code = EKU_E_BAD_DATA, .severity = EKU_DIAG_WARNING,
				  .message = "ignored" };
	eku_diaglist d = { 0 }, copy = { .max = 1 };

	(void)state;
	assert_int_equal(eku_diaglist_set_source(&d, "default.json"), 0);
	assert_int_equal(eku_diaglist_add_like(&d, &proto, "%s at %d", "bad \x01value", 7), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].source, "page-7.json");
	assert_int_equal(d.v[0].line, 3);
	assert_int_equal(d.v[0].column, 14);
	assert_int_equal(d.v[0].block, 2);
	assert_int_equal(d.v[0].code, EKU_E_BAD_DATA);
	assert_int_equal(d.v[0].severity, EKU_DIAG_WARNING);
	assert_string_equal(d.v[0].message, "bad ?value at 7");   /* made printable */
	assert_int_equal(eku_diaglist_errors(&d), 0);               /* a warning */
	proto.source = NULL;                                        /* the list's default */
	proto.severity = EKU_DIAG_ERROR;
	assert_int_equal(eku_diaglist_add_like(&d, &proto, "second"), 0);
	assert_string_equal(d.v[1].source, "default.json");
	assert_int_equal(eku_diaglist_errors(&d), 1);
	/* add_copy: the same diag in another list, whose cap still counts it */
	assert_int_equal(eku_diaglist_add_copy(&copy, &d.v[1]), 0);
	assert_int_equal(eku_diaglist_add_copy(&copy, &d.v[1]), 0);
	assert_int_equal(copy.n, 1);
	assert_int_equal(eku_diaglist_errors(&copy), 2);
	assert_string_equal(copy.v[0].message, "second");
	assert_string_equal(copy.v[0].source, "default.json");
	eku_diaglist_clear(&d);
	eku_diaglist_clear(&copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_format_roundtrip),
		cmocka_unit_test(test_days_between),
		cmocka_unit_test(test_hex_and_wipe),
		cmocka_unit_test(test_cursor_reads),
		cmocka_unit_test(test_cursor_lines),
		cmocka_unit_test(test_error_first_wins),
		cmocka_unit_test(test_utf8_sanitize),
		cmocka_unit_test(test_utf8_check),
		cmocka_unit_test(test_utf8_escape),
		cmocka_unit_test(test_hmap),
		cmocka_unit_test(test_strv_growth),
		cmocka_unit_test(test_diaglist_add_like),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
