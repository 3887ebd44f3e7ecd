/* The running eku serve: a libevent loop that answers HTTP, takes back
 * what threads post (rounds, reloads, probes: schedule.c, probe_http.c),
 * reloads, and stops on a signal; everything that reads files, resolves
 * names or writes the store runs on a thread (sv.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sv_rt.h"

void sv_logf(struct sv_runtime *rt, const char *fmt, ...)
{
	char line[2048], ts[24];
	va_list ap;
	int n = snprintf(line, sizeof(line), "ts=%s ", eku_time_iso((int64_t)time(NULL), ts, sizeof(ts)));

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* Values come from file names and peers: one event, one line. */
	for (char *p = line; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	rt->log(rt->log_arg, line);
}

/* ---- posting back to the loop ------------------------------------------------ */

int sv_post(struct sv_runtime *rt, sv_post_fn fn, void *arg)
{
	struct sv_post *p = calloc(1, sizeof(*p)), **tail;
	char b = 1;

	if (p == NULL)
		return -1;
	p->fn = fn;
	p->arg = arg;
	pthread_mutex_lock(&rt->post_lock);
	for (tail = &rt->posts; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = p;
	pthread_mutex_unlock(&rt->post_lock);
	/* A full pipe already holds a wake-up. */
	while (write(rt->notify[1], &b, 1) < 0 && errno == EINTR)
		;
	return 0;
}

static void notify_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sv_runtime *rt = arg;
	struct sv_post *list, *next;
	char buf[256];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&rt->post_lock);
	list = rt->posts;
	rt->posts = NULL;
	pthread_mutex_unlock(&rt->post_lock);
	for (; list != NULL; list = next) {
		next = list->next;
		list->fn(rt, list->arg);
		free(list);
	}
}

struct trampoline {
	struct sv_runtime *rt;
	void *(*fn)(void *);
	void *arg;
};

/* Counts the thread, so the runtime is not freed under it. */
static void *trampoline_main(void *arg)
{
	struct trampoline t = *(struct trampoline *)arg;

	free(arg);
	t.fn(t.arg);
	atomic_fetch_sub(&t.rt->threads, 1);
	return NULL;
}

int sv_thread_start(struct sv_runtime *rt, void *(*fn)(void *), void *arg)
{
	struct trampoline *tr = malloc(sizeof(*tr));
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;
	int rc;

	if (tr == NULL)
		return -1;
	*tr = (struct trampoline){ rt, fn, arg };
	if (pthread_attr_init(&attr) != 0) {
		free(tr);
		return -1;
	}
	atomic_fetch_add(&rt->threads, 1);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, &attr, trampoline_main, tr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		atomic_fetch_sub(&rt->threads, 1);
		free(tr);
	}
	return rc == 0 ? 0 : -1;
}

/* ---- reload --------------------------------------------------------------------- */

struct reload_job {
	struct sv_runtime *rt;
	char *path;
	struct sv_config *fresh;
	struct sv_snap **initial;
	eku_diaglist diags;
};

static void reload_done(struct sv_runtime *rt, void *arg)
{
	struct reload_job *j = arg;

	rt->reloading = false;
	if (j->fresh == NULL) {
		const struct eku_diag *d = j->diags.n > 0 ? &j->diags.v[0] : NULL;
		rt->reload_failures++;
		snprintf(rt->last_reload_error, sizeof(rt->last_reload_error), "%s:%d:%d: %s",
			d ? d->source : j->path, d ? d->line : 0, d ? d->column : 0, d ? d->message : "failed");
		sv_logf(rt, "event=reload result=failed errors=%zu kept_version=%llu reason=\"%s\"",
			eku_diaglist_errors(&j->diags), (unsigned long long)rt->version, rt->last_reload_error);
	} else if (sv_states_apply(rt, j->fresh, j->initial) != 0) {
		sv_logf(rt, "event=reload result=failed reason=\"out of memory\"");
		sv_config_free(j->fresh);
	} else {
		sv_config_free(rt->cfg);
		rt->cfg = j->fresh;
		rt->version++;
		rt->reloads++;
		rt->last_reload_error[0] = '\0';
		sv_logf(rt, "event=reload result=ok version=%llu sources=%zu", (unsigned long long)rt->version,
			rt->cfg->n_sources);
	}
	for (size_t i = 0; j->initial != NULL && j->fresh != NULL && i < j->fresh->n_sources; i++)
		sv_snap_free(j->initial[i]);
	free(j->initial);
	eku_diaglist_clear(&j->diags);
	free(j->path);
	free(j);
}

static void *reload_main(void *arg)
{
	struct reload_job *j = arg;

	j->fresh = sv_config_load(j->path, true, &j->diags);
	if (j->fresh != NULL)
		j->initial = sv_load_initial(j->rt, j->fresh);
	if (sv_post(j->rt, reload_done, j) != 0)
		abort();
	return NULL;
}

void sv_runtime_reload(struct sv_runtime *rt)
{
	struct reload_job *j = calloc(1, sizeof(*j));

	if (rt->reloading) {
		free(j);
		return;
	}
	if (j == NULL || (j->path = strdup(rt->cfg->path)) == NULL) {
		free(j);
		return;
	}
	j->rt = rt;
	rt->reloading = true;
	if (sv_thread_start(rt, reload_main, j) != 0) {
		rt->reloading = false;
		free(j->path);
		free(j);
	}
}

