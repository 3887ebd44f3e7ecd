/* The gateway's event loops: listeners, reload (parse fresh, validate, bind
 * new addresses, swap), graceful drain, privilege drop, and the worker
 * threads connections run on (gw_runtime.h says who owns what). */
#include <errno.h>
#include <fcntl.h>
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

/* ---- reload ---------------------------------------------------------------- */

/* A caller waiting for a reload (POST /reload). */
struct gw_reload_waiter {
	struct gw_reload_waiter *next;
	gw_reload_done_fn done;
	void *arg;
};

/* One reload: the loader thread fills fresh and diags, then wakes the main
 * loop through the pipe; only the main loop touches the rest. */
struct gw_reload {
	pthread_t thread;
	bool running;
	char *path;
	struct gw_config *fresh;
	eku_diaglist diags;
	int pipe[2];
	struct event *ev;
	struct gw_reload_waiter *waiting;   /* covered by the running load */
	struct gw_reload_waiter *next;      /* arrived while it ran: the next load */
	bool again;
};

static void *reload_main(void *arg)
{
	struct gw_reload *job = arg;
	char b = 1;

	job->fresh = gw_config_load(job->path, true, &job->diags);
	while (write(job->pipe[1], &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* Binds the new addresses and swaps the config in (main loop). */
static int reload_apply(struct gw_runtime *rt, struct gw_reload *job, char *why, size_t whylen)
{
	eku_diaglist *d = &job->diags;
	struct gw_config *old;

	for (size_t i = 0; i < d->n; i++)
		gw_runtime_logf(rt, "event=reload_diag severity=%s file=%s line=%d column=%d "
			"msg=\"%s\"", d->v[i].severity == EKU_DIAG_ERROR ? "error" : "warning",
			d->v[i].source, d->v[i].line, d->v[i].column, d->v[i].message);
	if (job->fresh == NULL) {
		for (size_t i = 0; i < d->n && why[0] == '\0'; i++)
			if (d->v[i].severity == EKU_DIAG_ERROR)
				snprintf(why, whylen, "%s:%d:%d: %s (%zu error(s))", d->v[i].source,
					d->v[i].line, d->v[i].column, d->v[i].message,
					eku_diaglist_errors(d));
		if (why[0] == '\0')
			snprintf(why, whylen, "the configuration could not be loaded");
		return -1;
	}
	if (atomic_load(&rt->draining)) {
		snprintf(why, whylen, "draining: the new configuration is not used");
		return -1;
	}
	if (bind_new(rt, job->fresh, why, whylen) != 0)
		return -1;
	job->fresh->version = ++rt->version;
	old = rt->cfg;
	rt->cfg = job->fresh;
	job->fresh = NULL;
	unbind_stale(rt, rt->cfg);
	gw_config_free(old);  /* live connections keep their own references */
	return 0;
}

static void reload_finish(struct gw_runtime *rt, struct gw_reload *job)
{
	char why[512] = "";
	int rc = reload_apply(rt, job, why, sizeof(why));
	struct gw_reload_waiter *w = job->waiting, *next;

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
	gw_config_free(job->fresh);
	job->fresh = NULL;
	eku_diaglist_clear(&job->diags);
	job->waiting = NULL;
	for (; w != NULL; w = next) {
		next = w->next;
		w->done(rt, rc, w->arg);
		free(w);
	}
}

static int reload_start(struct gw_runtime *rt, struct gw_reload *job);

static void reload_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct gw_runtime *rt = arg;
	struct gw_reload *job = rt->reload;
	char buf[16];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (!job->running)
		return;
	pthread_join(job->thread, NULL);
	job->running = false;
	reload_finish(rt, job);
	if (job->again) {
		job->again = false;
		job->waiting = job->next;
		job->next = NULL;
		if (reload_start(rt, job) != 0)
			reload_finish(rt, job);  /* fresh NULL: fails, tells the waiters */
	}
}

/* The thread blocks every signal: the main loop handles them. */
static int reload_start(struct gw_runtime *rt, struct gw_reload *job)
{
	sigset_t all, old;
	int rc;

	free(job->path);
	if ((job->path = strdup(rt->cfg->path)) == NULL)
		return -1;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&job->thread, NULL, reload_main, job);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	job->running = true;
	return 0;
}

static int nonblocking_pipe(int p[2]);

static struct gw_reload *reload_new(struct gw_runtime *rt)
{
	struct gw_reload *job = calloc(1, sizeof(*job));

	if (job == NULL)
		return NULL;
	job->pipe[0] = job->pipe[1] = -1;
	if (nonblocking_pipe(job->pipe) != 0 || (job->ev = event_new(rt->base, job->pipe[0],
	    EV_READ | EV_PERSIST, reload_done_cb, rt)) == NULL || event_add(job->ev, NULL) != 0) {
		if (job->ev != NULL)
			event_free(job->ev);
		if (job->pipe[0] >= 0)
			close(job->pipe[0]), close(job->pipe[1]);
		free(job);
		return NULL;
	}
	return job;
}

static void reload_free(struct gw_runtime *rt)
{
	struct gw_reload *job = rt->reload;
	struct gw_reload_waiter *lists[2], *next;

	if (job == NULL)
		return;
	if (job->running)
		pthread_join(job->thread, NULL);
	lists[0] = job->waiting;
	lists[1] = job->next;
	for (int i = 0; i < 2; i++)
		for (struct gw_reload_waiter *w = lists[i]; w != NULL; w = next) {
			next = w->next;
			free(w);
		}
	gw_config_free(job->fresh);
	eku_diaglist_clear(&job->diags);
	event_free(job->ev);
	close(job->pipe[0]);
	close(job->pipe[1]);
	free(job->path);
	free(job);
	rt->reload = NULL;
}

int gw_runtime_reload_async(struct gw_runtime *rt, gw_reload_done_fn done, void *arg)
{
	struct gw_reload_waiter *w = NULL;

	if (rt->reload == NULL && (rt->reload = reload_new(rt)) == NULL)
		return -1;
	if (done != NULL) {
		if ((w = calloc(1, sizeof(*w))) == NULL)
			return -1;
		w->done = done;
		w->arg = arg;
	}
	if (rt->reload->running) {
		rt->reload->again = true;
		if (w != NULL) {
			w->next = rt->reload->next;
			rt->reload->next = w;
		}
		return 0;
	}
	if (reload_start(rt, rt->reload) != 0) {
		free(w);
		return -1;
	}
	if (w != NULL) {
		w->next = rt->reload->waiting;
		rt->reload->waiting = w;
	}
	return 0;
}

/* ---- workers ------------------------------------------------------------- */

static void wake(int fd)
{
	char b = 1;

	/* A full pipe already holds a pending wake-up. */
	while (write(fd, &b, 1) < 0 && errno == EINTR)
		;
}

static void worker_cmd(struct gw_worker *w, enum gw_worker_cmd cmd)
{
	pthread_mutex_lock(&w->lock);
	if (cmd > w->cmd)
		w->cmd = cmd;
	pthread_mutex_unlock(&w->lock);
	wake(w->wake[1]);
}

void gw_worker_hand(struct gw_worker *w, struct gw_handoff *h)
{
	pthread_mutex_lock(&w->lock);
	*w->queue_tail = h;
	w->queue_tail = &h->next;
	pthread_mutex_unlock(&w->lock);
	wake(w->wake[1]);
}

/* Worker thread: start queued connections, then obey the main loop. */
static void worker_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct gw_worker *w = arg;
	struct gw_handoff *q, *next;
	enum gw_worker_cmd cmd;
	char buf[256];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&w->lock);
	q = w->queue;
	w->queue = NULL;
	w->queue_tail = &w->queue;
	cmd = w->cmd;
	pthread_mutex_unlock(&w->lock);
	for (; q != NULL; q = next) {
		next = q->next;
		if (cmd == GW_WORKER_RUN)
			gw_conn_start(w, q);
		else
			gw_handoff_drop(w->rt, q);
	}
	if (cmd == GW_WORKER_CUT)
		gw_conn_cut_all(w);
	if (cmd != GW_WORKER_RUN)
		event_base_loopexit(w->base, NULL);
}

