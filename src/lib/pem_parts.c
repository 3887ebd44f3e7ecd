/* Large PEM files in parts (eku/cert.h, eku_pem_parts).
 *
 * The reader keeps a pending buffer that starts where the loader's block
 * walk would be (the start of the file, the end of a block, or inside text
 * between blocks). It reads about part_bytes, walks whole blocks with the
 * loader's own walk (eku_pem_next) until a part is long enough, and hands
 * out everything up to that point. A block that is not complete yet (its
 * END line not read) stays pending and more is read: as much again as is
 * pending, so a pathological block without an END costs linear time, not
 * one rescan per read. At the end of the file the rest goes out as the last
 * part, to be judged by the walk exactly as the whole file would be
 * ("BEGIN without matching END"). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cert_load_int.h"

/* "-----BEGIN " is 11 bytes: text without a BEGIN may end with the first
 * ten of one, which must stay for the next read to complete. */
#define BEGIN_TAIL 10

struct eku_pem_parts {
	int fd;
	size_t max, part_bytes, total;
	uint8_t *buf; /* pending bytes; buf[0] is at line line0, after block0 blocks */
	size_t len, cap;
	int line0, block0;
	bool eof;
};

void eku_pem_parts_free(eku_pem_parts *pp)
{
	if (pp == NULL)
		return;
	if (pp->fd >= 0)
		close(pp->fd);
	free(pp->buf);
	free(pp);
}

/* Reads up to want more bytes (fewer at the end of the file). */
static int fill(eku_pem_parts *pp, size_t want, eku_error *err)
{
	size_t got = 0;

	if (pp->cap - pp->len < want + 1) {
		size_t cap = pp->cap ? pp->cap : want + 1;
		uint8_t *nb;
		while (cap - pp->len < want + 1)
			cap *= 2;
		if ((nb = realloc(pp->buf, cap)) == NULL) {
			eku_error_set(err, EKU_E_NOMEM, "out of memory");
			return -1;
		}
		pp->buf = nb;
		pp->cap = cap;
	}
	while (got < want && !pp->eof) {
		ssize_t n = read(pp->fd, pp->buf + pp->len, want - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			eku_error_set(err, EKU_E_IO, "cannot read: %s", strerror(errno));
			return -1;
		}
		if (n == 0)
			pp->eof = true;
		pp->len += (size_t)n;
		pp->total += (size_t)n;
		got += (size_t)n;
	}
	if (pp->total > pp->max) {
		/* It grew while being read: as eku_read_file would say. */
		eku_error_set(err, EKU_E_TOO_LARGE, "larger than the %zu-byte limit", pp->max);
		return -1;
	}
	return 0;
}

/* Does the start of the file say PEM, as eku_loader_load_mem decides on the
 * whole file? Only a yes is certain here: a DER-looking start without a
 * BEGIN in the first part is left to the whole-file path. */
static bool looks_pem(const uint8_t *p, size_t n)
{
	size_t ws = 0;

	while (ws < n && (p[ws] == ' ' || p[ws] == '\n' || p[ws] == '\r' || p[ws] == '\t'))
		ws++;
	if (ws == n)
		return false; /* blank so far: the whole-file path says "empty" or reads on */
	return memmem(p, n, "-----BEGIN ", 11) != NULL || p[ws] != 0x30;
}

int eku_pem_parts_open(const char *path, size_t max, size_t part_bytes, eku_pem_parts **out)
{
	eku_pem_parts *pp = NULL;
	eku_error err = { 0 };
	struct stat st;
	int fd = -1;

	*out = NULL;
	/* Only regular files, and looked at before they are opened: opening a
	 * FIFO would wait for a writer, or release one waiting in its own
	 * open() that our close() would then leave without a reader. The
	 * whole-file path takes everything else. O_NONBLOCK in case the path
	 * was swapped for a FIFO in between. */
	if (strcmp(path, "-") == 0 || part_bytes == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size <= part_bytes || /* most files: no open() spent on them here */
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size <= part_bytes ||
	    (size_t)st.st_size > max || (pp = calloc(1, sizeof(*pp))) == NULL) {
		close(fd);
		return 0;
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	*pp = (eku_pem_parts){ .fd = fd, .max = max, .part_bytes = part_bytes, .line0 = 1 };
	if (fill(pp, part_bytes, &err) != 0 || !looks_pem(pp->buf, pp->len)) {
		eku_pem_parts_free(pp);
		return 0;
	}
	*out = pp;
	return 1;
}

/* Where the next part ends: after whole blocks once part_bytes are passed,
 * before a block not complete yet, or before a possible partial BEGIN at the
 * end of text. 0 when nothing can go yet. *blocks: blocks before the cut. */
static size_t cut_point(const eku_pem_parts *pp, int *blocks)
{
	const uint8_t *d = pp->buf, *end = d + pp->len, *p = d;
	struct eku_pem_block blk;

	*blocks = 0;
	if (pp->eof)
		return pp->len; /* the rest: the walk judges it as the whole file's end */
	for (;;) {
		switch (eku_pem_next(p, end, &blk)) {
		case EKU_PEM_NONE: {
			size_t keep = pp->len > BEGIN_TAIL ? pp->len - BEGIN_TAIL : 0;
			return (size_t)(p - d) > keep ? (size_t)(p - d) : keep;
		}
		case EKU_PEM_BAD_BEGIN:
			if (blk.no_dash) /* the label's end may not be read yet */
				return (size_t)(blk.begin - d);
			++*blocks;
			p = blk.next;
			break;
		case EKU_PEM_NO_END:
			return (size_t)(blk.begin - d);
		case EKU_PEM_BLOCK:
			++*blocks;
			p = blk.next;
			if ((size_t)(p - d) >= pp->part_bytes)
				return (size_t)(p - d);
			break;
		}
	}
}

int eku_pem_parts_next(eku_pem_parts *pp, struct eku_pem_part *part, eku_error *err)
{
	size_t cut, rest, cap;
	uint8_t *nb;
	int blocks;

	memset(part, 0, sizeof(*part));
	if (pp->len < pp->part_bytes && !pp->eof && fill(pp, pp->part_bytes - pp->len, err) != 0)
		return -1;
	while ((cut = cut_point(pp, &blocks)) == 0 && !(pp->eof && pp->len == 0))
		if (fill(pp, pp->len > pp->part_bytes ? pp->len : pp->part_bytes, err) != 0)
			return -1;
	if (cut == 0)
		return 0; /* end of file, nothing pending */
	/* The pending buffer itself goes out as the part, and what stays
	 * pending (less than a block, usually) moves to a new one: one copy of
	 * the rest instead of one of the part. */
	rest = pp->len - cut;
	cap = rest + pp->part_bytes + 1;
	if ((nb = malloc(cap)) == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	memcpy(nb, pp->buf + cut, rest);
	part->buf = pp->buf;
	part->buf[cut] = '\0'; /* fill() keeps a byte spare */
	part->len = cut;
	part->line0 = pp->line0;
	part->block0 = pp->block0;
	pp->line0 += (int)eku_pem_lines(part->buf, cut);
	pp->block0 += blocks;
	pp->buf = nb;
	pp->cap = cap;
	pp->len = rest;
	return 1;
}
