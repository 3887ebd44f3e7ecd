/* Unit tests: STARTTLS dialogues and in-TLS application replies, as tables of
 * (protocol, peer bytes per step, expected verdict). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "starttls.h"

#define LDAP_OK "\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00"
#define LDAP_REFUSED "\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x34\x04\x00\x04\x00"

struct dialogue {
	const char *name;
	enum eku_proto proto;
	const char *replies[4];  /* the peer's reply to each step */
	size_t lens[4];          /* 0: strlen */
	enum st_verdict last;    /* verdict of the last reply given */
	const char *banner;      /* expected banner, NULL: don't care */
	const char *message;     /* fragment of the failure message */
};

static const struct dialogue dialogues[] = {
	{ "smtp happy path", EKU_PROTO_SMTP,
	  { "220 mx.example ESMTP\r\n", "250-mx.example\r\n250 STARTTLS\r\n", "220 go ahead\r\n" }, { 0 },
	  ST_NEXT, "mx.example ESMTP", NULL },
	{ "smtp multi-line greeting", EKU_PROTO_SMTP,
	  { "220-first\r\n220-second\r\n220 last\r\n", "250 ok\r\n", "220 go\r\n" }, { 0 }, ST_NEXT, "first", NULL },
	{ "smtp bare LF line endings", EKU_PROTO_SMTP,
	  { "220 hi\n", "250 ok\n", "220 go\n" }, { 0 }, ST_NEXT, "hi", NULL },
	{ "smtp greeting split mid-line", EKU_PROTO_SMTP, { "220 mx" }, { 0 }, ST_MORE, NULL, NULL },
	{ "smtp multi-line not finished", EKU_PROTO_SMTP, { "220-mx\r\n" }, { 0 }, ST_MORE, NULL, NULL },
	{ "smtp 554 greeting", EKU_PROTO_SMTP, { "554 go away\r\n" }, { 0 }, ST_FAIL_STARTTLS, NULL, "554" },
	{ "smtp STARTTLS refused", EKU_PROTO_SMTP,
	  { "220 a\r\n", "250 a\r\n", "454 TLS not available\r\n" }, { 0 }, ST_FAIL_STARTTLS, NULL, "454" },
	{ "smtp garbage", EKU_PROTO_SMTP, { "HTTP/1.1 400 Bad Request\r\n" }, { 0 }, ST_FAIL_STARTTLS, NULL,
	  "not a numeric reply" },
	{ "smtp code with junk separator", EKU_PROTO_SMTP, { "220xhello\r\n" }, { 0 }, ST_FAIL_STARTTLS, NULL, NULL },
	{ "imap happy path", EKU_PROTO_IMAP,
	  { "* OK IMAP ready\r\n", "* CAPABILITY IMAP4rev1\r\ne1 OK begin\r\n" }, { 0 }, ST_NEXT, "IMAP ready", NULL },
	{ "imap refused", EKU_PROTO_IMAP, { "* OK x\r\n", "e1 BAD no\r\n" }, { 0 }, ST_FAIL_STARTTLS, NULL, "refused" },
	{ "imap BYE greeting", EKU_PROTO_IMAP, { "* BYE busy\r\n" }, { 0 }, ST_FAIL_STARTTLS, NULL, "greeting" },
	{ "pop3 happy path", EKU_PROTO_POP3, { "+OK ready\r\n", "+OK go\r\n" }, { 0 }, ST_NEXT, "ready", NULL },
	{ "pop3 -ERR", EKU_PROTO_POP3, { "+OK ready\r\n", "-ERR no\r\n" }, { 0 }, ST_FAIL_STARTTLS, NULL, "-ERR" },
	{ "ftp happy path", EKU_PROTO_FTP, { "220 (vsFTPd)\r\n", "234 go\r\n" }, { 0 }, ST_NEXT, "(vsFTPd)", NULL },
	{ "ftp AUTH refused", EKU_PROTO_FTP, { "220 x\r\n", "500 no\r\n" }, { 0 }, ST_FAIL_STARTTLS, NULL, "500" },
	{ "ldap success", EKU_PROTO_LDAP, { LDAP_OK }, { 14 }, ST_NEXT, NULL, NULL },
	{ "ldap partial", EKU_PROTO_LDAP, { LDAP_OK }, { 9 }, ST_MORE, NULL, NULL },
	{ "ldap refused (unavailable)", EKU_PROTO_LDAP, { LDAP_REFUSED }, { 14 }, ST_FAIL_STARTTLS, NULL, "52" },
	{ "ldap not BER", EKU_PROTO_LDAP, { "220 smtp\r\n" }, { 0 }, ST_FAIL_PROTOCOL, NULL, NULL },
	{ "ldap indefinite length", EKU_PROTO_LDAP, { "\x30\x80\x02\x01\x01" }, { 5 }, ST_FAIL_PROTOCOL, NULL, NULL },
	{ "xmpp happy path", EKU_PROTO_XMPP_CLIENT,
	  { "<?xml version='1.0'?><stream:stream><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
	    "</stream:features>", "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" }, { 0 }, ST_NEXT, NULL, NULL },
	{ "xmpp features incomplete", EKU_PROTO_XMPP_SERVER, { "<stream:stream><stream:features>" }, { 0 }, ST_MORE,
	  NULL, NULL },
	{ "xmpp no starttls offered", EKU_PROTO_XMPP_CLIENT, { "<stream:stream><stream:features></stream:features>" },
	  { 0 }, ST_FAIL_STARTTLS, NULL, "does not offer" },
	{ "xmpp failure", EKU_PROTO_XMPP_CLIENT,
	  { "<stream:features><starttls/></stream:features>", "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" },
	  { 0 }, ST_FAIL_STARTTLS, NULL, "failure" },
	{ "xmpp stream error", EKU_PROTO_XMPP_CLIENT, { "<stream:stream><stream:error>" }, { 0 }, ST_FAIL_STARTTLS, NULL,
	  "error" },
	{ "xmpp not XML", EKU_PROTO_XMPP_CLIENT, { "220 smtp here\r\n" }, { 0 }, ST_FAIL_STARTTLS, NULL, "not an XMPP" },
	{ "postgres S", EKU_PROTO_POSTGRES, { "S" }, { 0 }, ST_NEXT, NULL, NULL },
	{ "postgres N", EKU_PROTO_POSTGRES, { "N" }, { 0 }, ST_FAIL_STARTTLS, NULL, "'N'" },
	{ "postgres garbage", EKU_PROTO_POSTGRES, { "H" }, { 0 }, ST_FAIL_PROTOCOL, NULL, "PostgreSQL" },
};

