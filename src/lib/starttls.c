/* STARTTLS dialogues: SMTP (RFC 3207), IMAP (RFC 3501 6.2.1), POP3 (RFC 2595
 * 4), FTP (RFC 4217 4), LDAP (RFC 4511 4.14), XMPP (RFC 6120 5.4), PostgreSQL
 * (protocol-flow "SSL Session Encryption"), as step tables over eku_cursor.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <eku/cursor.h>

#include "starttls.h"

typedef int (*st_send_fn)(const struct starttls *st, char *buf, size_t cap);
typedef enum st_verdict (*st_expect_fn)(struct starttls *st, eku_cursor *in);

struct st_step {
	st_send_fn send;     /* NULL: the peer speaks first */
	st_expect_fn expect;
};

/* ---- helpers ------------------------------------------------------------- */

static enum st_verdict fail(struct starttls *st, enum st_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum st_verdict fail(struct starttls *st, enum st_verdict v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->message, sizeof(st->message), fmt, ap);
	va_end(ap);
	return v;
}

/* Printable excerpt of untrusted bytes for messages and banners. */
static void excerpt(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 1 < cap; i++)
		out[j++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '.';
	out[j] = '\0';
}

/* One line: 0 got it, 1 incomplete, -1 longer than ST_MAX_LINE. */
static int get_line(eku_cursor *c, const uint8_t **line, size_t *len)
{
	if (eku_cursor_line(c, ST_MAX_LINE, line, len) == 0)
		return 0;
	return c->left > ST_MAX_LINE + 1 || memchr(c->p, '\n', c->left) != NULL ? -1 : 1;
}

static enum st_verdict line_error(struct starttls *st, int r)
{
	if (r > 0)
		return ST_MORE;
	return fail(st, ST_FAIL_PROTOCOL, "reply line longer than %s bytes", "2048");
}

/* SMTP/FTP reply (RFC 5321 4.2): "ddd-text" lines then "ddd text". Sets
 * *code and copies the first line's text into st->banner when want_banner. */
static enum st_verdict numeric_reply(struct starttls *st, eku_cursor *in, int *code, bool want_banner)
{
	const uint8_t *l;
	size_t n;
	int r;
	char ex[64];

	for (;;) {
		if ((r = get_line(in, &l, &n)) != 0)
			return line_error(st, r);
		if (n < 3 || l[0] < '1' || l[0] > '5' || l[1] < '0' || l[1] > '9' || l[2] < '0' ||
		    l[2] > '9' || (n > 3 && l[3] != ' ' && l[3] != '-')) {
			excerpt(l, n < 40 ? n : 40, ex, sizeof(ex));
			return fail(st, ST_FAIL_STARTTLS, "not a numeric reply: '%s'", ex);
		}
		*code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
		if (want_banner && st->banner[0] == '\0' && n > 4)
			excerpt(l + 4, n - 4, st->banner, sizeof(st->banner));
		if (n == 3 || l[3] == ' ')
			return ST_NEXT;
	}
}

static enum st_verdict expect_code(struct starttls *st, eku_cursor *in, int want, bool banner)
{
	int code = 0;
	enum st_verdict v = numeric_reply(st, in, &code, banner);
	char num[8];

	if (v != ST_NEXT)
		return v;
	if (code == want)
		return ST_NEXT;
	snprintf(num, sizeof(num), "%d", code);
	return fail(st, ST_FAIL_STARTTLS, "server answered %s", num);
}

static int send_text(char *buf, size_t cap, const char *text)
{
	size_t n = strlen(text);

	if (n >= cap)
		return -1;
	memcpy(buf, text, n + 1);
	return (int)n;
}

/* ---- SMTP / FTP ---------------------------------------------------------- */

static enum st_verdict smtp_greeting(struct starttls *st, eku_cursor *in)
{
	return expect_code(st, in, 220, true);
}
static int smtp_ehlo(const struct starttls *st, char *b, size_t cap)
{
	return send_text(b, cap, "EHLO eku-scan.invalid\r\n");
}
static enum st_verdict smtp_250(struct starttls *st, eku_cursor *in)
{
	return expect_code(st, in, 250, false);
}
static int smtp_starttls(const struct starttls *st, char *b, size_t cap)
{
	return send_text(b, cap, "STARTTLS\r\n");
}
static enum st_verdict code_220(struct starttls *st, eku_cursor *in)
{
	return expect_code(st, in, 220, false);
}
static int ftp_auth(const struct starttls *st, char *b, size_t cap)
{
	return send_text(b, cap, "AUTH TLS\r\n");
}
static enum st_verdict ftp_234(struct starttls *st, eku_cursor *in)
{
	return expect_code(st, in, 234, false);
}

