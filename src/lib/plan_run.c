/* eku_plan_run: links, then nodes, then options A-D and the dated actions. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plan_judge.h"

#define DAY 86400

struct opt_ctx {
	const struct node_state *checked;  /* whose certificate fails or will fail */
	const struct node_state *acceptor; /* who checks it */
	const char *kind;                  /* link kind, NULL for node findings */
	json_t *rule;                      /* the product rule that fails */
	const struct cstate *cert;
	bool client_problem;               /* clientAuth (not serverAuth) is the issue */
};

static char *datestr(int64_t t, char buf[16])
{
	return eku_time_date(t, buf, 16);
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static const char *vendor_label(struct eku_plan *p, const char *id)
{
	const char *n = id ? eku_trust_vendor_name(p->trust, id) : NULL;
	return n ? n : id ? id : "the issuing CA";
}

/* --- rule matching --------------------------------------------------------- */

static bool listed(json_t *arr, const char *s, bool absent_means_all)
{
	json_t *x;
	size_t i;

	if (!json_is_array(arr))
		return absent_means_all;
	json_array_foreach(arr, i, x)
		if (s != NULL && (strcmp(json_string_value(x) ?: "", s) == 0 || strcmp(json_string_value(x) ?: "", "*") == 0))
			return true;
	return false;
}

static bool rule_applies(json_t *r, const struct inv_node *owner, const char *kind)
{
	json_t *when = json_object_get(r, "when"), *vals;
	const char *key;

	if (!listed(json_object_get(r, "links"), kind, true))
		return false;
	if (json_object_get(r, "bands") != NULL &&
	    (owner->band < 0 || !listed(json_object_get(r, "bands"), plan_band_id(owner->prod, owner->band), false)))
		return false;
	json_object_foreach(when, key, vals)
		if (!listed(vals, jstr(owner->settings, key), false))
			return false;
	return true;
}

static bool needs(json_t *r, const char *eku)
{
	return listed(json_object_get(r, "needs"), eku, false);
}

/* --- options A-D ---------------------------------------------------------- */

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

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
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
			fprintf(f, "%s%s", i ? ", " : "", jstr(r, "subject_cn") ?: "");
	if (f != NULL)
		fclose(f);
	if (c->cert->alt_root)
		set_option(j, 0, false, fmt("%s's certificate already chains to an alternative root", c->checked->n->name), NULL);
	else
		set_option(j, 0, true,
			fmt("an alternative root outside the browser hierarchy still issues combined serverAuth+clientAuth "
			    "certificates (%s); %s and every other peer that validates %s's certificate must trust that "
			    "root explicitly; no software upgrade needed", labels ?: "", c->acceptor->n->name,
				c->checked->n->name),
			fmt("Get %s a combined-EKU certificate from an alternative root and make %s trust that root",
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
		set_option(j, 1, false, fmt("not applicable: %s's certificate is not from a public CA", n->name), NULL);
		return;
	}
	last = eku_policy_clientauth_last(p->policy, vendor, true, &prof);
	if (last == NULL)
		last = eku_policy_clientauth_end(p->policy, NULL, NULL, true);
	if (last == NULL) {
		set_option(j, 1, false, fmt("no clientAuth end date is known for %s", vendor_label(p, vendor)), NULL);
		return;
	}
	finding_rule(j, last->id);
	if (p->at >= last->date) {
		set_option(j, 1, false, fmt("%s issues no clientAuth since %s (%s, %s)", vendor_label(p, vendor),
			datestr(last->date, d1), last->id, last->source), NULL);
		return;
	}
	cap = eku_policy_max_validity(p->policy, p->at, &cap_rule);
	req = eku_policy_on_request(p->policy, vendor, p->at);
	j->b_by = last->date - DAY;
	set_option(j, 1, true,
		fmt("%s still issues clientAuth until %s%s%s%s (%s, %s)%s%s%s; a certificate issued on %s lasts at most "
		    "%d days (%s), so it buys time until about %s%s; disable ACME auto-renewal afterwards or it "
		    "replaces the certificate with a serverAuth-only one",
			vendor_label(p, vendor), datestr(last->date - DAY, d1), prof ? " with the ACME profile '" : "",
			prof ? prof : "", prof ? "'" : "", last->id, last->source, last->caveat ? " (" : "",
			last->caveat ? last->caveat : "", last->caveat ? ")" : "", datestr(p->at, d2), cap,
			cap_rule ? cap_rule->id : "no cap known", datestr(p->at + (int64_t)cap * DAY, d1),
			req ? "; clientAuth must be requested explicitly at enrollment" : ""),
		fmt("Renew %s's certificate with clientAuth at %s%s%s before %s (stopgap)", n->name,
			vendor_label(p, vendor), prof ? ", ACME profile " : "", prof ? prof : "",
			datestr(last->date, d2)));
	if (req != NULL)
		finding_rule(j, req->id);
}

static void option_c(struct eku_plan *p, struct judged *j, const struct opt_ctx *c)
{
	const struct inv_node *n = c->checked->n;
	json_t *pp = n->prod ? json_object_get(n->prod->j, "private_pki") : NULL;
	json_t *kind = c->kind ? json_object_get(p->prods.link_kinds, c->kind) : NULL;

	if (!c->client_problem)
		set_option(j, 2, false, fmt("not applicable: the problem is not the client certificate"), NULL);
	else if (pp != NULL && json_is_false(json_object_get(pp, "ok")))
		set_option(j, 2, false, fmt("%s", jstr(pp, "why") ?: "not possible for this product"), NULL);
	else if (kind != NULL && json_is_false(json_object_get(kind, "private_pki_ok")))
		set_option(j, 2, false, fmt("the %s peer trusts public CAs only", c->kind), NULL);
	else
		set_option(j, 2, true,
			fmt("issue %s's client certificate from a private CA that %s trusts (private PKI is not "
			    "affected by the public sunset)%s", n->name, c->acceptor->n->name,
				node_separate_client(n) || n->prod == NULL || n->prod->bands == NULL ? "" :
				"; before the separate client store its one certificate serves both roles, so internal "
				"peers must trust the private CA as a server certificate too"),
			fmt("Issue %s a client certificate (clientAuth) from a private CA trusted by %s", n->name,
				c->acceptor->n->name));
}

/* The band's release date, 0 when the data gives none (an old band). */
static int64_t band_released(const struct product *prod, int band)
{
	const char *rel = jstr(json_array_get(prod->bands, band), "released");
	int64_t t = 0;

	return rel != NULL && eku_time_parse(rel, &t) == 0 ? t : 0;
}

static bool released(const struct eku_plan *p, const struct product *prod, int band, char d[16])
{
	int64_t t = band_released(prod, band);

	if (t == 0)
		return true;
	datestr(t, d);
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
	const char *fixed_in = jstr(c->rule, "fixed_in"), *fix = jstr(c->rule, "fix") ?: "";
	const char *setting = jstr(c->rule, "fix_setting");
	char d[16] = "", *who;
	int target;

	if (setting != NULL) {
		set_option(j, 3, true, fmt("on %s: %s (%s)", s->name, fix, setting),
			fmt("Set %s on %s", setting, s->name));
		return;
	}
	if (fixed_in != NULL && s->prod != NULL && s->prod->bands != NULL &&
	    (target = plan_band_index(s->prod, fixed_in)) > s->band) {
		bool ok = released(p, s->prod, target, d);
		who = partners(p, s);
		set_option(j, 3, ok,
			fmt("upgrade %s to %s: %s; Expressway-C and -E must run the same version, so %s upgrade "
			    "together%s%s", s->name, plan_band_label(s->prod, target), fix, who ? who : s->name,
				ok ? "" : "; not released yet on this date (expected ", ok ? "" : d),
			fmt("Upgrade %s to %s (together: %s)", s->name, plan_band_label(s->prod, target),
				who ? who : s->name));
		note_upgrade(j, s->prod, target, NULL);
		if (!ok && j->f.options[3].why != NULL) {
			char *w = fmt("%s)", j->f.options[3].why);
			free(j->f.options[3].why);
			j->f.options[3].why = w;
		}
		free(who);
		return;
	}
	const char *from = n->prod ? jstr(n->prod->j, "separate_client_cert_from") : NULL;
	int sep = from ? plan_band_index(n->prod, from) : -1;
	if (c->client_problem && sep > n->band && n->band >= 0) {
		bool ok = released(p, n->prod, sep, d);
		who = partners(p, n);
		set_option(j, 3, ok,
			fmt("upgrade %s to %s: separate server and client stores let it keep a serverAuth-only server "
			    "certificate and present a client certificate with clientAuth (from option A or C); %s "
			    "upgrade together%s%s", n->name, plan_band_label(n->prod, sep), who ? who : n->name,
				ok ? "" : "; not released yet on this date, expected ", ok ? "" : d),
			fmt("Upgrade %s to %s and give it a separate client certificate (together: %s)", n->name,
				plan_band_label(n->prod, sep), who ? who : n->name));
		note_upgrade(j, n->prod, sep, n);
		free(who);
		return;
	}
	set_option(j, 3, false,
		fmt("no version of %s removes this check (%s)", s->prod ? s->prod->id : "the accepting side",
			jstr(c->rule, "id") ?: "rule"), NULL);
}

static void compute_options(struct eku_plan *p, struct judged *j, const struct opt_ctx *c)
{
	j->f.n_options = 4;
	option_a(p, j, c);
	option_b(p, j, c);
	option_c(p, j, c);
	option_d(p, j, c);
}

/* --- links ----------------------------------------------------------------- */

struct link_ctx {
	struct eku_plan *p;
	const struct inv_link *l;
	struct node_state *cs, *ss;
	struct judged *j;
	bool client_checked;     /* some rule checks the client's clientAuth */
	bool have_opt;
	struct opt_ctx opt;
};

static const char *owner_role(const char *side)
{
	return strcmp(side, "server") == 0 ? "accepting side" : "initiating side";
}

static void not_read(struct link_ctx *lc, const struct node_state *who, const struct cstate *s)
{
	finding_raise(lc->j, EKU_SEV_UNKNOWN, 0);
	finding_reason(lc->j, "CERT_NOT_READ");
	finding_say(lc->j, "%s's certificate is given as %s: fetching it live is 'eku scan's job; the plan "
		"cannot read it offline.", who->n->name, s->spec ? s->spec : "?");
}

/* The certificate is fine today; will a renewal drop clientAuth? */
static void judge_future(struct link_ctx *lc, json_t *r, const struct node_state *who,
	const struct cstate *s, bool soft)
{
	struct eku_plan *p = lc->p;
	const struct eku_rule *why = NULL;
	int64_t first = 0, brk;
	char d[16], d2[16], rb[48];

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
	brk = project_break(p, who->n, s, &why, &first);
	if (brk == 0) {
		finding_raise(lc->j, EKU_SEV_OK, 0);
		return;
	}
	finding_raise(lc->j, soft ? EKU_SEV_OK : EKU_SEV_AT_RISK, brk);
	finding_reason(lc->j, "PUBLIC_CLIENTAUTH_SUNSET");
	finding_reason(lc->j, "RENEWAL_DROPS_CLIENTAUTH");
	finding_say(lc->j, "%s's certificate (%s, %s%s) carries clientAuth on %s, but the renewal due on %s will "
		"come without it from %s:", who->n->name, s->spec, eku_eku_class_name(s->eku),
		cstate_as_renewed(s, rb, sizeof(rb)), datestr(p->at, d2), datestr(brk, d),
		vendor_label(p, node_vendor(who->n, s)));
	finding_cite(lc->j, p->policy, why);
	if (who->n->acme && first == brk) {
		finding_reason(lc->j, "ACME_DROPS_CLIENTAUTH");
		finding_say(lc->j, "ACME auto-renewal (%s%s%s) will do this silently.", who->n->acme_ca,
			who->n->acme_profile ? ", profile " : "", who->n->acme_profile ? who->n->acme_profile : "");
	}
	if (!lc->have_opt) {
		lc->have_opt = true;
		lc->opt = (struct opt_ctx){ who, NULL, lc->l->kind, r, s, true };
	}
}

/* What the renewals between the present and the plan date brought. */
static void renewal_story(struct eku_plan *p, struct judged *j, const char *who, bool acme,
	const struct cstate *s)
{
	char d1[16], d2[16], d3[16];

	finding_reason(j, "RENEWAL_DUE");
	finding_say(j, "%s's certificate (%s) expires on %s, before %s: judged as its owner will hold it then, "
		"renewed %s, last on %s under the CA rules in force on each renewal day (%s).", who, s->spec,
		datestr(s->due_on, d1), datestr(p->at, d2), acme ? "by ACME with a third of its lifetime left" :
		"at expiry", datestr(s->not_before, d3), s->dropped_on ? "serverAuth only from then on" :
		"same EKUs");
	if (s->dropped_on != 0) {
		finding_say(j, "The renewal on %s comes without clientAuth from %s:", datestr(s->dropped_on, d1),
			vendor_label(p, s->vendor));
		finding_cite(j, p->policy, s->drop_rule);
	}
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

static void judge_rule(struct link_ctx *lc, json_t *r, struct node_state *owner)
{
	struct eku_plan *p = lc->p;
	const char *checks = jstr(r, "checks") ?: "client", *tv = lc->l->tls_verify;
	bool check_client = strcmp(checks, "client") == 0, soft = false;
	struct node_state *who = check_client ? lc->cs : lc->ss;
	const struct cstate *s = check_client ? node_client_cert(lc->cs) : &lc->ss->server;
	bool need_s = needs(r, "serverAuth"), need_c = needs(r, "clientAuth");
	bool lack_s, lack_c;
	char d[16], rb[48];

	if (strcmp(jstr(r, "tls_verify") ?: "respect", "ignore") != 0) {
		if (strcmp(tv, "off") == 0) {
			if (need_c)
				finding_reason(lc->j, "TLS_VERIFY_OFF");
			return;
		}
		soft = strcmp(tv, "permissive") == 0;
	}
	if (!need_s && !need_c) {
		finding_say(lc->j, "%s (%s).", jstr(r, "explain") ?: "", jstr(r, "id") ?: "");
		finding_rule(lc->j, jstr(r, "id"));
		if (jstr(r, "reason") != NULL)
			finding_reason(lc->j, jstr(r, "reason"));
		return;
	}
	if (need_c && check_client) {
		lc->client_checked = true;
		lc->cs->used_as_client_mtls = true;
	}
	if (json_is_true(json_object_get(owner->n->prod->j, "assumed")))
		finding_reason(lc->j, "ASSUMED_REQUIREMENT");
	if (!s->present) {
		if (s->remote)
			not_read(lc, who, s);
		return;
	}
	if (p->at >= s->not_after || p->at < s->not_before) {
		finding_raise(lc->j, EKU_SEV_BROKEN, 0);
		finding_reason(lc->j, p->at >= s->not_after ? "EXPIRED" : "NOT_YET_VALID");
		finding_say(lc->j, "%s's certificate (%s) is %s %s.", who->n->name, s->spec,
			p->at >= s->not_after ? "expired since" : "not valid before",
			datestr(p->at >= s->not_after ? s->not_after : s->not_before, d));
		return;
	}
	if (!s->chain_complete && !s->renewed)
		finding_reason(lc->j, "CHAIN_INCOMPLETE");
	if (s->due)
		say_renewal_due(lc, who, s, check_client ? 0 : 1);
	lack_s = need_s && !eku_eku_class_allows_server(s->eku);
	lack_c = need_c && !eku_eku_class_allows_client(s->eku);
	finding_rule(lc->j, jstr(r, "id"));
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
			owner->n->name, owner_role(jstr(r, "side") ?: "server"), owner->n->prod->id,
			jstr(r, "explain") ?: "", jstr(r, "id") ?: "", jstr(r, "source") ?: "",
			soft ? " The link works only because verification is permissive." : "");
		if (lack_c && !soft) {
			lc->have_opt = true;
			lc->opt = (struct opt_ctx){ who, owner, lc->l->kind, r, s, true };
		}
		return;
	}
	if (need_c) {
		lc->opt.acceptor = owner;
		bool had = lc->have_opt;
		judge_future(lc, r, who, s, soft);
		if (!had && lc->have_opt) {
			lc->opt.acceptor = owner;
			finding_say(lc->j, "%s requires it: %s [%s].", owner->n->name, jstr(r, "explain") ?: "",
				jstr(r, "id") ?: "");
		}
		return;
	}
	finding_raise(lc->j, cstate_public(s) ? EKU_SEV_OK : EKU_SEV_NOT_AFFECTED, 0);
}

