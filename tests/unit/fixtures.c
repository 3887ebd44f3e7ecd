/* Fixture helpers shared by the unit tests (see fixtures.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

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
