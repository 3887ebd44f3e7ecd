/* Certificate extensions (RFC 5280 4.2) as ossl_x509v3_cache_extensions()
 * and the oracle's X509_get_ext_d2i() calls read them.
 *
 * "Not sure" (the oracle answers): duplicate extensions (OpenSSL then
 * returns NULL for that NID and may flag the certificate invalid), a
 * critical flag spelled FALSE, anything that would set EXFLAG_INVALID
 * (undecodable known extensions, empty keyUsage, negative pathLen), the
 * extensions cache_extensions decodes that are not reproduced here
 * (proxyCertInfo, nameConstraints, RFC 3779 blocks), trailing bytes inside
 * an extension value (X509V3_EXT_d2i ignores them), GeneralName forms other
 * than rfc822Name/dNSName/URI/iPAddress where the facts read them, AKI
 * issuer/serial, CRL DP reasons/cRLIssuer/relative names. */
#include <arpa/inet.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "walk.h"

#define MAX_EXTS 64

/* A DER INTEGER's contents as a non-negative long; -1 when not sure. */
static long small_uint(eku_cursor v)
{
	long r = 0;

	if (v.left == 0 || v.left > 4 || (v.p[0] & 0x80) ||
	    (v.left > 1 && v.p[0] == 0 && !(v.p[1] & 0x80)))
		return -1;
	for (size_t i = 0; i < v.left; i++)
		r = (r << 8) | v.p[i];
	return r;
}

/* BIT STRING contents as c2i_ASN1_BIT_STRING keeps them: unused bits
 * masked off. Gives the first two octets. */
static int bit_string(eku_cursor v, uint8_t out[2], size_t *n)
{
	uint8_t unused;

	if (eku_cursor_u8(&v, &unused) != 0 || unused > 7)
		return -1;
	out[0] = out[1] = 0;
	*n = v.left;
	for (size_t i = 0; i < v.left && i < 2; i++)
		out[i] = v.p[i];
	if (v.left >= 1 && v.left <= 2)
		out[v.left - 1] &= (uint8_t)(0xff << unused);
	return 0;
}

static int basic_constraints(struct eku_walk *w, eku_cursor v)
{
	eku_cursor seq, b, pl;
	long n;

	if (eku_der_expect(&v, 0x30, &seq) != 0 || !eku_cursor_empty(&v))
		return -1;
	if (eku_der_peek(&seq) == 0x01) {
		if (eku_der_expect(&seq, 0x01, &b) != 0 || b.left != 1 || b.p[0] != 0xff)
			return -1;
		w->b.f.is_ca = true;
	}
	if (eku_der_peek(&seq) == 0x02) {
		if (eku_der_expect(&seq, 0x02, &pl) != 0 || (n = small_uint(pl)) < 0)
			return -1;
		w->b.f.path_len = n;
	}
	w->b.f.has_basic_constraints = true;
	return eku_cursor_empty(&seq) ? 0 : -1;
}

static int key_usage(struct eku_walk *w, eku_cursor v)
{
	static const struct { uint32_t ossl; unsigned ours; } map[] = {
		{ KU_DIGITAL_SIGNATURE, EKU_KU_DIGITAL_SIGNATURE },
		{ KU_NON_REPUDIATION, EKU_KU_NON_REPUDIATION },
		{ KU_KEY_ENCIPHERMENT, EKU_KU_KEY_ENCIPHERMENT },
		{ KU_DATA_ENCIPHERMENT, EKU_KU_DATA_ENCIPHERMENT },
		{ KU_KEY_AGREEMENT, EKU_KU_KEY_AGREEMENT },
		{ KU_KEY_CERT_SIGN, EKU_KU_KEY_CERT_SIGN },
		{ KU_CRL_SIGN, EKU_KU_CRL_SIGN },
		{ KU_ENCIPHER_ONLY, EKU_KU_ENCIPHER_ONLY },
		{ KU_DECIPHER_ONLY, EKU_KU_DECIPHER_ONLY },
	};
	eku_cursor bits;
	uint8_t o[2];
	size_t n;

	if (eku_der_expect(&v, 0x03, &bits) != 0 || !eku_cursor_empty(&v) ||
	    bit_string(bits, o, &n) != 0)
		return -1;
	w->kusage = (uint32_t)o[0] | ((uint32_t)o[1] << 8);
	if (w->kusage == 0)
		return -1; /* EXFLAG_INVALID (RFC 5280 4.2.1.3) */
	w->b.f.has_key_usage = true;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (w->kusage & map[i].ossl)
			w->b.f.key_usage |= map[i].ours;
	return 0;
}

