/* The dated timeline (data/timeline.json) and the questions the planner asks
 * of it. Dates come from the data file only; this file knows the meaning of
 * each rule kind, never a date. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <eku/data.h>
#include <eku/timeline.h>
#include <eku/util.h>

#define DAY 86400

struct eku_timeline {
	eku_error err;
	size_t n;
	struct eku_rule *rules;
	json_t *doc; /* owns every string the rules point at */
};

eku_timeline *eku_timeline_new(void)
{
	return calloc(1, sizeof(struct eku_timeline));
}

static void clear_rules(eku_timeline *p)
{
	for (size_t i = 0; i < p->n; i++)
		free((void *)p->rules[i].alternatives);
	free(p->rules);
	p->rules = NULL;
	p->n = 0;
	json_decref(p->doc);
	p->doc = NULL;
}

void eku_timeline_free(eku_timeline *p)
{
	if (p == NULL)
		return;
	clear_rules(p);
	free(p);
}

const eku_error *eku_timeline_error(const eku_timeline *p)
{
	return &p->err;
}

static const char *str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL ? s : dflt;
}

static int parse_rule(eku_timeline *p, const char *source, size_t idx, json_t *o, struct eku_rule *r)
{
	json_t *alts = json_object_get(o, "alternatives"), *a;
	size_t i;

	r->id = str(o, "id", NULL);
	r->kind = str(o, "kind", NULL);
	if (r->id == NULL || r->kind == NULL ||
	    eku_time_parse(str(o, "date", ""), &r->date) != 0) {
		eku_error_set(&p->err, EKU_E_BAD_DATA, "%s: rule #%zu: needs id, kind and a YYYY-MM-DD date",
			source, idx + 1);
		return -1;
	}
	/* "applies": "after" marks a source that names the last day a CA still
	 * issued clientAuth; the rule itself takes effect the next day. */
	if (strcmp(str(o, "applies", "from"), "after") == 0)
		r->date += DAY;
	r->authority = str(o, "authority", "");
	r->profile = str(o, "profile", NULL);
	r->scope = str(o, "scope", "");
	r->rule = str(o, "rule", "");
	r->source = str(o, "source", "");
	r->status = str(o, "status", "current");
	r->note = str(o, "note", NULL);
	r->caveat = str(o, "caveat", NULL);
	r->days = (int)json_integer_value(json_object_get(o, "days"));
	if (json_is_array(alts) && json_array_size(alts) > 0) {
		const char **v = calloc(json_array_size(alts), sizeof(*v));
		if (v == NULL) {
			eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
			return -1;
		}
		json_array_foreach(alts, i, a)
			v[r->n_alternatives++] = json_string_value(a) ?: "";
		r->alternatives = v;
	}
	return 0;
}

