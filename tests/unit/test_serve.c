/* eku serve's pure parts: events between two rounds (a table of named
 * cases), carrying a failed place's last observation, the SQLite history
 * (one row per certificate change, latest state read back), and config
 * problems reported all at once with their positions and exact codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/serve/sv.h"

#define DAY 86400
#define NOW 1800000000

/* One place in a round: key, sha (one letter is enough), clientAuth, expiry. */
struct place {
	const char *key;
	char sha;
	bool clientauth;
	int64_t not_after;
};

static struct sv_snap *snap_of(const struct place *p, size_t n, int64_t at)
{
	struct sv_snap *s = sv_snap_new("src", SV_FILES);

	assert_non_null(s);
	s->started = s->finished = at;
	for (size_t i = 0; i < n; i++) {
		struct sv_obs *o = sv_snap_add_obs(s);
		assert_non_null(o);
		o->key = strdup(p[i].key);
		o->subject = strdup("CN=x");
		o->vendor = strdup("");
		o->kind = "file";
		memset(o->sha256, p[i].sha, 64);
		o->clientauth = p[i].clientauth;
		o->eku_class = p[i].clientauth ? EKU_CLASS_SERVER_CLIENT : EKU_CLASS_SERVER_ONLY;
		o->not_after = p[i].not_after;
	}
	return s;
}

static const int64_t FAR = NOW + 365 * DAY, SOON = NOW + 10 * DAY;

struct diff_case {
	const char *name;
	struct place prev[2];
	size_t n_prev;         /* 0 with no_prev: no previous round at all */
	bool no_prev;
	struct place now[2];
	size_t n_now;
	const char *want;      /* event types in order, space-separated */
};

static const struct diff_case diff_cases[] = {
	{ "unchanged: nothing", { { "a", 'a', true, FAR } }, 1, false, { { "a", 'a', true, FAR } }, 1, "" },
	{ "renewed keeping clientAuth: cert_changed only", { { "a", 'a', true, FAR } }, 1, false,
	  { { "a", 'b', true, FAR } }, 1, "cert_changed" },
	{ "renewed without clientAuth: the key event", { { "a", 'a', true, FAR } }, 1, false,
	  { { "a", 'b', false, FAR } }, 1, "cert_changed clientauth_dropped" },
	{ "clientAuth gained is no drop", { { "a", 'a', false, FAR } }, 1, false,
	  { { "a", 'b', true, FAR } }, 1, "cert_changed" },
	{ "a new place is no change", { { "a", 'a', true, FAR } }, 1, false,
	  { { "a", 'a', true, FAR }, { "b", 'b', false, FAR } }, 2, "" },
	{ "first round: expiring once", { { 0 } }, 0, true, { { "a", 'a', true, SOON } }, 1, "expiring" },
	{ "still expiring: not again", { { "a", 'a', true, SOON } }, 1, false,
	  { { "a", 'a', true, SOON } }, 1, "" },
	{ "renewed into the window again", { { "a", 'a', true, SOON } }, 1, false,
	  { { "a", 'b', true, SOON + DAY } }, 1, "cert_changed expiring" },
};

static void test_diff_table(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(diff_cases) / sizeof(diff_cases[0]); c++) {
		const struct diff_case *dc = &diff_cases[c];
		struct sv_snap *prev = dc->no_prev ? NULL : snap_of(dc->prev, dc->n_prev, NOW - 60);
		struct sv_snap *now = snap_of(dc->now, dc->n_now, NOW);
		char got[200] = "";

		assert_int_equal(sv_snap_diff(now, prev, 30), 0);
		for (size_t i = 0; i < now->n_events; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
				sv_event_name(now->events[i].type));
		if (strcmp(got, dc->want) != 0)
			fail_msg("%s: got '%s', want '%s'", dc->name, got, dc->want);
		sv_snap_free(prev);
		sv_snap_free(now);
	}
}

static void test_severity_changed(void **state)
{
	struct sv_snap *prev = snap_of(NULL, 0, NOW - 60), *now = snap_of(NULL, 0, NOW);

	(void)state;
	assert_int_equal(sv_snap_add_finding(prev, "link:x", "link", EKU_SEV_AT_RISK, NOW + DAY), 0);
	assert_int_equal(sv_snap_add_finding(prev, "node:y", "node", EKU_SEV_OK, 0), 0);
	assert_int_equal(sv_snap_add_finding(now, "link:x", "link", EKU_SEV_BROKEN, 0), 0);
	assert_int_equal(sv_snap_add_finding(now, "node:y", "node", EKU_SEV_OK, 0), 0);
	assert_int_equal(sv_snap_diff(now, prev, 30), 0);
	assert_int_equal(now->n_events, 1);
	assert_int_equal(now->events[0].type, SV_EV_SEVERITY_CHANGED);
	assert_string_equal(now->events[0].key, "link:x");
	assert_string_equal(now->events[0].old_value, "at_risk");
	assert_string_equal(now->events[0].new_value, "broken");
	sv_snap_free(prev);
	sv_snap_free(now);
}

