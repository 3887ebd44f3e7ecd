/* /probe?target=HOST:PORT[&protocol=P][&sni=NAME] in the blackbox_exporter
 * style: Prometheus schedules the probing (and shards it across eku
 * instances by relabelling), eku answers one target per scrape with
 * eku_probe_success, eku_probe_duration_seconds and the certificate
 * families of /metrics. Nothing is stored: history is for configured
 * sources. The probe runs on its own thread; the reply is sent from the
 * loop, unless the scraper hung up first. The timeout follows Prometheus'
 * X-Prometheus-Scrape-Timeout-Seconds, less half a second, as blackbox
 * does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/keyvalq_struct.h>

#include <eku/probe.h>

#include "../gateway/gw_admin.h"
#include "sv_rt.h"

#define SV_PROBE_MAX_ACTIVE 32
#define SV_PROBE_DEFAULT_MS 10000
#define SV_PROBE_MAX_MS 120000

struct probe_job {
	struct sv_runtime *rt;
	struct evhttp_request *req;  /* NULL once the scraper hung up */
	struct sv_config *cfg;       /* a reference: its trust store and timeline */
	eku_strv spec;               /* the one target */
	unsigned timeout_ms;
	struct sv_snap *snap;
	int rc;
};

static void closed_cb(struct evhttp_connection *conn, void *arg)
{
	struct probe_job *j = arg;

	(void)conn;
	j->req = NULL;
}

static void probe_reply(struct sv_runtime *rt, void *arg)
{
	struct probe_job *j = arg;
	struct evbuffer *b = evbuffer_new();
	const struct sv_snap *snaps[1] = { j->snap };
	bool ok = j->rc == 0 && j->snap != NULL && j->snap->n_obs == 1;

	rt->probes_active--;
	if (j->req != NULL && b != NULL) {
		evhttp_connection_set_closecb(evhttp_request_get_connection(j->req), NULL, NULL);
		evbuffer_add_printf(b, "# HELP eku_probe_success 1 when the target presented a certificate.\n"
			"# TYPE eku_probe_success gauge\neku_probe_success %d\n"
			"# HELP eku_probe_duration_seconds How long the probe took.\n"
			"# TYPE eku_probe_duration_seconds gauge\neku_probe_duration_seconds %.6f\n",
			ok ? 1 : 0, j->snap != NULL ? j->snap->duration : 0.0);
		if (j->snap != NULL && j->snap->n_fails > 0) {
			evbuffer_add_printf(b, "# HELP eku_probe_failure_info Why the probe failed (value 1).\n"
				"# TYPE eku_probe_failure_info gauge\neku_probe_failure_info");
			sv_prom_label(b, true, "failure", j->snap->fails[0].failure);
			evbuffer_add_printf(b, "} 1\n");
		}
		sv_metrics_certs(b, snaps, j->snap != NULL ? 1 : 0);
		gw_admin_reply(j->req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", b);
	} else if (j->req != NULL) {
		evhttp_send_error(j->req, 500, NULL);
	}
	if (b != NULL)
		evbuffer_free(b);
	sv_snap_free(j->snap);
	sv_config_free(j->cfg);
	eku_strv_clear(&j->spec);
	free(j);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *probe_main(void *arg)
{
	struct probe_job *j = arg;
	double t0 = mono();

	if ((j->snap = sv_snap_new("probe", SV_TARGETS)) != NULL) {
		j->snap->started = (int64_t)time(NULL);
		j->rc = sv_probe_targets(j->cfg, &j->spec, j->timeout_ms, j->snap);
		j->snap->duration = mono() - t0;
	}
	if (sv_post(j->rt, probe_reply, j) != 0)
		abort();
	return NULL;
}

static unsigned timeout_of(struct evhttp_request *req)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req),
		"X-Prometheus-Scrape-Timeout-Seconds");
	double s = h != NULL ? strtod(h, NULL) - 0.5 : 0;

	if (s <= 0)
		return SV_PROBE_DEFAULT_MS;
	return s * 1000 > SV_PROBE_MAX_MS ? SV_PROBE_MAX_MS : (unsigned)(s * 1000);
}

/* "target[,protocol=P][,sni=N]": the target syntax of eku scan. */
static int spec_of(struct evkeyvalq *q, char *out, size_t len, char *why, size_t whylen)
{
	const char *target = evhttp_find_header(q, "target");
	const char *proto = evhttp_find_header(q, "protocol");
	const char *sni = evhttp_find_header(q, "sni");
	struct eku_target t;
	eku_error err = { 0 };

	if (target == NULL || target[0] == '\0') {
		snprintf(why, whylen, "give ?target=HOST:PORT (and optionally &protocol=smtp, &sni=NAME)");
		return -1;
	}
	snprintf(out, len, "%s%s%s%s%s", target, proto ? ",protocol=" : "", proto ? proto : "",
		sni ? ",sni=" : "", sni ? sni : "");
	if (eku_target_parse(out, &t, &err) != 0) {
		snprintf(why, whylen, "%s", err.message);
		return -1;
	}
	eku_target_clear(&t);
	return 0;
}

void sv_probe_http(struct sv_runtime *rt, struct evhttp_request *req)
{
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq q = { 0 };
	struct probe_job *j = NULL;
	char spec[1024], why[512];

	if (evhttp_parse_query_str(query ? query : "", &q) != 0 || spec_of(&q, spec, sizeof(spec), why, sizeof(why)) != 0) {
		gw_admin_reply_text(req, 400, "Bad Request", query == NULL ? "give ?target=HOST:PORT" : why);
		goto out;
	}
	if (rt->probes_active >= SV_PROBE_MAX_ACTIVE) {
		gw_admin_reply_text(req, 503, "Service Unavailable", "too many probes in flight; retry later");
		goto out;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL || eku_strv_push(&j->spec, spec) != 0)
		goto fail;
	j->rt = rt;
	j->req = req;
	j->cfg = sv_config_up_ref(rt->cfg);
	j->timeout_ms = timeout_of(req);
	evhttp_connection_set_closecb(evhttp_request_get_connection(req), closed_cb, j);
	rt->probes_active++;
	if (sv_thread_start(rt, probe_main, j) != 0) {
		rt->probes_active--;
		evhttp_connection_set_closecb(evhttp_request_get_connection(req), NULL, NULL);
		sv_config_free(j->cfg);
		goto fail;
	}
	j = NULL;
	goto out;
fail:
	if (j != NULL)
		eku_strv_clear(&j->spec);
	free(j);
	evhttp_send_error(req, 500, NULL);
out:
	evhttp_clear_headers(&q);
}
