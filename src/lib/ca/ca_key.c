/* The only code that creates, writes and opens private keys (STYLE 9).
 * Keys are PKCS#8; with a passphrase, PBES2 (RFC 8018 6.2) with scrypt and
 * AES-256-CBC. */
#include <stdlib.h>
#include <string.h>

#include <eku/cert.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

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

/* RFC 7914 scrypt (N=2^14, r=8, p=1: 16 MiB, openssl pkcs8 -scrypt's choice and under
 * OpenSSL's 32 MiB scrypt memory cap) feeding AES-256-CBC
 * in PBES2: far costlier to brute-force than the PBKDF2 default. */
static int write_encrypted(BIO *b, EVP_PKEY *key, const char *pass)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
	X509_ALGOR *alg = PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), NULL, 0, NULL, 1 << 14, 8, 1);
	X509_SIG *sig = NULL;
	int rc = -1;

	if (p8 == NULL || alg == NULL)
		goto out;
	if ((sig = PKCS8_set0_pbe(pass, (int)strlen(pass), p8, alg)) == NULL)
		goto out;
	alg = NULL;
	rc = PEM_write_bio_PKCS8(b, sig) ? 0 : -1;
out:
	X509_ALGOR_free(alg);
	X509_SIG_free(sig);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return rc;
}

int ca_key_write(const char *path, EVP_PKEY *key, const char *pass, bool sync_dir, eku_error *err)
{
	BIO *b = BIO_new(BIO_s_secmem());
	char *data = NULL;
	long len;
	int rc = -1;

	if (b == NULL)
		goto ossl;
	if (pass != NULL) {
		if (write_encrypted(b, key, pass) != 0)
			goto ossl;
	} else if (!PEM_write_bio_PKCS8PrivateKey(b, key, NULL, NULL, 0, NULL, NULL)) {
		goto ossl;
	}
	len = BIO_get_mem_data(b, &data);
	rc = sync_dir ? ca_write_atomic(path, data, (size_t)len, 0600, err)
		      : ca_write_atomic_nosync(path, data, (size_t)len, 0600, err);
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
	uint8_t *buf = NULL;
	size_t len = 0;
	BIO *b = NULL;
	EVP_PKEY *k = NULL;
	bool encrypted;

	if (eku_read_file(path, 1 << 20, &buf, &len, err) != 0) {
		eku_error_set(err, EKU_E_IO, "%s: cannot read the key (moved offline?)", path);
		goto out;
	}
	encrypted = memmem(buf, len, "ENCRYPTED", 9) != NULL;
	if ((b = BIO_new_mem_buf(buf, (int)len)) == NULL)
		goto out;
	k = PEM_read_bio_PrivateKey(b, NULL, pass_cb, (void *)pass);
	ERR_clear_error();
	if (k != NULL)
		goto out;
	if (encrypted && pass == NULL)
		eku_error_set(err, EKU_E_PKCS12_PASSWORD,
			"%s: the key is encrypted; give --passphrase-file or --passphrase-env", path);
	else if (encrypted)
		eku_error_set(err, EKU_E_PKCS12_PASSWORD,
			"%s: wrong passphrase (the key does not decrypt with it); check the passphrase file "
			"or variable", path);
	else
		eku_error_set(err, EKU_E_BAD_PEM, "%s: not a PEM private key", path);
out:
	BIO_free(b);
	if (buf != NULL) {
		eku_wipe(buf, len);
		free(buf);
	}
	return k;
}