/* A place unreadable this round keeps its last certificate, so the swap
 * seen when it comes back is still a drop. */
static void test_carry_over_outage(void **state)
{
	static const struct place before[] = { { "a", 'a', true, FAR } };
	static const struct place after[] = { { "a", 'b', false, FAR } };
	struct sv_snap *r1 = snap_of(before, 1, NOW - 120), *r2 = snap_of(NULL, 0, NOW - 60),
		       *r3 = snap_of(after, 1, NOW);

	(void)state;
	assert_int_equal(sv_snap_add_fail(r2, "a", "timeout", "no answer"), 0);
	assert_int_equal(sv_snap_carry(r2, r1), 0);
	assert_int_equal(r2->n_obs, 1);
	assert_true(r2->obs[0].stale);
	assert_int_equal(sv_snap_diff(r2, r1, 30), 0);
	assert_int_equal(r2->n_events, 0);
	assert_int_equal(sv_snap_diff(r3, r2, 30), 0);
	assert_int_equal(r3->n_events, 2);
	assert_int_equal(r3->events[1].type, SV_EV_CLIENTAUTH_DROPPED);
	sv_snap_free(r1);
	sv_snap_free(r2);
	sv_snap_free(r3);
}

/* Only failures the previous round did not have (same place, same class)
 * are worth a log line. */
static void test_new_fails(void **state)
{
	struct sv_snap *prev = snap_of(NULL, 0, NOW - 60), *now = snap_of(NULL, 0, NOW);
	size_t idx[4];

	(void)state;
	assert_int_equal(sv_snap_add_fail(prev, "a", "timeout", NULL), 0);
	assert_int_equal(sv_snap_add_fail(prev, "b", "dns", NULL), 0);
	assert_int_equal(sv_snap_add_fail(now, "a", "timeout", NULL), 0);  /* still: quiet */
	assert_int_equal(sv_snap_add_fail(now, "b", "refused", NULL), 0);  /* other class: new */
	assert_int_equal(sv_snap_add_fail(now, "c", "tls", NULL), 0);      /* new place */
	assert_int_equal(sv_snap_new_fails(now, prev, idx, 4), 2);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 2);
	assert_int_equal(sv_snap_new_fails(now, NULL, idx, 2), 2);         /* capped at max */
	sv_snap_free(prev);
	sv_snap_free(now);
}

/* ---- store ------------------------------------------------------------------ */

static int count_obs(void *arg, const struct sv_hist_obs *o)
{
	(void)o;
	(*(int *)arg)++;
	return 0;
}

static void test_store_rows_per_change(void **state)
{
	static const struct place a[] = { { "p", 'a', true, FAR } };
	static const struct place b[] = { { "p", 'b', false, FAR } };
	char dir[] = "/tmp/eku-serve-test-XXXXXX", why[512], path[600];
	sv_store *st;
	struct sv_snap *s1 = snap_of(a, 1, NOW - 120), *s2 = snap_of(a, 1, NOW - 60), *s3 = snap_of(b, 1, NOW);
	struct sv_snap *latest;
	bool failed = true;
	int rows = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_non_null(st = sv_store_open(dir, NULL, false, why, sizeof(why)));
	assert_int_equal(sv_snap_diff(s3, s2, 30), 0);
	assert_int_equal(sv_store_write(st, s1, false, why, sizeof(why)), 0);
	assert_int_equal(sv_store_write(st, s2, false, why, sizeof(why)), 0);
	assert_int_equal(sv_store_write(st, s3, false, why, sizeof(why)), 0);
	/* same certificate twice: one row; a change: a second row */
	assert_int_equal(sv_store_history(st, 0, NULL, NULL, count_obs, NULL, &rows, why, sizeof(why)), 0);
	assert_int_equal(rows, 2);
	latest = sv_store_latest(st, "src", SV_FILES, &failed);
	assert_false(failed);
	assert_non_null(latest);
	assert_int_equal(latest->n_obs, 1);
	assert_false(latest->obs[0].clientauth);
	assert_int_equal(latest->obs[0].sha256[0], 'b');
	assert_int_equal(latest->finished, NOW);
	assert_null(sv_store_latest(st, "other", SV_FILES, &failed));
	assert_false(failed);
	sv_snap_free(latest);
	sv_store_close(st);
	/* a store that cannot be created says where */
	snprintf(path, sizeof(path), "%s/history.sqlite/sub", dir);
	assert_null(sv_store_open(path, NULL, false, why, sizeof(why)));
	assert_non_null(strstr(why, "cannot create the data directory"));
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
	sv_snap_free(s1);
	sv_snap_free(s2);
	sv_snap_free(s3);
}

