/* Shared by the unit tests: paths of the committed fixtures in tests/data and
 * loading one that must load cleanly. */
#ifndef EKU_TEST_FIXTURES_H
#define EKU_TEST_FIXTURES_H

#include <eku/cert.h>

/* $EKU_SRCDIR/tests/data/NAME. Four rotating buffers, so a call may hold up
 * to four paths at once. */
char *fixture(const char *name);
/* Every certificate of path; the test fails on any diagnostic. The caller
 * frees the list. */
eku_certlist *fixture_load(const char *path);
/* Every certificate under path (a file or a directory, recursively; files
 * under 1 MiB): each CERTIFICATE or X509 CERTIFICATE block of a PEM file,
 * else the file itself when it starts like DER. fn gets the file, the
 * certificate's position in it (from 1) and its DER. For the corpus-wide
 * differential tests; unreadable paths give nothing. */
typedef void (*fixture_der_fn)(void *arg, const char *file, int idx, const uint8_t *der, size_t len);
void fixture_each_der(const char *path, fixture_der_fn fn, void *arg);

#endif
