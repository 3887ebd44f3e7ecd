/* gw_runtime.h - the running gateway: one libevent loop owning listeners,
 * connections, the admin listener, signals and the current config. */
#ifndef EKU_GW_RUNTIME_H
#define EKU_GW_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "gw_config.h"
#include "gw_metrics.h"
#include "gw_policy.h"

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

struct gw_runtime {
	struct event_base *base;
	struct gw_config *cfg;          /* current; connections hold their own refs */
	uint64_t version;
	struct gw_listener *listeners;
	struct evhttp *admin;
	struct evhttp_bound_socket *admin_sock;
	struct event *sighup, *sigterm, *sigint, *drain_timer;
	gw_metrics *metrics;
	uint64_t active, next_id;
	struct conn *conns;             /* live connections (conn.c), for the drain cut */
	bool draining;
	gw_log_fn log;
	void *log_arg;
	struct gw_observed observed[GW_OBSERVED_MAX];
	size_t n_observed;
	char last_reload_error[512];
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

/* Reload from rt->cfg->path: parse fresh, validate, swap; on error keep the
 * current config and return -1 with the reason in rt->last_reload_error. */
int gw_runtime_reload(struct gw_runtime *rt);
void gw_runtime_logf(struct gw_runtime *rt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* conn.c */
void gw_conn_accept(struct gw_runtime *rt, const char *listen_addr, evutil_socket_t fd,
	struct sockaddr *sa, int salen);
void gw_observe(struct gw_runtime *rt, const char *route, const struct gw_peer_result *p);
/* Closes and frees every live connection (drain deadline, shutdown), each
 * logged and counted with result drain_cut. */
void gw_conn_cut_all(struct gw_runtime *rt);

/* admin.c */
int gw_admin_start(struct gw_runtime *rt, char *why, size_t whylen);
int64_t gw_now_ms(void);

#endif
