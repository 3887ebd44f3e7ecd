/* The plan as JSON ("schema": "eku/1"). docs/plan.md describes every field
 * and docs/schema/plan.schema.json is the contract: a field added here goes
 * there too (tests/integration/51_plan_schema_test.py holds them together). */
#include <stdlib.h>

#include <eku/report.h>

#include "plan_int.h"
#include "../json_util.h"

static json_t *date_or_null(int64_t t)
{
	char d[16];

	return t != 0 ? json_string(eku_time_date(t, d, sizeof(d))) : json_null();
}


static json_t *option_json(const struct eku_option *o)
{
	char id[2] = { o->id, '\0' };

	return json_pack("{s:s,s:b,s:s,s:o,s:o,s:o,s:o}", "id", id, "available", o->available, "why",
		o->why ? o->why : "", "available_from", date_or_null(o->available_from), "available_until",
		date_or_null(o->available_until), "renew_by", date_or_null(o->renew_by), "lasts_until",
		date_or_null(o->lasts_until));
}

static json_t *finding_json(const struct eku_finding *f)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:o,s:[]}", "id", f->id, "kind",
		f->kind == EKU_FINDING_LINK ? "link" : "node", "subject", f->subject, "severity",
		eku_severity_name(f->severity), "breaks_on", date_or_null(f->breaks_on), "reasons",
		eku_json_strv(&f->reasons), "explanation", f->explanation ? f->explanation : "", "rules",
		eku_json_strv(&f->rule_ids), "options");
	json_t *opts = json_object_get(o, "options");

	for (size_t i = 0; opts != NULL && i < f->n_options; i++)
		json_array_append_new(opts, option_json(&f->options[i]));
	return o;
}

/* One severity tally: {"broken", "at_risk", "unknown", "ok", "not_affected",
 * "first_break"}, the counts the text output's summary lines print. */
static json_t *tally_json(const size_t counts[5], int64_t first)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:o}", "broken", (json_int_t)counts[EKU_SEV_BROKEN],
		"at_risk", (json_int_t)counts[EKU_SEV_AT_RISK], "unknown", (json_int_t)counts[EKU_SEV_UNKNOWN],
		"ok", (json_int_t)counts[EKU_SEV_OK], "not_affected", (json_int_t)counts[EKU_SEV_NOT_AFFECTED],
		"first_break", date_or_null(first));
}

/* Totals over every finding, plus the same per kind under "links" and "nodes". */
static json_t *summary_json(const eku_plan *p)
{
	size_t c[5];
	json_t *s;

	eku_plan_counts(p, c);
	s = tally_json(c, eku_plan_first_break(p));
	eku_plan_counts_kind(p, EKU_FINDING_LINK, c);
	json_object_set_new(s, "links", tally_json(c, eku_plan_first_break_kind(p, EKU_FINDING_LINK)));
	eku_plan_counts_kind(p, EKU_FINDING_NODE, c);
	json_object_set_new(s, "nodes", tally_json(c, eku_plan_first_break_kind(p, EKU_FINDING_NODE)));
	return s;
}

/* Which data the plan was computed from: the override directory (NULL: the
 * embedded copy; files it lacks still come from the embedded copy), the
 * timeline's schema and as_of, the product files' schema. */
static json_t *data_json(const eku_plan *p)
{
	const char *dir = p->data_dir != NULL ? p->data_dir : getenv("EKU_DATA_DIR");

	if (dir != NULL && dir[0] == '\0')
		dir = NULL;
	return json_pack("{s:o,s:{s:o,s:o},s:{s:o}}", "dir", eku_json_str_or_null(dir), "timeline", "schema",
		eku_json_str_or_null(p->timeline ? eku_timeline_schema(p->timeline) : NULL), "as_of",
		eku_json_str_or_null(p->timeline ? eku_timeline_as_of(p->timeline) : NULL), "products", "schema",
		eku_json_str_or_null(p->prods.schema));
}

json_t *eku_plan_json(const eku_plan *p)
{
	char iso[32];
	json_t *doc, *fs, *as, *gs;

	doc = json_pack("{s:s,s:s,s:s,s:b,s:o,s:[],s:[],s:o,s:o}", "schema", EKU_SCHEMA, "at",
		eku_time_iso(p->at, iso, sizeof(iso)), "deployment", eku_plan_deployment(p), "assume_renewed",
		p->assume_renewed, "data", data_json(p), "findings", "actions", "summary", summary_json(p),
		"unread_inputs", eku_json_strv(&p->unread));
	if (doc != NULL)
		json_object_set_new(doc, "live_inputs", plan_live_json(p));
	if (doc != NULL && p->chart != NULL)
		json_object_set(doc, "chart", p->chart);
	/* Listed once here; option D and the actions refer to a group by name. */
	if (doc == NULL || json_object_set_new(doc, "upgrade_groups", gs = json_array()) != 0)
		return json_decref(doc), NULL;
	for (size_t i = 0; i < p->n_groups; i++)
		json_array_append_new(gs, json_pack("{s:s,s:s,s:o}", "id", p->groups[i].id, "name", p->groups[i].name,
			"members", eku_json_strv(&p->groups[i].members)));
	fs = json_object_get(doc, "findings");
	as = json_object_get(doc, "actions");
	for (size_t i = 0; i < p->n_findings; i++)
		json_array_append_new(fs, finding_json(&p->findings[i]));
	for (size_t i = 0; i < p->n_actions; i++)
		json_array_append_new(as, json_pack("{s:o,s:s,s:o}", "by", date_or_null(p->actions[i].by),
			"action", p->actions[i].action, "finding_ids", eku_json_strv(&p->actions[i].finding_ids)));
	return doc;
}
