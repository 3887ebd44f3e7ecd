/* Data files: a directory override first (--data-dir / EKU_DATA_DIR), then
 * the installed copy (EKU_SYSTEM_DATA_DIR, /usr/share/eku in the package, so
 * a package update can carry newer dates), the embedded copy otherwise. Each
 * file is looked up on its own: a directory holding only timeline.json
 * overrides only that file. */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <eku/cert.h>
#include <eku/data.h>

#include "data_embedded.h"

#define DATA_MAX (64u * 1024u * 1024u)

static uint8_t *embedded(const char *name, size_t *len)
{
	for (const struct eku_embedded *e = eku_data_embedded; e->name != NULL; e++) {
		if (strcmp(e->name, name) != 0)
			continue;
		uint8_t *copy = malloc(e->len + 1);
		if (copy == NULL)
			return NULL;
		memcpy(copy, e->bytes, e->len + 1);
		*len = e->len;
		return copy;
	}
	return NULL;
}

uint8_t *eku_data_read(const char *dir, const char *name, size_t *len, char **origin_path,
	eku_error *err)
{
	uint8_t *buf = NULL;
	char *path = NULL;
	size_t n = 0;

	if (dir == NULL)
		dir = getenv("EKU_DATA_DIR");
	if (dir != NULL && *dir != '\0') {
		struct stat st;
		/* A missing directory is a typo, not "override nothing". */
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			eku_error_set(err, EKU_E_IO, "data directory %s: not a directory (create it with 'eku data "
				"export %s', or point --data-dir / EKU_DATA_DIR elsewhere)", dir, dir);
			goto out;
		}
		if (asprintf(&path, "%s/%s", dir, name) < 0) {
			path = NULL;
			eku_error_set(err, EKU_E_NOMEM, "out of memory");
			goto out;
		}
		/* File by file: what the directory does not hold stays embedded. */
		if (access(path, F_OK) != 0 && errno == ENOENT) {
			free(path);
			path = NULL;
		}
	}
#ifdef EKU_SYSTEM_DATA_DIR
	if (path == NULL && asprintf(&path, "%s/%s", EKU_SYSTEM_DATA_DIR, name) < 0) {
		path = NULL;
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	if (path != NULL && access(path, F_OK) != 0 && errno == ENOENT) {
		free(path);
		path = NULL;
	}
#endif
	if (path != NULL) {
		eku_error rerr = { 0 };
		if (eku_read_file(path, DATA_MAX, &buf, &n, &rerr) != 0) {
			eku_error_set(err, rerr.code, "%s: %s", path, rerr.message);
			buf = NULL;
			goto out;
		}
	} else {
		buf = embedded(name, &n);
		if (buf == NULL) {
			eku_error_set(err, EKU_E_BAD_DATA, "no such data file (neither in the data directory nor embedded)");
			goto out;
		}
	}
	if (len != NULL)
		*len = n;
	if (origin_path != NULL) {
		*origin_path = path;
		path = NULL;
	}
out:
	free(path);
	return buf;
}

const char *const *eku_data_embedded_names(void)
{
	static const char *names[64];

	if (names[0] == NULL) {
		size_t i = 0;
		for (const struct eku_embedded *e = eku_data_embedded;
		     e->name != NULL && i + 1 < sizeof(names) / sizeof(names[0]); e++)
			names[i++] = e->name;
	}
	return names;
}
