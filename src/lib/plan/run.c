/* eku_plan_run: links, then nodes, then the actions; findings and actions
 * sorted for output. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "judge.h"

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
	struct eku_finding *nv;

	if (plan_grow((void **)&p->findings, &p->cap_findings, p->n_findings, sizeof(*nv)) != 0)
		return -1;
	nv = p->findings;
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
	struct cl_cache cls = { 0 };
	struct judged j;
	int rc = -1;

	memset(&j, 0, sizeof(j));
	plan_results_clear(p);
	if (p->timeline == NULL || p->trust == NULL || p->diags.n > 0) {
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
	if (st == NULL || plan_groups_build(p) != 0)
		goto nomem;
	for (size_t i = 0; i < p->n_nodes; i++)
		if (judge_prepare_node(p, &cls, &st[i], &p->nodes[i]) != 0)
			goto out;
	if (plan_chart_build(p, st) != 0)
		goto nomem;
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
	cl_cache_clear(&cls);
	free(st);
	return rc;
}
