/* One proxied connection: inbound TLS handshake (server store, verify API),
 * upstream connect (plain or TLS with the client store), optional PROXY v2
 * header, then bidirectional copy with per-direction caps and backpressure
 * (libevent's le-proxy pattern). Each connection holds a reference to the
 * config it started with until it closes. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "gw_proxy.h"
#include "gw_runtime.h"
#include "gw_store.h"
#include "gw_vcache.h"

struct conn {
	struct conn *prev, *next;       /* w->conns */
	struct gw_runtime *rt;
	struct gw_worker *w;            /* the loop this connection lives on */
	struct gw_config *cfg;          /* reference held for the connection's life */
	const struct gw_route *route;
	uint64_t id;
	struct sockaddr_storage peer_addr, local;
	char peer_text[64];
	SSL *in_ssl;
	struct bufferevent *in, *out;
	evutil_socket_t up_fd;
	struct event *hs_timer, *idle_timer, *connect_ev;
	struct event *up_read;          /* plain upstream: our own large reads (see up_read_cb) */
	int64_t start_ms, last_ms;
	uint64_t bytes_in, bytes_out;   /* client->upstream, upstream->client */
	struct gw_peer_result peer;
	bool established, closing;
	const char *result;             /* metrics label of the final result */
	char reason[160];
};

int64_t gw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval tv_ms(unsigned ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	return tv;
}

static void addr_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;
		evutil_inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
		port = ntohs(s->sin_port);
		snprintf(buf, len, "%s:%d", host, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;
		evutil_inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
		port = ntohs(s->sin6_port);
		snprintf(buf, len, "[%s]:%d", host, port);
	} else {
		snprintf(buf, len, "?");
	}
}

