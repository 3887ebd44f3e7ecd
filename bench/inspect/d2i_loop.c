/*
 * Baseline (b) of bench/inspect/run.py: the C loop an OpenSSL user would write
 * to read certificate facts. Per file: read it into memory, then per
 * certificate PEM-decode + d2i_X509 (PEM_read_bio_X509) and decode the EKU
 * extension (X509_get_ext_d2i). Timed from inside the process so process
 * start-up is excluded; prints one JSON line: certs, wall and CPU seconds.
 *
 *   cc -O2 -o d2i_loop d2i_loop.c -lcrypto && ./d2i_loop FILE...
 *   find DIR -type f | ./d2i_loop -     (paths on stdin, one a line)
 */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "paths.h"

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (*len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc(*len + 1)) == NULL ||
	    fread(buf, 1, *len, f) != (size_t)*len) {
		perror(path);
		exit(2);
	}
	fclose(f);
	return buf;
}

/* Certificates in one PEM file; *server counts those with EKU serverAuth. */
static long read_file(const char *path, long *server)
{
	long len, n = 0;
	char *buf = slurp(path, &len);
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	X509 *x;

	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);

		for (int i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++)
			*server += OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) == NID_server_auth;
		sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
		X509_free(x);
		n++;
	}
	ERR_clear_error(); /* end of input is reported as a PEM "no start line" error */
	BIO_free(bio);
	free(buf);
	return n;
}

int main(int argc, char **argv)
{
	size_t n;
	char **paths = bench_paths(argc, argv, &n);
	double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	long certs = 0, server = 0;

	for (size_t i = 0; i < n; i++)
		certs += read_file(paths[i], &server);
	printf("{\"certs\": %ld, \"server_auth\": %ld, \"wall\": %.6f, \"cpu\": %.6f}\n", certs, server,
	       now(CLOCK_MONOTONIC) - w0, now(CLOCK_PROCESS_CPUTIME_ID) - c0);
	return 0;
}
