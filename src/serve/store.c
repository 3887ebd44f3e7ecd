/* The history store: SQLite in WAL mode in the data directory. One round is
 * one transaction, so kill -9 at any instant leaves every earlier round
 * whole and the current one absent (SQLite's atomic commit, sqlite.org/
 * atomiccommit.html; WAL with synchronous=FULL also survives power loss).
 *
 * observations: one row per certificate seen at a place, from first_seen to
 * last_seen; a renewal starts a new row. rounds: one row per round.
 * severities: each plan finding's severity per round. events: what changed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "sv.h"

struct sv_store {
	sqlite3 *db;
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
	"INSERT OR IGNORE INTO meta VALUES('schema', '1');"
	"CREATE TABLE IF NOT EXISTS rounds(id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
	" started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL, duration REAL,"
	" observations INTEGER, failures INTEGER, error TEXT);"
	"CREATE TABLE IF NOT EXISTS observations(id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
	" key TEXT NOT NULL, kind TEXT NOT NULL, sha256 TEXT NOT NULL, subject TEXT,"
	" eku_class TEXT, clientauth INTEGER, issuer_class TEXT, vendor TEXT,"
	" not_before INTEGER, not_after INTEGER, clientauth_ends INTEGER, client_use TEXT,"
	" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS observations_place ON observations(source, key, id);"
	"CREATE INDEX IF NOT EXISTS observations_seen ON observations(last_seen);"
	"CREATE TABLE IF NOT EXISTS severities(round INTEGER NOT NULL REFERENCES rounds(id),"
	" source TEXT NOT NULL, finding TEXT NOT NULL, kind TEXT, severity TEXT NOT NULL,"
	" breaks_on INTEGER);"
	"CREATE INDEX IF NOT EXISTS severities_round ON severities(source, round);"
	"CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
	" source TEXT NOT NULL, type TEXT NOT NULL, key TEXT, old_value TEXT, new_value TEXT,"
	" detail TEXT);"
	"CREATE INDEX IF NOT EXISTS events_at ON events(at);";

static void set_why(char *why, size_t len, const char *what, sqlite3 *db)
{
	snprintf(why, len, "%s: %s", what, db != NULL ? sqlite3_errmsg(db) : "out of memory");
}

sv_store *sv_store_open(const char *dir, bool readonly, char *why, size_t whylen)
{
	sv_store *st = calloc(1, sizeof(*st));
	char *path = NULL;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	if (st == NULL || asprintf(&path, "%s/%s", dir, SV_STORE_FILE) < 0) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	if (!readonly && mkdir(dir, 0750) != 0 && errno != EEXIST) {
		snprintf(why, whylen, "%s: cannot create the data directory: %s", dir, strerror(errno));
		goto fail;
	}
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		set_why(why, whylen, path, st->db);
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000); /* another instance or eku history */
	if (!readonly && sqlite3_exec(st->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		set_why(why, whylen, path, st->db);
		goto fail;
	}
	free(path);
	return st;
fail:
	free(path);
	sv_store_close(st);
	return NULL;
}

void sv_store_close(sv_store *st)
{
	if (st == NULL)
		return;
	sqlite3_close(st->db);
	free(st);
}

/* ---- writing ---------------------------------------------------------------- */

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, i);
}

static int step_done(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

struct writer {
	sv_store *st;
	const struct sv_snap *s;
	sqlite3_int64 round;
	sqlite3_stmt *touch, *insert, *sev, *ev;
};

static int write_round(struct writer *w)
{
	sqlite3_stmt *q = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(w->st->db, "INSERT INTO rounds(source, started_at, finished_at, duration,"
		    " observations, failures, error) VALUES(?,?,?,?,?,?,?)", -1, &q, NULL) != SQLITE_OK)
		return -1;
	bind_text(q, 1, w->s->source);
	sqlite3_bind_int64(q, 2, w->s->started);
	sqlite3_bind_int64(q, 3, w->s->finished);
	sqlite3_bind_double(q, 4, w->s->duration);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)w->s->n_obs);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)w->s->n_fails);
	bind_text(q, 7, w->s->error);
	if (step_done(q) == 0) {
		w->round = sqlite3_last_insert_rowid(w->st->db);
		rc = 0;
	}
	sqlite3_finalize(q);
	return rc;
}

