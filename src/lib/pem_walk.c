/* The PEM block walk: where each "-----BEGIN X-----" ... "-----END X-----"
 * block starts and ends (cert_load_int.h). One walk for the loader and the
 * parts reader (pem_parts.c), so a file cut into parts is cut exactly where
 * the loader's walk over the whole file would step. */
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "cert_load_int.h"
#include "swar.h"

/* memchr for the needle's first byte, then a compare: PEM bodies hold no
 * '-', so the search for an END line is one vectorised scan, where memmem
 * stepped through the body a byte or two at a time. Linear still: each
 * candidate costs at most the needle's length, a few dozen bytes. */
const uint8_t *eku_pem_find(const uint8_t *p, const uint8_t *end, const char *needle)
{
	size_t n = strlen(needle);

	while ((size_t)(end - p) >= n) {
		const uint8_t *q = memchr(p, needle[0], (size_t)(end - p) - n + 1);
		if (q == NULL)
			return NULL;
		if (memcmp(q, needle, n) == 0)
			return q;
		p = q + 1;
	}
	return NULL;
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
	/* "-----END " label "-----", the label as the string it is (up to a
	 * NUL byte in it): fits, the label is shorter than 64. */
	lablen = strlen(blk->label);
	memcpy(endmark, "-----END ", 9);
	memcpy(endmark + 9, blk->label, lablen);
	memcpy(endmark + 9 + lablen, "-----", 6);
	if ((e = eku_pem_find(dash + 5, end, endmark)) == NULL)
		return EKU_PEM_NO_END;
	blk->next = e + 9 + lablen + 5;
	return EKU_PEM_BLOCK;
}

/* Newlines counted without a call per line: a memchr call per line cost
 * more than the count itself on 65-byte PEM lines. Eight bytes at a time in
 * a word (eku_swar_eq, exact per byte); the flags add up in per-byte
 * counters, and a multiply sums those every 255 words, before one could
 * overflow (no popcount instruction in the baseline ISA). */
size_t eku_pem_lines_words(const uint8_t *p, size_t n)
{
	size_t lines = 0, i = 0;

	while (i + 8 <= n) {
		uint64_t acc = 0;
		for (int k = 0; k < 255 && i + 8 <= n; k++, i += 8)
			acc += eku_swar_eq(eku_swar_load(p + i), '\n') >> 7; /* 1 per '\n' byte */
		lines += (size_t)((acc & 0x00ff00ff00ff00ffull) + ((acc >> 8) & 0x00ff00ff00ff00ffull)) *
				 0x0001000100010001ull >> 48;
	}
	for (; i < n; i++)
		lines += p[i] == '\n';
	return lines;
}

/* With SSE2 (every x86-64), sixteen bytes at a time: a compare gives -1 per
 * '\n' byte, subtracted into per-byte counters that psadbw sums every 255
 * steps; the rest in words. */
size_t eku_pem_lines(const uint8_t *p, size_t n)
{
	size_t lines = 0, i = 0;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();

	while (i + 16 <= n) {
		__m128i acc = zero, sum;
		for (int k = 0; k < 255 && i + 16 <= n; k++, i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
		}
		sum = _mm_sad_epu8(acc, zero);
		lines += (size_t)_mm_cvtsi128_si32(sum) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
	}
#endif
	return lines + eku_pem_lines_words(p + i, n - i);
}