static void version_mismatch(struct link_ctx *lc)
{
	const struct inv_node *a = lc->cs->n, *b = lc->ss->n;
	json_t *same;

	if (a->prod == NULL || b->prod == NULL || a->prod->family == NULL || a->prod->family != b->prod->family ||
	    a->prod == b->prod || a->version == NULL || b->version == NULL || strcmp(a->version, b->version) == 0)
		return;
	same = json_object_get(a->prod->family, "same_version");
	if (!listed(same, a->prod->id, false) || !listed(same, b->prod->id, false))
		return;
	/* Unsupported today, but not a proven failure: the EKU checks of each
	 * side are judged by its own version above. See docs/plan.md. */
	finding_raise(lc->j, EKU_SEV_AT_RISK, lc->p->at);
	finding_reason(lc->j, "VERSION_MISMATCH");
	finding_say(lc->j, "%s runs %s and %s runs %s: Expressway-C and -E must run the same version, so the "
		"pair is unsupported from today, and an upgrade of either is an upgrade of both [%s].",
		a->name, a->version, b->name, b->version, jstr(a->prod->family, "same_version_source") ?: "");
	if (plan_version_cmp(a->version, b->version) < 0) {
		lc->j->mm_a = a;
		lc->j->mm_b = b;
	} else {
		lc->j->mm_a = b;
		lc->j->mm_b = a;
	}
}