/* The place's latest row moves its last_seen when it holds the same
 * certificate; otherwise a new row starts. */
static int write_obs(struct writer *w, const struct sv_obs *o)
{
	sqlite3_stmt *q = w->touch;

	if (o->stale)
		return 0;
	sqlite3_bind_int64(q, 1, w->s->finished);
	bind_text(q, 2, w->s->source);
	bind_text(q, 3, o->key);
	bind_text(q, 4, o->sha256);
	if (step_done(q) != 0)
		return -1;
	if (sqlite3_changes(w->st->db) > 0)
		return 0;
	q = w->insert;
	bind_text(q, 1, w->s->source);
	bind_text(q, 2, o->key);
	bind_text(q, 3, o->kind);
	bind_text(q, 4, o->sha256);
	bind_text(q, 5, o->subject);
	bind_text(q, 6, eku_eku_class_name(o->eku_class));
	sqlite3_bind_int(q, 7, o->clientauth);
	bind_text(q, 8, eku_issuer_class_name(o->issuer_class));
	bind_text(q, 9, o->vendor);
	sqlite3_bind_int64(q, 10, o->not_before);
	sqlite3_bind_int64(q, 11, o->not_after);
	sqlite3_bind_int64(q, 12, o->clientauth_ends);
	bind_text(q, 13, eku_sunset_verdict_name(o->client_use));
	sqlite3_bind_int64(q, 14, w->s->finished);
	sqlite3_bind_int64(q, 15, w->s->finished);
	return step_done(q);
}

static int write_finding(struct writer *w, const struct sv_finding *f)
{
	sqlite3_stmt *q = w->sev;

	sqlite3_bind_int64(q, 1, w->round);
	bind_text(q, 2, w->s->source);
	bind_text(q, 3, f->id);
	bind_text(q, 4, f->kind);
	bind_text(q, 5, eku_severity_name(f->severity));
	sqlite3_bind_int64(q, 6, f->breaks_on);
	return step_done(q);
}

static int write_event(struct writer *w, const struct sv_event *e)
{
	sqlite3_stmt *q = w->ev;

	sqlite3_bind_int64(q, 1, e->at);
	bind_text(q, 2, w->s->source);
	bind_text(q, 3, sv_event_name(e->type));
	bind_text(q, 4, e->key);
	bind_text(q, 5, e->old_value);
	bind_text(q, 6, e->new_value);
	bind_text(q, 7, e->detail);
	return step_done(q);
}

static int prepare(struct writer *w)
{
	sqlite3 *db = w->st->db;

	return sqlite3_prepare_v2(db, "UPDATE observations SET last_seen = ?1 WHERE id = (SELECT max(id)"
		       " FROM observations WHERE source = ?2 AND key = ?3) AND sha256 = ?4", -1, &w->touch,
		       NULL) != SQLITE_OK ||
	       sqlite3_prepare_v2(db, "INSERT INTO observations(source, key, kind, sha256, subject,"
		       " eku_class, clientauth, issuer_class, vendor, not_before, not_after, clientauth_ends,"
		       " client_use, first_seen, last_seen) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1,
		       &w->insert, NULL) != SQLITE_OK ||
	       sqlite3_prepare_v2(db, "INSERT INTO severities VALUES(?,?,?,?,?,?)", -1, &w->sev,
		       NULL) != SQLITE_OK ||
	       sqlite3_prepare_v2(db, "INSERT INTO events(at, source, type, key, old_value, new_value,"
		       " detail) VALUES(?,?,?,?,?,?,?)", -1, &w->ev, NULL) != SQLITE_OK ? -1 : 0;
}

