/* pool: tasks run on workers, finish in submission order, at most `window`
 * in flight; jobs == 1 runs inline. Runs under TSan in CI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include <eku/pool.h>

struct ctx {
	size_t next_done;  /* the submission number done() must see next */
	size_t in_flight, max_in_flight;
	int out_of_order;
	size_t n_done;
};

struct item {
	size_t seq;
	unsigned worker;
	int value, result;
	struct ctx *ctx;
};

static void work(void *arg, unsigned worker)
{
	struct item *it = arg;
	struct timespec ts = { 0, (long)((it->seq * 7919) % 13) * 20000 };

	/* Uneven work so later tasks often finish first. */
	nanosleep(&ts, NULL);
	it->worker = worker;
	it->result = it->value * 2;
}

static void done(void *arg, void *vctx)
{
	struct item *it = arg;
	struct ctx *c = vctx;

	if (it->seq != c->next_done || it->result != it->value * 2)
		c->out_of_order++;
	c->next_done++;
	c->n_done++;
	c->in_flight--;
	free(it);
}

static void run(unsigned jobs, size_t window, size_t n, struct ctx *c)
{
	eku_pool *p = eku_pool_new(jobs, window, work, done, c);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		struct item *it = calloc(1, sizeof(*it));
		assert_non_null(it);
		it->seq = i;
		it->value = (int)i;
		it->ctx = c;
		c->in_flight++;
		eku_pool_submit(p, it);
		/* The submitter never gets more than window ahead. */
		if (c->in_flight > c->max_in_flight)
			c->max_in_flight = c->in_flight;
	}
	eku_pool_free(p);
}

static void test_order_with_workers(void **state)
{
	struct ctx c = { 0 };

	(void)state;
	run(4, 6, 2000, &c);
	assert_int_equal(c.n_done, 2000);
	assert_int_equal(c.out_of_order, 0);
	assert_true(c.max_in_flight <= 6);
}

static void test_inline_when_one_job(void **state)
{
	struct ctx c = { 0 };

	(void)state;
	run(1, 0, 100, &c);
	assert_int_equal(c.n_done, 100);
	assert_int_equal(c.out_of_order, 0);
	/* Inline: each task is done before its submit returns. */
	assert_int_equal(c.max_in_flight, 0);
}

static void test_empty_and_default_jobs(void **state)
{
	struct ctx c = { 0 };

	(void)state;
	run(3, 0, 0, &c);
	assert_int_equal(c.n_done, 0);
	assert_true(eku_pool_default_jobs() >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_with_workers),
		cmocka_unit_test(test_inline_when_one_job),
		cmocka_unit_test(test_empty_and_default_jobs),
	};
	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
