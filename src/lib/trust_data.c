/* Reading the trust data tables: the Chrome Root Store snapshot, CA vendors
 * and the alternative combined-EKU roots. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include <eku/util.h>

#include "trust_int.h"

static int unhex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* One data row: sha256,crs_root_id,sct_not_after,"subject". */
static int parse_row(const char *line, struct eku_chrome_root *r)
{
	char sct[32] = "";
	const char *p = line, *q;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (strlen(p) < 65 || p[64] != ',' || unhex(p, r->sha256, 32) != 0)
		return -1;
	p += 65;
	if (sscanf(p, "%d", &r->crs_id) != 1 || (p = strchr(p, ',')) == NULL)
		return -1;
	p++;
	q = strchr(p, ',');
	if (q == NULL || (size_t)(q - p) >= sizeof(sct))
		return -1;
	memcpy(sct, p, (size_t)(q - p));
	if (sct[0] != '\0' && eku_time_parse(sct, &r->sct_not_after) != 0)
		return -1;
	p = q + 1;
	if (*p == '"')
		p++;
	n = strcspn(p, "\"\r\n");
	if (n >= sizeof(r->subject))
		n = sizeof(r->subject) - 1;
	memcpy(r->subject, p, n);
	return 0;
}

int eku_chrome_parse(const char *csv, const char *display, struct eku_chrome_root **out, size_t *np,
	eku_error *err)
{
	struct eku_chrome_root *v = NULL;
	size_t n = 0;
	int lineno = 0;
	const char *line = csv;

	while (line != NULL && *line != '\0') {
		const char *nl = strchr(line, '\n');
		lineno++;
		if (*line != '#' && *line != '\n' && strncmp(line, "sha256,", 7) != 0) {
			struct eku_chrome_root *nv = realloc(v, (n + 1) * sizeof(*nv));
			if (nv == NULL) {
				eku_error_set(err, EKU_E_NOMEM, "out of memory");
				goto fail;
			}
			v = nv;
			if (parse_row(line, &v[n]) != 0) {
				eku_error_set(err, EKU_E_BAD_DATA,
					"%s:%d: expected sha256,crs_root_id,sct_not_after,\"subject\"",
					display, lineno);
				goto fail;
			}
			n++;
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	*out = v;
	*np = n;
	return 0;
fail:
	free(v);
	return -1;
}

static bool str_in(json_t *arr, const char *s, bool substring)
{
	size_t i;
	json_t *v;

	if (s == NULL)
		return false;
	json_array_foreach(arr, i, v) {
		const char *pat = json_string_value(v);
		if (pat == NULL)
			continue;
		if (substring ? strcasestr(s, pat) != NULL : strcasecmp(s, pat) == 0)
			return true;
	}
	return false;
}

/* The value of attribute type (e.g. "O") in an RFC 4514 name as eku prints
 * it, unescaped, or NULL. The printed name is most-specific first, so the
 * last occurrence is the first in the certificate, the one OpenSSL's
 * X509_NAME_get_text_by_NID would return. Reads facts, never OpenSSL's
 * parse, so classification needs no X509 of the leaf. */
static char *name_field(const char *name, const char *type)
{
	size_t tl = strlen(type);
	const char *p = name, *val = NULL;
	char *out, *o;

	while (*p != '\0') {
		/* p is at the start of an attribute type */
		if (strncasecmp(p, type, tl) == 0 && p[tl] == '=')
			val = p + tl + 1;
		for (; *p != '\0'; p++) {
			if (*p == '\\' && p[1] != '\0') {
				p++;
				continue;
			}
			if (*p == ',' || *p == '+') {
				p++;
				break;
			}
		}
	}
	if (val == NULL || (out = malloc(strlen(val) + 1)) == NULL)
		return NULL;
	for (o = out; *val != '\0' && *val != ',' && *val != '+'; val++) {
		if (*val == '\\' && val[1] != '\0')
			val++;
		*o++ = *val;
	}
	*o = '\0';
	return out;
}

/* Host part of a URL, lower-cased, into buf. */
static const char *url_host(const char *url, char *buf, size_t len)
{
	const char *p = strstr(url, "://");
	size_t n;

	p = p != NULL ? p + 3 : url;
	n = strcspn(p, ":/?#");
	if (n >= len)
		n = len - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)p[i]);
	buf[n] = '\0';
	return buf;
}

