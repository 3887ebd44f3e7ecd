/* The planner: the decision tree A-D (docs/background.md) applied to every
 * link and node of an inventory at one instant. Dates and product behaviour come from
 * the timeline and the product profiles; this file only knows how to combine
 * them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <eku/data.h>

#include "plan_int.h"

static const char *const sev_names[] = { "not_affected", "ok", "unknown", "at_risk", "broken" };

const char *eku_severity_name(enum eku_severity s)
{
	return (unsigned)s < 5 ? sev_names[s] : "?";
}

int eku_severity_parse(const char *s, enum eku_severity *out)
{
	for (int i = 0; i < 5; i++)
		if (strcmp(s, sev_names[i]) == 0)
			return *out = (enum eku_severity)i, 0;
	return -1;
}

eku_plan *eku_plan_new(void)
{
	return calloc(1, sizeof(struct eku_plan));
}

void plan_results_clear(struct eku_plan *p)
{
	for (size_t i = 0; i < p->n_findings; i++) {
		struct eku_finding *f = &p->findings[i];
		free(f->id);
		free(f->subject);
		free(f->explanation);
		eku_strv_clear(&f->reasons);
		eku_strv_clear(&f->rule_ids);
		for (size_t k = 0; k < f->n_options; k++)
			free(f->options[k].why);
	}
	free(p->findings);
	for (size_t i = 0; i < p->n_actions; i++) {
		free(p->actions[i].action);
		eku_strv_clear(&p->actions[i].finding_ids);
	}
	free(p->actions);
	for (size_t i = 0; i < p->n_upgrades; i++) {
		eku_strv_clear(&p->upgrades[i].finding_ids);
		free(p->upgrades[i].covers);
	}
	free(p->upgrades);
	p->upgrades = NULL;
	p->n_upgrades = p->cap_upgrades = 0;
	eku_strv_clear(&p->unread);
	json_decref(p->chart);
	p->chart = NULL;
	p->findings = NULL;
	p->actions = NULL;
	p->n_findings = p->n_actions = p->cap_findings = p->cap_actions = 0;
	eku_hmap_free(p->action_idx);
	eku_hmap_free(p->upgrade_idx);
	eku_hmap_free(p->listed);
	p->action_idx = p->upgrade_idx = p->listed = NULL;
	plan_groups_clear(p);
}

void eku_plan_free(eku_plan *p)
{
	if (p == NULL)
		return;
	plan_results_clear(p);
	plan_live_clear(p);
	plan_inventory_clear(p);
	plan_products_clear(&p->prods);
	eku_timeline_free(p->timeline);
	eku_trust_free(p->trust);
	json_decref(p->vendors);
	json_decref(p->alt_roots);
	free(p->data_dir);
	free(p->system_bundle);
	free(p->source);
	free(p->base_dir);
	free(p);
}

const eku_error *eku_plan_error(const eku_plan *p)
{
	return &p->err;
}

int eku_plan_set_data_dir(eku_plan *p, const char *dir)
{
	free(p->data_dir);
	p->data_dir = dir ? strdup(dir) : NULL;
	return dir != NULL && p->data_dir == NULL ? -1 : 0;
}

void eku_plan_set_at(eku_plan *p, int64_t at)
{
	p->at = at;
	p->at_set = true;
}

void eku_plan_set_now(eku_plan *p, int64_t now)
{
	p->now = now;
	p->now_set = true;
}

void eku_plan_set_assume_renewed(eku_plan *p, bool on)
{
	p->assume_renewed = on;
}

int eku_plan_set_system_bundle(eku_plan *p, const char *path)
{
	free(p->system_bundle);
	p->system_bundle = path ? strdup(path) : NULL;
	p->system_bundle_set = true;
	return path != NULL && p->system_bundle == NULL ? -1 : 0;
}

size_t eku_plan_diag_count(const eku_plan *p) { return p->diags.n; }
const struct eku_diag *eku_plan_diag(const eku_plan *p, size_t i)
{
	return i < p->diags.n ? &p->diags.v[i] : NULL;
}
int64_t eku_plan_at(const eku_plan *p) { return p->at; }
const char *eku_plan_deployment(const eku_plan *p) { return p->deployment ? p->deployment : ""; }
size_t eku_plan_finding_count(const eku_plan *p) { return p->n_findings; }
const struct eku_finding *eku_plan_finding(const eku_plan *p, size_t i)
{
	return i < p->n_findings ? &p->findings[i] : NULL;
}
size_t eku_plan_action_count(const eku_plan *p) { return p->n_actions; }
const struct eku_action *eku_plan_action(const eku_plan *p, size_t i)
{
	return i < p->n_actions ? &p->actions[i] : NULL;
}
const eku_strv *eku_plan_unread_inputs(const eku_plan *p) { return &p->unread; }
size_t eku_plan_upgrade_group_count(const eku_plan *p) { return p->n_groups; }
const struct eku_upgrade_group *eku_plan_upgrade_group(const eku_plan *p, size_t i)
{
	return i < p->n_groups ? &p->groups[i] : NULL;
}

const struct eku_finding *eku_plan_finding_by_id(const eku_plan *p, const char *id)
{
	for (size_t i = 0; i < p->n_findings; i++)
		if (strcmp(p->findings[i].id, id) == 0)
			return &p->findings[i];
	return NULL;
}

/* kind < 0: every finding. */
static void counts_of(const eku_plan *p, int kind, size_t counts[5])
{
	memset(counts, 0, 5 * sizeof(counts[0]));
	for (size_t i = 0; i < p->n_findings; i++)
		if (kind < 0 || (int)p->findings[i].kind == kind)
			counts[p->findings[i].severity]++;
}