static void each_rule(struct link_ctx *lc, json_t *rules, struct node_state *fixed_owner, const char *side)
{
	json_t *r;
	size_t i;

	json_array_foreach(rules, i, r) {
		const char *rs = jstr(r, "side") ?: "server";
		struct node_state *owner = fixed_owner ? fixed_owner : strcmp(rs, "server") == 0 ? lc->ss : lc->cs;
		if (side != NULL && strcmp(rs, side) != 0)
			continue;
		if (owner->n->prod == NULL || !rule_applies(r, owner->n, lc->l->kind))
			continue;
		judge_rule(lc, r, owner);
	}
}

static int judge_link(struct eku_plan *p, struct node_state *st, const struct inv_link *l, struct judged *j)
{
	struct link_ctx lc = { p, l, &st[l->client], &st[l->server], j, false, false, { 0 } };
	char id[512], subj[512];

	snprintf(id, sizeof(id), "link:%s:%s->%s", l->kind, lc.cs->n->name, lc.ss->n->name);
	snprintf(subj, sizeof(subj), "%s -> %s (%s%s, tls_verify %s)", lc.cs->n->name, lc.ss->n->name, l->kind,
		l->implied ? ", implied by cluster" : "", l->tls_verify);
	if (finding_init(j, EKU_FINDING_LINK, id, subj) != 0)
		return -1;
	if (lc.cs->n->prod == NULL || lc.ss->n->prod == NULL)
		return 0;
	version_mismatch(&lc);
	each_rule(&lc, p->prods.universal_rules, NULL, NULL);
	each_rule(&lc, json_object_get(lc.ss->n->prod->j, "rules"), lc.ss, "server");
	each_rule(&lc, json_object_get(lc.cs->n->prod->j, "rules"), lc.cs, "client");
	if (!lc.client_checked) {
		/* Decision tree step 2: a public certificate nobody checks for
		 * clientAuth has minimal impact, which is "ok", not "not affected". */
		if (cstate_public(node_client_cert(lc.cs)) && node_client_cert(lc.cs)->present)
			finding_raise(j, EKU_SEV_OK, 0);
		finding_reason(j, "CLIENT_EKU_NOT_REQUIRED");
		finding_say(j, "Nothing on this link checks clientAuth on %s's certificate%s: minimal impact, keep "
			"monitoring.", lc.cs->n->name, strcmp(l->tls_verify, "off") == 0 ? " (tls_verify off)" : "");
	}
	if (lc.have_opt && j->f.severity >= EKU_SEV_AT_RISK) {
		if (lc.opt.acceptor == NULL)
			lc.opt.acceptor = lc.ss;
		compute_options(p, j, &lc.opt);
	}
	return 0;
}

