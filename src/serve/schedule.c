/* Scheduling rounds (one thread each, at most SV_MAX_ROUNDS at once, a
 * slow source skipping ticks rather than stacking rounds), finishing them
 * on the loop (events, logs, state), the per-source state across reloads,
 * and the history writes from round threads (sv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sv_rt.h"

/* ---- the store, from round threads -------------------------------------------- */

/* Rounds whose write failed, for their events (store_lock held). Bounded:
 * past SV_PENDING_MAX the oldest are dropped, and the log says so. */
static void keep_pending(struct sv_runtime *rt, struct sv_snap *s)
{
	if (rt->n_pending == SV_PENDING_MAX) {
		sv_snap_free(rt->pending[0]);
		memmove(rt->pending, rt->pending + 1, (SV_PENDING_MAX - 1) * sizeof(rt->pending[0]));
		rt->n_pending--;
		rt->pending_dropped++;
	}
	rt->pending[rt->n_pending++] = sv_snap_up_ref(s);
}

static int flush_pending(struct sv_runtime *rt, char *why, size_t whylen)
{
	size_t done = 0;
	int rc = 0;

	for (; done < rt->n_pending && rc == 0; done++)
		rc = sv_store_write(rt->store, rt->pending[done], true, why, whylen);
	if (rc != 0)
		done--;  /* the failed one stays */
	for (size_t i = 0; i < done; i++)
		sv_snap_free(rt->pending[i]);
	memmove(rt->pending, rt->pending + done, (rt->n_pending - done) * sizeof(rt->pending[0]));
	rt->n_pending -= done;
	return rc;
}

/* What /healthz and /metrics show, under its own lock: the store lock is
 * held for whole writes, which the loop must never wait for. */
static void set_status(struct sv_runtime *rt, const char *error, int64_t at)
{
	pthread_mutex_lock(&rt->status_lock);
	snprintf(rt->store_error, sizeof(rt->store_error), "%s", error);
	if (error[0] != '\0')
		rt->store_error_at = at;
	rt->status_pending = rt->n_pending;
	rt->status_dropped = rt->pending_dropped;
	pthread_mutex_unlock(&rt->status_lock);
}

int sv_rt_store_write(struct sv_runtime *rt, const struct sv_config *cfg, struct sv_snap *s)
{
	char why[512] = "";
	int rc = -1;

	pthread_mutex_lock(&rt->store_lock);
	if (atomic_load(&rt->stopping)) {
		pthread_mutex_unlock(&rt->store_lock);
		s->store_error = strdup("stopping: not written");
		return -1;
	}
	/* A store that failed is reopened by the next round, so writing resumes
	 * when the disk or database comes back. */
	if (rt->store == NULL)
		rt->store = sv_store_open(cfg->data_dir, cfg->database, false, why, sizeof(why));
	if (rt->store != NULL && flush_pending(rt, why, sizeof(why)) == 0 &&
	    sv_store_write(rt->store, s, false, why, sizeof(why)) == 0)
		rc = 0;
	else if (rt->store != NULL) {
		sv_store_close(rt->store);
		rt->store = NULL;
	}
	if (rc != 0 && s->n_events > 0)
		keep_pending(rt, s);
	set_status(rt, rc == 0 ? "" : why, s->finished);
	pthread_mutex_unlock(&rt->store_lock);
	if (rc != 0)
		s->store_error = strdup(why);
	return rc;
}

/* ---- rounds ------------------------------------------------------------------- */

struct round_job {
	struct sv_runtime *rt;
	struct sv_config *cfg;       /* a reference */
	const struct sv_source *src; /* in cfg */
	struct sv_snap *prev;        /* a reference, or NULL */
	struct sv_snap *result;
};

static int by_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sv_by_name *)a)->name, ((const struct sv_by_name *)b)->name);
}

/* The state of a source, through the sorted index (reloads and round
 * completions stay n log n with thousands of sources). */
static struct sv_state *state_of(struct sv_runtime *rt, const char *name)
{
	struct sv_by_name key = { name, NULL }, *hit;

	if (rt->n_states == 0)
		return NULL;
	hit = bsearch(&key, rt->by_name, rt->n_states, sizeof(key), by_name_cmp);
	return hit != NULL ? hit->st : NULL;
}

static int index_states(struct sv_runtime *rt)
{
	struct sv_by_name *ix = malloc((rt->n_states ? rt->n_states : 1) * sizeof(*ix));

	if (ix == NULL)
		return -1;
	for (size_t i = 0; i < rt->n_states; i++)
		ix[i] = (struct sv_by_name){ rt->states[i].name, &rt->states[i] };
	qsort(ix, rt->n_states, sizeof(*ix), by_name_cmp);
	free(rt->by_name);
	rt->by_name = ix;
	return 0;
}

