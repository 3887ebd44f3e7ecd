/* The gateway's event loop: listeners, reload (parse fresh, validate, bind
 * new addresses, swap), graceful drain, privilege drop. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "gw_runtime.h"

void gw_runtime_logf(struct gw_runtime *rt, const char *fmt, ...)
{
	char line[2048], ts[32];
	int n;
	va_list ap;

	n = snprintf(line, sizeof(line), "ts=%s ", eku_time_iso((int64_t)time(NULL), ts, sizeof(ts)));
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (rt->log != NULL)
		rt->log(rt->log_arg, line);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
	int salen, void *arg)
{
	struct gw_listener *gl = arg;

	(void)l;
	gw_conn_accept(gl->rt, gl->addr, fd, sa, salen);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct gw_listener *gl = arg;
	int err = EVUTIL_SOCKET_ERROR();

	(void)l;
	/* EMFILE and friends: log and keep listening; libevent retries. */
	gw_runtime_logf(gl->rt, "event=accept_error listen=%s error=\"%s\"", gl->addr,
		evutil_socket_error_to_string(err));
}

static struct gw_listener *find_listener(struct gw_runtime *rt, const char *addr)
{
	for (struct gw_listener *gl = rt->listeners; gl != NULL; gl = gl->next)
		if (strcmp(gl->addr, addr) == 0)
			return gl;
	return NULL;
}

static int bind_one(struct gw_runtime *rt, const struct gw_addr *a, char *why, size_t whylen)
{
	struct gw_listener *gl = calloc(1, sizeof(*gl));

	if (gl == NULL || (gl->addr = strdup(a->text)) == NULL) {
		free(gl);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	gl->rt = rt;
	gl->l = evconnlistener_new_bind(rt->base, accept_cb, gl, LEV_OPT_CLOSE_ON_FREE |
		LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 1024,
		(const struct sockaddr *)&a->ss, (int)a->len);
	if (gl->l == NULL) {
		snprintf(why, whylen, "cannot listen on %s: %s", a->text,
			evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		free(gl->addr);
		free(gl);
		return -1;
	}
	evconnlistener_set_error_cb(gl->l, accept_error_cb);
	gl->next = rt->listeners;
	rt->listeners = gl;
	return 0;
}

/* Binds every listen address of cfg not bound yet. */
static int bind_new(struct gw_runtime *rt, const struct gw_config *cfg, char *why, size_t whylen)
{
	for (size_t i = 0; i < cfg->n_routes; i++)
		for (size_t j = 0; j < cfg->routes[i].n_listen; j++)
			if (find_listener(rt, cfg->routes[i].listen[j].text) == NULL &&
			    bind_one(rt, &cfg->routes[i].listen[j], why, whylen) != 0)
				return -1;
	return 0;
}

/* Closes listeners whose address cfg no longer has (all when cfg is NULL). */
static void unbind_stale(struct gw_runtime *rt, const struct gw_config *cfg)
{
	struct gw_listener **pp = &rt->listeners;

	while (*pp != NULL) {
		struct gw_listener *gl = *pp;
		if (cfg != NULL && gw_config_route_for_addr(cfg, gl->addr) != NULL) {
			pp = &gl->next;
			continue;
		}
		*pp = gl->next;
		evconnlistener_free(gl->l);
		free(gl->addr);
		free(gl);
	}
}

int gw_runtime_reload(struct gw_runtime *rt)
{
	struct gw_diags d = { 0 };
	struct gw_config *fresh = gw_config_load(rt->cfg->path, true, &d), *old;
	char why[512] = "";
	int rc = -1;

	for (size_t i = 0; i < d.n; i++)
		gw_runtime_logf(rt, "event=reload_diag severity=%s file=%s line=%d column=%d "
			"msg=\"%s\"", d.v[i].sev == GW_SEV_ERROR ? "error" : "warning", d.file,
			d.v[i].pos.line, d.v[i].pos.col, d.v[i].message);
	if (fresh == NULL) {
		for (size_t i = 0; i < d.n && why[0] == '\0'; i++)
			if (d.v[i].sev == GW_SEV_ERROR)
				snprintf(why, sizeof(why), "%s:%d:%d: %s (%zu error(s))", d.file,
					d.v[i].pos.line, d.v[i].pos.col, d.v[i].message,
					gw_diags_errors(&d));
		goto out;
	}
	if (bind_new(rt, fresh, why, sizeof(why)) != 0)
		goto out;
	fresh->version = ++rt->version;
	old = rt->cfg;
	rt->cfg = fresh;
	fresh = NULL;
	unbind_stale(rt, rt->cfg);
	gw_config_free(old);  /* live connections keep their own references */
	rc = 0;
out:
	if (rc != 0) {
		unbind_stale(rt, rt->cfg);
		snprintf(rt->last_reload_error, sizeof(rt->last_reload_error), "%s", why);
		gw_runtime_logf(rt, "event=reload result=failed kept_version=%llu reason=\"%s\"",
			(unsigned long long)rt->cfg->version, why);
	} else {
		rt->last_reload_error[0] = '\0';
		gw_runtime_logf(rt, "event=reload result=ok version=%llu sha256=%s",
			(unsigned long long)rt->cfg->version, rt->cfg->sha256);
	}
	gw_metrics_add(rt->metrics, "eku_gateway_reloads_total", 1, "result",
		rc == 0 ? "ok" : "failed", NULL, NULL, NULL, NULL);
	gw_config_free(fresh);
	gw_diags_clear(&d);
	return rc;
}

static void drain_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct gw_runtime *rt = arg;

	(void)fd; (void)what;
	gw_runtime_logf(rt, "event=drain_deadline cut=%llu", (unsigned long long)rt->active);
	gw_conn_cut_all(rt);
	event_base_loopexit(rt->base, NULL);
}

static void start_drain(struct gw_runtime *rt)
{
	struct timeval tv;

	if (rt->draining)
		return;
	rt->draining = true;
	unbind_stale(rt, NULL);
	gw_runtime_logf(rt, "event=drain active=%llu deadline_ms=%u",
		(unsigned long long)rt->active, rt->cfg->limits.drain_timeout_ms);
	if (rt->active == 0) {
		event_base_loopexit(rt->base, NULL);
		return;
	}
	tv.tv_sec = rt->cfg->limits.drain_timeout_ms / 1000;
	tv.tv_usec = (rt->cfg->limits.drain_timeout_ms % 1000) * 1000;
	rt->drain_timer = evtimer_new(rt->base, drain_deadline_cb, rt);
	if (rt->drain_timer != NULL)
		evtimer_add(rt->drain_timer, &tv);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct gw_runtime *rt = arg;

	(void)what;
	if (sig == SIGHUP)
		(void)gw_runtime_reload(rt);
	else
		start_drain(rt);
}

/* epoll changelist: the enable/disable toggles of one loop iteration become
 * one epoll_ctl per descriptor (about 18 per proxied connection otherwise).
 * Safe here: the gateway never dup()s a descriptor it watches. */
static struct event_base *base_new(void)
{
	struct event_config *ec = event_config_new();
	struct event_base *b = NULL;

	if (ec != NULL && event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST) == 0)
		b = event_base_new_with_config(ec);
	event_config_free(ec);
	return b != NULL ? b : event_base_new();
}