/* --- nodes ----------------------------------------------------------------- */

static json_t *band_rule(json_t *rules, const struct inv_node *n)
{
	json_t *r;
	size_t i;

	json_array_foreach(rules, i, r) {
		json_t *unless = json_object_get(r, "unless"), *v;
		const char *key;
		bool skip = false;
		if (n->band < 0 || !listed(json_object_get(r, "bands"), plan_band_id(n->prod, n->band), false))
			continue;
		json_object_foreach(unless, key, v)
			skip |= strcmp(jstr(n->settings, key) ?: "", json_string_value(v) ?: "") == 0;
		if (!skip)
			return r;
	}
	return NULL;
}

static void node_cap(struct eku_plan *p, struct judged *j, const struct node_state *ns, const struct cstate *s)
{
	const struct eku_rule *cap_rule = NULL;
	int cap = eku_policy_max_validity(p->policy, s->not_before, &cap_rule);
	int64_t days = (s->not_after - s->not_before + DAY - 1) / DAY;

	if (!cstate_public(s) || cap <= 0 || days <= cap || s->renewed)
		return;
	finding_raise(j, EKU_SEV_AT_RISK, 0);
	finding_reason(j, "VALIDITY_OVER_CAP");
	finding_say(j, "%s's certificate is valid for %lld days, over the %d-day cap in force when it was issued:",
		ns->n->name, (long long)days, cap);
	finding_cite(j, p->policy, cap_rule);
}

