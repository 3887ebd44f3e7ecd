/* One round of one source, on a thread of its own (never the main loop):
 * the library's inspect (files), probe engine (targets) or planner
 * (inventory, its host:port certificates probed as `eku plan --scan`
 * does), then the events since the previous round. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include <eku/probe.h>

#include "../cli/liveprobe.h"
#include "sv.h"

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- files ----------------------------------------------------------------- */

static int add_file_fails(struct sv_snap *s, const eku_diaglist *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == EKU_DIAG_ERROR &&
		    sv_snap_add_fail(s, d->v[i].source ? d->v[i].source : "?", "file", d->v[i].message) != 0)
			return -1;
	return 0;
}

/* A file is watched as the certificate it starts with (a fullchain's leaf);
 * the rest of that file helps build its chain. Files are read one at a
 * time, each classified against its own certificates only: memory stays
 * that of one file, and the round is linear in the number of files. */
struct files_ctx {
	const struct sv_config *cfg;
	struct sv_snap *s;
	eku_loader *ld;
	eku_diaglist *diags;
	bool nomem;
};

static int one_file(void *arg, const char *file)
{
	struct files_ctx *x = arg;
	eku_certlist *l = eku_certlist_new();
	struct eku_classification *cl = NULL;
	const eku_cert *c;
	struct sv_obs *o;
	int n;

	if (l == NULL) {
		x->nomem = true;
		return 0;
	}
	n = eku_loader_load_path(x->ld, file, l, x->diags);
	if (n > 0 && (c = eku_certlist_get0(l, 0)) != NULL &&
	    (cl = eku_trust_classify(x->cfg->trust_store, c, l)) != NULL) {
		o = sv_snap_add_obs(x->s);
		if (o == NULL || sv_obs_fill(o, file, "file", c, cl, x->cfg->timeline, x->s->started) != 0)
			x->nomem = true;
	}
	eku_classification_free(cl);
	eku_certlist_free(l);
	return n > 0 ? n : 0;
}

static int round_files(const struct sv_config *cfg, const struct sv_source *src, struct sv_snap *s)
{
	eku_diaglist d = { 0 };
	struct files_ctx x = { .cfg = cfg, .s = s, .ld = eku_loader_new(), .diags = &d };
	int rc = -1;

	if (x.ld == NULL)
		goto out;
	for (size_t i = 0; i < src->inputs.n && !x.nomem; i++)
		(void)eku_loader_walk(x.ld, src->inputs.v[i], one_file, &x, &d);
	if (!x.nomem)
		rc = add_file_fails(s, &d);
out:
	eku_loader_free(x.ld);
	eku_diaglist_clear(&d);
	return rc;
}

/* ---- targets ---------------------------------------------------------------- */

struct probe_ctx {
	const struct sv_config *cfg;
	struct sv_snap *s;
	struct cli_live_results *live; /* inventory rounds feed the plan too */
	bool nomem;
};

static void on_result(const struct eku_probe_result *r, void *arg)
{
	struct probe_ctx *p = arg;
	const char *key = r->target->spec;
	struct sv_obs *o;

	if (p->live != NULL && cli_live_results_keep(p->live, r) != 0)
		p->nomem = true;
	if (r->err_class != EKU_PROBE_OK || eku_certlist_count(r->chain) == 0) {
		if (sv_snap_add_fail(p->s, key, eku_probe_errclass_name(r->err_class),
			    r->err_message ? r->err_message : "no certificate presented") != 0)
			p->nomem = true;
		return;
	}
	if ((o = sv_snap_add_obs(p->s)) == NULL ||
	    sv_obs_fill(o, key, "endpoint", eku_certlist_get0(r->chain, 0), r->chain_cl ? r->chain_cl[0] : NULL,
		    p->cfg->timeline, p->s->started) != 0)
		p->nomem = true;
}

static eku_probe_config *probe_config(const struct sv_config *cfg, unsigned timeout_ms)
{
	eku_probe_config *pc = eku_probe_config_new();

	if (pc == NULL)
		return NULL;
	eku_probe_config_set0_trust(pc, cfg->trust_store);
	/* The question is the certificate, not client-auth behaviour: no
	 * second handshake, no post-handshake wait. */
	eku_probe_config_set_detect_client_auth(pc, false);
	eku_probe_config_set_timeouts(pc, timeout_ms < 5000 ? timeout_ms : 5000, timeout_ms, timeout_ms);
	eku_probe_config_set_threads(pc, 1);
	return pc;
}

int sv_probe_targets(const struct sv_config *cfg, const eku_strv *specs, unsigned timeout_ms,
	struct sv_snap *s)
{
	eku_probe_config *pc = probe_config(cfg, timeout_ms);
	eku_probe *p = pc != NULL ? eku_probe_new(pc) : NULL;
	struct probe_ctx ctx = { .cfg = cfg, .s = s };
	int rc = -1;

