/* sv.h - eku serve: continuous monitoring with history, events and
 * Prometheus metrics (docs/serve.md).
 *
 * Threads and ownership:
 *   - the main libevent loop owns the runtime: the current config, the
 *     per-source state (latest snapshot, timer), the HTTP listener, signals,
 *     event counters. Only it reads or replaces them, so HTTP handlers need
 *     no locks.
 *   - a round runs on a thread of its own (sv_round_run: file reads, DNS,
 *     probing, planning, the store write) and posts its snapshot back to the
 *     main loop (sv_post); so do reloads and /probe requests. A dead target
 *     only delays its own source.
 *   - configs and snapshots are immutable once published and
 *     reference-counted: a round keeps the config and the previous snapshot
 *     it started with while a reload replaces them on the main loop.
 *   - the history store has one writer at a time (its mutex); SIGTERM takes
 *     that mutex before exiting, so the current write finishes.
 */
#ifndef EKU_SV_H
#define EKU_SV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <eku/cert.h>
#include <eku/diag.h>
#include <eku/plan.h>
#include <eku/sunset.h>
#include <eku/timeline.h>
#include <eku/trust.h>
#include <eku/util.h>

#include "yaml/walk.h"

/* ---- configuration (config.c) ------------------------------------------- */

enum sv_kind { SV_FILES = 0, SV_TARGETS, SV_INVENTORY };
const char *sv_kind_name(enum sv_kind k);

struct sv_source {
	char *name;
	enum sv_kind kind;
	eku_strv inputs;          /* files/directories, or target specs */
	char *inventory;          /* SV_INVENTORY: the plan inventory */
	unsigned interval_ms;     /* default 5m */
	unsigned timeout_ms;      /* per target; default 10s */
	int line, col;            /* where it is declared, for messages */
};

#define SV_DEFAULT_LISTEN "127.0.0.1:9860"

struct sv_config {
	atomic_int refs;
	char *path;
	char *listen;             /* "127.0.0.1:9860" */
	struct eku_pos listen_pos; /* set when listen is not loopback */
	bool insecure_allow_remote;
	char *data_dir;           /* holds history.sqlite */
	char *database;           /* postgresql://...: the shared history instead of data_dir */
	unsigned expiring_days;   /* the "expiring" event threshold; default 30 */
	eku_strv trust;           /* extra trust anchors (private CAs) */
	char *system_bundle;      /* NULL: the default; "": none */
	struct sv_source *sources;
	size_t n_sources;
	/* built from the above by sv_config_load */
	eku_trust *trust_store;
	eku_timeline *timeline;
};

/* Reads and checks path: every problem goes to diags with file:line:column
 * (the shared YAML walker). build: also build the trust store and timeline
 * (eku serve; eku history only needs data_dir). Returns a config with one
 * reference, or NULL when diags has errors. */
struct sv_config *sv_config_load(const char *path, bool build, eku_diaglist *diags);
/* The same from memory; name is the file name for messages and the folder
 * relative paths resolve against (fuzzing, tests). */
struct sv_config *sv_config_load_mem(const char *name, const char *text, size_t len, bool build,
	eku_diaglist *diags);
struct sv_config *sv_config_up_ref(struct sv_config *c);
void sv_config_free(struct sv_config *c);

/* ---- one round's result (snap.c) ---------------------------------------- */

/* One certificate watched at one place: an endpoint (its leaf) or a file
 * (the certificate it starts with: a fullchain's leaf). */
struct sv_obs {
	char *key;                /* "host:port..." as configured, or the file path */
	const char *kind;         /* "endpoint" or "file" */
	char sha256[65];
	char *subject;
	enum eku_eku_class eku_class;
	bool clientauth;          /* may act as a TLS client (eku_eku_class_allows_client) */
	enum eku_issuer_class issuer_class;
	char *vendor;             /* CA vendor id, "" when unknown */
	int64_t not_before, not_after;
	int64_t clientauth_ends;  /* the renewal that drops clientAuth, 0 when none projected */
	enum eku_sunset_verdict client_use;
	bool stale;               /* not read this round: the previous round's, carried */
};

