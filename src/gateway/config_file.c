/* Reading the files a gateway config names (the config itself, certificates,
 * trust lists, CRLs, pins) without ever blocking: a FIFO, a device or a
 * socket given as a file would hang the read, and a reload reading it would
 * freeze every connection. Each file is opened with O_NONBLOCK, checked with
 * fstat() to be a regular file, and read up to a bound. Key files have their
 * own reader in keyfile.c (STYLE.md 9); it applies the same rule. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gw_store.h"

static const char *file_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" :
	       S_ISDIR(m) ? "a directory" : "not a regular file";
}

int gw_file_open_regular(const char *path, struct stat *st, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		snprintf(why, whylen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) != 0) {
		snprintf(why, whylen, "%s: cannot stat: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, whylen, "%s: is %s, not a regular file (refused: reading it "
			"could block)", path, file_kind(st->st_mode));
		close(fd);
		return -1;
	}
	return fd;
}

int gw_file_read(const char *path, size_t max, uint8_t **bufp, size_t *lenp, char *why,
	size_t whylen)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = gw_file_open_regular(path, &st, why, whylen)) < 0)
		return -1;
	if ((size_t)st.st_size > max) {
		snprintf(why, whylen, "%s: larger than the %zu-byte limit", path, max);
		goto out;
	}
	/* +1: a file that grew since fstat is read to max + 1 and refused. */
	if ((buf = malloc(max + 1)) == NULL) {
		snprintf(why, whylen, "%s: out of memory", path);
		goto out;
	}
	while (len <= max && (n = read(fd, buf + len, max + 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "%s: cannot read: %s", path, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len > max) {
		snprintf(why, whylen, "%s: larger than the %zu-byte limit", path, max);
		goto out;
	}
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

const char *gw_file_why_unnamed(const char *why, const char *path)
{
	size_t n = strlen(path);

	return strncmp(why, path, n) == 0 && strncmp(why + n, ": ", 2) == 0 ? why + n + 2 : why;
}

bool gw_file_world_writable(const struct stat *st)
{
	return (st->st_mode & S_IWOTH) != 0 && !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX));
}

/* A file others may replace: itself world-writable, or in a folder anyone may
 * write to (a sticky folder such as /tmp only lets the owner rename or delete
 * the file, so it does not count). */
int gw_file_perm_warning(const char *path, const struct stat *st, const char *what, char *why,
	size_t whylen)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct stat dst;

	if (st->st_mode & S_IWOTH) {
		snprintf(why, whylen, "%s is world-writable (mode %04o): anyone can change it; "
			"run chmod o-w %s", what, (unsigned)(st->st_mode & 07777), path);
		return 1;
	}
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (stat(dir, &dst) == 0 && gw_file_world_writable(&dst)) {
		snprintf(why, whylen, "%s is in a world-writable folder %s (mode %04o): "
			"anyone can replace it", what, dir, (unsigned)(dst.st_mode & 07777));
		return 1;
	}
	return 0;
}
