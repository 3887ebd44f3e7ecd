/* Judging one node on its own: expiry, validity cap, ACME, GUI upload,
 * client store and cluster peers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"

static const struct prod_rule *band_rule(const struct prod_rule *rules, size_t n_rules, const struct inv_node *n)
{
	for (size_t i = 0; i < n_rules; i++) {
		const struct prod_rule *r = &rules[i];
		bool skip = false;
		if (n->band < 0 || !plan_rule_in_band(r, n->band))
			continue;
		for (size_t k = 0; k < r->n_unless; k++)
			skip |= strcmp(plan_jstr(n->settings, r->unless[k].setting->name) ?: "", r->unless[k].values[0]) == 0;
		if (!skip)
			return r;
	}
	return NULL;
}

static void node_cap(struct eku_plan *p, struct judged *j, const struct node_state *ns, const struct cstate *s)
{
	const struct eku_rule *cap_rule = NULL;
	int cap = eku_timeline_max_validity(p->timeline, s->not_before, &cap_rule);
	int64_t days = (s->not_after - s->not_before + DAY - 1) / DAY;

	if (!cstate_public(s) || cap <= 0 || days <= cap || s->renewed)
		return;
	finding_raise(j, EKU_SEV_AT_RISK, 0);
	finding_reason(j, "VALIDITY_OVER_CAP");
	finding_say(j, "%s's certificate is valid for %lld days, over the %d-day cap in force when it was issued:",
		ns->n->name, (long long)days, cap);
	finding_cite(j, p->timeline, cap_rule);
}

static void node_upload(struct eku_plan *p, struct judged *j, struct node_state *ns, const struct cstate *s,
	struct opt_ctx *oc, bool *have)
{
	const struct prod_rule *r = ns->n->prod ? band_rule(ns->n->prod->upload, ns->n->prod->n_upload, ns->n) : NULL;
	struct eku_renewal rn;
	int64_t brk;
	char d[16];

	if (r == NULL)
		return;
	finding_rule(j, r->id);
	if (!eku_eku_class_allows_client(s->eku) && s->due && s->dropped_on != 0) {
		finding_raise(j, EKU_SEV_AT_RISK, 0);
		finding_reason(j, "GUI_UPLOAD_REFUSED");
		finding_say(j, "The renewal due on %s lacks clientAuth and on %s %s %s [%s]; it can only be installed "
			"by SCP.", plan_date(s->dropped_on, d), ns->n->prod->id, ns->n->version, r->explain,
			r->id ?: "");
	} else if (!eku_eku_class_allows_client(s->eku)) {
		finding_raise(j, EKU_SEV_AT_RISK, 0);
		finding_reason(j, "GUI_UPLOAD_REFUSED");
		finding_say(j, "The current certificate lacks clientAuth: on %s %s %s [%s]; it can only have been "
			"installed by SCP.", ns->n->prod->id, ns->n->version, r->explain, r->id ?: "");
	} else if ((brk = project_break(p, ns->n, s, false, &rn, NULL)) != 0) {
		finding_raise(j, EKU_SEV_AT_RISK, brk);
		finding_reason(j, "GUI_UPLOAD_REFUSED");
		finding_say(j, "The renewal due on %s will lack clientAuth%s and %s [%s].", plan_date(brk, d),
			rn.why != NULL && strcmp(rn.why->kind, "clientauth_on_request") == 0 ?
			" unless it is requested explicitly" : "", r->explain, r->id ?: "");
	} else {
		return;
	}
	*oc = (struct opt_ctx){ ns, ns, NULL, r, s, true };
	*have = true;
}

static void node_client_store(struct eku_plan *p, struct judged *j, struct node_state *ns)
{
	const struct prod_rule *cs = ns->n->prod ? ns->n->prod->client_store : NULL;

	if (cs == NULL || ns->n->band < 0 || !plan_rule_in_band(cs, ns->n->band))
		return;
	if (ns->separate && ns->client.present && !eku_eku_class_allows_client(ns->client.eku)) {
		finding_raise(j, EKU_SEV_BROKEN, 0);
		finding_reason(j, "CLIENT_STORE_REJECTS");
		finding_say(j, "The client certificate (%s) lacks clientAuth: %s [%s].", ns->client.spec,
			cs->explain, cs->source);
	}
}

static void node_cluster(struct eku_plan *p, struct judged *j, const struct node_state *st, size_t i)
{
	const struct inv_node *n = &p->nodes[i];

	for (size_t k = 0; k < n->cluster.n; k++) {
		long m = plan_node_find(p, n->cluster.v[k]);
		const struct cstate *a = &st[i].server, *b = m >= 0 ? &st[m].server : NULL;
		if (b == NULL || !a->present || !b->present || a->eku == b->eku)
			continue;
		finding_raise(j, EKU_SEV_AT_RISK, 0);
		finding_reason(j, "CLUSTER_EKU_MISMATCH");
		finding_say(j, "Cluster peer %s has a %s certificate while %s has %s: peers should carry the same "
			"EKUs, or replication works one way only.", p->nodes[m].name, eku_eku_class_name(b->eku),
			n->name, eku_eku_class_name(a->eku));
	}
}

static void node_acme(struct eku_plan *p, struct judged *j, const struct node_state *ns, const struct cstate *s)
{
	struct eku_renewal rn;
	int64_t first = 0, brk;
	char d[16];

	if (!ns->n->acme || !eku_eku_class_allows_client(s->eku) || !cstate_public(s))
		return;
	brk = project_break(p, ns->n, s, false, &rn, &first);
	if (brk == 0 || brk != first)
		return;
	finding_raise(j, ns->used_as_client_mtls ? EKU_SEV_AT_RISK : EKU_SEV_OK, brk);
	finding_reason(j, "ACME_DROPS_CLIENTAUTH");
	finding_say(j, "ACME auto-renewal (%s%s%s) around %s will silently replace the certificate with one "
		"without clientAuth:", ns->n->acme_ca, ns->n->acme_profile ? ", profile " : "",
		ns->n->acme_profile ? ns->n->acme_profile : "", plan_date(brk, d));
	finding_cite(j, p->timeline, rn.why);
}

/* No certificate in the inventory: unknown only when a link rule needed it
 * (links are judged first); otherwise nothing here depends on it. */