/* ---- POP3 / IMAP --------------------------------------------------------- */

static enum st_verdict pop3_ok(struct starttls *st, eku_cursor *in, bool banner)
{
	const uint8_t *l;
	size_t n;
	int r;
	char ex[64];

	if ((r = get_line(in, &l, &n)) != 0)
		return line_error(st, r);
	if (n >= 3 && memcmp(l, "+OK", 3) == 0) {
		if (banner && n > 4)
			excerpt(l + 4, n - 4, st->banner, sizeof(st->banner));
		return ST_NEXT;
	}
	excerpt(l, n < 40 ? n : 40, ex, sizeof(ex));
	return fail(st, ST_FAIL_STARTTLS, "expected +OK, got '%s'", ex);
}
static enum st_verdict pop3_greeting(struct starttls *st, eku_cursor *in) { return pop3_ok(st, in, true); }
static enum st_verdict pop3_reply(struct starttls *st, eku_cursor *in) { return pop3_ok(st, in, false); }
static int pop3_stls(const struct starttls *st, char *b, size_t cap) { return send_text(b, cap, "STLS\r\n"); }

static enum st_verdict imap_greeting(struct starttls *st, eku_cursor *in)
{
	const uint8_t *l;
	size_t n;
	int r;
	char ex[64];

	if ((r = get_line(in, &l, &n)) != 0)
		return line_error(st, r);
	if (n >= 4 && (memcmp(l, "* OK", 4) == 0)) {
		size_t k = n > 4 && l[4] == ' ' ? 5 : 4;
		excerpt(l + k, n - k, st->banner, sizeof(st->banner));
		return ST_NEXT;
	}
	excerpt(l, n < 40 ? n : 40, ex, sizeof(ex));
	return fail(st, ST_FAIL_STARTTLS, "expected '* OK' greeting, got '%s'", ex);
}
static int imap_starttls(const struct starttls *st, char *b, size_t cap)
{
	return send_text(b, cap, "e1 STARTTLS\r\n");
}
/* Untagged "* ..." lines may precede the tagged completion. */
static enum st_verdict imap_tagged(struct starttls *st, eku_cursor *in)
{
	const uint8_t *l;
	size_t n;
	int r;
	char ex[64];

	for (;;) {
		if ((r = get_line(in, &l, &n)) != 0)
			return line_error(st, r);
		if (n >= 1 && l[0] == '*')
			continue;
		if (n >= 5 && memcmp(l, "e1 OK", 5) == 0)
			return ST_NEXT;
		excerpt(l, n < 40 ? n : 40, ex, sizeof(ex));
		return fail(st, ST_FAIL_STARTTLS, "STARTTLS refused: '%s'", ex);
	}
}

/* ---- LDAP (BER, RFC 4511 4.14.2) ----------------------------------------- */

static const uint8_t ldap_starttls_req[] = {
	0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16,
	'1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.', '1', '4', '6', '6', '.',
	'2', '0', '0', '3', '7',
};

static int ldap_send(const struct starttls *st, char *b, size_t cap)
{
	if (cap < sizeof(ldap_starttls_req))
		return -1;
	memcpy(b, ldap_starttls_req, sizeof(ldap_starttls_req));
	return (int)sizeof(ldap_starttls_req);
}

/* Reads a BER tag and definite length: 0 ok, 1 incomplete, -1 malformed. */
static int ber_tl(eku_cursor *c, uint8_t *tag, size_t *len)
{
	uint8_t b, nb;
	size_t v = 0;

	if (eku_cursor_u8(c, tag) != 0 || eku_cursor_u8(c, &b) != 0)
		return 1;
	if ((*tag & 0x1f) == 0x1f)
		return -1; /* high tag numbers never occur in this exchange */
	if (b < 0x80) {
		*len = b;
		return 0;
	}
	nb = b & 0x7f;
	if (nb == 0 || nb > 3)
		return -1; /* indefinite, or beyond ST_MAX_REPLY */
	for (uint8_t i = 0; i < nb; i++) {
		if (eku_cursor_u8(c, &b) != 0)
			return 1;
		v = v << 8 | b;
	}
	*len = v;
	return v > ST_MAX_REPLY ? -1 : 0;
}

