/* The history store: SQLite in WAL mode in the data directory, or a
 * PostgreSQL database shared by several instances (database:
 * postgresql://...). Both run the same SQL (written to suit both: $N
 * parameters in order of first use, CAST instead of ::) through one small
 * layer, exec(), that binds text parameters and hands rows back; only the
 * schemas differ (column types).
 *
 * One round is one transaction, so kill -9 at any instant leaves every
 * earlier round whole and the current one absent (SQLite's atomic commit,
 * sqlite.org/atomiccommit.html, with synchronous=FULL; PostgreSQL's WAL).
 *
 * observations: one row per certificate seen at a place, from first_seen to
 * last_seen; a renewal starts a new row. rounds: one row per round.
 * severities: each plan finding's severity per round. events: what changed. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pq_load.h"
#include <sqlite3.h>

/* libpq, once a PostgreSQL store is opened (only then are pq-> calls made). */
static const struct sv_pq *pq;

#include "sv.h"

#define STMT_CACHE 16

struct sv_store {
	sqlite3 *db;                 /* one of db and pg */
	PGconn *pg;
	struct { const char *sql; sqlite3_stmt *q; } cache[STMT_CACHE];
};

static const char sqlite_schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS rounds(id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
	" started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL, duration REAL,"
	" observations INTEGER, failures INTEGER, error TEXT);"
	"CREATE TABLE IF NOT EXISTS observations(id INTEGER PRIMARY KEY, source TEXT NOT NULL,"
	" key TEXT NOT NULL, kind TEXT NOT NULL, sha256 TEXT NOT NULL, subject TEXT,"
	" eku_class TEXT, clientauth INTEGER, issuer_class TEXT, vendor TEXT,"
	" not_before INTEGER, not_after INTEGER, clientauth_ends INTEGER, client_use TEXT,"
	" first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS severities(round INTEGER NOT NULL REFERENCES rounds(id),"
	" source TEXT NOT NULL, finding TEXT NOT NULL, kind TEXT, severity TEXT NOT NULL,"
	" breaks_on INTEGER);"
	"CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
	" source TEXT NOT NULL, type TEXT NOT NULL, key TEXT, old_value TEXT, new_value TEXT,"
	" detail TEXT);";

/* Instances starting together serialise on an advisory lock: concurrent
 * CREATE TABLE IF NOT EXISTS can collide in PostgreSQL's catalogs. */
static const char pg_schema[] =
	"SELECT pg_advisory_lock(7013);"
	"CREATE TABLE IF NOT EXISTS rounds(id BIGSERIAL PRIMARY KEY, source TEXT NOT NULL,"
	" started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL, duration DOUBLE PRECISION,"
	" observations BIGINT, failures BIGINT, error TEXT);"
	"CREATE TABLE IF NOT EXISTS observations(id BIGSERIAL PRIMARY KEY, source TEXT NOT NULL,"
	" key TEXT NOT NULL, kind TEXT NOT NULL, sha256 TEXT NOT NULL, subject TEXT,"
	" eku_class TEXT, clientauth INTEGER, issuer_class TEXT, vendor TEXT,"
	" not_before BIGINT, not_after BIGINT, clientauth_ends BIGINT, client_use TEXT,"
	" first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS severities(round BIGINT NOT NULL REFERENCES rounds(id),"
	" source TEXT NOT NULL, finding TEXT NOT NULL, kind TEXT, severity TEXT NOT NULL,"
	" breaks_on BIGINT);"
	"CREATE TABLE IF NOT EXISTS events(id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL,"
	" source TEXT NOT NULL, type TEXT NOT NULL, key TEXT, old_value TEXT, new_value TEXT,"
	" detail TEXT);";

/* Both dialects. */
static const char indexes[] =
	"CREATE INDEX IF NOT EXISTS observations_place ON observations(source, key, id);"
	"CREATE INDEX IF NOT EXISTS observations_seen ON observations(last_seen);"
	"CREATE INDEX IF NOT EXISTS severities_round ON severities(source, round);"
	"CREATE INDEX IF NOT EXISTS events_at ON events(at);";

/* ---- the layer: text parameters in, rows out -------------------------------- */

struct row {
	sqlite3_stmt *q;
	PGresult *res;
	int i;
};

static const char *rtext(const struct row *r, int c)
{
	const char *t = r->q != NULL ? (const char *)sqlite3_column_text(r->q, c)
				     : (pq->getisnull(r->res, r->i, c) ? NULL : pq->getvalue(r->res, r->i, c));
	return t != NULL ? t : "";
}

static int64_t rnum(const struct row *r, int c)
{
	return r->q != NULL ? sqlite3_column_int64(r->q, c) : strtoll(rtext(r, c), NULL, 10);
}

typedef int (*row_fn)(const struct row *r, void *arg);

static sqlite3_stmt *prepared(sv_store *st, const char *sql)
{
	int free_slot = -1;

	for (int i = 0; i < STMT_CACHE; i++) {
		if (st->cache[i].sql == sql)
			return st->cache[i].q;
		if (st->cache[i].sql == NULL && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0 || sqlite3_prepare_v2(st->db, sql, -1, &st->cache[free_slot].q, NULL) != SQLITE_OK)
		return NULL;
	st->cache[free_slot].sql = sql; /* the statements are static strings */
	return st->cache[free_slot].q;
}

static int exec_sqlite(sv_store *st, const char *sql, const char *const *p, int n, row_fn fn, void *arg,
	int64_t *changes)
{
	struct row r = { .q = prepared(st, sql) };
	int step, rc = -1;

	if (r.q == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (p[i] != NULL)
			sqlite3_bind_text(r.q, i + 1, p[i], -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(r.q)) == SQLITE_ROW)
		if (fn == NULL || fn(&r, arg) != 0)
			goto out;
	rc = step == SQLITE_DONE ? 0 : -1;
	if (changes != NULL)
		*changes = sqlite3_changes(st->db);
out:
	sqlite3_reset(r.q);
	sqlite3_clear_bindings(r.q);
	return rc;
}

static int exec_pg(sv_store *st, const char *sql, const char *const *p, int n, row_fn fn, void *arg,
	int64_t *changes)
{
	struct row r = { .res = pq->execParams(st->pg, sql, n, NULL, p, NULL, NULL, 0) };
	ExecStatusType s = pq->resultStatus(r.res);
	int rc = -1;

	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
		goto out;
	for (r.i = 0; r.i < pq->ntuples(r.res); r.i++)
		if (fn == NULL || fn(&r, arg) != 0)
			goto out;
	if (changes != NULL)
		*changes = strtoll(pq->cmdTuples(r.res), NULL, 10);
	rc = 0;
out:
	pq->clear(r.res);
	return rc;
}

/* sql with $1..$n bound to p (NULL: SQL NULL); fn (may be NULL when no row
 * is expected) gets each row; changes (may be NULL) the rows changed. */
static int exec(sv_store *st, const char *sql, const char *const *p, int n, row_fn fn, void *arg,
	int64_t *changes)
{
	return st->db != NULL ? exec_sqlite(st, sql, p, n, fn, arg, changes)
			      : exec_pg(st, sql, p, n, fn, arg, changes);
}

static int script(sv_store *st, const char *sql)
{
	PGresult *res;
	int rc;

	if (st->db != NULL)
		return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	res = pq->exec(st->pg, sql);
	rc = pq->resultStatus(res) == PGRES_COMMAND_OK || pq->resultStatus(res) == PGRES_TUPLES_OK ? 0 : -1;
	pq->clear(res);
	return rc;
}

static void set_why(char *why, size_t len, const char *what, sv_store *st)
{
	const char *msg = st == NULL ? "out of memory" : st->db != NULL ? sqlite3_errmsg(st->db) :
			  st->pg != NULL ? pq->errorMessage(st->pg) : "out of memory";
	size_t n;

	snprintf(why, len, "%s: %s", what, msg);
	n = strlen(why);
	while (n > 0 && (why[n - 1] == '\n' || why[n - 1] == ' '))
		why[--n] = '\0';  /* libpq's messages end with a newline */
}

/* ---- opening ------------------------------------------------------------------ */

static int open_sqlite(sv_store *st, const char *dir, bool readonly, char *why, size_t whylen)
{
	char *path = NULL;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc = -1;

	if (asprintf(&path, "%s/%s", dir, SV_STORE_FILE) < 0) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (!readonly && mkdir(dir, 0750) != 0 && errno != EEXIST) {
		snprintf(why, whylen, "%s: cannot create the data directory: %s", dir, strerror(errno));
		goto out;
	}
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		set_why(why, whylen, path, st);
		goto out;
	}
	sqlite3_busy_timeout(st->db, 5000); /* eku history reading meanwhile */
	if (!readonly && (script(st, sqlite_schema) != 0 || script(st, indexes) != 0)) {
		set_why(why, whylen, path, st);
		goto out;
	}
	rc = 0;
out:
	free(path);
	return rc;
}

/* A connection that gives up after 5 s unless the URL says otherwise, so a
 * round never hangs on a dead database host. */
static int open_pg(sv_store *st, const char *url, char *why, size_t whylen)
{
	const char *const keys[] = { "connect_timeout", "dbname", NULL };
	const char *const vals[] = { "5", url, NULL };

	if ((pq = sv_pq_load(why, whylen)) == NULL)
		return -1;
	st->pg = pq->connectdbParams(keys, vals, 1);
	if (st->pg == NULL || pq->status(st->pg) != CONNECTION_OK) {
		set_why(why, whylen, "history database", st);
		return -1;
	}
	if (script(st, pg_schema) != 0 || script(st, indexes) != 0 ||
	    script(st, "SELECT pg_advisory_unlock(7013)") != 0) {
		set_why(why, whylen, "history database", st);
		return -1;
	}
	return 0;
}

sv_store *sv_store_open(const char *dir, const char *database, bool readonly, char *why, size_t whylen)
{
	sv_store *st = calloc(1, sizeof(*st));

	if (st == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if ((database != NULL ? open_pg(st, database, why, whylen) : open_sqlite(st, dir, readonly, why, whylen)) != 0) {
		sv_store_close(st);
		return NULL;
	}
	return st;
}

void sv_store_close(sv_store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < STMT_CACHE; i++)
		sqlite3_finalize(st->cache[i].q);
	sqlite3_close(st->db);
	if (st->pg != NULL)
		pq->finish(st->pg);
	free(st);
}

/* ---- writing ---------------------------------------------------------------- */

#define NUM(buf, v) (snprintf((buf), sizeof(buf), "%" PRId64, (int64_t)(v)), (const char *)(buf))

static int take_id(const struct row *r, void *arg)
{
	*(int64_t *)arg = rnum(r, 0);
	return 0;
}

static int write_round(sv_store *st, const struct sv_snap *s, int64_t *round)
{
	char a[24], b[24], d[32], o[24], f[24];
	const char *p[] = { s->source, NUM(a, s->started), NUM(b, s->finished),
		(snprintf(d, sizeof(d), "%.6f", s->duration), d), NUM(o, s->n_obs), NUM(f, s->n_fails), s->error };

	return exec(st, "INSERT INTO rounds(source, started_at, finished_at, duration, observations, failures,"
		" error) VALUES($1, $2, $3, $4, $5, $6, $7) RETURNING id", p, 7, take_id, round, NULL);
}

static const char sql_touch[] =
	"UPDATE observations SET last_seen = $1 WHERE id = (SELECT max(id) FROM observations"
	" WHERE source = $2 AND key = $3) AND sha256 = $4";
static const char sql_insert_obs[] =
	"INSERT INTO observations(source, key, kind, sha256, subject, eku_class, clientauth, issuer_class,"
	" vendor, not_before, not_after, clientauth_ends, client_use, first_seen, last_seen)"
	" VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

/* The place's latest row moves its last_seen when it holds the same
 * certificate; otherwise a new row starts. */
static int write_obs(sv_store *st, const struct sv_snap *s, const struct sv_obs *o)
{
	char seen[24], nb[24], na[24], ends[24];
	const char *t[] = { NUM(seen, s->finished), s->source, o->key, o->sha256 };
	const char *p[] = { s->source, o->key, o->kind, o->sha256, o->subject, eku_eku_class_name(o->eku_class),
		o->clientauth ? "1" : "0", eku_issuer_class_name(o->issuer_class), o->vendor, NUM(nb, o->not_before),
		NUM(na, o->not_after), NUM(ends, o->clientauth_ends), eku_sunset_verdict_name(o->client_use), seen,
		seen };
	int64_t changed = 0;

	if (o->stale)
		return 0;
	if (exec(st, sql_touch, t, 4, NULL, NULL, &changed) != 0)
		return -1;
	return changed > 0 ? 0 : exec(st, sql_insert_obs, p, 15, NULL, NULL, NULL);
}

static int write_finding(sv_store *st, const struct sv_snap *s, int64_t round, const struct sv_finding *f)
{
	char r[24], b[24];
	const char *p[] = { NUM(r, round), s->source, f->id, f->kind, eku_severity_name(f->severity),
		NUM(b, f->breaks_on) };

	return exec(st, "INSERT INTO severities(round, source, finding, kind, severity, breaks_on)"
		" VALUES($1, $2, $3, $4, $5, $6)", p, 6, NULL, NULL, NULL);
}

static int write_event(sv_store *st, const struct sv_snap *s, const struct sv_event *e)
{
	char at[24];
	const char *p[] = { NUM(at, e->at), s->source, sv_event_name(e->type), e->key, e->old_value,
		e->new_value, e->detail };

	return exec(st, "INSERT INTO events(at, source, type, key, old_value, new_value, detail)"
		" VALUES($1, $2, $3, $4, $5, $6, $7)", p, 7, NULL, NULL, NULL);
}

int sv_store_write(sv_store *st, const struct sv_snap *s, bool events_only, char *why, size_t whylen)
{
	int64_t round = 0;
	bool began = false;
	int rc = -1;

	/* IMMEDIATE: SQLite takes the write lock now, not at the first write. */
	if (script(st, st->db != NULL ? "BEGIN IMMEDIATE" : "BEGIN") != 0)
		goto out;
	began = true;
	for (size_t i = 0; events_only && i < s->n_events; i++)
		if (write_event(st, s, &s->events[i]) != 0)
			goto out;
	if (!events_only && write_round(st, s, &round) != 0)
		goto out;
	if (events_only)
		goto commit;
	for (size_t i = 0; i < s->n_obs; i++)
		if (write_obs(st, s, &s->obs[i]) != 0)
			goto out;
	for (size_t i = 0; i < s->n_findings; i++)
		if (write_finding(st, s, round, &s->findings[i]) != 0)
			goto out;
	for (size_t i = 0; i < s->n_events; i++)
		if (write_event(st, s, &s->events[i]) != 0)
			goto out;
commit:
	if (script(st, "COMMIT") != 0)
		goto out;
	began = false;
	rc = 0;
out:
	if (rc != 0)
		set_why(why, whylen, "history store", st);
	if (began)
		(void)script(st, "ROLLBACK");
	return rc;
}

/* ---- reading ---------------------------------------------------------------- */

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

static int latest_obs_row(const struct row *r, void *arg)
{
	struct sv_snap *s = arg;
	struct sv_obs *o = sv_snap_add_obs(s);

	if (o == NULL)
		return -1;
	o->key = strdup(rtext(r, 0));
	o->kind = strcmp(rtext(r, 1), "file") == 0 ? "file" : "endpoint";
	snprintf(o->sha256, sizeof(o->sha256), "%s", rtext(r, 2));
	o->subject = strdup(rtext(r, 3));
	o->eku_class = (enum eku_eku_class)enum_by_name(rtext(r, 4), eku_class_at, EKU_CLASS_OTHER + 1);
	o->clientauth = rnum(r, 5) != 0;
	o->issuer_class = (enum eku_issuer_class)enum_by_name(rtext(r, 6), issuer_at, EKU_ISSUER_SELF_SIGNED + 1);
	o->vendor = strdup(rtext(r, 7));
	o->not_before = rnum(r, 8);
	o->not_after = rnum(r, 9);
	o->clientauth_ends = rnum(r, 10);
	o->client_use = (enum eku_sunset_verdict)enum_by_name(rtext(r, 11), verdict_at, EKU_SUNSET_UNKNOWN + 1);
	if (rnum(r, 12) > s->finished)
		s->finished = s->started = rnum(r, 12);
	return o->key != NULL && o->subject != NULL && o->vendor != NULL ? 0 : -1;
}

static int latest_finding_row(const struct row *r, void *arg)
{
	enum eku_severity sev = EKU_SEV_UNKNOWN;

	if (eku_severity_parse(rtext(r, 2), &sev) != 0)
		sev = EKU_SEV_UNKNOWN;
	return sv_snap_add_finding(arg, rtext(r, 0), rtext(r, 1), sev, rnum(r, 3));
}

struct sv_snap *sv_store_latest(sv_store *st, const char *source, enum sv_kind kind, bool *failed)
{
	struct sv_snap *s = sv_snap_new(source, kind);
	const char *p[] = { source };

	*failed = true;
	if (s == NULL)
		return NULL;
	s->loaded = true;
	if (exec(st, "SELECT key, kind, sha256, subject, eku_class, clientauth, issuer_class, vendor, not_before,"
		    " not_after, clientauth_ends, client_use, last_seen FROM observations WHERE id IN"
		    " (SELECT max(id) FROM observations WHERE source = $1 GROUP BY key)", p, 1, latest_obs_row, s,
		    NULL) != 0 ||
	    exec(st, "SELECT finding, kind, severity, breaks_on FROM severities WHERE source = $1"
		    " AND round = (SELECT max(round) FROM severities WHERE source = $1)", p, 1, latest_finding_row, s,
		    NULL) != 0) {
		sv_snap_free(s);
		return NULL;
	}
	*failed = false;
	if (s->n_obs == 0 && s->n_findings == 0) {
		sv_snap_free(s);
		return NULL;
	}
	return s;
}

/* ---- history ---------------------------------------------------------------- */

struct hist {
	sv_hist_obs_fn ofn;
	sv_hist_event_fn efn;
	void *arg;
};

static int obs_row(const struct row *r, void *arg)
{
	const struct hist *h = arg;
	struct sv_hist_obs o = {
		rtext(r, 0), rtext(r, 1), rtext(r, 2), rtext(r, 3), rtext(r, 4), rtext(r, 5), rtext(r, 6),
		rnum(r, 7), rnum(r, 8), rnum(r, 9), rnum(r, 10), rnum(r, 11), rnum(r, 12) != 0,
	};
	return h->ofn(h->arg, &o);
}

static int event_row(const struct row *r, void *arg)
{
	const struct hist *h = arg;
	struct sv_hist_event e = {
		rtext(r, 0), rtext(r, 1), rtext(r, 2), rtext(r, 3), rtext(r, 4), rtext(r, 5), rnum(r, 6),
	};
	return h->efn(h->arg, &e);
}

int sv_store_history(sv_store *st, int64_t since, const char *source, const char *key,
	sv_hist_obs_fn ofn, sv_hist_event_fn efn, void *arg, char *why, size_t whylen)
{
	struct hist h = { ofn, efn, arg };
	char s[24];
	const char *p[] = { NUM(s, since), source, key };

	if ((ofn != NULL && exec(st, "SELECT source, key, sha256, subject, eku_class, issuer_class, vendor,"
		    " not_before, not_after, first_seen, last_seen, clientauth_ends, clientauth FROM observations"
		    " WHERE last_seen >= $1 AND (CAST($2 AS TEXT) IS NULL OR source = $2)"
		    " AND (CAST($3 AS TEXT) IS NULL OR key = $3) ORDER BY source, key, id", p, 3, obs_row, &h,
		    NULL) != 0) ||
	    (efn != NULL && exec(st, "SELECT source, type, key, old_value, new_value, detail, at FROM events"
		    " WHERE at >= $1 AND (CAST($2 AS TEXT) IS NULL OR source = $2)"
		    " AND (CAST($3 AS TEXT) IS NULL OR key = $3) ORDER BY at, id", p, 3, event_row, &h,
		    NULL) != 0)) {
		set_why(why, whylen, "history store", st);
		return -1;
	}
	return 0;
}
