/* /metrics in the Prometheus text exposition format 0.0.4, following the
 * exporter conventions (prometheus.io/docs/instrumenting/writing_exporters):
 * base units (_seconds), timestamps as gauges of Unix seconds (as
 * x509-certificate-exporter does), _total counters, one _info series for
 * string facts. Label values are bounded by the configuration: one series
 * per watched place (target or file), per plan finding, per source, per
 * event type; the certificate's sha256 rides only on eku_cert_info, so a
 * renewal replaces one series (docs/serve.md, "Label cardinality"). */
#include <stdio.h>
#include <string.h>

#include <eku/version.h>

#include "sv_rt.h"

void sv_prom_label(struct evbuffer *out, bool first, const char *k, const char *v)
{
	evbuffer_add_printf(out, "%s%s=\"", first ? "{" : ",", k);
	for (const char *p = v; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			evbuffer_add_printf(out, "\\%c", *p);
		else if (*p == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, p, 1);
	}
	evbuffer_add(out, "\"", 1);
}

static void family(struct evbuffer *out, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{source="...",kind="...",target="..."} */
static void place(struct evbuffer *out, const char *name, const struct sv_snap *s, const struct sv_obs *o)
{
	evbuffer_add_printf(out, "%s", name);
	sv_prom_label(out, true, "source", s->source);
	sv_prom_label(out, false, "kind", o->kind);
	sv_prom_label(out, false, "target", o->key);
}

/* One family over every snapshot's certificates; which() picks the value
 * (false: no series for that certificate). */
typedef bool (*obs_value_fn)(const struct sv_obs *o, double *v);

static void obs_family(struct evbuffer *out, const struct sv_snap *const *snaps, size_t n,
	const char *name, const char *help, obs_value_fn which)
{
	double v;

	family(out, name, "gauge", help);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; snaps[i] != NULL && j < snaps[i]->n_obs; j++) {
			if (!which(&snaps[i]->obs[j], &v))
				continue;
			place(out, name, snaps[i], &snaps[i]->obs[j]);
			evbuffer_add_printf(out, "} %.0f\n", v);
		}
}

static bool v_not_after(const struct sv_obs *o, double *v)
{
	*v = (double)o->not_after;
	return true;
}

static bool v_not_before(const struct sv_obs *o, double *v)
{
	*v = (double)o->not_before;
	return true;
}

static bool v_clientauth(const struct sv_obs *o, double *v)
{
	*v = o->clientauth ? 1 : 0;
	return true;
}

static bool v_ends(const struct sv_obs *o, double *v)
{
	*v = (double)o->clientauth_ends;
	return o->clientauth_ends > 0;
}

static void cert_info(struct evbuffer *out, const struct sv_snap *const *snaps, size_t n)
{
	family(out, "eku_cert_info", "gauge", "The certificate at a place: EKU class, issuer class, "
		"CA vendor, verdict as a client certificate (value 1).");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; snaps[i] != NULL && j < snaps[i]->n_obs; j++) {
			const struct sv_obs *o = &snaps[i]->obs[j];
			place(out, "eku_cert_info", snaps[i], o);
			sv_prom_label(out, false, "sha256", o->sha256);
			sv_prom_label(out, false, "eku_class", eku_eku_class_name(o->eku_class));
			sv_prom_label(out, false, "issuer_class", eku_issuer_class_name(o->issuer_class));
			sv_prom_label(out, false, "vendor", o->vendor);
			sv_prom_label(out, false, "client_use", eku_sunset_verdict_name(o->client_use));
			evbuffer_add_printf(out, "} 1\n");
		}
}

void sv_metrics_certs(struct evbuffer *out, const struct sv_snap *const *snaps, size_t n)
{
	obs_family(out, snaps, n, "eku_cert_not_after_seconds",
		"When the certificate at a place expires (Unix seconds).", v_not_after);
	obs_family(out, snaps, n, "eku_cert_not_before_seconds",
		"When the certificate at a place became valid (Unix seconds).", v_not_before);
	obs_family(out, snaps, n, "eku_cert_clientauth",
		"1 when the certificate at a place may act as a TLS client (clientAuth or no EKU).",
		v_clientauth);
	obs_family(out, snaps, n, "eku_cert_clientauth_ends_seconds",
		"The projected renewal that drops clientAuth (Unix seconds; at_risk certificates only).",
		v_ends);
	cert_info(out, snaps, n);
}

