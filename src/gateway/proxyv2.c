/* PROXY protocol v2 (haproxy doc/proxy-protocol.txt 2.2): binary header with
 * addresses (2.2 "address block") and TLVs (2.2.1-2.2.7). The writer builds
 * into a fixed buffer with explicit bounds; the parser reads through
 * eku_cursor only. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <eku/cursor.h>

#include "gw_proxy.h"

static const uint8_t sig[12] = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49,
	0x54, 0x0A };

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};

static void put(struct wbuf *w, const void *src, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void put_u8(struct wbuf *w, uint8_t v) { put(w, &v, 1); }

static void put_u16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(w, b, 2);
}

static void put_tlv(struct wbuf *w, uint8_t type, const void *v, size_t n)
{
	put_u8(w, type);
	put_u16(w, (uint16_t)n);
	put(w, v, n);
}

static void put_str_tlv(struct wbuf *w, uint8_t type, const char *s)
{
	if (s != NULL && s[0] != '\0')
		put_tlv(w, type, s, strnlen(s, 255));
}

static void put_addresses(struct wbuf *w, const struct gw_proxy_info *pi)
{
	if (pi->src.ss_family == AF_INET && pi->dst.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)&pi->src, *d = (const void *)&pi->dst;
		put(w, &s->sin_addr, 4);
		put(w, &d->sin_addr, 4);
		put(w, &s->sin_port, 2);
		put(w, &d->sin_port, 2);
	} else if (pi->src.ss_family == AF_INET6 && pi->dst.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)&pi->src, *d = (const void *)&pi->dst;
		put(w, &s->sin6_addr, 16);
		put(w, &d->sin6_addr, 16);
		put(w, &s->sin6_port, 2);
		put(w, &d->sin6_port, 2);
	}
}

static uint8_t family_byte(const struct gw_proxy_info *pi)
{
	if (pi->src.ss_family == AF_INET && pi->dst.ss_family == AF_INET)
		return 0x11; /* TCP over IPv4 */
	if (pi->src.ss_family == AF_INET6 && pi->dst.ss_family == AF_INET6)
		return 0x21; /* TCP over IPv6 */
	return 0x00;         /* UNSPEC: receiver ignores the address block */
}

/* PP2_TYPE_SSL (2.2.5): client flags, verify result, then sub-TLVs. verify
 * is 0 ("successfully verified") only for a certificate we verified and
 * admitted; the CN is an identity claim, so it goes with it. Version and
 * cipher describe the connection and are always sent. */
static void put_ssl(struct wbuf *w, const struct gw_proxy_info *pi)
{
	uint8_t tmp[1024];
	struct wbuf s = { tmp, 0, sizeof(tmp), false };
	bool ok = pi->cert_present && pi->verified;
	uint8_t client = GW_PP2_CLIENT_SSL;
	uint8_t verify[4] = { 0, 0, 0, ok ? 0 : 1 };

	if (pi->cert_present)
		client |= GW_PP2_CLIENT_CERT_SESS | (pi->resumed ? 0 : GW_PP2_CLIENT_CERT_CONN);
	put_u8(&s, client);
	put(&s, verify, 4);
	put_str_tlv(&s, GW_PP2_SUBTYPE_SSL_VERSION, pi->tls_version);
	put_str_tlv(&s, GW_PP2_SUBTYPE_SSL_CIPHER, pi->cipher);
	if (ok)
		put_str_tlv(&s, GW_PP2_SUBTYPE_SSL_CN, pi->cn);
	if (s.overflow) {
		w->overflow = true;
		return;
	}
	put_tlv(w, GW_PP2_TYPE_SSL, tmp, s.len);
}

void gw_proxy_info_set_peer(struct gw_proxy_info *pi, const struct gw_peer_result *p,
	enum eku_verify_policy policy, bool resumed)
{
	pi->cert_present = p->present;
	pi->resumed = resumed;
	/* clean alone is not enough: under off nothing is checked, so nothing fails */
	pi->verified = p->present && !resumed && p->pass && p->clean && policy != EKU_VERIFY_OFF;
	pi->cn = p->subject[0] ? p->subject : NULL;
	pi->allowed_by = p->allowed_by;
	pi->eku_class = p->present ? eku_eku_class_name(p->eku_class) : NULL;
	pi->policy = eku_verify_policy_name(policy);
	pi->has_spki = p->present && strlen(p->spki_hex) == 64;
	for (int i = 0; pi->has_spki && i < 32; i++) {
		unsigned v = 0;
		if (sscanf(p->spki_hex + 2 * i, "%2x", &v) != 1)
			pi->has_spki = false;
		pi->spki[i] = (uint8_t)v;
	}
}

