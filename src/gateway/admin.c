/* Admin listener (evhttp, loopback unless insecure_allow_remote):
 * /metrics (Prometheus text), /status (JSON), /healthz, POST /reload.
 *
 * A browser on the operator's machine is the adversary here: a page can send
 * "simple" cross-origin requests (Fetch standard, CORS-safelisted methods and
 * headers) without a preflight, and DNS rebinding lets it read responses
 * from a name it controls. Hence: POST /reload needs a custom header (only a
 * preflight could allow it, and OPTIONS is never answered), the Host header
 * must name the listen address (RFC 9110 7.2; 421 otherwise), and the
 * request head and body are bounded. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include <eku/report.h>

#include "gw_admin.h"
#include "gw_runtime.h"

#define ADMIN_HEADER GW_ADMIN_HEADER

static void on_metrics(struct gw_runtime *rt, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	gw_metrics_render(rt->metrics, rt->cfg, rt->active, rt->version, b);
	gw_admin_reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", b);
	evbuffer_free(b);
}

static json_t *strv_json(const eku_strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

static json_t *store_json(const struct gw_store *s)
{
	json_t *a = json_array();
	char na[24];

	for (size_t i = 0; a != NULL && i < s->n; i++) {
		const struct gw_store_entry *e = &s->v[i];
		const struct eku_facts *f = e->ekc != NULL ? eku_cert_facts(e->ekc) : NULL;
		json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:s?, s:s?, s:s?, s:o}",
			"name", e->name, "cert", e->cert_file, "default", e == s->dflt,
			"subject", f ? f->subject : NULL,
			"eku_class", f ? eku_eku_class_name(f->eku_class) : NULL,
			"not_after", f ? eku_time_iso(f->not_after, na, sizeof(na)) : NULL,
			"sni", strv_json(&e->sni)));
	}
	return a;
}

static json_t *route_json(const struct gw_route *r)
{
	json_t *listen = json_array();

	for (size_t i = 0; listen != NULL && i < r->n_listen; i++)
		json_array_append_new(listen, json_string(r->listen[i].text));
	return json_pack("{s:s, s:o, s:s, s:s, s:b, s:b, s:{s:o, s:o, s:o, s:o, s:o}, "
		"s:{s:s, s:b, s:s?, s:b, s:s?}}",
		"name", r->name, "listen", listen,
		"client_auth", gw_client_auth_name(r->client_auth),
		"policy", eku_verify_policy_name(r->policy), "observe", r->observe,
		"present_server_cert_as_client", r->present_server_cert_as_client,
		"allow", "dns", strv_json(&r->allow.dns), "uri", strv_json(&r->allow.uri),
		"ip", strv_json(&r->allow.ip), "cn", strv_json(&r->allow.cn),
		"spki", strv_json(&r->allow.spki),
		"upstream", "address", r->up.addr.text, "tls", r->up.tls,
		"name", r->up.tls ? (r->up.name ? r->up.name : r->up.host) : NULL,
		"proxy_protocol", r->up.proxy_protocol,
		"client_cert", r->out_entry != NULL ? r->out_entry->name : NULL);
}

static json_t *observed_json(struct gw_runtime *rt)
{
	json_t *a = json_array();
	char na[24];

	pthread_mutex_lock(&rt->lock);   /* workers record observations */
	for (size_t i = 0; a != NULL && i < rt->n_observed; i++) {
		const struct gw_observed *o = &rt->observed[i];
		const struct gw_route *r = gw_config_route_for_name(rt->cfg, o->route);
		json_t *under = json_object();

		if (r == NULL || !r->observe) {
			json_decref(under);
			continue;
		}
		for (int p = 0; p < EKU_VERIFY_POLICY_COUNT; p++)
			json_object_set_new(under, eku_verify_policy_name((enum eku_verify_policy)p),
				json_string(o->fails_under[p] ? "fail" : "pass"));
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:I}",
			"route", o->route, "subject", o->subject, "sha256", o->sha256,
			"eku_class", eku_eku_class_name(o->eku_class),
			"issuer_class", eku_issuer_class_name(o->issuer_class),
			"not_after", eku_time_iso(o->not_after, na, sizeof(na)),
			"verdicts", under, "reason", o->reason, "count", (json_int_t)o->count));
	}
	pthread_mutex_unlock(&rt->lock);
	return a;
}