static int ns_cert_type(struct eku_walk *w, eku_cursor v)
{
	eku_cursor bits;
	uint8_t o[2];
	size_t n;

	if (eku_der_expect(&v, 0x03, &bits) != 0 || !eku_cursor_empty(&v) ||
	    bit_string(bits, o, &n) != 0)
		return -1;
	w->has_ns = true;
	w->ns = o[0];
	return 0;
}

static int push_oid(struct eku_walk *w, int slot, eku_cursor oid)
{
	char dotted[128];

	if (eku_oid_dotted(oid.p, oid.left, dotted, sizeof(dotted)) != 0)
		return -1;
	eku_fb_str(&w->b, (enum eku_fb_slot)slot, dotted);
	return 0;
}

static uint32_t xku_bit(int nid)
{
	switch (nid) {
	case NID_server_auth: return XKU_SSL_SERVER;
	case NID_client_auth: return XKU_SSL_CLIENT;
	case NID_email_protect: return XKU_SMIME;
	case NID_code_sign: return XKU_CODE_SIGN;
	case NID_ms_sgc: case NID_ns_sgc: return XKU_SGC;
	case NID_OCSP_sign: return XKU_OCSP_SIGN;
	case NID_time_stamp: return XKU_TIMESTAMP;
	case NID_dvcs: return XKU_DVCS;
	case NID_anyExtendedKeyUsage: return XKU_ANYEKU;
	default: return 0;
	}
}

static enum eku_eku_class eku_class(uint32_t xku)
{
	if ((xku & XKU_SSL_SERVER) && (xku & XKU_SSL_CLIENT))
		return EKU_CLASS_SERVER_CLIENT;
	if (xku & XKU_SSL_SERVER)
		return EKU_CLASS_SERVER_ONLY;
	if (xku & XKU_SSL_CLIENT)
		return EKU_CLASS_CLIENT_ONLY;
	if (xku & XKU_ANYEKU)
		return EKU_CLASS_ANY;
	return EKU_CLASS_OTHER;
}

static int ext_key_usage(struct eku_walk *w, eku_cursor v)
{
	eku_cursor seq, oid;

	if (eku_der_expect(&v, 0x30, &seq) != 0 || !eku_cursor_empty(&v))
		return -1;
	while (!eku_cursor_empty(&seq)) {
		struct eku_oid_info oi;
		if (eku_der_expect(&seq, 0x06, &oid) != 0 || !eku_oid_valid(oid.p, oid.left) ||
		    push_oid(w, EKU_FB_EKU_OID, oid) != 0)
			return -1;
		eku_oid_lookup(oid.p, oid.left, &oi);
		w->xku |= xku_bit(oi.nid);
		if (oi.nid != 0 && oi.sn != NULL)
			eku_fb_str(&w->b, EKU_FB_EKU_NAME, oi.sn);
		else if (push_oid(w, EKU_FB_EKU_NAME, oid) != 0)
			return -1;
	}
	w->b.f.has_eku = true;
	w->b.f.eku_class = eku_class(w->xku);
	return 0;
}

static void ip_text(struct eku_walk *w, eku_cursor v)
{
	char buf[INET6_ADDRSTRLEN];
	const char *s = "<malformed IP>";

	if ((v.left == 4 && inet_ntop(AF_INET, v.p, buf, sizeof(buf)) != NULL) ||
	    (v.left == 16 && inet_ntop(AF_INET6, v.p, buf, sizeof(buf)) != NULL))
		s = buf;
	eku_fb_begin(&w->b, EKU_FB_SAN, EKU_SAN_IP);
	eku_fb_put(&w->b, s, strlen(s));
	eku_fb_end(&w->b, 0);
}

/* otherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY } with a
 * value OpenSSL stores without decoding its contents. */
static int other_name(eku_cursor v)
{
	eku_cursor oid, exp;
	struct eku_der_tlv t;

	if (eku_der_expect(&v, 0x06, &oid) != 0 || !eku_oid_valid(oid.p, oid.left) ||
	    eku_der_expect(&v, 0xa0, &exp) != 0 || !eku_cursor_empty(&v) ||
	    eku_der_read(&exp, &t) != 0 || !eku_cursor_empty(&exp))
		return -1;
	return (t.tag == 0x16 || t.tag == 0x13 || t.tag == 0x04 || t.tag == 0x30) ? 0 : -1;
}

/* GeneralNames (4.2.1.6) of the SAN: the IMPLICIT string forms only. */
static int subject_alt_name(struct eku_walk *w, eku_cursor v)
{
	eku_cursor seq, name;

	if (eku_der_expect(&v, 0x30, &seq) != 0 || !eku_cursor_empty(&v))
		return -1;
	while (!eku_cursor_empty(&seq)) {
		struct eku_der_tlv g;
		if (eku_der_read(&seq, &g) != 0)
			return -1;
		switch (g.tag) {
		case 0x81: eku_fb_text(&w->b, EKU_FB_SAN, EKU_SAN_EMAIL, g.val.p, g.val.left); break;
		case 0x82: eku_fb_text(&w->b, EKU_FB_SAN, EKU_SAN_DNS, g.val.p, g.val.left); break;
		case 0x86: eku_fb_text(&w->b, EKU_FB_SAN, EKU_SAN_URI, g.val.p, g.val.left); break;
		case 0x87: ip_text(w, g.val); break;
		case 0xa4: /* directoryName: skipped by the facts, decoded by OpenSSL */
			if (eku_der_expect(&g.val, 0x30, &name) != 0 || !eku_cursor_empty(&g.val) ||
			    eku_der_name_check(name) != 0)
				return -1;
			break;
		case 0xa0: /* otherName: skipped, but its value must decode */
			if (other_name(g.val) != 0)
				return -1;
			break;
		default: return -1;
		}
	}
	return 0;
}

/* A GeneralNames list whose members must all be URIs (CRL DP, AIA). */
static int general_name_uri(struct eku_walk *w, eku_cursor *names, int slot)
{
	struct eku_der_tlv g;

	if (eku_der_read(names, &g) != 0 || g.tag != 0x86)
		return -1;
	eku_fb_text(&w->b, (enum eku_fb_slot)slot, EKU_SAN_OTHER, g.val.p, g.val.left);
	return 0;
}

static int crl_dp(struct eku_walk *w, eku_cursor v)
{
	eku_cursor seq, dp, dpn, full;

	if (eku_der_expect(&v, 0x30, &seq) != 0 || !eku_cursor_empty(&v))
		return -1;
	while (!eku_cursor_empty(&seq)) {
		if (eku_der_expect(&seq, 0x30, &dp) != 0)
			return -1;
		/* Neither name nor cRLIssuer: setup_dp() flags the certificate
		 * EXFLAG_INVALID, so the oracle answers. */
		if (eku_der_expect(&dp, 0xa0, &dpn) != 0 || !eku_cursor_empty(&dp) ||
		    eku_der_expect(&dpn, 0xa0, &full) != 0 || !eku_cursor_empty(&dpn))
			return -1;
		while (!eku_cursor_empty(&full))
			if (general_name_uri(w, &full, EKU_FB_CRL_DP) != 0)
				return -1;
	}
	return 0;
}