void eku_plan_counts(const eku_plan *p, size_t counts[5])
{
	counts_of(p, -1, counts);
}

void eku_plan_counts_kind(const eku_plan *p, enum eku_finding_kind kind, size_t counts[5])
{
	counts_of(p, (int)kind, counts);
}

static int64_t first_break_of(const eku_plan *p, int kind)
{
	int64_t first = 0;

	for (size_t i = 0; i < p->n_findings; i++) {
		const struct eku_finding *f = &p->findings[i];
		if ((kind < 0 || (int)f->kind == kind) && f->severity == EKU_SEV_AT_RISK && f->breaks_on != 0 &&
		    (first == 0 || f->breaks_on < first))
			first = f->breaks_on;
	}
	return first;
}

int64_t eku_plan_first_break(const eku_plan *p)
{
	return first_break_of(p, -1);
}

int64_t eku_plan_first_break_kind(const eku_plan *p, enum eku_finding_kind kind)
{
	return first_break_of(p, (int)kind);
}

/* --- loading -------------------------------------------------------------- */

static json_t *data_array(struct eku_plan *p, const char *name, const char *key)
{
	size_t len = 0;
	json_error_t jerr;
	char *origin = NULL;
	uint8_t *buf = eku_data_read(p->data_dir, name, &len, &origin, &p->err);
	json_t *doc, *arr = NULL;

	if (buf == NULL)
		return NULL;
	doc = json_loadb((const char *)buf, len, 0, &jerr);
	free(buf);
	if (doc == NULL)
		eku_error_set(&p->err, EKU_E_BAD_DATA, "%s:%d:%d: %s", origin ? origin : name, jerr.line,
			jerr.column, jerr.text);
	else {
		/* json_is_array() evaluates its argument twice: take the reference first. */
		arr = json_incref(json_object_get(doc, key));
		if (!json_is_array(arr))
			eku_error_set(&p->err, EKU_E_BAD_DATA, "%s: no \"%s\" array", origin ? origin : name, key);
	}
	json_decref(doc);
	free(origin);
	if (!json_is_array(arr)) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* The product files' problems become the plan's diags (each names its
 * file), so callers report them as they report inventory problems. -1. */
static int take_product_diags(struct eku_plan *p)
{
	struct products *pr = &p->prods;

	eku_timeline_free(p->timeline); /* load again next time, not half */
	p->timeline = NULL;
	for (size_t i = 0; i < pr->diags.n; i++)
		if (eku_diaglist_add_copy(&p->diags, &pr->diags.v[i]) != 0) {
			eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
			break;
		}
	eku_diaglist_clear(&pr->diags);
	return -1;
}

static int load_data(struct eku_plan *p)
{
	if (p->timeline != NULL)
		return 0;
	if ((p->timeline = eku_timeline_new()) == NULL) {
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	if (eku_timeline_load(p->timeline, p->data_dir) != 0) {
		p->err = *eku_timeline_error(p->timeline);
		eku_timeline_free(p->timeline);
		p->timeline = NULL;
		return -1;
	}
	if (plan_products_load(&p->prods, p->data_dir, &p->err) != 0)
		return take_product_diags(p);
	if ((p->vendors = data_array(p, "ca-vendors.json", "vendors")) == NULL ||
	    (p->alt_roots = data_array(p, "alt-roots.json", "roots")) == NULL)
		return -1;
	return 0;
}

int eku_plan_check_data(eku_plan *p)
{
	eku_trust *t = NULL;
	int rc = -1;

	plan_results_clear(p);
	plan_inventory_clear(p);
	if (load_data(p) != 0)
		goto out;
	/* The Chrome Root Store is the trust store's; read it as it does. */
	if ((t = eku_trust_new()) == NULL || eku_trust_set_data_dir(t, p->data_dir) != 0) {
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	if (eku_trust_load_data(t) != 0) {
		p->err = *eku_trust_error(t);
		goto out;
	}
	rc = 0;
out:
	eku_trust_free(t);
	return rc;
}

static char *join_path(const char *dir, const char *file)
{
	char *s = NULL;

	if (file[0] == '/' || dir == NULL || dir[0] == '\0')
		return strdup(file);
	return asprintf(&s, "%s/%s", dir, file) < 0 ? NULL : s;
}

/* A private root that is DIR/root.crt of an `eku ca` directory (ca.db beside
 * it) turns option C's action into a concrete `eku ca issue` command. */
static int note_eku_ca(struct eku_plan *p, const char *written, const char *resolved)
{
	static const char tail[] = "root.crt";
	size_t n = strlen(resolved), w = strlen(written), t = sizeof(tail) - 1;
	char *db;
	bool found;

	if (p->eku_ca_dir != NULL || n < t || w < t || strcmp(resolved + n - t, tail) != 0 ||
	    strcmp(written + w - t, tail) != 0)
		return 0;
	if ((db = malloc(n - t + sizeof("ca.db"))) == NULL)
		return -1;
	memcpy(db, resolved, n - t);
	strcpy(db + n - t, "ca.db");
	found = access(db, F_OK) == 0;
	free(db);
	if (!found)
		return 0;
	/* "DIR/root.crt" -> "DIR"; "root.crt" -> "." */
	p->eku_ca_dir = w > t ? strndup(written, w - t - 1) : strdup(".");
	return p->eku_ca_dir != NULL ? 0 : -1;
}

static int build_trust(struct eku_plan *p)
{
	char *path = NULL;
	int rc = -1;

	eku_trust_free(p->trust);
	if ((p->trust = eku_trust_new()) == NULL ||
	    eku_trust_set_data_dir(p->trust, p->data_dir) != 0 || eku_trust_load_data(p->trust) != 0)
		goto fail;
	if (!(p->system_bundle_set && p->system_bundle != NULL && p->system_bundle[0] == '\0') &&
	    eku_trust_add_system(p->trust, p->system_bundle) != 0)
		goto fail;
	for (size_t i = 0; i < p->n_public_roots; i++) {
		free(path);
		if ((path = join_path(p->base_dir, p->public_roots[i].file)) == NULL ||
		    eku_trust_add_public_root_file(p->trust, path, p->public_roots[i].vendor) != 0)
			goto fail;
	}
	for (size_t i = 0; i < p->private_roots.n; i++) {
		free(path);
		if ((path = join_path(p->base_dir, p->private_roots.v[i])) == NULL ||
		    eku_trust_add_anchor_file(p->trust, path) != 0 ||
		    note_eku_ca(p, p->private_roots.v[i], path) != 0)
			goto fail;
	}
	rc = 0;
	goto out;
fail:
	if (p->trust != NULL && eku_trust_error(p->trust)->code != EKU_E_OK)
		p->err = *eku_trust_error(p->trust);
	else
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
out:
	free(path);
	return rc;
}

int eku_plan_load_mem(eku_plan *p, const char *source, const char *base_dir, const char *yaml,
	size_t len)
{
	plan_results_clear(p);
	plan_live_clear(p); /* endpoint indexes belong to the old inventory */
	plan_inventory_clear(p);
	free(p->source);
	free(p->base_dir);
	p->source = strdup(source ? source : "-");
	p->base_dir = base_dir ? strdup(base_dir) : NULL;
	if (p->source == NULL || (base_dir != NULL && p->base_dir == NULL)) {
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	if (load_data(p) != 0)
		return -1;
	if (plan_inventory_parse(p, p->source, yaml, len) != 0)
		return -1;
	return build_trust(p);
}

#define INVENTORY_MAX (4u * 1024u * 1024u)

int eku_plan_load_file(eku_plan *p, const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char *dir = NULL, *slash;
	int rc = -1;

	struct stat st;

	/* A FIFO is fine (eku plan <(generate-inventory)); a folder is a slip. */
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		eku_error_set(&p->err, EKU_E_IO, "is a folder; give the inventory file (e.g. %s/inventory.yaml)", path);
		return -1;
	}
	if (eku_read_file(path, INVENTORY_MAX, &buf, &len, &p->err) != 0) {
		if (p->err.code == EKU_E_TOO_LARGE)
			eku_error_set(&p->err, EKU_E_TOO_LARGE, "larger than %u MiB; split the deployment into "
				"several inventories", INVENTORY_MAX >> 20);
		return -1;
	}
	if ((dir = strdup(path)) == NULL) {
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	slash = strrchr(dir, '/');
	if (slash != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	rc = eku_plan_load_mem(p, path, slash != NULL ? dir : NULL, (const char *)buf, len);
out:
	free(dir);
	free(buf);
	return rc;
}
