/* The census aggregator: constant work per certificate, memory bounded by
 * the number of distinct keys (docs/census.md). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "census_int.h"

/* Key of a row: vendor flag, EKU class, month, then the group name. */
#define KEY_HEAD 6
#define GROUP_MAX 256

eku_census *eku_census_new(int64_t at)
{
	eku_census *cen = calloc(1, sizeof(*cen));

	if (cen == NULL)
		return NULL;
	cen->at = at;
	cen->row_index = eku_hmap_new();
	cen->expiries.index = eku_hmap_new();
	cen->losses.index = eku_hmap_new();
	if (cen->row_index == NULL || cen->expiries.index == NULL || cen->losses.index == NULL) {
		eku_census_free(cen);
		return NULL;
	}
	return cen;
}

static void hist_free(struct census_hist *h)
{
	eku_hmap_free(h->index);
	free(h->month);
	free(h->count);
}

void eku_census_free(eku_census *cen)
{
	if (cen == NULL)
		return;
	for (size_t i = 0; i < cen->n_rows; i++)
		free(cen->rows[i].group);
	free(cen->rows);
	eku_hmap_free(cen->row_index);
	hist_free(&cen->expiries);
	hist_free(&cen->losses);
	free(cen);
}

const eku_error *eku_census_error(const eku_census *cen) { return &cen->err; }
int64_t eku_census_at(const eku_census *cen) { return cen->at; }

void eku_census_get_totals(const eku_census *cen, struct eku_census_totals *out)
{
	*out = cen->totals;
	out->rows = cen->n_rows;
}

int32_t census_month(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		return 0;
	return (int32_t)(tm.tm_year + 1900) * 12 + tm.tm_mon;
}

const char *census_month_str(int32_t month, char *buf, size_t len)
{
	int32_t y = month / 12, m = month % 12;

	if (m < 0) {
		m += 12;
		y--;
	}
	snprintf(buf, len, "%04d-%02d", (int)y, (int)m + 1);
	return buf;
}

/* Grows a histogram by one month (geometrically). */
static int hist_add(struct census_hist *h, int32_t month, uint64_t count)
{
	size_t slot;
	int r;

	if (eku_hmap_get(h->index, &month, sizeof(month), &slot)) {
		h->count[slot] += count;
		return 0;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		int32_t *m = realloc(h->month, cap * sizeof(*m));
		uint64_t *c;

		if (m == NULL)
			return -1;
		h->month = m;
		if ((c = realloc(h->count, cap * sizeof(*c))) == NULL)
			return -1;
		h->count = c;
		h->cap = cap;
	}
	r = eku_hmap_add(h->index, &month, sizeof(month), h->n);
	if (r != 1)
		return -1;
	h->month[h->n] = month;
	h->count[h->n++] = count;
	return 0;
}

static size_t row_key(uint8_t *key, bool vendor, enum eku_eku_class cls, int32_t month,
	const char *group)
{
	size_t n = strlen(group);

	if (n > GROUP_MAX)
		n = GROUP_MAX;
	key[0] = vendor;
	key[1] = (uint8_t)cls;
	memcpy(key + 2, &month, sizeof(month));
	memcpy(key + KEY_HEAD, group, n);
	return KEY_HEAD + n;
}

