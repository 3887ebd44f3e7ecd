/* Options A-D of the decision tree for one finding: alternative root,
 * early renewal, private PKI, upgrade (docs/background.md section 4).
 *
 * A finding can have several causes (an mra-sip link: C's certificate will
 * lose clientAuth that E requires, and E's lacks clientAuth that C checks).
 * Each option is judged per cause by a table of four functions, then the
 * answers are combined: an option is open only when it is open for every
 * cause; otherwise its text says which cause it leaves and what that needs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"

/* One option judged for one cause. */
struct opt_out {
	bool avail;
	char *why, *act;
	int64_t from, until, renew_by, lasts_until;
	struct opt_upgrade up;   /* D as an upgrade: up.prod != NULL */
	bool via_upgrade;        /* A: closed now, a source once D's client store exists */
};

typedef void (*option_fn)(struct eku_plan *p, struct judged *j, const struct opt_ctx *c,
	const struct opt_out *prior, struct opt_out *o);

static void set(struct opt_out *o, bool avail, char *why, char *act)
{
	o->avail = avail;
	o->why = why;
	o->act = act;
	if (!avail) {
		free(act);
		o->act = NULL;
	}
}

static int64_t day_floor(int64_t t)
{
	return t - ((t % DAY) + DAY) % DAY;
}

/* A product whose certificate must stay publicly trusted (Expressway-E:
 * external services and browsers). */
static bool public_only(const struct inv_node *n)
{
	return n->prod != NULL && !n->prod->private_pki_ok;
}

static void option_a(struct eku_plan *p, struct judged *j, const struct opt_ctx *c, const struct opt_out *prior,
	struct opt_out *o)
{
	char *labels = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&labels, &len);
	json_t *r;
	size_t i;
	bool own = c->acceptor == c->checked; /* a node finding: its peers check it */

	json_array_foreach(p->alt_roots, i, r)
		if (f != NULL)
			fprintf(f, "%s%s", i ? ", " : "", plan_jstr(r, "subject_cn") ?: "");
	if (f != NULL)
		fclose(f);
	if (c->cert->alt_root)
		set(o, false, plan_fmt("%s's certificate already chains to an alternative root", c->checked->n->name), NULL);
	else if (public_only(c->checked->n) && !node_separate_client(c->checked->n)) {
		/* Its one certificate serves browsers too, which do not trust the
		 * alternative roots: only a separate client certificate can come
		 * from one, once the product has a client store (option D). */
		set(o, false, plan_fmt("%s's one certificate must stay browser-trusted (%s), and the alternative roots "
			"are outside the browser hierarchy: a combined-EKU certificate from one can only be its separate "
			"client certificate, after the upgrade of option D", c->checked->n->name,
			c->checked->n->prod->private_pki_why ?: ""), NULL);
		o->via_upgrade = true;
	} else
		set(o, true,
			plan_fmt("an alternative root outside the browser hierarchy still issues combined serverAuth+clientAuth "
			    "certificates (%s); %s%s every %speer that validates %s's certificate must trust that root "
			    "explicitly; no software upgrade needed", labels ?: "", own ? "" : c->acceptor->n->name,
				own ? "" : " and", own ? "" : "other ", c->checked->n->name),
			own ? plan_fmt("Get %s a combined-EKU certificate from an alternative root and make its peers trust "
				"that root", c->checked->n->name) :
			plan_fmt("Get %s a combined-EKU certificate from an alternative root and make %s trust that root",
				c->checked->n->name, c->acceptor->n->name));
	free(labels);
}

/* The day in [from, deadline] on which a renewal lasts longest: the deadline,
 * or the day before a lifetime cut that falls in between (renewing on
 * 2027-03-14 under the 200-day cap beats 2027-03-20 under the 100-day one). */
static int64_t best_renewal_day(const struct eku_plan *p, const char *vendor, const char *prof, int64_t from,
	int64_t deadline, int64_t *until, const struct eku_rule **life_rule)
{
	int64_t best = deadline, t = from;
	const struct eku_rule *lr = NULL;
	int days = eku_timeline_lifetime(p->timeline, vendor, prof, deadline, life_rule);

	*until = deadline + (int64_t)days * DAY;
	while ((t = eku_timeline_lifetime_next_change(p->timeline, vendor, prof, t)) <= deadline) {
		int64_t cand = t - DAY;
		int d = cand >= from ? eku_timeline_lifetime(p->timeline, vendor, prof, cand, &lr) : 0;
		if (cand >= from && cand + (int64_t)d * DAY > *until) {
			best = cand;
			*until = cand + (int64_t)d * DAY;
			*life_rule = lr;
		}
	}
	return best;
}