/* ---- config ----------------------------------------------------------------- */

struct cfg_case {
	const char *name;
	const char *yaml;
	int line, col;         /* of the first problem */
	const char *msg;       /* part of its message */
	size_t errors;
};

static const struct cfg_case cfg_cases[] = {
	{ "a good one", "data_dir: d\nsources:\n  - { name: a, files: [x.pem] }\n", 0, 0, NULL, 0 },
	{ "two kinds in one source", "data_dir: d\nsources:\n  - { name: a, files: [x], targets: ['h:1'] }\n",
	  3, 7, "give exactly one of files:, targets: or inventory:", 1 },
	{ "bad target", "data_dir: d\nsources:\n  - name: a\n    targets: ['h:1', 'h:0']\n", 4, 23,
	  "target 'h:0'", 1 },
	{ "bad duration and unknown key", "data_dir: d\nsources:\n  - name: a\n    interval: 5 minutes\n"
	  "    file: [x]\n", 4, 15, "is not a duration", 3 },
	{ "remote listener", "listen: 192.0.2.1:9860\ndata_dir: d\nsources:\n  - { name: a, files: [x] }\n", 1, 9,
	  "not a loopback address", 1 },
	{ "remote listener allowed", "insecure_allow_remote: yes\nlisten: 192.0.2.1:9860\ndata_dir: d\n"
	  "sources:\n  - { name: a, files: [x] }\n", 0, 0, NULL, 0 },
	{ "postgres instead of data_dir", "database: postgresql://db/eku\nsources:\n  - { name: a, files: [x] }\n",
	  0, 0, NULL, 0 },
	{ "not a database URL", "database: mysql://db/eku\nsources:\n  - { name: a, files: [x] }\n",
	  1, 1, "is not a postgresql:// URL", 1 },
	{ "both stores", "data_dir: d\ndatabase: postgresql://db/eku\nsources:\n  - { name: a, files: [x] }\n",
	  1, 1, "give data_dir: or database:, not both", 1 },
	{ "a nameless source before a named one (fuzzer find)",
	  "data_dir: d\nsources:\n  - { nam: a, files: [x] }\n  - { name: b, files: [x] }\n", 3, 7,
	  "unknown key 'nam'", 2 },
	{ "no source (fuzzer find)", "database: postgresql://x/y\nsources: []\n", 2, 1,
	  "'sources' is empty", 1 },
	{ "interval too short", "data_dir: d\nsources:\n  - { name: a, interval: 10ms, files: [x] }\n", 3, 7,
	  "interval must be at least 100ms", 1 },
};

static void test_config_table(void **state)
{
	char path[] = "/tmp/eku-serve-cfg-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (size_t c = 0; c < sizeof(cfg_cases) / sizeof(cfg_cases[0]); c++) {
		const struct cfg_case *cc = &cfg_cases[c];
		FILE *f = fopen(path, "w");
		eku_diaglist d = { 0 };
		struct sv_config *cfg;

		assert_non_null(f);
		fputs(cc->yaml, f);
		fclose(f);
		cfg = sv_config_load(path, false, &d);
		if (eku_diaglist_errors(&d) != cc->errors)
			fail_msg("%s: %zu errors, want %zu (first: %s)", cc->name, eku_diaglist_errors(&d),
				cc->errors, d.n ? d.v[0].message : "-");
		if (cc->msg != NULL) {
			assert_null(cfg);
			if (d.v[0].line != cc->line || d.v[0].column != cc->col || strstr(d.v[0].message, cc->msg) == NULL)
				fail_msg("%s: got %d:%d %s", cc->name, d.v[0].line, d.v[0].column, d.v[0].message);
			assert_int_equal(d.v[0].code, EKU_E_BAD_CONFIG);
		} else {
			assert_non_null(cfg);
			assert_string_equal(cfg->listen, strstr(cc->yaml, "192.0.2.1") ? "192.0.2.1:9860" : SV_DEFAULT_LISTEN);
		}
		sv_config_free(cfg);
		eku_diaglist_clear(&d);
	}
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_table),
		cmocka_unit_test(test_severity_changed),
		cmocka_unit_test(test_carry_over_outage),
		cmocka_unit_test(test_new_fails),
		cmocka_unit_test(test_store_rows_per_change),
		cmocka_unit_test(test_config_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