/* A reason usable as a metrics label: lower case, [a-z0-9_]. */
static void set_reason(struct conn *c, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_reason(struct conn *c, const char *result, const char *fmt, ...)
{
	va_list ap;

	if (c->result != NULL)
		return;
	c->result = result;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

static void label_from(const char *s, char *out, size_t len)
{
	size_t j = 0;

	for (; s != NULL && *s != '\0' && j + 1 < len; s++) {
		char ch = *s;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			out[j++] = ch;
		else if (j > 0 && out[j - 1] != '_')
			out[j++] = '_';
	}
	while (j > 0 && out[j - 1] == '_')
		j--;
	out[j] = '\0';
	if (j == 0)
		snprintf(out, len, "unknown");
}

/* ---- logging and teardown ----------------------------------------------- */

static void log_conn(struct conn *c)
{
	struct gw_runtime *rt = c->rt;
	const struct gw_peer_result *p = &c->peer;
	char na[24] = "", fails[96] = "";
	/* Certificate text is the peer's: escaped so it cannot forge fields or
	 * lines, or reorder what a reader sees (bidi controls). */
	char subject[640], allowed[400], reason[400];
	size_t fl = 0;

	for (int i = 0; i < EKU_VERIFY_POLICY_COUNT; i++)
		if (p->fails_under[i])
			fl += (size_t)snprintf(fails + fl, sizeof(fails) - fl, "%s%s", fl ? "," : "",
				eku_verify_policy_name((enum eku_verify_policy)i));
	if (p->present)
		eku_time_iso(p->not_after, na, sizeof(na));
	gw_runtime_logf(rt, "event=conn id=%llu route=%s peer=%s result=%s reason=%s "
		"policy=%s cert=%s eku_class=%s issuer_class=%s not_after=%s subject=\"%s\" "
		"would_fail=%s allowed_by=\"%s\" bytes_in=%llu bytes_out=%llu duration_ms=%lld "
		"config_version=%llu",
		(unsigned long long)c->id, c->route->name, c->peer_text, c->result,
		c->reason[0] ? eku_utf8_escape(c->reason, reason, sizeof(reason)) : "-",
		eku_verify_policy_name(c->route->policy),
		p->present ? "yes" : "no", p->present ? eku_eku_class_name(p->eku_class) : "-",
		p->present ? eku_issuer_class_name(p->issuer_class) : "-", p->present ? na : "-",
		eku_utf8_escape(p->subject, subject, sizeof(subject)), fails[0] ? fails : "-",
		eku_utf8_escape(p->allowed_by, allowed, sizeof(allowed)),
		(unsigned long long)c->bytes_in, (unsigned long long)c->bytes_out,
		(long long)(gw_now_ms() - c->start_ms), (unsigned long long)c->cfg->version);
}

static void conn_free(struct conn *c)
{
	struct gw_runtime *rt = c->rt;
	struct gw_worker *w = c->w;

	if (c->result == NULL)
		c->result = "ok";
	log_conn(c);
	gw_metrics_add(rt->metrics, "eku_gateway_connections_total", 1, "route", c->route->name,
		"result", c->result, NULL, NULL);
	gw_metrics_add(rt->metrics, "eku_gateway_bytes_total", c->bytes_in, "route",
		c->route->name, "direction", "in", NULL, NULL);
	gw_metrics_add(rt->metrics, "eku_gateway_bytes_total", c->bytes_out, "route",
		c->route->name, "direction", "out", NULL, NULL);
	if (c->hs_timer)
		event_free(c->hs_timer);
	if (c->idle_timer)
		event_free(c->idle_timer);
	if (c->connect_ev)
		event_free(c->connect_ev);
	if (c->up_read)
		event_free(c->up_read);
	if (c->in)
		bufferevent_free(c->in);   /* frees in_ssl and closes the socket */
	else if (c->in_ssl)
		SSL_free(c->in_ssl);
	if (c->out)
		bufferevent_free(c->out);
	else if (c->up_fd >= 0)
		evutil_closesocket(c->up_fd);
	gw_config_free(c->cfg);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c);
	if (atomic_fetch_sub(&rt->active, 1) == 1 && atomic_load(&rt->draining))
		gw_runtime_drained(w);
}

/* ---- peer accounting ----------------------------------------------------- */

static void account_peer(struct conn *c, X509 *leaf)
{
	struct gw_runtime *rt = c->rt;
	const struct gw_verdict *v = SSL_get_ex_data(c->in_ssl, gw_ssl_verdict_index());
	const char *route = c->route->name;

	if (c->peer.present)
		return;
	if (v != NULL)
		c->peer = v->peer;
	else if (leaf != NULL)   /* resumed session: no verification ran */
		gw_peer_fill(NULL, leaf, SSL_get_peer_cert_chain(c->in_ssl), c->cfg->classifier,
			&c->peer);
	if (!c->peer.present)
		return;
	gw_metrics_add(rt->metrics, "eku_gateway_peer_certs_total", 1, "route", route,
		"eku_class", eku_eku_class_name(c->peer.eku_class), "issuer_class",
		eku_issuer_class_name(c->peer.issuer_class));
	for (int p = 0; p < EKU_VERIFY_POLICY_COUNT; p++)
		if (c->peer.fails_under[p])
			gw_metrics_add(rt->metrics, "eku_gateway_would_fail_total", 1, "route", route,
				"policy", eku_verify_policy_name((enum eku_verify_policy)p), NULL, NULL);
	gw_observe(rt, c->cfg, route, &c->peer);
}

static void handshake_failed(struct conn *c, const char *why)
{
	char label[96];

	account_peer(c, NULL);
	if (c->peer.present && !c->peer.pass && c->peer.code[0] != '\0')
		snprintf(label, sizeof(label), "peer_%s", c->peer.code);
	else
		label_from(why, label, sizeof(label));
	set_reason(c, "handshake_failed", "%s", label);
	gw_metrics_add(c->rt->metrics, "eku_gateway_handshake_failures_total", 1, "route",
		c->route->name, "reason", label, NULL, NULL);
	conn_free(c);
}

/* ---- proxying -------------------------------------------------------------- */

static struct bufferevent *partner(struct conn *c, struct bufferevent *b)
{
	return b == c->in ? c->out : c->in;
}

/* Reading side switch: a plain upstream is read by up_read_cb, not by its
 * bufferevent (libevent 2.1's evbuffer_read() stops at 4 KiB per callback,
 * which turned every upstream read into a 4 KiB TLS record downstream). */
static void set_reading(struct conn *c, struct bufferevent *b, bool on)
{
	if (b == c->out && c->up_read != NULL) {
		if (on)
			event_add(c->up_read, NULL);
		else
			event_del(c->up_read);
	} else if (on) {
		bufferevent_enable(b, EV_READ);
	} else {
		bufferevent_disable(b, EV_READ);
	}
}

static bool reading(struct conn *c, struct bufferevent *b)
{
	if (b == c->out && c->up_read != NULL)
		return event_pending(c->up_read, EV_READ, NULL) != 0;
	return (bufferevent_get_enabled(b) & EV_READ) != 0;
}

static void read_cb(struct bufferevent *b, void *arg)
{
	struct conn *c = arg;
	struct bufferevent *o = partner(c, b);
	struct evbuffer *src = bufferevent_get_input(b), *dst;
	size_t n = evbuffer_get_length(src);

	c->last_ms = gw_now_ms();
	if (o == NULL || c->closing) {
		evbuffer_drain(src, n);
		return;
	}
	if (b == c->in)
		c->bytes_in += n;
	else
		c->bytes_out += n;
	dst = bufferevent_get_output(o);
	/* Plain upstream with nothing queued: write now instead of one loop
	 * iteration later (latency); errors surface through its write event. */
	if (o == c->out && c->up_read != NULL && evbuffer_get_length(dst) == 0)
		(void)evbuffer_write(src, bufferevent_getfd(o));
	evbuffer_add_buffer(dst, src);
	/* Backpressure: stop reading until the partner drains below half. */
	if (evbuffer_get_length(dst) >= c->cfg->limits.buffer_size)
		set_reading(c, b, false);
}

static void peer_closed(struct conn *c, struct bufferevent *b, short what);

/* Plain upstream -> client: recv() straight into the TLS side's output
 * buffer in steps of up to buffer_size, so bufferevent_openssl writes full
 * 16 KiB records (one copy, no 4 KiB chains). */
static void up_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *dst = bufferevent_get_output(c->in);
	size_t cap = c->cfg->limits.buffer_size, have = evbuffer_get_length(dst);
	struct evbuffer_iovec v;
	ssize_t n;

	(void)what;
	if (c->closing || have >= cap) {
		event_del(c->up_read);
		return;
	}
	if (evbuffer_reserve_space(dst, (ev_ssize_t)(cap - have), &v, 1) < 1) {
		set_reason(c, "internal", "reserve_space");
		conn_free(c);
		return;
	}
	if (v.iov_len > cap - have)
		v.iov_len = cap - have;   /* the chain may be larger than asked for */
	n = recv(fd, v.iov_base, v.iov_len, 0);
	if (n > 0) {
		v.iov_len = (size_t)n;
		evbuffer_commit_space(dst, &v, 1);
		c->bytes_out += (uint64_t)n;
		c->last_ms = gw_now_ms();
		if (evbuffer_get_length(dst) >= cap)
			event_del(c->up_read);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	peer_closed(c, c->out, BEV_EVENT_READING | (n == 0 ? BEV_EVENT_EOF : BEV_EVENT_ERROR));
}

static void write_cb(struct bufferevent *b, void *arg)
{
	struct conn *c = arg;
	struct bufferevent *o = partner(c, b);

	c->last_ms = gw_now_ms();
	if (c->closing) {
		if (evbuffer_get_length(bufferevent_get_output(b)) == 0)
			conn_free(c);
		return;
	}
	if (o != NULL && !reading(c, o))
		set_reading(c, o, true);
}

static void peer_closed(struct conn *c, struct bufferevent *b, short what)
{
	struct bufferevent *o = partner(c, b);

	if (what & BEV_EVENT_ERROR) {
		unsigned long e = b == c->in || c->up_read == NULL ?
			bufferevent_get_openssl_error(b) : 0;
		char label[96];
		label_from(e ? ERR_reason_error_string(e) : evutil_socket_error_to_string(
			EVUTIL_SOCKET_ERROR()), label, sizeof(label));
		set_reason(c, "ok", "%s_error_%s", b == c->in ? "client" : "upstream", label);
	} else if (what & BEV_EVENT_EOF) {
		set_reason(c, "ok", "%s_closed", b == c->in ? "client" : "upstream");
	}
	if (o == NULL || c->closing) {
		conn_free(c);
		return;
	}
	/* Flush what is left towards the partner, then close (le-proxy). */
	read_cb(b, c);
	c->closing = true;
	set_reading(c, b, false);
	bufferevent_disable(b, EV_READ | EV_WRITE);
	if (evbuffer_get_length(bufferevent_get_output(o)) == 0) {
		conn_free(c);
		return;
	}
	set_reading(c, o, false);
	bufferevent_setwatermark(o, EV_WRITE, 0, 0);
}

static void proxy_event_cb(struct bufferevent *b, short what, void *arg)
{
	struct conn *c = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		peer_closed(c, b, what);
}

static void idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	int64_t idle = gw_now_ms() - c->last_ms, limit = c->cfg->limits.idle_timeout_ms;

	(void)fd; (void)what;
	if (idle >= limit) {
		set_reason(c, "idle_timeout", "idle_%lldms", (long long)idle);
		conn_free(c);
		return;
	}
	struct timeval tv = tv_ms((unsigned)(limit - idle));
	evtimer_add(c->idle_timer, &tv);
}

