/* The dated action list: each finding's durable fix and stopgap, merged
 * when equal; upgrades merged per product family. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"

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
		rc |= add_action(p, by, sh == NULL ? NULL : plan_fmt("Once on %s, give %s a separate client certificate that "
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
		return add_action(p, p->at, plan_fmt("Run the same version on Expressway-C and -E (%s)", f->subject), f->id);
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

int plan_actions(struct eku_plan *p, const struct eku_finding *f, struct judged *j)
{
	int64_t by = f->severity == EKU_SEV_BROKEN || f->breaks_on == 0 ? p->at : f->breaks_on;
	/* a node's name, or a link's label */
	const char *name = f->kind == EKU_FINDING_NODE && strncmp(f->id, "node:", 5) == 0 ? f->id + 5 : f->subject;
	bool durable = false;
	int rc = 0;

	if (f->severity < EKU_SEV_UNKNOWN)
		return 0;
	if (has(f, "CERT_NOT_READ") && f->kind == EKU_FINDING_NODE)
		rc |= add_action(p, p->at, plan_fmt("Fetch %s's certificate with 'eku scan', save it as PEM and name the "
			"file in the inventory", name), f->id);
	if (has(f, "EXPIRED"))
		rc |= add_action(p, p->at, plan_fmt("Replace the expired certificate (%s)", name), f->id);
	if (has(f, "VERSION_MISMATCH"))
		rc |= mismatch_action(p, f, j);
	if (has(f, "VALIDITY_OVER_CAP"))
		rc |= add_action(p, p->at, plan_fmt("Replace %s's certificate: its validity exceeds the cap in force at "
			"issue", name), f->id);
	if (has(f, "CLUSTER_EKU_MISMATCH")) {
		char *cl = cluster_label(p, name);
		rc |= add_action(p, p->at, plan_fmt("Give the cluster %s certificates with the same EKUs", cl ? cl : name),
			f->id);
		free(cl);
	}
	if (has(f, "ACME_DROPS_CLIENTAUTH") && f->kind == EKU_FINDING_NODE && f->breaks_on != 0)
		rc |= add_action(p, f->breaks_on, plan_fmt("Disable ACME auto-renewal on %s or move it to a path that "
			"keeps clientAuth (options A-D)", name), f->id);
	if (has(f, "SERVER_EKU_MISSING"))
		rc |= add_action(p, p->at, plan_fmt("Replace the certificate that lacks serverAuth (%s)", name), f->id);
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

static char *family_members(const struct eku_plan *p, const struct family *family)
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
		*out = plan_fmt("Upgrade %s from %s to %s: Expressway-C and -E must run the same version", u->older->name,
			u->older->version, u->to_version);
	} else {
		if (u->covers != NULL)
			cov = plan_fmt("; %s covers %s's fixes", sh, u->covers);
		*out = plan_fmt("Upgrade %s to %s, Expressway-C and -E together%s%s%s%s", who,
			plan_band_label(u->prod, u->band), cov ? cov : "",
			u->released > p->at ? " (expected " : "", u->released > p->at ? plan_date(u->released, d) : "",
			u->released > p->at ? ")" : "");
	}
	rc = *out != NULL && (u->to_version != NULL || u->covers == NULL || cov != NULL) ? 0 : -1;
out:
	free(cov);
	free(sh);
	free(who);
	return rc;
}

int finish_upgrades(struct eku_plan *p)
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