static void log_event(struct sv_runtime *rt, const struct sv_snap *s, const struct sv_event *e)
{
	sv_logf(rt, "event=%s source=\"%s\" key=\"%s\" old=\"%s\" new=\"%s\" detail=\"%s\"",
		sv_event_name(e->type), s->source, e->key ? e->key : "", e->old_value ? e->old_value : "",
		e->new_value ? e->new_value : "", e->detail ? e->detail : "");
}

/* Why inputs failed: new failures only (not those of the previous round),
 * a few per round, so neither a long outage nor a source of 10,000 dead
 * endpoints floods the log (the count is in the round line and the
 * metrics, every failure in /api/v1/latest). */
#define SV_LOG_FAILS 5
static void log_fails(struct sv_runtime *rt, const struct sv_snap *s, const struct sv_snap *prev)
{
	size_t idx[SV_LOG_FAILS + 1];
	size_t n = sv_snap_new_fails(s, prev, idx, SV_LOG_FAILS + 1);

	for (size_t k = 0; k < n && k < SV_LOG_FAILS; k++) {
		const struct sv_fail *f = &s->fails[idx[k]];
		sv_logf(rt, "input=failed source=\"%s\" target=\"%s\" failure=%s message=\"%s\"", s->source,
			f->key, f->failure, f->message ? f->message : "");
	}
	if (n > SV_LOG_FAILS)
		sv_logf(rt, "input=failed source=\"%s\" more_new_failures=yes failed=%zu", s->source, s->n_fails);
}

static void start_waiting(struct sv_runtime *rt);

static void round_done(struct sv_runtime *rt, void *arg)
{
	struct round_job *j = arg;
	struct sv_state *st = state_of(rt, j->src->name);
	struct sv_snap *s = j->result;

	if (st != NULL)
		st->running = false;
	rt->rounds_running--;
	if (s == NULL) {
		sv_logf(rt, "round=failed source=\"%s\" reason=\"out of memory\"", j->src->name);
	} else if (s->error != NULL) {
		sv_logf(rt, "round=failed source=\"%s\" reason=\"%s\"", s->source, s->error);
	} else {
		sv_logf(rt, "round=done source=\"%s\" certificates=%zu failed=%zu findings=%zu events=%zu "
			"duration=%.3f%s%s%s", s->source, s->n_obs, s->n_fails, s->n_findings, s->n_events,
			s->duration, s->store_error ? " store_error=\"" : "", s->store_error ? s->store_error : "",
			s->store_error ? "\"" : "");
		for (size_t i = 0; i < s->n_events; i++)
			log_event(rt, s, &s->events[i]);
		log_fails(rt, s, st != NULL ? st->snap : NULL);
	}
	if (st != NULL && s != NULL) {
		st->rounds++;
		for (size_t i = 0; s->error == NULL && i < s->n_events; i++)
			st->events[s->events[i].type]++;
		/* A failed round keeps the last good certificates and findings
		 * visible: its error shows in eku_source_success and /healthz. */
		if (s->error != NULL && st->snap != NULL) {
			free(st->last_error);
			st->last_error = strdup(s->error);
			st->last_error_at = s->finished;
		} else {
			sv_snap_free(st->snap);
			st->snap = sv_snap_up_ref(s);
			free(st->last_error);
			st->last_error = s->error != NULL ? strdup(s->error) : NULL;
		}
		st->last_round_at = s->finished;
		st->last_duration = s->duration;
	}
	sv_snap_free(s);
	sv_snap_free(j->prev);
	sv_config_free(j->cfg);
	free(j);
	start_waiting(rt);
}

static void *round_main(void *arg)
{
	struct round_job *j = arg;

	j->result = sv_round_run(j->cfg, j->src, j->prev);
	if (j->result != NULL && j->result->error == NULL)
		(void)sv_rt_store_write(j->rt, j->cfg, j->result);
	if (sv_post(j->rt, round_done, j) != 0)
		abort(); /* cannot tell the loop: better a restart than a silent stop */
	return NULL;
}

static void start_round(struct sv_runtime *rt, struct sv_state *st)
{
	struct round_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return;
	j->rt = rt;
	j->cfg = sv_config_up_ref(rt->cfg);
	j->src = st->src;
	j->prev = sv_snap_up_ref(st->snap);
	st->running = true;
	rt->rounds_running++;
	if (sv_thread_start(rt, round_main, j) != 0) {
		st->running = false;
		rt->rounds_running--;
		sv_logf(rt, "round=failed source=\"%s\" reason=\"cannot start a thread\"", st->name);
		sv_snap_free(j->prev);
		sv_config_free(j->cfg);
		free(j);
	}
}

/* At most SV_MAX_ROUNDS rounds run at once (threads, sockets, memory); a
 * source due meanwhile waits in line, once, and starts when one ends. */