	if (p == NULL)
		goto out;
	for (size_t i = 0; i < specs->n; i++) {
		struct eku_target t;
		eku_error err = { 0 };
		if (eku_target_parse(specs->v[i], &t, &err) != 0) {
			if (sv_snap_add_fail(s, specs->v[i], "usage", err.message) != 0)
				goto out;
			continue;
		}
		if (eku_probe_add0_target(p, &t) != 0) {
			eku_target_clear(&t);
			goto out;
		}
	}
	if (eku_probe_run(p, on_result, &ctx) != 0 || ctx.nomem)
		goto out;
	rc = 0;
out:
	eku_probe_free(p);
	eku_probe_config_free(pc);
	return rc;
}

/* ---- inventory ------------------------------------------------------------- */

static int plan_findings(struct sv_snap *s, const eku_plan *pl)
{
	for (size_t i = 0; i < eku_plan_finding_count(pl); i++) {
		const struct eku_finding *f = eku_plan_finding(pl, i);
		if (sv_snap_add_finding(s, f->id, f->kind == EKU_FINDING_LINK ? "link" : "node", f->severity,
			    f->breaks_on) != 0)
			return -1;
	}
	return 0;
}

/* "WHAT: DETAIL" as the round's error. */
static int round_error(struct sv_snap *s, const char *what, const char *detail)
{
	free(s->error);
	return asprintf(&s->error, "%s: %s", what, detail) < 0 ? (s->error = NULL, -1) : 0;
}

/* The inventory's host:port certificates, probed and handed to the plan. */
static int plan_live(const struct sv_config *cfg, const struct sv_source *src, eku_plan *pl,
	struct sv_snap *s)
{
	size_t n = eku_plan_endpoint_count(pl);
	size_t *target_of = calloc(n ? n : 1, sizeof(*target_of));
	eku_probe_config *pc = probe_config(cfg, src->timeout_ms);
	eku_probe *p = pc != NULL ? eku_probe_new(pc) : NULL;
	struct cli_live_results lr = { 0 };
	struct cli_target_opts d = { 0 };
	struct probe_ctx ctx = { .cfg = cfg, .s = s, .live = &lr };
	int rc = -1;

	if (target_of == NULL || p == NULL)
		goto out;
	if (cli_probe_add_inventory(p, &d, pl, src->inventory, target_of) != 0 ||
	    cli_live_results_init(&lr, eku_probe_target_count(p)) != 0 ||
	    eku_probe_run(p, on_result, &ctx) != 0 || ctx.nomem || cli_live_apply(pl, target_of, &lr) != 0)
		goto out;
	rc = 0;
out:
	cli_live_results_clear(&lr);
	eku_probe_free(p);
	eku_probe_config_free(pc);
	free(target_of);
	return rc;
}

static int round_inventory(const struct sv_config *cfg, const struct sv_source *src, struct sv_snap *s)
{
	eku_plan *pl = eku_plan_new();
	json_t *doc = NULL;
	int rc = -1;

	if (pl == NULL || eku_plan_set_system_bundle(pl, cfg->system_bundle) != 0)
		goto out;
	eku_plan_set_now(pl, s->started);
	if (eku_plan_load_file(pl, src->inventory) != 0) {
		const struct eku_diag *d = eku_plan_diag_count(pl) > 0 ? eku_plan_diag(pl, 0) : NULL;
		char pos[600];
		snprintf(pos, sizeof(pos), "cannot load the inventory: %s:%d:%d", src->inventory,
			d ? d->line : 0, d ? d->column : 0);
		rc = round_error(s, pos, d ? d->message : eku_plan_error(pl)->message);
		goto out;
	}
	if (eku_plan_endpoint_count(pl) > 0 && plan_live(cfg, src, pl, s) != 0)
		goto out;
	if (eku_plan_run(pl) != 0) {
		rc = round_error(s, "the plan failed", eku_plan_error(pl)->message);
		goto out;
	}
	if (plan_findings(s, pl) != 0 || (doc = eku_plan_json(pl)) == NULL ||
	    (s->plan_json = json_dumps(doc, JSON_COMPACT)) == NULL)
		goto out;
	rc = 0;
out:
	json_decref(doc);
	eku_plan_free(pl);
	return rc;
}

struct sv_snap *sv_round_run(const struct sv_config *cfg, const struct sv_source *src,
	const struct sv_snap *prev)
{
	struct sv_snap *s = sv_snap_new(src->name, src->kind);
	double t0 = mono();
	int rc = -1;

	if (s == NULL)
		return NULL;
	s->started = (int64_t)time(NULL);
	switch (src->kind) {
	case SV_FILES:
		rc = round_files(cfg, src, s);
		break;
	case SV_TARGETS:
		rc = sv_probe_targets(cfg, &src->inputs, src->timeout_ms, s);
		break;
	case SV_INVENTORY:
		rc = round_inventory(cfg, src, s);
		break;
	}
	s->finished = (int64_t)time(NULL);
	s->duration = mono() - t0;
	if (rc != 0 && s->error == NULL && (s->error = strdup("out of memory")) == NULL)
		goto fail;
	if (s->error == NULL && (sv_snap_carry(s, prev) != 0 || sv_snap_diff(s, prev, cfg->expiring_days) != 0))
		goto fail;
	return s;
fail:
	sv_snap_free(s);
	return NULL;
}