static void option_b(struct eku_plan *p, struct judged *j, const struct opt_ctx *c, const struct opt_out *prior,
	struct opt_out *o)
{
	const struct inv_node *n = c->checked->n;
	const char *vendor = node_vendor(n, c->cert), *prof = NULL;
	const struct eku_rule *last, *life_rule = NULL, *req;
	char d1[16], d2[16], d3[16], d4[16];
	int64_t deadline, today = day_floor(p->at), until = 0, today_until;

	if (!cstate_public(c->cert)) {
		set(o, false, plan_fmt("not applicable: %s's certificate is not from a public CA", n->name), NULL);
		return;
	}
	last = eku_timeline_clientauth_last(p->timeline, vendor, true, &prof);
	if (last == NULL)
		last = eku_timeline_clientauth_end(p->timeline, NULL, NULL, true);
	if (last == NULL) {
		set(o, false, plan_fmt("no clientAuth end date is known for %s", plan_vendor_label(p, vendor)), NULL);
		return;
	}
	finding_rule(j, last->id);
	if (p->at >= last->date) {
		set(o, false, plan_fmt("%s issues no clientAuth since %s (%s, %s)", plan_vendor_label(p, vendor),
			plan_date(last->date, d1), last->id, last->source), NULL);
		return;
	}
	/* Renew while the CA still issues clientAuth and, while the current
	 * certificate still carries it, no later than its own next renewal (at
	 * expiry, or ACME's): the last day of both buys the most time. A
	 * certificate that lacks clientAuth or has expired is renewed now. */
	deadline = last->date - DAY;
	if (c->cert->present && p->at < c->cert->not_after && eku_eku_class_allows_client(c->cert->eku)) {
		struct eku_renewer r = node_renewer(p, n, c->cert, true);
		int64_t next = day_floor(eku_renewal_instant(&r, c->cert->not_before, c->cert->not_after, p->at) - 1);
		if (next < deadline)
			deadline = next;
	} else if (c->cert->present) {
		deadline = today;
	}
	if (deadline < today)
		deadline = today;
	o->renew_by = best_renewal_day(p, vendor, prof, today, deadline, &until, &life_rule);
	o->lasts_until = until;
	o->until = last->date - DAY;
	today_until = today + (int64_t)eku_timeline_lifetime(p->timeline, vendor, prof, today, NULL) * DAY;
	req = eku_timeline_on_request(p->timeline, vendor, p->at);
	set(o, true,
		plan_fmt("%s issues clientAuth until %s%s%s%s (%s, %s)%s%s%s%s%s%s; renew by %s: a certificate issued "
		    "that day lasts %lld days (%s), until about %s%s%s%s; disable ACME auto-renewal afterwards or it "
		    "replaces the certificate with a serverAuth-only one",
			plan_vendor_label(p, vendor), plan_date(last->date - DAY, d1), prof ? " with the ACME profile '" : "",
			prof ? prof : "", prof ? "'" : "", last->id, last->source, last->caveat ? " (" : "",
			last->caveat ? last->caveat : "", last->caveat ? ")" : "",
			req ? ", only when it is requested explicitly at enrollment (" : "", req ? req->id : "",
			req ? ")" : "", plan_date(o->renew_by, d2), (long long)((until - o->renew_by) / DAY),
			life_rule ? life_rule->id : "no lifetime rule known", plan_date(until, d3),
			today_until < until ? " (renewed today: until about " : "",
			today_until < until ? plan_date(today_until, d4) : "", today_until < until ? ")" : ""),
		plan_fmt("Renew %s's certificate at %s%s%s%s by %s (stopgap: lasts until about %s)", n->name,
			plan_vendor_label(p, vendor), prof ? ", ACME profile " : "", prof ? prof : "",
			req ? " with clientAuth requested explicitly" : " with clientAuth", plan_date(o->renew_by, d1),
			plan_date(until, d2)));
	if (req != NULL)
		finding_rule(j, req->id);
	if (life_rule != NULL)
		finding_rule(j, life_rule->id);
}

/* The `eku ca issue` profile for n (docs/ca.md): one certificate for both
 * roles before a separate client store, the client store's profile on a
 * product that has one, else a plain client certificate. */
static const char *ca_profile(const struct inv_node *n)
{
	if (n->prod != NULL && n->prod->family != NULL && !node_separate_client(n))
		return "dual";
	if (n->prod != NULL && n->prod->separate_client_cert_from >= 0)
		return "expressway-client";
	return "client";
}

/* Option C's action, with the concrete command when the inventory's
 * private_roots include an `eku ca` directory's root.crt. */