static void enqueue(struct sv_runtime *rt, struct sv_state *st)
{
	char *name;

	if (st->queued)
		return;
	if (rt->n_waiting == rt->cap_waiting) {
		size_t cap = rt->cap_waiting ? rt->cap_waiting * 2 : 16;
		char **v = realloc(rt->waiting, cap * sizeof(*v));
		if (v == NULL)
			return;
		rt->waiting = v;
		rt->cap_waiting = cap;
	}
	if ((name = strdup(st->name)) == NULL)
		return;
	rt->waiting[rt->n_waiting++] = name;
	st->queued = true;
}

static void start_waiting(struct sv_runtime *rt)
{
	size_t used = 0;

	while (used < rt->n_waiting && rt->rounds_running < SV_MAX_ROUNDS) {
		struct sv_state *st = state_of(rt, rt->waiting[used]);
		free(rt->waiting[used++]);
		if (st == NULL || !st->queued)
			continue;  /* removed by a reload */
		st->queued = false;
		if (!st->running)
			start_round(rt, st);
	}
	if (used > 0)
		memmove(rt->waiting, rt->waiting + used, (rt->n_waiting - used) * sizeof(*rt->waiting));
	rt->n_waiting -= used;
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sv_state *st = arg;
	struct sv_runtime *rt = st->rt;

	(void)fd, (void)what;
	if (st->src == NULL)
		return;
	if (st->running) {
		st->skipped++;  /* the previous round still runs: a slow source skips, never stacks */
		return;
	}
	if (rt->rounds_running >= SV_MAX_ROUNDS)
		enqueue(rt, st);
	else
		start_round(rt, st);
}

/* ---- sources across reloads ------------------------------------------------------ */

void sv_state_clear(struct sv_state *st)
{
	if (st->timer != NULL)
		event_free(st->timer);
	sv_snap_free(st->snap);
	free(st->last_error);
	free(st->name);
}

/* New states for cfg's sources: a source kept by name keeps its snapshot,
 * counters and in-flight round; a new one starts from what the store had
 * (initial[i], may be NULL, taken). */
int sv_states_apply(struct sv_runtime *rt, struct sv_config *cfg, struct sv_snap **initial)
{
	struct sv_state *nv = calloc(cfg->n_sources ? cfg->n_sources : 1, sizeof(*nv));

	if (nv == NULL)
		return -1;
	/* Names move to the new states, so the old index's pointers stay valid
	 * strings while it is searched. */
	for (size_t i = 0; i < cfg->n_sources; i++) {
		struct sv_state *old = state_of(rt, cfg->sources[i].name);
		if (old != NULL) {
			nv[i] = *old;
			old->timer = NULL, old->snap = NULL, old->last_error = NULL, old->name = NULL;
			event_free(nv[i].timer);
		} else {
			nv[i].name = strdup(cfg->sources[i].name);
			nv[i].snap = initial != NULL ? initial[i] : NULL;
			if (initial != NULL)
				initial[i] = NULL;
		}
		nv[i].rt = rt;
		nv[i].src = &cfg->sources[i];
		nv[i].timer = event_new(rt->base, -1, EV_PERSIST, tick_cb, &nv[i]);
	}
	for (size_t i = 0; i < rt->n_states; i++)
		sv_state_clear(&rt->states[i]);
	free(rt->states);
	rt->states = nv;
	rt->n_states = cfg->n_sources;
	if (index_states(rt) != 0)
		return -1;
	for (size_t i = 0; i < cfg->n_sources; i++) {
		struct timeval tv = { cfg->sources[i].interval_ms / 1000,
			(cfg->sources[i].interval_ms % 1000) * 1000 };
		if (nv[i].timer == NULL || nv[i].name == NULL || evtimer_add(nv[i].timer, &tv) != 0)
			return -1;
		event_active(nv[i].timer, EV_TIMEOUT, 0); /* the first round now */
	}
	return 0;
}

/* The store's latest state of each source, so events after a restart
 * compare with what was seen before it. Runs off the loop. */
struct sv_snap **sv_load_initial(struct sv_runtime *rt, const struct sv_config *cfg)
{
	struct sv_snap **v = calloc(cfg->n_sources ? cfg->n_sources : 1, sizeof(*v));
	char why[512] = "";
	bool failed = false;

	if (v == NULL)
		return NULL;
	pthread_mutex_lock(&rt->store_lock);
	if (rt->store == NULL && !atomic_load(&rt->stopping))
		rt->store = sv_store_open(cfg->data_dir, cfg->database, false, why, sizeof(why));
	for (size_t i = 0; rt->store != NULL && i < cfg->n_sources && !failed; i++)
		v[i] = sv_store_latest(rt->store, cfg->sources[i].name, cfg->sources[i].kind, &failed);
	if (rt->store == NULL || failed)
		set_status(rt, why[0] ? why : "history store: cannot read the latest observations",
			(int64_t)time(NULL));
	pthread_mutex_unlock(&rt->store_lock);
	return v;
}
