/* sv_rt.h - the running eku serve (runtime.c), shared with its HTTP
 * handlers (http.c, probe_http.c) and the metrics writer (metrics.c). Every
 * field is the main loop's unless marked otherwise (see sv.h). */
#ifndef EKU_SV_RT_H
#define EKU_SV_RT_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "sv.h"

#define SV_PENDING_MAX 1024
#define SV_MAX_ROUNDS 32        /* rounds running at once */

/* One configured source, kept across reloads by name. */
struct sv_state {
	char *name;
	const struct sv_source *src; /* in the runtime's current config */
	struct sv_snap *snap;       /* the latest result, or NULL */
	bool running;               /* a round is in flight */
	bool queued;                /* due, waiting for a free round slot */
	struct event *timer;
	struct sv_runtime *rt;
	uint64_t rounds, skipped;   /* rounds done; ticks skipped while one ran */
	uint64_t events[SV_EV__COUNT];
	char *last_error;           /* the last round's failure, NULL when it worked */
	int64_t last_error_at, last_round_at;
	double last_duration;
};

/* Work done off the loop, finished on it. */
typedef void (*sv_post_fn)(struct sv_runtime *rt, void *arg);
struct sv_post {
	struct sv_post *next;
	sv_post_fn fn;
	void *arg;
};

struct sv_runtime {
	struct event_base *base;
	struct sv_config *cfg;
	struct sv_state *states;
	size_t n_states;
	struct sv_by_name { const char *name; struct sv_state *st; } *by_name; /* sorted */
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	struct event *sighup, *sigterm, *sigint, *notify_ev;
	int notify[2];              /* threads wake the loop through this pipe */
	pthread_mutex_t post_lock;  /* guards posts */
	struct sv_post *posts;
	pthread_mutex_t store_lock; /* guards store and pending, held for whole writes */
	sv_store *store;
	struct sv_snap *pending[SV_PENDING_MAX]; /* rounds whose events await the store */
	size_t n_pending;
	uint64_t pending_dropped;
	pthread_mutex_t status_lock; /* guards the status below, held briefly (the loop reads it) */
	char store_error[512];      /* the last store failure, "" when the last write worked */
	int64_t store_error_at;
	size_t status_pending;      /* copies of n_pending, pending_dropped */
	uint64_t status_dropped;
	uint64_t reloads, reload_failures, version;
	bool reloading;
	char last_reload_error[512];
	unsigned probes_active;     /* /probe requests in flight */
	unsigned rounds_running;
	char **waiting;             /* names of sources due while SV_MAX_ROUNDS ran, oldest first */
	size_t n_waiting, cap_waiting;
	atomic_int threads;         /* rounds, reloads, probes running (any thread) */
	atomic_bool stopping;       /* SIGTERM/SIGINT: no more writes */
	sv_log_fn log;
	void *log_arg;
	int64_t started;
};

void sv_logf(struct sv_runtime *rt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* From any thread: runs fn(rt, arg) on the main loop. Returns 0 or -1. */
int sv_post(struct sv_runtime *rt, sv_post_fn fn, void *arg) __attribute__((warn_unused_result));
/* Starts fn(arg) on a detached thread that blocks every signal. */
int sv_thread_start(struct sv_runtime *rt, void *(*fn)(void *), void *arg) __attribute__((warn_unused_result));
/* Writes s to the history store (the calling thread: a round's). Returns
 * 0, or -1 with s->store_error set. */
int sv_rt_store_write(struct sv_runtime *rt, const struct sv_config *cfg, struct sv_snap *s);

/* Starts a reload off the loop (SIGHUP, POST /-/reload); one at a time. */
void sv_runtime_reload(struct sv_runtime *rt);

/* schedule.c: the state of cfg's sources (a source kept by name keeps its
 * snapshot, counters and round in flight; a new one starts from initial[i],
 * taken), the first round of each now. Returns 0 or -1. */
int sv_states_apply(struct sv_runtime *rt, struct sv_config *cfg, struct sv_snap **initial)
	__attribute__((warn_unused_result));
void sv_state_clear(struct sv_state *st);
/* The store's latest state of each of cfg's sources (NULL entries where it
 * has none), so events after a restart compare with what was seen before.
 * Off the loop (or before it runs). NULL when out of memory. */
struct sv_snap **sv_load_initial(struct sv_runtime *rt, const struct sv_config *cfg);

int sv_http_start(struct sv_runtime *rt, char *why, size_t whylen);
/* /probe?target=...: probes one target off the loop and answers in the
 * Prometheus text format. */
void sv_probe_http(struct sv_runtime *rt, struct evhttp_request *req);

/* The Prometheus text of every source. */
int sv_metrics_render(struct sv_runtime *rt, struct evbuffer *out);
/* The metrics of one snapshot's certificates (shared by /metrics and
 * /probe). */
void sv_metrics_certs(struct evbuffer *out, const struct sv_snap *const *snaps, size_t n);
/* name{k="v",...}: label values escaped as the text format wants. */
void sv_prom_label(struct evbuffer *out, bool first, const char *k, const char *v);

#endif
