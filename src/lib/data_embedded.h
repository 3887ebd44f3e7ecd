/* Internal: the table tools/embed.py generates from data/. */
#ifndef EKU_DATA_EMBEDDED_H
#define EKU_DATA_EMBEDDED_H
#include <stddef.h>
struct eku_embedded {
	const char *name;
	const unsigned char *bytes;
	size_t len;
};
extern const struct eku_embedded eku_data_embedded[];
#endif
