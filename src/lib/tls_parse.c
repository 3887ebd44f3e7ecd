/* TLS wire parsing: CertificateRequest (RFC 5246 7.4.4, RFC 8446 4.3.2 and
 * 4.2.4 certificate_authorities) and alert descriptions (RFC 8446 6, RFC
 * 5246 7.2). Reads through eku_cursor only.
 */
#include <string.h>

#include <eku/cursor.h>
#include <eku/probe.h>

#define EXT_CERTIFICATE_AUTHORITIES 47

const char *eku_tls_alert_name(uint8_t desc)
{
	switch (desc) {
	case 0: return "close_notify";
	case 10: return "unexpected_message";
	case 20: return "bad_record_mac";
	case 22: return "record_overflow";
	case 40: return "handshake_failure";
	case 42: return "bad_certificate";
	case 43: return "unsupported_certificate";
	case 44: return "certificate_revoked";
	case 45: return "certificate_expired";
	case 46: return "certificate_unknown";
	case 47: return "illegal_parameter";
	case 48: return "unknown_ca";
	case 49: return "access_denied";
	case 50: return "decode_error";
	case 51: return "decrypt_error";
	case 70: return "protocol_version";
	case 71: return "insufficient_security";
	case 80: return "internal_error";
	case 86: return "inappropriate_fallback";
	case 90: return "user_canceled";
	case 100: return "no_renegotiation";
	case 109: return "missing_extension";
	case 110: return "unsupported_extension";
	case 112: return "unrecognized_name";
	case 113: return "bad_certificate_status_response";
	case 115: return "unknown_psk_identity";
	case 116: return "certificate_required";
	case 120: return "no_application_protocol";
	default: return NULL;
	}
}

/* DistinguishedName authorities<3..2^16-1>, each opaque DistinguishedName<1..2^16-1>. */
static int parse_authorities(eku_cursor *list, struct eku_certreq *out)
{
	uint16_t n;
	const uint8_t *dn;

	while (!eku_cursor_empty(list)) {
		if (eku_cursor_u16(list, &n) != 0 || n == 0 || eku_cursor_bytes(list, n, &dn) != 0)
			return -1;
		if (out->n_names == EKU_CERTREQ_MAX_NAMES) {
			out->truncated = true;
			continue;
		}
		out->name[out->n_names] = dn;
		out->name_len[out->n_names++] = n;
	}
	return 0;
}

static int parse_tls12(eku_cursor *c, struct eku_certreq *out)
{
	uint8_t ntypes;
	uint16_t nsig, nca;
	eku_cursor cas;

	if (eku_cursor_u8(c, &ntypes) != 0 || ntypes == 0 || eku_cursor_skip(c, ntypes) != 0)
		return -1;
	if (eku_cursor_u16(c, &nsig) != 0 || (nsig & 1) != 0 || eku_cursor_skip(c, nsig) != 0)
		return -1;
	if (eku_cursor_u16(c, &nca) != 0 || eku_cursor_sub(c, nca, &cas) != 0)
		return -1;
	return parse_authorities(&cas, out);
}

static int parse_tls13(eku_cursor *c, struct eku_certreq *out)
{
	uint8_t nctx;
	uint16_t next, type, len;
	eku_cursor exts, body, cas;

	if (eku_cursor_u8(c, &nctx) != 0 || eku_cursor_skip(c, nctx) != 0)
		return -1;
	if (eku_cursor_u16(c, &next) != 0 || eku_cursor_sub(c, next, &exts) != 0)
		return -1;
	while (!eku_cursor_empty(&exts)) {
		if (eku_cursor_u16(&exts, &type) != 0 || eku_cursor_u16(&exts, &len) != 0 ||
		    eku_cursor_sub(&exts, len, &body) != 0)
			return -1;
		if (type != EXT_CERTIFICATE_AUTHORITIES)
			continue;
		if (eku_cursor_u16(&body, &len) != 0 || len < 3 || eku_cursor_sub(&body, len, &cas) != 0 ||
		    !eku_cursor_empty(&body) || parse_authorities(&cas, out) != 0)
			return -1;
	}
	return 0;
}

int eku_certreq_parse(const uint8_t *body, size_t len, bool tls13, struct eku_certreq *out)
{
	eku_cursor c = eku_cursor_make(body, len);
	int rc;

	out->n_names = 0;
	out->truncated = false;
	rc = tls13 ? parse_tls13(&c, out) : parse_tls12(&c, out);
	if (rc == 0 && !eku_cursor_empty(&c))
		rc = -1; /* trailing bytes inside the handshake message */
	return rc;
}
