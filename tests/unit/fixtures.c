/* Fixture helpers shared by the unit tests (see fixtures.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "fixtures.h"

char *fixture(const char *name)
{
	static char buf[4][4096];
	static int slot;
	const char *src = getenv("EKU_SRCDIR");
	char *b = buf[slot++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/tests/data/%s", src != NULL ? src : ".", name);
	return b;
}

eku_certlist *fixture_load(const char *path)
{
	eku_loader *ld = eku_loader_new();
	eku_certlist *l = eku_certlist_new();
	eku_diaglist d = { 0 };

	eku_loader_load_path(ld, path, l, &d);
	assert_int_equal(d.n, 0);
	eku_loader_free(ld);
	return l;
}

static void each_der_in_file(const char *path, fixture_der_fn fn, void *arg)
{
	BIO *bio = BIO_new_file(path, "rb");
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len;
	int idx = 0;

	if (bio == NULL)
		return;
	while (PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
		if (strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0)
			fn(arg, path, ++idx, data, (size_t)len);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
	}
	ERR_clear_error();
	BIO_free(bio);
	if (idx == 0) {
		uint8_t *buf = NULL;
		size_t n = 0;
		eku_error err = { 0 };
		if (eku_read_file(path, 1u << 20, &buf, &n, &err) == 0 && n > 0 && buf[0] == 0x30)
			fn(arg, path, 1, buf, n);
		free(buf);
	}
}

void fixture_each_der(const char *path, fixture_der_fn fn, void *arg)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL) {
		each_der_in_file(path, fn, arg);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char sub[4096];
		struct stat sb;
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (stat(sub, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			fixture_each_der(sub, fn, arg);
		else if (S_ISREG(sb.st_mode) && sb.st_size < (1 << 20))
			each_der_in_file(sub, fn, arg);
	}
	closedir(d);
}
