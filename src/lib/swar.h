/* Internal: eight bytes at a time in a 64-bit word (Hacker's Delight 6-1).
 * The scans of the hot paths use these to skip runs of ordinary bytes: PEM
 * line counts (pem_walk.c), JSON strings written (jsonw.c) and read in CT
 * pages (ct/ct_json.c). */
#ifndef EKU_SWAR_H
#define EKU_SWAR_H

#include <stdint.h>
#include <string.h>

#define EKU_SWAR_ONES 0x0101010101010101ull
#define EKU_SWAR_HIGH 0x8080808080808080ull
#define EKU_SWAR_LOW7 0x7f7f7f7f7f7f7f7full

static inline uint64_t eku_swar_load(const void *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/* Nonzero when some byte of w is c. Exact as the word's yes or no only: a
 * borrow may also flag bytes above a real match. */
static inline uint64_t eku_swar_has(uint64_t w, uint8_t c)
{
	uint64_t x = w ^ (EKU_SWAR_ONES * c);

	return (x - EKU_SWAR_ONES) & ~x & EKU_SWAR_HIGH;
}

/* Nonzero when some byte of w is below n (n <= 128); the word's yes or no. */
static inline uint64_t eku_swar_has_below(uint64_t w, uint8_t n)
{
	return (w - EKU_SWAR_ONES * n) & ~w & EKU_SWAR_HIGH;
}

/* 0x80 in exactly the bytes of w that are c (no borrows between bytes). */
static inline uint64_t eku_swar_eq(uint64_t w, uint8_t c)
{
	uint64_t x = w ^ (EKU_SWAR_ONES * c);

	return ~(((x & EKU_SWAR_LOW7) + EKU_SWAR_LOW7) | x | EKU_SWAR_LOW7);
}

#endif