static enum st_verdict ldap_reply(struct starttls *st, eku_cursor *in)
{
	eku_cursor msg, op;
	uint8_t tag, rc;
	size_t len;
	int r;
	char num[8];

	if ((r = ber_tl(in, &tag, &len)) != 0 || tag != 0x30)
		return r > 0 ? ST_MORE : fail(st, ST_FAIL_PROTOCOL, "%s", "not an LDAP message");
	if (eku_cursor_sub(in, len, &msg) != 0)
		return ST_MORE;
	/* messageID INTEGER, then protocolOp [APPLICATION 24] ExtendedResponse */
	if (ber_tl(&msg, &tag, &len) != 0 || tag != 0x02 || eku_cursor_skip(&msg, len) != 0 ||
	    ber_tl(&msg, &tag, &len) != 0 || eku_cursor_sub(&msg, len, &op) != 0)
		return fail(st, ST_FAIL_PROTOCOL, "%s", "malformed LDAP message");
	if (tag != 0x78)
		return fail(st, ST_FAIL_STARTTLS, "%s", "server did not answer the StartTLS request");
	if (ber_tl(&op, &tag, &len) != 0 || tag != 0x0a || len != 1 || eku_cursor_u8(&op, &rc) != 0)
		return fail(st, ST_FAIL_PROTOCOL, "%s", "malformed LDAP ExtendedResponse");
	if (rc == 0)
		return ST_NEXT;
	snprintf(num, sizeof(num), "%u", rc);
	return fail(st, ST_FAIL_STARTTLS, "StartTLS refused with LDAP result code %s", num);
}

/* ---- XMPP ------------------------------------------------------------------ */

static int xmpp_open(const struct starttls *st, char *b, size_t cap, const char *ns)
{
	int n;

	if (st->from != NULL)
		n = snprintf(b, cap, "<?xml version='1.0'?><stream:stream xmlns='%s' "
			"xmlns:stream='http://etherx.jabber.org/streams' to='%s' from='%s' version='1.0'>",
			ns, st->to ? st->to : "", st->from);
	else
		n = snprintf(b, cap, "<?xml version='1.0'?><stream:stream xmlns='%s' "
			"xmlns:stream='http://etherx.jabber.org/streams' to='%s' version='1.0'>",
			ns, st->to ? st->to : "");
	return n < 0 || (size_t)n >= cap ? -1 : n;
}
static int xmpp_c2s_open(const struct starttls *st, char *b, size_t cap)
{
	return xmpp_open(st, b, cap, "jabber:client");
}
static int xmpp_s2s_open(const struct starttls *st, char *b, size_t cap)
{
	return xmpp_open(st, b, cap, "jabber:server");
}

static bool contains(const eku_cursor *c, const char *s)
{
	return memmem(c->p, c->left, s, strlen(s)) != NULL;
}

/* Waits for the end of <stream:features> and checks it offers <starttls>. */
static enum st_verdict xmpp_features(struct starttls *st, eku_cursor *in)
{
	size_t i = 0;
	char ex[64];

	while (i < in->left && (in->p[i] == ' ' || in->p[i] == '\r' || in->p[i] == '\n' || in->p[i] == '\t'))
		i++;
	if (i < in->left && in->p[i] != '<') {
		excerpt(in->p + i, in->left - i < 40 ? in->left - i : 40, ex, sizeof(ex));
		return fail(st, ST_FAIL_STARTTLS, "not an XMPP stream: '%s'", ex);
	}
	if (contains(in, "<stream:error"))
		return fail(st, ST_FAIL_STARTTLS, "%s", "server closed the stream with an error");
	if (!contains(in, "</stream:features>") && !contains(in, "<stream:features/>")) {
		if (in->left >= ST_MAX_REPLY)
			return fail(st, ST_FAIL_PROTOCOL, "%s", "stream features too long");
		return ST_MORE;
	}
	if (!contains(in, "<starttls"))
		return fail(st, ST_FAIL_STARTTLS, "%s", "server does not offer STARTTLS");
	return eku_cursor_skip(in, in->left) == 0 ? ST_NEXT : ST_FAIL_PROTOCOL;
}
static int xmpp_starttls(const struct starttls *st, char *b, size_t cap)
{
	return send_text(b, cap, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
}
static enum st_verdict xmpp_proceed(struct starttls *st, eku_cursor *in)
{
	const uint8_t *gt = memchr(in->p, '>', in->left);

	if (contains(in, "<failure"))
		return fail(st, ST_FAIL_STARTTLS, "%s", "server refused STARTTLS (<failure/>)");
	if (gt == NULL)
		return in->left >= ST_MAX_REPLY ? fail(st, ST_FAIL_PROTOCOL, "%s", "reply too long") : ST_MORE;
	if (!contains(in, "<proceed"))
		return fail(st, ST_FAIL_STARTTLS, "%s", "expected <proceed/>");
	return eku_cursor_skip(in, (size_t)(gt - in->p) + 1) == 0 ? ST_NEXT : ST_FAIL_PROTOCOL;
}

/* ---- PostgreSQL SSLRequest ------------------------------------------------ */

static int pg_sslrequest(const struct starttls *st, char *b, size_t cap)
{
	static const uint8_t req[8] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f }; /* 80877103 */

	if (cap < sizeof(req))
		return -1;
	memcpy(b, req, sizeof(req));
	return (int)sizeof(req);
}
static enum st_verdict pg_reply(struct starttls *st, eku_cursor *in)
{
	uint8_t b;

