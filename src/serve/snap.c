/* One round's result and the events between two of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv.h"

#define SV_X_NAME(code, name) name,
static const char *const event_names[] = { SV_EVENT_LIST(SV_X_NAME) };
#undef SV_X_NAME

const char *sv_event_name(enum sv_event_type t)
{
	return event_names[t];
}

struct sv_snap *sv_snap_new(const char *source, enum sv_kind kind)
{
	struct sv_snap *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	atomic_init(&s->refs, 1);
	s->kind = kind;
	if ((s->source = strdup(source)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

struct sv_snap *sv_snap_up_ref(struct sv_snap *s)
{
	if (s != NULL)
		atomic_fetch_add(&s->refs, 1);
	return s;
}

void sv_snap_free(struct sv_snap *s)
{
	if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	for (size_t i = 0; i < s->n_obs; i++) {
		free(s->obs[i].key);
		free(s->obs[i].subject);
		free(s->obs[i].vendor);
	}
	for (size_t i = 0; i < s->n_fails; i++) {
		free(s->fails[i].key);
		free(s->fails[i].failure);
		free(s->fails[i].message);
	}
	for (size_t i = 0; i < s->n_findings; i++)
		free(s->findings[i].id);
	for (size_t i = 0; i < s->n_events; i++) {
		free(s->events[i].key);
		free(s->events[i].old_value);
		free(s->events[i].new_value);
		free(s->events[i].detail);
	}
	free(s->obs);
	free(s->fails);
	free(s->findings);
	free(s->events);
	free(s->source);
	free(s->error);
	free(s->plan_json);
	free(s->store_error);
	free(s);
}

/* Room for one more element of size sz in *v (n used, *cap allocated),
 * doubling; the new element is zeroed. */
static void *grow(void **v, size_t n, size_t *cap, size_t sz)
{
	if (n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		void *nv = realloc(*v, ncap * sz);
		if (nv == NULL)
			return NULL;
		*v = nv;
		*cap = ncap;
	}
	memset((char *)*v + n * sz, 0, sz);
	return (char *)*v + n * sz;
}

struct sv_obs *sv_snap_add_obs(struct sv_snap *s)
{
	struct sv_obs *o = grow((void **)&s->obs, s->n_obs, &s->cap_obs, sizeof(*o));

	if (o != NULL)
		s->n_obs++;
	return o;
}

static char *dup_or_null(const char *s, bool *nomem)
{
	char *d = s != NULL ? strdup(s) : NULL;

	if (s != NULL && d == NULL)
		*nomem = true;
	return d;
}

int sv_snap_add_fail(struct sv_snap *s, const char *key, const char *failure, const char *message)
{
	struct sv_fail *f = grow((void **)&s->fails, s->n_fails, &s->cap_fails, sizeof(*f));
	bool nomem = false;

	if (f == NULL)
		return -1;
	f->key = dup_or_null(key, &nomem);
	f->failure = dup_or_null(failure, &nomem);
	f->message = dup_or_null(message, &nomem);
	s->n_fails++;
	return nomem ? -1 : 0;
}

int sv_snap_add_finding(struct sv_snap *s, const char *id, const char *kind,
	enum eku_severity sev, int64_t breaks_on)
{
	struct sv_finding *f = grow((void **)&s->findings, s->n_findings, &s->cap_findings, sizeof(*f));
	bool nomem = false;

	if (f == NULL)
		return -1;
	f->id = dup_or_null(id, &nomem);
	f->kind = strcmp(kind, "link") == 0 ? "link" : "node";
	f->severity = sev;
	f->breaks_on = breaks_on;
	s->n_findings++;
	return nomem ? -1 : 0;
}

int sv_snap_add_event(struct sv_snap *s, enum sv_event_type type, int64_t at, const char *key,
	const char *old_value, const char *new_value, const char *detail)
{
	struct sv_event *e = grow((void **)&s->events, s->n_events, &s->cap_events, sizeof(*e));
	bool nomem = false;

	if (e == NULL)
		return -1;
	e->type = type;
	e->at = at;
	e->key = dup_or_null(key, &nomem);
	e->old_value = dup_or_null(old_value, &nomem);
	e->new_value = dup_or_null(new_value, &nomem);
	e->detail = dup_or_null(detail, &nomem);
	s->n_events++;
	return nomem ? -1 : 0;
}