static void start_proxy(struct conn *c)
{
	size_t cap = c->cfg->limits.buffer_size;

	c->established = true;
	c->last_ms = gw_now_ms();
	bufferevent_setcb(c->in, read_cb, write_cb, proxy_event_cb, c);
	bufferevent_setcb(c->out, read_cb, write_cb, proxy_event_cb, c);
	bufferevent_setwatermark(c->in, EV_READ, 0, cap);
	bufferevent_setwatermark(c->out, EV_READ, 0, cap);
	bufferevent_set_max_single_read(c->in, cap);
	bufferevent_set_max_single_read(c->out, cap);
	bufferevent_set_max_single_write(c->in, cap);
	bufferevent_set_max_single_write(c->out, cap);
	bufferevent_setwatermark(c->in, EV_WRITE, cap / 2, 0);
	bufferevent_setwatermark(c->out, EV_WRITE, cap / 2, 0);
	bufferevent_enable(c->in, EV_READ | EV_WRITE);
	if (bufferevent_openssl_get_ssl(c->out) == NULL) {
		c->up_read = event_new(c->w->base, bufferevent_getfd(c->out), EV_READ | EV_PERSIST,
			up_read_cb, c);
		if (c->up_read == NULL) {
			set_reason(c, "internal", "event_new");
			conn_free(c);
			return;
		}
		bufferevent_enable(c->out, EV_WRITE);
		event_add(c->up_read, NULL);
	} else {
		bufferevent_enable(c->out, EV_READ | EV_WRITE);
	}
	if ((c->idle_timer = evtimer_new(c->w->base, idle_cb, c)) != NULL) {
		struct timeval tv = tv_ms(c->cfg->limits.idle_timeout_ms);
		evtimer_add(c->idle_timer, &tv);
	}
	if (evbuffer_get_length(bufferevent_get_input(c->in)) > 0)
		read_cb(c->in, c);
}

