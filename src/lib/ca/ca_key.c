/* The only code that creates, writes and opens private keys (STYLE 9).
 * Keys are PKCS#8; with a passphrase, PBES2 (RFC 8018 6.2) with PBKDF2-HMAC-
 * SHA256 and AES-256-CBC, OpenSSL 3's default PBES2 parameters. */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "ca_int.h"

EVP_PKEY *ca_key_generate(enum eku_ca_keyalg alg, eku_error *err)
{
	EVP_PKEY *k = NULL;

	switch (alg) {
	case EKU_CA_KEY_P256: k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); break;
	case EKU_CA_KEY_P384: k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"); break;
	case EKU_CA_KEY_RSA3072: k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072); break;
	}
	if (k == NULL)
		eku_error_set_openssl(err, EKU_E_OPENSSL, "key generation (%s)", eku_ca_keyalg_name(alg));
	return k;
}

const EVP_MD *ca_key_md(EVP_PKEY *key)
{
	/* SHA-384 with P-384, as RFC 5480 section 4 pairs them. */
	return EVP_PKEY_get_bits(key) == 384 ? EVP_sha384() : EVP_sha256();
}

int ca_key_write(const char *path, EVP_PKEY *key, const char *pass, eku_error *err)
{
	BIO *b = BIO_new(BIO_s_secmem());
	char *data = NULL;
	long len;
	int rc = -1;

	if (b == NULL)
		goto ossl;
	if (pass != NULL) {
		if (!PEM_write_bio_PKCS8PrivateKey(b, key, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)pass))
			goto ossl;
	} else if (!PEM_write_bio_PKCS8PrivateKey(b, key, NULL, NULL, 0, NULL, NULL)) {
		goto ossl;
	}
	len = BIO_get_mem_data(b, &data);
	rc = ca_write_atomic(path, data, (size_t)len, 0600, err);
	goto out;
ossl:
	eku_error_set_openssl(err, EKU_E_OPENSSL, "%s: cannot encode the key", path);
out:
	BIO_free(b); /* secmem BIO: the buffer is cleansed on free */
	return rc;
}

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *p = u;
	size_t n;

	if (p == NULL)
		return -1;
	n = strlen(p);
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(buf, p, n);
	return (int)n;
}

EVP_PKEY *ca_key_load(const char *path, const char *pass, eku_error *err)
{
	BIO *b = BIO_new_file(path, "r");
	EVP_PKEY *k = NULL;
	unsigned long e;

	if (b == NULL) {
		eku_error_set(err, EKU_E_IO, "%s: cannot open the key (moved offline?)", path);
		ERR_clear_error();
		goto out;
	}
	k = PEM_read_bio_PrivateKey(b, NULL, pass_cb, (void *)pass);
	if (k == NULL) {
		e = ERR_peek_last_error();
		ERR_clear_error();
		if (pass == NULL)
			eku_error_set(err, EKU_E_PKCS12_PASSWORD,
				"%s: the key is encrypted or unreadable; give --passphrase-file or --passphrase-env",
				path);
		else if (ERR_GET_REASON(e) == EVP_R_BAD_DECRYPT || ERR_GET_LIB(e) == ERR_LIB_EVP ||
			 ERR_GET_LIB(e) == ERR_LIB_PEM || ERR_GET_LIB(e) == ERR_LIB_PROV)
			eku_error_set(err, EKU_E_PKCS12_PASSWORD, "%s: wrong passphrase for the key", path);
		else
			eku_error_set(err, EKU_E_BAD_PEM, "%s: not a private key", path);
	}
out:
	BIO_free(b);
	return k;
}