static void findings(struct evbuffer *out, const struct sv_snap *const *snaps, size_t n)
{
	family(out, "eku_finding_severity", "gauge", "Plan finding severity: 0 not_affected, 1 ok, "
		"2 unknown, 3 at_risk, 4 broken.");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; snaps[i] != NULL && j < snaps[i]->n_findings; j++) {
			const struct sv_finding *f = &snaps[i]->findings[j];
			evbuffer_add_printf(out, "eku_finding_severity");
			sv_prom_label(out, true, "source", snaps[i]->source);
			sv_prom_label(out, false, "finding", f->id);
			sv_prom_label(out, false, "kind", f->kind);
			evbuffer_add_printf(out, "} %d\n", (int)f->severity);
		}
	family(out, "eku_link_breaks_on_seconds", "gauge", "When an at_risk link breaks (Unix seconds).");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; snaps[i] != NULL && j < snaps[i]->n_findings; j++) {
			const struct sv_finding *f = &snaps[i]->findings[j];
			if (strcmp(f->kind, "link") != 0 || f->breaks_on == 0)
				continue;
			evbuffer_add_printf(out, "eku_link_breaks_on_seconds");
			sv_prom_label(out, true, "source", snaps[i]->source);
			sv_prom_label(out, false, "finding", f->id);
			evbuffer_add_printf(out, "} %lld\n", (long long)f->breaks_on);
		}
}

/* Per-source families: value(st) for each state. */
static void source_family(struct evbuffer *out, struct sv_runtime *rt, const char *name, const char *type,
	const char *help, double (*value)(const struct sv_state *st))
{
	family(out, name, type, help);
	for (size_t i = 0; i < rt->n_states; i++) {
		evbuffer_add_printf(out, "%s", name);
		sv_prom_label(out, true, "source", rt->states[i].name);
		evbuffer_add_printf(out, "} %.17g\n", value(&rt->states[i]));
	}
}

static double s_success(const struct sv_state *st)
{
	return st->rounds > 0 && st->last_error == NULL && st->snap != NULL && !st->snap->loaded &&
	       st->snap->n_fails == 0 ? 1 : 0;
}

static double s_duration(const struct sv_state *st)
{
	return st->last_duration;
}

static double s_last(const struct sv_state *st)
{
	return (double)st->last_round_at;
}

static double s_failed(const struct sv_state *st)
{
	return st->snap != NULL ? (double)st->snap->n_fails : 0;
}

static double s_rounds(const struct sv_state *st)
{
	return (double)st->rounds;
}

static void events(struct evbuffer *out, struct sv_runtime *rt)
{
	family(out, "eku_events_total", "counter", "Events since start, by source and type "
		"(clientauth_dropped: a renewal lost clientAuth).");
	for (size_t i = 0; i < rt->n_states; i++)
		for (int t = 0; t < SV_EV__COUNT; t++) {
			evbuffer_add_printf(out, "eku_events_total");
			sv_prom_label(out, true, "source", rt->states[i].name);
			sv_prom_label(out, false, "type", sv_event_name((enum sv_event_type)t));
			evbuffer_add_printf(out, "} %llu\n", (unsigned long long)rt->states[i].events[t]);
		}
}

int sv_metrics_render(struct sv_runtime *rt, struct evbuffer *out)
{
	const struct sv_snap **snaps = calloc(rt->n_states ? rt->n_states : 1, sizeof(*snaps));
	bool store_up;

	if (snaps == NULL)
		return -1;
	for (size_t i = 0; i < rt->n_states; i++)
		snaps[i] = rt->states[i].snap;
	family(out, "eku_build_info", "gauge", "The eku version (value 1).");
	evbuffer_add_printf(out, "eku_build_info");
	sv_prom_label(out, true, "version", eku_version());
	evbuffer_add_printf(out, "} 1\n");
	pthread_mutex_lock(&rt->status_lock);
	store_up = rt->store_error[0] == '\0';
	pthread_mutex_unlock(&rt->status_lock);
	family(out, "eku_store_up", "gauge", "1 when the last history write worked.");
	evbuffer_add_printf(out, "eku_store_up %d\n", store_up ? 1 : 0);
	family(out, "eku_config_last_reload_successful", "gauge", "0 after a reload that kept the old config.");
	evbuffer_add_printf(out, "eku_config_last_reload_successful %d\n", rt->last_reload_error[0] ? 0 : 1);
	source_family(out, rt, "eku_source_success", "gauge",
		"1 when the source's last round read every input.", s_success);
	source_family(out, rt, "eku_source_duration_seconds", "gauge", "How long the last round took.",
		s_duration);
	source_family(out, rt, "eku_source_last_round_timestamp_seconds", "gauge",
		"When the last round finished (Unix seconds).", s_last);
	source_family(out, rt, "eku_source_failed_inputs", "gauge",
		"Inputs the last round could not read.", s_failed);
	source_family(out, rt, "eku_source_rounds_total", "counter", "Rounds run since start.", s_rounds);
	events(out, rt);
	sv_metrics_certs(out, snaps, rt->n_states);
	findings(out, snaps, rt->n_states);
	free(snaps);
	return 0;
}