/* ---- upstream --------------------------------------------------------------- */

static struct gw_backoff *backoff_slot(struct gw_runtime *rt, const char *route, bool create)
{
	for (size_t i = 0; i < rt->n_backoff; i++)
		if (strcmp(rt->backoff[i].route, route) == 0)
			return &rt->backoff[i];
	if (!create || rt->n_backoff >= sizeof(rt->backoff) / sizeof(rt->backoff[0]))
		return NULL;
	struct gw_backoff *b = &rt->backoff[rt->n_backoff++];
	memset(b, 0, sizeof(*b));
	snprintf(b->route, sizeof(b->route), "%s", route);
	return b;
}

static void upstream_failed(struct conn *c, const char *label, const char *detail)
{
	struct gw_backoff *b;

	pthread_mutex_lock(&c->rt->lock);
	if ((b = backoff_slot(c->rt, c->route->name, true)) != NULL) {
		unsigned max = c->cfg->limits.backoff_max_ms;
		b->delay_ms = b->delay_ms == 0 ? 250 : (b->delay_ms * 2 > max ? max : b->delay_ms * 2);
		b->until_ms = gw_now_ms() + b->delay_ms;
	}
	pthread_mutex_unlock(&c->rt->lock);
	gw_metrics_add(c->rt->metrics, "eku_gateway_upstream_failures_total", 1, "route",
		c->route->name, "reason", label, NULL, NULL);
	set_reason(c, "upstream_failed", "%s%s%s", label, detail ? ":" : "", detail ? detail : "");
	conn_free(c);
}

