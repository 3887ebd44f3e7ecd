/* Request inputs: SAN specifications, CSRs (signature checked, RFC 2986
 * section 4.2 proof of possession) and their extension request, and the
 * name-constraint pre-check so a SAN outside the CA's subtrees is refused
 * with a clear message before anything is signed (RFC 5280 4.2.1.10). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "ca_int.h"

static int push_ia5(GENERAL_NAMES *gens, int type, const char *v)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();

	if (g == NULL || s == NULL || !ASN1_STRING_set(s, v, -1)) {
		GENERAL_NAME_free(g);
		ASN1_IA5STRING_free(s);
		return -1;
	}
	GENERAL_NAME_set0_value(g, type, s);
	if (!sk_GENERAL_NAME_push(gens, g)) {
		GENERAL_NAME_free(g);
		return -1;
	}
	return 0;
}

static int push_ip(GENERAL_NAMES *gens, const char *v)
{
	ASN1_OCTET_STRING *ip = a2i_IPADDRESS(v);
	GENERAL_NAME *g = ip ? GENERAL_NAME_new() : NULL;

	if (g == NULL) {
		ASN1_OCTET_STRING_free(ip);
		return -1;
	}
	GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
	if (!sk_GENERAL_NAME_push(gens, g)) {
		GENERAL_NAME_free(g);
		return -1;
	}
	return 0;
}

static bool dns_ok(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 253 || v[0] == '.' || v[n - 1] == '.')
		return false;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && !(*p == '*' && p == v))
			return false;
	return true;
}

int ca_san_add(GENERAL_NAMES *gens, const char *spec, eku_error *err)
{
	const char *colon = strchr(spec, ':');
	unsigned char tmp[16];
	int rc = -1;

	if (colon != NULL && strncasecmp(spec, "DNS:", 4) == 0)
		rc = dns_ok(spec + 4) ? push_ia5(gens, GEN_DNS, spec + 4) : -2;
	else if (colon != NULL && strncasecmp(spec, "IP:", 3) == 0)
		rc = push_ip(gens, spec + 3) == 0 ? 0 : -2;
	else if (colon != NULL && strncasecmp(spec, "URI:", 4) == 0)
		rc = spec[4] ? push_ia5(gens, GEN_URI, spec + 4) : -2;
	else if (colon != NULL && strncasecmp(spec, "email:", 6) == 0)
		rc = strchr(spec + 6, '@') ? push_ia5(gens, GEN_EMAIL, spec + 6) : -2;
	else if (inet_pton(AF_INET, spec, tmp) == 1 || inet_pton(AF_INET6, spec, tmp) == 1)
		rc = push_ip(gens, spec);
	else if (colon == NULL)
		rc = dns_ok(spec) ? push_ia5(gens, GEN_DNS, spec) : -2;
	else
		rc = -2;
	if (rc == -2)
		eku_error_set(err, EKU_E_USAGE,
			"--san %s: not a SAN; use DNS:host, IP:address, URI:uri, email:addr or a bare host name",
			spec);
	else if (rc != 0)
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
	return rc == 0 ? 0 : -1;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 2 > *cap) {
		size_t nc = (*cap ? *cap * 2 : 64) + n;
		char *p = realloc(*buf, nc);
		if (p == NULL)
			return -1;
		*buf = p;
		*cap = nc;
	}
	if (*len > 0)
		(*buf)[(*len)++] = ',';
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

char *ca_san_text(const GENERAL_NAMES *gens)
{
	char *buf = NULL, item[512], ip[INET6_ADDRSTRLEN];
	size_t len = 0, cap = 0;

	if (append(&buf, &len, &cap, "") != 0)
		return NULL;
	len = 0;
	buf[0] = '\0';
	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s = g->d.ia5;
		switch (g->type) {
		case GEN_DNS: snprintf(item, sizeof(item), "DNS:%.*s", s->length, s->data); break;
		case GEN_URI: snprintf(item, sizeof(item), "URI:%.*s", s->length, s->data); break;
		case GEN_EMAIL: snprintf(item, sizeof(item), "email:%.*s", s->length, s->data); break;
		case GEN_IPADD:
			inet_ntop(g->d.ip->length == 16 ? AF_INET6 : AF_INET, g->d.ip->data, ip, sizeof(ip));
			snprintf(item, sizeof(item), "IP:%s", ip);
			break;
		default: snprintf(item, sizeof(item), "other"); break;
		}
		if (append(&buf, &len, &cap, item) != 0) {
			free(buf);
			return NULL;
		}
	}
	return buf;
}

/* RFC 5280 4.2.1.10: a DNS constraint matches the name itself and every
 * name formed by adding labels on the left. */
static bool dns_within(const char *name, size_t n, const char *base)
{
	size_t b = strlen(base);

	if (b > 0 && base[0] == '.')
		return n > b && strncasecmp(name + n - b, base, b) == 0;
	if (n == b)
		return strncasecmp(name, base, b) == 0;
	return n > b && name[n - b - 1] == '.' && strncasecmp(name + n - b, base, b) == 0;
}

int ca_san_check_constraints(const GENERAL_NAMES *gens, const eku_strv *permit, eku_error *err)
{
	if (permit->n == 0)
		return 0;
	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		bool ok = false;
		if (g->type != GEN_DNS)
			continue;
		for (size_t j = 0; j < permit->n && !ok; j++)
			ok = dns_within((const char *)g->d.ia5->data, (size_t)g->d.ia5->length, permit->v[j]);
		if (!ok) {
			eku_error_set(err, EKU_E_POLICY,
				"SAN DNS:%.*s is outside the CA's name constraints (permitted: %s%s); "
				"peers would reject the certificate",
				g->d.ia5->length, g->d.ia5->data, permit->v[0], permit->n > 1 ? ", ..." : "");
			return -1;
		}
	}
	return 0;
}

/* A CSR is a few KiB; anything past this is not one. */
#define CSR_MAX_BYTES (1u << 20)

X509_REQ *ca_csr_load(const char *path, eku_error *err)
{
	uint8_t *buf = NULL;
	BIO *b = ca_read_bio(path, CSR_MAX_BYTES, "the CSR", &buf, err);
	X509_REQ *req = NULL;
	EVP_PKEY *pk;

	if (b == NULL)
		goto out;
	if ((req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL)) == NULL) {
		eku_error_set(err, EKU_E_BAD_PEM, "%s: not a PEM certificate request (CSR)", path);
		goto out;
	}
	pk = X509_REQ_get0_pubkey(req);
	/* The signature proves possession of the key being certified. */
	if (pk == NULL || X509_REQ_verify(req, pk) != 1) {
		eku_error_set(err, EKU_E_POLICY,
			"%s: the CSR signature does not verify with its own public key; "
			"the request was altered or not made with this key", path);
		X509_REQ_free(req);
		req = NULL;
	}
out:
	ERR_clear_error();
	BIO_free(b);
	free(buf);
	return req;
}

GENERAL_NAMES *ca_csr_sans(X509_REQ *req)
{
	STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
	GENERAL_NAMES *g = NULL;

	if (exts != NULL)
		g = X509V3_get_d2i(exts, NID_subject_alt_name, NULL, NULL);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return g;
}