/* An input that could not be read this round. */
struct sv_fail {
	char *key;
	char *failure;            /* "dns", "refused", "timeout", "file", ... */
	char *message;
};

struct sv_finding {
	char *id;                 /* the plan's finding id */
	const char *kind;         /* "link" or "node" */
	enum eku_severity severity;
	int64_t breaks_on;
};

#define SV_EVENT_LIST(X)                                   \
	X(SV_EV_CLIENTAUTH_DROPPED, "clientauth_dropped")  \
	X(SV_EV_CERT_CHANGED, "cert_changed")              \
	X(SV_EV_SEVERITY_CHANGED, "severity_changed")      \
	X(SV_EV_EXPIRING, "expiring")
#define SV_X_ENUM(code, name) code,
enum sv_event_type { SV_EVENT_LIST(SV_X_ENUM) SV_EV__COUNT };
#undef SV_X_ENUM
const char *sv_event_name(enum sv_event_type t);

struct sv_event {
	enum sv_event_type type;
	int64_t at;
	char *key;                /* the endpoint, path or finding id */
	char *old_value, *new_value; /* sha256s, severities, or not_after */
	char *detail;
};

struct sv_snap {
	atomic_int refs;
	char *source;
	enum sv_kind kind;
	int64_t started, finished; /* unix seconds */
	double duration;           /* seconds */
	bool loaded;               /* read back from the store at start: no round ran yet */
	char *error;               /* the round itself failed (inventory unreadable), or NULL */
	struct sv_obs *obs;
	size_t n_obs, cap_obs;
	struct sv_fail *fails;
	size_t n_fails, cap_fails;
	struct sv_finding *findings;
	size_t n_findings, cap_findings;
	struct sv_event *events;   /* what changed since the previous snapshot */
	size_t n_events, cap_events;
	char *plan_json;           /* SV_INVENTORY: the plan document */
	char *store_error;         /* the history write failed, or NULL */
};

struct sv_snap *sv_snap_new(const char *source, enum sv_kind kind);
struct sv_snap *sv_snap_up_ref(struct sv_snap *s);
void sv_snap_free(struct sv_snap *s);
/* Appends a zeroed record (owned strings set by the caller); NULL when out
 * of memory. */
struct sv_obs *sv_snap_add_obs(struct sv_snap *s);
int sv_snap_add_fail(struct sv_snap *s, const char *key, const char *failure, const char *message)
	__attribute__((warn_unused_result));
int sv_snap_add_finding(struct sv_snap *s, const char *id, const char *kind,
	enum eku_severity sev, int64_t breaks_on) __attribute__((warn_unused_result));
int sv_snap_add_event(struct sv_snap *s, enum sv_event_type type, int64_t at, const char *key,
	const char *old_value, const char *new_value, const char *detail)
	__attribute__((warn_unused_result));
/* Fills o from a certificate, its classification and its sunset verdict at
 * now. Returns 0, or -1 when out of memory. */
int sv_obs_fill(struct sv_obs *o, const char *key, const char *kind, const eku_cert *c,
	const struct eku_classification *cl, const eku_timeline *tl, int64_t now)
	__attribute__((warn_unused_result));
/* Copies prev's observation of each place s failed to read into s, marked
 * stale, so a certificate swapped during an outage is still compared with
 * the one seen before it. Returns 0 or -1. */
int sv_snap_carry(struct sv_snap *s, const struct sv_snap *prev) __attribute__((warn_unused_result));
/* Indexes (at most max, into out) of s's failures that prev did not have
 * with the same class: what is worth a log line. Returns how many. */
size_t sv_snap_new_fails(const struct sv_snap *s, const struct sv_snap *prev, size_t *out, size_t max);
/* The events between prev (may be NULL) and s, appended to s's events. */
int sv_snap_diff(struct sv_snap *s, const struct sv_snap *prev, unsigned expiring_days)
	__attribute__((warn_unused_result));

