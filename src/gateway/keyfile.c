/* The only gateway code that opens private keys (STYLE.md 9). Key bytes are
 * read into a buffer that is wiped before it is freed; nothing here formats
 * key material into a message.
 *
 * Permissions: readable or writable by others is refused; group access, or
 * a folder others may write to (they could swap the key), is a warning. Only
 * regular files are read (config_file.c), so a FIFO cannot hang a load. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <eku/util.h>

#include "gw_store.h"

#define KEY_MAX (1024 * 1024)

static int read_key_bytes(int fd, unsigned char **bufp, size_t *lenp)
{
	unsigned char *buf = malloc(KEY_MAX);
	size_t len = 0;
	ssize_t n;

	if (buf == NULL)
		return -1;
	while (len < KEY_MAX && (n = read(fd, buf + len, KEY_MAX - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			eku_wipe(buf, len);
			free(buf);
			return -1;
		}
		len += (size_t)n;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

EVP_PKEY *gw_key_load(const char *path, char *why, size_t whylen, bool *warn)
{
	int fd = -1;
	struct stat st;
	unsigned char *buf = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	char msg[512];

	*warn = false;
	why[0] = '\0';
	if ((fd = gw_file_open_regular(path, &st, why, whylen)) < 0)
		goto out;
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(why, whylen, "%s: private key is readable or writable by others "
			"(mode %04o); run chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	if (st.st_mode & (S_IRGRP | S_IWGRP)) {
		snprintf(why, whylen, "%s: private key is accessible to its group (mode %04o); "
			"chmod 600 is safer", path, (unsigned)(st.st_mode & 07777));
		*warn = true;
	} else if (gw_file_perm_warning(path, &st, "private key", msg, sizeof(msg)) != 0) {
		snprintf(why, whylen, "%s: %s", path, msg);
		*warn = true;
	}
	if (read_key_bytes(fd, &buf, &len) != 0 || len == KEY_MAX) {
		snprintf(why, whylen, "%s: cannot read key (unreadable or larger than 1 MiB)", path);
		*warn = false;
		goto out;
	}
	if ((bio = BIO_new_mem_buf(buf, (int)len)) != NULL)
		pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
	if (pkey == NULL) {
		snprintf(why, whylen, "%s: not a PEM private key (encrypted keys are not "
			"supported)", path);
		*warn = false;
	}
	ERR_clear_error();
out:
	BIO_free(bio);
	if (buf != NULL) {
		eku_wipe(buf, len);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return pkey;
}