int gw_proxy_v2_write(const struct gw_proxy_info *pi, uint8_t *out, size_t cap)
{
	struct wbuf w = { out, 0, cap, false };
	size_t body_start;

	put(&w, sig, sizeof(sig));
	put_u8(&w, 0x21); /* version 2, command PROXY */
	put_u8(&w, family_byte(pi));
	put_u16(&w, 0);   /* length, patched below */
	body_start = w.len;
	put_addresses(&w, pi);
	put_str_tlv(&w, GW_PP2_TYPE_AUTHORITY, pi->authority);
	if (pi->tls)
		put_ssl(&w, pi);
	if (pi->cert_present && pi->verified) {
		put_str_tlv(&w, GW_PP2_TYPE_EKU_ALLOWED_BY, pi->allowed_by);
		if (pi->has_spki)
			put_tlv(&w, GW_PP2_TYPE_EKU_SPKI, pi->spki, 32);
		put_str_tlv(&w, GW_PP2_TYPE_EKU_CLASS, pi->eku_class);
		put_str_tlv(&w, GW_PP2_TYPE_EKU_POLICY, pi->policy);
	}
	if (w.overflow || w.len - body_start > 0xFFFF)
		return -1;
	out[14] = (uint8_t)((w.len - body_start) >> 8);
	out[15] = (uint8_t)(w.len - body_start);
	return (int)w.len;
}

/* ---- parser (tests, fuzzing, and anyone checking what we send) ---------- */

static int copy_str(eku_cursor *v, char *dst, size_t cap)
{
	const uint8_t *p;
	size_t n = v->left;

	if (n >= cap || eku_cursor_bytes(v, n, &p) != 0)
		return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

static int parse_ssl(eku_cursor v, struct gw_proxy_parsed *out)
{
	uint8_t t;
	uint16_t l;
	eku_cursor sv;

	if (eku_cursor_u8(&v, &out->ssl_client) != 0 || eku_cursor_u32(&v, &out->ssl_verify) != 0)
		return -1;
	while (!eku_cursor_empty(&v)) {
		if (eku_cursor_u8(&v, &t) != 0 || eku_cursor_u16(&v, &l) != 0 ||
		    eku_cursor_sub(&v, l, &sv) != 0)
			return -1;
		int rc = 0;
		if (t == GW_PP2_SUBTYPE_SSL_VERSION)
			rc = copy_str(&sv, out->tls_version, sizeof(out->tls_version));
		else if (t == GW_PP2_SUBTYPE_SSL_CIPHER)
			rc = copy_str(&sv, out->cipher, sizeof(out->cipher));
		else if (t == GW_PP2_SUBTYPE_SSL_CN)
			rc = copy_str(&sv, out->cn, sizeof(out->cn));
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int parse_tlv(uint8_t t, eku_cursor v, struct gw_proxy_parsed *out)
{
	const uint8_t *p;

	switch (t) {
	case GW_PP2_TYPE_AUTHORITY: return copy_str(&v, out->authority, sizeof(out->authority));
	case GW_PP2_TYPE_SSL: return parse_ssl(v, out);
	case GW_PP2_TYPE_EKU_ALLOWED_BY: return copy_str(&v, out->allowed_by, sizeof(out->allowed_by));
	case GW_PP2_TYPE_EKU_CLASS: return copy_str(&v, out->eku_class, sizeof(out->eku_class));
	case GW_PP2_TYPE_EKU_POLICY: return copy_str(&v, out->policy, sizeof(out->policy));
	case GW_PP2_TYPE_EKU_SPKI:
		if (v.left != 32 || eku_cursor_bytes(&v, 32, &p) != 0)
			return -1;
		memcpy(out->spki, p, 32);
		out->has_spki = true;
		return 0;
	default: return 0; /* 2.2.7: unknown TLVs are ignored */
	}
}

static int parse_addrs(eku_cursor *body, uint8_t fam, struct gw_proxy_parsed *out)
{
	const uint8_t *p;
	size_t alen = fam == 0x11 ? 4 : fam == 0x21 ? 16 : 0;

	out->family = fam == 0x11 ? AF_INET : fam == 0x21 ? AF_INET6 : AF_UNSPEC;
	if (alen == 0)
		return fam == 0x00 ? 0 : -1;
	if (eku_cursor_bytes(body, alen, &p) != 0)
		return -1;
	memcpy(out->src_addr, p, alen);
	if (eku_cursor_bytes(body, alen, &p) != 0)
		return -1;
	memcpy(out->dst_addr, p, alen);
	if (eku_cursor_u16(body, &out->src_port) != 0 || eku_cursor_u16(body, &out->dst_port) != 0)
		return -1;
	return 0;
}

int gw_proxy_v2_parse(const uint8_t *buf, size_t len, struct gw_proxy_parsed *out)
{
	eku_cursor c = eku_cursor_make(buf, len), body, v;
	const uint8_t *s;
	uint8_t vc, fam, t;
	uint16_t blen, l;

	memset(out, 0, sizeof(*out));
	if (eku_cursor_bytes(&c, 12, &s) != 0 || memcmp(s, sig, 12) != 0 ||
	    eku_cursor_u8(&c, &vc) != 0 || vc != 0x21 || eku_cursor_u8(&c, &fam) != 0 ||
	    eku_cursor_u16(&c, &blen) != 0 || eku_cursor_sub(&c, blen, &body) != 0)
		return -1;
	out->header_len = 16 + (size_t)blen;
	if (parse_addrs(&body, fam, out) != 0)
		return -1;
	while (!eku_cursor_empty(&body)) {
		if (eku_cursor_u8(&body, &t) != 0 || eku_cursor_u16(&body, &l) != 0 ||
		    eku_cursor_sub(&body, l, &v) != 0 || parse_tlv(t, v, out) != 0)
			return -1;
	}
	return 0;
}
