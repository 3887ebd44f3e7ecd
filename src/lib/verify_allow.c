/* Allow-lists: the identity pin that makes ignore-client-eku safe.
 * DNS matching follows RFC 6125 6.4.3: a pattern's wildcard is the whole
 * left-most label and never stands for a public suffix's child (the Public
 * Suffix List, verify_psl.c); partial-label wildcards ("a*.example") are
 * refused in patterns and never expanded in SANs. IP entries are matched on
 * the decoded address bytes. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <eku/verify.h>

#include "digest.h"
#include "verify_psl.h"

enum allow_kind { ALLOW_DNS, ALLOW_URI, ALLOW_IP, ALLOW_CN, ALLOW_SPKI };

struct allow_entry {
	enum allow_kind kind;
	char *text;           /* as given (dns/uri/cn/ip) or hex (spki) */
	uint8_t addr[16];     /* ip: address; spki: first 32 bytes in spki[] */
	size_t addr_len;      /* 4 or 16 */
	int prefix;           /* ip: CIDR bits */
	uint8_t spki[32];
};

struct eku_allowlist {
	atomic_int refs;
	eku_error err;
	size_t n;
	struct allow_entry *v;
};

eku_allowlist *eku_allowlist_new(void)
{
	eku_allowlist *al = calloc(1, sizeof(*al));

	if (al != NULL)
		atomic_init(&al->refs, 1);
	return al;
}

eku_allowlist *eku_allowlist_up_ref(eku_allowlist *al)
{
	if (al != NULL)
		atomic_fetch_add(&al->refs, 1);
	return al;
}

void eku_allowlist_free(eku_allowlist *al)
{
	if (al == NULL || atomic_fetch_sub(&al->refs, 1) != 1)
		return;
	for (size_t i = 0; i < al->n; i++)
		free(al->v[i].text);
	free(al->v);
	free(al);
}

const eku_error *eku_allowlist_error(const eku_allowlist *al) { return &al->err; }
size_t eku_allowlist_count(const eku_allowlist *al) { return al != NULL ? al->n : 0; }

static struct allow_entry *push(eku_allowlist *al, enum allow_kind kind, const char *text)
{
	struct allow_entry *nv = realloc(al->v, (al->n + 1) * sizeof(*nv));

	if (nv == NULL) {
		eku_error_set(&al->err, EKU_E_NOMEM, "out of memory");
		return NULL;
	}
	al->v = nv;
	memset(&nv[al->n], 0, sizeof(nv[al->n]));
	nv[al->n].kind = kind;
	nv[al->n].text = strdup(text);
	if (nv[al->n].text == NULL) {
		eku_error_set(&al->err, EKU_E_NOMEM, "out of memory");
		return NULL;
	}
	return &nv[al->n++];
}

/* Why a DNS pattern is refused, or NULL when it is fine. */
static const char *dns_pattern_problem(const char *p)
{
	size_t len = strlen(p);
	const char *base = p[0] == '*' ? p + 2 : p;

	if (len == 0 || len > 253 || p[len - 1] == '.' || strstr(p, "..") != NULL)
		return "not a DNS name";
	if (p[0] == '*' && p[1] != '.')
		return "a wildcard must be the whole left-most label (RFC 6125 6.4.3)";
	if (strchr(base, '*') != NULL)
		return "partial-label or non-left-most wildcards are not supported (RFC 6125 6.4.3)";
	for (const char *s = base; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' && *s != '_')
			return "not a DNS name (use A-labels for IDNs)";
	if (base[0] == '.' || base[0] == '\0')
		return "not a DNS name";
	if (p[0] != '*')
		return NULL;
	switch (eku_psl_public_suffix(base)) {
	case EKU_PSL_ICANN:
		return "the wildcard covers a public suffix (ICANN section of the Public Suffix List)";
	case EKU_PSL_PRIVATE_SECTION:
		return "the wildcard covers a public suffix (private section of the Public Suffix List)";
	default:
		return NULL;
	}
}

int eku_allowlist_add_dns(eku_allowlist *al, const char *pattern)
{
	const char *why = pattern != NULL ? dns_pattern_problem(pattern) : "not a DNS name";

	if (why != NULL) {
		eku_error_set(&al->err, EKU_E_USAGE,
			"allow-dns '%s': %s; give a DNS name or '*.domain' pattern (example: *.partner.example)",
			pattern ? pattern : "", why);
		return -1;
	}
	return push(al, ALLOW_DNS, pattern) != NULL ? 0 : -1;
}

int eku_allowlist_add_uri(eku_allowlist *al, const char *uri)
{
	if (uri == NULL || strstr(uri, ":") == NULL || strchr(uri, ' ') != NULL) {
		eku_error_set(&al->err, EKU_E_USAGE,
			"allow-uri '%s': not a URI (example: spiffe://example.org/ns/sip)", uri ? uri : "");
		return -1;
	}
	return push(al, ALLOW_URI, uri) != NULL ? 0 : -1;
}

int eku_allowlist_add_ip(eku_allowlist *al, const char *addr)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct allow_entry *e;
	char *slash, *end;
	uint8_t a[16];
	size_t alen;
	long bits;

	if (addr == NULL || strlen(addr) >= sizeof(buf))
		goto bad;
	strcpy(buf, addr);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		alen = 4;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		alen = 16;
	else
		goto bad;
	bits = (long)alen * 8;
	if (slash != NULL) {
		bits = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || bits < 0 || bits > (long)alen * 8)
			goto bad;
	}
	e = push(al, ALLOW_IP, addr);
	if (e == NULL)
		return -1;
	memcpy(e->addr, a, alen);
	e->addr_len = alen;
	e->prefix = (int)bits;
	return 0;
