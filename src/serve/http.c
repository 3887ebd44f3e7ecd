/* eku serve's HTTP listener: /metrics, /healthz, /api/v1/latest, / (the HTML
 * report of the latest plan round), /probe, POST /-/reload. Loopback by
 * default, with the gateway admin listener's protections (gw_admin.h): the
 * Host check against DNS rebinding, bounded requests, a custom header on
 * the one state-changing request. Handlers run on the main loop and only
 * read the runtime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include <eku/html_report.h>
#include <eku/jsonw.h>
#include <eku/report.h>

#include "../gateway/gw_admin.h"
#include "../gateway/gw_config.h"
#include "sv_rt.h"

#define SV_MAX_API (256u * 1024 * 1024) /* the JSON writer's cap */

static void on_metrics(struct sv_runtime *rt, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL || sv_metrics_render(rt, b) != 0) {
		evhttp_send_error(req, 500, NULL);
	} else {
		gw_admin_reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", b);
	}
	if (b != NULL)
		evbuffer_free(b);
}

/* 200 "ok", or 503 with every problem: the store (metrics still serve from
 * memory), sources whose last round failed. */
static void on_healthz(struct sv_runtime *rt, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	char at[24];
	bool bad = false;

	if (b == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	pthread_mutex_lock(&rt->status_lock);
	if (rt->store_error[0] != '\0') {
		evbuffer_add_printf(b, "store: %s (since %s; metrics are served from memory, writing "
			"resumes when the store is back)\n", rt->store_error,
			eku_time_iso(rt->store_error_at, at, sizeof(at)));
		bad = true;
	}
	if (rt->status_pending > 0 || rt->status_dropped > 0)
		evbuffer_add_printf(b, "store: events of %zu round(s) wait for the store; %llu round(s)' "
			"events were dropped (more than %d waited)\n", rt->status_pending,
			(unsigned long long)rt->status_dropped, SV_PENDING_MAX);
	pthread_mutex_unlock(&rt->status_lock);
	for (size_t i = 0; i < rt->n_states; i++)
		if (rt->states[i].last_error != NULL) {
			evbuffer_add_printf(b, "source %s: %s\n", rt->states[i].name, rt->states[i].last_error);
			bad = true;
		}
	if (rt->last_reload_error[0] != '\0')
		evbuffer_add_printf(b, "reload failed, still serving version %llu: %s\n",
			(unsigned long long)rt->version, rt->last_reload_error);
	if (!bad)
		evbuffer_add_printf(b, "ok\n");
	gw_admin_reply(req, bad ? 503 : 200, bad ? "Service Unavailable" : "OK", "text/plain; charset=utf-8", b);
	evbuffer_free(b);
}

/* ---- /api/v1/latest ------------------------------------------------------------ */

static int obs_json(eku_jsonw *w, const struct sv_obs *o)
{
	char t[3][24];

	return eku_jsonw_object_begin(w) | eku_jsonw_key(w, "kind") | eku_jsonw_string(w, o->kind) |
	       eku_jsonw_key(w, "target") | eku_jsonw_string(w, o->key) |
	       eku_jsonw_key(w, "sha256") | eku_jsonw_string(w, o->sha256) |
	       eku_jsonw_key(w, "subject") | eku_jsonw_string(w, o->subject) |
	       eku_jsonw_key(w, "eku_class") | eku_jsonw_string(w, eku_eku_class_name(o->eku_class)) |
	       eku_jsonw_key(w, "clientauth") | eku_jsonw_bool(w, o->clientauth) |
	       eku_jsonw_key(w, "issuer_class") | eku_jsonw_string(w, eku_issuer_class_name(o->issuer_class)) |
	       eku_jsonw_key(w, "vendor") | eku_jsonw_string_or_null(w, o->vendor[0] ? o->vendor : NULL) |
	       eku_jsonw_key(w, "not_before") | eku_jsonw_string(w, eku_time_iso(o->not_before, t[0], 24)) |
	       eku_jsonw_key(w, "not_after") | eku_jsonw_string(w, eku_time_iso(o->not_after, t[1], 24)) |
	       eku_jsonw_key(w, "client_use") | eku_jsonw_string(w, eku_sunset_verdict_name(o->client_use)) |
	       eku_jsonw_key(w, "clientauth_ends") |
	       eku_jsonw_string_or_null(w, o->clientauth_ends ? eku_time_iso(o->clientauth_ends, t[2], 24) : NULL) |
	       eku_jsonw_key(w, "stale") | eku_jsonw_bool(w, o->stale) | eku_jsonw_object_end(w);
}

static int snap_lists_json(eku_jsonw *w, const struct sv_snap *s)
{
	int rc = eku_jsonw_key(w, "certificates") | eku_jsonw_array_begin(w);

	for (size_t i = 0; s != NULL && i < s->n_obs; i++)
		rc |= obs_json(w, &s->obs[i]);
	rc |= eku_jsonw_array_end(w) | eku_jsonw_key(w, "failures") | eku_jsonw_array_begin(w);
	for (size_t i = 0; s != NULL && i < s->n_fails; i++)
		rc |= eku_jsonw_object_begin(w) | eku_jsonw_key(w, "target") | eku_jsonw_string(w, s->fails[i].key) |
		      eku_jsonw_key(w, "failure") | eku_jsonw_string(w, s->fails[i].failure) |
		      eku_jsonw_key(w, "message") | eku_jsonw_string_or_null(w, s->fails[i].message) |
		      eku_jsonw_object_end(w);
	rc |= eku_jsonw_array_end(w) | eku_jsonw_key(w, "findings") | eku_jsonw_array_begin(w);
	for (size_t i = 0; s != NULL && i < s->n_findings; i++)
		rc |= eku_jsonw_object_begin(w) | eku_jsonw_key(w, "id") | eku_jsonw_string(w, s->findings[i].id) |
		      eku_jsonw_key(w, "kind") | eku_jsonw_string(w, s->findings[i].kind) |
		      eku_jsonw_key(w, "severity") | eku_jsonw_string(w, eku_severity_name(s->findings[i].severity)) |
		      eku_jsonw_object_end(w);
	return rc | eku_jsonw_array_end(w);
}

static int state_json(eku_jsonw *w, const struct sv_state *st, const struct sv_source *src)
{
	char at[24];
	const struct sv_snap *s = st->snap;

	return eku_jsonw_object_begin(w) | eku_jsonw_key(w, "source") | eku_jsonw_string(w, st->name) |
	       eku_jsonw_key(w, "kind") | eku_jsonw_string(w, src ? sv_kind_name(src->kind) : "unknown") |
	       eku_jsonw_key(w, "rounds") | eku_jsonw_integer(w, (int64_t)st->rounds) |
	       eku_jsonw_key(w, "last_round") |
	       eku_jsonw_string_or_null(w, st->last_round_at ? eku_time_iso(st->last_round_at, at, 24) : NULL) |
	       eku_jsonw_key(w, "error") | eku_jsonw_string_or_null(w, st->last_error) |
	       snap_lists_json(w, s) | eku_jsonw_object_end(w);
}

static void on_latest(struct sv_runtime *rt, struct evhttp_request *req)
{
	eku_jsonw *w = eku_jsonw_new(EKU_JSONW_INDENT(2), SV_MAX_API);
	struct evbuffer *b = evbuffer_new();
	const char *text;
	size_t len;
	int rc;

	if (w == NULL || b == NULL)
		goto fail;
	rc = eku_jsonw_object_begin(w) | eku_jsonw_key(w, "schema") | eku_jsonw_string(w, EKU_SCHEMA) |
	     eku_jsonw_key(w, "sources") | eku_jsonw_array_begin(w);
	for (size_t i = 0; i < rt->n_states; i++)
		rc |= state_json(w, &rt->states[i], rt->states[i].src);
	rc |= eku_jsonw_array_end(w) | eku_jsonw_object_end(w);
	if (rc != 0)
		goto fail;
	text = eku_jsonw_data(w, &len);
	evbuffer_add(b, text, len);
	evbuffer_add(b, "\n", 1);
	gw_admin_reply(req, 200, "OK", "application/json", b);
	goto out;
fail:
	evhttp_send_error(req, 500, NULL);
out:
	eku_jsonw_free(w);
	if (b != NULL)
		evbuffer_free(b);
}

/* ---- / : the HTML report of the latest plan round ----------------------------- */

static const struct sv_snap *plan_snap(struct sv_runtime *rt, const char *want)
{
	for (size_t i = 0; i < rt->n_states; i++) {
		const struct sv_snap *s = rt->states[i].snap;
		if (s != NULL && s->plan_json != NULL && (want == NULL || strcmp(want, s->source) == 0))
			return s;
	}
	return NULL;
}

static void on_report(struct sv_runtime *rt, struct evhttp_request *req, const char *source)
{
	const struct sv_snap *s = plan_snap(rt, source);
	json_t *doc = s != NULL ? json_loads(s->plan_json, 0, NULL) : NULL;
	eku_error err = { 0 };
	char *html = NULL;
	struct evbuffer *b = NULL;

	if (s == NULL) {
		gw_admin_reply_text(req, 404, "Not Found", "no plan round yet: add a source with inventory: (or wait "
			"for its first round); try /metrics or /api/v1/latest");
		goto out;
	}
	if (doc == NULL || (html = eku_html_report(doc, NULL, &err)) == NULL || (b = evbuffer_new()) == NULL) {
		gw_admin_reply_text(req, 500, "Internal Server Error", err.message[0] ? err.message : "cannot render");
		goto out;
	}
	evbuffer_add(b, html, strlen(html));
	gw_admin_reply(req, 200, "OK", "text/html; charset=utf-8", b);
out:
	free(html);
	json_decref(doc);
	if (b != NULL)
		evbuffer_free(b);
}

/* The plan document itself (docs/plan.md), as `eku plan --format json`. */
static void on_plan(struct sv_runtime *rt, struct evhttp_request *req, const char *source)
{
	const struct sv_snap *s = plan_snap(rt, source);
	struct evbuffer *b;

	if (s == NULL) {
		gw_admin_reply_text(req, 404, "Not Found", "no plan round yet (?source=NAME of an inventory source)");
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_add_printf(b, "%s\n", s->plan_json);
	gw_admin_reply(req, 200, "OK", "application/json", b);
	evbuffer_free(b);
}

/* ---- dispatch -------------------------------------------------------------------- */

static void on_reload(struct sv_runtime *rt, struct evhttp_request *req)
{
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		gw_admin_reply_text(req, 405, "Method Not Allowed", "use POST /-/reload");
		return;
	}
	if (evhttp_find_header(evhttp_request_get_input_headers(req), GW_ADMIN_HEADER) == NULL) {
		gw_admin_reply_text(req, 403, "Forbidden", "POST /-/reload needs the header " GW_ADMIN_HEADER ": 1");
		return;
	}
	sv_runtime_reload(rt);
	gw_admin_reply_text(req, 202, "Accepted", "reloading; see the log or /healthz");
}

static void http_cb(struct evhttp_request *req, void *arg)
{
	struct sv_runtime *rt = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = evhttp_uri_get_path(uri);
	struct evkeyvalq q = { 0 };

	if (path == NULL)
		path = "/";
	evhttp_parse_query_str(evhttp_uri_get_query(uri) ? evhttp_uri_get_query(uri) : "", &q);
	if (!gw_admin_host_allowed(rt->sock, req))
		gw_admin_reply_text(req, 421, "Misdirected Request", "Host does not name this listener (DNS rebinding?)");
	else if (strcmp(path, "/metrics") == 0)
		on_metrics(rt, req);
	else if (strcmp(path, "/healthz") == 0)
		on_healthz(rt, req);
	else if (strcmp(path, "/api/v1/latest") == 0)
		on_latest(rt, req);
	else if (strcmp(path, "/api/v1/plan") == 0)
		on_plan(rt, req, evhttp_find_header(&q, "source"));
	else if (strcmp(path, "/probe") == 0)
		sv_probe_http(rt, req);
	else if (strcmp(path, "/-/reload") == 0)
		on_reload(rt, req);
	else if (strcmp(path, "/") == 0)
		on_report(rt, req, evhttp_find_header(&q, "source"));
	else
		gw_admin_reply_text(req, 404, "Not Found", "try /metrics, /healthz, /api/v1/latest, /api/v1/plan, /probe?target=HOST:PORT "
			"or / (the plan report)");
	evhttp_clear_headers(&q);
}

int sv_http_start(struct sv_runtime *rt, char *why, size_t whylen)
{
	char host[128], port[16];

	if (gw_split_host_port(rt->cfg->listen, host, sizeof(host), port, sizeof(port)) != 0) {
		snprintf(why, whylen, "listen: '%s' is not host:port", rt->cfg->listen);
		return -1;
	}
	if ((rt->http = evhttp_new(rt->base)) == NULL ||
	    (rt->sock = evhttp_bind_socket_with_handle(rt->http, host, (ev_uint16_t)atoi(port))) == NULL) {
		snprintf(why, whylen, "cannot listen on %s", rt->cfg->listen);
		return -1;
	}
	gw_admin_limits(rt->http);
	evhttp_set_gencb(rt->http, http_cb, rt);
	return 0;
}
