/* eku/pool.h - an ordered worker pool: work runs on N threads, results are
 * handed back in submission order.
 *
 * Commands that read many certificates (inspect, census) split their input
 * into tasks (a file, a slice of a list), run each task on a worker thread
 * and write the results in input order, so `--jobs 4` prints exactly what
 * `--jobs 1` prints. At most `window` tasks are in flight: a submitter that
 * gets ahead waits for the oldest task and finishes it first, so memory is
 * bounded by the window, not by the input.
 *
 * Thread-safety: an eku_pool is driven by ONE thread (the submitter):
 * eku_pool_submit and eku_pool_finish run `done` on that thread, `work` runs
 * on a worker (or inline with jobs == 1). A task's argument belongs to the
 * worker while `work` runs and to the submitter from `done` on. Whatever
 * `work` reads besides its argument must be read-only or thread-safe
 * (eku_trust, eku_cert and a finished eku_certlist are: see their headers).
 */
#ifndef EKU_POOL_H
#define EKU_POOL_H

#include <eku/api.h>

#include <stddef.h>

typedef struct eku_pool eku_pool;

/* work(arg, worker) runs on worker number 0..jobs-1; done(arg) runs on the
 * submitting thread in submission order and owns arg from then on. */
typedef void (*eku_pool_work_fn)(void *arg, unsigned worker);
typedef void (*eku_pool_done_fn)(void *arg, void *ctx);

/* jobs: worker threads (1: no thread, work runs inline at submit). window:
 * tasks in flight at most (0: 4 per job). ctx is passed to done. NULL when
 * threads cannot be started. */
EKU_API eku_pool *eku_pool_new(unsigned jobs, size_t window, eku_pool_work_fn work, eku_pool_done_fn done,
	void *ctx);
/* Queues a task; may first wait for and finish the oldest. */
EKU_API void eku_pool_submit(eku_pool *p, void *arg);
/* The same for a task of a known size (bytes of input, say): besides the
 * window, the sizes in flight stay within the budget set here (0: no
 * budget), so a run of large files holds a few of them, not a window's
 * worth. A task larger than the budget still runs, alone. */
EKU_API void eku_pool_set_budget(eku_pool *p, size_t budget);
EKU_API void eku_pool_submit_sized(eku_pool *p, void *arg, size_t size);
/* Waits for every task, finishes them in order, stops the threads. */
EKU_API void eku_pool_free(eku_pool *p);

/* Online CPUs (at least 1): the default for --jobs. */
EKU_API unsigned eku_pool_default_jobs(void);

#endif