static int info_access(struct eku_walk *w, eku_cursor v)
{
	eku_cursor seq, ad, oid;

	if (eku_der_expect(&v, 0x30, &seq) != 0 || !eku_cursor_empty(&v))
		return -1;
	while (!eku_cursor_empty(&seq)) {
		struct eku_oid_info oi;
		int slot;
		if (eku_der_expect(&seq, 0x30, &ad) != 0 || eku_der_expect(&ad, 0x06, &oid) != 0 ||
		    !eku_oid_valid(oid.p, oid.left))
			return -1;
		eku_oid_lookup(oid.p, oid.left, &oi);
		slot = oi.nid == NID_ad_OCSP ? EKU_FB_OCSP : oi.nid == NID_ad_ca_issuers ? EKU_FB_CA_ISSUERS : -1;
		if (slot < 0) {
			struct eku_der_tlv g;
			if (eku_der_read(&ad, &g) != 0 || g.tag != 0x86)
				return -1;
		} else if (general_name_uri(w, &ad, slot) != 0) {
			return -1;
		}
		if (!eku_cursor_empty(&ad))
			return -1;
	}
	return 0;
}

/* DisplayText; asn1_ex_c2i refuses a BMPString of odd length. */
static bool display_text(const struct eku_der_tlv *t)
{
	return t->tag == 0x16 || t->tag == 0x1a || t->tag == 0x0c ||
	       (t->tag == 0x1e && t->val.left % 2 == 0);
}

/* UserNotice (4.2.1.4): noticeRef and explicitText, both optional. */
static int user_notice(eku_cursor un)
{
	eku_cursor ref, nums, num;
	struct eku_der_tlv t;

	if (eku_der_peek(&un) == 0x30) {
		if (eku_der_expect(&un, 0x30, &ref) != 0 || eku_der_read(&ref, &t) != 0 ||
		    !display_text(&t) || eku_der_expect(&ref, 0x30, &nums) != 0 ||
		    !eku_cursor_empty(&ref))
			return -1;
		while (!eku_cursor_empty(&nums))
			if (eku_der_expect(&nums, 0x02, &num) != 0 || small_uint(num) < 0)
				return -1;
	}
	if (!eku_cursor_empty(&un) && (eku_der_read(&un, &t) != 0 || !display_text(&t)))
		return -1;
	return eku_cursor_empty(&un) ? 0 : -1;
}

static int policy_qualifiers(eku_cursor quals)
{
	eku_cursor q, oid;
	struct eku_der_tlv t;

	while (!eku_cursor_empty(&quals)) {
		struct eku_oid_info oi;
		if (eku_der_expect(&quals, 0x30, &q) != 0 || eku_der_expect(&q, 0x06, &oid) != 0 ||
		    !eku_oid_valid(oid.p, oid.left) || eku_der_read(&q, &t) != 0 ||
		    !eku_cursor_empty(&q))
			return -1;
		eku_oid_lookup(oid.p, oid.left, &oi);
		if (oi.nid == NID_id_qt_cps && t.tag != 0x16)
			return -1;
		if (oi.nid == NID_id_qt_unotice && (t.tag != 0x30 || user_notice(t.val) != 0))
			return -1;
		if (oi.nid != NID_id_qt_cps && oi.nid != NID_id_qt_unotice)
			return -1; /* ANY: OpenSSL decodes the value by its tag */
	}
	return 0;
}

static int policies(struct eku_walk *w, eku_cursor v)
{
	eku_cursor seq, pi, oid, quals;

	if (eku_der_expect(&v, 0x30, &seq) != 0 || !eku_cursor_empty(&v))
		return -1;
	while (!eku_cursor_empty(&seq)) {
		if (eku_der_expect(&seq, 0x30, &pi) != 0 || eku_der_expect(&pi, 0x06, &oid) != 0 ||
		    !eku_oid_valid(oid.p, oid.left) || push_oid(w, EKU_FB_POLICY, oid) != 0)
			return -1;
		if (!eku_cursor_empty(&pi) &&
		    (eku_der_expect(&pi, 0x30, &quals) != 0 || policy_qualifiers(quals) != 0 ||
		     !eku_cursor_empty(&pi)))
			return -1;
	}
	return 0;
}