bad:
	eku_error_set(&al->err, EKU_E_USAGE,
		"allow-ip '%s': not an IPv4/IPv6 address or CIDR prefix (example: 192.0.2.10 or 2001:db8::/32)",
		addr ? addr : "");
	return -1;
}

int eku_allowlist_add_cn(eku_allowlist *al, const char *cn)
{
	if (cn == NULL || *cn == '\0') {
		eku_error_set(&al->err, EKU_E_USAGE, "allow-cn: give a non-empty common name");
		return -1;
	}
	return push(al, ALLOW_CN, cn) != NULL ? 0 : -1;
}

int eku_allowlist_add_spki_sha256(eku_allowlist *al, const uint8_t sha256[32])
{
	char hex[65];
	struct allow_entry *e = push(al, ALLOW_SPKI, eku_hex(sha256, 32, hex));

	if (e == NULL)
		return -1;
	memcpy(e->spki, sha256, 32);
	return 0;
}

/* 64 hex digits, ':' separators allowed. Returns 0 or -1. */
static int parse_hex32(const char *s, uint8_t out[32])
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		int hi, lo;
		if (*s == ':')
			continue;
		if (n == 32 || !isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return -1;
		hi = isdigit((unsigned char)s[0]) ? s[0] - '0' : (tolower((unsigned char)s[0]) - 'a' + 10);
		lo = isdigit((unsigned char)s[1]) ? s[1] - '0' : (tolower((unsigned char)s[1]) - 'a' + 10);
		out[n++] = (uint8_t)(hi << 4 | lo);
		s++;
	}
	return n == 32 ? 0 : -1;
}

