/* Candidate client certificates for dry runs: the only probe code that opens
 * private keys. Accepts PEM (certificate, chain and possibly the key in one
 * file, or the key in its own file) and PKCS#12. Keys are freed with
 * EVP_PKEY_free, which clears them; passwords are never copied here.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include <eku/cert.h>

#include "probe_int.h"

#define MAX_FILE (1024 * 1024)

static int key_password_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pw = u;
	size_t n = pw != NULL ? strlen(pw) : 0;

	if (n > (size_t)size)
		return -1;
	memcpy(buf, pw != NULL ? pw : "", n);
	return (int)n;
}

static int load_pkcs12(struct probe_candidate *c, const uint8_t *buf, size_t len,
	const char *password, const char *path, eku_error *err)
{
	const unsigned char *p = buf;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
	int rc = -1;

	if (p12 == NULL)
		return 1; /* not PKCS#12: try PEM */
	if (!PKCS12_parse(p12, password != NULL ? password : "", &c->key, &c->cert, &c->chain)) {
		eku_error_set_openssl(err, EKU_E_PKCS12_PASSWORD, "%s: cannot open PKCS#12 (wrong password?)", path);
		goto out;
	}
	if (c->cert == NULL || c->key == NULL) {
		eku_error_set(err, EKU_E_NO_CERT, "%s: PKCS#12 lacks a certificate or its key", path);
		goto out;
	}
	rc = 0;
out:
	PKCS12_free(p12);
	return rc;
}

static int load_pem_certs(struct probe_candidate *c, const uint8_t *buf, size_t len, const char *path,
	eku_error *err)
{
	BIO *b = BIO_new_mem_buf(buf, (int)len);
	X509 *x;

	if (b == NULL)
		return -1;
	c->chain = sk_X509_new_null();
	while (c->chain != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (c->cert == NULL)
			c->cert = x;
		else if (!sk_X509_push(c->chain, x))
			X509_free(x);
	}
	ERR_clear_error();
	BIO_free(b);
	if (c->cert == NULL) {
		eku_error_set(err, EKU_E_NO_CERT, "%s: no PEM certificate (nor a PKCS#12 file)", path);
		return -1;
	}
	return 0;
}

static int load_pem_key(struct probe_candidate *c, const uint8_t *buf, size_t len,
	const char *password, const char *path, eku_error *err)
{
	BIO *b = BIO_new_mem_buf(buf, (int)len);

	if (b == NULL)
		return -1;
	c->key = PEM_read_bio_PrivateKey(b, NULL, key_password_cb, (void *)password);
	BIO_free(b);
	if (c->key == NULL) {
		eku_error_set_openssl(err, EKU_E_IO, "%s: no usable private key", path);
		return -1;
	}
	return 0;
}

int probe_candidate_load(struct probe_candidate *c, const char *cert_path, const char *key_path,
	const char *password, eku_error *err)
{
	uint8_t *cbuf = NULL, *kbuf = NULL;
	size_t clen = 0, klen = 0;
	int rc = -1, r;

	memset(c, 0, sizeof(*c));
	if ((c->label = strdup(cert_path)) == NULL ||
	    eku_read_file(cert_path, MAX_FILE, &cbuf, &clen, err) != 0)
		goto out;
	if ((r = load_pkcs12(c, cbuf, clen, password, cert_path, err)) < 0)
		goto out;
	if (r > 0 && load_pem_certs(c, cbuf, clen, cert_path, err) != 0)
		goto out;
	if (c->key == NULL && key_path == NULL && load_pem_key(c, cbuf, clen, password, cert_path, err) != 0)
		goto out;
	if (c->key == NULL && key_path != NULL) {
		if (eku_read_file(key_path, MAX_FILE, &kbuf, &klen, err) != 0 ||
		    load_pem_key(c, kbuf, klen, password, key_path, err) != 0)
			goto out;
	}
	if (X509_check_private_key(c->cert, c->key) != 1) {
		eku_error_set(err, EKU_E_USAGE, "%s: the key does not match the certificate",
			key_path != NULL ? key_path : cert_path);
		ERR_clear_error();
		goto out;
	}
	rc = 0;
out:
	if (kbuf != NULL)
		eku_wipe(kbuf, klen);
	if (cbuf != NULL)
		eku_wipe(cbuf, clen);
	free(kbuf);
	free(cbuf);
	if (rc != 0)
		probe_candidate_clear(c);
	return rc;
}

void probe_candidate_clear(struct probe_candidate *c)
{
	free(c->label);
	X509_free(c->cert);
	sk_X509_pop_free(c->chain, X509_free);
	EVP_PKEY_free(c->key);
	memset(c, 0, sizeof(*c));
}