static void node_upload(struct eku_plan *p, struct judged *j, struct node_state *ns, const struct cstate *s,
	struct opt_ctx *oc, bool *have)
{
	json_t *r = ns->n->prod ? band_rule(json_object_get(ns->n->prod->j, "upload"), ns->n) : NULL;
	const struct eku_rule *why = NULL;
	int64_t brk;
	char d[16];

	if (r == NULL)
		return;
	finding_rule(j, jstr(r, "id"));
	if (!eku_eku_class_allows_client(s->eku) && s->due && s->dropped_on != 0) {
		finding_raise(j, EKU_SEV_AT_RISK, 0);
		finding_reason(j, "GUI_UPLOAD_REFUSED");
		finding_say(j, "The renewal due on %s lacks clientAuth and on %s %s %s [%s]; it can only be installed "
			"by SCP.", datestr(s->dropped_on, d), ns->n->prod->id, ns->n->version, jstr(r, "explain") ?: "",
			jstr(r, "id") ?: "");
	} else if (!eku_eku_class_allows_client(s->eku)) {
		finding_raise(j, EKU_SEV_AT_RISK, 0);
		finding_reason(j, "GUI_UPLOAD_REFUSED");
		finding_say(j, "The current certificate lacks clientAuth: on %s %s %s [%s]; it can only have been "
			"installed by SCP.", ns->n->prod->id, ns->n->version, jstr(r, "explain") ?: "", jstr(r, "id") ?: "");
	} else if ((brk = project_break(p, ns->n, s, &why, NULL)) != 0) {
		finding_raise(j, EKU_SEV_AT_RISK, brk);
		finding_reason(j, "GUI_UPLOAD_REFUSED");
		finding_say(j, "The renewal due on %s will lack clientAuth and %s [%s].", datestr(brk, d),
			jstr(r, "explain") ?: "", jstr(r, "id") ?: "");
	} else {
		return;
	}
	*oc = (struct opt_ctx){ ns, ns, NULL, r, s, true };
	*have = true;
}

static void node_client_store(struct eku_plan *p, struct judged *j, struct node_state *ns)
{
	json_t *cs = ns->n->prod ? json_object_get(ns->n->prod->j, "client_store") : NULL;

	if (cs == NULL || ns->n->band < 0 || !listed(json_object_get(cs, "bands"), plan_band_id(ns->n->prod, ns->n->band), false))
		return;
	if (ns->separate && ns->client.present && !eku_eku_class_allows_client(ns->client.eku)) {
		finding_raise(j, EKU_SEV_BROKEN, 0);
		finding_reason(j, "CLIENT_STORE_REJECTS");
		finding_say(j, "The client certificate (%s) lacks clientAuth: %s [%s].", ns->client.spec,
			jstr(cs, "explain") ?: "", jstr(cs, "source") ?: "");
	}
}

static void node_cluster(struct eku_plan *p, struct judged *j, const struct node_state *st, size_t i)
{
	const struct inv_node *n = &p->nodes[i];

	for (size_t k = 0; k < n->cluster.n; k++) {
		for (size_t m = 0; m < p->n_nodes; m++) {
			const struct cstate *a = &st[i].server, *b = &st[m].server;
			if (strcmp(p->nodes[m].name ?: "", n->cluster.v[k]) != 0 || !a->present || !b->present ||
			    a->eku == b->eku)
				continue;
			finding_raise(j, EKU_SEV_AT_RISK, 0);
			finding_reason(j, "CLUSTER_EKU_MISMATCH");
			finding_say(j, "Cluster peer %s has a %s certificate while %s has %s: peers should carry the same "
				"EKUs, or replication works one way only.", p->nodes[m].name, eku_eku_class_name(b->eku),
				n->name, eku_eku_class_name(a->eku));
		}
	}
}

static void node_acme(struct eku_plan *p, struct judged *j, const struct node_state *ns, const struct cstate *s)
{
	const struct eku_rule *why = NULL;
	int64_t first = 0, brk;
	char d[16];

	if (!ns->n->acme || !eku_eku_class_allows_client(s->eku) || !cstate_public(s))
		return;
	brk = project_break(p, ns->n, s, &why, &first);
	if (brk == 0 || brk != first)
		return;
	finding_raise(j, ns->used_as_client_mtls ? EKU_SEV_AT_RISK : EKU_SEV_OK, brk);
	finding_reason(j, "ACME_DROPS_CLIENTAUTH");
	finding_say(j, "ACME auto-renewal (%s%s%s) around %s will silently replace the certificate with one "
		"without clientAuth:", ns->n->acme_ca, ns->n->acme_profile ? ", profile " : "",
		ns->n->acme_profile ? ns->n->acme_profile : "", datestr(brk, d));
	finding_cite(j, p->policy, why);
}

