/* Turns an issue request into a subject, SANs and a public key: from a CSR,
 * from an existing certificate (--for-cert: the same public key, with proof
 * of possession), or a newly generated key. Everything here runs before the
 * database is touched, so a bad input changes nothing. */
#include <string.h>

#include <openssl/err.h>

#include "ca_issue.h"

static int subject_cn(struct issue_input *in, const char *cn, eku_error *err)
{
	X509_NAME *n = X509_NAME_new();

	if (n == NULL || !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
				 -1, -1, 0)) {
		X509_NAME_free(n);
		eku_error_set(err, EKU_E_USAGE, "--cn %s: not a usable common name (1..64 characters)", cn);
		ERR_clear_error();
		return -1;
	}
	X509_NAME_free(in->subject);
	in->subject = n;
	return 0;
}

static const char *first_dns(const GENERAL_NAMES *g, char *buf, size_t len)
{
	for (int i = 0; g != NULL && i < sk_GENERAL_NAME_num(g); i++) {
		const GENERAL_NAME *n = sk_GENERAL_NAME_value(g, i);
		if (n->type == GEN_DNS) {
			snprintf(buf, len, "%.*s", n->d.ia5->length, n->d.ia5->data);
			return buf;
		}
	}
	return NULL;
}

static int from_csr(struct issue_input *in, const char *path, eku_error *err)
{
	X509_REQ *req = ca_csr_load(path, err);
	int rc = -1;

	if (req == NULL)
		return -1;
	if ((in->pub = X509_REQ_get_pubkey(req)) == NULL ||
	    (in->subject = X509_NAME_dup(X509_REQ_get_subject_name(req))) == NULL)
		goto out;
	if (in->sans == NULL)
		in->sans = ca_csr_sans(req);
	rc = 0;
out:
	X509_REQ_free(req);
	return rc;
}

/* Proof of possession for --for-cert: the key file itself, or a CSR whose
 * (verified) signature was made with the certified key. */
static int pop_check(struct issue_input *in, const struct eku_ca_issue_req *r, eku_error *err)
{
	X509_REQ *req = NULL;
	int rc = -1;

	if (r->pop_key_file != NULL) {
		if ((in->priv = ca_key_load(r->pop_key_file, NULL, err)) == NULL)
			goto out;
		if (EVP_PKEY_eq(in->priv, in->pub) != 1) {
			eku_error_set(err, EKU_E_POLICY, "%s: this key does not belong to %s",
				r->pop_key_file, r->for_cert_file);
			goto out;
		}
	} else if (r->csr_file != NULL) {
		if ((req = ca_csr_load(r->csr_file, err)) == NULL)
			goto out;
		if (EVP_PKEY_eq(X509_REQ_get0_pubkey(req), in->pub) != 1) {
			eku_error_set(err, EKU_E_POLICY, "%s: the CSR is for another key than %s",
				r->csr_file, r->for_cert_file);
			goto out;
		}
	} else {
		eku_error_set(err, EKU_E_USAGE,
			"--for-cert needs proof of possession of its key: add --key KEY.pem or "
			"--csr REQ.pem signed with that key");
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	X509_REQ_free(req);
	return rc;
}

static int from_cert(struct issue_input *in, const struct eku_ca_issue_req *r, eku_error *err)
{
	X509 *x = ca_cert_load(r->for_cert_file, err);
	int rc = -1;

	if (x == NULL)
		return -1;
	if ((in->pub = X509_get_pubkey(x)) == NULL ||
	    (in->subject = X509_NAME_dup(X509_get_subject_name(x))) == NULL)
		goto out;
	if (in->sans == NULL)
		in->sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	rc = pop_check(in, r, err);
out:
	X509_free(x);
	return rc;
}

static int sans_from_req(struct issue_input *in, const struct eku_ca_issue_req *r, eku_error *err)
{
	if (r->n_sans == 0)
		return 0;
	if ((in->sans = sk_GENERAL_NAME_new_null()) == NULL)
		return -1;
	for (size_t i = 0; i < r->n_sans; i++)
		if (ca_san_add(in->sans, r->sans[i], err) != 0)
			return -1;
	return 0;
}

int issue_input_build(struct issue_input *in, const struct eku_ca_profile *p,
	const struct eku_ca_issue_req *r, eku_error *err)
{
	char buf[256];
	const char *cn = r->cn;

	if (sans_from_req(in, r, err) != 0)
		return -1;
	if (r->for_cert_file != NULL) {
		if (from_cert(in, r, err) != 0)
			return -1;
	} else if (r->csr_file != NULL) {
		if (from_csr(in, r->csr_file, err) != 0)
			return -1;
	} else {
		if ((in->priv = ca_key_generate(r->key_alg, err)) == NULL ||
		    EVP_PKEY_up_ref(in->priv) != 1)
			return -1;
		in->pub = in->priv;
		in->generated = true;
	}
	if (p->need_dns_san && first_dns(in->sans, buf, sizeof(buf)) == NULL) {
		eku_error_set(err, EKU_E_USAGE,
			"profile %s needs a DNS name: add --san DNS:host.example", p->name);
		return -1;
	}
	if (cn == NULL && (in->subject == NULL || X509_NAME_entry_count(in->subject) == 0))
		cn = first_dns(in->sans, buf, sizeof(buf));
	if (cn != NULL && subject_cn(in, cn, err) != 0)
		return -1;
	/* An empty subject is fine when SANs name the holder (RFC 5280 4.1.2.6;
	 * the SAN is then critical). */
	if (in->subject == NULL && (in->subject = X509_NAME_new()) == NULL)
		return -1;
	if ((X509_NAME_entry_count(in->subject) == 0 &&
				    (in->sans == NULL || sk_GENERAL_NAME_num(in->sans) == 0))) {
		eku_error_set(err, EKU_E_USAGE,
			"the certificate would name nobody: give --cn NAME or --san DNS:host.example");
		return -1;
	}
	return 0;
}

void issue_input_clear(struct issue_input *in)
{
	EVP_PKEY_free(in->pub);
	EVP_PKEY_free(in->priv);
	X509_NAME_free(in->subject);
	GENERAL_NAMES_free(in->sans);
	memset(in, 0, sizeof(*in));
}
