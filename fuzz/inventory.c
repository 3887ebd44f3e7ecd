/* libFuzzer target: the eku plan inventory reader (YAML -> walker -> nodes,
 * versions, links, cluster) on arbitrary bytes, with the embedded data and
 * no system roots. Certificate paths resolve under a folder that does not
 * exist, so only absolute paths reach the file system. Every diagnostic
 * must carry a message and a position; a clean load must judge. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <eku/plan.h>
#include <eku/util.h>

/* One plan for the whole run: the data (timeline, products, vendors) is
 * loaded once, each input replaces the inventory. */
static eku_plan *plan;

static void init(void)
{
	int64_t t;

	plan = eku_plan_new();
	if (plan == NULL || eku_plan_set_system_bundle(plan, "") != 0 || eku_time_parse("2026-11-27", &t) != 0)
		abort();
	eku_plan_set_now(plan, t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc;
	int rc;

	if (plan == NULL)
		init();
	rc = eku_plan_load_mem(plan, "fuzz.yaml", "/nonexistent-eku-fuzz", (const char *)data, size);
	for (size_t i = 0; i < eku_plan_diag_count(plan); i++) {
		const struct eku_diag *d = eku_plan_diag(plan, i);
		if (d->message == NULL || d->line < 0 || d->column < 0)
			abort();
	}
	if (rc != 0) {
		/* Failing without a diag is only allowed for data or memory errors. */
		if (eku_plan_diag_count(plan) == 0 && eku_plan_error(plan)->code == EKU_E_OK)
			abort();
		return 0;
	}
	if (eku_plan_diag_count(plan) != 0 || eku_plan_run(plan) != 0)
		abort();
	doc = eku_plan_json(plan);
	if (doc == NULL)
		abort();
	json_decref(doc);
	return 0;
}