int sv_obs_fill(struct sv_obs *o, const char *key, const char *kind, const eku_cert *c,
	const struct eku_classification *cl, const eku_timeline *tl, int64_t now)
{
	const struct eku_facts *f = eku_cert_facts(c);
	struct eku_sunset sun;
	bool nomem = false;

	eku_sunset_judge(tl, c, cl, now, &sun);
	o->key = dup_or_null(key, &nomem);
	o->kind = kind;
	for (int i = 0; i < 32; i++)
		snprintf(o->sha256 + 2 * i, 3, "%02x", f->sha256[i]);
	o->subject = dup_or_null(f->subject != NULL ? f->subject : "", &nomem);
	o->eku_class = f->eku_class;
	o->clientauth = eku_eku_class_allows_client(f->eku_class);
	o->issuer_class = cl != NULL ? cl->issuer_class : EKU_ISSUER_UNKNOWN;
	o->vendor = dup_or_null(cl != NULL && cl->ca_vendor != NULL ? cl->ca_vendor : "", &nomem);
	o->not_before = f->not_before;
	o->not_after = f->not_after;
	o->client_use = sun.verdict;
	o->clientauth_ends = sun.verdict == EKU_SUNSET_AT_RISK ? sun.breaks_on : 0;
	return nomem ? -1 : 0;
}

/* ---- events --------------------------------------------------------------- */

/* Looks keys up in prev through a sorted index, so a round of n places
 * costs n log n, not n^2. */
struct idx {
	const char *key;
	size_t i;
};

static int idx_cmp(const void *a, const void *b)
{
	return strcmp(((const struct idx *)a)->key, ((const struct idx *)b)->key);
}

static struct idx *index_keys(const char *const *keys, size_t stride, size_t n)
{
	struct idx *v = malloc((n ? n : 1) * sizeof(*v));

	for (size_t i = 0; v != NULL && i < n; i++) {
		v[i].key = *(const char *const *)(const void *)((const char *)keys + i * stride);
		v[i].i = i;
	}
	if (v != NULL)
		qsort(v, n, sizeof(*v), idx_cmp);
	return v;
}

static const struct idx *find(const struct idx *v, size_t n, const char *key)
{
	struct idx k = { key, 0 };

	return n == 0 ? NULL : bsearch(&k, v, n, sizeof(*v), idx_cmp);
}

static bool expiring(int64_t not_after, int64_t at, unsigned days)
{
	return not_after - at < (int64_t)days * 86400;
}

static int diff_obs(struct sv_snap *s, const struct sv_obs *o, const struct sv_obs *p,
	const struct sv_snap *prev, unsigned days)
{
	char na[24], detail[160];
	int rc = 0;

	if (p != NULL && strcmp(p->sha256, o->sha256) != 0) {
		snprintf(detail, sizeof(detail), "eku_class %s -> %s", eku_eku_class_name(p->eku_class),
			eku_eku_class_name(o->eku_class));
		rc |= sv_snap_add_event(s, SV_EV_CERT_CHANGED, s->finished, o->key, p->sha256, o->sha256,
			detail);
		/* The event this project exists for: a renewal that lost clientAuth. */
		if (p->clientauth && !o->clientauth)
			rc |= sv_snap_add_event(s, SV_EV_CLIENTAUTH_DROPPED, s->finished, o->key, p->sha256,
				o->sha256, detail);
	}
	/* Once per certificate: when it enters the window. */
	if (expiring(o->not_after, s->finished, days) &&
	    (p == NULL || strcmp(p->sha256, o->sha256) != 0 || !expiring(p->not_after, prev->finished, days))) {
		snprintf(detail, sizeof(detail), "within %u days", days);
		rc |= sv_snap_add_event(s, SV_EV_EXPIRING, s->finished, o->key, NULL,
			eku_time_iso(o->not_after, na, sizeof(na)), detail);
	}
	return rc;
}

