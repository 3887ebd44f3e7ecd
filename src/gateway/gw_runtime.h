/* gw_runtime.h - the running gateway: the main libevent loop owns the
 * listeners, the admin listener, signals, reloads and the current config;
 * connections live on workers (gw_worker).
 *
 * workers: 1 (the default) runs everything on the main loop, as before.
 * workers: N > 1 starts N threads, each with its own event loop; the main
 * loop accepts, takes the config reference and the connection slot
 * (max_connections is global), and hands the descriptor round-robin to a
 * worker through its queue and wake-up pipe. A connection then stays on its
 * worker until it closes. Shared state and its guard:
 *   - cfg, listeners, reload: main loop only;
 *   - active (global connection count): atomic; draining: atomic;
 *   - metrics, verdict caches: their own mutexes;
 *   - observed certificates, upstream backoff: rt->lock;
 *   - a worker's connection list: that worker's thread only (the main thread
 *     touches it only after the worker thread has been joined).
 * Log lines are built in one buffer and emitted with one call. */
#ifndef EKU_GW_RUNTIME_H
#define EKU_GW_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "gw_config.h"
#include "gw_metrics.h"
#include "gw_peer.h"

/* Log sink: one line, no newline. The library part never prints itself. */
typedef void (*gw_log_fn)(void *arg, const char *line);

struct gw_listener {
	struct gw_listener *next;
	char *addr;                     /* text, as in the config */
	struct evconnlistener *l;
	struct gw_runtime *rt;
};

/* One observed peer certificate (observe mode), newest first, bounded. */
struct gw_observed {
	char route[64];
	char subject[256];
	char sha256[65];
	enum eku_eku_class eku_class;
	enum eku_issuer_class issuer_class;
	int64_t not_after;
	bool fails_under[EKU_VERIFY_POLICY_COUNT];
	char reason[200];
	uint64_t count;
	int64_t last_seen;
};
#define GW_OBSERVED_MAX 256

/* A descriptor accepted by the main loop, on its way to a worker. */
struct gw_handoff {
	struct gw_handoff *next;
	evutil_socket_t fd;
	struct sockaddr_storage sa;
	int salen;
	struct gw_config *cfg;          /* reference taken at accept */
	const struct gw_route *route;   /* in cfg */
	uint64_t id;
};

enum gw_worker_cmd { GW_WORKER_RUN, GW_WORKER_EXIT, GW_WORKER_CUT };

struct gw_worker {
	struct gw_runtime *rt;
	unsigned idx;
	struct event_base *base;        /* rt->base when the gateway has one worker */
	struct conn *conns;             /* live connections (conn.c), for the drain cut */
	pthread_t thread;
	bool started;
	int wake[2];                    /* pipe: the main loop wakes the worker */
	struct event *wake_ev;
	pthread_mutex_t lock;           /* queue, cmd */
	struct gw_handoff *queue, **queue_tail;
	enum gw_worker_cmd cmd;
};

struct gw_runtime {
	struct event_base *base;
	struct gw_config *cfg;          /* current; connections hold their own refs */
	uint64_t version;
	struct gw_listener *listeners;
	struct evhttp *admin;
	struct evhttp_bound_socket *admin_sock;
	struct event *sighup, *sigterm, *sigint, *drain_timer;
	gw_metrics *metrics;
	atomic_uint_fast64_t active;    /* all workers */
	uint64_t next_id;               /* main loop only */
	unsigned n_workers, next_worker;
	struct gw_worker *workers;
	int notify[2];                  /* pipe: a worker tells the main loop "drained" */
	struct event *notify_ev;
	pthread_mutex_t lock;           /* observed, backoff */
	atomic_bool draining;
	gw_log_fn log;
	void *log_arg;
	struct gw_observed observed[GW_OBSERVED_MAX];
	size_t n_observed;
	char last_reload_error[512];
	struct gw_reload *reload;       /* main loop only: the loader thread's job, or NULL */
	/* upstream fail-fast: per-route backoff after a failure */
	struct gw_backoff { char route[64]; int64_t until_ms; unsigned delay_ms; } backoff[64];
	size_t n_backoff;
};

/* Takes cfg (one reference). Binds listeners and the admin socket. */
struct gw_runtime *gw_runtime_new(struct gw_config *cfg, gw_log_fn log, void *log_arg,
	char *why, size_t whylen);
/* Drops privileges to cfg->user (when root). Returns 0 or -1 with why. */
int gw_runtime_drop_privileges(struct gw_runtime *rt, char *why, size_t whylen);
/* Runs until drained after SIGTERM/SIGINT. Returns 0. */
int gw_runtime_run(struct gw_runtime *rt);
void gw_runtime_free(struct gw_runtime *rt);

/* Reload from rt->cfg->path, without blocking the main loop: a helper
 * thread reads and validates the file and every certificate, key and CRL it
 * names (file reads, DNS look-ups); the main loop then binds new addresses
 * and swaps the config. On error the current config stays and the reason is
 * in rt->last_reload_error. done (may be NULL) is called on the main loop
 * with 0 or -1 when the reload that covers this request has finished; a
 * request made while one runs is served by a new run after it (the file may
 * have changed). Main loop only. Returns 0, or -1 (out of memory, or the
 * thread cannot start) with done not called. */
typedef void (*gw_reload_done_fn)(struct gw_runtime *rt, int rc, void *arg);
int gw_runtime_reload_async(struct gw_runtime *rt, gw_reload_done_fn done, void *arg)
	__attribute__((warn_unused_result));
void gw_runtime_logf(struct gw_runtime *rt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Called by a worker when the last connection closed while draining. */
void gw_runtime_drained(struct gw_worker *w);
/* Hands h (owned) to worker w and wakes it. Main loop only. */
void gw_worker_hand(struct gw_worker *w, struct gw_handoff *h);

/* conn.c */
/* Main loop: admission (route, draining, max_connections), then the
 * connection starts on the next worker. */
void gw_conn_accept(struct gw_runtime *rt, const char *listen_addr, evutil_socket_t fd,
	struct sockaddr *sa, int salen);
/* Worker: starts the inbound handshake of h (consumed). */
void gw_conn_start(struct gw_worker *w, struct gw_handoff *h);
/* Worker: drops h (consumed) without serving it (closing down). */
void gw_handoff_drop(struct gw_runtime *rt, struct gw_handoff *h);
void gw_observe(struct gw_runtime *rt, const struct gw_config *cfg, const char *route,
	const struct gw_peer_result *p);
/* Closes and frees every live connection of w (drain deadline, shutdown),
 * each logged and counted with result drain_cut. Runs on w's thread, or on
 * the main thread once w's thread has ended. */
void gw_conn_cut_all(struct gw_worker *w);

/* admin.c */
int gw_admin_start(struct gw_runtime *rt, char *why, size_t whylen);
int64_t gw_now_ms(void);

#endif