static void on_status(struct gw_runtime *rt, struct evhttp_request *req)
{
	const struct gw_config *c = rt->cfg;
	json_t *routes = json_array(), *root;
	struct evbuffer *b = evbuffer_new();
	char *text = NULL, at[24];

	for (size_t i = 0; routes != NULL && i < c->n_routes; i++)
		json_array_append_new(routes, route_json(&c->routes[i]));
	root = json_pack("{s:s, s:{s:s, s:I, s:s, s:s}, s:b, s:I, s:o, s:{s:o, s:o}, s:o, s:s?}",
		"schema", EKU_SCHEMA,
		"config", "path", c->path, "version", (json_int_t)rt->version, "sha256", c->sha256,
		"loaded_at", eku_time_iso(c->loaded_at, at, sizeof(at)),
		"draining", (int)atomic_load(&rt->draining),
		"active_connections", (json_int_t)atomic_load(&rt->active),
		"routes", routes, "stores", "server", store_json(&c->server_store),
		"client", store_json(&c->client_store), "observed", observed_json(rt),
		"last_reload_error", rt->last_reload_error[0] ? rt->last_reload_error : NULL);
	if (root != NULL)
		/* \u escapes keep bidi controls from certificate subjects off the
		 * terminal of whoever curls /status; JSON readers decode them. */
		text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	if (text == NULL || b == NULL) {
		evhttp_send_error(req, 500, NULL);
	} else {
		evbuffer_add_printf(b, "%s\n", text);
		gw_admin_reply(req, 200, "OK", "application/json", b);
	}
	free(text);
	json_decref(root);
	if (b != NULL)
		evbuffer_free(b);
}

/* The reply waits for the reload, which runs off the main loop. */
static void reload_replied(struct gw_runtime *rt, int rc, void *arg)
{
	struct evhttp_request *req = arg;
	char msg[600];

	if (rc == 0) {
		snprintf(msg, sizeof(msg), "reloaded: version %llu", (unsigned long long)rt->version);
		gw_admin_reply_text(req, 200, "OK", msg);
	} else {
		snprintf(msg, sizeof(msg), "reload failed, still serving version %llu: %s",
			(unsigned long long)rt->version, rt->last_reload_error);
		gw_admin_reply_text(req, 422, "Unprocessable Entity", msg);
	}
}

static void on_reload(struct gw_runtime *rt, struct evhttp_request *req)
{
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		gw_admin_reply_text(req, 405, "Method Not Allowed", "use POST /reload");
		return;
	}
	if (evhttp_find_header(evhttp_request_get_input_headers(req), ADMIN_HEADER) == NULL) {
		gw_admin_reply_text(req, 403, "Forbidden", "POST /reload needs the header " ADMIN_HEADER ": 1");
		return;
	}
	if (gw_runtime_reload_async(rt, reload_replied, req) != 0)
		gw_admin_reply_text(req, 503, "Service Unavailable", "cannot start a reload");
}

static void admin_cb(struct evhttp_request *req, void *arg)
{
	struct gw_runtime *rt = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));

	if (path == NULL)
		path = "/";
	if (!gw_admin_host_allowed(rt->admin_sock, req))
		gw_admin_reply_text(req, 421, "Misdirected Request",
			"Host does not name this admin listener (DNS rebinding?)");
	else if (strcmp(path, "/metrics") == 0)
		on_metrics(rt, req);
	else if (strcmp(path, "/status") == 0)
		on_status(rt, req);
	else if (strcmp(path, "/healthz") == 0)
		gw_admin_reply_text(req, rt->draining ? 503 : 200, rt->draining ? "Draining" : "OK",
			rt->draining ? "draining" : "ok");
	else if (strcmp(path, "/reload") == 0 || strcmp(path, "/-/reload") == 0)
		on_reload(rt, req);
	else
		gw_admin_reply_text(req, 404, "Not Found", "try /metrics, /status, /healthz or POST /reload");
}

int gw_admin_start(struct gw_runtime *rt, char *why, size_t whylen)
{
	const struct gw_config *c = rt->cfg;
	char host[64], *colon;
	int port;

	if (!c->has_admin)
		return 0;
	snprintf(host, sizeof(host), "%s", c->admin.text[0] == '[' ? c->admin.text + 1 : c->admin.text);
	if ((colon = strrchr(host, ':')) == NULL)
		return -1;
	*colon = '\0';
	port = atoi(colon + 1);
	if (host[0] != '\0' && host[strlen(host) - 1] == ']')
		host[strlen(host) - 1] = '\0';
	if ((rt->admin = evhttp_new(rt->base)) == NULL ||
	    (rt->admin_sock = evhttp_bind_socket_with_handle(rt->admin, host, (ev_uint16_t)port)) == NULL) {
		snprintf(why, whylen, "cannot listen on admin address %s", c->admin.text);
		return -1;
	}
	gw_admin_limits(rt->admin);
	evhttp_set_gencb(rt->admin, admin_cb, rt);
	return 0;
}