static int diff_findings(struct sv_snap *s, const struct sv_snap *prev)
{
	struct idx *ix = index_keys((const char *const *)(const void *)&prev->findings[0].id,
		sizeof(prev->findings[0]), prev->n_findings);
	int rc = 0;

	if (ix == NULL)
		return -1;
	for (size_t i = 0; i < s->n_findings && rc == 0; i++) {
		const struct sv_finding *f = &s->findings[i];
		const struct idx *hit = find(ix, prev->n_findings, f->id);
		const struct sv_finding *p = hit != NULL ? &prev->findings[hit->i] : NULL;
		if (p != NULL && p->severity != f->severity)
			rc = sv_snap_add_event(s, SV_EV_SEVERITY_CHANGED, s->finished, f->id,
				eku_severity_name(p->severity), eku_severity_name(f->severity), f->kind);
	}
	free(ix);
	return rc;
}

static int obs_copy(struct sv_obs *o, const struct sv_obs *p)
{
	bool nomem = false;

	*o = *p;
	o->key = dup_or_null(p->key, &nomem);
	o->subject = dup_or_null(p->subject, &nomem);
	o->vendor = dup_or_null(p->vendor, &nomem);
	o->stale = true;
	return nomem ? -1 : 0;
}

int sv_snap_carry(struct sv_snap *s, const struct sv_snap *prev)
{
	struct idx *ix;
	int rc = 0;

	if (prev == NULL || prev->n_obs == 0 || s->n_fails == 0)
		return 0;
	if ((ix = index_keys((const char *const *)(const void *)&prev->obs[0].key, sizeof(prev->obs[0]),
		     prev->n_obs)) == NULL)
		return -1;
	for (size_t i = 0; i < s->n_fails && rc == 0; i++) {
		const struct idx *hit = find(ix, prev->n_obs, s->fails[i].key);
		struct sv_obs *o;
		if (hit == NULL)
			continue;
		if ((o = sv_snap_add_obs(s)) == NULL || obs_copy(o, &prev->obs[hit->i]) != 0)
			rc = -1;
	}
	free(ix);
	return rc;
}

size_t sv_snap_new_fails(const struct sv_snap *s, const struct sv_snap *prev, size_t *out, size_t max)
{
	struct idx *ix = NULL;
	size_t n = 0, np = prev != NULL ? prev->n_fails : 0;

	if (np > 0 && (ix = index_keys((const char *const *)(const void *)&prev->fails[0].key,
			       sizeof(prev->fails[0]), np)) == NULL)
		np = 0;  /* out of memory: every failure counts as new */
	for (size_t i = 0; i < s->n_fails && n < max; i++) {
		const struct idx *hit = np > 0 ? find(ix, np, s->fails[i].key) : NULL;
		if (hit == NULL || strcmp(prev->fails[hit->i].failure, s->fails[i].failure) != 0)
			out[n++] = i;
	}
	free(ix);
	return n;
}

int sv_snap_diff(struct sv_snap *s, const struct sv_snap *prev, unsigned days)
{
	struct idx *ix = NULL;
	size_t np = prev != NULL ? prev->n_obs : 0;
	int rc = -1;

	if (prev != NULL && np > 0 &&
	    (ix = index_keys((const char *const *)(const void *)&prev->obs[0].key, sizeof(prev->obs[0]), np)) == NULL)
		goto out;
	for (size_t i = 0; i < s->n_obs; i++) {
		const struct idx *hit = ix != NULL ? find(ix, np, s->obs[i].key) : NULL;
		if (diff_obs(s, &s->obs[i], hit != NULL ? &prev->obs[hit->i] : NULL, prev, days) != 0)
			goto out;
	}
	if (prev != NULL && prev->n_findings > 0 && diff_findings(s, prev) != 0)
		goto out;
	rc = 0;
out:
	free(ix);
	return rc;
}
