/* Reading an inventory's host:port certificates live, shared by `eku scan
 * --inventory` (which reports them and may save them with --save-chains)
 * and `eku plan --scan` (which hands them to the plan): the one place that
 * turns inventory endpoints into probe targets and probe results back into
 * endpoint outcomes. */
#ifndef EKU_CLI_LIVEPROBE_H
#define EKU_CLI_LIVEPROBE_H

#include <stddef.h>
#include <stdint.h>

#include <eku/plan.h>
#include <eku/probe.h>

/* Defaults for targets that do not name them (--starttls, --sni). */
struct cli_target_opts {
	const char *starttls, *sni;
};

/* "5", "5s", "2.5s", "500ms" -> milliseconds; 0 is allowed only when
 * allow_zero. Prints the problem and returns -1 when malformed. */
int cli_parse_duration(const char *opt, const char *s, bool allow_zero, unsigned *ms);

/* Parses spec, applies the defaults and queues it with label (may be NULL).
 * where (may be NULL) prefixes the message. Prints the problem, returns -1. */
int cli_probe_add_target(eku_probe *p, const struct cli_target_opts *d, const char *spec, const char *where,
	const char *label);

/* Queues each distinct host:port endpoint of pl once, labelled with every
 * node and role naming it ("expe1 client, partner server"). target_of, when
 * not NULL, has eku_plan_endpoint_count(pl) entries and gets the probe
 * target index of each endpoint. Returns 0, or -1 (printed). */
int cli_probe_add_inventory(eku_probe *p, const struct cli_target_opts *d, const eku_plan *pl, const char *path,
	size_t *target_of);

/* What a probe run read, per target index, kept past the result callback
 * so that files are written and the plan is fed after the run, from the
 * main thread. */
struct cli_live_result {
	bool done;
	eku_certlist *chain;       /* a copy; NULL when nothing was presented */
	int64_t read_at;           /* the clock when the target completed */
	char *address;             /* "127.0.0.1:8443", or NULL */
	const char *failure;       /* eku_probe_errclass_name(), NULL when read */
	char *message;
};
struct cli_live_results {
	struct cli_live_result *v;
	size_t n;
};
int cli_live_results_init(struct cli_live_results *lr, size_t n);
/* For the probe result callback (called one at a time); -1 on allocation
 * failure, which leaves the target as failed "internal". */
int cli_live_results_keep(struct cli_live_results *lr, const struct eku_probe_result *r);
void cli_live_results_clear(struct cli_live_results *lr);

/* Hands each endpoint's outcome to the plan. Returns 0, or -1 (printed). */
int cli_live_apply(eku_plan *pl, const size_t *target_of, const struct cli_live_results *lr);
/* Writes each endpoint's chain into dir (created 0755 when missing) as
 * eku_plan_write_endpoint_chain() does; an endpoint that was not read is
 * skipped with a warning. Returns the number of problems (printed). */
size_t cli_live_save(const eku_plan *pl, const char *path, const size_t *target_of,
	const struct cli_live_results *lr, const char *dir);

#endif
