/* eku_ca_list and eku_ca_check: the database against the files.
 * Errors: a certificate file with no record, a complete record whose file
 * is missing or differs, a key readable by others, a damaged database.
 * Explained notes: an interrupted issuance (pending record) and leftover
 * temporary files; neither was ever handed out as a finished certificate. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "ca_int.h"

static const char *text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : NULL;
}

int eku_ca_list(eku_ca *ca, int64_t expiring_before, eku_ca_record_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, s;

	eku_error_clear(&ca->err);
	if (sqlite3_prepare_v2(ca->db,
			"SELECT c.serial, c.profile, c.subject, c.sans, c.status, c.renewed_from, c.issued_at,"
			" c.not_before, c.not_after, c.days, r.revoked_at, r.reason"
			" FROM certs c LEFT JOIN revocations r ON r.serial = c.serial"
			" WHERE ?1 = 0 OR (c.not_after < ?1 AND c.status = 'complete' AND r.serial IS NULL)"
			" ORDER BY c.issued_at, c.rowid", -1, &st, NULL) != SQLITE_OK)
		goto db;
	sqlite3_bind_int64(st, 1, expiring_before);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct eku_ca_record r = { text(st, 0), text(st, 1), text(st, 2), text(st, 3), text(st, 4),
			text(st, 5), sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7),
			sqlite3_column_int64(st, 8), sqlite3_column_type(st, 10) == SQLITE_NULL
				? 0 : sqlite3_column_int64(st, 10),
			sqlite3_column_int(st, 9),
			sqlite3_column_type(st, 11) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 11) };
		if (fn(&r, arg) != 0)
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		goto db;
	rc = 0;
	goto out;
db:
	eku_error_set(&ca->err, EKU_E_IO, "database: %s", sqlite3_errmsg(ca->db));
out:
	sqlite3_finalize(st);
	return rc;
}

static const char *const finding_names[] = {
	"interrupted", "temporary_file", "orphan_file", "missing_file", "mismatch", "key_mode", "database",
};

const char *eku_ca_finding_name(enum eku_ca_finding_kind k)
{
	return (unsigned)k < sizeof(finding_names) / sizeof(finding_names[0]) ? finding_names[k] : "?";
}

bool eku_ca_finding_is_error(enum eku_ca_finding_kind k)
{
	return k != EKU_CA_FIND_PENDING && k != EKU_CA_FIND_TEMP;
}

struct checker {
	eku_ca *ca;
	bool repair;
	eku_ca_finding_fn fn;
	void *arg;
	int errors;
};

__attribute__((format(printf, 4, 5)))
static void report(struct checker *c, enum eku_ca_finding_kind k, const char *what, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (eku_ca_finding_is_error(k))
		c->errors++;
	if (c->fn != NULL)
		c->fn(k, what, msg, c->arg);
}

/* 1: known complete, 0: known otherwise, -1: no record. */
static int record_state(struct checker *c, const char *serial, const uint8_t **der, int *der_len,
	sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_ROW)
		return -1;
	*der = sqlite3_column_blob(st, 1);
	*der_len = sqlite3_column_bytes(st, 1);
	return strcmp(text(st, 0), "complete") == 0 ? 1 : 0;
}

static bool file_matches(const char *path, const uint8_t *der, int der_len)
{
	BIO *b = BIO_new_file(path, "r");
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	uint8_t *mine = NULL;
	int n = x ? i2d_X509(x, &mine) : -1;
	bool ok = n == der_len && memcmp(mine, der, (size_t)n) == 0;

	OPENSSL_free(mine);
	X509_free(x);
	BIO_free(b);
	return ok;
}

static void check_issued_file(struct checker *c, const char *dir, const char *name, sqlite3_stmt *st)
{
	char path[CA_PATH_MAX], serial[64];
	const char *dot = strchr(name, '.');
	const uint8_t *der = NULL;
	int der_len = 0, state;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return;
	if (strstr(name, ".tmp-") != NULL) {
		if (c->repair && unlink(path) == 0)
			report(c, EKU_CA_FIND_TEMP, path, "leftover temporary file of an interrupted write; removed");
		else
			report(c, EKU_CA_FIND_TEMP, path,
				"leftover temporary file of an interrupted write (never renamed into place, "
				"so never used); 'eku ca check --repair' removes it");
		return;
	}
	if (dot == NULL || (size_t)(dot - name) >= sizeof(serial) || strcmp(name, "root.key") == 0 ||
	    strcmp(name, "issuing.key") == 0)
		return;
	snprintf(serial, sizeof(serial), "%.*s", (int)(dot - name), name);
	state = record_state(c, serial, &der, &der_len, st);
	if (state < 0) {
		report(c, EKU_CA_FIND_ORPHAN, path,
			"no database record for serial %s: this file was not issued by this CA's database", serial);
		return;
	}
	if (strcmp(dot, ".crt") == 0 && !file_matches(path, der, der_len))
		report(c, EKU_CA_FIND_MISMATCH, path, "differs from the certificate recorded for %s", serial);
	if (strncmp(dir + strlen(dir) - 7, "private", 7) == 0) {
		struct stat sb;
		if (stat(path, &sb) == 0 && (sb.st_mode & 077) != 0)
			report(c, EKU_CA_FIND_KEY_MODE, path, "mode %03o: readable by others; chmod 600 it",
				(unsigned)(sb.st_mode & 0777));
	}
}

