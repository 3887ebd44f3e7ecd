/* Internal: the census tables shared by the aggregator and its writers. */
#ifndef EKU_CENSUS_INT_H
#define EKU_CENSUS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <eku/census.h>

#include "hash.h"

/* One (group, EKU class, issue month) key and its counts. */
struct census_row {
	char *group;              /* vendor id or issuer class name */
	bool vendor;              /* group is a vendor id */
	enum eku_eku_class eku_class;
	int32_t month;            /* year * 12 + month - 1 of not_before (UTC) */
	struct eku_census_counts n;
};

/* A row's key, as the order of the writers sees it; also how eku report
 * checks that a census document's rows come in that order. */
struct census_key {
	const char *group;
	bool vendor;
	int32_t month;
	enum eku_eku_class eku_class;
};
/* The output order: vendors first, then issuer classes; by group (byte
 * order), month, EKU class (enum order). <0, 0 (the same key), >0. */
int census_key_cmp(const struct census_key *a, const struct census_key *b);

/* A histogram over months: month -> count. */
struct census_hist {
	eku_hmap *index;          /* month (int32, native bytes) -> slot */
	int32_t *month;
	uint64_t *count;
	size_t n, cap;
};

struct eku_census {
	int64_t at;
	eku_error err;
	eku_hmap *row_index;      /* packed key -> row slot */
	struct census_row *rows;
	size_t n_rows, cap_rows;
	struct census_hist expiries;  /* not_after month */
	struct census_hist losses;    /* breaks_on month of at_risk verdicts */
	struct eku_census_totals totals;
};

/* dst += src, counter by counter. */
void census_counts_add(struct eku_census_counts *dst, const struct eku_census_counts *src);

/* year * 12 + month - 1 of t in UTC. */
int32_t census_month(int64_t t);
/* "YYYY-MM" into buf (at least 16 bytes). */
const char *census_month_str(int32_t month, char *buf, size_t len);
/* Row slots in output order; caller frees. NULL on allocation failure. */
size_t *census_sorted_rows(const eku_census *cen);
/* Histogram slots in month order; caller frees. */
size_t *census_sorted_hist(const struct census_hist *h);

#endif
