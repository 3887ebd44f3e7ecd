/* Judging one link: the rules of both sides that apply to its kind,
 * version band and settings, against the certificate each rule checks. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"

struct link_ctx {
	struct eku_plan *p;
	const struct inv_link *l;
	struct node_state *cs, *ss;
	struct judged *j;
	bool client_checked;     /* some rule checks the client's clientAuth */
	struct opt_ctx causes[MAX_CAUSES]; /* what options A-D must resolve */
	size_t n_causes;
	bool said_unknown[2];    /* CERT_UNKNOWN explained for client / server */
	const struct link_kind *kind;  /* the model's entry for l->kind */
};

static void add_cause(struct link_ctx *lc, const struct node_state *who, const struct node_state *owner,
	const struct prod_rule *r, const struct cstate *s)
{
	if (lc->n_causes < MAX_CAUSES)
		lc->causes[lc->n_causes++] = (struct opt_ctx){ who, owner, lc->kind, r, s, true };
}

static const char *owner_role(enum rule_side side)
{
	return side == RULE_SERVER ? "accepting side" : "initiating side";
}

static void not_read(struct link_ctx *lc, const struct node_state *who, const struct cstate *s)
{
	finding_raise(lc->j, EKU_SEV_UNKNOWN, 0);
	finding_reason(lc->j, "CERT_NOT_READ");
	plan_live_say_unread(lc->j, who->n->name, s);
}

/* No certificate in the inventory (a partner's node) and a rule checks it:
 * nothing is proven either way. */
static void cert_unknown(struct link_ctx *lc, struct node_state *who)
{
	bool *said = &lc->said_unknown[who == lc->cs ? 0 : 1];

	who->cert_needed = true;
	finding_raise(lc->j, EKU_SEV_UNKNOWN, 0);
	finding_reason(lc->j, "CERT_UNKNOWN");
	if (*said)
		return;
	*said = true;
	finding_say(lc->j, "%s's certificate is not in the inventory, and this link checks it: scan it with "
		"'eku scan', save the chain as PEM and name it under certificates.server.", who->n->name);
}

/* The issuer is not known: a date would be a guess, so the finding says
 * what each answer would mean and how to tell eku. */
static void judge_unknown_issuer(struct link_ctx *lc, const struct prod_rule *r, const struct node_state *who,
	const struct node_state *owner, const struct cstate *s)
{
	struct eku_plan *p = lc->p;
	struct eku_renewal rn;
	int64_t brk = project_break(p, who->n, s, false, &rn, NULL);
	char d[16];

	finding_raise(lc->j, EKU_SEV_UNKNOWN, 0);
	finding_reason(lc->j, "ISSUER_UNKNOWN");
	finding_say(lc->j, "%s requires clientAuth on %s's certificate (%s) [%s], whose chain reaches no known root "
		"(neither public_roots, private_roots, the system bundle nor the embedded Chrome Root Store): eku "
		"cannot tell whether the public sunset applies. If its issuer is a public CA%s%s, ", owner->n->name,
		who->n->name, s->spec, r->id ?: "", node_vendor(who->n, s) ? " (" : "",
		node_vendor(who->n, s) ? plan_vendor_label(p, node_vendor(who->n, s)) : "");
	if (node_vendor(who->n, s) != NULL && lc->j->text != NULL)
		fputs(", inferred from the issuer name", lc->j->text);
	if (brk != 0) {
		finding_say(lc->j, "%s renewal due on %s comes without clientAuth%s", node_vendor(who->n, s) ? "), the" : "its",
			plan_date(brk, d), node_vendor(who->n, s) ? "" : " at the latest (its CA's own cut-off may come "
			"earlier)");
		finding_cite(lc->j, p->timeline, rn.why);
	} else {
		finding_say(lc->j, "%s no dated rule ends clientAuth for it.", node_vendor(who->n, s) ? ")," : "");
	}
	finding_say(lc->j, "If it is a private CA, the link is not affected. Tell eku which: name the root in the "
		"inventory's public_roots (with its ca_vendor) or private_roots, or put the intermediates into %s.", s->spec);
}

