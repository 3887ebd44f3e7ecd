/* Writes PKCS#12 files whose key-derivation iteration counts are too large to
 * ever compute, for the loader's iteration cap (cert_load.c). The files are
 * built with small counts and then patched, so making them takes no time;
 * the patched parts no longer decrypt, which does not matter: the loader must
 * refuse them before it tries. Empty password throughout.
 *
 *   cc -o make-p12-iter make-p12-iter.c -lcrypto
 *   ./make-p12-iter mac     2147483647 leaf-dual.pem p12-mac-iter-huge.p12
 *   ./make-p12-iter certbag 2147483647 leaf-dual.pem p12-certbag-iter-huge.p12
 *   ./make-p12-iter keybag  2147483647 leaf-dual.pem p12-keybag-iter-huge.p12
 *
 * mac:     certificate bag in clear, MAC iterations = ITER (MAC then wrong)
 * certbag: certificate bag in PBES2-encrypted data with PBKDF2 iterations =
 *          ITER; MAC (2048 iterations) valid, so only the bag check stops it
 * keybag:  certificate in clear plus a shrouded key bag (PBES2, ITER), MAC valid
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

static void die(const char *what)
{
	fprintf(stderr, "make-p12-iter: %s failed\n", what);
	exit(1);
}

/* Rewrites the PBKDF2 iteration count of a PBES2 AlgorithmIdentifier. */
static void patch_pbes2(X509_ALGOR *alg, long iter)
{
	PBE2PARAM *p2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
	PBKDF2PARAM *kdf;

	if (p2 == NULL || OBJ_obj2nid(alg->algorithm) != NID_pbes2)
		die("PBES2 parameters");
	kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), p2->keyfunc->parameter);
	if (kdf == NULL || !ASN1_INTEGER_set(kdf->iter, iter) ||
	    ASN1_TYPE_pack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), kdf, &p2->keyfunc->parameter) == NULL ||
	    ASN1_TYPE_pack_sequence(ASN1_ITEM_rptr(PBE2PARAM), p2, &alg->parameter) == NULL)
		die("PBKDF2 parameters");
	PBKDF2PARAM_free(kdf);
	PBE2PARAM_free(p2);
}

int main(int argc, char **argv)
{
	STACK_OF(PKCS12_SAFEBAG) *bags = sk_PKCS12_SAFEBAG_new_null();
	STACK_OF(PKCS7) *safes = sk_PKCS7_new_null();
	PKCS12_SAFEBAG *bag;
	PKCS12 *p12 = PKCS12_init(NID_pkcs7_data);
	PKCS7 *p7;
	X509 *x;
	FILE *f;
	long iter;

	if (argc != 5) {
		fprintf(stderr, "usage: make-p12-iter mac|certbag|keybag ITER CERT.pem OUT.p12\n");
		return 2;
	}
	iter = strtol(argv[2], NULL, 10);
	if ((f = fopen(argv[3], "r")) == NULL || (x = PEM_read_X509(f, NULL, NULL, NULL)) == NULL)
		die("reading the certificate");
	fclose(f);
	if ((bag = PKCS12_SAFEBAG_create_cert(x)) == NULL || !sk_PKCS12_SAFEBAG_push(bags, bag))
		die("certificate bag");
	if (strcmp(argv[1], "keybag") == 0) {
		EVP_PKEY *k = EVP_EC_gen("P-256");
		PKCS8_PRIV_KEY_INFO *p8 = k != NULL ? EVP_PKEY2PKCS8(k) : NULL;
		const X509_ALGOR *alg;
		if (p8 == NULL || (bag = PKCS12_SAFEBAG_create_pkcs8_encrypt(NID_aes_256_cbc, "", 0, NULL,
			0, 1, p8)) == NULL || !sk_PKCS12_SAFEBAG_push(bags, bag))
			die("key bag");
		X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, NULL);
		patch_pbes2((X509_ALGOR *)alg, iter);
	}
	if (strcmp(argv[1], "certbag") == 0) {
		if ((p7 = PKCS12_pack_p7encdata(NID_aes_256_cbc, "", 0, NULL, 0, 1, bags)) == NULL)
			die("encrypted data");
		patch_pbes2(p7->d.encrypted->enc_data->algorithm, iter);
	} else if ((p7 = PKCS12_pack_p7data(bags)) == NULL) {
		die("data");
	}
	if (p12 == NULL || !sk_PKCS7_push(safes, p7) || !PKCS12_pack_authsafes(p12, safes))
		die("authenticated safe");
	if (!PKCS12_set_mac(p12, "", 0, NULL, 0, 2048, NULL))
		die("MAC");
	if (strcmp(argv[1], "mac") == 0) {
		const ASN1_INTEGER *it;
		PKCS12_get0_mac(NULL, NULL, NULL, &it, p12);
		if (it == NULL || !ASN1_INTEGER_set((ASN1_INTEGER *)it, iter))
			die("MAC iterations");
	}
	if ((f = fopen(argv[4], "wb")) == NULL || !i2d_PKCS12_fp(f, p12) || fclose(f) != 0)
		die("writing");
	return 0;
}