static int judge_node(struct eku_plan *p, struct node_state *st, size_t i, struct judged *j)
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
			finding_say(j, "The certificate is given as %s: fetching it live is 'eku scan's job; save it as "
				"PEM and name the file here.", s->spec);
			if (eku_strv_push0(&p->unread, fmt("%s: %s", n->name, s->spec)) != 0)
				return -1;
		}
		return 0;
	}
	if (p->at >= s->not_after) {
		finding_raise(j, EKU_SEV_BROKEN, 0);
		finding_reason(j, "EXPIRED");
		finding_say(j, "The certificate (%s) expired on %s.", s->spec, datestr(s->not_after, d));
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
		if (!ns->used_as_client_mtls) {
			finding_reason(j, "PUBLIC_NO_MTLS");
			finding_say(j, "Public certificate (%s) not used as a client certificate in mTLS by any link: "
				"minimal impact, keep monitoring.", vendor_label(p, node_vendor(n, s)));
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
		compute_options(p, j, &oc);
	return 0;
}

/* --- actions --------------------------------------------------------------- */

static int add_action(struct eku_plan *p, int64_t by, char *text, const char *fid)
{
	struct eku_action *nv;

	if (text == NULL)
		return -1;
	for (size_t i = 0; i < p->n_actions; i++) {
		if (strcmp(p->actions[i].action, text) != 0)
			continue;
		free(text);
		if (by < p->actions[i].by)
			p->actions[i].by = by;
		return eku_strv_contains(&p->actions[i].finding_ids, fid) ? 0 :
			eku_strv_push(&p->actions[i].finding_ids, fid);
	}
	nv = realloc(p->actions, (p->n_actions + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(text);
		return -1;
	}
	p->actions = nv;
	memset(&nv[p->n_actions], 0, sizeof(nv[0]));
	nv[p->n_actions].by = by;
	nv[p->n_actions].action = text;
	p->n_actions++;
	return eku_strv_push(&nv[p->n_actions - 1].finding_ids, fid);
}

static bool has(const struct eku_finding *f, const char *code)
{
	return eku_strv_contains(&f->reasons, code);
}

/* "X15.5 and later (comprehensive fix)" -> "X15.5". */
static char *band_short(const struct product *prod, int band)
{
	const char *l = plan_band_label(prod, band);

	return strndup(l, strcspn(l, " "));
}

/* Records an upgrade a finding needs; finish_upgrades() merges them. */
static int add_upgrade(struct eku_plan *p, const struct plan_upgrade *u, const char *fid)
{
	struct plan_upgrade *nv;

	for (size_t i = 0; i < p->n_upgrades; i++) {
		struct plan_upgrade *x = &p->upgrades[i];
		if (x->family != u->family || x->band != u->band || x->to_version != u->to_version)
			continue;
		if (u->by < x->by)
			x->by = u->by;
		return eku_strv_contains(&x->finding_ids, fid) ? 0 : eku_strv_push(&x->finding_ids, fid);
	}
	nv = realloc(p->upgrades, (p->n_upgrades + 1) * sizeof(*nv));
	if (nv == NULL)
		return -1;
	p->upgrades = nv;
	nv[p->n_upgrades] = *u;
	memset(&nv[p->n_upgrades].finding_ids, 0, sizeof(eku_strv));
	p->n_upgrades++;
	return eku_strv_push(&nv[p->n_upgrades - 1].finding_ids, fid);
}

/* Option D as an upgrade intent. An upgrade not released on the plan date
 * still counts when it comes out before the finding breaks: then it is the
 * fix to plan for, due by the break. */
static int upgrade_action(struct eku_plan *p, const struct eku_finding *f, struct judged *j, int64_t by,
	bool *done)
{
	struct plan_upgrade u = { 0 };
	int rc = 0;

	*done = false;
	if (j->up_prod == NULL || j->up_prod->family == NULL)
		return 0;
	if (!f->options[3].available &&
	    !(j->up_released > p->at && f->severity == EKU_SEV_AT_RISK && f->breaks_on >= j->up_released))
		return 0;
	u.family = j->up_prod->family;
	u.prod = j->up_prod;
	u.band = j->up_band;
	u.by = by;
	u.released = j->up_released;
	rc |= add_upgrade(p, &u, f->id);
	if (j->up_sep != NULL) {
		char *sh = band_short(j->up_prod, j->up_band);
		rc |= add_action(p, by, sh == NULL ? NULL : fmt("Once on %s, give %s a separate client certificate that "
			"carries clientAuth (%s)", sh, j->up_sep->name,
			f->options[2].available ? "option A or C" : "option A; C is closed for it"), f->id);
		free(sh);
	}
	*done = true;
	return rc;
}

static int mismatch_action(struct eku_plan *p, const struct eku_finding *f, const struct judged *j)
{
	struct plan_upgrade u = { 0 };
	const struct inv_node *newer = j->mm_b;

	if (j->mm_a == NULL || newer->prod->family == NULL)
		return add_action(p, p->at, fmt("Run the same version on Expressway-C and -E (%s)", f->subject), f->id);
	u.family = newer->prod->family;
	u.prod = newer->prod;
	u.band = newer->band;
	u.by = p->at;
	u.to_version = newer->version;
	u.older = j->mm_a;
	return add_upgrade(p, &u, f->id);
}

static int strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "expe1, expe2": a node and its cluster peers in name order, so that every
 * peer's finding lands on the same action. */
static char *cluster_label(const struct eku_plan *p, const char *name)
{
	const struct inv_node *n = NULL;
	const char *v[64];
	size_t nv = 0;
	char *s = NULL;
	size_t len = 0;
	FILE *f;

	for (size_t i = 0; i < p->n_nodes && n == NULL; i++)
		if (strcmp(p->nodes[i].name, name) == 0)
			n = &p->nodes[i];
	if (n == NULL || (f = open_memstream(&s, &len)) == NULL)
		return NULL;
	v[nv++] = n->name;
	for (size_t k = 0; k < n->cluster.n && nv < 64; k++)
		v[nv++] = n->cluster.v[k];
	qsort(v, nv, sizeof(v[0]), strcmp_p);
	for (size_t k = 0; k < nv; k++)
		if (k == 0 || strcmp(v[k], v[k - 1]) != 0)
			fprintf(f, "%s%s", k ? ", " : "", v[k]);
	fclose(f);
	return s;
}

static int plan_actions(struct eku_plan *p, const struct eku_finding *f, struct judged *j)
{
	int64_t by = f->severity == EKU_SEV_BROKEN || f->breaks_on == 0 ? p->at : f->breaks_on;
	/* a node's name, or a link's label */
	const char *name = f->kind == EKU_FINDING_NODE && strncmp(f->id, "node:", 5) == 0 ? f->id + 5 : f->subject;
	bool durable = false;
	int rc = 0;

	if (f->severity < EKU_SEV_UNKNOWN)
		return 0;
	if (has(f, "CERT_NOT_READ") && f->kind == EKU_FINDING_NODE)
		rc |= add_action(p, p->at, fmt("Fetch %s's certificate with 'eku scan', save it as PEM and name the "
			"file in the inventory", name), f->id);
	if (has(f, "EXPIRED"))
		rc |= add_action(p, p->at, fmt("Replace the expired certificate (%s)", name), f->id);
	if (has(f, "VERSION_MISMATCH"))
		rc |= mismatch_action(p, f, j);
	if (has(f, "VALIDITY_OVER_CAP"))
		rc |= add_action(p, p->at, fmt("Replace %s's certificate: its validity exceeds the cap in force at "
			"issue", name), f->id);
	if (has(f, "CLUSTER_EKU_MISMATCH")) {
		char *cl = cluster_label(p, name);
		rc |= add_action(p, p->at, fmt("Give the cluster %s certificates with the same EKUs", cl ? cl : name),
			f->id);
		free(cl);
	}
	if (has(f, "ACME_DROPS_CLIENTAUTH") && f->kind == EKU_FINDING_NODE && f->breaks_on != 0)
		rc |= add_action(p, f->breaks_on, fmt("Disable ACME auto-renewal on %s or move it to a path that "
			"keeps clientAuth (options A-D)", name), f->id);
	if (has(f, "SERVER_EKU_MISSING"))
		rc |= add_action(p, p->at, fmt("Replace the certificate that lacks serverAuth (%s)", name), f->id);
	if (f->n_options == 4)
		rc |= upgrade_action(p, f, j, by, &durable);
	/* Durable fix first (D, else C, else A), then B as a stopgap while the
	 * CA still allows it. */
	for (int k = 3; !durable && k >= 0 && f->n_options == 4; k = k == 3 ? 2 : k == 2 ? 0 : -1) {
		if (k == 3 && j->up_prod != NULL)
			continue; /* an upgrade that is not an option yet */
		if (f->options[k].available && j->act[k] != NULL) {
			rc |= add_action(p, by, j->act[k], f->id);
			j->act[k] = NULL;
			break;
		}
	}
	if (f->n_options == 4 && f->options[1].available && j->act[1] != NULL) {
		int64_t b = j->b_by < by ? j->b_by : by;
		rc |= add_action(p, b < p->at ? p->at : b, j->act[1], f->id);
		j->act[1] = NULL;
	}
	return rc;
}

static char *family_members(const struct eku_plan *p, json_t *family)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < p->n_nodes; i++)
		if (p->nodes[i].prod != NULL && p->nodes[i].prod->family == family)
			fprintf(f, "%s%s", ftell(f) ? ", " : "", p->nodes[i].name);
	fclose(f);
	return s;
}