static char *option_c_action(const struct eku_plan *p, const struct inv_node *n, const char *trusted_by)
{
	if (p->eku_ca_dir == NULL)
		return plan_fmt("Issue %s a client certificate (clientAuth) from a private CA trusted by %s",
			n->name, trusted_by);
	if (n->server_spec != NULL && !n->server_remote)
		return plan_fmt("Issue %s a client certificate (clientAuth) from a private CA trusted by %s, for "
			"the same key as its server certificate: eku ca issue --ca %s --profile %s --for-cert %s "
			"--key KEY.pem (or --csr REQ.pem made with that key)", n->name, trusted_by, p->eku_ca_dir,
			ca_profile(n), n->server_spec);
	return plan_fmt("Issue %s a client certificate (clientAuth) from a private CA trusted by %s: eku ca "
		"issue --ca %s --profile %s --csr REQ.pem (a CSR made on %s)", n->name, trusted_by, p->eku_ca_dir,
		ca_profile(n), n->name);
}

static void option_c(struct eku_plan *p, struct judged *j, const struct opt_ctx *c, const struct opt_out *prior,
	struct opt_out *o)
{
	const struct inv_node *n = c->checked->n;
	const struct product *pp = n->prod;
	const struct link_kind *kind = c->kind;

	if (!c->client_problem)
		set(o, false, plan_fmt("not applicable: the problem is not the client certificate"), NULL);
	else if (pp != NULL && !pp->private_pki_ok)
		set(o, false, plan_fmt("%s", pp->private_pki_why ?: "not possible for this product"), NULL);
	else if (kind != NULL && !kind->private_pki_ok)
		set(o, false, plan_fmt("the %s peer trusts public CAs only", c->kind->id), NULL);
	else
		set(o, true,
			plan_fmt("issue %s's client certificate from a private CA that %s trust%s (private PKI is not "
			    "affected by the public sunset)%s", n->name, c->acceptor == c->checked ? "its peers" :
				c->acceptor->n->name, c->acceptor == c->checked ? "" : "s",
				node_separate_client(n) || n->prod == NULL || n->prod->family == NULL ? "" :
				"; before the separate client store its one certificate serves both roles, so internal "
				"peers must trust the private CA as a server certificate too"),
			option_c_action(p, n, c->acceptor == c->checked ? "its peers" : c->acceptor->n->name));
}

/* The band's release date, 0 when the data gives none (an old band). */
static int64_t band_released(const struct product *prod, int band)
{
	return prod->family != NULL && band >= 0 && (size_t)band < prod->family->n_bands ?
		prod->family->bands[band].released : 0;
}

static void upgrade(struct eku_plan *p, struct opt_out *o, const struct inv_node *who, int band, const char *fix,
	const struct inv_node *sep, const char *src_opts, bool c_open)
{
	int64_t rel = band_released(who->prod, band);
	bool out = rel == 0 || p->at >= rel;
	char d[16] = "";
	const char *grp = judge_upgrade_group(p, who);

	if (rel != 0)
		plan_date(rel, d);
	if (sep == NULL)
		set(o, out,
			plan_fmt("upgrade %s to %s: %s; Expressway-C and -E must run the same version, so %s upgrade "
			    "together%s%s%s", who->name, plan_band_label(who->prod, band), fix, grp ? grp : who->name,
				out ? "" : "; not released yet on this date (expected ", out ? "" : d, out ? "" : ")"),
			plan_fmt("Upgrade %s to %s (together: %s)", who->name, plan_band_label(who->prod, band),
				grp ? grp : who->name));
	else
		set(o, out,
			plan_fmt("upgrade %s to %s: separate server and client stores let it keep a serverAuth-only server "
			    "certificate and present a client certificate with clientAuth (from %s); %s upgrade "
			    "together%s%s%s", who->name, plan_band_label(who->prod, band), src_opts, grp ? grp : who->name,
				out ? "" : "; not released yet on this date (expected ", out ? "" : d, out ? "" : ")"),
			plan_fmt("Upgrade %s to %s and give it a separate client certificate (together: %s)", who->name,
				plan_band_label(who->prod, band), grp ? grp : who->name));
	o->up = (struct opt_upgrade){ who->prod, who, band, rel, sep, c_open };
	if (!out)
		o->from = rel;
}

static void option_d(struct eku_plan *p, struct judged *j, const struct opt_ctx *c, const struct opt_out *prior,
	struct opt_out *o)
{
	const struct inv_node *s = c->acceptor->n, *n = c->checked->n;
	int fixed_in = c->rule->fixed_in;
	const char *fix = c->rule->fix;
	const char *setting = c->rule->fix_setting;
	int target, sep = n->prod ? n->prod->separate_client_cert_from : -1;

