/* Internal: certificate states, findings under construction, the renewal
 * projection. Used by plan_judge.c and plan_run.c. */
#ifndef EKU_PLAN_JUDGE_H
#define EKU_PLAN_JUDGE_H

#include <stdio.h>

#include <eku/sunset.h>

#include "plan_int.h"

/* A certificate as the planner sees it: facts that matter, possibly
 * projected (--assume-renewed). */
struct cstate {
	bool present;            /* read from a file */
	bool remote;             /* host:port, not read offline */
	const struct plan_live *live; /* remote and read (or tried) live, or NULL */
	bool renewed;            /* projected by --assume-renewed */
	const char *spec;        /* as written in the inventory */
	enum eku_eku_class eku;
	int64_t not_before, not_after;
	enum eku_issuer_class cls;
	const char *vendor;      /* borrowed from the classification */
	bool alt_root, chain_complete;
	/* Expired by the plan date but not at the present: projected through its
	 * renewals (RENEWAL_DUE). renewed is set too. */
	bool due;
	int64_t due_on;          /* the file's not_after */
	int64_t dropped_on;      /* first renewal without clientAuth, 0 when none */
	const struct eku_rule *drop_rule;
	enum eku_eku_class eku_before;
};

struct node_state {
	const struct inv_node *n;
	/* borrowed from the run's struct cl_cache */
	const struct eku_classification *server_cl, *client_cl;
	struct cstate server, client;
	bool separate;           /* presents client as its client certificate */
	bool used_as_client_mtls;/* some link checks its clientAuth */
	bool acme_threat;        /* ACME renewal drops clientAuth that a link needs */
	bool cert_needed;        /* no certificate given, and a link rule checks it */
};

#define MAX_CAUSES 8

/* Option D as an upgrade: merged per product family in the action list (E
 * and C upgrade together), so it is kept as data, not as text. */
struct opt_upgrade {
	const struct product *prod;
	const struct inv_node *node; /* the node D upgrades: its upgrade group upgrades */
	int band;
	int64_t released;            /* the band's release date, 0 when unknown */
	const struct inv_node *sep;  /* give it a separate client certificate */
	bool sep_c_open;             /* ... which a private CA (C) may issue */
};

struct judged {
	struct eku_finding f;
	FILE *text;
	char *buf;
	size_t buflen;
	eku_strv act[4];         /* short action texts per option A-D, one per cause */
	int64_t b_by;            /* option B's best renewal day */
	struct opt_upgrade up[MAX_CAUSES];
	size_t n_up;
	const struct inv_node *mm_a, *mm_b; /* VERSION_MISMATCH pair, a older */
	bool said_renewal[2];    /* RENEWAL_DUE explained for client / server */
};

bool cstate_public(const struct cstate *s);
const char *node_vendor(const struct inv_node *n, const struct cstate *s);
const char *node_profile(const struct inv_node *n);
bool node_separate_client(const struct inv_node *n);
/* Classifications of the run, one per distinct certificate list (nodes that
 * name the same file share one list). */
struct cl_cache {
	eku_hmap *idx;           /* eku_certlist pointer -> index into v */
	struct eku_classification **v;
	size_t n, cap;
};
void cl_cache_clear(struct cl_cache *c);
int judge_prepare_node(struct eku_plan *p, struct cl_cache *cache, struct node_state *ns,
	const struct inv_node *n);
const struct cstate *node_client_cert(const struct node_state *ns);
/* ", as renewed on 2027-03-01" (or "on the plan date") for a projected
 * certificate, "" otherwise; buf holds at least 48 bytes. */
const char *cstate_as_renewed(const struct cstate *s, char *buf, size_t len);
/* How n's owner renews certificate s (vendor, ACME, Chrome's leaf rule). */
struct eku_renewer node_renewer(const struct eku_plan *p, const struct inv_node *n, const struct cstate *s,
	bool explicit_clientauth);
/* First renewal from the plan date on whose certificate comes without
 * clientAuth, or 0 when never (private PKI, alternative root). An ordinary
 * renewal (explicit_clientauth false) loses clientAuth as soon as the vendor
 * issues it on request only. *brk (may be NULL) gets that renewal with its
 * deciding rule; *first_renewal (may be NULL) the next renewal instant. */
int64_t project_break(const struct eku_plan *p, const struct inv_node *n, const struct cstate *s,
	bool explicit_clientauth, struct eku_renewal *brk, int64_t *first_renewal);

int finding_init(struct judged *j, enum eku_finding_kind kind, const char *id, const char *subject);
void finding_raise(struct judged *j, enum eku_severity s, int64_t date);
int finding_reason(struct judged *j, const char *code);
int finding_rule(struct judged *j, const char *id);
void finding_say(struct judged *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void finding_cite(struct judged *j, const struct eku_timeline *pol, const struct eku_rule *r);
int finding_finish(struct judged *j, struct eku_finding *out);
void finding_discard(struct judged *j);
/* Says what the renewals between the present and the plan date brought
 * (RENEWAL_DUE). */
void renewal_story(struct eku_plan *p, struct judged *j, const char *who, bool acme, const struct cstate *s);

#define DAY 86400

/* What options A-D are computed for: whose certificate fails or will fail,
 * who checks it, under which rule. */
struct opt_ctx {
	const struct node_state *checked;  /* whose certificate fails or will fail */
	const struct node_state *acceptor; /* who checks it */
	const struct link_kind *kind;      /* NULL for node findings */
	const struct prod_rule *rule;      /* the product rule that fails */
	const struct cstate *cert;
	bool client_problem;               /* clientAuth (not serverAuth) is the issue */
};

/* live.c: what the explanation says about a host:port certificate: where
 * and when it was read live, or why it could not be read. */
void plan_live_say_read(struct judged *j, const char *who, const struct cstate *s);
void plan_live_say_unread(struct judged *j, const char *who, const struct cstate *s);
/* "expe1: 127.0.0.1:9 (refused at ...: ...)" for the unread list; NULL on
 * allocation failure. */
char *plan_live_unread_entry(const char *who, const struct cstate *s);

/* util.c */
char *plan_date(int64_t t, char buf[16]);
const char *plan_jstr(json_t *o, const char *k);
const char *plan_vendor_label(struct eku_plan *p, const char *id);
/* Does the rule apply to a link of this kind, given its owner's band and
 * settings? */
bool plan_rule_applies(const struct prod_rule *r, const struct inv_node *owner, const struct link_kind *kind);
char *plan_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* options.c */
/* The name of the upgrade group option D upgrades n with (its cluster and
 * the C/E pair it is linked with), or n's own name. */
const char *judge_upgrade_group(const struct eku_plan *p, const struct inv_node *n);
/* Options A-D for a finding with n causes (n <= MAX_CAUSES). */
int compute_options(struct eku_plan *p, struct judged *j, const struct opt_ctx *causes, size_t n)
	__attribute__((warn_unused_result));
/* link.c, node.c */
int judge_link(struct eku_plan *p, struct node_state *st, const struct inv_link *l, struct judged *j);
int judge_node(struct eku_plan *p, struct node_state *st, size_t i, struct judged *j);
/* actions.c */
/* chart.c: p->chart from the run's certificate states. Returns 0 or -1
 * (out of memory). */
int plan_chart_build(struct eku_plan *p, const struct node_state *st) __attribute__((warn_unused_result));

int plan_actions(struct eku_plan *p, const struct eku_finding *f, struct judged *j);
int finish_upgrades(struct eku_plan *p);

#endif