/* Folds u into the target action: the earliest date, every finding. */
static int fold_upgrade(struct plan_upgrade *into, struct plan_upgrade *u)
{
	char *c = NULL, *sh;

	u->folded = true;
	if (u->by < into->by)
		into->by = u->by;
	for (size_t k = 0; k < u->finding_ids.n; k++)
		if (!eku_strv_contains(&into->finding_ids, u->finding_ids.v[k]) &&
		    eku_strv_push(&into->finding_ids, u->finding_ids.v[k]) != 0)
			return -1;
	if (u->to_version != NULL || u->band == into->band)
		return 0;
	if ((sh = band_short(u->prod, u->band)) == NULL)
		return -1;
	if (into->covers == NULL || strstr(into->covers, sh) == NULL) {
		if (asprintf(&c, "%s%s%s", into->covers ? into->covers : "", into->covers ? " and " : "", sh) < 0)
			c = NULL;
		free(into->covers);
		into->covers = c;
	}
	free(sh);
	return into->covers != NULL ? 0 : -1;
}

/* Per family: the highest band needed covers every lower one that is needed
 * no earlier than it is released (X15.5 covers X15.4's fixes); a lower band
 * stays its own action only while the higher one is not out yet. A version
 * mismatch folds into any upgrade at or above the newer version's band. */
static int merge_upgrades(struct eku_plan *p)
{
	for (size_t i = 0; i < p->n_upgrades; i++) {
		struct plan_upgrade *u = &p->upgrades[i], *top = NULL;
		for (size_t k = 0; k < p->n_upgrades; k++) {
			struct plan_upgrade *x = &p->upgrades[k];
			if (k == i || x->family != u->family || x->to_version != NULL || x->band < u->band ||
			    (x->band == u->band && u->to_version == NULL))
				continue;
			if (x->released > (u->by > p->at ? u->by : p->at))
				continue;
			if (top == NULL || x->band > top->band)
				top = x;
		}
		if (top != NULL && fold_upgrade(top, u) != 0)
			return -1;
	}
	return 0;
}

