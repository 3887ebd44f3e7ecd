/* Taking the root key offline: the root signs only the issuing CA (and the
 * root CRL), so once the CA is set up its key belongs on a removable medium,
 * not next to the database. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ca_int.h"

int eku_ca_root_offline(eku_ca *ca, const char *out_path, int64_t now)
{
	char p[CA_PATH_MAX];
	uint8_t *key = NULL;
	size_t len = 0;
	struct stat st;
	int rc = -1;

	if (ca_path(p, sizeof(p), ca->dir, "private/root.key", &ca->err) != 0)
		goto out;
	if (lstat(p, &st) != 0) {
		eku_error_set(&ca->err, EKU_E_USAGE, "%s: no root key here (already offline?)", p);
		goto out;
	}
	/* Never over an existing file: a second export must not destroy the
	 * only other copy. */
	if (lstat(out_path, &st) == 0 || errno != ENOENT) {
		eku_error_set(&ca->err, EKU_E_USAGE, "%s: exists already; give a new file name", out_path);
		goto out;
	}
	if (ca_read_all(p, 1u << 20, &key, &len, &ca->err) != 0)
		goto out;
	/* The copy is complete and synced before the original goes; the audit
	 * row says where it went. */
	if (ca_write_atomic(out_path, key, len, 0600, &ca->err) != 0 ||
	    ca_db_audit(ca->db, now, "root_key_offline", NULL, out_path, &ca->err) != 0)
		goto out;
	if (unlink(p) != 0) {
		eku_error_set(&ca->err, EKU_E_IO, "%s: copied to %s but cannot remove: %s", p, out_path,
			strerror(errno));
		goto out;
	}
	if (ca_sync_dir(ca->dir, "private", &ca->err) != 0)
		goto out;
	rc = 0;
out:
	if (key != NULL)
		OPENSSL_cleanse(key, len);
	free(key);
	return rc;
}