	if (setting != NULL) {
		set(o, true, plan_fmt("on %s: %s (%s)", s->name, fix, setting), plan_fmt("Set %s on %s", setting, s->name));
		return;
	}
	if (fixed_in >= 0 && s->prod != NULL && s->prod->family != NULL && (target = fixed_in) > s->band) {
		upgrade(p, o, s, target, fix, NULL, NULL, false);
		return;
	}
	/* A separate client certificate needs a source of clientAuth: option A
	 * or C for this same certificate. */
	if (c->client_problem && sep > n->band && n->band >= 0) {
		bool a_ok = prior[0].avail || prior[0].via_upgrade;
		if (!a_ok && !prior[2].avail)
			set(o, false, plan_fmt("upgrading %s to %s gives it a separate client certificate, but neither an "
				"alternative root (A) nor a private CA (C) can issue one for it", n->name,
				plan_band_label(n->prod, sep)), NULL);
		else
			upgrade(p, o, n, sep, "", n, a_ok && prior[2].avail ? "option A or C" :
				prior[2].avail ? "option C" : "an alternative root, option A; C is closed for it",
				prior[2].avail);
		return;
	}
	set(o, false, plan_fmt("no version of %s removes this check (%s)", s->prod ? s->prod->id : "the accepting side",
		c->rule->id ?: "rule"), NULL);
}

/* The table: each option may look at the ones before it (D at A and C). */
static const option_fn option_table[4] = { option_a, option_b, option_c, option_d };

static char *cause_label(const struct opt_ctx *c)
{
	return plan_fmt("%s's certificate checked by %s (%s)", c->checked->n->name, c->acceptor->n->name,
		c->rule->id ?: "rule");
}

static int64_t min_date(int64_t a, int64_t b)
{
	return a == 0 ? b : b == 0 ? a : a < b ? a : b;
}

/* Several causes: open only when open for each; the text names each cause. */
static int combine(struct judged *j, int k, struct opt_out *outs, const struct opt_ctx *causes, size_t n)
{
	struct eku_option *op = &j->f.options[k];
	char *text = NULL;
	size_t len = 0, n_open = 0;
	FILE *f = open_memstream(&text, &len);
	bool same = true;

	for (size_t i = 0; i < n; i++) {
		n_open += outs[i].avail;
		same &= outs[i].avail == outs[0].avail && strcmp(outs[i].why ?: "", outs[0].why ?: "") == 0;
	}
	op->available = n_open == n;
	for (size_t i = 0; f != NULL && i < n; i++) {
		char *label = same ? NULL : cause_label(&causes[i]);
		if (same && i > 0)
			break;
		if (label != NULL)
			fprintf(f, "%sfor %s: %s%s", i ? "; " : "", label, outs[i].avail ? "" : "closed: ", outs[i].why ?: "");
		else
			fprintf(f, "%s", outs[i].why ?: "");
		free(label);
	}
	if (f != NULL && n_open > 0 && n_open < n)
		fprintf(f, "; so this option alone does not resolve the finding: the closed part needs another option");
	if (f != NULL)
		fclose(f);
	op->why = text;
	for (size_t i = 0; i < n; i++) {
		if (outs[i].avail && outs[i].act != NULL && !eku_strv_contains(&j->act[k], outs[i].act) &&
		    eku_strv_push(&j->act[k], outs[i].act) != 0)
			return -1;
		op->available_from = outs[i].from > op->available_from ? outs[i].from : op->available_from;
		op->available_until = min_date(op->available_until, outs[i].until);
		op->renew_by = min_date(op->renew_by, outs[i].renew_by);
		op->lasts_until = min_date(op->lasts_until, outs[i].lasts_until);
		if (outs[i].up.prod != NULL && j->n_up < MAX_CAUSES)
			j->up[j->n_up++] = outs[i].up;
	}
	/* A closed option has no renewal dates (an unreleased upgrade keeps
	 * available_from: the day it opens). */
	if (!op->available)
		op->available_until = op->renew_by = op->lasts_until = 0;
	if (k == 1)
		j->b_by = op->renew_by;
	return text != NULL ? 0 : -1;
}

int compute_options(struct eku_plan *p, struct judged *j, const struct opt_ctx *causes, size_t n)
{
	struct opt_out outs[4][MAX_CAUSES];
	int rc = 0;

	memset(outs, 0, sizeof(outs));
	if (n > MAX_CAUSES)
		n = MAX_CAUSES;
	j->f.n_options = 4;
	for (size_t i = 0; i < n; i++) {
		struct opt_out prior[4];
		for (int k = 0; k < 4; k++) {
			for (int m = 0; m < k; m++)
				prior[m] = outs[m][i];
			option_table[k](p, j, &causes[i], prior, &outs[k][i]);
		}
	}
	for (int k = 0; k < 4; k++) {
		j->f.options[k].id = (char)('A' + k);
		rc |= combine(j, k, outs[k], causes, n);
		for (size_t i = 0; i < n; i++) {
			free(outs[k][i].why);
			free(outs[k][i].act);
		}
	}
	return rc;
}
