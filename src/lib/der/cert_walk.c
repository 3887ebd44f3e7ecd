/* The certificate walker: Certificate and TBSCertificate (RFC 5280 4.1)
 * straight from DER into struct eku_facts, agreeing with the OpenSSL oracle
 * (cert_facts.c) on every certificate it accepts.
 *
 * "Not sure" (return -1, the caller asks the oracle) covers, besides bytes
 * that are not strict DER: an explicitly encoded v1 version, v1/v2
 * certificates with extensions, unique identifiers, negative serials,
 * validity times other than YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ, algorithm
 * parameters other than absent/NULL/OID/SEQUENCE, BIT STRINGs with unused
 * bits where OpenSSL re-encodes them, keys of key.c's "not sure" list, names
 * name.c does not reproduce, any extension ext.c does not reproduce, and
 * trailing bytes (which d2i_X509 and the oracle refuse). Refusal parity with
 * d2i_X509 is therefore the oracle's by construction. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "../digest.h"
#include "der.h"
#include "key.h"
#include "walk.h"

/* AlgorithmIdentifier (RFC 5280 4.1.1.2): parameters as the ANY OpenSSL
 * re-encodes unchanged. */
static int read_alg(eku_cursor *c, eku_cursor *oid, bool *has_params, eku_cursor *params)
{
	eku_cursor seq;
	struct eku_der_tlv p;

	if (eku_der_expect(c, 0x30, &seq) != 0 || eku_der_expect(&seq, 0x06, oid) != 0 ||
	    !eku_oid_valid(oid->p, oid->left))
		return -1;
	*has_params = !eku_cursor_empty(&seq);
	if (!*has_params)
		return 0;
	if (eku_der_read(&seq, &p) != 0 || !eku_cursor_empty(&seq))
		return -1;
	if (!((p.tag == 0x05 && p.val.left == 0) || p.tag == 0x30 ||
	      (p.tag == 0x06 && eku_oid_valid(p.val.p, p.val.left))))
		return -1;
	*params = eku_cursor_make(p.raw, p.raw_len);
	return 0;
}

/* i2a_ASN1_INTEGER of a positive serial: upper-case hex, a backslash-newline
 * every 35 octets. */
static int read_serial(struct eku_walk *w, eku_cursor *c)
{
	static const char h[] = "0123456789ABCDEF";
	eku_cursor v;
	const uint8_t *p;
	size_t n;

	if (eku_der_expect(c, 0x02, &v) != 0 || v.left == 0 || (v.p[0] & 0x80) ||
	    (v.left > 1 && v.p[0] == 0 && !(v.p[1] & 0x80)))
		return -1;
	w->serial = v;
	p = v.p;
	n = v.left;
	if (n > 1 && p[0] == 0) {
		p++;
		n--;
	}
	eku_fb_begin(&w->b, EKU_FB_SERIAL, EKU_SAN_OTHER);
	for (size_t i = 0; i < n; i++) {
		char two[2] = { h[p[i] >> 4], h[p[i] & 15] };
		if (i != 0 && i % 35 == 0)
			eku_fb_put(&w->b, "\\\n", 2);
		eku_fb_put(&w->b, two, 2);
	}
	eku_fb_end(&w->b, 0);
	return 0;
}

