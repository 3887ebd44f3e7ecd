/* libFuzzer target: a PEM file read in parts (eku_pem_parts, with parts of
 * a few bytes so that every input is cut many times) against the same bytes
 * loaded whole (eku_loader_load_mem). Aborts unless both give the same
 * certificates (by SHA-256, position and line) and the same diagnostics in
 * the same order. The input goes through a memfd: the reader opens a path. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <eku/cert.h>

#define PART 64

static void same(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "parts and whole differ: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	eku_loader *ld = eku_loader_new();
	eku_certlist *whole = eku_certlist_new(), *parts = eku_certlist_new();
	eku_diaglist dw = { 0 }, dp = { 0 };
	eku_pem_parts *pp = NULL;
	struct eku_pem_tally tally = { 0 };
	struct eku_pem_part part;
	eku_error err = { 0 };
	char path[64];
	int fd = memfd_create("pem", MFD_CLOEXEC), rc;

	if (ld == NULL || whole == NULL || parts == NULL || fd < 0 ||
	    write(fd, data, size) != (ssize_t)size)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (eku_pem_parts_open(path, 1u << 20, PART, &pp) != 1)
		goto out; /* small or not PEM: read whole, nothing to compare */
	eku_loader_load_mem(ld, "f", data, size, whole, &dw);
	while ((rc = eku_pem_parts_next(pp, &part, &err)) == 1) {
		eku_loader_load_pem_part(ld, "f", &part, &tally, parts, &dp);
		free(part.buf);
	}
	same(rc == 0, "a read failed");
	(void)eku_loader_pem_finish("f", &tally, &dp);
	same(eku_certlist_count(whole) == eku_certlist_count(parts), "certificate count");
	for (size_t i = 0; i < eku_certlist_count(whole); i++) {
		const eku_cert *a = eku_certlist_get0(whole, i), *b = eku_certlist_get0(parts, i);
		same(memcmp(eku_cert_facts(a)->sha256, eku_cert_facts(b)->sha256, 32) == 0, "certificate");
		same(eku_cert_index(a) == eku_cert_index(b), "block number");
		same(eku_cert_line(a) == eku_cert_line(b), "line");
	}
	same(dw.n == dp.n, "diagnostic count");
	for (size_t i = 0; i < dw.n; i++) {
		same(dw.v[i].line == dp.v[i].line && dw.v[i].block == dp.v[i].block, "diagnostic position");
		same(dw.v[i].code == dp.v[i].code && strcmp(dw.v[i].message, dp.v[i].message) == 0,
			"diagnostic");
	}
out:
	if (fd >= 0)
		close(fd);
	eku_pem_parts_free(pp);
	eku_diaglist_clear(&dw);
	eku_diaglist_clear(&dp);
	eku_certlist_free(whole);
	eku_certlist_free(parts);
	eku_loader_free(ld);
	return 0;
}
