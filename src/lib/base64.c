/* The base64 alphabet and its four-character step (base64.h). */
#include "base64.h"

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

size_t eku_b64_quads(const uint8_t *in, size_t n, uint8_t *out)
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
