/* gw_metrics.h - Prometheus counters of the gateway (text exposition format
 * 0.0.4). Thread-safe: every call takes the set's mutex (workers add, the
 * admin handler on the main loop renders). */
#ifndef EKU_GW_METRICS_H
#define EKU_GW_METRICS_H

#include <stdint.h>

#include <event2/buffer.h>

#include "gw_config.h"

typedef struct gw_metrics gw_metrics;

gw_metrics *gw_metrics_new(void);
void gw_metrics_free(gw_metrics *m);
/* Adds v to the counter name{l1=v1[,l2=v2][,l3=v3]}; NULL label names end
 * the list. Label values are escaped on output. */
void gw_metrics_add(gw_metrics *m, const char *name, uint64_t v, const char *l1,
	const char *v1, const char *l2, const char *v2, const char *l3, const char *v3);
uint64_t gw_metrics_get(gw_metrics *m, const char *name, const char *l1, const char *v1,
	const char *l2, const char *v2, const char *l3, const char *v3);
/* Writes every metric, plus gauges derived from cfg and active. */
int gw_metrics_render(gw_metrics *m, const struct gw_config *cfg, uint64_t active,
	uint64_t config_version, struct evbuffer *out);

#endif
