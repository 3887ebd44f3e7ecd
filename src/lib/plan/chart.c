/* The plan's "chart" (docs/plan.md, docs/report.md): what a timeline of the
 * deployment needs and the findings do not carry — every node certificate
 * with its valid span and projected renewals, and the dated timeline rules
 * that apply to the vendors present. Built once per run, from the same
 * certificate states and renewal projection the judges use. */
#include <stdlib.h>
#include <string.h>

#include "judge.h"
#include "../json_util.h"

/* Renewals are projected this far past the plan date, and at most this many
 * per certificate (ACME at 45 days: ~25 in three years). */
#define CHART_YEARS 3
#define CHART_MAX_RENEWALS 32

static json_t *day(int64_t t)
{
	char d[16];

	return t != 0 ? json_string(plan_date(t, d)) : json_null();
}

/* The renewals of s from the present on, until the chart's horizon. A
 * private or alternative-root certificate renews with the same EKUs and
 * lifetime, so only public ones are projected. */
static json_t *renewals_json(const struct eku_plan *p, const struct inv_node *n, const struct cstate *s)
{
	struct eku_renewer r = node_renewer(p, n, s, false);
	int64_t nb = s->not_before, na = s->not_after, horizon = p->at + (int64_t)CHART_YEARS * 366 * 86400;
	int days = (int)((na - nb) / 86400);
	json_t *a = json_array();

	if (a == NULL || !cstate_public(s) || s->vendor == NULL)
		return a;
	for (int i = 0; i < CHART_MAX_RENEWALS; i++) {
		struct eku_renewal rn;
		int64_t at = eku_renewal_instant(&r, nb, na, p->now);
		if (at <= nb || at > horizon)
			break;
		eku_renewal_issue(&r, at, days, &rn);
		if (rn.not_after <= at)
			break;
		json_array_append_new(a, json_pack("{s:o,s:o,s:b,s:o}", "on", day(at), "not_after",
			day(rn.not_after), "clientauth", rn.clientauth, "rule",
			eku_json_str_or_null(!rn.clientauth && rn.why ? rn.why->id : NULL)));
		nb = at;
		na = rn.not_after;
		days = rn.days;
	}
	return a;
}

static json_t *cert_json(const struct eku_plan *p, const struct inv_node *n, const char *role,
	const struct cstate *s)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "node", n->name, "role", role, "file",
		s->spec ? s->spec : "", "eku", eku_eku_class_name(s->eku), "issuer_class",
		eku_issuer_class_name(s->cls), "vendor", eku_json_str_or_null(s->vendor), "not_before",
		day(s->not_before), "not_after", day(s->not_after), "renewals", renewals_json(p, n, s));
}

static int cmp_rule_date(const void *a, const void *b)
{
	const struct eku_rule *x = *(const struct eku_rule *const *)a, *y = *(const struct eku_rule *const *)b;

	return (x->date > y->date) - (x->date < y->date);
}

static bool vendor_present(const json_t *certs, const char *authority)
{
	size_t i;
	json_t *c;

	if (strcmp(authority, "chrome-root-program") == 0 || strcmp(authority, "cabforum") == 0)
		return true;
	json_array_foreach(certs, i, c) {
		const char *v = json_string_value(json_object_get(c, "vendor"));
		if (v != NULL && strcmp(v, authority) == 0)
			return true;
	}
	return false;
}

/* Current rules that move a date on the chart: CA cut-offs, Chrome's leaf
 * rule, validity caps; for the CAs of the certificates present. */
static json_t *rules_json(const struct eku_plan *p, const json_t *certs)
{
	static const char *const kinds[] = { "clientauth_end", "clientauth_on_request", "leaf_serverauth_only",
		"max_validity" };
	size_t n = 0, total = eku_timeline_rule_count(p->timeline);
	const struct eku_rule **v = calloc(total + 1, sizeof(*v));
	json_t *a = json_array();

	for (size_t i = 0; v != NULL && i < total; i++) {
		const struct eku_rule *r = eku_timeline_rule_at(p->timeline, i);
		bool kind = false;
		for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++)
			kind = kind || strcmp(r->kind, kinds[k]) == 0;
		if (kind && r->date != 0 && strcmp(r->status, "current") == 0 && vendor_present(certs, r->authority))
			v[n++] = r;
	}
	if (v == NULL)
		return json_decref(a), NULL;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_rule_date); /* by date: the chart's rows read downwards in time */
	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:o}", "id", v[i]->id, "authority",
			v[i]->authority, "kind", v[i]->kind, "profile", eku_json_str_or_null(v[i]->profile), "date",
			day(v[i]->date), "days", v[i]->days ? json_integer(v[i]->days) : json_null(), "rule",
			v[i]->rule ? v[i]->rule : "", "source", eku_json_str_or_null(v[i]->source)));
	free(v);
	return a;
}

int plan_chart_build(struct eku_plan *p, const struct node_state *st)
{
	json_t *certs = json_array();

	json_decref(p->chart);
	p->chart = NULL;
	for (size_t i = 0; certs != NULL && i < p->n_nodes; i++) {
		if (st[i].server.present)
			json_array_append_new(certs, cert_json(p, st[i].n, "server", &st[i].server));
		if (st[i].separate && st[i].client.present)
			json_array_append_new(certs, cert_json(p, st[i].n, "client", &st[i].client));
	}
	if (certs != NULL)
		p->chart = json_pack("{s:o,s:o}", "certificates", certs, "rules", rules_json(p, certs));
	return p->chart != NULL ? 0 : -1;
}
