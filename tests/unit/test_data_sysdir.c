/* data: the lookup order of src/lib/data.c, compiled here with
 * EKU_SYSTEM_DATA_DIR pointing at tests/unit/sysdata (which holds only a
 * timeline.json): --data-dir / EKU_DATA_DIR first, then the installed copy,
 * then the embedded one, file by file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <eku/data.h>
#include <eku/error.h>

/* Reads name with dir as --data-dir; returns where it came from ("embedded"
 * for the compiled-in copy) and whether the content is the sysdata stub. */
static char *origin_of(const char *dir, const char *name, int *installed_stub)
{
	eku_error err = { 0 };
	char *origin = NULL;
	size_t len = 0;
	uint8_t *buf = eku_data_read(dir, name, &len, &origin, &err);

	assert_non_null(buf);
	*installed_stub = strstr((const char *)buf, "\"installed\"") != NULL;
	free(buf);
	return origin != NULL ? origin : strdup("embedded");
}

static void installed_copy_before_embedded(void **state)
{
	int stub;
	char *o;

	unsetenv("EKU_DATA_DIR");
	o = origin_of(NULL, "timeline.json", &stub);
	assert_string_equal(o, EKU_SYSTEM_DATA_DIR "/timeline.json");
	assert_true(stub);
	free(o);
}

static void file_by_file_falls_back_to_embedded(void **state)
{
	int stub;
	char *o;

	unsetenv("EKU_DATA_DIR");
	o = origin_of(NULL, "ca-vendors.json", &stub);
	assert_string_equal(o, "embedded");
	assert_false(stub);
	free(o);
}

static void override_dir_before_installed(void **state)
{
	char dir[4096];
	int stub;
	char *o;

	/* The source tree's data/ is a complete override directory. */
	snprintf(dir, sizeof(dir), "%s/data", getenv("EKU_SRCDIR"));
	o = origin_of(dir, "timeline.json", &stub);
	assert_non_null(strstr(o, "/data/timeline.json"));
	assert_false(stub);
	free(o);
	setenv("EKU_DATA_DIR", dir, 1);
	o = origin_of(NULL, "timeline.json", &stub);
	assert_false(stub);
	free(o);
	unsetenv("EKU_DATA_DIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(installed_copy_before_embedded),
		cmocka_unit_test(file_by_file_falls_back_to_embedded),
		cmocka_unit_test(override_dir_before_installed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
