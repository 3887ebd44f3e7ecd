/* Labeled counters in a small chained hash, rendered in the Prometheus text
 * exposition format (prometheus docs "Exposition formats", 0.0.4). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/cert.h>

#include "gw_metrics.h"

#define NBUCKETS 256

struct counter {
	struct counter *next;
	char *name;
	char *labels;     /* rendered: route="a",result="ok" */
	uint64_t value;
};

struct gw_metrics {
	pthread_mutex_t lock;   /* workers add, the admin handler renders */
	struct counter *b[NBUCKETS];
};

/* Metric families in output order; every counter name must be listed. */
static const struct family {
	const char *name, *type, *help;
} families[] = {
	{ "eku_gateway_connections_total", "counter", "Inbound connections by final result." },
	{ "eku_gateway_handshake_failures_total", "counter", "Inbound TLS handshake failures by reason." },
	{ "eku_gateway_peer_certs_total", "counter", "Inbound client certificates by EKU and issuer class." },
	{ "eku_gateway_would_fail_total", "counter", "Inbound client certificates that would fail under a policy." },
	{ "eku_gateway_upstream_failures_total", "counter", "Upstream connection failures by reason." },
	{ "eku_gateway_bytes_total", "counter", "Bytes proxied by direction." },
	{ "eku_gateway_reloads_total", "counter", "Configuration reloads by result." },
};

gw_metrics *gw_metrics_new(void)
{
	gw_metrics *m = calloc(1, sizeof(*m));

	if (m != NULL)
		pthread_mutex_init(&m->lock, NULL);
	return m;
}

void gw_metrics_free(gw_metrics *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < NBUCKETS; i++)
		for (struct counter *c = m->b[i], *n; c != NULL; c = n) {
			n = c->next;
			free(c->name);
			free(c->labels);
			free(c);
		}
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static void esc(char *out, size_t cap, size_t *len, const char *s)
{
	for (; s != NULL && *s != '\0' && *len + 3 < cap; s++) {
		if (*s == '\\' || *s == '"') {
			out[(*len)++] = '\\';
			out[(*len)++] = *s;
		} else if (*s == '\n') {
			out[(*len)++] = '\\';
			out[(*len)++] = 'n';
		} else {
			out[(*len)++] = *s;
		}
	}
	out[*len] = '\0';
}

static void label(char *out, size_t cap, size_t *len, const char *k, const char *v)
{
	if (k == NULL)
		return;
	*len += (size_t)snprintf(out + *len, cap - *len, "%s%s=\"", *len ? "," : "", k);
	if (*len >= cap) {
		*len = cap - 1;
		return;
	}
	esc(out, cap, len, v != NULL ? v : "");
	if (*len + 2 < cap) {
		out[(*len)++] = '"';
		out[*len] = '\0';
	}
}

static unsigned hash(const char *a, const char *b)
{
	unsigned h = 2166136261u;

	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 16777619u;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 16777619u;
	return h % NBUCKETS;
}

static struct counter *find(gw_metrics *m, const char *name, const char *labels, bool create)
{
	unsigned h = hash(name, labels);
	struct counter *c;

	for (c = m->b[h]; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0 && strcmp(c->labels, labels) == 0)
			return c;
	if (!create || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->name = strdup(name);
	c->labels = strdup(labels);
	if (c->name == NULL || c->labels == NULL) {
		free(c->name);
		free(c->labels);
		free(c);
		return NULL;
	}
	c->next = m->b[h];
	m->b[h] = c;
	return c;
}

static void render_labels(char *buf, size_t cap, const char *l1, const char *v1, const char *l2,
	const char *v2, const char *l3, const char *v3)
{
	size_t len = 0;

	buf[0] = '\0';
	label(buf, cap, &len, l1, v1);
	if (l1 != NULL)
		label(buf, cap, &len, l2, v2);
	if (l1 != NULL && l2 != NULL)
		label(buf, cap, &len, l3, v3);
}

void gw_metrics_add(gw_metrics *m, const char *name, uint64_t v, const char *l1,
	const char *v1, const char *l2, const char *v2, const char *l3, const char *v3)
{
	char labels[768];
	struct counter *c;

	render_labels(labels, sizeof(labels), l1, v1, l2, v2, l3, v3);
	pthread_mutex_lock(&m->lock);
	if ((c = find(m, name, labels, true)) != NULL)
		c->value += v;
	pthread_mutex_unlock(&m->lock);
}

uint64_t gw_metrics_get(gw_metrics *m, const char *name, const char *l1, const char *v1,
	const char *l2, const char *v2, const char *l3, const char *v3)
{
	char labels[768];
	struct counter *c;
	uint64_t v;

	render_labels(labels, sizeof(labels), l1, v1, l2, v2, l3, v3);
	pthread_mutex_lock(&m->lock);
	c = find(m, name, labels, false);
	v = c != NULL ? c->value : 0;
	pthread_mutex_unlock(&m->lock);
	return v;
}

static void render_family(gw_metrics *m, const struct family *f, struct evbuffer *out)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, f->type);
	for (size_t i = 0; i < NBUCKETS; i++)
		for (struct counter *c = m->b[i]; c != NULL; c = c->next)
			if (strcmp(c->name, f->name) == 0)
				evbuffer_add_printf(out, "%s{%s} %llu\n", c->name, c->labels,
					(unsigned long long)c->value);
}

static void render_store(const struct gw_store *s, const char *store, struct evbuffer *out)
{
	for (size_t i = 0; i < s->n; i++) {
		char labels[768];
		const struct eku_facts *f;

		if (s->v[i].ekc == NULL)
			continue;
		f = eku_cert_facts(s->v[i].ekc);
		render_labels(labels, sizeof(labels), "store", store, "entry", s->v[i].name,
			"subject", f->subject);
		evbuffer_add_printf(out, "eku_gateway_store_cert_not_after_seconds{%s} %lld\n",
			labels, (long long)f->not_after);
	}
}

int gw_metrics_render(gw_metrics *m, const struct gw_config *cfg, uint64_t active,
	uint64_t config_version, struct evbuffer *out)
{
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		render_family(m, &families[i], out);
	pthread_mutex_unlock(&m->lock);
	evbuffer_add_printf(out, "# HELP eku_gateway_active_connections Open inbound connections.\n"
		"# TYPE eku_gateway_active_connections gauge\neku_gateway_active_connections %llu\n",
		(unsigned long long)active);
	evbuffer_add_printf(out, "# HELP eku_gateway_config_version Loaded configuration version.\n"
		"# TYPE eku_gateway_config_version gauge\neku_gateway_config_version %llu\n",
		(unsigned long long)config_version);
	evbuffer_add_printf(out, "# HELP eku_gateway_store_cert_not_after_seconds Expiry of each "
		"store certificate (Unix time).\n# TYPE eku_gateway_store_cert_not_after_seconds gauge\n");
	if (cfg != NULL) {
		render_store(&cfg->server_store, "server", out);
		render_store(&cfg->client_store, "client", out);
	}
	return 0;
}