static void run_dialogue(const struct dialogue *d)
{
	struct starttls st;
	char req[1024];
	size_t used;
	enum st_verdict v = ST_NEXT;

	starttls_init(&st, d->proto, "example.org", NULL);
	assert_true(starttls_needed(d->proto));
	for (int i = 0; i < 4 && d->replies[i] != NULL; i++) {
		size_t len = d->lens[i] ? d->lens[i] : strlen(d->replies[i]);
		assert_false(starttls_done(&st));
		assert_true(starttls_request(&st, req, sizeof(req)) >= 0);
		v = starttls_feed(&st, (const uint8_t *)d->replies[i], len, &used);
		if (v != ST_NEXT)
			break;
		assert_int_equal(used, len);
	}
	assert_int_equal(v, d->last);
	if (v == ST_NEXT)
		assert_true(starttls_done(&st));
	if (d->banner != NULL)
		assert_string_equal(st.banner, d->banner);
	if (d->message != NULL)
		assert_non_null(strstr(st.message, d->message));
}

static void test_dialogues(void **state)
{
	for (size_t i = 0; i < sizeof(dialogues) / sizeof(dialogues[0]); i++) {
		print_message("case: %s\n", dialogues[i].name);
		run_dialogue(&dialogues[i]);
	}
}

/* A reply line longer than ST_MAX_LINE is a protocol error, with or without
 * its line end; just under the limit still waits for more. */