static bool host_matches(const char *host, json_t *domains)
{
	size_t i, hl = strlen(host);
	json_t *v;

	json_array_foreach(domains, i, v) {
		const char *d = json_string_value(v);
		size_t dl = d != NULL ? strlen(d) : 0;
		if (dl == 0 || dl > hl)
			continue;
		if (strcasecmp(host + hl - dl, d) == 0 && (hl == dl || host[hl - dl - 1] == '.'))
			return true;
	}
	return false;
}

static json_t *vendor_by_name(json_t *vendors, const char *name, char **why)
{
	char *o = name_field(name, "O"), *cn = name_field(name, "CN");
	json_t *found = NULL, *v;
	size_t i;

	json_array_foreach(vendors, i, v) {
		if (str_in(json_object_get(v, "issuer_o"), o, false)) {
			if (asprintf(why, "organisation \"%s\"", o) < 0)
				*why = NULL;
			found = v;
			break;
		}
		if (str_in(json_object_get(v, "issuer_cn"), cn, true)) {
			if (asprintf(why, "common name \"%s\"", cn) < 0)
				*why = NULL;
			found = v;
			break;
		}
	}
	free(o);
	free(cn);
	return found;
}

static json_t *vendor_by_url(json_t *vendors, const eku_strv *urls, char **why)
{
	char host[256];
	size_t i;
	json_t *v;

	for (size_t u = 0; u < urls->n; u++) {
		url_host(urls->v[u], host, sizeof(host));
		json_array_foreach(vendors, i, v) {
			if (host_matches(host, json_object_get(v, "url_domains"))) {
				if (asprintf(why, "URL host %s", host) < 0)
					*why = NULL;
				return v;
			}
		}
	}
	return NULL;
}

static int set_vendor(struct eku_classification *cl, json_t *v, const char *where, char *why)
{
	char *ev = NULL;
	int rc = -1;

	cl->ca_vendor = strdup(json_string_value(json_object_get(v, "id")) ?: "?");
	if (cl->ca_vendor == NULL || asprintf(&ev, "vendor from %s: %s", where, why ?: "?") < 0)
		goto out;
	rc = eku_strv_push0(&cl->evidence, ev);
out:
	free(why);
	return rc;
}

/* Evidence order: the issuing CA's own name (resellers with their own
 * intermediates, e.g. ZeroSSL under USERTrust), then the leaf's AIA/CRL
 * URLs, then every name further up the chain. */
void eku_trust_match_vendor(json_t *vendors, struct eku_classification *cl, int *rc)
{
	const eku_cert *leaf = cl->chain[0];
	const struct eku_facts *f = eku_cert_facts(leaf);
	char *why = NULL;
	json_t *v;

	if (cl->ca_vendor != NULL || vendors == NULL)
		return;
	if ((v = vendor_by_name(vendors, f->issuer, &why)) != NULL) {
		*rc |= set_vendor(cl, v, "issuer", why);
		return;
	}
	if ((v = vendor_by_url(vendors, &f->ca_issuers, &why)) != NULL ||
	    (v = vendor_by_url(vendors, &f->ocsp, &why)) != NULL ||
	    (v = vendor_by_url(vendors, &f->crl_dp, &why)) != NULL) {
		*rc |= set_vendor(cl, v, "AIA/CRL", why);
		return;
	}
	for (size_t i = 1; i < cl->chain_len; i++) {
		if ((v = vendor_by_name(vendors, eku_cert_facts(cl->chain[i])->issuer, &why)) != NULL) {
			*rc |= set_vendor(cl, v, "chain", why);
			return;
		}
	}
}

void eku_trust_match_alt_root(json_t *alt_roots, const eku_cert *top,
	struct eku_classification *cl, int *rc)
{
	char *cn = name_field(eku_cert_facts(top)->subject, "CN");
	size_t i;
	json_t *r;

	if (cn == NULL || alt_roots == NULL)
		goto out;
	json_array_foreach(alt_roots, i, r) {
		const char *want = json_string_value(json_object_get(r, "subject_cn"));
		if (want == NULL || strcmp(want, cn) != 0)
			continue;
		cl->alt_root = true;
		cl->alt_root_label = strdup(json_string_value(json_object_get(r, "label")) ?: want);
		if (cl->alt_root_label == NULL ||
		    eku_strv_push(&cl->evidence, "root is a known alternative combined-EKU root") != 0)
			*rc |= -1;
		break;
	}
out:
	free(cn);
}
