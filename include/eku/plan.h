/* eku/plan.h - a deployment inventory (YAML) judged against the timeline and
 * the product profiles: which links and nodes are broken now, which break on
 * which date, why, which of the options A-D remain on that date, and what to
 * do by when (DOMAIN.md sections 2-5).
 *
 * Usage: eku_plan_new(), setters, eku_plan_load_file() (or _mem), then
 * eku_plan_run(). Inventory problems are collected all at once as diags with
 * file:line:column; load returns -1 when there is at least one. Findings and
 * actions are read-only records owned by the plan, valid until
 * eku_plan_free(). Not locked: one thread per plan.
 */
#ifndef EKU_PLAN_H
#define EKU_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <eku/error.h>
#include <eku/util.h>

/* Ordered: a finding's severity is the worst of its checks. "unknown" means
 * an input the plan cannot read offline (host:port), so nothing is proven. */
enum eku_severity {
	EKU_SEV_NOT_AFFECTED = 0,
	EKU_SEV_OK,
	EKU_SEV_UNKNOWN,
	EKU_SEV_AT_RISK,
	EKU_SEV_BROKEN,
};
const char *eku_severity_name(enum eku_severity s);
/* Parses "broken", "at_risk", ...; returns -1 when unknown. */
int eku_severity_parse(const char *s, enum eku_severity *out) __attribute__((warn_unused_result));

/* One inventory problem; column is 1-based, 0 when not applicable. */
struct eku_plan_diag {
	char *source;
	int line;
	int column;
	enum eku_errcode code;
	char *message;
};

enum eku_finding_kind { EKU_FINDING_LINK, EKU_FINDING_NODE };

/* Options A-D of DOMAIN.md section 4, judged on the plan's date. */
struct eku_option {
	char id;         /* 'A'..'D' */
	bool available;
	char *why;
	/* Machine-readable dates (UTC midnight instants), 0 when not applicable.
	 * available_from: an upgrade not released on the plan date;
	 * available_until: the last day the option is open (B: the CA's last day
	 * with clientAuth); renew_by (B): the best day to renew — the last day the
	 * CA still issues clientAuth, or earlier when the current certificate
	 * expires first; lasts_until (B): the end of a certificate renewed on
	 * renew_by. */
	int64_t available_from, available_until, renew_by, lasts_until;
};

struct eku_finding {
	char *id;                  /* stable within a plan: "link:uc-traversal:expc1->expe1" */
	enum eku_finding_kind kind;
	char *subject;             /* human label */
	enum eku_severity severity;
	int64_t breaks_on;         /* 0 when none or not dated */
	eku_strv reasons;          /* codes: CLIENT_EKU_MISSING, PUBLIC_CLIENTAUTH_SUNSET, ... */
	char *explanation;         /* plain language, cites rule ids and sources */
	eku_strv rule_ids;         /* timeline / product rules cited */
	size_t n_options;          /* 0 or 4 */
	struct eku_option options[4];
};

struct eku_action {
	int64_t by;
	char *action;
	eku_strv finding_ids;
};

typedef struct eku_plan eku_plan;

eku_plan *eku_plan_new(void);
void eku_plan_free(eku_plan *p);
const eku_error *eku_plan_error(const eku_plan *p);

/* Data directory for timeline.json and products/ (NULL: embedded). */
int eku_plan_set_data_dir(eku_plan *p, const char *dir) __attribute__((warn_unused_result));
/* The instant to judge at; overrides the inventory's "at". Unset: the
 * inventory's "at", else the current time. */
void eku_plan_set_at(eku_plan *p, int64_t at);
/* The present, which tells a certificate that has really expired (EXPIRED,
 * broken) from one that only expires before a later plan instant: that one
 * is judged as its owner will hold it then, renewed at expiry (and again as
 * often as needed) under the CA rules in force on each renewal day, with
 * reason RENEWAL_DUE. Unset: the earlier of the inventory's "at" and the
 * clock, else the clock. */
void eku_plan_set_now(eku_plan *p, int64_t now);
/* Judge the state after every certificate is renewed at the plan's instant
 * under the CA rules in force then. */
void eku_plan_set_assume_renewed(eku_plan *p, bool on);
/* System root bundle for classification (NULL: the default path); "" keeps
 * system roots out (tests, reproducible labs). */
int eku_plan_set_system_bundle(eku_plan *p, const char *path) __attribute__((warn_unused_result));

/* Reads an inventory; relative certificate paths resolve against the
 * inventory's folder (base_dir for _mem; NULL: the current directory).
 * Returns 0, or -1 when the inventory has problems (see the diags) or on a
 * data or memory error (see eku_plan_error). */
int eku_plan_load_file(eku_plan *p, const char *path) __attribute__((warn_unused_result));
int eku_plan_load_mem(eku_plan *p, const char *source, const char *base_dir, const char *yaml,
	size_t len) __attribute__((warn_unused_result));
size_t eku_plan_diag_count(const eku_plan *p);
const struct eku_plan_diag *eku_plan_diag(const eku_plan *p, size_t i);
/* Loads and checks every data file the planner reads (timeline, product
 * files, CA vendors, alternative roots, Chrome Root Store) without an
 * inventory. Returns 0, or -1 with every problem of the product files as
 * diags (source: the file) or, for the other files, the first broken one in
 * eku_plan_error (its message names the file). Product data problems are
 * also what eku_plan_load_* reports as diags. */
int eku_plan_check_data(eku_plan *p) __attribute__((warn_unused_result));

/* Judges every node and link. Returns 0 or -1 with the plan error set. */
int eku_plan_run(eku_plan *p) __attribute__((warn_unused_result));

int64_t eku_plan_at(const eku_plan *p);
const char *eku_plan_deployment(const eku_plan *p);  /* "" when not given */
/* Findings ordered by severity date: broken first, then at_risk by
 * breaks_on, then the rest. */
size_t eku_plan_finding_count(const eku_plan *p);
const struct eku_finding *eku_plan_finding(const eku_plan *p, size_t i);
const struct eku_finding *eku_plan_finding_by_id(const eku_plan *p, const char *id);
/* Actions ordered by date. */
size_t eku_plan_action_count(const eku_plan *p);
const struct eku_action *eku_plan_action(const eku_plan *p, size_t i);
/* Counts of findings per severity, indexed by enum eku_severity. */
void eku_plan_counts(const eku_plan *p, size_t counts[5]);
/* Inputs the plan could not read offline (host:port certificates). */
const eku_strv *eku_plan_unread_inputs(const eku_plan *p);

/* A certificates.server / .client value written as host:port: a live
 * endpoint the plan cannot read offline and `eku scan --inventory` probes.
 * Strings are borrowed from the plan, valid until eku_plan_free() or the
 * next load. */
struct eku_plan_endpoint {
	const char *node;     /* the node's name */
	const char *role;     /* "server" or "client" */
	const char *endpoint; /* "host:port" as written in the inventory */
};
/* Host:port certificate inputs of the loaded inventory, in node order (a
 * node's server before its client). Available after a successful load,
 * without eku_plan_run(). Read-only: does not change what the plan judges. */
size_t eku_plan_endpoint_count(const eku_plan *p);
/* Fills out with the i-th endpoint. Returns 0, or -1 when i is out of range. */
int eku_plan_endpoint_get(const eku_plan *p, size_t i, struct eku_plan_endpoint *out)
	__attribute__((warn_unused_result));

/* The plan as the JSON document of the issue ("schema": "eku/1"). New
 * reference, or NULL on allocation failure. */
json_t *eku_plan_json(const eku_plan *p);

#endif
