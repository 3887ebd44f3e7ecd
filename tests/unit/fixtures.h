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

#endif
