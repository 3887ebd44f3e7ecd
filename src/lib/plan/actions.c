/* The dated action list: each finding's durable fix and stopgap, merged
 * when equal; upgrades merged per upgrade group (groups.c). Every lookup
 * goes through a hash index, so the list costs linear time in the findings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge.h"

enum list { LIST_ACTION, LIST_UPGRADE };

/* Appends fid to the finding_ids of action or upgrade i unless it is there:
 * one set over all lists, keyed by (list, i, fid). */
static int list_add(struct eku_plan *p, enum list which, size_t i, eku_strv *ids, const char *fid)
{
	size_t flen = strlen(fid), klen = 1 + sizeof(i) + flen;
	char stack[256], *key = klen <= sizeof(stack) ? stack : malloc(klen);
	int fresh = -1;

	if (key != NULL && (p->listed != NULL || (p->listed = eku_hmap_new()) != NULL)) {
		key[0] = (char)which;
		memcpy(key + 1, &i, sizeof(i));
		memcpy(key + 1 + sizeof(i), fid, flen);
		fresh = eku_hmap_add(p->listed, key, klen, 0);
	}
	if (key != stack)
		free(key);
	if (fresh <= 0)
		return fresh;
	return eku_strv_push(ids, fid);
}

static int add_action(struct eku_plan *p, int64_t by, char *text, const char *fid)
{
	struct eku_action *a;
	size_t i;

	if (text == NULL || (p->action_idx == NULL && (p->action_idx = eku_hmap_new()) == NULL))
		goto fail;
	if (eku_hmap_gets(p->action_idx, text, &i)) {
		free(text);
		if (by < p->actions[i].by)
			p->actions[i].by = by;
		return list_add(p, LIST_ACTION, i, &p->actions[i].finding_ids, fid);
	}
	if (plan_grow((void **)&p->actions, &p->cap_actions, p->n_actions, sizeof(*a)) != 0 ||
	    eku_hmap_puts(p->action_idx, text, p->n_actions) != 0)
		goto fail;
	i = p->n_actions++;
	a = &p->actions[i];
	memset(a, 0, sizeof(*a));
	a->by = by;
	a->action = text;
	return list_add(p, LIST_ACTION, i, &a->finding_ids, fid);
fail:
	free(text);
	return -1;
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

/* The upgrade group of node n, SIZE_MAX when it is in none. */
static size_t group_of(const struct eku_plan *p, const struct inv_node *n)
{
	return n != NULL && p->node_group != NULL ? p->node_group[n - p->nodes] : SIZE_MAX;
}

/* Records an upgrade a finding needs; finish_upgrades() merges them. One
 * upgrade per (group, band) and per (group, older node, version) for a
 * version mismatch. */
static int add_upgrade(struct eku_plan *p, const struct plan_upgrade *u, const char *fid)
{
	/* a node in no group is its own group */
	char *key = plan_fmt("%c%td|%d|%s|%td", u->group != SIZE_MAX ? 'g' : 'n',
		u->group != SIZE_MAX ? (ptrdiff_t)u->group : u->node - p->nodes, u->band,
		u->to_version ? u->to_version : "", u->older ? u->older - p->nodes : (ptrdiff_t)-1);
	struct plan_upgrade *x;
	size_t i;
	int rc = -1;

	if (key == NULL || (p->upgrade_idx == NULL && (p->upgrade_idx = eku_hmap_new()) == NULL))
		goto out;
	if (eku_hmap_gets(p->upgrade_idx, key, &i)) {
		x = &p->upgrades[i];
		if (u->by < x->by)
			x->by = u->by;
	} else {
		if (plan_grow((void **)&p->upgrades, &p->cap_upgrades, p->n_upgrades, sizeof(*x)) != 0 ||
		    eku_hmap_puts(p->upgrade_idx, key, p->n_upgrades) != 0)
			goto out;
		i = p->n_upgrades++;
		x = &p->upgrades[i];
		*x = *u;
		memset(&x->finding_ids, 0, sizeof(x->finding_ids));
	}
	rc = list_add(p, LIST_UPGRADE, i, &x->finding_ids, fid);
out:
	free(key);
	return rc;
}

/* Option D as an upgrade intent. An upgrade not released on the plan date
 * still counts when it comes out before the finding breaks: then it is the
 * fix to plan for, due by the break. */
static int upgrade_action(struct eku_plan *p, const struct eku_finding *f, struct judged *j, int64_t by,
	bool *done)
{
	int rc = 0;

	*done = false;
	for (size_t i = 0; i < j->n_up; i++) {
		const struct opt_upgrade *up = &j->up[i];
		struct plan_upgrade u = { 0 };
		if (up->prod->family == NULL || up->node == NULL)
			continue;
		if (!f->options[3].available &&
		    !(up->released > p->at && f->severity == EKU_SEV_AT_RISK && f->breaks_on >= up->released))
			continue;
		u.node = up->node;
		u.group = group_of(p, up->node);
		u.family = up->prod->family;
		u.prod = up->prod;
		u.band = up->band;
		u.by = by;
		u.released = up->released;
		rc |= add_upgrade(p, &u, f->id);
		if (up->sep != NULL) {
			char *sh = band_short(up->prod, up->band);
			rc |= add_action(p, by, sh == NULL ? NULL : plan_fmt("Once on %s, give %s a separate client "
				"certificate that carries clientAuth (%s)", sh, up->sep->name,
				up->sep_c_open ? "option A or C" : "option A; C is closed for it"), f->id);
			free(sh);
		}
		*done = true;
	}
	return rc;
}

static int mismatch_action(struct eku_plan *p, const struct eku_finding *f, const struct judged *j)
{
	struct plan_upgrade u = { 0 };
	const struct inv_node *newer = j->mm_b;

	if (j->mm_a == NULL || newer->prod->family == NULL)
		return add_action(p, p->at, plan_fmt("Run the same version on Expressway-C and -E (%s)", f->subject), f->id);
	u.node = j->mm_a;
	u.group = group_of(p, j->mm_a);
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
	long i = plan_node_find(p, name);
	const struct inv_node *n = i >= 0 ? &p->nodes[i] : NULL;
	const char *v[64];
	size_t nv = 0;
	char *s = NULL;
	size_t len = 0;
	FILE *f;

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
		rc |= add_action(p, p->at, plan_fmt("Read %s's certificate: 'eku plan --scan' where its endpoint answers, "
			"or 'eku scan --inventory INV --save-chains DIR' there and 'eku plan --chains DIR'", name), f->id);
	if (has(f, "ISSUER_UNKNOWN"))
		rc |= add_action(p, p->at, plan_fmt("Tell eku who issued the certificate on %s: its root under "
			"public_roots or private_roots, or the intermediates in the certificate file", name), f->id);
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
	 * CA still allows it. Each cause of the finding brings its own text. */
	for (int k = 3; !durable && k >= 0 && f->n_options == 4; k = k == 3 ? 2 : k == 2 ? 0 : -1) {
		if (k == 3 && j->n_up > 0)
			continue; /* an upgrade that is not an option yet */
		if (!f->options[k].available || j->act[k].n == 0)
			continue;
		for (size_t i = 0; i < j->act[k].n; i++)
			rc |= add_action(p, by, strdup(j->act[k].v[i]), f->id);
		break;
	}
	/* B's own best day, which its text names. */
	if (f->n_options == 4 && f->options[1].available) {
		int64_t b = j->b_by != 0 ? j->b_by : by;
		for (size_t i = 0; i < j->act[1].n; i++)
			rc |= add_action(p, b < p->at ? p->at : b, strdup(j->act[1].v[i]), f->id);
	}
	return rc;
}

/* Folds u into the target action: the earliest date, every finding. */
static int fold_upgrade(struct eku_plan *p, size_t into_i, struct plan_upgrade *u)
{
	struct plan_upgrade *into = &p->upgrades[into_i];
	char *c = NULL, *sh;

	u->folded = true;
	if (u->by < into->by)
		into->by = u->by;
	for (size_t k = 0; k < u->finding_ids.n; k++)
		if (list_add(p, LIST_UPGRADE, into_i, &into->finding_ids, u->finding_ids.v[k]) < 0)
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

/* Orders upgrades by group, then in the order they were added. */
struct gkey {
	size_t group;            /* a node in no group: n_groups + its index */
	size_t i;
};

static int cmp_gkey(const void *a, const void *b)
{
	const struct gkey *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Within one group (idx[0..n)): the highest band needed covers every lower
 * one that is needed no earlier than it is released (X15.5 covers X15.4's
 * fixes); a lower band stays its own action only while the higher one is
 * not out yet. A version mismatch folds into any upgrade at or above the
 * newer version's band. */
static int merge_group(struct eku_plan *p, const size_t *idx, size_t n)
{
	for (size_t a = 0; a < n; a++) {
		struct plan_upgrade *u = &p->upgrades[idx[a]];
		size_t top = SIZE_MAX;
		for (size_t b = 0; b < n; b++) {
			const struct plan_upgrade *x = &p->upgrades[idx[b]];
			if (b == a || x->to_version != NULL || x->band < u->band ||
			    (x->band == u->band && u->to_version == NULL))
				continue;
			if (x->released > (u->by > p->at ? u->by : p->at))
				continue;
			if (top == SIZE_MAX || x->band > p->upgrades[top].band)
				top = idx[b];
		}
		if (top != SIZE_MAX && fold_upgrade(p, top, u) != 0)
			return -1;
	}
	return 0;
}

static int merge_upgrades(struct eku_plan *p)
{
	struct gkey *k = calloc(p->n_upgrades + 1, sizeof(*k));
	size_t *idx = calloc(p->n_upgrades + 1, sizeof(*idx));
	int rc = -1;

	if (k == NULL || idx == NULL)
		goto out;
	for (size_t i = 0; i < p->n_upgrades; i++) {
		const struct plan_upgrade *u = &p->upgrades[i];
		k[i].group = u->group != SIZE_MAX ? u->group : p->n_groups + (size_t)(u->node - p->nodes);
		k[i].i = i;
	}
	if (p->n_upgrades > 1)
		qsort(k, p->n_upgrades, sizeof(*k), cmp_gkey);
	for (size_t i = 0; i < p->n_upgrades; i++)
		idx[i] = k[i].i;
	rc = 0;
	for (size_t i = 0, e; rc == 0 && i < p->n_upgrades; i = e) {
		for (e = i + 1; e < p->n_upgrades && k[e].group == k[i].group; e++)
			;
		rc = merge_group(p, idx + i, e - i);
	}
out:
	free(k);
	free(idx);
	return rc;
}

static int upgrade_text(const struct eku_plan *p, const struct plan_upgrade *u, char **out)
{
	const char *who = plan_group_name(p, u->node);
	char d[16], *sh = band_short(u->prod, u->band), *cov = NULL;
	int rc = -1;

	*out = NULL;
	if (sh == NULL)
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