static void upstream_ok(struct conn *c)
{
	struct gw_backoff *b;

	pthread_mutex_lock(&c->rt->lock);
	if ((b = backoff_slot(c->rt, c->route->name, false)) != NULL)
		b->delay_ms = 0, b->until_ms = 0;
	pthread_mutex_unlock(&c->rt->lock);
	start_proxy(c);
}

static void out_event_cb(struct bufferevent *b, short what, void *arg)
{
	struct conn *c = arg;
	char label[96];

	if (what & BEV_EVENT_CONNECTED) {
		upstream_ok(c);
		return;
	}
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
		SSL *ssl = bufferevent_openssl_get_ssl(b);
		long vr = ssl != NULL ? SSL_get_verify_result(ssl) : X509_V_OK;
		unsigned long e = bufferevent_get_openssl_error(b);
		if (vr != X509_V_OK)
			label_from(X509_verify_cert_error_string(vr), label, sizeof(label));
		else
			label_from(e ? ERR_reason_error_string(e) : "connection closed", label,
				sizeof(label));
		upstream_failed(c, "tls", label);
	}
}

static void fill_proxy_info(struct conn *c, struct gw_proxy_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->src = c->peer_addr;
	pi->dst = c->local;
	pi->authority = SSL_get_servername(c->in_ssl, TLSEXT_NAMETYPE_host_name);
	pi->tls = true;
	pi->tls_version = SSL_get_version(c->in_ssl);
	pi->cipher = SSL_get_cipher_name(c->in_ssl);
	gw_proxy_info_set_peer(pi, &c->peer, c->route->policy, SSL_session_reused(c->in_ssl) == 1);
}

static int send_proxy_header(struct conn *c)
{
	struct gw_proxy_info pi;
	uint8_t buf[GW_PP2_MAX];
	int n;

	fill_proxy_info(c, &pi);
	n = gw_proxy_v2_write(&pi, buf, sizeof(buf));
	/* A fresh socket's send buffer holds far more than GW_PP2_MAX bytes. */
	return n > 0 && send(c->up_fd, buf, (size_t)n, MSG_NOSIGNAL) == n ? 0 : -1;
}

static void connected_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	const struct gw_route *r = c->route;
	int err = 0;
	socklen_t len = sizeof(err);

	if (what & EV_TIMEOUT) {
		upstream_failed(c, "connect_timeout", r->up.addr.text);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
		char label[96];
		label_from(strerror(err ? err : errno), label, sizeof(label));
		upstream_failed(c, "connect", label);
		return;
	}
	if (r->up.proxy_protocol && send_proxy_header(c) != 0) {
		upstream_failed(c, "proxy_header", NULL);
		return;
	}
	if (!r->up.tls) {
		c->out = bufferevent_socket_new(c->w->base, fd, BEV_OPT_CLOSE_ON_FREE);
		if (c->out == NULL) {
			upstream_failed(c, "internal", NULL);
			return;
		}
		c->up_fd = -1;
		upstream_ok(c);
		return;
	}
	SSL *ssl = SSL_new(r->out_ctx);
	const char *name = r->up.name != NULL ? r->up.name : r->up.host;
	if (ssl == NULL) {
		upstream_failed(c, "internal", NULL);
		return;
	}
	SSL_set_tlsext_host_name(ssl, name);
	SSL_set1_host(ssl, name);
	c->out = bufferevent_openssl_socket_new(c->w->base, fd, ssl, BUFFEREVENT_SSL_CONNECTING,
		BEV_OPT_CLOSE_ON_FREE);
	if (c->out == NULL) {
		SSL_free(ssl);
		upstream_failed(c, "internal", NULL);
		return;
	}
	c->up_fd = -1;
	bufferevent_openssl_set_allow_dirty_shutdown(c->out, 1);
	bufferevent_setcb(c->out, NULL, NULL, out_event_cb, c);
	bufferevent_enable(c->out, EV_READ | EV_WRITE);
	struct timeval tv = tv_ms(c->cfg->limits.handshake_timeout_ms);
	bufferevent_set_timeouts(c->out, &tv, &tv);
}

