/* Judging links and nodes: which certificate is presented in which role,
 * what the accepting side checks, and when the issuing CA stops putting
 * clientAuth in renewals (DOMAIN.md sections 3 and 4). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/sunset.h>

#include "judge.h"

#define MAX_RENEWALS 400

/* --- certificate states ------------------------------------------------------ */

bool cstate_public(const struct cstate *s)
{
	return (s->cls == EKU_ISSUER_WEBPKI || s->cls == EKU_ISSUER_UNKNOWN) && !s->alt_root;
}

static void cstate_from(struct cstate *s, eku_certlist *l, struct eku_classification *cl,
	const char *spec)
{
	const struct eku_facts *f = eku_cert_facts(eku_certlist_get0(l, 0));

	s->present = true;
	s->spec = spec;
	s->eku = f->eku_class;
	s->not_before = f->not_before;
	s->not_after = f->not_after;
	s->cls = cl->issuer_class;
	s->vendor = cl->ca_vendor;
	s->alt_root = cl->alt_root;
	s->chain_complete = cl->chain_complete;
}

/* --assume-renewed: the certificate as its CA would issue it today. Private
 * PKI keeps its profile; public CAs apply today's clientAuth rule and cap. */
static void cstate_renew(const struct eku_plan *p, const struct inv_node *n, struct cstate *s)
{
	int64_t life = s->not_after - s->not_before;
	int days;

	if (!s->present)
		return;
	s->renewed = true;
	if (cstate_public(s)) {
		bool client = eku_timeline_issues_clientauth(p->timeline, node_vendor(n, s), node_profile(n),
			s->cls == EKU_ISSUER_WEBPKI || s->cls == EKU_ISSUER_UNKNOWN, p->at, NULL);
		days = n->acme ? eku_timeline_acme_lifetime(p->timeline, node_vendor(n, s), node_profile(n), p->at, NULL) : 0;
		if (days == 0)
			days = eku_timeline_max_validity(p->timeline, p->at, NULL);
		if (days > 0)
			life = (int64_t)days * DAY;
		if (!client && eku_eku_class_allows_server(s->eku))
			s->eku = EKU_CLASS_SERVER_ONLY;
	}
	s->not_before = p->at;
	s->not_after = p->at + life;
}

/* A certificate that expires between the present and the plan date is not
 * "expired" in a what-if: its owner renews it. Each renewal (at expiry, or
 * with a third left under ACME) takes the CA rules and the validity cap in
 * force on its day, so the plan judges the certificate the owner will hold
 * on the plan date and says what the renewals changed. */
static void cstate_project_due(const struct eku_plan *p, const struct inv_node *n, struct cstate *s)
{
	int64_t nb = s->not_before, na = s->not_after, r;

	if (!s->present || na > p->at || na <= p->now)
		return;
	s->due = s->renewed = true;
	s->due_on = na;
	s->eku_before = s->eku;
	for (int i = 0; i < MAX_RENEWALS; i++) {
		int64_t life = na - nb;
		r = n->acme ? na - (na - nb) / 3 : na;
		if (r < p->now)
			r = p->now;
		if (r > p->at)
			break;
		if (cstate_public(s)) {
			const struct eku_rule *why = NULL;
			bool client = eku_timeline_issues_clientauth(p->timeline, node_vendor(n, s), node_profile(n), true, r,
				&why);
			int days = n->acme ? eku_timeline_acme_lifetime(p->timeline, node_vendor(n, s), node_profile(n), r, NULL) : 0;
			if (days == 0)
				days = eku_timeline_max_validity(p->timeline, r, NULL);
			if (days > 0)
				life = (int64_t)days * DAY;
			if (!client && eku_eku_class_allows_client(s->eku) && eku_eku_class_allows_server(s->eku)) {
				s->eku = EKU_CLASS_SERVER_ONLY;
				s->dropped_on = r;
				s->drop_rule = why;
			}
		}
		nb = r;
		na = r + life;
	}
	s->not_before = nb;
	s->not_after = na;
}