int eku_allowlist_add_spki(eku_allowlist *al, const char *hex_or_certfile)
{
	eku_loader *ld = NULL;
	eku_certlist *l = NULL;
	eku_diaglist diags = { 0 };
	uint8_t h[32];
	int rc = -1;

	if (hex_or_certfile == NULL) {
		eku_error_set(&al->err, EKU_E_USAGE, "allow-spki: give a SHA-256 or a certificate file");
		return -1;
	}
	if (parse_hex32(hex_or_certfile, h) == 0)
		return eku_allowlist_add_spki_sha256(al, h);
	ld = eku_loader_new();
	l = eku_certlist_new();
	if (ld == NULL || l == NULL) {
		eku_error_set(&al->err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	if (eku_loader_load_path(ld, hex_or_certfile, l, &diags) <= 0 || eku_certlist_count(l) == 0) {
		eku_error_set(&al->err, diags.n ? diags.v[0].code : EKU_E_NO_CERT,
			"allow-spki '%s': neither 64 hex digits (SHA-256 of the SubjectPublicKeyInfo) nor a "
			"readable certificate file%s%s", hex_or_certfile, diags.n ? ": " : "",
			diags.n ? diags.v[0].message : "");
		goto out;
	}
	rc = eku_allowlist_add_spki_sha256(al, eku_cert_facts(eku_certlist_get0(l, 0))->spki_sha256);
out:
	eku_diaglist_clear(&diags);
	eku_certlist_free(l);
	eku_loader_free(ld);
	return rc;
}

/* ---- matching ------------------------------------------------------------ */

static bool dns_match(const char *pattern, const char *name)
{
	const char *dot;

	if (strcasecmp(pattern, name) == 0)
		return true;
	/* A SAN carrying '*' anywhere ("*.x", "a*.x") is a wildcard certificate:
	 * only the literal pattern above matches it, never an expansion. */
	if (pattern[0] != '*' || strchr(name, '*') != NULL)
		return false;
	dot = strchr(name, '.');
	return dot != NULL && dot != name && strcasecmp(dot, pattern + 1) == 0;
}

/* Scheme and authority compare case-insensitively, the rest exactly. */
static bool uri_match(const char *a, const char *b)
{
	const char *sa = strstr(a, "://"), *sb = strstr(b, "://");
	size_t ha, hb;

	if (sa == NULL || sb == NULL)
		return strcmp(a, b) == 0;
	ha = (size_t)(sa - a) + 3 + strcspn(sa + 3, "/?#");
	hb = (size_t)(sb - b) + 3 + strcspn(sb + 3, "/?#");
	return ha == hb && strncasecmp(a, b, ha) == 0 && strcmp(a + ha, b + hb) == 0;
}

static bool ip_match(const struct allow_entry *e, const uint8_t *a, size_t len)
{
	int bits = e->prefix;

	if (len != e->addr_len)
		return false;
	for (size_t i = 0; bits > 0; i++, bits -= 8) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		if ((a[i] & mask) != (e->addr[i] & mask))
			return false;
	}
	return true;
}

static void why_set(char *why, size_t len, const char *what, const char *value)
{
	if (why != NULL && len > 0)
		snprintf(why, len, "%s %s is allowed", what, value);
}

static bool match_san(const struct allow_entry *e, const GENERAL_NAME *gn, char *why, size_t len)
{
	char txt[INET6_ADDRSTRLEN];
	const unsigned char *d;
	int n;

	if (gn->type == GEN_DNS && e->kind == ALLOW_DNS) {
		d = ASN1_STRING_get0_data(gn->d.dNSName);
		n = ASN1_STRING_length(gn->d.dNSName);
		if ((size_t)n != strlen((const char *)d) || !dns_match(e->text, (const char *)d))
			return false;
		why_set(why, len, "SAN DNS", (const char *)d);
		return true;
	}
	if (gn->type == GEN_URI && e->kind == ALLOW_URI) {
		d = ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier);
		n = ASN1_STRING_length(gn->d.uniformResourceIdentifier);
		if ((size_t)n != strlen((const char *)d) || !uri_match(e->text, (const char *)d))
			return false;
		why_set(why, len, "SAN URI", (const char *)d);
		return true;
	}
	if (gn->type == GEN_IPADD && e->kind == ALLOW_IP) {
		d = ASN1_STRING_get0_data(gn->d.iPAddress);
		n = ASN1_STRING_length(gn->d.iPAddress);
		if (n < 0 || !ip_match(e, d, (size_t)n))
			return false;
		inet_ntop(n == 4 ? AF_INET : AF_INET6, d, txt, sizeof(txt));
		why_set(why, len, "SAN IP", txt);
		return true;
	}
	return false;
}

static bool match_cn(const struct allow_entry *e, X509 *leaf, char *why, size_t len)
{
	X509_NAME *subj = X509_get_subject_name(leaf);
	int i = -1;

	while ((i = X509_NAME_get_index_by_NID(subj, NID_commonName, i)) >= 0) {
		ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i));
		unsigned char *u = NULL;
		int n = ASN1_STRING_to_UTF8(&u, s);
		bool ok = n >= 0 && (size_t)n == strlen((char *)u) && strcasecmp((char *)u, e->text) == 0;
		if (ok)
			why_set(why, len, "subject CN", (char *)u);
		OPENSSL_free(u);
		if (ok)
			return true;
	}
	return false;
}

static bool spki_sha256(X509 *leaf, uint8_t out[32])
{
	unsigned char *der = NULL;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &der);
	bool ok = n > 0 && eku_sha256(der, (size_t)n, out) == 0;

	OPENSSL_free(der);
	return ok;
}

bool eku_allowlist_match(const eku_allowlist *al, X509 *leaf, char *why, size_t whylen)
{
	GENERAL_NAMES *sans;
	uint8_t spki[32];
	bool have_spki, hit = false;

	if (al == NULL || leaf == NULL)
		return false;
	sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	have_spki = spki_sha256(leaf, spki);
	for (size_t i = 0; !hit && i < al->n; i++) {
		const struct allow_entry *e = &al->v[i];
		for (int j = 0; !hit && j < sk_GENERAL_NAME_num(sans); j++)
			hit = match_san(e, sk_GENERAL_NAME_value(sans, j), why, whylen);
		if (!hit && e->kind == ALLOW_CN)
			hit = match_cn(e, leaf, why, whylen);
		if (!hit && e->kind == ALLOW_SPKI && have_spki && memcmp(spki, e->spki, 32) == 0) {
			hit = true;
			why_set(why, whylen, "SPKI sha256", e->text);
		}
	}
	GENERAL_NAMES_free(sans);
	return hit;
}