int sv_store_write(sv_store *st, const struct sv_snap *s, char *why, size_t whylen)
{
	struct writer w = { .st = st, .s = s };
	bool began = false;
	int rc = -1;

	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	began = true;
	if (prepare(&w) != 0 || write_round(&w) != 0)
		goto out;
	for (size_t i = 0; i < s->n_obs; i++)
		if (write_obs(&w, &s->obs[i]) != 0)
			goto out;
	for (size_t i = 0; i < s->n_findings; i++)
		if (write_finding(&w, &s->findings[i]) != 0)
			goto out;
	for (size_t i = 0; i < s->n_events; i++)
		if (write_event(&w, &s->events[i]) != 0)
			goto out;
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	began = false;
	rc = 0;
out:
	if (rc != 0)
		set_why(why, whylen, "history store", st->db);
	if (began)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(w.touch);
	sqlite3_finalize(w.insert);
	sqlite3_finalize(w.sev);
	sqlite3_finalize(w.ev);
	return rc;
}

/* ---- reading ---------------------------------------------------------------- */

static const char *col_text(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	return t != NULL ? (const char *)t : "";
}

static int enum_by_name(const char *name, const char *(*fn)(int), int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(fn(i), name) == 0)
			return i;
	return 0;
}

static const char *eku_class_at(int i) { return eku_eku_class_name((enum eku_eku_class)i); }
static const char *issuer_at(int i) { return eku_issuer_class_name((enum eku_issuer_class)i); }
static const char *verdict_at(int i) { return eku_sunset_verdict_name((enum eku_sunset_verdict)i); }

static int load_obs(sqlite3_stmt *q, struct sv_snap *s)
{
	struct sv_obs *o = sv_snap_add_obs(s);

	if (o == NULL)
		return -1;
	o->key = strdup(col_text(q, 0));
	o->kind = strcmp(col_text(q, 1), "file") == 0 ? "file" : "endpoint";
	snprintf(o->sha256, sizeof(o->sha256), "%s", col_text(q, 2));
	o->subject = strdup(col_text(q, 3));
	o->eku_class = (enum eku_eku_class)enum_by_name(col_text(q, 4), eku_class_at, EKU_CLASS_OTHER + 1);
	o->clientauth = sqlite3_column_int(q, 5) != 0;
	o->issuer_class = (enum eku_issuer_class)enum_by_name(col_text(q, 6), issuer_at, EKU_ISSUER_SELF_SIGNED + 1);
	o->vendor = strdup(col_text(q, 7));
	o->not_before = sqlite3_column_int64(q, 8);
	o->not_after = sqlite3_column_int64(q, 9);
	o->clientauth_ends = sqlite3_column_int64(q, 10);
	o->client_use = (enum eku_sunset_verdict)enum_by_name(col_text(q, 11), verdict_at, EKU_SUNSET_UNKNOWN + 1);
	if (sqlite3_column_int64(q, 12) > s->finished)
		s->finished = s->started = sqlite3_column_int64(q, 12);
	return o->key != NULL && o->subject != NULL && o->vendor != NULL ? 0 : -1;
}

static int load_findings(sv_store *st, struct sv_snap *s)
{
	sqlite3_stmt *q = NULL;
	int rc = -1, step;

	if (sqlite3_prepare_v2(st->db, "SELECT finding, kind, severity, breaks_on FROM severities"
		    " WHERE source = ?1 AND round = (SELECT max(round) FROM severities WHERE source = ?1)",
		    -1, &q, NULL) != SQLITE_OK)
		return -1;
	bind_text(q, 1, s->source);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		enum eku_severity sev = EKU_SEV_UNKNOWN;
		if (eku_severity_parse(col_text(q, 2), &sev) != 0)
			sev = EKU_SEV_UNKNOWN;
		if (sv_snap_add_finding(s, col_text(q, 0), col_text(q, 1), sev, sqlite3_column_int64(q, 3)) != 0)
			goto out;
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(q);
	return rc;
}