static int octets(eku_cursor v, eku_cursor *out)
{
	if (eku_der_expect(&v, 0x04, out) != 0 || !eku_cursor_empty(&v))
		return -1;
	return 0;
}

static int ski(struct eku_walk *w, eku_cursor v)
{
	if (octets(v, &w->ski) != 0)
		return -1;
	w->has_ski = true;
	eku_fb_hex(&w->b, EKU_FB_SKI, w->ski.p, w->ski.left);
	return 0;
}

static int aki(struct eku_walk *w, eku_cursor v)
{
	eku_cursor seq;

	if (eku_der_expect(&v, 0x30, &seq) != 0 || !eku_cursor_empty(&v))
		return -1;
	if (eku_der_peek(&seq) == 0x80) {
		if (eku_der_expect(&seq, 0x80, &w->akid_keyid) != 0)
			return -1;
		w->has_akid_keyid = true;
		eku_fb_hex(&w->b, EKU_FB_AKI, w->akid_keyid.p, w->akid_keyid.left);
	}
	if (eku_der_peek(&seq) == 0xa1) {
		eku_cursor gens, name;
		if (eku_der_expect(&seq, 0xa1, &gens) != 0)
			return -1;
		while (!eku_cursor_empty(&gens)) {
			/* directoryName only: X509_check_akid reads the first one. */
			if (eku_der_expect(&gens, 0xa4, &name) != 0 ||
			    eku_der_expect(&name, 0x30, &name) != 0 || eku_der_name_check(name) != 0)
				return -1;
			if (!w->has_akid_dirname)
				w->akid_dirname = name;
			w->has_akid_dirname = true;
		}
	}
	if (eku_der_peek(&seq) == 0x82) {
		if (eku_der_expect(&seq, 0x82, &w->akid_serial) != 0)
			return -1;
		const eku_cursor *sn = &w->akid_serial;
		if (sn->left == 0 || (sn->p[0] & 0x80) ||
		    (sn->left > 1 && sn->p[0] == 0 && !(sn->p[1] & 0x80)))
			return -1; /* negative or badly padded: the oracle decides */
		w->has_akid_serial = true;
	}
	return eku_cursor_empty(&seq) ? 0 : -1;
}

/* SignedCertificateTimestampList (RFC 6962 3.3) as o2i_SCT_LIST counts it. */
static int scts(struct eku_walk *w, eku_cursor v)
{
	eku_cursor list;
	uint16_t total, n, siglen;
	int count = 0;

	if (octets(v, &list) != 0 || list.left < 2 || list.left > 65535 ||
	    eku_cursor_u16(&list, &total) != 0 || total != list.left)
		return -1;
	while (!eku_cursor_empty(&list)) {
		eku_cursor sct;
		uint8_t ver, hash, sig;
		uint16_t extlen;
		if (eku_cursor_u16(&list, &n) != 0 || n == 0 || eku_cursor_sub(&list, n, &sct) != 0 ||
		    eku_cursor_u8(&sct, &ver) != 0)
			return -1;
		count++;
		if (ver != 0)
			continue; /* kept as an opaque encoding */
		if (eku_cursor_skip(&sct, 32 + 8) != 0 || eku_cursor_u16(&sct, &extlen) != 0 ||
		    eku_cursor_skip(&sct, extlen) != 0 || sct.left <= 4 ||
		    eku_cursor_u8(&sct, &hash) != 0 || eku_cursor_u8(&sct, &sig) != 0 ||
		    hash != 4 || (sig != 1 && sig != 3) || eku_cursor_u16(&sct, &siglen) != 0 ||
		    eku_cursor_skip(&sct, siglen) != 0)
			return -1;
	}
	w->b.f.n_scts = count;
	return 0;
}

