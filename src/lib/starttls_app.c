/* Application probes spoken inside TLS: an HTTP/1.1 GET (RFC 9112), whose
 * answer tells how servers such as nginx judged the client certificate after
 * the handshake, and a SIP OPTIONS request (RFC 3261 11) whose answer names
 * the product in Server / User-Agent, and a PostgreSQL StartupMessage whose
 * first answer says whether hba's clientcert / cert rules accepted the
 * connection (PostgreSQL judges the certificate after TLS, like nginx).
 * Responses are parsed through eku_cursor.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <eku/cursor.h>

#include "starttls.h"

int app_request(enum eku_proto proto, const char *host, uint16_t port, char *buf, size_t cap)
{
	int n = 0;

	if (proto == EKU_PROTO_HTTPS)
		n = snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: eku-scan\r\n"
			"Accept: */*\r\nConnection: close\r\n\r\n", host);
	else if (proto == EKU_PROTO_SIP)
		n = snprintf(buf, cap,
			"OPTIONS sip:%s:%u;transport=tls SIP/2.0\r\n"
			"Via: SIP/2.0/TLS eku-scan.invalid;branch=z9hG4bKeku%lx\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:eku@eku-scan.invalid>;tag=eku%lx\r\n"
			"To: <sip:%s>\r\n"
			"Call-ID: eku%lx@eku-scan.invalid\r\n"
			"CSeq: 1 OPTIONS\r\n"
			"Contact: <sip:eku@eku-scan.invalid;transport=tls>\r\n"
			"Accept: application/sdp\r\n"
			"Content-Length: 0\r\n\r\n",
			host, port, random(), random(), host, random());
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* StartupMessage, protocol 3.0 (PostgreSQL docs, "Message Formats"): int32
 * length, int32 196608, then name/value C strings and a final NUL. */
int app_pg_startup(const char *user, char *buf, size_t cap)
{
	const char *kv[] = { "user", user, "database", "postgres", "application_name", "eku-scan" };
	size_t o = 8, k;

	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		k = strlen(kv[i]) + 1;
		if (k > 64 || o + k + 1 > cap)
			return -1;
		memcpy(buf + o, kv[i], k);
		o += k;
	}
	buf[o++] = '\0';
	buf[0] = 0;
	buf[1] = 0;
	buf[2] = (char)(o >> 8);
	buf[3] = (char)(o & 0xff);
	memcpy(buf + 4, "\x00\x03\x00\x00", 4);
	return (int)o;
}

