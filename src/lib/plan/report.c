/* The plan as JSON (issue 3's shape, "schema": "eku/1"). */
#include <eku/report.h>

#include "plan_int.h"

static json_t *date_or_null(int64_t t)
{
	char d[16];

	return t != 0 ? json_string(eku_time_date(t, d, sizeof(d))) : json_null();
}

static json_t *strv_json(const eku_strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

static json_t *finding_json(const struct eku_finding *f)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:o,s:[]}", "id", f->id, "kind",
		f->kind == EKU_FINDING_LINK ? "link" : "node", "subject", f->subject, "severity",
		eku_severity_name(f->severity), "breaks_on", date_or_null(f->breaks_on), "reasons",
		strv_json(&f->reasons), "explanation", f->explanation ? f->explanation : "", "rules",
		strv_json(&f->rule_ids), "options");
	json_t *opts = json_object_get(o, "options");

	for (size_t i = 0; opts != NULL && i < f->n_options; i++) {
		char id[2] = { f->options[i].id, '\0' };
		json_array_append_new(opts, json_pack("{s:s,s:b,s:s}", "id", id, "available",
			f->options[i].available, "why", f->options[i].why ? f->options[i].why : ""));
	}
	return o;
}

json_t *eku_plan_json(const eku_plan *p)
{
	char iso[32];
	size_t counts[5];
	int64_t first = 0;
	json_t *doc, *fs, *as, *gs;

	eku_plan_counts(p, counts);
	for (size_t i = 0; i < p->n_findings; i++)
		if (p->findings[i].severity == EKU_SEV_AT_RISK && p->findings[i].breaks_on != 0 &&
		    (first == 0 || p->findings[i].breaks_on < first))
			first = p->findings[i].breaks_on;
	doc = json_pack("{s:s,s:s,s:s,s:b,s:[],s:[],s:{s:I,s:I,s:I,s:I,s:I,s:o},s:o}", "schema", EKU_SCHEMA,
		"at", eku_time_iso(p->at, iso, sizeof(iso)), "deployment", eku_plan_deployment(p),
		"assume_renewed", p->assume_renewed, "findings", "actions", "summary",
		"broken", (json_int_t)counts[EKU_SEV_BROKEN], "at_risk", (json_int_t)counts[EKU_SEV_AT_RISK],
		"unknown", (json_int_t)counts[EKU_SEV_UNKNOWN], "ok", (json_int_t)counts[EKU_SEV_OK],
		"not_affected", (json_int_t)counts[EKU_SEV_NOT_AFFECTED], "first_break", date_or_null(first),
		"unread_inputs", strv_json(&p->unread));
	/* Listed once here; option D and the actions refer to a group by name. */
	if (doc == NULL || json_object_set_new(doc, "upgrade_groups", gs = json_array()) != 0)
		return json_decref(doc), NULL;
	for (size_t i = 0; i < p->n_groups; i++)
		json_array_append_new(gs, json_pack("{s:s,s:s,s:o}", "id", p->groups[i].id, "name", p->groups[i].name,
			"members", strv_json(&p->groups[i].members)));
	fs = json_object_get(doc, "findings");
	as = json_object_get(doc, "actions");
	for (size_t i = 0; i < p->n_findings; i++)
		json_array_append_new(fs, finding_json(&p->findings[i]));
	for (size_t i = 0; i < p->n_actions; i++)
		json_array_append_new(as, json_pack("{s:o,s:s,s:o}", "by", date_or_null(p->actions[i].by),
			"action", p->actions[i].action, "finding_ids", strv_json(&p->actions[i].finding_ids)));
	return doc;
}
