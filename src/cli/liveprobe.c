/* Inventory endpoints <-> probe targets, for eku scan --inventory and eku
 * plan --scan. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common.h"
#include "liveprobe.h"

int cli_parse_duration(const char *opt, const char *s, bool allow_zero, unsigned *ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || (strcmp(end, "ms") != 0 && *end != '\0' && strcmp(end, "s") != 0))
		v = -1;
	else if (strcmp(end, "ms") != 0)
		v *= 1000.0;
	if (v < 0 || v > 86400000.0 || (v == 0 && !allow_zero)) {
		cli_error("%s %s: give a duration such as 5, 5s or 500ms", opt, s);
		return -1;
	}
	*ms = (unsigned)v;
	return 0;
}

int cli_probe_add_target(eku_probe *p, const struct cli_target_opts *d, const char *spec, const char *where,
	const char *label)
{
	struct eku_target t;
	eku_error err = { 0 };

	if (eku_target_parse(spec, &t, &err) != 0) {
		cli_error("%s%s'%s': %s", where ? where : "", where ? ": " : "", spec, err.message);
		return -1;
	}
	if (!t.proto_given && d->starttls != NULL) {
		(void)!eku_proto_from_name(d->starttls, &t.proto);
		t.proto_given = true;
	}
	if (t.sni == NULL && d->sni != NULL)
		t.sni = strdup(d->sni);
	if (label != NULL && (t.label = strdup(label)) == NULL) {
		eku_target_clear(&t);
		cli_error("out of memory");
		return -1;
	}
	if (eku_probe_add0_target(p, &t) != 0) {
		eku_target_clear(&t);
		cli_error("out of memory");
		return -1;
	}
	return 0;
}

/* "expe1 server, expe2 client": every node and role naming endpoint. */
static char *inventory_label(const eku_plan *pl, const char *endpoint)
{
	struct eku_plan_endpoint e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool first = true;

	if (f == NULL)
		return NULL;
	for (size_t i = 0; eku_plan_endpoint_get(pl, i, &e) == 0; i++) {
		if (strcmp(e.endpoint, endpoint) != 0)
			continue;
		fprintf(f, "%s%s %s", first ? "" : ", ", e.node, e.role);
		first = false;
	}
	fclose(f);
	return buf;
}

/* The first endpoint index naming the same host:port as endpoint i. */
static size_t first_naming(const eku_plan *pl, size_t i, const char *endpoint)
{
	struct eku_plan_endpoint e;

	for (size_t k = 0; k < i && eku_plan_endpoint_get(pl, k, &e) == 0; k++)
		if (strcmp(e.endpoint, endpoint) == 0)
			return k;
	return i;
}

int cli_probe_add_inventory(eku_probe *p, const struct cli_target_opts *d, const eku_plan *pl, const char *path,
	size_t *target_of)
{
	struct eku_plan_endpoint e;
	char *label;
	size_t first;
	int bad = 0;

	if (eku_plan_endpoint_count(pl) == 0)
		cli_warn("%s: no certificate is given as host:port; nothing to scan from it", path);
	for (size_t i = 0; eku_plan_endpoint_get(pl, i, &e) == 0; i++) {
		/* An endpoint named twice is probed once and labelled with both. */
		if ((first = first_naming(pl, i, e.endpoint)) < i) {
			if (target_of != NULL)
				target_of[i] = target_of[first];
			continue;
		}
		if (target_of != NULL)
			target_of[i] = eku_probe_target_count(p);
		if ((label = inventory_label(pl, e.endpoint)) == NULL) {
			cli_error("out of memory");
			return -1;
		}
		bad += cli_probe_add_target(p, d, e.endpoint, path, label) != 0;
		free(label);
	}
	return bad > 0 ? -1 : 0;
}

/* ---- results ------------------------------------------------------------------ */

