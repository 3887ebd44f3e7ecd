/* Options A-D of the decision tree for one finding: alternative root,
 * early renewal, private PKI, upgrade (DOMAIN.md section 4). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"

static int set_option(struct judged *j, int k, bool avail, char *why, char *act)
{
	j->f.options[k].id = (char)('A' + k);
	j->f.options[k].available = avail;
	j->f.options[k].why = why;
	free(j->act[k]);
	j->act[k] = avail ? act : NULL;
	if (!avail)
		free(act);
	return why != NULL ? 0 : -1;
}

static char *partners(const struct eku_plan *p, const struct inv_node *n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < p->n_nodes; i++)
		if (p->nodes[i].prod != NULL && n->prod != NULL && n->prod->family != NULL &&
		    p->nodes[i].prod->family == n->prod->family)
			fprintf(f, "%s%s", ftell(f) ? ", " : "", p->nodes[i].name);
	fclose(f);
	return s;
}

static void option_a(struct eku_plan *p, struct judged *j, const struct opt_ctx *c)
{
	char *labels = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&labels, &len);
	json_t *r;
	size_t i;

	json_array_foreach(p->alt_roots, i, r)
		if (f != NULL)
			fprintf(f, "%s%s", i ? ", " : "", plan_jstr(r, "subject_cn") ?: "");
	if (f != NULL)
		fclose(f);
	if (c->cert->alt_root)
		set_option(j, 0, false, plan_fmt("%s's certificate already chains to an alternative root", c->checked->n->name), NULL);
	else
		set_option(j, 0, true,
			plan_fmt("an alternative root outside the browser hierarchy still issues combined serverAuth+clientAuth "
			    "certificates (%s); %s and every other peer that validates %s's certificate must trust that "
			    "root explicitly; no software upgrade needed", labels ?: "", c->acceptor->n->name,
				c->checked->n->name),
			plan_fmt("Get %s a combined-EKU certificate from an alternative root and make %s trust that root",
				c->checked->n->name, c->acceptor->n->name));
	free(labels);
}

static void option_b(struct eku_plan *p, struct judged *j, const struct opt_ctx *c)
{
	const struct inv_node *n = c->checked->n;
	const char *vendor = node_vendor(n, c->cert), *prof = NULL;
	const struct eku_rule *last, *cap_rule = NULL, *req;
	char d1[16], d2[16];
	int cap;

	if (!cstate_public(c->cert)) {
		set_option(j, 1, false, plan_fmt("not applicable: %s's certificate is not from a public CA", n->name), NULL);
		return;
	}
	last = eku_timeline_clientauth_last(p->timeline, vendor, true, &prof);
	if (last == NULL)
		last = eku_timeline_clientauth_end(p->timeline, NULL, NULL, true);
	if (last == NULL) {
		set_option(j, 1, false, plan_fmt("no clientAuth end date is known for %s", plan_vendor_label(p, vendor)), NULL);
		return;
	}
	finding_rule(j, last->id);
	if (p->at >= last->date) {
		set_option(j, 1, false, plan_fmt("%s issues no clientAuth since %s (%s, %s)", plan_vendor_label(p, vendor),
			plan_date(last->date, d1), last->id, last->source), NULL);
		return;
	}
	cap = eku_timeline_max_validity(p->timeline, p->at, &cap_rule);
	req = eku_timeline_on_request(p->timeline, vendor, p->at);
	j->b_by = last->date - DAY;
	set_option(j, 1, true,
		plan_fmt("%s still issues clientAuth until %s%s%s%s (%s, %s)%s%s%s; a certificate issued on %s lasts at most "
		    "%d days (%s), so it buys time until about %s%s; disable ACME auto-renewal afterwards or it "
		    "replaces the certificate with a serverAuth-only one",
			plan_vendor_label(p, vendor), plan_date(last->date - DAY, d1), prof ? " with the ACME profile '" : "",
			prof ? prof : "", prof ? "'" : "", last->id, last->source, last->caveat ? " (" : "",
			last->caveat ? last->caveat : "", last->caveat ? ")" : "", plan_date(p->at, d2), cap,
			cap_rule ? cap_rule->id : "no cap known", plan_date(p->at + (int64_t)cap * DAY, d1),
			req ? "; clientAuth must be requested explicitly at enrollment" : ""),
		plan_fmt("Renew %s's certificate with clientAuth at %s%s%s before %s (stopgap)", n->name,
			plan_vendor_label(p, vendor), prof ? ", ACME profile " : "", prof ? prof : "",
			plan_date(last->date, d2)));
	if (req != NULL)
		finding_rule(j, req->id);
}

static void option_c(struct eku_plan *p, struct judged *j, const struct opt_ctx *c)
{
	const struct inv_node *n = c->checked->n;
	const struct product *pp = n->prod;
	const struct link_kind *kind = c->kind;

	if (!c->client_problem)
		set_option(j, 2, false, plan_fmt("not applicable: the problem is not the client certificate"), NULL);
	else if (pp != NULL && !pp->private_pki_ok)
		set_option(j, 2, false, plan_fmt("%s", pp->private_pki_why ?: "not possible for this product"), NULL);
	else if (kind != NULL && !kind->private_pki_ok)
		set_option(j, 2, false, plan_fmt("the %s peer trusts public CAs only", c->kind->id), NULL);
	else
		set_option(j, 2, true,
			plan_fmt("issue %s's client certificate from a private CA that %s trusts (private PKI is not "
			    "affected by the public sunset)%s", n->name, c->acceptor->n->name,
				node_separate_client(n) || n->prod == NULL || n->prod->family == NULL ? "" :
				"; before the separate client store its one certificate serves both roles, so internal "
				"peers must trust the private CA as a server certificate too"),
			plan_fmt("Issue %s a client certificate (clientAuth) from a private CA trusted by %s", n->name,
				c->acceptor->n->name));
}

/* The band's release date, 0 when the data gives none (an old band). */
static int64_t band_released(const struct product *prod, int band)
{
	return prod->family != NULL && band >= 0 && (size_t)band < prod->family->n_bands ?
		prod->family->bands[band].released : 0;
}