static void connect_upstream(struct conn *c)
{
	const struct gw_route *r = c->route;
	struct gw_backoff *b;
	struct timeval tv = tv_ms(c->cfg->limits.connect_timeout_ms);
	unsigned delay = 0;
	bool down;
	int one = 1;

	pthread_mutex_lock(&c->rt->lock);
	b = backoff_slot(c->rt, r->name, false);
	if ((down = b != NULL && b->until_ms > gw_now_ms()))
		delay = b->delay_ms;
	pthread_mutex_unlock(&c->rt->lock);
	if (down) {
		/* Fail fast while the upstream is known down; retried after backoff. */
		gw_metrics_add(c->rt->metrics, "eku_gateway_upstream_failures_total", 1, "route",
			r->name, "reason", "backoff", NULL, NULL);
		set_reason(c, "upstream_failed", "backoff_%ums", delay);
		conn_free(c);
		return;
	}
	c->up_fd = socket(r->up.addr.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->up_fd < 0) {
		upstream_failed(c, "socket", strerror(errno));
		return;
	}
	setsockopt(c->up_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->up_fd, (const struct sockaddr *)&r->up.addr.ss, r->up.addr.len) != 0 &&
	    errno != EINPROGRESS) {
		char label[96];
		label_from(strerror(errno), label, sizeof(label));
		upstream_failed(c, "connect", label);
		return;
	}
	c->connect_ev = event_new(c->w->base, c->up_fd, EV_WRITE, connected_cb, c);
	if (c->connect_ev == NULL || event_add(c->connect_ev, &tv) != 0)
		upstream_failed(c, "internal", NULL);
}

/* ---- inbound handshake ----------------------------------------------------- */

static void in_event_cb(struct bufferevent *b, short what, void *arg)
{
	struct conn *c = arg;

	if (what & BEV_EVENT_CONNECTED) {
		X509 *leaf = SSL_get0_peer_certificate(c->in_ssl);
		evtimer_del(c->hs_timer);
		account_peer(c, leaf);
		bufferevent_disable(b, EV_READ);   /* until the upstream is ready */
		bufferevent_setwatermark(b, EV_READ, 0, c->cfg->limits.buffer_size);
		connect_upstream(c);
		return;
	}
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
		unsigned long e = bufferevent_get_openssl_error(b);
		handshake_failed(c, e ? ERR_reason_error_string(e) :
			(what & BEV_EVENT_EOF) ? "client_closed" : "socket_error");
	}
}

static void hs_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd; (void)what;
	handshake_failed(c, "handshake_timeout");
}

void gw_conn_accept(struct gw_runtime *rt, const char *listen_addr, evutil_socket_t fd,
	struct sockaddr *sa, int salen)
{
	const struct gw_route *r = gw_config_route_for_addr(rt->cfg, listen_addr);
	struct gw_handoff *h = NULL;
	bool draining = atomic_load(&rt->draining);

