/* Paths and crash-safe file writes for the CA directory.
 *
 * A reader (or a crash) must never see a half-written certificate or key:
 * every file is written under a temporary name created O_EXCL with its final
 * mode (keys 0600 from the first byte, never chmod after), fsync'd, renamed
 * over the final name, and the directory fsync'd so the rename survives a
 * power loss (the classic write-fsync-rename-fsync(dir) sequence). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/rand.h>

#include <eku/cert.h>
#include <eku/util.h>

#include "ca_int.h"

int ca_path(char *buf, size_t len, const char *dir, const char *rel, eku_error *err)
{
	int n = snprintf(buf, len, "%s/%s", dir, rel);

	if (n < 0 || (size_t)n >= len) {
		eku_error_set(err, EKU_E_USAGE, "%s/%s: path too long", dir, rel);
		return -1;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int fsync_parent(const char *path)
{
	char tmp[CA_PATH_MAX];
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s", path);
	fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int write_atomic(const char *path, const void *data, size_t len, int mode, bool sync_dir,
	eku_error *err)
{
	char tmp[CA_PATH_MAX];
	uint8_t r[6];
	char rh[13];
	int fd = -1, rc = -1;
	bool made = false;

	if (RAND_bytes(r, sizeof(r)) != 1) {
		eku_error_set_openssl(err, EKU_E_OPENSSL, "%s: random temporary name", path);
		goto out;
	}
	/* ".tmp-" marks the file as never completed; eku ca check finds these. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-%s", path, eku_hex(r, sizeof(r), rh)) >= (int)sizeof(tmp)) {
		eku_error_set(err, EKU_E_USAGE, "%s: path too long", path);
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
	if (fd < 0) {
		eku_error_set(err, EKU_E_IO, "%s: cannot create: %s", tmp, strerror(errno));
		goto out;
	}
	made = true;
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		eku_error_set(err, EKU_E_IO, "%s: cannot write: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		eku_error_set(err, EKU_E_IO, "%s: cannot close: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		eku_error_set(err, EKU_E_IO, "%s: cannot rename into place: %s", path, strerror(errno));
		goto out;
	}
	made = false;
	if (sync_dir && fsync_parent(path) != 0) {
		eku_error_set(err, EKU_E_IO, "%s: cannot sync the directory: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(tmp);
	return rc;
}

int ca_write_atomic(const char *path, const void *data, size_t len, int mode, eku_error *err)
{
	return write_atomic(path, data, len, mode, true, err);
}

int ca_write_atomic_nosync(const char *path, const void *data, size_t len, int mode, eku_error *err)
{
	return write_atomic(path, data, len, mode, false, err);
}

int ca_sync_dir(const char *dir, const char *rel, eku_error *err)
{
	char p[CA_PATH_MAX];
	int fd, rc = -1;

	if (ca_path(p, sizeof(p), dir, rel, err) != 0)
		return -1;
	if ((fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(fd) != 0)
		eku_error_set(err, EKU_E_IO, "%s: cannot sync the directory: %s", p, strerror(errno));
	else
		rc = 0;
	if (fd >= 0)
		close(fd);
	return rc;
}

int ca_read_all(const char *path, size_t max, uint8_t **buf, size_t *len, eku_error *err)
{
	return eku_read_file(path, max, buf, len, err);
}

BIO *ca_read_bio(const char *path, size_t max, const char *what, uint8_t **buf, eku_error *err)
{
	eku_error rerr = { 0 };
	size_t len = 0;
	BIO *b;

	*buf = NULL;
	if (ca_read_all(path, max, buf, &len, &rerr) != 0) {
		eku_error_set(err, rerr.code, "%s: cannot read %s: %s", path, what, rerr.message);
		return NULL;
	}
	if (len > INT_MAX || (b = BIO_new_mem_buf(*buf, (int)len)) == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		free(*buf);
		*buf = NULL;
		return NULL;
	}
	return b;
}

int ca_lock(const char *dir, bool exclusive, eku_error *err)
{
	char p[CA_PATH_MAX];
	int fd;

	if (ca_path(p, sizeof(p), dir, "issue.lock", err) != 0)
		return -1;
	fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		eku_error_set(err, EKU_E_IO, "%s: cannot open the lock: %s", p, strerror(errno));
		return -1;
	}
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0) {
		if (errno == EINTR)
			continue;
		eku_error_set(err, EKU_E_IO, "%s: cannot lock: %s", p, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void ca_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing releases the flock; so does a kill -9 */
}