struct sv_snap *sv_store_latest(sv_store *st, const char *source, enum sv_kind kind, bool *failed)
{
	struct sv_snap *s = sv_snap_new(source, kind);
	sqlite3_stmt *q = NULL;
	int step = SQLITE_ERROR;

	*failed = true;
	if (s == NULL || sqlite3_prepare_v2(st->db, "SELECT key, kind, sha256, subject, eku_class,"
		    " clientauth, issuer_class, vendor, not_before, not_after, clientauth_ends, client_use,"
		    " last_seen FROM observations WHERE id IN (SELECT max(id) FROM observations"
		    " WHERE source = ? GROUP BY key)", -1, &q, NULL) != SQLITE_OK)
		goto fail;
	s->loaded = true;
	bind_text(q, 1, source);
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		if (load_obs(q, s) != 0)
			goto fail;
	if (step != SQLITE_DONE || load_findings(st, s) != 0)
		goto fail;
	sqlite3_finalize(q);
	*failed = false;
	if (s->n_obs == 0 && s->n_findings == 0) {
		sv_snap_free(s);
		return NULL;
	}
	return s;
fail:
	sqlite3_finalize(q);
	sv_snap_free(s);
	return NULL;
}

/* ---- history ---------------------------------------------------------------- */

/* Runs a history query (?1 since, ?2 source or NULL, ?3 key or NULL),
 * handing each row to row(). */
struct hist {
	sv_hist_obs_fn ofn;
	sv_hist_event_fn efn;
	void *arg;
};

static int hist_query(sv_store *st, const char *sql, int64_t since, const char *source, const char *key,
	int (*row)(sqlite3_stmt *q, const struct hist *h), const struct hist *h)
{
	sqlite3_stmt *q = NULL;
	int step, rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(q, 1, since);
	bind_text(q, 2, source);
	bind_text(q, 3, key);
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		if (row(q, h) != 0)
			goto out;
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	sqlite3_finalize(q);
	return rc;
}

static int obs_row(sqlite3_stmt *q, const struct hist *h)
{
	struct sv_hist_obs o = {
		col_text(q, 0), col_text(q, 1), col_text(q, 2), col_text(q, 3), col_text(q, 4),
		col_text(q, 5), col_text(q, 6), sqlite3_column_int64(q, 7), sqlite3_column_int64(q, 8),
		sqlite3_column_int64(q, 9), sqlite3_column_int64(q, 10), sqlite3_column_int64(q, 11),
		sqlite3_column_int(q, 12) != 0,
	};
	return h->ofn(h->arg, &o);
}

static int event_row(sqlite3_stmt *q, const struct hist *h)
{
	struct sv_hist_event e = {
		col_text(q, 0), col_text(q, 1), col_text(q, 2), col_text(q, 3), col_text(q, 4),
		col_text(q, 5), sqlite3_column_int64(q, 6),
	};
	return h->efn(h->arg, &e);
}

int sv_store_history(sv_store *st, int64_t since, const char *source, const char *key,
	sv_hist_obs_fn ofn, sv_hist_event_fn efn, void *arg, char *why, size_t whylen)
{
	const struct hist h = { ofn, efn, arg };

	if ((ofn != NULL && hist_query(st, "SELECT source, key, sha256, subject, eku_class, issuer_class,"
		    " vendor, not_before, not_after, first_seen, last_seen, clientauth_ends, clientauth"
		    " FROM observations WHERE last_seen >= ?1 AND (?2 IS NULL OR source = ?2)"
		    " AND (?3 IS NULL OR key = ?3) ORDER BY source, key, id", since, source, key, obs_row, &h) != 0) ||
	    (efn != NULL && hist_query(st, "SELECT source, type, key, old_value, new_value, detail, at"
		    " FROM events WHERE at >= ?1 AND (?2 IS NULL OR source = ?2) AND (?3 IS NULL OR key = ?3)"
		    " ORDER BY at, id", since, source, key, event_row, &h) != 0)) {
		set_why(why, whylen, "history store", st->db);
		return -1;
	}
	return 0;
}