struct gw_runtime *gw_runtime_new(struct gw_config *cfg, gw_log_fn log, void *log_arg,
	char *why, size_t whylen)
{
	struct gw_runtime *rt = calloc(1, sizeof(*rt));

	if (rt == NULL) {
		gw_config_free(cfg);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	rt->cfg = cfg;
	rt->version = cfg->version = 1;
	rt->log = log;
	rt->log_arg = log_arg;
	signal(SIGPIPE, SIG_IGN);
	if ((rt->base = base_new()) == NULL || (rt->metrics = gw_metrics_new()) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	if (bind_new(rt, cfg, why, whylen) != 0 || gw_admin_start(rt, why, whylen) != 0)
		goto fail;
	rt->sighup = evsignal_new(rt->base, SIGHUP, signal_cb, rt);
	rt->sigterm = evsignal_new(rt->base, SIGTERM, signal_cb, rt);
	rt->sigint = evsignal_new(rt->base, SIGINT, signal_cb, rt);
	if (rt->sighup == NULL || rt->sigterm == NULL || rt->sigint == NULL ||
	    evsignal_add(rt->sighup, NULL) != 0 || evsignal_add(rt->sigterm, NULL) != 0 ||
	    evsignal_add(rt->sigint, NULL) != 0) {
		snprintf(why, whylen, "cannot install signal handlers");
		goto fail;
	}
	return rt;
fail:
	gw_runtime_free(rt);
	return NULL;
}

int gw_runtime_drop_privileges(struct gw_runtime *rt, char *why, size_t whylen)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if (rt->cfg->user == NULL) {
		gw_runtime_logf(rt, "event=warning msg=\"running as root: set user: to drop "
			"privileges after binding\"");
		return 0;
	}
	if ((pw = getpwnam(rt->cfg->user)) == NULL) {
		snprintf(why, whylen, "user '%s' does not exist", rt->cfg->user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0 || setuid(0) == 0) {
		snprintf(why, whylen, "cannot drop privileges to '%s': %s", rt->cfg->user,
			strerror(errno));
		return -1;
	}
	gw_runtime_logf(rt, "event=privileges_dropped user=%s uid=%u", pw->pw_name,
		(unsigned)pw->pw_uid);
	return 0;
}

int gw_runtime_run(struct gw_runtime *rt)
{
	char listen[1024] = "";
	size_t n = 0;

	for (struct gw_listener *gl = rt->listeners; gl != NULL; gl = gl->next)
		n += (size_t)snprintf(listen + n, n < sizeof(listen) ? sizeof(listen) - n : 0, "%s%s",
			n ? "," : "", gl->addr);
	gw_runtime_logf(rt, "event=start version=%llu routes=%zu listen=%s admin=%s sha256=%s",
		(unsigned long long)rt->version, rt->cfg->n_routes, listen,
		rt->cfg->has_admin ? rt->cfg->admin.text : "-", rt->cfg->sha256);
	event_base_dispatch(rt->base);
	gw_runtime_logf(rt, "event=stop active=%llu", (unsigned long long)rt->active);
	return 0;
}

void gw_runtime_free(struct gw_runtime *rt)
{
	if (rt == NULL)
		return;
	gw_conn_cut_all(rt);
	unbind_stale(rt, NULL);
	if (rt->admin != NULL)
		evhttp_free(rt->admin);
	if (rt->sighup)
		event_free(rt->sighup);
	if (rt->sigterm)
		event_free(rt->sigterm);
	if (rt->sigint)
		event_free(rt->sigint);
	if (rt->drain_timer)
		event_free(rt->drain_timer);
	gw_metrics_free(rt->metrics);
	gw_config_free(rt->cfg);
	if (rt->base != NULL)
		event_base_free(rt->base);
	free(rt);
}
