/* Judging links and nodes: which certificate is presented in which role,
 * what the accepting side checks, and when the issuing CA stops putting
 * clientAuth in renewals (docs/background.md). */
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

static void cstate_from(struct cstate *s, eku_certlist *l, const struct eku_classification *cl,
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

struct eku_renewer node_renewer(const struct eku_plan *p, const struct inv_node *n, const struct cstate *s,
	bool explicit_clientauth)
{
	struct eku_renewer r = { p->timeline, node_vendor(n, s), node_profile(n),
		s->cls == EKU_ISSUER_WEBPKI || s->cls == EKU_ISSUER_UNKNOWN, n->acme, explicit_clientauth };
	return r;
}

/* Takes the renewal rn into s: dates, and the EKUs the CA puts in. Private
 * PKI and alternative roots renew with the same EKUs and lifetime. */
static void cstate_take(struct cstate *s, const struct eku_renewal *rn)
{
	int64_t life = s->not_after - s->not_before;

	if (cstate_public(s)) {
		life = (int64_t)rn->days * DAY;
		if (!rn->clientauth && eku_eku_class_allows_client(s->eku) && eku_eku_class_allows_server(s->eku)) {
			s->eku = EKU_CLASS_SERVER_ONLY;
			if (s->dropped_on == 0) {
				s->dropped_on = rn->at;
				s->drop_rule = rn->why;
			}
		}
	}
	s->not_before = rn->at;
	s->not_after = rn->at + life;
}

/* --assume-renewed: the certificate as its CA would issue it on the plan
 * date to an owner who renews the ordinary way. */
static void cstate_renew(const struct eku_plan *p, const struct inv_node *n, struct cstate *s)
{
	struct eku_renewer r;
	struct eku_renewal rn;

	if (!s->present)
		return;
	s->renewed = true;
	r = node_renewer(p, n, s, false);
	eku_renewal_issue(&r, p->at, (int)((s->not_after - s->not_before) / DAY), &rn);
	cstate_take(s, &rn);
	/* The plan date itself: nothing to tell apart. */
	s->dropped_on = 0;
	s->drop_rule = NULL;
}

/* A certificate that expires between the present and the plan date is not
 * "expired" in a what-if: its owner renews it. Each renewal (at expiry, or
 * with a third left under ACME) takes the CA rules and the lifetime in force
 * on its day, so the plan judges the certificate the owner will hold on the
 * plan date and says what the renewals changed. */
static void cstate_project_due(const struct eku_plan *p, const struct inv_node *n, struct cstate *s)
{
	struct eku_renewer r;
	struct eku_renewal rn;

	if (!s->present || s->not_after > p->at || s->not_after <= p->now)
		return;
	r = node_renewer(p, n, s, false);
	s->due = s->renewed = true;
	s->due_on = s->not_after;
	s->eku_before = s->eku;
	for (int i = 0; i < MAX_RENEWALS; i++) {
		int64_t t = eku_renewal_instant(&r, s->not_before, s->not_after, p->now);
		if (t > p->at)
			break;
		eku_renewal_issue(&r, t, (int)((s->not_after - s->not_before) / DAY), &rn);
		cstate_take(s, &rn);
	}
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

/* Classifies a certificate list once per run however many nodes present it;
 * the cache keeps the classification. NULL with the plan error set. */
static const struct eku_classification *classify(struct eku_plan *p, struct cl_cache *c, eku_certlist *l)
{
	struct eku_classification *cl;
	size_t k;

	if (c->idx == NULL && (c->idx = eku_hmap_new()) == NULL)
		goto nomem;
	if (eku_hmap_get(c->idx, &l, sizeof(l), &k))
		return c->v[k];
	if (plan_grow((void **)&c->v, &c->cap, c->n, sizeof(c->v[0])) != 0)
		goto nomem;
	if ((cl = eku_trust_classify(p->trust, eku_certlist_get0(l, 0), l)) == NULL) {
		p->err = *eku_trust_error(p->trust);
		return NULL;
	}
	c->v[c->n] = cl;
	if (eku_hmap_put(c->idx, &l, sizeof(l), c->n++) != 0)
		goto nomem;
	return cl;
nomem:
	eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
	return NULL;
}

void cl_cache_clear(struct cl_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		eku_classification_free(c->v[i]);
	free(c->v);
	eku_hmap_free(c->idx);
	memset(c, 0, sizeof(*c));
}

int judge_prepare_node(struct eku_plan *p, struct cl_cache *cache, struct node_state *ns,
	const struct inv_node *n)
{
	/* A host:port certificate read live (live.c) is judged like a file. */
	const struct plan_live *ls = plan_live_find(p, n, false), *lc = plan_live_find(p, n, true);
	eku_certlist *server = ls && ls->chain ? ls->chain : n->server_certs;
	eku_certlist *client = lc && lc->chain ? lc->chain : n->client_certs;

	memset(ns, 0, sizeof(*ns));
	ns->n = n;
	if (server != NULL) {
		if ((ns->server_cl = classify(p, cache, server)) == NULL)
			return -1;
		cstate_from(&ns->server, server, ns->server_cl, n->server_spec);
	}
	ns->server.spec = n->server_spec;
	ns->server.remote = n->server_remote;
	ns->server.live = ls;
	if (client != NULL) {
		if ((ns->client_cl = classify(p, cache, client)) == NULL)
			return -1;
		cstate_from(&ns->client, client, ns->client_cl, n->client_spec);
	}
	ns->client.spec = n->client_spec;
	ns->client.remote = n->client_remote;
	ns->client.live = lc;
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

int64_t project_break(const struct eku_plan *p, const struct inv_node *n, const struct cstate *s,
	bool explicit_clientauth, struct eku_renewal *brk, int64_t *first_renewal)
{
	struct eku_renewer r = node_renewer(p, n, s, explicit_clientauth);

	if (brk != NULL)
		memset(brk, 0, sizeof(*brk));
	if (!cstate_public(s))
		return 0;
	/* The same projection `eku inspect` uses per certificate. */
	return eku_sunset_project_break(&r, s->not_before, s->not_after, p->at, brk, first_renewal);
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
		finding_say(j, "The renewal on %s comes without clientAuth from %s%s:", plan_date(s->dropped_on, d1),
			plan_vendor_label(p, s->vendor), s->drop_rule != NULL &&
			strcmp(s->drop_rule->kind, "clientauth_on_request") == 0 ?
			" unless it is requested explicitly" : "");
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
		eku_strv_clear(&j->act[k]);
	memset(j, 0, sizeof(*j));
}
