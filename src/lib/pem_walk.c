/* The PEM block walk: where each "-----BEGIN X-----" ... "-----END X-----"
 * block starts and ends (cert_load_int.h). One walk for the loader and the
 * parts reader (pem_parts.c), so a file cut into parts is cut exactly where
 * the loader's walk over the whole file would step. */
#include <stdio.h>
#include <string.h>

#include "cert_load_int.h"

const uint8_t *eku_pem_find(const uint8_t *p, const uint8_t *end, const char *needle)
{
	size_t n = strlen(needle);

	if ((size_t)(end - p) < n)
		return NULL;
	return memmem(p, (size_t)(end - p), needle, n);
}

enum eku_pem_step eku_pem_next(const uint8_t *p, const uint8_t *end, struct eku_pem_block *blk)
{
	const uint8_t *b = eku_pem_find(p, end, "-----BEGIN "), *lab, *dash, *e;
	size_t lablen = 0;
	char endmark[96];

	if (b == NULL)
		return EKU_PEM_NONE;
	blk->begin = b;
	lab = b + 11;
	dash = eku_pem_find(lab, end, "-----");
	blk->no_dash = dash == NULL;
	if (dash == NULL || (lablen = (size_t)(dash - lab)) >= sizeof(blk->label) ||
	    memchr(lab, '\n', lablen) != NULL) {
		blk->next = lab;
		return EKU_PEM_BAD_BEGIN;
	}
	memcpy(blk->label, lab, lablen);
	blk->label[lablen] = '\0';
	snprintf(endmark, sizeof(endmark), "-----END %s-----", blk->label);
	if ((e = eku_pem_find(dash + 5, end, endmark)) == NULL)
		return EKU_PEM_NO_END;
	blk->next = e + strlen(endmark);
	return EKU_PEM_BLOCK;
}