int cli_live_results_init(struct cli_live_results *lr, size_t n)
{
	lr->v = calloc(n ? n : 1, sizeof(*lr->v));
	lr->n = lr->v != NULL ? n : 0;
	return lr->v != NULL ? 0 : -1;
}

/* The presented chain, sharing the certificates (a reference each). */
static eku_certlist *copy_chain(const eku_certlist *l)
{
	eku_certlist *c = eku_certlist_new();

	for (size_t i = 0; c != NULL && i < eku_certlist_count(l); i++)
		if (eku_certlist_push0(c, eku_cert_up_ref(eku_certlist_get0(l, i))) != 0) {
			eku_certlist_free(c);
			c = NULL;
		}
	return c;
}

int cli_live_results_keep(struct cli_live_results *lr, const struct eku_probe_result *r)
{
	struct cli_live_result *x;

	if (r->index >= lr->n)
		return -1;
	x = &lr->v[r->index];
	x->done = true;
	x->read_at = (int64_t)time(NULL);
	x->address = r->address ? strdup(r->address) : NULL;
	/* A chain that arrived counts even when a later step (an HTTP GET, a
	 * post-handshake read) failed: the certificate was read. */
	if (eku_certlist_count(r->chain) > 0) {
		if ((x->chain = copy_chain(r->chain)) == NULL)
			goto nomem;
		return 0;
	}
	x->failure = eku_probe_errclass_name(r->err_class != EKU_PROBE_OK ? r->err_class : EKU_PROBE_ERR_TLS);
	x->message = strdup(r->err_message ? r->err_message : "no certificate presented");
	return x->message != NULL ? 0 : -1;
nomem:
	x->failure = eku_probe_errclass_name(EKU_PROBE_ERR_INTERNAL);
	return -1;
}

void cli_live_results_clear(struct cli_live_results *lr)
{
	for (size_t i = 0; i < lr->n; i++) {
		eku_certlist_free(lr->v[i].chain);
		free(lr->v[i].address);
		free(lr->v[i].message);
	}
	free(lr->v);
	lr->v = NULL;
	lr->n = 0;
}

/* A copy the plan may own (set0), since two endpoints may share a target. */
int cli_live_apply(eku_plan *pl, const size_t *target_of, const struct cli_live_results *lr)
{
	for (size_t i = 0; i < eku_plan_endpoint_count(pl); i++) {
		const struct cli_live_result *x = &lr->v[target_of[i]];
		eku_certlist *c = NULL;
		int r;

		if (x->chain != NULL && (c = copy_chain(x->chain)) == NULL) {
			cli_error("out of memory");
			return -1;
		}
		if (c != NULL)
			r = eku_plan_set_endpoint_chain(pl, i, c, x->read_at, x->address);
		else
			r = eku_plan_set_endpoint_failure(pl, i, x->done ? x->failure : "internal",
				x->done ? x->message : "the probe never completed", x->read_at, x->address);
		if (r != 0) {
			cli_error("%s", eku_plan_error(pl)->message);
			return -1;
		}
	}
	return 0;
}

size_t cli_live_save(const eku_plan *pl, const char *path, const size_t *target_of,
	const struct cli_live_results *lr, const char *dir)
{
	struct eku_plan_endpoint e;
	eku_error err = { 0 };
	size_t bad = 0;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		cli_error("--save-chains %s: %s", dir, strerror(errno));
		return 1;
	}
	for (size_t i = 0; eku_plan_endpoint_get(pl, i, &e) == 0; i++) {
		const struct cli_live_result *x = &lr->v[target_of[i]];
		if (x->chain == NULL) {
			cli_warn("%s: %s %s %s: not saved: %s", path, e.node, e.role, e.endpoint,
				x->message ? x->message : "not read");
			continue;
		}
		if (eku_plan_write_endpoint_chain(pl, i, dir, x->chain, x->read_at, x->address, &err) != 0) {
			cli_error("--save-chains: %s", err.message);
			bad++;
		}
	}
	return bad;
}