static void *worker_main(void *arg)
{
	struct gw_worker *w = arg;

	event_base_loop(w->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

void gw_runtime_drained(struct gw_worker *w)
{
	if (w->started)
		wake(w->rt->notify[1]);
	else
		event_base_loopexit(w->rt->base, NULL);
}

/* Main loop: a worker saw the last connection close while draining. */
static void notify_cb(evutil_socket_t fd, short what, void *arg)
{
	struct gw_runtime *rt = arg;
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (atomic_load(&rt->draining) && atomic_load(&rt->active) == 0)
		event_base_loopexit(rt->base, NULL);
}

static int nonblocking_pipe(int p[2])
{
	return pipe2(p, O_NONBLOCK | O_CLOEXEC);
}

static struct event_base *base_new(void);

static int worker_init(struct gw_runtime *rt, struct gw_worker *w, unsigned idx)
{
	w->rt = rt;
	w->idx = idx;
	w->wake[0] = w->wake[1] = -1;
	w->queue_tail = &w->queue;
	pthread_mutex_init(&w->lock, NULL);
	if (rt->n_workers == 1) {
		w->base = rt->base;
		return 0;
	}
	if ((w->base = base_new()) == NULL || nonblocking_pipe(w->wake) != 0)
		return -1;
	w->wake_ev = event_new(w->base, w->wake[0], EV_READ | EV_PERSIST, worker_wake_cb, w);
	return w->wake_ev != NULL && event_add(w->wake_ev, NULL) == 0 ? 0 : -1;
}

static int workers_new(struct gw_runtime *rt, char *why, size_t whylen)
{
	rt->n_workers = rt->cfg->workers > 0 ? rt->cfg->workers : 1;
	if ((rt->workers = calloc(rt->n_workers, sizeof(*rt->workers))) == NULL)
		goto fail;
	for (unsigned i = 0; i < rt->n_workers; i++)
		if (worker_init(rt, &rt->workers[i], i) != 0)
			goto fail;
	if (rt->n_workers == 1)
		return 0;
	if (nonblocking_pipe(rt->notify) != 0 || (rt->notify_ev = event_new(rt->base,
	    rt->notify[0], EV_READ | EV_PERSIST, notify_cb, rt)) == NULL ||
	    event_add(rt->notify_ev, NULL) != 0)
		goto fail;
	return 0;
fail:
	snprintf(why, whylen, "cannot set up %u workers: %s", rt->cfg->workers, strerror(errno));
	return -1;
}

/* Threads block every signal: the main loop handles them. */
static int workers_start(struct gw_runtime *rt)
{
	sigset_t all, old;
	int rc = 0;

	if (rt->n_workers == 1)
		return 0;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < rt->n_workers && rc == 0; i++) {
		struct gw_worker *w = &rt->workers[i];
		if ((rc = pthread_create(&w->thread, NULL, worker_main, w)) == 0)
			w->started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0 ? 0 : -1;
}

/* Stops every worker thread (cut: closing its connections first). */
static void workers_stop(struct gw_runtime *rt, enum gw_worker_cmd cmd)
{
	if (rt->workers == NULL)
		return;
	for (unsigned i = 0; i < rt->n_workers; i++)
		if (rt->workers[i].started)
			worker_cmd(&rt->workers[i], cmd);
	for (unsigned i = 0; i < rt->n_workers; i++)
		if (rt->workers[i].started) {
			pthread_join(rt->workers[i].thread, NULL);
			rt->workers[i].started = false;
		}
}

static void workers_free(struct gw_runtime *rt)
{
	workers_stop(rt, GW_WORKER_CUT);
	for (unsigned i = 0; rt->workers != NULL && i < rt->n_workers; i++) {
		struct gw_worker *w = &rt->workers[i];
		if (w->rt == NULL)
			continue;   /* never initialised (setup failed earlier) */
		for (struct gw_handoff *q = w->queue, *next; q != NULL; q = next) {
			next = q->next;
			gw_handoff_drop(rt, q);
		}
		gw_conn_cut_all(w);
		if (w->wake_ev != NULL)
			event_free(w->wake_ev);
		if (w->base != NULL && w->base != rt->base)
			event_base_free(w->base);
		if (w->wake[0] >= 0)
			close(w->wake[0]), close(w->wake[1]);
		pthread_mutex_destroy(&w->lock);
	}
	free(rt->workers);
	rt->workers = NULL;
	if (rt->notify_ev != NULL)
		event_free(rt->notify_ev);
	if (rt->notify[0] >= 0)
		close(rt->notify[0]), close(rt->notify[1]);
}

/* ---- drain ----------------------------------------------------------------- */

static void drain_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct gw_runtime *rt = arg;

	(void)fd; (void)what;
	gw_runtime_logf(rt, "event=drain_deadline cut=%llu",
		(unsigned long long)atomic_load(&rt->active));
	if (rt->n_workers == 1)
		gw_conn_cut_all(&rt->workers[0]);
	else
		workers_stop(rt, GW_WORKER_CUT);
	event_base_loopexit(rt->base, NULL);
}

static void start_drain(struct gw_runtime *rt)
{
	struct timeval tv;

	if (atomic_load(&rt->draining))
		return;
	atomic_store(&rt->draining, true);
	unbind_stale(rt, NULL);
	gw_runtime_logf(rt, "event=drain active=%llu deadline_ms=%u",
		(unsigned long long)atomic_load(&rt->active), rt->cfg->limits.drain_timeout_ms);
	if (atomic_load(&rt->active) == 0) {
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
	if (sig == SIGHUP) {
		if (gw_runtime_reload_async(rt, NULL, NULL) != 0)
			gw_runtime_logf(rt, "event=reload result=failed kept_version=%llu "
				"reason=\"cannot start the loader thread\"",
				(unsigned long long)rt->cfg->version);
	} else
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
	rt->notify[0] = rt->notify[1] = -1;
	pthread_mutex_init(&rt->lock, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((rt->base = base_new()) == NULL || (rt->metrics = gw_metrics_new()) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	if (workers_new(rt, why, whylen) != 0)
		goto fail;
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
		gw_runtime_logf(rt, "event=warning msg=\"running as root: set user: (or --user) to drop "
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
	if (workers_start(rt) != 0) {
		gw_runtime_logf(rt, "event=error msg=\"cannot start worker threads\"");
		workers_stop(rt, GW_WORKER_EXIT);
		return -1;
	}
	gw_runtime_logf(rt, "event=start version=%llu routes=%zu listen=%s admin=%s workers=%u "
		"sha256=%s", (unsigned long long)rt->version, rt->cfg->n_routes, listen,
		rt->cfg->has_admin ? rt->cfg->admin.text : "-", rt->n_workers, rt->cfg->sha256);
	event_base_dispatch(rt->base);
	workers_stop(rt, GW_WORKER_EXIT);
	gw_runtime_logf(rt, "event=stop active=%llu", (unsigned long long)atomic_load(&rt->active));
	return 0;
}

void gw_runtime_free(struct gw_runtime *rt)
{
	if (rt == NULL)
		return;
	workers_free(rt);
	reload_free(rt);
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
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}
