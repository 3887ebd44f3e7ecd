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
void finding_cite(struct judged *j, const struct eku_policy *pol, const struct eku_rule *r);
int finding_finish(struct judged *j, struct eku_finding *out);
void finding_discard(struct judged *j);

#endif