static int upgrade_text(const struct eku_plan *p, const struct plan_upgrade *u, char **out)
{
	char d[16], *who = family_members(p, u->family), *sh = band_short(u->prod, u->band), *cov = NULL;
	int rc = -1;

	*out = NULL;
	if (who == NULL || sh == NULL)
		goto out;
	if (u->to_version != NULL) {
		*out = fmt("Upgrade %s from %s to %s: Expressway-C and -E must run the same version", u->older->name,
			u->older->version, u->to_version);
	} else {
		if (u->covers != NULL)
			cov = fmt("; %s covers %s's fixes", sh, u->covers);
		*out = fmt("Upgrade %s to %s, Expressway-C and -E together%s%s%s%s", who,
			plan_band_label(u->prod, u->band), cov ? cov : "",
			u->released > p->at ? " (expected " : "", u->released > p->at ? datestr(u->released, d) : "",
			u->released > p->at ? ")" : "");
	}
	rc = *out != NULL && (u->to_version != NULL || u->covers == NULL || cov != NULL) ? 0 : -1;
out:
	free(cov);
	free(sh);
	free(who);
	return rc;
}

static int finish_upgrades(struct eku_plan *p)
{
	if (merge_upgrades(p) != 0)
		return -1;
	for (size_t i = 0; i < p->n_upgrades; i++) {
		const struct plan_upgrade *u = &p->upgrades[i];
		char *text = NULL;
		if (u->folded)
			continue;
		if (upgrade_text(p, u, &text) != 0) {
			free(text);
			return -1;
		}
		for (size_t k = 0; k < u->finding_ids.n; k++)
			if (add_action(p, u->by, strdup(text), u->finding_ids.v[k]) != 0) {
				free(text);
				return -1;
			}
		free(text);
	}
	return 0;
}

/* --- run -------------------------------------------------------------------- */

static int cmp_finding(const void *a, const void *b)
{
	const struct eku_finding *x = a, *y = b;
	int64_t dx = x->breaks_on ? x->breaks_on : INT64_MAX, dy = y->breaks_on ? y->breaks_on : INT64_MAX;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (dx != dy)
		return dx < dy ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int cmp_action(const void *a, const void *b)
{
	const struct eku_action *x = a, *y = b;
	/* On one day an upgrade comes first: "Once on X15.5 ..." follows it. */
	int ux = strncmp(x->action, "Upgrade ", 8) == 0, uy = strncmp(y->action, "Upgrade ", 8) == 0;

	if (x->by != y->by)
		return x->by < y->by ? -1 : 1;
	if (ux != uy)
		return ux ? -1 : 1;
	return strcmp(x->action, y->action);
}

static int push_finding(struct eku_plan *p, struct judged *j)
{
	struct eku_finding *nv = realloc(p->findings, (p->n_findings + 1) * sizeof(*nv));

	if (nv == NULL)
		return -1;
	p->findings = nv;
	if (finding_finish(j, &nv[p->n_findings]) != 0) {
		memset(&j->f, 0, sizeof(j->f));
		return -1;
	}
	p->n_findings++;
	memset(&j->f, 0, sizeof(j->f));
	return plan_actions(p, &nv[p->n_findings - 1], j);
}

int eku_plan_run(eku_plan *p)
{
	struct node_state *st = NULL;
	struct judged j;
	int rc = -1;

	memset(&j, 0, sizeof(j));
	plan_results_clear(p);
	if (p->policy == NULL || p->trust == NULL || p->n_diags > 0) {
		eku_error_set(&p->err, EKU_E_USAGE, "no valid inventory loaded");
		return -1;
	}
	if (!p->at_set)
		p->at = p->inv_at_set ? p->inv_at : (int64_t)time(NULL);
	if (!p->now_set) {
		p->now = (int64_t)time(NULL);
		if (p->inv_at_set && p->inv_at < p->now)
			p->now = p->inv_at;
	}
	st = calloc(p->n_nodes + 1, sizeof(*st));
	if (st == NULL)
		goto nomem;
	for (size_t i = 0; i < p->n_nodes; i++)
		if (judge_prepare_node(p, &st[i], &p->nodes[i]) != 0) {
			p->err = *eku_trust_error(p->trust);
			goto out;
		}
	for (size_t i = 0; i < p->n_links; i++) {
		if (judge_link(p, st, &p->links[i], &j) != 0 || push_finding(p, &j) != 0)
			goto nomem;
		finding_discard(&j);
	}
	for (size_t i = 0; i < p->n_nodes; i++) {
		if (judge_node(p, st, i, &j) != 0 || push_finding(p, &j) != 0)
			goto nomem;
		finding_discard(&j);
	}
	if (finish_upgrades(p) != 0)
		goto nomem;
	if (p->n_findings > 1) /* qsort(NULL, 0) is undefined */
		qsort(p->findings, p->n_findings, sizeof(*p->findings), cmp_finding);
	if (p->n_actions > 1)
		qsort(p->actions, p->n_actions, sizeof(*p->actions), cmp_action);
	rc = 0;
	goto out;
nomem:
	eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
out:
	finding_discard(&j);
	for (size_t i = 0; st != NULL && i < p->n_nodes; i++)
		judge_release_node(&st[i]);
	free(st);
	return rc;
}
