/* Objects documented as shareable read-only between threads (eku_trust,
 * eku_cert, eku_verify_config, eku_allowlist, eku_timeline) used by four
 * threads at once, the way gateway workers and probe threads use them.
 *
 * In a plain build these cases only check that every thread gets the same
 * answer; the race they exist for is reported by ThreadSanitizer: build with
 * -Db_sanitize=thread (build-tsan, tools/test-all.sh) and run with
 * TSAN_OPTIONS=halt_on_error=1. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"

#include <eku/cert.h>
#include <eku/timeline.h>
#include <eku/trust.h>
#include <eku/verify.h>

#define THREADS 4
#define ROUNDS 200

/* What every thread shares, set up on the main thread before they start. */
struct shared {
	eku_trust *trust;
	eku_verify_config *vcfg;
	eku_timeline *timeline;
	eku_certlist *chain;  /* leaf, intermediate, root: shared eku_certs */
	eku_certlist *alone;  /* the leaf without its chain */
	int failures[THREADS];
};

struct job {
	struct shared *s;
	int id;
};

/* One round: classify with and without the chain (references are taken on
 * the shared anchors and chain certificates, then dropped), verify, and ask
 * the timeline. Answers are compared with what one thread sees. */
static bool one_round(struct shared *s)
{
	const eku_cert *leaf = eku_certlist_get0(s->chain, 0);
	struct eku_classification *cl = eku_trust_classify(s->trust, leaf, s->chain);
	struct eku_classification *cl2 =
		eku_trust_classify(s->trust, eku_certlist_get0(s->alone, 0), NULL);
	eku_verify_result *r = NULL;
	bool ok = cl != NULL && cl2 != NULL && cl->chain_complete && cl->chain_len == 3 &&
		cl->issuer_class == EKU_ISSUER_PRIVATE && cl2->chain_len == 3 &&
		cl2->issuer_class == EKU_ISSUER_PRIVATE;

	if (eku_verify_cert(s->vcfg, leaf, s->chain, &r) != 0 || !eku_verify_result_passed(r))
		ok = false;
	if (eku_timeline_rule_count(s->timeline) == 0)
		ok = false;
	eku_verify_result_free(r);
	eku_classification_free(cl);
	eku_classification_free(cl2);
	return ok;
}

static void *worker(void *arg)
{
	struct job *j = arg;

	for (int i = 0; i < ROUNDS; i++)
		if (!one_round(j->s))
			j->s->failures[j->id]++;
	return NULL;
}

static void run_threads(struct shared *s)
{
	pthread_t th[THREADS];
	struct job jobs[THREADS];

	for (int i = 0; i < THREADS; i++) {
		jobs[i] = (struct job){ s, i };
		assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(s->failures[i], 0);
}

static void setup_shared(struct shared *s)
{
	memset(s, 0, sizeof(*s));
	s->chain = fixture_load(fixture("chain-dual.pem"));
	s->alone = fixture_load(fixture("leaf-dual.pem"));
	assert_int_equal(eku_certlist_count(s->chain), 3);
	s->trust = eku_trust_new();
	assert_non_null(s->trust);
	assert_int_equal(eku_trust_add_anchor_file(s->trust, fixture("private-root.pem")), 0);
	assert_int_equal(eku_trust_add_untrusted_file(s->trust, fixture("private-ca.pem")), 0);
	s->vcfg = eku_verify_config_new();
	assert_non_null(s->vcfg);
	assert_int_equal(eku_verify_config_set_role(s->vcfg, EKU_VERIFY_ROLE_CLIENT), 0);
	assert_int_equal(eku_verify_config_set_policy(s->vcfg, EKU_VERIFY_PERMISSIVE), 0);
	assert_int_equal(eku_verify_config_add_trust_file(s->vcfg, fixture("private-root.pem")), 0);
	assert_int_equal(eku_verify_config_check(s->vcfg), 0);
	s->timeline = eku_timeline_new();
	assert_non_null(s->timeline);
	assert_int_equal(eku_timeline_load(s->timeline, NULL), 0);
}

static void free_shared(struct shared *s)
{
	eku_trust_free(s->trust);
	eku_verify_config_free(s->vcfg);
	eku_timeline_free(s->timeline);
	eku_certlist_free(s->chain);
	eku_certlist_free(s->alone);
}

/* The gateway's case: the classifier's data is loaded before the workers
 * start; the threads only classify (taking references on shared anchors). */
static void test_shared_trust_loaded(void **state)
{
	struct shared s;

	(void)state;
	setup_shared(&s);
	assert_int_equal(eku_trust_load_data(s.trust), 0);
	run_threads(&s);
	free_shared(&s);
}

/* A caller that leaves the data to the first classify (eku_probe, plan):
 * four threads reach that first classify together. */
static void test_shared_trust_lazy_data(void **state)
{
	struct shared s;

	(void)state;
	setup_shared(&s);
	run_threads(&s);
	free_shared(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_trust_loaded),
		cmocka_unit_test(test_shared_trust_lazy_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