const char *cstate_as_renewed(const struct cstate *s, char *buf, size_t len)
{
	char d[16];

	if (!s->renewed)
		return "";
	if (s->due)
		snprintf(buf, len, ", as renewed on %s", eku_time_date(s->not_before, d, sizeof(d)));
	else
		snprintf(buf, len, ", as renewed on the plan date");
	return buf;
}

const char *node_vendor(const struct inv_node *n, const struct cstate *s)
{
	if (s != NULL && s->vendor != NULL)
		return s->vendor;
	return n->acme ? n->acme_ca : NULL;
}

const char *node_profile(const struct inv_node *n)
{
	return n->acme ? n->acme_profile : NULL;
}

int judge_prepare_node(struct eku_plan *p, struct node_state *ns, const struct inv_node *n)
{
	memset(ns, 0, sizeof(*ns));
	ns->n = n;
	if (n->server_certs != NULL) {
		ns->server_cl = eku_trust_classify(p->trust, eku_certlist_get0(n->server_certs, 0), n->server_certs);
		if (ns->server_cl == NULL)
			return -1;
		cstate_from(&ns->server, n->server_certs, ns->server_cl, n->server_spec);
	}
	ns->server.spec = n->server_spec;
	ns->server.remote = n->server_remote;
	if (n->client_certs != NULL) {
		ns->client_cl = eku_trust_classify(p->trust, eku_certlist_get0(n->client_certs, 0), n->client_certs);
		if (ns->client_cl == NULL)
			return -1;
		cstate_from(&ns->client, n->client_certs, ns->client_cl, n->client_spec);
	}
	ns->client.spec = n->client_spec;
	ns->client.remote = n->client_remote;
	ns->separate = node_separate_client(n) && (n->client_spec != NULL);
	if (p->assume_renewed) {
		cstate_renew(p, n, &ns->server);
		cstate_renew(p, n, &ns->client);
	} else {
		cstate_project_due(p, n, &ns->server);
		cstate_project_due(p, n, &ns->client);
	}
	return 0;
}

void judge_release_node(struct node_state *ns)
{
	eku_classification_free(ns->server_cl);
	eku_classification_free(ns->client_cl);
}

/* May this node present a separate client certificate (X15.5 stores, or any
 * unversioned product given one)? */
bool node_separate_client(const struct inv_node *n)
{
	int from;

	if (n->prod == NULL)
		return false;
	if (n->prod->family == NULL)
		return true;
	from = n->prod->separate_client_cert_from;
	return from >= 0 && n->band >= 0 && n->band >= from;
}

const struct cstate *node_client_cert(const struct node_state *ns)
{
	return ns->separate ? &ns->client : &ns->server;
}

/* --- the renewal projection -------------------------------------------------- */

int64_t renewal_instant(const struct eku_plan *p, const struct inv_node *n, int64_t nb, int64_t na)
{
	/* ACME clients renew with a third of the lifetime left (certbot's 30 of
	 * 90 days); a manual certificate is replaced when it expires. */
	int64_t r = n->acme ? na - (na - nb) / 3 : na;
	return r < p->at ? p->at : r;
}

int64_t project_break(const struct eku_plan *p, const struct inv_node *n, const struct cstate *s,
	const struct eku_rule **why, int64_t *first_renewal)
{
	*why = NULL;
	if (!cstate_public(s))
		return 0;
	if (first_renewal != NULL)
		*first_renewal = renewal_instant(p, n, s->not_before, s->not_after);
	/* The same projection `eku inspect` uses per certificate. */
	return eku_sunset_project_break(p->timeline, node_vendor(n, s), node_profile(n), true, n->acme,
		s->not_before, s->not_after, p->at, why);
}