int eku_timeline_load_mem(eku_timeline *p, const char *source, const char *buf, size_t len)
{
	json_error_t jerr;
	json_t *doc = NULL, *rules, *o;
	size_t i;
	int rc = -1;

	clear_rules(p);
	eku_error_clear(&p->err);
	doc = json_loadb(buf, len, 0, &jerr);
	if (doc == NULL) {
		eku_error_set(&p->err, EKU_E_BAD_DATA, "%s:%d:%d: %s", source, jerr.line, jerr.column,
			jerr.text);
		goto out;
	}
	rules = json_object_get(doc, "rules");
	if (!json_is_array(rules)) {
		eku_error_set(&p->err, EKU_E_BAD_DATA, "%s: no \"rules\" array", source);
		goto out;
	}
	p->rules = calloc(json_array_size(rules) + 1, sizeof(*p->rules));
	if (p->rules == NULL) {
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	p->doc = doc;
	doc = NULL;
	json_array_foreach(rules, i, o) {
		if (parse_rule(p, source, i, o, &p->rules[p->n]) != 0)
			goto out;
		p->n++;
	}
	rc = 0;
out:
	json_decref(doc);
	if (rc != 0 && p->err.code != EKU_E_OK)
		clear_rules(p);
	return rc;
}

int eku_timeline_load(eku_timeline *p, const char *dir)
{
	size_t len = 0;
	char *origin = NULL;
	uint8_t *buf = eku_data_read(dir, "timeline.json", &len, &origin, &p->err);
	int rc;

	if (buf == NULL)
		return -1;
	/* Messages name the file read: an edited --data-dir copy, or the name. */
	rc = eku_timeline_load_mem(p, origin ? origin : "timeline.json", (const char *)buf, len);
	free(origin);
	free(buf);
	return rc;
}

const char *eku_timeline_schema(const eku_timeline *p)
{
	return p->doc != NULL ? json_string_value(json_object_get(p->doc, "schema")) : NULL;
}

const char *eku_timeline_as_of(const eku_timeline *p)
{
	return p->doc != NULL ? json_string_value(json_object_get(p->doc, "as_of")) : NULL;
}

size_t eku_timeline_rule_count(const eku_timeline *p)
{
	return p->n;
}

const struct eku_rule *eku_timeline_rule_at(const eku_timeline *p, size_t i)
{
	return i < p->n ? &p->rules[i] : NULL;
}

const struct eku_rule *eku_timeline_rule(const eku_timeline *p, const char *id)
{
	for (size_t i = 0; id != NULL && i < p->n; i++)
		if (strcmp(p->rules[i].id, id) == 0)
			return &p->rules[i];
	return NULL;
}

const char *eku_timeline_default_profile(const eku_timeline *p, const char *vendor)
{
	if (vendor == NULL || p->doc == NULL)
		return NULL;
	return json_string_value(json_object_get(json_object_get(p->doc, "default_profiles"), vendor));
}

/* Rules that drive answers: the current claim, or an observation when that is
 * all there is (ZeroSSL). Superseded and disputed claims are only cited. */
static bool in_force(const struct eku_rule *r)
{
	return strcmp(r->status, "current") == 0 || strcmp(r->status, "observed") == 0;
}

static bool profile_matches(const struct eku_rule *r, const char *profile)
{
	if (r->profile == NULL)
		return true;
	return profile != NULL && strcmp(r->profile, profile) == 0;
}

static const struct eku_rule *vendor_end(const eku_timeline *p, const char *vendor, const char *profile)
{
	const struct eku_rule *best = NULL;

	if (vendor == NULL)
		return NULL;
	if (profile == NULL)
		profile = eku_timeline_default_profile(p, vendor);
	for (size_t i = 0; i < p->n; i++) {
		const struct eku_rule *r = &p->rules[i];
		if (!in_force(r) || strcmp(r->kind, "clientauth_end") != 0 ||
		    strcmp(r->authority, vendor) != 0 || !profile_matches(r, profile))
			continue;
		/* A profile's own rule beats the vendor-wide one. */
		if (best == NULL || (r->profile != NULL && best->profile == NULL) ||
		    ((r->profile != NULL) == (best->profile != NULL) && r->date < best->date))
			best = r;
	}
	return best;
}

static const struct eku_rule *leaf_rule(const eku_timeline *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (in_force(&p->rules[i]) && strcmp(p->rules[i].kind, "leaf_serverauth_only") == 0)
			return &p->rules[i];
	return NULL;
}

const struct eku_rule *eku_timeline_clientauth_end(const eku_timeline *p, const char *vendor,
	const char *profile, bool webpki)
{
	const struct eku_rule *v = vendor_end(p, vendor, profile);
	const struct eku_rule *chrome = webpki ? leaf_rule(p) : NULL;

	if (v == NULL)
		return chrome;
	if (chrome == NULL)
		return webpki ? v : NULL;
	return v->date <= chrome->date ? v : chrome;
}

bool eku_timeline_issues_clientauth(const eku_timeline *p, const char *vendor, const char *profile,
	bool webpki, int64_t t, const struct eku_rule **why)
{
	const struct eku_rule *r = eku_timeline_clientauth_end(p, vendor, profile, webpki);

	if (why != NULL)
		*why = r;
	return r == NULL || t < r->date;
}

const struct eku_rule *eku_timeline_clientauth_last(const eku_timeline *p, const char *vendor,
	bool webpki, const char **profile)
{
	const struct eku_rule *best = NULL;

	*profile = NULL;
	for (size_t i = 0; vendor != NULL && i < p->n; i++) {
		const struct eku_rule *r = &p->rules[i], *eff;
		if (!in_force(r) || strcmp(r->kind, "clientauth_end") != 0 || strcmp(r->authority, vendor) != 0)
			continue;
		eff = eku_timeline_clientauth_end(p, vendor, r->profile, webpki);
		if (eff != NULL && (best == NULL || eff->date > best->date)) {
			best = eff;
			*profile = r->profile;
		}
	}
	return best;
}

const struct eku_rule *eku_timeline_on_request(const eku_timeline *p, const char *vendor, int64_t t)
{
	for (size_t i = 0; vendor != NULL && i < p->n; i++) {
		const struct eku_rule *r = &p->rules[i];
		if (in_force(r) && strcmp(r->kind, "clientauth_on_request") == 0 &&
		    strcmp(r->authority, vendor) == 0 && t >= r->date)
			return r;
	}
	return NULL;
}

/* The latest rule of a kind already in force at t (dates ascending or not). */
static const struct eku_rule *latest(const eku_timeline *p, const char *kind, const char *vendor,
	const char *profile, int64_t t)
{
	const struct eku_rule *best = NULL;

	for (size_t i = 0; i < p->n; i++) {
		const struct eku_rule *r = &p->rules[i];
		if (!in_force(r) || strcmp(r->kind, kind) != 0 || r->date > t)
			continue;
		if (vendor != NULL && (strcmp(r->authority, vendor) != 0 || !profile_matches(r, profile)))
			continue;
		if (best == NULL || r->date > best->date)
			best = r;
	}
	return best;
}

int eku_timeline_max_validity(const eku_timeline *p, int64_t t, const struct eku_rule **rule)
{
	const struct eku_rule *r = latest(p, "max_validity", NULL, NULL, t);

	if (rule != NULL)
		*rule = r;
	return r != NULL ? r->days : 0;
}

int eku_timeline_acme_lifetime(const eku_timeline *p, const char *vendor, const char *profile,
	int64_t t, const struct eku_rule **rule)
{
	const struct eku_rule *r;

	if (profile == NULL)
		profile = eku_timeline_default_profile(p, vendor);
	r = vendor != NULL ? latest(p, "acme_lifetime", vendor, profile, t) : NULL;
	if (rule != NULL)
		*rule = r;
	return r != NULL ? r->days : 0;
}

int eku_timeline_lifetime(const eku_timeline *p, const char *vendor, const char *profile, int64_t t,
	const struct eku_rule **rule)
{
	const struct eku_rule *cap_rule = NULL, *own_rule = NULL;
	int cap = eku_timeline_max_validity(p, t, &cap_rule);
	int own = eku_timeline_acme_lifetime(p, vendor, profile, t, &own_rule);
	bool use_own = own > 0 && (cap <= 0 || own < cap);

	if (rule != NULL)
		*rule = use_own ? own_rule : cap_rule;
	return use_own ? own : cap;
}

int64_t eku_timeline_lifetime_next_change(const eku_timeline *p, const char *vendor, const char *profile,
	int64_t t)
{
	int64_t next = INT64_MAX;

	if (profile == NULL && vendor != NULL)
		profile = eku_timeline_default_profile(p, vendor);
	for (size_t i = 0; i < p->n; i++) {
		const struct eku_rule *r = &p->rules[i];
		bool cap = strcmp(r->kind, "max_validity") == 0;
		bool own = strcmp(r->kind, "acme_lifetime") == 0 && vendor != NULL &&
			strcmp(r->authority, vendor) == 0 && profile_matches(r, profile);
		if (in_force(r) && (cap || own) && r->date > t && r->date < next)
			next = r->date;
	}
	return next;
}
