/* The base64 alphabet and its four-character step (base64.h). */
#include "base64.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define EKU_B64_AVX2 1
#endif

/* A constant table computed by the compiler: read-only, shared by the
 * worker threads without any initialisation. */
#define B64V(c)                                                                                    \
	(int8_t)((c) >= 'A' && (c) <= 'Z'   ? (c) - 'A'                                                    \
		: (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26                                       \
		: (c) >= '0' && (c) <= '9' ? (c) - '0' + 52                                       \
		: (c) == '+'               ? 62                                                   \
		: (c) == '/'               ? 63                                                   \
					   : -1)
#define B64R4(i) B64V(i), B64V((i) + 1), B64V((i) + 2), B64V((i) + 3)
#define B64R16(i) B64R4(i), B64R4((i) + 4), B64R4((i) + 8), B64R4((i) + 12)
#define B64R64(i) B64R16(i), B64R16((i) + 16), B64R16((i) + 32), B64R16((i) + 48)
const int8_t eku_b64_value[256] = { B64R64(0), B64R64(64), B64R64(128), B64R64(192) };

size_t eku_b64_quads_table(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i++, in += 4, out += 3) {
		int a = eku_b64_value[in[0]], b = eku_b64_value[in[1]], c = eku_b64_value[in[2]],
		    d = eku_b64_value[in[3]];
		uint32_t q;
		if ((a | b | c | d) < 0)
			break;
		q = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		out[0] = (uint8_t)(q >> 16);
		out[1] = (uint8_t)(q >> 8);
		out[2] = (uint8_t)q;
	}
	return i;
}

#ifdef EKU_B64_AVX2
/* 32 characters (eight quads) at a time with AVX2, after W. Muła and
 * D. Lemire, "Faster Base64 Encoding and Decoding using AVX2 Instructions"
 * (2018): a character is in the alphabet when the bit sets chosen by its
 * low and by its high nibble do not meet, and its value is the character
 * plus an offset chosen by the high nibble ('/' apart). The byte and lane
 * tables are checked against eku_b64_value for every byte value at every
 * position by tests/unit/test_der_facts.c (test_base64_quads). A block that
 * holds anything else (a line break, '=', a stray byte) is left to the table
 * loop, which stops at the exact quad. */
__attribute__((target("avx2"))) static size_t quads_avx2(const uint8_t *in, size_t n, uint8_t *out)
{
	/* bit sets by low nibble / by high nibble; they meet for every byte
	 * outside A-Z a-z 0-9 + / */
	const __m256i lo_set = _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
		0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
		0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a);
	const __m256i hi_set = _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10,
		0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10,
		0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
	/* value - character, by high nibble; index 1 is '/' (0x2f: 2 - 1) */
	const __m256i shift = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16,
		19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
	const __m256i nibble = _mm256_set1_epi8(0x0f), slash = _mm256_set1_epi8('/');
	/* the three bytes of each 32-bit word, most significant first */
	const __m256i order = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2, 1, 0,
		6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
	const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
	size_t i = 0;

	for (; n - i >= 8; i += 8, in += 32, out += 24) {
		__m256i s = _mm256_loadu_si256((const __m256i *)in);
		__m256i hi = _mm256_and_si256(_mm256_srli_epi32(s, 4), nibble);
		__m256i lo = _mm256_and_si256(s, nibble);
		__m256i bad = _mm256_and_si256(_mm256_shuffle_epi8(lo_set, lo), _mm256_shuffle_epi8(hi_set, hi));
		__m256i v;
		if (!_mm256_testz_si256(bad, bad))
			break;
		v = _mm256_add_epi8(s, _mm256_shuffle_epi8(shift,
			_mm256_add_epi8(hi, _mm256_cmpeq_epi8(s, slash))));
		/* 6+6 bits into 12, 12+12 into 24, then the bytes in order */
		v = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
		v = _mm256_madd_epi16(v, _mm256_set1_epi32(0x00011000));
		v = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(v, order), lanes);
		_mm_storeu_si128((__m128i *)out, _mm256_castsi256_si128(v));
		_mm_storel_epi64((__m128i *)(out + 16), _mm256_extracti128_si256(v, 1));
	}
	return i + eku_b64_quads_table(in, n - i, out);
}
#endif

size_t eku_b64_quads(const uint8_t *in, size_t n, uint8_t *out)
{
#ifdef EKU_B64_AVX2
	/* __builtin_cpu_supports reads what the loader recorded at start-up:
	 * the same answer for every thread. */
	if (n >= 8 && __builtin_cpu_supports("avx2"))
		return quads_avx2(in, n, out);
#endif
	return eku_b64_quads_table(in, n, out);
}