	if (eku_cursor_u8(in, &b) != 0)
		return ST_MORE;
	if (b == 'S')
		return ST_NEXT;
	if (b == 'N')
		return fail(st, ST_FAIL_STARTTLS, "%s", "server does not accept TLS (answered 'N')");
	if (b == 'E')
		return fail(st, ST_FAIL_STARTTLS, "%s", "server answered the SSLRequest with an error");
	return fail(st, ST_FAIL_PROTOCOL, "%s", "not a PostgreSQL server");
}

/* ---- tables ---------------------------------------------------------------- */

#define MAX_STEPS 4
static const struct st_step steps[EKU_PROTO__COUNT][MAX_STEPS] = {
	[EKU_PROTO_SMTP] = { { NULL, smtp_greeting }, { smtp_ehlo, smtp_250 }, { smtp_starttls, code_220 } },
	[EKU_PROTO_FTP] = { { NULL, smtp_greeting }, { ftp_auth, ftp_234 } },
	[EKU_PROTO_POP3] = { { NULL, pop3_greeting }, { pop3_stls, pop3_reply } },
	[EKU_PROTO_IMAP] = { { NULL, imap_greeting }, { imap_starttls, imap_tagged } },
	[EKU_PROTO_LDAP] = { { ldap_send, ldap_reply } },
	[EKU_PROTO_XMPP_CLIENT] = { { xmpp_c2s_open, xmpp_features }, { xmpp_starttls, xmpp_proceed } },
	[EKU_PROTO_XMPP_SERVER] = { { xmpp_s2s_open, xmpp_features }, { xmpp_starttls, xmpp_proceed } },
	[EKU_PROTO_POSTGRES] = { { pg_sslrequest, pg_reply } },
};

bool starttls_needed(enum eku_proto proto)
{
	return (unsigned)proto < EKU_PROTO__COUNT && steps[proto][0].expect != NULL;
}

void starttls_init(struct starttls *st, enum eku_proto proto, const char *to, const char *from)
{
	memset(st, 0, sizeof(*st));
	st->proto = proto;
	st->to = to;
	st->from = from;
}

bool starttls_done(const struct starttls *st)
{
	return !starttls_needed(st->proto) || st->step >= MAX_STEPS ||
	       steps[st->proto][st->step].expect == NULL;
}

int starttls_request(const struct starttls *st, char *buf, size_t cap)
{
	if (starttls_done(st) || steps[st->proto][st->step].send == NULL)
		return 0;
	return steps[st->proto][st->step].send(st, buf, cap);
}

enum st_verdict starttls_feed(struct starttls *st, const uint8_t *in, size_t len, size_t *used)
{
	eku_cursor c = eku_cursor_make(in, len);
	enum st_verdict v;

	*used = 0;
	if (starttls_done(st))
		return ST_NEXT;
	v = steps[st->proto][st->step].expect(st, &c);
	if (v == ST_MORE && len >= ST_MAX_REPLY)
		v = fail(st, ST_FAIL_PROTOCOL, "%s", "reply exceeds 65536 bytes");
	if (v == ST_NEXT) {
		*used = len - c.left;
		st->step++;
	}
	return v;
}