static void test_oversized_lines(void **state)
{
	static uint8_t buf[ST_MAX_LINE * 2];
	struct starttls st;
	size_t used;

	memcpy(buf, "220-", 4);
	memset(buf + 4, 'A', sizeof(buf) - 4);
	starttls_init(&st, EKU_PROTO_SMTP, NULL, NULL);
	assert_int_equal(starttls_feed(&st, buf, ST_MAX_LINE, &used), ST_MORE);
	assert_int_equal(starttls_feed(&st, buf, sizeof(buf), &used), ST_FAIL_PROTOCOL);
	assert_non_null(strstr(st.message, "longer than"));
	buf[ST_MAX_LINE + 10] = '\n';
	starttls_init(&st, EKU_PROTO_SMTP, NULL, NULL);
	assert_int_equal(starttls_feed(&st, buf, ST_MAX_LINE + 11, &used), ST_FAIL_PROTOCOL);
}

static void test_requests(void **state)
{
	struct starttls st;
	char req[1024];
	int n;

	starttls_init(&st, EKU_PROTO_XMPP_SERVER, "peer.example", "me.example");
	n = starttls_request(&st, req, sizeof(req));
	assert_true(n > 0);
	assert_non_null(strstr(req, "xmlns='jabber:server'"));
	assert_non_null(strstr(req, "to='peer.example' from='me.example'"));
	assert_int_equal(starttls_request(&st, req, 10), -1);
	starttls_init(&st, EKU_PROTO_SMTP, NULL, NULL);
	assert_int_equal(starttls_request(&st, req, sizeof(req)), 0); /* the server speaks first */
	assert_false(starttls_needed(EKU_PROTO_TLS));
	assert_false(starttls_needed(EKU_PROTO_SIP));
	assert_false(starttls_needed(EKU_PROTO_HTTPS));
}

static const struct app_case {
	const char *name;
	enum eku_proto proto;
	const char *bytes;
	bool eof;
	enum st_verdict v;
	int status;
	const char *banner, *reason;
} app_cases[] = {
	{ "nginx 400 certificate error", EKU_PROTO_HTTPS,
	  "HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\nContent-Length: 52\r\n\r\n"
	  "<html><head><title>400 The SSL certificate error</title>", false, ST_NEXT, 400, "nginx/1.22.1",
	  "400 The SSL certificate error" },
	{ "http head only, body pending", EKU_PROTO_HTTPS, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", false,
	  ST_MORE, 0, NULL, NULL },
	{ "http head only at eof", EKU_PROTO_HTTPS, "HTTP/1.1 200 OK\r\n\r\n", true, ST_NEXT, 200, "", "HTTP/1.1 200 OK" },
	{ "http incomplete head", EKU_PROTO_HTTPS, "HTTP/1.1 200 OK\r\nServ", false, ST_MORE, 0, NULL, NULL },
	{ "not http", EKU_PROTO_HTTPS, "SSH-2.0-OpenSSH\r\n", false, ST_FAIL_PROTOCOL, 0, NULL, NULL },
	{ "sip server banner", EKU_PROTO_SIP,
	  "SIP/2.0 200 OK\r\nServer: TANDBERG/4352 (X15.3.2)\r\nContent-Length: 0\r\n\r\n", false, ST_NEXT, 200,
	  "TANDBERG/4352 (X15.3.2)", NULL },
	{ "sip user-agent banner", EKU_PROTO_SIP, "SIP/2.0 403 Forbidden\r\nUser-Agent: Cisco-CUBE\r\n\r\n", false,
	  ST_NEXT, 403, "Cisco-CUBE", NULL },
	{ "sip bad status", EKU_PROTO_SIP, "SIP/2.0 abc\r\n\r\n", false, ST_FAIL_PROTOCOL, 0, NULL, NULL },
};