/* What the renewals between the present and the plan date brought. */
void renewal_story(struct eku_plan *p, struct judged *j, const char *who, bool acme,
	const struct cstate *s)
{
	char d1[16], d2[16], d3[16];

	finding_reason(j, "RENEWAL_DUE");
	finding_say(j, "%s's certificate (%s) expires on %s, before %s: judged as its owner will hold it then, "
		"renewed %s, last on %s under the CA rules in force on each renewal day (%s).", who, s->spec,
		plan_date(s->due_on, d1), plan_date(p->at, d2), acme ? "by ACME with a third of its lifetime left" :
		"at expiry", plan_date(s->not_before, d3), s->dropped_on ? "serverAuth only from then on" :
		"same EKUs");
	if (s->dropped_on != 0) {
		finding_say(j, "The renewal on %s comes without clientAuth from %s:", plan_date(s->dropped_on, d1),
			plan_vendor_label(p, s->vendor));
		finding_cite(j, p->timeline, s->drop_rule);
	}
}

/* --- findings ------------------------------------------------------------------ */

int finding_init(struct judged *j, enum eku_finding_kind kind, const char *id, const char *subject)
{
	memset(j, 0, sizeof(*j));
	j->f.kind = kind;
	j->f.id = strdup(id);
	j->f.subject = strdup(subject);
	j->f.severity = EKU_SEV_NOT_AFFECTED;
	j->text = open_memstream(&j->buf, &j->buflen);
	return j->f.id && j->f.subject && j->text ? 0 : -1;
}

void finding_raise(struct judged *j, enum eku_severity s, int64_t date)
{
	if (s > j->f.severity) {
		j->f.severity = s;
		j->f.breaks_on = s == EKU_SEV_AT_RISK ? date : 0;
	} else if (s == j->f.severity && s == EKU_SEV_AT_RISK && date != 0 &&
		   (j->f.breaks_on == 0 || date < j->f.breaks_on)) {
		j->f.breaks_on = date;
	}
}

int finding_reason(struct judged *j, const char *code)
{
	if (eku_strv_contains(&j->f.reasons, code))
		return 0;
	return eku_strv_push(&j->f.reasons, code);
}

int finding_rule(struct judged *j, const char *id)
{
	if (id == NULL || eku_strv_contains(&j->f.rule_ids, id))
		return 0;
	return eku_strv_push(&j->f.rule_ids, id);
}

void finding_say(struct judged *j, const char *fmt, ...)
{
	va_list ap;

	if (j->text == NULL)
		return;
	if (ftell(j->text) > 0)
		fputc(' ', j->text);
	va_start(ap, fmt);
	vfprintf(j->text, fmt, ap);
	va_end(ap);
}

/* Cites a timeline rule and, when the sources disagree, its alternatives. */
void finding_cite(struct judged *j, const struct eku_timeline *pol, const struct eku_rule *r)
{
	char d[16];

	if (r == NULL)
		return;
	finding_rule(j, r->id);
	finding_say(j, "[%s: %s, %s; %s]", r->id, r->rule, plan_date(r->date, d), r->source);
	for (size_t i = 0; i < r->n_alternatives; i++) {
		const struct eku_rule *a = eku_timeline_rule(pol, r->alternatives[i]);
		if (a == NULL)
			continue;
		finding_say(j, "(%s claim %s: %s on %s, %s)", a->status, a->id, a->rule, plan_date(a->date, d),
			a->source);
	}
	if (j->text != NULL)
		fputc('.', j->text);
}

int finding_finish(struct judged *j, struct eku_finding *out)
{
	if (j->text != NULL)
		fclose(j->text);
	j->text = NULL;
	j->f.explanation = j->buf;
	j->buf = NULL;
	*out = j->f;
	return out->explanation != NULL ? 0 : -1;
}

void finding_discard(struct judged *j)
{
	if (j->text != NULL)
		fclose(j->text);
	free(j->buf);
	free(j->f.id);
	free(j->f.subject);
	eku_strv_clear(&j->f.reasons);
	eku_strv_clear(&j->f.rule_ids);
	for (size_t k = 0; k < j->f.n_options; k++)
		free(j->f.options[k].why);
	for (size_t k = 0; k < 4; k++)
		free(j->act[k]);
	memset(j, 0, sizeof(*j));
}
