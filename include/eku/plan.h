/* eku/plan.h - a deployment inventory (YAML) judged against the timeline and
 * the product profiles: which links and nodes are broken now, which break on
 * which date, why, which of the options A-D remain on that date, and what to
 * do by when (docs/background.md explains the sunset, docs/plan.md the
 * inventory and the JSON document).
 *
 * Usage: eku_plan_new(), setters, eku_plan_load_file() (or _mem), then
 * eku_plan_run(). Inventory problems are collected all at once as diags with
 * file:line:column; load returns -1 when there is at least one. Findings and
 * actions are read-only records owned by the plan, valid until
 * eku_plan_free(). Not locked: one thread per plan.
 */
#ifndef EKU_PLAN_H
#define EKU_PLAN_H

#include <eku/api.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <eku/cert.h>
#include <eku/error.h>
#include <eku/util.h>

/* Ordered: a finding's severity is the worst of its checks. "unknown" means
 * an input the plan could not read (host:port not read live, or reading it
 * failed), so nothing is proven. */
enum eku_severity {
	EKU_SEV_NOT_AFFECTED = 0,
	EKU_SEV_OK,
	EKU_SEV_UNKNOWN,
	EKU_SEV_AT_RISK,
	EKU_SEV_BROKEN,
};
EKU_API const char *eku_severity_name(enum eku_severity s);
/* Parses "broken", "at_risk", ...; returns -1 when unknown. */
EKU_API int eku_severity_parse(const char *s, enum eku_severity *out) __attribute__((warn_unused_result));

enum eku_finding_kind { EKU_FINDING_LINK, EKU_FINDING_NODE };

/* Options A-D of the decision tree (docs/background.md), judged on the plan's
 * date. */
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

EKU_API eku_plan *eku_plan_new(void);
EKU_API void eku_plan_free(eku_plan *p);
EKU_API const eku_error *eku_plan_error(const eku_plan *p);

/* Data directory for timeline.json and products/ (NULL: embedded). */
EKU_API int eku_plan_set_data_dir(eku_plan *p, const char *dir) __attribute__((warn_unused_result));
/* The instant to judge at; overrides the inventory's "at". Unset: the
 * inventory's "at", else the current time. */
EKU_API void eku_plan_set_at(eku_plan *p, int64_t at);
/* The present, which tells a certificate that has really expired (EXPIRED,
 * broken) from one that only expires before a later plan instant: that one
 * is judged as its owner will hold it then, renewed at expiry (and again as
 * often as needed) under the CA rules in force on each renewal day, with
 * reason RENEWAL_DUE. Unset: the earlier of the inventory's "at" and the
 * clock, else the clock. */
EKU_API void eku_plan_set_now(eku_plan *p, int64_t now);
/* Judge the state after every certificate is renewed at the plan's instant
 * under the CA rules in force then. */
EKU_API void eku_plan_set_assume_renewed(eku_plan *p, bool on);
/* System root bundle for classification (NULL: the default path); "" keeps
 * system roots out (tests, reproducible labs). */
EKU_API int eku_plan_set_system_bundle(eku_plan *p, const char *path) __attribute__((warn_unused_result));

/* Reads an inventory; relative certificate paths resolve against the
 * inventory's folder (base_dir for _mem; NULL: the current directory).
 * Returns 0, or -1 when the inventory has problems (see the diags) or on a
 * data or memory error (see eku_plan_error). */
EKU_API int eku_plan_load_file(eku_plan *p, const char *path) __attribute__((warn_unused_result));
EKU_API int eku_plan_load_mem(eku_plan *p, const char *source, const char *base_dir, const char *yaml,
	size_t len) __attribute__((warn_unused_result));
/* Inventory problems (eku/diag.h: source, line, 1-based column, code,
 * message; all errors), at most EKU_DIAGLIST_YAML_MAX of them, valid until
 * the next load or eku_plan_free(). */