/* The certificate is fine today; will a renewal drop clientAuth? */
static void judge_future(struct link_ctx *lc, const struct prod_rule *r, const struct node_state *who,
	const struct node_state *owner, const struct cstate *s, bool soft)
{
	struct eku_plan *p = lc->p;
	struct eku_renewal rn, asked;
	int64_t first = 0, brk, brk_asked;
	char d[16], d2[16], d3[16], rb[48];

	if (s->alt_root) {
		finding_raise(lc->j, EKU_SEV_OK, 0);
		finding_reason(lc->j, "ALT_ROOT");
		finding_say(lc->j, "%s's certificate chains to an alternative root that keeps issuing combined EKU.",
			who->n->name);
		return;
	}
	if (!cstate_public(s)) {
		finding_raise(lc->j, EKU_SEV_NOT_AFFECTED, 0);
		finding_reason(lc->j, "PRIVATE_PKI");
		finding_say(lc->j, "%s's certificate is issued by a %s CA: the public clientAuth sunset does not apply.",
			who->n->name, eku_issuer_class_name(s->cls));
		return;
	}
	if (s->cls == EKU_ISSUER_UNKNOWN && !s->renewed) {
		judge_unknown_issuer(lc, r, who, owner, s);
		return;
	}
	brk = project_break(p, who->n, s, false, &rn, &first);
	if (brk == 0) {
		finding_raise(lc->j, EKU_SEV_OK, 0);
		return;
	}
	finding_raise(lc->j, soft ? EKU_SEV_OK : EKU_SEV_AT_RISK, brk);
	finding_reason(lc->j, "PUBLIC_CLIENTAUTH_SUNSET");
	finding_reason(lc->j, "RENEWAL_DROPS_CLIENTAUTH");
	if (rn.why != NULL && strcmp(rn.why->kind, "clientauth_on_request") == 0) {
		/* Vendors that issue clientAuth on request only: an ordinary
		 * renewal drops it before the vendor's final date. */
		brk_asked = project_break(p, who->n, s, true, &asked, NULL);
		finding_reason(lc->j, "CLIENTAUTH_ON_REQUEST");
		finding_say(lc->j, "%s's certificate (%s, %s%s) carries clientAuth on %s, but the renewal due on %s will "
			"come without it from %s unless clientAuth is requested explicitly:", who->n->name, s->spec,
			eku_eku_class_name(s->eku), cstate_as_renewed(s, rb, sizeof(rb)), plan_date(p->at, d2),
			plan_date(brk, d), plan_vendor_label(p, node_vendor(who->n, s)));
		finding_cite(lc->j, p->timeline, rn.why);
		if (brk_asked != 0) {
			finding_say(lc->j, "Requested explicitly, renewals keep it until the one due on %s:",
				plan_date(brk_asked, d3));
			finding_cite(lc->j, p->timeline, asked.why);
		}
	} else {
		finding_say(lc->j, "%s's certificate (%s, %s%s) carries clientAuth on %s, but the renewal due on %s will "
			"come without it from %s:", who->n->name, s->spec, eku_eku_class_name(s->eku),
			cstate_as_renewed(s, rb, sizeof(rb)), plan_date(p->at, d2), plan_date(brk, d),
			plan_vendor_label(p, node_vendor(who->n, s)));
		finding_cite(lc->j, p->timeline, rn.why);
	}
	if (who->n->acme && first == brk) {
		finding_reason(lc->j, "ACME_DROPS_CLIENTAUTH");
		finding_say(lc->j, "ACME auto-renewal (%s%s%s) will do this silently.", who->n->acme_ca,
			who->n->acme_profile ? ", profile " : "", who->n->acme_profile ? who->n->acme_profile : "");
	}
	finding_say(lc->j, "%s requires it: %s [%s].", owner->n->name, r->explain, r->id ?: "");
	if (!soft)
		add_cause(lc, who, owner, r, s);
}

static void say_renewal_due(struct link_ctx *lc, const struct node_state *who, const struct cstate *s, int k)
{
	if (lc->j->said_renewal[k])
		return;
	/* The accepting side's renewal matters only when it changed EKUs. */
	if (k == 1 && s->dropped_on == 0) {
		finding_reason(lc->j, "RENEWAL_DUE");
		return;
	}
	lc->j->said_renewal[k] = true;
	renewal_story(lc->p, lc->j, who->n->name, who->n->acme, s);
}

