/* The ordered worker pool (eku/pool.h).
 *
 * A ring of `window` slots under one mutex: the submitter appends at tail,
 * workers take the oldest slot nobody runs yet (take), and the submitter
 * finishes slots from head once they are done. Tasks are coarse (a file, a
 * slice of thousands of certificates), so one lock is not the bottleneck.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include <eku/pool.h>

struct slot {
	void *arg;
	size_t size;
	bool done;
};

struct eku_pool {
	eku_pool_work_fn work;
	eku_pool_done_fn done;
	void *ctx;
	unsigned jobs;
	pthread_t *threads;
	unsigned started;
	pthread_mutex_t lock;
	pthread_cond_t work_ready; /* a slot to take, or stopping */
	pthread_cond_t slot_done;  /* some slot finished */
	struct slot *ring;
	size_t window;
	size_t head, take, tail;   /* monotonic counters, slot = counter % window */
	size_t budget, in_flight;  /* eku_pool_set_budget; sizes of the slots head..tail */
	bool stopping;
};

struct worker_start {
	eku_pool *p;
	unsigned id;
};

static void *worker_main(void *v)
{
	struct worker_start *ws = v;
	eku_pool *p = ws->p;
	unsigned id = ws->id;

	free(ws);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct slot *s;
		while (p->take == p->tail && !p->stopping)
			pthread_cond_wait(&p->work_ready, &p->lock);
		if (p->take == p->tail)
			break; /* stopping and nothing left */
		s = &p->ring[p->take++ % p->window];
		pthread_mutex_unlock(&p->lock);
		p->work(s->arg, id);
		pthread_mutex_lock(&p->lock);
		s->done = true;
		pthread_cond_broadcast(&p->slot_done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

unsigned eku_pool_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

eku_pool *eku_pool_new(unsigned jobs, size_t window, eku_pool_work_fn work, eku_pool_done_fn done,
	void *ctx)
{
	eku_pool *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->work = work;
	p->done = done;
	p->ctx = ctx;
	p->jobs = jobs == 0 ? 1 : jobs;
	p->window = window != 0 ? window : 4 * (size_t)p->jobs;
	if (p->jobs == 1)
		return p;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work_ready, NULL);
	pthread_cond_init(&p->slot_done, NULL);
	p->ring = calloc(p->window, sizeof(*p->ring));
	p->threads = calloc(p->jobs, sizeof(*p->threads));
	if (p->ring == NULL || p->threads == NULL)
		goto fail;
	for (; p->started < p->jobs; p->started++) {
		struct worker_start *ws = malloc(sizeof(*ws));
		if (ws == NULL)
			goto fail;
		ws->p = p;
		ws->id = p->started;
		if (pthread_create(&p->threads[p->started], NULL, worker_main, ws) != 0) {
			free(ws);
			goto fail;
		}
	}
	return p;
fail:
	eku_pool_free(p);
	return NULL;
}

/* Finishes the oldest slot once it is done (lock held on entry and exit). */
static void finish_oldest(eku_pool *p)
{
	struct slot *s = &p->ring[p->head % p->window];
	void *arg;

	while (!s->done)
		pthread_cond_wait(&p->slot_done, &p->lock);
	arg = s->arg;
	p->in_flight -= s->size;
	s->done = false;
	s->arg = NULL;
	s->size = 0;
	p->head++;
	/* done() may take long (writing output): the workers keep going. */
	pthread_mutex_unlock(&p->lock);
	p->done(arg, p->ctx);
	pthread_mutex_lock(&p->lock);
}

void eku_pool_set_budget(eku_pool *p, size_t budget)
{
	p->budget = budget;
}

void eku_pool_submit(eku_pool *p, void *arg)
{
	eku_pool_submit_sized(p, arg, 0);
}

void eku_pool_submit_sized(eku_pool *p, void *arg, size_t size)
{
	if (p->jobs == 1) {
		p->work(arg, 0);
		p->done(arg, p->ctx);
		return;
	}
	pthread_mutex_lock(&p->lock);
	while (p->tail - p->head == p->window ||
	       (p->budget != 0 && p->head != p->tail && p->in_flight + size > p->budget))
		finish_oldest(p);
	p->ring[p->tail % p->window].arg = arg;
	p->ring[p->tail % p->window].size = size;
	p->ring[p->tail % p->window].done = false;
	p->in_flight += size;
	p->tail++;
	pthread_cond_signal(&p->work_ready);
	pthread_mutex_unlock(&p->lock);
}

void eku_pool_free(eku_pool *p)
{
	if (p == NULL)
		return;
	if (p->jobs > 1) {
		pthread_mutex_lock(&p->lock);
		if (p->started == p->jobs)
			while (p->head != p->tail)
				finish_oldest(p);
		p->stopping = true;
		pthread_cond_broadcast(&p->work_ready);
		pthread_mutex_unlock(&p->lock);
		for (unsigned i = 0; i < p->started; i++)
			pthread_join(p->threads[i], NULL);
		pthread_cond_destroy(&p->work_ready);
		pthread_cond_destroy(&p->slot_done);
		pthread_mutex_destroy(&p->lock);
	}
	free(p->ring);
	free(p->threads);
	free(p);
}