static int digits(const uint8_t *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* H. Hinnant's algorithm: days since 1970-01-01 of a proleptic date. */
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* UTCTime / GeneralizedTime in their RFC 5280 4.1.2.5 forms only, with the
 * field ranges ASN1_TIME_to_tm checks (day of month included). */
static int read_time(eku_cursor *c, int64_t *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct eku_der_tlv t;
	const uint8_t *p;
	int y, mo, d, h, mi, s, yl;

	if (eku_der_read(c, &t) != 0)
		return -1;
	p = t.val.p;
	if (t.tag == 0x17 && t.val.left == 13) {
		yl = 2;
	} else if (t.tag == 0x18 && t.val.left == 15) {
		yl = 4;
	} else {
		return -1;
	}
	if (p[t.val.left - 1] != 'Z' || (y = digits(p, yl)) < 0)
		return -1;
	if (yl == 2)
		y += y < 50 ? 2000 : 1900;
	mo = digits(p + yl, 2);
	d = digits(p + yl + 2, 2);
	h = digits(p + yl + 4, 2);
	mi = digits(p + yl + 6, 2);
	s = digits(p + yl + 8, 2);
	if (mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
		return -1;
	if (d > mdays[mo - 1] + (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
		return -1;
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s;
	return 0;
}

static int read_validity(struct eku_walk *w, eku_cursor *c)
{
	eku_cursor v;

	if (eku_der_expect(c, 0x30, &v) != 0 || read_time(&v, &w->b.f.not_before) != 0 ||
	    read_time(&v, &w->b.f.not_after) != 0 || !eku_cursor_empty(&v))
		return -1;
	return 0;
}

static int read_spki(struct eku_walk *w, eku_cursor *c)
{
	struct eku_der_tlv spki;
	eku_cursor seq, oid, params = { 0 }, bits;
	bool has_params;
	struct eku_oid_info oi;
	struct eku_key k;

	if (eku_der_read(c, &spki) != 0 || spki.tag != 0x30)
		return -1;
	seq = spki.val;
	if (read_alg(&seq, &oid, &has_params, &params) != 0 ||
	    eku_der_expect(&seq, 0x03, &bits) != 0 || !eku_cursor_empty(&seq) ||
	    bits.left == 0 || bits.p[0] != 0 || eku_cursor_skip(&bits, 1) != 0)
		return -1;
	eku_oid_lookup(oid.p, oid.left, &oi);
	if (eku_der_key(oi.nid, has_params, params, bits, &k) != 0)
		return -1;
	w->key_nid = k.nid;
	w->b.f.key_bits = k.bits;
	eku_fb_str(&w->b, EKU_FB_KEY_TYPE, k.type);
	if (k.curve != NULL)
		eku_fb_str(&w->b, EKU_FB_CURVE, k.curve);
	if (eku_sha256(spki.raw, spki.raw_len, w->b.f.spki_sha256) != 0)
		return -1;
	return 0;
}

static int read_version(struct eku_walk *w, eku_cursor *tbs)
{
	eku_cursor exp, v;

	w->version = 0;
	if (eku_der_peek(tbs) != 0xa0)
		return 0;
	if (eku_der_expect(tbs, 0xa0, &exp) != 0 || eku_der_expect(&exp, 0x02, &v) != 0 ||
	    !eku_cursor_empty(&exp) || v.left != 1 || (v.p[0] != 1 && v.p[0] != 2))
		return -1; /* DEFAULT v1 spelled out is not DER */
	w->version = v.p[0];
	return 0;
}

static int read_tbs(struct eku_walk *w, eku_cursor tbs)
{
	eku_cursor params, exts, extseq;
	bool has_params;

	if (read_version(w, &tbs) != 0 || read_serial(w, &tbs) != 0 ||
	    read_alg(&tbs, &w->tbs_sig_oid, &has_params, &params) != 0 ||
	    eku_der_expect(&tbs, 0x30, &w->issuer) != 0 || read_validity(w, &tbs) != 0 ||
	    eku_der_expect(&tbs, 0x30, &w->subject) != 0 || read_spki(w, &tbs) != 0)
		return -1;
	if (eku_cursor_empty(&tbs))
		return 0;
	if (w->version != 2 || eku_der_expect(&tbs, 0xa3, &exts) != 0 ||
	    !eku_cursor_empty(&tbs) || eku_der_expect(&exts, 0x30, &extseq) != 0 ||
	    !eku_cursor_empty(&exts))
		return -1; /* unique identifiers, or extensions outside v3 */
	return eku_der_extensions(w, extseq);
}

/* check_sig_alg_match() of crypto/x509/v3_purp.c: the TBS signature
 * algorithm's key type must be the certificate's own key type. */
static bool sig_matches_key(const struct eku_walk *w)
{
	struct eku_oid_info oi;
	int pknid;

	eku_oid_lookup(w->tbs_sig_oid.p, w->tbs_sig_oid.left, &oi);
	if (oi.nid == 0 || OBJ_find_sigid_algs(oi.nid, NULL, &pknid) == 0)
		return false;
	if (w->key_nid == NID_rsaEncryption)
		return pknid == NID_rsaEncryption || pknid == NID_rsa || pknid == NID_rsassaPss;
	return pknid == w->key_nid;
}

/* EXFLAG_SS as ossl_x509v3_cache_extensions() sets it, which is what
 * X509_self_signed(x, 0) answers: subject = issuer (X509_NAME_cmp),
 * X509_check_akid() and check_sig_alg_match(). -1: not sure. */
static int self_signed(const struct eku_walk *w)
{
	int eq = eku_der_name_equal(w->subject, w->issuer);

	if (eq != 1)
		return eq;
	if (w->has_akid_keyid && w->has_ski &&
	    (w->akid_keyid.left != w->ski.left ||
	     memcmp(w->akid_keyid.p, w->ski.p, w->ski.left) != 0))
		return 0;
	/* Both serials are positive and minimal: equal values, equal bytes. */
	if (w->has_akid_serial && (w->akid_serial.left != w->serial.left ||
				   memcmp(w->akid_serial.p, w->serial.p, w->serial.left) != 0))
		return 0;
	if (w->has_akid_dirname && (eq = eku_der_name_equal(w->akid_dirname, w->issuer)) != 1)
		return eq;
	return sig_matches_key(w);
}

/* check_purpose_ssl_server/client of v3_purp.c for a leaf. */
static void purposes(struct eku_walk *w)
{
	struct eku_facts *f = &w->b.f;
	bool xs = !f->has_eku || (w->xku & (XKU_SSL_SERVER | XKU_SGC));
	bool xc = !f->has_eku || (w->xku & XKU_SSL_CLIENT);
	bool ks = !f->has_key_usage ||
		  (w->kusage & (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT));
	bool kc = !f->has_key_usage || (w->kusage & (KU_DIGITAL_SIGNATURE | KU_KEY_AGREEMENT));
	bool ns_s = !w->has_ns || (w->ns & NS_SSL_SERVER);
	bool ns_c = !w->has_ns || (w->ns & NS_SSL_CLIENT);

	f->can_serve = xs && ks && ns_s;
	f->can_client = xc && kc && ns_c;
}

static int walk(struct eku_walk *w, const uint8_t *der, size_t len, const uint8_t *sha256)
{
	eku_cursor in = eku_cursor_make(der, len), cert, tbs, oid, params, sig;
	struct eku_oid_info oi;
	bool has_params;
	int ss;

	if (eku_der_expect(&in, 0x30, &cert) != 0 || !eku_cursor_empty(&in) ||
	    eku_der_expect(&cert, 0x30, &tbs) != 0 || read_tbs(w, tbs) != 0 ||
	    read_alg(&cert, &oid, &has_params, &params) != 0 ||
	    eku_der_expect(&cert, 0x03, &sig) != 0 || !eku_cursor_empty(&cert) ||
	    sig.left == 0 || sig.p[0] != 0)
		return -1;
	eku_oid_lookup(oid.p, oid.left, &oi);
	if (oi.nid != 0 && oi.ln == NULL)
		return -1;
	eku_fb_str(&w->b, EKU_FB_SIG_ALG, oi.nid != 0 ? oi.ln : "unknown");
	if (eku_der_name_print(&w->b, EKU_FB_SUBJECT, w->subject) != 0 ||
	    eku_der_name_print(&w->b, EKU_FB_ISSUER, w->issuer) != 0 ||
	    (ss = self_signed(w)) < 0)
		return -1;
	w->b.f.self_signed = ss == 1;
	purposes(w);
	if (sha256 != NULL)
		memcpy(w->b.f.sha256, sha256, 32);
	else if (eku_sha256(der, len, w->b.f.sha256) != 0)
		return -1;
	return 0;
}

struct eku_facts *eku_der_facts(const uint8_t *der, size_t len)
{
	return eku_der_facts_hashed(der, len, NULL);
}

struct eku_facts *eku_der_facts_hashed(const uint8_t *der, size_t len, const uint8_t *sha256)
{
	struct eku_walk w;
	struct eku_facts *f = NULL;

	memset(&w, 0, sizeof(w));
	eku_fb_init(&w.b);
	if (walk(&w, der, len, sha256) == 0)
		f = eku_fb_finish(&w.b);
	eku_fb_release(&w.b);
	return f;
}