	/* Only the main loop adds to active, so the check below is exact. */
	if (r == NULL || draining || atomic_load(&rt->active) >= rt->cfg->limits.max_connections) {
		if (r != NULL)
			gw_metrics_add(rt->metrics, "eku_gateway_connections_total", 1, "route",
				r->name, "result", draining ? "draining" : "over_limit", NULL, NULL);
		evutil_closesocket(fd);
		return;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	atomic_fetch_add(&rt->active, 1);
	h->fd = fd;
	memcpy(&h->sa, sa, (size_t)salen < sizeof(h->sa) ? (size_t)salen : sizeof(h->sa));
	h->salen = salen;
	h->cfg = gw_config_up_ref(rt->cfg);
	h->route = r;
	h->id = ++rt->next_id;
	if (rt->n_workers == 1)
		gw_conn_start(&rt->workers[0], h);
	else
		gw_worker_hand(&rt->workers[rt->next_worker++ % rt->n_workers], h);
}

void gw_handoff_drop(struct gw_runtime *rt, struct gw_handoff *h)
{
	evutil_closesocket(h->fd);
	gw_config_free(h->cfg);
	free(h);
	atomic_fetch_sub(&rt->active, 1);
}

void gw_conn_start(struct gw_worker *w, struct gw_handoff *h)
{
	struct gw_runtime *rt = w->rt;
	const struct gw_route *r = h->route;
	evutil_socket_t fd = h->fd;
	struct conn *c = NULL;
	socklen_t llen = sizeof(struct sockaddr_storage);
	int one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		gw_handoff_drop(rt, h);
		return;
	}
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	c->rt = rt;
	c->w = w;
	c->cfg = h->cfg;
	c->route = r;
	c->id = h->id;
	c->up_fd = -1;
	c->start_ms = c->last_ms = gw_now_ms();
	memcpy(&c->peer_addr, &h->sa, sizeof(c->peer_addr));
	free(h);
	getsockname(fd, (struct sockaddr *)&c->local, &llen);
	addr_text(&c->peer_addr, c->peer_text, sizeof(c->peer_text));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->in_ssl = SSL_new(r->in_ctx);
	if (c->in_ssl == NULL) {
		evutil_closesocket(fd);
		set_reason(c, "internal", "ssl_new");
		conn_free(c);
		return;
	}
	c->in = bufferevent_openssl_socket_new(w->base, fd, c->in_ssl, BUFFEREVENT_SSL_ACCEPTING,
		BEV_OPT_CLOSE_ON_FREE);
	if (c->in == NULL) {
		evutil_closesocket(fd);
		set_reason(c, "internal", "bufferevent");
		conn_free(c);
		return;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(c->in, 1);
	bufferevent_setcb(c->in, NULL, NULL, in_event_cb, c);
	bufferevent_enable(c->in, EV_READ | EV_WRITE);
	c->hs_timer = evtimer_new(w->base, hs_timeout_cb, c);
	struct timeval tv = tv_ms(c->cfg->limits.handshake_timeout_ms);
	if (c->hs_timer != NULL)
		evtimer_add(c->hs_timer, &tv);
}

void gw_conn_cut_all(struct gw_worker *w)
{
	while (w->conns != NULL) {
		struct conn *c = w->conns;
		set_reason(c, "drain_cut", "drain_deadline");
		conn_free(c);
	}
}

/* Observe mode: one record per distinct certificate per route. */
void gw_observe(struct gw_runtime *rt, const struct gw_config *cfg, const char *route,
	const struct gw_peer_result *p)
{
	struct gw_observed *o = NULL;
	char na[24], subject[640], reason[400];   /* escaped, as in log_conn */

	pthread_mutex_lock(&rt->lock);

	for (size_t i = 0; i < rt->n_observed; i++)
		if (strcmp(rt->observed[i].sha256, p->sha256_hex) == 0 &&
		    strcmp(rt->observed[i].route, route) == 0)
			o = &rt->observed[i];
	if (o == NULL) {
		size_t slot = rt->n_observed < GW_OBSERVED_MAX ? rt->n_observed++ : GW_OBSERVED_MAX - 1;
		o = &rt->observed[slot];
		memset(o, 0, sizeof(*o));
		snprintf(o->route, sizeof(o->route), "%s", route);
		snprintf(o->sha256, sizeof(o->sha256), "%s", p->sha256_hex);
		snprintf(o->subject, sizeof(o->subject), "%s", p->subject);
		o->eku_class = p->eku_class;
		o->issuer_class = p->issuer_class;
		o->not_after = p->not_after;
		memcpy(o->fails_under, p->fails_under, sizeof(o->fails_under));
		snprintf(o->reason, sizeof(o->reason), "%s", p->reason);
		const struct gw_route *r = gw_config_route_for_name(cfg, route);
		if (r != NULL && r->observe)
			gw_runtime_logf(rt, "event=observe route=%s subject=\"%s\" sha256=%s "
				"eku_class=%s issuer_class=%s not_after=%s enforce=%s "
				"ignore-client-eku=%s permissive=%s reason=\"%s\"", route,
				eku_utf8_escape(p->subject, subject, sizeof(subject)),
				p->sha256_hex, eku_eku_class_name(p->eku_class),
				eku_issuer_class_name(p->issuer_class),
				eku_time_iso(p->not_after, na, sizeof(na)),
				p->fails_under[EKU_VERIFY_ENFORCE] ? "fail" : "pass",
				p->fails_under[EKU_VERIFY_IGNORE_CLIENT_EKU] ? "fail" : "pass",
				p->fails_under[EKU_VERIFY_PERMISSIVE] ? "fail" : "pass",
				eku_utf8_escape(p->reason, reason, sizeof(reason)));
	}
	o->count++;
	o->last_seen = (int64_t)time(NULL);
	pthread_mutex_unlock(&rt->lock);
}