/* ---- rounds (round.c) ---------------------------------------------------- */

/* Runs one round of src: reads its inputs (on the calling thread, which is
 * never the main loop), and compares with prev. Returns a snapshot (with
 * error set when the round failed as a whole), NULL only when out of
 * memory. */
struct sv_snap *sv_round_run(const struct sv_config *cfg, const struct sv_source *src,
	const struct sv_snap *prev);

/* Probes specs (eku_target_parse syntax) on the calling thread, adding an
 * observation or a failure per target to s. Returns 0, or -1 when out of
 * memory or the probe could not start. */
int sv_probe_targets(const struct sv_config *cfg, const eku_strv *specs, unsigned timeout_ms,
	struct sv_snap *s) __attribute__((warn_unused_result));

/* ---- history store (store.c: SQLite, WAL) --------------------------------- */

typedef struct sv_store sv_store;

#define SV_STORE_FILE "history.sqlite"
/* Opens the PostgreSQL database at the URL database, or when that is NULL,
 * DIR/history.sqlite (created with DIR when writable); creates the tables
 * when missing. Returns NULL with why set. Not locked: one thread at a
 * time per store (eku serve holds its store mutex). */
sv_store *sv_store_open(const char *dir, const char *database, bool readonly, char *why, size_t whylen);
void sv_store_close(sv_store *st);
/* Writes a round: the round row, every observation (a new row when the
 * certificate at that place changed, else its last_seen moves), severities,
 * events; one transaction, so a round is stored whole or not at all.
 * events_only: only s's events (a round whose write failed: its
 * observations come again with the next round, its events would not).
 * Returns 0, or -1 with why set. */
int sv_store_write(sv_store *st, const struct sv_snap *s, bool events_only, char *why, size_t whylen)
	__attribute__((warn_unused_result));
/* The latest observation per place and the latest round's severities of
 * source, as a snapshot with loaded set (NULL when the store has none;
 * *failed set on a read error). */
struct sv_snap *sv_store_latest(sv_store *st, const char *source, enum sv_kind kind, bool *failed);

/* History rows for eku history, oldest first. */
struct sv_hist_obs {
	const char *source, *key, *sha256, *subject, *eku_class, *issuer_class, *vendor;
	int64_t not_before, not_after, first_seen, last_seen, clientauth_ends;
	bool clientauth;
};
struct sv_hist_event {
	const char *source, *type, *key, *old_value, *new_value, *detail;
	int64_t at;
};
typedef int (*sv_hist_obs_fn)(void *arg, const struct sv_hist_obs *o);
typedef int (*sv_hist_event_fn)(void *arg, const struct sv_hist_event *e);
/* Observations seen since `since` (last_seen >= since) and events since
 * then, optionally of one source and one key (NULL: all). Returns 0, or -1
 * with why set. */
int sv_store_history(sv_store *st, int64_t since, const char *source, const char *key,
	sv_hist_obs_fn ofn, sv_hist_event_fn efn, void *arg, char *why, size_t whylen)
	__attribute__((warn_unused_result));

/* ---- runtime (runtime.c), HTTP (http.c), metrics (metrics.c) -------------- */

typedef void (*sv_log_fn)(void *arg, const char *line);
struct sv_runtime;

/* Takes cfg's reference. Returns NULL with why set. */
struct sv_runtime *sv_runtime_new(struct sv_config *cfg, sv_log_fn log, void *log_arg, char *why,
	size_t whylen);
/* Runs until SIGTERM/SIGINT, then waits up to 3 s for rounds in flight.
 * Returns the exit status. */
int sv_runtime_run(struct sv_runtime *rt);
/* Frees rt, or returns false when a thread still uses it: the caller then
 * exits at once with _exit() (atexit clean-ups must not run under it). */
bool sv_runtime_free(struct sv_runtime *rt);

#endif