static int scan_dir(struct checker *c, const char *rel, sqlite3_stmt *st)
{
	char dir[CA_PATH_MAX];
	DIR *d;
	struct dirent *e;

	if (ca_path(dir, sizeof(dir), c->ca->dir, rel, &c->ca->err) != 0)
		return -1;
	if ((d = opendir(dir)) == NULL) {
		report(c, EKU_CA_FIND_MISSING, dir, "the directory is missing");
		return 0;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			check_issued_file(c, dir, e->d_name, st);
	closedir(d);
	return 0;
}

static void check_record(struct checker *c, const char *serial, const char *status, int64_t at)
{
	char path[CA_PATH_MAX], rel[128], when[32];
	struct stat sb;

	snprintf(rel, sizeof(rel), "issued/%s.crt", serial);
	if (ca_path(path, sizeof(path), c->ca->dir, rel, &c->ca->err) != 0)
		return;
	if (strcmp(status, "pending") == 0) {
		eku_time_iso(at, when, sizeof(when));
		if (c->repair && ca_db_set_status(c->ca->db, serial, "abandoned", at, &c->ca->err) == 0)
			report(c, EKU_CA_FIND_PENDING, serial,
				"interrupted issuance of %s: marked abandoned; the serial stays reserved and "
				"goes on the next CRL", when);
		else
			report(c, EKU_CA_FIND_PENDING, serial,
				"issuance started %s was interrupted after the database record and before its "
				"files were complete; the certificate was never handed out. 'eku ca check "
				"--repair' marks it abandoned (it then goes on the CRL); issue again", when);
		return;
	}
	if (strcmp(status, "complete") == 0 && stat(path, &sb) != 0)
		report(c, EKU_CA_FIND_MISSING, path, "recorded as issued but the file is gone");
}

static int check_records(struct checker *c)
{
	sqlite3_stmt *st = NULL;
	int s, rc = -1;

	if (sqlite3_prepare_v2(c->ca->db, "SELECT serial, status, issued_at FROM certs ORDER BY rowid",
			-1, &st, NULL) != SQLITE_OK)
		goto out;
	/* Copy the rows first: repair writes to the table being read. */
	eku_strv rows = { 0 };
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		char buf[128];
		snprintf(buf, sizeof(buf), "%s %s %lld", text(st, 0), text(st, 1),
			(long long)sqlite3_column_int64(st, 2));
		if (eku_strv_push(&rows, buf) != 0)
			break;
	}
	sqlite3_finalize(st);
	st = NULL;
	for (size_t i = 0; i < rows.n; i++) {
		char serial[64], status[16];
		long long at;
		if (sscanf(rows.v[i], "%63s %15s %lld", serial, status, &at) == 3)
			check_record(c, serial, status, at);
	}
	eku_strv_clear(&rows);
	rc = s == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(st);
	return rc;
}

static void check_db(struct checker *c)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(c->ca->db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && strcmp(text(st, 0), "ok") != 0)
		report(c, EKU_CA_FIND_DB, CA_DB_NAME, "integrity check: %s", text(st, 0));
	sqlite3_finalize(st);
}

int eku_ca_check(eku_ca *ca, bool repair, eku_ca_finding_fn fn, void *arg)
{
	struct checker c = { ca, repair, fn, arg, 0 };
	sqlite3_stmt *st = NULL;
	int rc = -1, lock;

	eku_error_clear(&ca->err);
	/* Waits for running issuances: what is pending after this is dead. */
	if ((lock = ca_lock(ca->dir, true, &ca->err)) < 0)
		return -1;
	check_db(&c);
	if (sqlite3_prepare_v2(ca->db, "SELECT status, der FROM certs WHERE serial = ?", -1, &st, NULL) !=
		SQLITE_OK) {
		eku_error_set(&ca->err, EKU_E_IO, "database: %s", sqlite3_errmsg(ca->db));
		goto out;
	}
	if (check_records(&c) != 0 || scan_dir(&c, "issued", st) != 0 || scan_dir(&c, "private", st) != 0)
		goto out;
	rc = c.errors;
out:
	sqlite3_finalize(st);
	ca_unlock(lock);
	return rc;
}
