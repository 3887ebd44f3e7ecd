/* The CA database: SQLite in WAL mode with synchronous=FULL, so a committed
 * issuance survives a crash or power loss (https://sqlite.org/wal.html).
 * Serials are PRIMARY KEY (unique); the audit table refuses UPDATE and
 * DELETE through triggers, so it only ever grows. */
#include <stdlib.h>
#include <string.h>

#include "ca_int.h"

static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
	"CREATE TABLE certs("
	"  serial TEXT PRIMARY KEY NOT NULL,"
	"  profile TEXT NOT NULL, subject TEXT NOT NULL, sans TEXT NOT NULL,"
	"  issued_at INTEGER NOT NULL, not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,"
	"  days INTEGER NOT NULL,"
	"  status TEXT NOT NULL CHECK(status IN ('pending','complete','abandoned')),"
	"  key_generated INTEGER NOT NULL, renewed_from TEXT, der BLOB NOT NULL);"
	"CREATE TABLE revocations(serial TEXT PRIMARY KEY NOT NULL REFERENCES certs(serial),"
	"  revoked_at INTEGER NOT NULL, reason INTEGER NOT NULL);"
	"CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,"
	"  event TEXT NOT NULL, serial TEXT, detail TEXT NOT NULL);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

static int db_fail(sqlite3 *db, eku_error *err, const char *what)
{
	eku_error_setx(err, EKU_E_IO, "database: %s: %s", what, sqlite3_errmsg(db));
	return -1;
}

int ca_db_exec(sqlite3 *db, const char *sql, eku_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		eku_error_setx(err, EKU_E_IO, "database: %s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int ca_db_open(const char *path, bool create, sqlite3 **out, eku_error *err)
{
	sqlite3 *db = NULL;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	int rc = -1;

	*out = NULL;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		eku_error_set(err, EKU_E_IO, "%s: cannot open the database: %s", path,
			db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	/* Concurrent issuers wait for each other instead of failing. */
	sqlite3_busy_timeout(db, 30000);
	/* Each command is one short process: a checkpoint on every close would
	 * add three syncs to every issuance. The WAL is checkpointed by SQLite's
	 * autocheckpoint (1000 pages) instead; durability is the same. */
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if (ca_db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			   "PRAGMA foreign_keys=ON;", err) != 0)
		goto out;
	*out = db;
	db = NULL;
	rc = 0;
out:
	sqlite3_close(db);
	return rc;
}

int ca_db_schema(sqlite3 *db, eku_error *err)
{
	return ca_db_exec(db, schema_sql, err);
}

int ca_db_meta_set(sqlite3 *db, const char *key, const char *value, eku_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1, &st,
			NULL) != SQLITE_OK) {
		db_fail(db, err, "meta");
		goto out;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(db, err, key);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

char *ca_db_meta_get(sqlite3 *db, const char *key, eku_error *err)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) != SQLITE_OK) {
		db_fail(db, err, "meta");
		goto out;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		eku_error_setx(err, EKU_E_BAD_DATA, "database: no '%s' setting", key);
		goto out;
	}
	v = strdup((const char *)sqlite3_column_text(st, 0));
	if (v == NULL)
		eku_error_setx(err, EKU_E_NOMEM, "out of memory");
out:
	sqlite3_finalize(st);
	return v;
}

int ca_db_audit(sqlite3 *db, int64_t at, const char *event, const char *serial,
	const char *detail, eku_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "INSERT INTO audit(at, event, serial, detail) VALUES(?, ?, ?, ?)",
			-1, &st, NULL) != SQLITE_OK) {
		db_fail(db, err, "audit");
		goto out;
	}
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_text(st, 2, event, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, detail ? detail : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(db, err, "audit");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int insert_cert(sqlite3 *db, const struct ca_db_cert *c, eku_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, s;

	if (sqlite3_prepare_v2(db,
			"INSERT INTO certs(serial, profile, subject, sans, issued_at, not_before, not_after,"
			" days, status, key_generated, renewed_from, der)"
			" VALUES(?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
		db_fail(db, err, "insert");
		goto out;
	}
	sqlite3_bind_text(st, 1, c->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->profile, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, c->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->sans, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, c->issued_at);
	sqlite3_bind_int64(st, 6, c->not_before);
	sqlite3_bind_int64(st, 7, c->not_after);
	sqlite3_bind_int(st, 8, c->days);
	sqlite3_bind_int(st, 9, c->key_generated);
	sqlite3_bind_text(st, 10, c->renewed_from, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 11, c->der, (int)c->der_len, SQLITE_STATIC);
	s = sqlite3_step(st);
	if (s == SQLITE_CONSTRAINT) {
		rc = 1;
		goto out;
	}
	if (s != SQLITE_DONE) {
		db_fail(db, err, "insert");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

int ca_db_insert_pending(sqlite3 *db, const struct ca_db_cert *c, eku_error *err)
{
	char detail[1024];
	int rc = -1, r;

	/* IMMEDIATE takes the write lock now, so two issuers queue here
	 * rather than deadlocking on lock upgrade. */
	if (ca_db_exec(db, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	r = insert_cert(db, c, err);
	if (r != 0) {
		rc = r;
		goto out;
	}
	snprintf(detail, sizeof(detail), "profile=%s subject=%s sans=%s days=%d%s%s", c->profile,
		c->subject, c->sans, c->days, c->renewed_from ? " renews=" : "",
		c->renewed_from ? c->renewed_from : "");
	if (ca_db_audit(db, c->issued_at, "issue", c->serial, detail, err) != 0)
		goto out;
	if (ca_db_exec(db, "COMMIT", err) != 0)
		goto out;
	return 0;
out:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int ca_db_set_status(sqlite3 *db, const char *serial, const char *status, int64_t at,
	eku_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (ca_db_exec(db, "BEGIN IMMEDIATE", err) != 0)
		return -1;
	if (sqlite3_prepare_v2(db, "UPDATE certs SET status = ? WHERE serial = ?", -1, &st, NULL) !=
		SQLITE_OK) {
		db_fail(db, err, "update");
		goto out;
	}
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, serial, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		db_fail(db, err, "update");
		goto out;
	}
	if (ca_db_audit(db, at, status, serial, "", err) != 0 || ca_db_exec(db, "COMMIT", err) != 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(st);
	if (rc != 0)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