/* A GeneralName OpenSSL would decode, whatever its form's use here. */
static bool general_name_ok(struct eku_der_tlv *g)
{
	eku_cursor name;

	switch (g->tag) {
	case 0x81: case 0x82: case 0x86: case 0x87:
		return true;
	case 0xa0:
		return other_name(g->val) == 0;
	case 0xa4:
		return eku_der_expect(&g->val, 0x30, &name) == 0 && eku_cursor_empty(&g->val) &&
		       eku_der_name_check(name) == 0;
	default:
		return false;
	}
}

/* NameConstraints (4.2.1.10): only decoded (ossl_x509v3_cache_extensions
 * flags an undecodable one invalid); the facts do not report it. */
static int name_constraints(eku_cursor v)
{
	eku_cursor seq, trees, sub, n;

	if (eku_der_expect(&v, 0x30, &seq) != 0 || !eku_cursor_empty(&v))
		return -1;
	for (uint8_t tag = 0xa0; tag <= 0xa1; tag++) {
		if (eku_der_peek(&seq) != tag)
			continue;
		if (eku_der_expect(&seq, tag, &trees) != 0)
			return -1;
		while (!eku_cursor_empty(&trees)) {
			struct eku_der_tlv g;
			if (eku_der_expect(&trees, 0x30, &sub) != 0 || eku_der_read(&sub, &g) != 0 ||
			    !general_name_ok(&g))
				return -1;
			if (eku_der_peek(&sub) == 0x80 &&
			    (eku_der_expect(&sub, 0x80, &n) != 0 || small_uint(n) < 0))
				return -1;
			if (eku_der_peek(&sub) == 0x81 &&
			    (eku_der_expect(&sub, 0x81, &n) != 0 || small_uint(n) < 0))
				return -1;
			if (!eku_cursor_empty(&sub))
				return -1;
		}
	}
	return eku_cursor_empty(&seq) ? 0 : -1;
}

static int one_extension(struct eku_walk *w, int nid, eku_cursor v)
{
	switch (nid) {
	case NID_basic_constraints: return basic_constraints(w, v);
	case NID_key_usage: return key_usage(w, v);
	case NID_ext_key_usage: return ext_key_usage(w, v);
	case NID_netscape_cert_type: return ns_cert_type(w, v);
	case NID_subject_key_identifier: return ski(w, v);
	case NID_authority_key_identifier: return aki(w, v);
	case NID_subject_alt_name: return subject_alt_name(w, v);
	case NID_crl_distribution_points: return crl_dp(w, v);
	case NID_info_access: return info_access(w, v);
	case NID_certificate_policies: return policies(w, v);
	case NID_ct_precert_scts: return scts(w, v);
	case NID_name_constraints: return name_constraints(v);
	case NID_proxyCertInfo:
	case NID_sbgp_ipAddrBlock: case NID_sbgp_autonomousSysNum:
		return -1;
	default:
		return 0; /* contents unread by OpenSSL's cache and by the facts */
	}
}

int eku_der_extensions(struct eku_walk *w, eku_cursor exts)
{
	eku_cursor seen[MAX_EXTS];
	size_t n = 0;

	while (!eku_cursor_empty(&exts)) {
		eku_cursor ext, oid, crit, val;
		struct eku_oid_info oi;
		if (n == MAX_EXTS || eku_der_expect(&exts, 0x30, &ext) != 0 ||
		    eku_der_expect(&ext, 0x06, &oid) != 0 || !eku_oid_valid(oid.p, oid.left))
			return -1;
		if (eku_der_peek(&ext) == 0x01 &&
		    (eku_der_expect(&ext, 0x01, &crit) != 0 || crit.left != 1 || crit.p[0] != 0xff))
			return -1;
		if (eku_der_expect(&ext, 0x04, &val) != 0 || !eku_cursor_empty(&ext))
			return -1;
		for (size_t i = 0; i < n; i++)
			if (seen[i].left == oid.left && memcmp(seen[i].p, oid.p, oid.left) == 0)
				return -1;
		seen[n++] = oid;
		eku_oid_lookup(oid.p, oid.left, &oi);
		if (one_extension(w, oi.nid, val) != 0)
			return -1;
	}
	return 0;
}