static void copy_printable(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t j = 0;

	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	for (size_t i = 0; i < n && j + 1 < cap; i++)
		out[j++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '.';
	out[j] = '\0';
}

static bool header_is(const uint8_t *l, size_t n, const char *name, const uint8_t **val, size_t *vlen)
{
	size_t k = strlen(name);

	if (n <= k || l[k] != ':' || strncasecmp((const char *)l, name, k) != 0)
		return false;
	*val = l + k + 1;
	*vlen = n - k - 1;
	return true;
}

/* Decimal value within exactly vlen bytes (strtol would run past the line:
 * found by fuzz/starttls.c). -1 when absent or absurd. */
static long bounded_number(const uint8_t *v, size_t vlen)
{
	long n = 0;
	size_t i = 0;

	while (i < vlen && (v[i] == ' ' || v[i] == '\t'))
		i++;
	if (i == vlen)
		return -1;
	for (; i < vlen && v[i] >= '0' && v[i] <= '9'; i++) {
		n = n * 10 + (v[i] - '0');
		if (n > 1000000000L)
			return -1;
	}
	return n;
}

/* "HTTP/1.1 400 Bad Request" or "SIP/2.0 200 OK" */
static int status_line(const uint8_t *l, size_t n, const char *proto, int *status)
{
	size_t k = strlen(proto);

	if (n < k + 4 || memcmp(l, proto, k) != 0)
		return -1;
	while (k < n && l[k] != ' ')
		k++;
	if (k + 4 > n || l[k + 1] < '1' || l[k + 1] > '6' || l[k + 2] < '0' || l[k + 2] > '9' ||
	    l[k + 3] < '0' || l[k + 3] > '9')
		return -1;
	*status = (l[k + 1] - '0') * 100 + (l[k + 2] - '0') * 10 + (l[k + 3] - '0');
	return 0;
}

/* nginx names certificate problems in the page title ("400 The SSL
 * certificate error", "400 No required SSL certificate was sent"). */
static void body_title(eku_cursor body, struct app_reply *out)
{
	const uint8_t *a = memmem(body.p, body.left, "<title>", 7), *b;

	if (a == NULL)
		return;
	a += 7;
	b = memmem(a, body.left - (size_t)(a - body.p), "</title>", 8);
	if (b != NULL)
		copy_printable(a, (size_t)(b - a), out->reason, sizeof(out->reason));
}

#define PG_MAX_MESSAGE 8192

/* Error/notice fields: S (severity), C (SQLSTATE), M (message). */
static void pg_fields(eku_cursor c, struct app_reply *out)
{
	char sev[16] = "", code[8] = "", msg[128] = "";
	const uint8_t *v, *z;
	uint8_t t;

	while (eku_cursor_u8(&c, &t) == 0 && t != 0) {
		if ((z = memchr(c.p, 0, c.left)) == NULL || eku_cursor_bytes(&c, (size_t)(z - c.p) + 1, &v) != 0)
			break;
		if (t == 'S')
			copy_printable(v, (size_t)(z - v), sev, sizeof(sev));
		else if (t == 'C')
			copy_printable(v, (size_t)(z - v), code, sizeof(code));
		else if (t == 'M')
			copy_printable(v, (size_t)(z - v), msg, sizeof(msg));
	}
	snprintf(out->reason, sizeof(out->reason), "%s %s: %s", sev, code, msg);
}

/* The first backend message after a StartupMessage: ErrorResponse ('E'),
 * an authentication request ('R'), or anything else. status = its type. */
static enum st_verdict pg_reply_parse(const uint8_t *in, size_t len, bool eof, struct app_reply *out)
{
	eku_cursor c = eku_cursor_make(in, len), body;
	uint8_t type;
	uint32_t mlen, auth;

	if (eku_cursor_u8(&c, &type) != 0 || eku_cursor_u32(&c, &mlen) != 0)
		return eof ? ST_FAIL_PROTOCOL : ST_MORE;
	if (mlen < 4 || mlen > PG_MAX_MESSAGE)
		return ST_FAIL_PROTOCOL;
	if (eku_cursor_sub(&c, mlen - 4, &body) != 0)
		return eof ? ST_FAIL_PROTOCOL : ST_MORE;
	out->status = type;
	if (type == 'E' || type == 'N')
		pg_fields(body, out);
	else if (type == 'R' && eku_cursor_u32(&body, &auth) == 0)
		snprintf(out->reason, sizeof(out->reason), "authentication request %u%s", auth,
			auth == 0 ? " (ok)" : "");
	else
		snprintf(out->reason, sizeof(out->reason), "message type 0x%02x", type);
	return ST_NEXT;
}

enum st_verdict app_reply_parse(enum eku_proto proto, const uint8_t *in, size_t len, bool eof,
	struct app_reply *out)
{
	eku_cursor c = eku_cursor_make(in, len);
	const uint8_t *l, *v;
	size_t n, vl;
	long clen = -1;
	bool first = true;

	memset(out, 0, sizeof(*out));
	if (proto == EKU_PROTO_POSTGRES)
		return pg_reply_parse(in, len, eof, out);
	for (;;) {
		if (eku_cursor_line(&c, ST_MAX_LINE, &l, &n) != 0) {
			if (c.left > ST_MAX_LINE + 1 || memchr(c.p, '\n', c.left) != NULL)
				return ST_FAIL_PROTOCOL;
			return eof ? ST_FAIL_PROTOCOL : ST_MORE;
		}
		if (first) {
			if (status_line(l, n, proto == EKU_PROTO_SIP ? "SIP/2.0" : "HTTP/1.", &out->status) != 0)
				return ST_FAIL_PROTOCOL;
			copy_printable(l, n, out->reason, sizeof(out->reason));
			first = false;
			continue;
		}
		if (n == 0)
			break;
		if (header_is(l, n, "server", &v, &vl) ||
		    (out->banner[0] == '\0' && header_is(l, n, "user-agent", &v, &vl)))
			copy_printable(v, vl, out->banner, sizeof(out->banner));
		else if (header_is(l, n, "content-length", &v, &vl))
			clen = bounded_number(v, vl);
	}
	if (proto == EKU_PROTO_HTTPS && !eof && c.left < 4096 && (clen < 0 || (size_t)clen > c.left))
		return ST_MORE;
	if (proto == EKU_PROTO_HTTPS)
		body_title(c, out);
	return ST_NEXT;
}
