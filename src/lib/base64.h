/* Internal: the RFC 4648 base64 alphabet, decoded four characters at a
 * time (32 at a time with AVX2). One table for every decoder of the library: PEM blocks (cert_load.c)
 * and Certificate Transparency pages (ct/ct_page.c). */
#ifndef EKU_BASE64_H
#define EKU_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* The value of one base64 character (RFC 4648 alphabet), or -1. */
extern const int8_t eku_b64_value[256];

/* Decodes up to n whole quads (four characters, three bytes each) from in
 * into out, stopping before the first quad that holds a character outside
 * the alphabet ('=', a line break, anything else). Returns the quads
 * decoded. */
size_t eku_b64_quads(const uint8_t *in, size_t n, uint8_t *out);

/* The same, one quad at a time through eku_b64_value, on every machine: the
 * reference for eku_b64_quads' vector path (32 characters at a time where
 * the CPU has AVX2) and its tail. */
size_t eku_b64_quads_table(const uint8_t *in, size_t n, uint8_t *out);

#endif