/* ---- signals, life cycle ---------------------------------------------------------- */

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct sv_runtime *rt = arg;

	(void)what;
	if (sig == SIGHUP) {
		sv_logf(rt, "event=reload signal=SIGHUP");
		sv_runtime_reload(rt);
		return;
	}
	/* The current write finishes (a round is one transaction) and no other
	 * starts: writers check stopping under the lock. */
	atomic_store(&rt->stopping, true);
	pthread_mutex_lock(&rt->store_lock);
	sv_store_close(rt->store);
	rt->store = NULL;
	pthread_mutex_unlock(&rt->store_lock);
	sv_logf(rt, "event=stop signal=%s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	event_base_loopbreak(rt->base);
}

static int pipe_nonblocking(int p[2])
{
	if (pipe(p) != 0)
		return -1;
	for (int i = 0; i < 2; i++)
		if (fcntl(p[i], F_SETFL, O_NONBLOCK) != 0 || fcntl(p[i], F_SETFD, FD_CLOEXEC) != 0)
			return -1;
	return 0;
}

struct sv_runtime *sv_runtime_new(struct sv_config *cfg, sv_log_fn log, void *log_arg, char *why,
	size_t whylen)
{
	struct sv_runtime *rt = calloc(1, sizeof(*rt));
	struct sv_snap **initial = NULL;

	if (rt == NULL) {
		sv_config_free(cfg);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	rt->cfg = cfg;
	rt->version = 1;
	rt->log = log;
	rt->log_arg = log_arg;
	rt->started = (int64_t)time(NULL);
	rt->notify[0] = rt->notify[1] = -1;
	pthread_mutex_init(&rt->post_lock, NULL);
	pthread_mutex_init(&rt->store_lock, NULL);
	pthread_mutex_init(&rt->status_lock, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((rt->base = event_base_new()) == NULL || pipe_nonblocking(rt->notify) != 0 ||
	    (rt->notify_ev = event_new(rt->base, rt->notify[0], EV_READ | EV_PERSIST, notify_cb, rt)) == NULL ||
	    event_add(rt->notify_ev, NULL) != 0 ||
	    (rt->sighup = evsignal_new(rt->base, SIGHUP, signal_cb, rt)) == NULL ||
	    (rt->sigterm = evsignal_new(rt->base, SIGTERM, signal_cb, rt)) == NULL ||
	    (rt->sigint = evsignal_new(rt->base, SIGINT, signal_cb, rt)) == NULL ||
	    evsignal_add(rt->sighup, NULL) != 0 || evsignal_add(rt->sigterm, NULL) != 0 ||
	    evsignal_add(rt->sigint, NULL) != 0) {
		snprintf(why, whylen, "cannot set up the event loop");
		goto fail;
	}
	if (sv_http_start(rt, why, whylen) != 0)
		goto fail;
	/* Before the loop runs: nothing to block yet. */
	if ((initial = sv_load_initial(rt, cfg)) == NULL || sv_states_apply(rt, cfg, initial) != 0) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	if (rt->store_error[0] != '\0')
		sv_logf(rt, "event=store result=failed reason=\"%s\"", rt->store_error);
	free(initial);
	return rt;
fail:
	free(initial);
	sv_runtime_free(rt);
	return NULL;
}

int sv_runtime_run(struct sv_runtime *rt)
{
	sv_logf(rt, "event=start listen=%s sources=%zu store=\"%s\"", rt->cfg->listen, rt->cfg->n_sources,
		rt->cfg->database != NULL ? "postgresql" : rt->cfg->data_dir);
	int rc = event_base_dispatch(rt->base) < 0 ? 3 : 0;

	/* Rounds in flight finish without writing; a probe may wait for its
	 * timeout, which the exit does not (sv_runtime_free). */
	for (int i = 0; i < 150 && atomic_load(&rt->threads) > 0; i++)
		usleep(20000);
	return rc;
}

/* Threads still running (a probe waiting on its timeout) keep using rt:
 * it is then left to the process exit, which the caller makes immediate
 * (library clean-up at exit would pull OpenSSL from under them). They
 * cannot write: the store is closed and stopping set. */
static struct sv_runtime *left_to_exit;

bool sv_runtime_free(struct sv_runtime *rt)
{
	if (rt == NULL)
		return true;
	if (atomic_load(&rt->threads) > 0) {
		left_to_exit = rt;
		return false;
	}
	/* Results posted after the loop stopped: each post owns its job. */
	if (rt->notify[0] >= 0)
		notify_cb(rt->notify[0], EV_READ, rt);
	for (size_t i = 0; i < rt->n_states; i++)
		sv_state_clear(&rt->states[i]);
	free(rt->states);
	free(rt->by_name);
	for (size_t i = 0; i < rt->n_waiting; i++)
		free(rt->waiting[i]);
	free(rt->waiting);
	if (rt->http != NULL)
		evhttp_free(rt->http);
	if (rt->notify_ev != NULL)
		event_free(rt->notify_ev);
	if (rt->sighup != NULL)
		event_free(rt->sighup);
	if (rt->sigterm != NULL)
		event_free(rt->sigterm);
	if (rt->sigint != NULL)
		event_free(rt->sigint);
	if (rt->base != NULL)
		event_base_free(rt->base);
	for (int i = 0; i < 2; i++)
		if (rt->notify[i] >= 0)
			close(rt->notify[i]);
	for (size_t i = 0; i < rt->n_pending; i++)
		sv_snap_free(rt->pending[i]);
	sv_config_free(rt->cfg);
	free(rt);
	return true;
}