EKU_API size_t eku_plan_diag_count(const eku_plan *p);
EKU_API const struct eku_diag *eku_plan_diag(const eku_plan *p, size_t i);
/* Loads and checks every data file the planner reads (timeline, product
 * files, CA vendors, alternative roots, Chrome Root Store) without an
 * inventory. Returns 0, or -1 with every problem of the product files as
 * diags (source: the file) or, for the other files, the first broken one in
 * eku_plan_error (its message names the file). Product data problems are
 * also what eku_plan_load_* reports as diags. */
EKU_API int eku_plan_check_data(eku_plan *p) __attribute__((warn_unused_result));

/* Judges every node and link. Returns 0 or -1 with the plan error set. */
EKU_API int eku_plan_run(eku_plan *p) __attribute__((warn_unused_result));

EKU_API int64_t eku_plan_at(const eku_plan *p);
EKU_API const char *eku_plan_deployment(const eku_plan *p);  /* "" when not given */
/* Findings ordered by severity date: broken first, then at_risk by
 * breaks_on, then the rest. */
EKU_API size_t eku_plan_finding_count(const eku_plan *p);
EKU_API const struct eku_finding *eku_plan_finding(const eku_plan *p, size_t i);
EKU_API const struct eku_finding *eku_plan_finding_by_id(const eku_plan *p, const char *id);
/* Actions ordered by date. */
EKU_API size_t eku_plan_action_count(const eku_plan *p);
EKU_API const struct eku_action *eku_plan_action(const eku_plan *p, size_t i);
/* Upgrade groups: Expressway-C and -E must run the same version, so a
 * cluster (nodes listing each other under cluster:) and the clusters it is
 * linked with by C->E links (uc-traversal, mra-sip, webrtc, ssh-tunnel)
 * upgrade together. Option D and the upgrade actions name a group, never
 * list it: name is the sorted member list when the group has at most six
 * nodes ("expc1, expc2, expe1, expe2"), else "the 240 nodes of upgrade group
 * G3". id ("G1", ...) numbers the groups in inventory order of their first
 * node. Only nodes of a same-version product family are in a group. */
struct eku_upgrade_group {
	char *id;
	char *name;
	eku_strv members;        /* node names, sorted */
};
EKU_API size_t eku_plan_upgrade_group_count(const eku_plan *p);
EKU_API const struct eku_upgrade_group *eku_plan_upgrade_group(const eku_plan *p, size_t i);
/* Counts of findings per severity, indexed by enum eku_severity. */
EKU_API void eku_plan_counts(const eku_plan *p, size_t counts[5]);
/* The same for findings of one kind only (links or nodes), as the text
 * summary lines "3 links broken, ..." and "nodes: 0 broken, ..." count. */
EKU_API void eku_plan_counts_kind(const eku_plan *p, enum eku_finding_kind kind, size_t counts[5]);
/* The earliest breaks_on among at_risk findings (of one kind for the _kind
 * variant), 0 when none is dated. */
EKU_API int64_t eku_plan_first_break(const eku_plan *p);
EKU_API int64_t eku_plan_first_break_kind(const eku_plan *p, enum eku_finding_kind kind);
/* Host:port certificates the plan could not judge: not read live, or
 * reading them failed ("expe1: 127.0.0.1:9 (refused at ...: ...)"). */
EKU_API const eku_strv *eku_plan_unread_inputs(const eku_plan *p);

/* A certificates.server / .client value written as host:port: a live
 * endpoint the plan cannot read offline; `eku scan --inventory` and `eku
 * plan --scan` probe it.
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
EKU_API size_t eku_plan_endpoint_count(const eku_plan *p);
/* Fills out with the i-th endpoint. Returns 0, or -1 when i is out of range. */
EKU_API int eku_plan_endpoint_get(const eku_plan *p, size_t i, struct eku_plan_endpoint *out)
	__attribute__((warn_unused_result));

