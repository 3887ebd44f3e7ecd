/* The bounded cursor: every read succeeds whole or fails without moving. */
#include <string.h>

#include <eku/cursor.h>

int eku_cursor_bytes(eku_cursor *c, size_t n, const uint8_t **out)
{
	if (n > c->left)
		return -1;
	*out = c->p;
	c->p += n;
	c->left -= n;
	return 0;
}

int eku_cursor_skip(eku_cursor *c, size_t n)
{
	const uint8_t *unused;

	return eku_cursor_bytes(c, n, &unused);
}

int eku_cursor_sub(eku_cursor *c, size_t n, eku_cursor *sub)
{
	const uint8_t *p;

	if (eku_cursor_bytes(c, n, &p) != 0)
		return -1;
	*sub = eku_cursor_make(p, n);
	return 0;
}

static int be(eku_cursor *c, size_t n, uint32_t *out)
{
	const uint8_t *p;
	uint32_t v = 0;

	if (eku_cursor_bytes(c, n, &p) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	*out = v;
	return 0;
}

int eku_cursor_u8(eku_cursor *c, uint8_t *out)
{
	uint32_t v;

	if (be(c, 1, &v) != 0)
		return -1;
	*out = (uint8_t)v;
	return 0;
}

int eku_cursor_u16(eku_cursor *c, uint16_t *out)
{
	uint32_t v;

	if (be(c, 2, &v) != 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int eku_cursor_u24(eku_cursor *c, uint32_t *out)
{
	return be(c, 3, out);
}

int eku_cursor_u32(eku_cursor *c, uint32_t *out)
{
	return be(c, 4, out);
}

int eku_cursor_line(eku_cursor *c, size_t max, const uint8_t **line, size_t *len)
{
	size_t scan = c->left < max + 2 ? c->left : max + 2;
	const uint8_t *nl = memchr(c->p, '\n', scan);
	size_t n;

	if (nl == NULL)
		return -1;
	n = (size_t)(nl - c->p);
	*line = c->p;
	*len = (n > 0 && c->p[n - 1] == '\r') ? n - 1 : n;
	if (*len > max)
		return -1;
	c->p += n + 1;
	c->left -= n + 1;
	return 0;
}
