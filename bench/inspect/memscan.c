/*
 * Baseline (c) of bench/inspect/run.py: the physical floor. Reads every file
 * into memory (timed as "read"), then one pass over the bytes (a byte sum,
 * timed as "scan"): no tool that looks at every byte can beat the scan.
 * Timed from inside the process; prints one JSON line. The certificate count
 * (PEM BEGIN lines) is taken by an untimed pass, as a check on the corpus.
 *
 *   cc -O3 -o memscan memscan.c && ./memscan FILE...
 *   find DIR -type f | ./memscan -      (paths on stdin, one a line)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "paths.h"

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	size_t cap = 1 << 20, len = 0, n;
	char **paths = bench_paths(argc, argv, &n);
	unsigned char *buf = malloc(cap);
	double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);

	for (size_t i = 0; i < n && buf != NULL; i++) {
		FILE *f = fopen(paths[i], "rb");
		size_t got;

		if (f == NULL) {
			perror(paths[i]);
			return 2;
		}
		do {
			if (cap - len < 65536) {
				cap *= 2; /* geometric: one realloc per doubling */
				buf = realloc(buf, cap);
				if (buf == NULL)
					break;
			}
			got = fread(buf + len, 1, cap - len, f);
			len += got;
		} while (got > 0);
		fclose(f);
	}
	if (buf == NULL) {
		perror("memscan");
		return 2;
	}
	double w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	uint64_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += buf[i];
	double w2 = now(CLOCK_MONOTONIC), c2 = now(CLOCK_PROCESS_CPUTIME_ID);
	long certs = 0;

	for (unsigned char *p = buf; (p = memmem(p, buf + len - p, begin, sizeof(begin) - 1)) != NULL;
	     p++)
		certs++;
	printf("{\"certs\": %ld, \"bytes\": %zu, \"sum\": %llu, \"read_wall\": %.6f, "
	       "\"read_cpu\": %.6f, \"wall\": %.6f, \"cpu\": %.6f}\n",
	       certs, len, (unsigned long long)sum, w1 - w0, c1 - c0, w2 - w1, c2 - c1);
	free(buf);
	return 0;
}