static void judge_rule(struct link_ctx *lc, const struct prod_rule *r, struct node_state *owner)
{
	struct eku_plan *p = lc->p;
	const char *tv = lc->l->tls_verify;
	bool check_client = r->checks == RULE_CLIENT, soft = false;
	struct node_state *who = check_client ? lc->cs : lc->ss;
	const struct cstate *s = check_client ? node_client_cert(lc->cs) : &lc->ss->server;
	bool need_s = (r->needs & NEED_SERVER_AUTH) != 0, need_c = (r->needs & NEED_CLIENT_AUTH) != 0;
	bool lack_s, lack_c;
	char d[16], rb[48];

	if (!r->tls_verify_ignore) {
		if (strcmp(tv, "off") == 0) {
			if (need_c)
				finding_reason(lc->j, "TLS_VERIFY_OFF");
			return;
		}
		soft = strcmp(tv, "permissive") == 0;
	}
	if (!need_s && !need_c) {
		finding_say(lc->j, "%s (%s).", r->explain, r->id ?: "");
		finding_rule(lc->j, r->id);
		if (r->reason != NULL)
			finding_reason(lc->j, r->reason);
		return;
	}
	if (need_c && check_client) {
		lc->client_checked = true;
		lc->cs->used_as_client_mtls = true;
	}
	if (owner->n->prod->assumed)
		finding_reason(lc->j, "ASSUMED_REQUIREMENT");
	if (!s->present) {
		if (s->remote)
			not_read(lc, who, s);
		else
			cert_unknown(lc, who);
		return;
	}
	if (p->at >= s->not_after || p->at < s->not_before) {
		finding_raise(lc->j, EKU_SEV_BROKEN, 0);
		finding_reason(lc->j, p->at >= s->not_after ? "EXPIRED" : "NOT_YET_VALID");
		finding_say(lc->j, "%s's certificate (%s) is %s %s.", who->n->name, s->spec,
			p->at >= s->not_after ? "expired since" : "not valid before",
			plan_date(p->at >= s->not_after ? s->not_after : s->not_before, d));
		return;
	}
	if (!s->chain_complete && !s->renewed)
		finding_reason(lc->j, "CHAIN_INCOMPLETE");
	if (s->due)
		say_renewal_due(lc, who, s, check_client ? 0 : 1);
	lack_s = need_s && !eku_eku_class_allows_server(s->eku);
	lack_c = need_c && !eku_eku_class_allows_client(s->eku);
	finding_rule(lc->j, r->id);
	if (lack_s || lack_c) {
		finding_raise(lc->j, soft ? EKU_SEV_OK : EKU_SEV_BROKEN, 0);
		if (lack_c)
			finding_reason(lc->j, "CLIENT_EKU_MISSING");
		if (lack_s)
			finding_reason(lc->j, "SERVER_EKU_MISSING");
		if (need_s && need_c)
			finding_reason(lc->j, "BOTH_EKUS_REQUIRED");
		if (soft)
			finding_reason(lc->j, "VERIFY_PERMISSIVE");
		finding_say(lc->j, "%s's certificate (%s, %s%s) lacks %s, and %s (%s, %s) checks it: %s [%s; %s].%s",
			who->n->name, s->spec, eku_eku_class_name(s->eku), cstate_as_renewed(s, rb, sizeof(rb)),
			lack_c && lack_s ? "serverAuth and clientAuth" : lack_c ? "clientAuth" : "serverAuth",
			owner->n->name, owner_role(r->side), owner->n->prod->id,
			r->explain, r->id ?: "", r->source,
			soft ? " The link works only because verification is permissive." : "");
		if (lack_c && !soft)
			add_cause(lc, who, owner, r, s);
		return;
	}
	if (need_c) {
		judge_future(lc, r, who, owner, s, soft);
		return;
	}
	finding_raise(lc->j, cstate_public(s) ? EKU_SEV_OK : EKU_SEV_NOT_AFFECTED, 0);
}