/* ---- live inputs: host:port certificates read by the caller ----------------
 *
 * The plan never touches the network: the caller reads endpoint i (eku plan
 * --scan probes it with eku_probe, --chains reads a file eku scan
 * --save-chains wrote) and hands the outcome over with one of the two
 * setters below, after a successful load and before eku_plan_run(). The
 * outcome replaces an earlier one for the same endpoint, is kept across runs
 * and dropped by the next load. A chain set for an endpoint is judged like a
 * certificate file, and the findings that use it say where and when it was
 * read; a failure keeps the input unknown / CERT_NOT_READ with the failure
 * class in the explanation. Same thread as the rest of the plan: a caller
 * probing on worker threads collects the results and sets them afterwards
 * from the plan's thread. */

/* Endpoint i's certificate as presented (leaf first, at least one).
 * Takes ownership of chain (set0), also when it fails. read_at: when it was
 * read (the clock, not the plan's --at). source: where it was read from,
 * copied, may be NULL: the address probed ("127.0.0.1:8443") or the file it
 * was saved in. Returns 0, or -1 with the plan error set (EKU_E_USAGE: i out
 * of range or an empty chain; EKU_E_NOMEM). */
EKU_API int eku_plan_set_endpoint_chain(eku_plan *p, size_t i, eku_certlist *chain, int64_t read_at,
	const char *source) __attribute__((warn_unused_result));
/* Endpoint i could not be read. failure is the class ("dns", "refused",
 * "timeout", "tls", ... as eku_probe_errclass_name() gives; "file" for a
 * saved chain that is missing or unreadable), message a detail or NULL;
 * both copied. Returns 0, or -1 with the plan error set. */
EKU_API int eku_plan_set_endpoint_failure(eku_plan *p, size_t i, const char *failure, const char *message,
	int64_t read_at, const char *source) __attribute__((warn_unused_result));

/* One live input, for reports. Strings are borrowed from the plan, valid
 * until the next setter call, load or eku_plan_free(). */
struct eku_plan_live_input {
	const char *node, *role, *endpoint; /* as in struct eku_plan_endpoint */
	const char *source;   /* where it was read from, or NULL */
	int64_t read_at;
	const char *failure;  /* NULL when read, else the failure class */
	const char *message;  /* failure detail, or NULL */
	size_t chain_length;  /* certificates read, 0 on failure */
};
/* Live inputs in the order they were set. */
EKU_API size_t eku_plan_live_input_count(const eku_plan *p);
EKU_API int eku_plan_live_input_get(const eku_plan *p, size_t i, struct eku_plan_live_input *out)
	__attribute__((warn_unused_result));

/* Saved chains (eku scan --save-chains, eku plan --chains): one PEM file per
 * endpoint, DIR/<node>-<role>.pem (characters outside [A-Za-z0-9._-]
 * become '_'), with comment lines naming the endpoint, the source and the
 * read_at instant before the certificates. */
/* Writes endpoint i's chain into dir (which must exist) as a 0644 file,
 * through a temporary file renamed into place; refuses to replace anything
 * but a regular file (a symlink, a FIFO, a folder). chain is borrowed.
 * Returns 0, or -1 with err set (EKU_E_IO, EKU_E_USAGE). Thread-safe for
 * distinct endpoints: it only reads the plan. */
EKU_API int eku_plan_write_endpoint_chain(const eku_plan *p, size_t i, const char *dir, const eku_certlist *chain,
	int64_t read_at, const char *source, eku_error *err) __attribute__((warn_unused_result));
/* For every endpoint, reads dir's saved file and sets the chain (read_at
 * from the file's comment, else its modification time), or a "file"
 * failure when it is missing, unreadable, not a regular file or was saved
 * from another endpoint. Returns the number of chains set, or -1 with the
 * plan error set on allocation failure. */
EKU_API int eku_plan_read_endpoint_chains(eku_plan *p, const char *dir) __attribute__((warn_unused_result));

/* The plan as a JSON document ("schema": "eku/1"), described field by field
 * in docs/plan.md and by docs/schema/plan.schema.json, with
 * "live_inputs" listing every live input (node, role, endpoint, source,
 * read_at, result: "read" or the failure class, message, chain_length). New
 * reference, or NULL on allocation failure. */
EKU_API json_t *eku_plan_json(const eku_plan *p);

#endif