static bool released(const struct eku_plan *p, const struct product *prod, int band, char d[16])
{
	int64_t t = band_released(prod, band);

	if (t == 0)
		return true;
	plan_date(t, d);
	return p->at >= t;
}

static void note_upgrade(struct judged *j, const struct product *prod, int band, const struct inv_node *sep)
{
	j->up_prod = prod;
	j->up_band = band;
	j->up_released = band_released(prod, band);
	j->up_sep = sep;
}

static void option_d(struct eku_plan *p, struct judged *j, const struct opt_ctx *c)
{
	const struct inv_node *s = c->acceptor->n, *n = c->checked->n;
	int fixed_in = c->rule->fixed_in;
	const char *fix = c->rule->fix;
	const char *setting = c->rule->fix_setting;
	char d[16] = "", *who;
	int target;

	if (setting != NULL) {
		set_option(j, 3, true, plan_fmt("on %s: %s (%s)", s->name, fix, setting),
			plan_fmt("Set %s on %s", setting, s->name));
		return;
	}
	if (fixed_in >= 0 && s->prod != NULL && s->prod->family != NULL &&
	    (target = fixed_in) > s->band) {
		bool ok = released(p, s->prod, target, d);
		who = partners(p, s);
		set_option(j, 3, ok,
			plan_fmt("upgrade %s to %s: %s; Expressway-C and -E must run the same version, so %s upgrade "
			    "together%s%s", s->name, plan_band_label(s->prod, target), fix, who ? who : s->name,
				ok ? "" : "; not released yet on this date (expected ", ok ? "" : d),
			plan_fmt("Upgrade %s to %s (together: %s)", s->name, plan_band_label(s->prod, target),
				who ? who : s->name));
		note_upgrade(j, s->prod, target, NULL);
		if (!ok && j->f.options[3].why != NULL) {
			char *w = plan_fmt("%s)", j->f.options[3].why);
			free(j->f.options[3].why);
			j->f.options[3].why = w;
		}
		free(who);
		return;
	}
	int sep = n->prod ? n->prod->separate_client_cert_from : -1;
	if (c->client_problem && sep > n->band && n->band >= 0) {
		bool ok = released(p, n->prod, sep, d);
		who = partners(p, n);
		set_option(j, 3, ok,
			plan_fmt("upgrade %s to %s: separate server and client stores let it keep a serverAuth-only server "
			    "certificate and present a client certificate with clientAuth (from option A or C); %s "
			    "upgrade together%s%s", n->name, plan_band_label(n->prod, sep), who ? who : n->name,
				ok ? "" : "; not released yet on this date, expected ", ok ? "" : d),
			plan_fmt("Upgrade %s to %s and give it a separate client certificate (together: %s)", n->name,
				plan_band_label(n->prod, sep), who ? who : n->name));
		note_upgrade(j, n->prod, sep, n);
		free(who);
		return;
	}
	set_option(j, 3, false,
		plan_fmt("no version of %s removes this check (%s)", s->prod ? s->prod->id : "the accepting side",
			c->rule->id ?: "rule"), NULL);
}

void compute_options(struct eku_plan *p, struct judged *j, const struct opt_ctx *c)
{
	j->f.n_options = 4;
	option_a(p, j, c);
	option_b(p, j, c);
	option_c(p, j, c);
	option_d(p, j, c);
}