static void version_mismatch(struct link_ctx *lc)
{
	const struct inv_node *a = lc->cs->n, *b = lc->ss->n;

	if (a->prod == NULL || b->prod == NULL || a->prod->family == NULL || a->prod->family != b->prod->family ||
	    a->prod == b->prod || a->version == NULL || b->version == NULL || strcmp(a->version, b->version) == 0)
		return;
	if (!a->prod->same_version || !b->prod->same_version)
		return;
	/* Unsupported today, but not a proven failure: the EKU checks of each
	 * side are judged by its own version above. See docs/plan.md. */
	finding_raise(lc->j, EKU_SEV_AT_RISK, lc->p->at);
	finding_reason(lc->j, "VERSION_MISMATCH");
	finding_say(lc->j, "%s runs %s and %s runs %s: Expressway-C and -E must run the same version, so the "
		"pair is unsupported from today, and an upgrade of either is an upgrade of both [%s].",
		a->name, a->version, b->name, b->version, a->prod->family->same_version_source ?: "");
	if (plan_version_cmp(a->version, b->version) < 0) {
		lc->j->mm_a = a;
		lc->j->mm_b = b;
	} else {
		lc->j->mm_a = b;
		lc->j->mm_b = a;
	}
}

static void each_rule(struct link_ctx *lc, const struct prod_rule *rules, size_t n, struct node_state *fixed_owner,
	const enum rule_side *side)
{
	for (size_t i = 0; i < n; i++) {
		const struct prod_rule *r = &rules[i];
		struct node_state *owner = fixed_owner ? fixed_owner : r->side == RULE_SERVER ? lc->ss : lc->cs;
		if (side != NULL && r->side != *side)
			continue;
		if (owner->n->prod == NULL || !plan_rule_applies(r, owner->n, lc->kind))
			continue;
		judge_rule(lc, r, owner);
	}
}

int judge_link(struct eku_plan *p, struct node_state *st, const struct inv_link *l, struct judged *j)
{
	struct link_ctx lc = { p, l, &st[l->client], &st[l->server], j, false, { { 0 } }, 0, { false, false },
		plan_link_kind_find(&p->prods, l->kind) };
	static const enum rule_side server = RULE_SERVER, client = RULE_CLIENT;
	char id[512], subj[512];

	snprintf(id, sizeof(id), "link:%s:%s->%s", l->kind, lc.cs->n->name, lc.ss->n->name);
	snprintf(subj, sizeof(subj), "%s -> %s (%s%s, tls_verify %s)", lc.cs->n->name, lc.ss->n->name, l->kind,
		l->implied ? ", implied by cluster" : "", l->tls_verify);
	if (finding_init(j, EKU_FINDING_LINK, id, subj) != 0)
		return -1;
	if (lc.cs->n->prod == NULL || lc.ss->n->prod == NULL)
		return 0;
	version_mismatch(&lc);
	each_rule(&lc, p->prods.universal, p->prods.n_universal, NULL, NULL);
	each_rule(&lc, lc.ss->n->prod->rules, lc.ss->n->prod->n_rules, lc.ss, &server);
	each_rule(&lc, lc.cs->n->prod->rules, lc.cs->n->prod->n_rules, lc.cs, &client);
	if (!lc.client_checked) {
		/* Decision tree step 2: a public certificate nobody checks for
		 * clientAuth has minimal impact, which is "ok", not "not affected". */
		if (cstate_public(node_client_cert(lc.cs)) && node_client_cert(lc.cs)->present)
			finding_raise(j, EKU_SEV_OK, 0);
		finding_reason(j, "CLIENT_EKU_NOT_REQUIRED");
		finding_say(j, "Nothing on this link checks clientAuth on %s's certificate%s: minimal impact, keep "
			"monitoring.", lc.cs->n->name, strcmp(l->tls_verify, "off") == 0 ? " (tls_verify off)" : "");
	}
	plan_live_say_read(j, lc.cs->n->name, node_client_cert(lc.cs));
	plan_live_say_read(j, lc.ss->n->name, &lc.ss->server);
	if (lc.n_causes > 0 && j->f.severity >= EKU_SEV_AT_RISK)
		return compute_options(p, j, lc.causes, lc.n_causes);
	return 0;
}

