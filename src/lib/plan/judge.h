/* Internal: certificate states, findings under construction, the renewal
 * projection. Used by plan_judge.c and plan_run.c. */
#ifndef EKU_PLAN_JUDGE_H
#define EKU_PLAN_JUDGE_H

#include <stdio.h>

#include "plan_int.h"

/* A certificate as the planner sees it: facts that matter, possibly
 * projected (--assume-renewed). */
struct cstate {
	bool present;            /* read from a file */
	bool remote;             /* host:port, not read offline */
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
	struct eku_classification *server_cl, *client_cl;
	struct cstate server, client;
	bool separate;           /* presents client as its client certificate */
	bool used_as_client_mtls;/* some link checks its clientAuth */
	bool acme_threat;        /* ACME renewal drops clientAuth that a link needs */
};

struct judged {
	struct eku_finding f;
	FILE *text;
	char *buf;
	size_t buflen;
	char *act[4];            /* short action text per option A-D, NULL when none */
	int64_t b_by;            /* option B's deadline */
	/* Option D as an upgrade: merged per product family in the action list
	 * (E and C upgrade together), so it is kept as data, not as text. */
	const struct product *up_prod; /* NULL when D is not an upgrade */
	int up_band;
	int64_t up_released;     /* the band's release date, 0 when unknown */
	const struct inv_node *up_sep; /* give it a separate client certificate */
	const struct inv_node *mm_a, *mm_b; /* VERSION_MISMATCH pair, a older */
	bool said_renewal[2];    /* RENEWAL_DUE explained for client / server */
};

bool cstate_public(const struct cstate *s);
const char *node_vendor(const struct inv_node *n, const struct cstate *s);
const char *node_profile(const struct inv_node *n);
bool node_separate_client(const struct inv_node *n);
int judge_prepare_node(struct eku_plan *p, struct node_state *ns, const struct inv_node *n);
void judge_release_node(struct node_state *ns);
const struct cstate *node_client_cert(const struct node_state *ns);
/* ", as renewed on 2027-03-01" (or "on the plan date") for a projected
 * certificate, "" otherwise; buf holds at least 48 bytes. */
const char *cstate_as_renewed(const struct cstate *s, char *buf, size_t len);
int64_t renewal_instant(const struct eku_plan *p, const struct inv_node *n, int64_t nb, int64_t na);
/* First renewal at which the certificate comes back without clientAuth, or 0
 * when never (private PKI, alternative root). *why gets the deciding rule;
 * *first_renewal (may be NULL) the next renewal instant. */
int64_t project_break(const struct eku_plan *p, const struct inv_node *n, const struct cstate *s,
	const struct eku_rule **why, int64_t *first_renewal);

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

/* util.c */
char *plan_date(int64_t t, char buf[16]);
const char *plan_jstr(json_t *o, const char *k);
const char *plan_vendor_label(struct eku_plan *p, const char *id);
/* Does the rule apply to a link of this kind, given its owner's band and
 * settings? */
bool plan_rule_applies(const struct prod_rule *r, const struct inv_node *owner, const struct link_kind *kind);
char *plan_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* options.c */
void compute_options(struct eku_plan *p, struct judged *j, const struct opt_ctx *c);
/* link.c, node.c */
int judge_link(struct eku_plan *p, struct node_state *st, const struct inv_link *l, struct judged *j);
int judge_node(struct eku_plan *p, struct node_state *st, size_t i, struct judged *j);
/* actions.c */
int plan_actions(struct eku_plan *p, const struct eku_finding *f, struct judged *j);
int finish_upgrades(struct eku_plan *p);

#endif
