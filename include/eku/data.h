/* eku/data.h - the data files (timeline, root store, vendors, products).
 *
 * Files are embedded at build time from data/; a directory given with
 * eku_data_set_dir() or EKU_DATA_DIR overrides them file by file, so an
 * operator can ship newer dates without a rebuild; a file the directory does
 * not hold is read from the embedded copy.
 */
#ifndef EKU_DATA_H
#define EKU_DATA_H

#include <eku/api.h>

#include <stddef.h>
#include <stdint.h>

#include <eku/error.h>

/* Reads data file `name` (e.g. "timeline.json", "products/expressway.json").
 * dir overrides when non-NULL, else $EKU_DATA_DIR, else the embedded copy.
 * Returns a malloc'd NUL-terminated buffer or NULL with err set. *origin
 * (may be NULL) is set to a static "embedded" or to the path read (malloc'd
 * copy in *origin_path when origin_path is non-NULL). */
EKU_API uint8_t *eku_data_read(const char *dir, const char *name, size_t *len, char **origin_path,
	eku_error *err);
/* Names of the embedded files, NULL-terminated. */
EKU_API const char *const *eku_data_embedded_names(void);

#endif