static void test_app_replies(void **state)
{
	for (size_t i = 0; i < sizeof(app_cases) / sizeof(app_cases[0]); i++) {
		const struct app_case *c = &app_cases[i];
		struct app_reply a;

		print_message("case: %s\n", c->name);
		assert_int_equal(app_reply_parse(c->proto, (const uint8_t *)c->bytes, strlen(c->bytes), c->eof, &a), c->v);
		if (c->v != ST_NEXT)
			continue;
		assert_int_equal(a.status, c->status);
		if (c->banner != NULL)
			assert_string_equal(a.banner, c->banner);
		if (c->reason != NULL)
			assert_string_equal(a.reason, c->reason);
	}
}

/* PostgreSQL: binary messages (NULs inside), so explicit lengths. */
static const struct pg_case {
	const char *name;
	const char *bytes;
	size_t len;
	bool eof;
	enum st_verdict v;
	int status;
	const char *reason;
} pg_cases[] = {
#define PG_E "E\0\0\0\x4aSFATAL\0VFATAL\0C28000\0Mconnection requires a valid client certificate\0\0"
	{ "clientcert: FATAL 28000 names the certificate", PG_E, sizeof(PG_E) - 1, false, ST_NEXT, 'E',
	  "FATAL 28000: connection requires a valid client certificate" },
	{ "error split across reads", PG_E, 20, false, ST_MORE, 0, NULL },
	{ "error cut by eof", PG_E, 20, true, ST_FAIL_PROTOCOL, 0, NULL },
	{ "AuthenticationOk", "R\0\0\0\x08\0\0\0\0", 9, false, ST_NEXT, 'R', "authentication request 0 (ok)" },
	{ "password requested (md5 = 5)", "R\0\0\0\x0c\0\0\0\x05salt", 13, false, ST_NEXT, 'R',
	  "authentication request 5" },
	{ "length below 4", "E\0\0\0\x03", 5, false, ST_FAIL_PROTOCOL, 0, NULL },
	{ "absurd length", "E\x7f\0\0\0", 5, false, ST_FAIL_PROTOCOL, 0, NULL },
	{ "unterminated field stays inside the message", "E\0\0\0\x08Mabc", 9, false, ST_NEXT, 'E', " : " },
#undef PG_E
};

static void test_pg_replies(void **state)
{
	char buf[256];

	for (size_t i = 0; i < sizeof(pg_cases) / sizeof(pg_cases[0]); i++) {
		const struct pg_case *c = &pg_cases[i];
		struct app_reply a;

		print_message("case: %s\n", c->name);
		assert_int_equal(app_reply_parse(EKU_PROTO_POSTGRES, (const uint8_t *)c->bytes, c->len, c->eof, &a), c->v);
		if (c->v != ST_NEXT)
			continue;
		assert_int_equal(a.status, c->status);
		assert_string_equal(a.reason, c->reason);
	}
	/* StartupMessage: length, protocol 3.0, user, database, final NUL */
	assert_int_equal(app_pg_startup("client.example", buf, sizeof(buf)), 73);
	assert_memory_equal(buf, "\0\0\0\x49\0\x03\0\0user\0client.example\0database\0postgres\0", 46);
	assert_int_equal(buf[72], 0);
	assert_int_equal(app_pg_startup("client.example", buf, 40), -1);
}

static void test_app_requests(void **state)
{
	char buf[2048];

	assert_true(app_request(EKU_PROTO_HTTPS, "www.example", 443, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "Host: www.example\r\n"));
	assert_true(app_request(EKU_PROTO_SIP, "expe.example", 5061, buf, sizeof(buf)) > 0);
	assert_true(strncmp(buf, "OPTIONS sip:expe.example:5061;transport=tls SIP/2.0\r\n", 52) == 0);
	assert_int_equal(app_request(EKU_PROTO_SIP, "expe.example", 5061, buf, 20), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dialogues),
		cmocka_unit_test(test_oversized_lines),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_app_replies),
		cmocka_unit_test(test_app_requests),
		cmocka_unit_test(test_pg_replies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