/* The row of a key, created empty when new. NULL on allocation failure. */
static struct census_row *row_get(eku_census *cen, bool vendor, enum eku_eku_class cls,
	int32_t month, const char *group)
{
	uint8_t key[KEY_HEAD + GROUP_MAX];
	size_t klen = row_key(key, vendor, cls, month, group), slot;
	struct census_row *r;

	if (eku_hmap_get(cen->row_index, key, klen, &slot))
		return &cen->rows[slot];
	if (cen->n_rows == cen->cap_rows) {
		size_t cap = cen->cap_rows ? cen->cap_rows * 2 : 32;
		struct census_row *v = realloc(cen->rows, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		cen->rows = v;
		cen->cap_rows = cap;
	}
	r = &cen->rows[cen->n_rows];
	memset(r, 0, sizeof(*r));
	if ((r->group = strndup(group, klen - KEY_HEAD)) == NULL)
		return NULL;
	if (eku_hmap_add(cen->row_index, key, klen, cen->n_rows) != 1) {
		free(r->group);
		return NULL;
	}
	r->vendor = vendor;
	r->eku_class = cls;
	r->month = month;
	cen->n_rows++;
	return r;
}

void census_counts_add(struct eku_census_counts *dst, const struct eku_census_counts *src)
{
	dst->certificates += src->certificates;
	dst->clientauth += src->clientauth;
	dst->expired += src->expired;
	for (int i = 0; i < EKU_CENSUS_VERDICTS; i++)
		dst->verdict[i] += src->verdict[i];
}

int eku_census_add(eku_census *cen, const struct eku_facts *f, const struct eku_classification *cl,
	const struct eku_sunset *sun)
{
	struct eku_census_counts one = { 0 };
	enum eku_sunset_verdict v = sun != NULL ? sun->verdict : EKU_SUNSET_UNKNOWN;
	bool vendor = cl != NULL && cl->ca_vendor != NULL;
	const char *group = vendor ? cl->ca_vendor
				   : eku_issuer_class_name(cl != NULL ? cl->issuer_class : EKU_ISSUER_UNKNOWN);
	struct census_row *r;
	int rc = -1;

	if (f->is_ca) {
		cen->totals.ca_certificates++;
		return 0;
	}
	one.certificates = 1;
	one.clientauth = eku_eku_class_allows_client(f->eku_class);
	one.expired = f->not_after <= cen->at;
	if ((unsigned)v < EKU_CENSUS_VERDICTS)
		one.verdict[v] = 1;
	if ((r = row_get(cen, vendor, f->eku_class, census_month(f->not_before), group)) == NULL)
		goto out;
	if (hist_add(&cen->expiries, census_month(f->not_after), 1) != 0)
		goto out;
	if (v == EKU_SUNSET_AT_RISK && sun->breaks_on != 0 &&
	    hist_add(&cen->losses, census_month(sun->breaks_on), 1) != 0)
		goto out;
	census_counts_add(&r->n, &one);
	census_counts_add(&cen->totals.all, &one);
	rc = 0;
out:
	if (rc != 0)
		eku_error_setx(&cen->err, EKU_E_NOMEM, "census: out of memory");
	return rc;
}

static int hist_merge(struct census_hist *dst, const struct census_hist *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (hist_add(dst, src->month[i], src->count[i]) != 0)
			return -1;
	return 0;
}

int eku_census_merge(eku_census *dst, const eku_census *src)
{
	if (dst->at != src->at) {
		eku_error_set(&dst->err, EKU_E_USAGE, "census: cannot merge censuses taken at different instants");
		return -1;
	}
	for (size_t i = 0; i < src->n_rows; i++) {
		const struct census_row *s = &src->rows[i];
		struct census_row *d = row_get(dst, s->vendor, s->eku_class, s->month, s->group);

		if (d == NULL)
			goto nomem;
		census_counts_add(&d->n, &s->n);
	}
	if (hist_merge(&dst->expiries, &src->expiries) != 0 || hist_merge(&dst->losses, &src->losses) != 0)
		goto nomem;
	census_counts_add(&dst->totals.all, &src->totals.all);
	dst->totals.ca_certificates += src->totals.ca_certificates;
	return 0;
nomem:
	eku_error_setx(&dst->err, EKU_E_NOMEM, "census: out of memory");
	return -1;
}

int census_key_cmp(const struct census_key *a, const struct census_key *b)
{
	int c;

	if (a->vendor != b->vendor)
		return a->vendor ? -1 : 1;
	if ((c = strcmp(a->group, b->group)) != 0)
		return c;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	return (int)a->eku_class - (int)b->eku_class;
}

static int row_cmp(const void *a, const void *b, void *arg)
{
	const struct census_row *rows = arg;
	const struct census_row *x = &rows[*(const size_t *)a], *y = &rows[*(const size_t *)b];
	const struct census_key kx = { x->group, x->vendor, x->month, x->eku_class },
				ky = { y->group, y->vendor, y->month, y->eku_class };

	return census_key_cmp(&kx, &ky);
}

size_t *census_sorted_rows(const eku_census *cen)
{
	size_t *ix = malloc((cen->n_rows ? cen->n_rows : 1) * sizeof(*ix));

	if (ix == NULL)
		return NULL;
	for (size_t i = 0; i < cen->n_rows; i++)
		ix[i] = i;
	qsort_r(ix, cen->n_rows, sizeof(*ix), row_cmp, cen->rows);
	return ix;
}

static int hist_cmp(const void *a, const void *b, void *arg)
{
	const int32_t *m = arg;
	int32_t x = m[*(const size_t *)a], y = m[*(const size_t *)b];

	return x < y ? -1 : x > y;
}

size_t *census_sorted_hist(const struct census_hist *h)
{
	size_t *ix = malloc((h->n ? h->n : 1) * sizeof(*ix));

	if (ix == NULL)
		return NULL;
	for (size_t i = 0; i < h->n; i++)
		ix[i] = i;
	qsort_r(ix, h->n, sizeof(*ix), hist_cmp, h->month);
	return ix;
}
