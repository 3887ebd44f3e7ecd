/* libFuzzer harness: the STARTTLS reply parsers and the in-TLS application
 * reply parser. The first byte picks the protocol; the rest is the peer's
 * byte stream, fed to the dialogue step by step in chunks whose sizes come
 * from the input too, exactly as probe.c accumulates and re-parses it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "starttls.h"

static void dialogue(enum eku_proto proto, const uint8_t *data, size_t size)
{
	static uint8_t acc[ST_MAX_REPLY];
	struct starttls st;
	char req[2048];
	size_t len = 0, used, pos = 0;
	enum st_verdict v = ST_MORE;

	starttls_init(&st, proto, "example.org", proto == EKU_PROTO_XMPP_SERVER ? "me.example" : NULL);
	while (pos < size && !starttls_done(&st)) {
		size_t chunk = 1 + data[pos] % 64;
		pos++;
		if (chunk > size - pos)
			chunk = size - pos;
		if (chunk > sizeof(acc) - len)
			chunk = sizeof(acc) - len;
		memcpy(acc + len, data + pos, chunk);
		len += chunk;
		pos += chunk;
		if (starttls_request(&st, req, sizeof(req)) < 0)
			__builtin_trap();
		v = starttls_feed(&st, acc, len, &used);
		if (v == ST_FAIL_STARTTLS || v == ST_FAIL_PROTOCOL)
			return;
		if (v == ST_NEXT) {
			if (used > len)
				__builtin_trap();
			memmove(acc, acc + used, len - used);
			len -= used;
		}
		if (len == sizeof(acc) && v == ST_MORE)
			return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum eku_proto protos[] = { EKU_PROTO_SMTP, EKU_PROTO_IMAP, EKU_PROTO_POP3, EKU_PROTO_FTP,
		EKU_PROTO_LDAP, EKU_PROTO_XMPP_CLIENT, EKU_PROTO_XMPP_SERVER, EKU_PROTO_POSTGRES,
		EKU_PROTO_HTTPS, EKU_PROTO_SIP };
	struct app_reply a;
	enum eku_proto p;

	if (size < 1)
		return 0;
	p = protos[data[0] % (sizeof(protos) / sizeof(protos[0]))];
	if (p == EKU_PROTO_POSTGRES) {
		/* the first backend message after the StartupMessage (inside TLS) */
		(void)app_reply_parse(p, data + 1, size - 1, false, &a);
		(void)app_reply_parse(p, data + 1, size - 1, true, &a);
	}
	if (p == EKU_PROTO_HTTPS || p == EKU_PROTO_SIP) {
		(void)app_reply_parse(p, data + 1, size - 1, false, &a);
		(void)app_reply_parse(p, data + 1, size - 1, true, &a);
		return 0;
	}
	dialogue(p, data + 1, size - 1);
	return 0;
}