static int node_cert_unknown(struct eku_plan *p, struct judged *j, const struct node_state *ns)
{
	finding_reason(j, "CERT_UNKNOWN");
	if (!ns->cert_needed) {
		finding_say(j, "No certificate in the inventory, and no link here checks one: nothing in this "
			"inventory depends on it.");
		return 0;
	}
	finding_raise(j, EKU_SEV_UNKNOWN, 0);
	finding_say(j, "No certificate in the inventory, and links here check it: scan it with 'eku scan', save the "
		"chain as PEM and name it under certificates.server.");
	return eku_strv_push0(&p->unread, plan_fmt("%s: no certificate in the inventory", ns->n->name));
}

int judge_node(struct eku_plan *p, struct node_state *st, size_t i, struct judged *j)
{
	struct node_state *ns = &st[i];
	const struct inv_node *n = ns->n;
	const struct cstate *s = &ns->server;
	struct opt_ctx oc;
	bool have = false;
	char id[300], subj[300], d[16];

	snprintf(id, sizeof(id), "node:%s", n->name);
	snprintf(subj, sizeof(subj), "%s (%s%s%s)", n->name, n->prod ? n->prod->id : "?", n->version ? " " : "",
		n->version ? n->version : "");
	if (finding_init(j, EKU_FINDING_NODE, id, subj) != 0)
		return -1;
	if (!s->present) {
		if (s->remote) {
			finding_raise(j, EKU_SEV_UNKNOWN, 0);
			finding_reason(j, "CERT_NOT_READ");
			plan_live_say_unread(j, n->name, s);
			if (eku_strv_push0(&p->unread, plan_live_unread_entry(n->name, s)) != 0)
				return -1;
		} else {
			return node_cert_unknown(p, j, ns);
		}
		return 0;
	}
	plan_live_say_read(j, n->name, s);
	if (p->at >= s->not_after) {
		finding_raise(j, EKU_SEV_BROKEN, 0);
		finding_reason(j, "EXPIRED");
		finding_say(j, "The certificate (%s) expired on %s.", s->spec, plan_date(s->not_after, d));
	}
	if (s->due)
		renewal_story(p, j, n->name, n->acme, s);
	if (!s->chain_complete && !s->renewed) {
		finding_reason(j, "CHAIN_INCOMPLETE");
		finding_say(j, "The chain of %s is incomplete (issuer not found): add the intermediates to the file "
			"or declare the root; the issuer class is a guess.", s->spec);
	}
	if (cstate_public(s)) {
		finding_raise(j, EKU_SEV_OK, 0);
		if (!ns->used_as_client_mtls && s->cls == EKU_ISSUER_UNKNOWN && !s->renewed) {
			finding_reason(j, "PUBLIC_NO_MTLS");
			finding_say(j, "Issuer unknown%s%s%s; not used as a client certificate in mTLS by any link: minimal "
				"impact whether it is public or private, keep monitoring.", node_vendor(n, s) ? " (" : "",
				node_vendor(n, s) ? plan_vendor_label(p, node_vendor(n, s)) : "",
				node_vendor(n, s) ? " by its issuer name)" : "");
		} else if (!ns->used_as_client_mtls) {
			finding_reason(j, "PUBLIC_NO_MTLS");
			finding_say(j, "Public certificate (%s) not used as a client certificate in mTLS by any link: "
				"minimal impact, keep monitoring.", plan_vendor_label(p, node_vendor(n, s)));
		}
	} else if (s->alt_root) {
		finding_raise(j, EKU_SEV_OK, 0);
		finding_reason(j, "ALT_ROOT");
	} else {
		finding_reason(j, "PRIVATE_PKI");
		finding_say(j, "Issued by a %s CA: not affected by the public clientAuth sunset.",
			eku_issuer_class_name(s->cls));
	}
	node_cap(p, j, ns, s);
	node_acme(p, j, ns, s);
	node_upload(p, j, ns, s, &oc, &have);
	node_client_store(p, j, ns);
	node_cluster(p, j, st, i);
	if (have && j->f.severity >= EKU_SEV_AT_RISK)
		return compute_options(p, j, &oc, 1);
	return 0;
}

