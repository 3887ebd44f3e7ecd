/* Benchmark: eku_facts_from_der (DER walker) against the OpenSSL oracle
 * (d2i_X509 + eku_facts_from_x509) over the system bundle, repeated.
 * Not built by meson; from the repository root after `ninja -C build` (the
 * internal archive: eku_facts_from_x509 is not public, build/libeku.a hides it):
 *
 *   cc -O2 -o /tmp/bench_der bench/der_facts/bench.c -Iinclude -Isrc/lib \
 *      build/libeku-internal.a -lssl -lcrypto -ljansson -lfyaml -lsqlite3 -levent -levent_openssl -lpthread
 *   /tmp/bench_der [REPEATS]          (default 200)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/pem.h>

#include <eku/cert.h>

#include "cert_int.h"

#define MAX_CERTS 4096

/* CPU time of this process: the machine it runs on may be shared. */
static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static unsigned char *der[MAX_CERTS];
	static long len[MAX_CERTS];
	BIO *bio = BIO_new_file("/etc/ssl/certs/ca-certificates.crt", "rb");
	int n = 0, reps = argc > 1 ? atoi(argv[1]) : 200;
	char *name, *header;
	double rate[2] = { 0, 0 };

	while (bio != NULL && n < MAX_CERTS && PEM_read_bio(bio, &name, &header, &der[n], &len[n]) == 1) {
		n++;
		OPENSSL_free(name);
		OPENSSL_free(header);
	}
	BIO_free(bio);
	for (int mode = 0; mode < 2; mode++) {
		double t0 = now(), dt;
		long ok = 0;
		for (int r = 0; r < reps; r++)
			for (int i = 0; i < n; i++) {
				eku_error e = { 0 };
				struct eku_facts *f = mode ? eku_facts_from_der(der[i], (size_t)len[i], &e)
							   : eku_facts_from_der_oracle(der[i], (size_t)len[i], &e);
				ok += f != NULL;
				eku_facts_free(f);
			}
		dt = now() - t0;
		rate[mode] = (double)ok / dt;
		printf("%-30s %8ld certificates %7.2f s CPU %9.0f certificates/s\n",
			mode ? "eku_facts_from_der (walker)" : "oracle (d2i_X509 + OpenSSL)", ok, dt, rate[mode]);
	}
	printf("speed-up: %.1fx\n", rate[1] / rate[0]);
	return 0;
}
