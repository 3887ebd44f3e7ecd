/* The probe engine: one libevent loop per worker thread (one by default), each
 * taking targets from a shared queue, a bounded number of targets in flight,
 * each target a sequence of attempts (one without a client certificate, then
 * one per candidate), each attempt a connection driven through a phase table
 * (resolve, connect, STARTTLS, TLS handshake, settle, application probe).
 *
 * Deciding "required": without a certificate a TLS 1.2 server that insists
 * fails the handshake with an alert (RFC 5246 7.4.6); a TLS 1.3 client
 * finishes its side before the server reads its (empty) Certificate, so the
 * alert (certificate_required, RFC 8446 4.4.2.4) arrives after the handshake:
 * the "settle" phase reads until that alert, a NewSessionTicket (the server
 * accepted our Finished, RFC 8446 4.6.1), data, or a short window. Servers
 * that judge the certificate in the application (nginx answers HTTP 400) are
 * asked once over HTTP.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "probe_int.h"
#include "starttls.h"

enum phase { PH_RESOLVE, PH_CONNECT, PH_STARTTLS, PH_HANDSHAKE, PH_SETTLE, PH_APP_SEND, PH_APP_RECV,
	PH__COUNT };

enum outcome { OUT_NO_REQUEST, OUT_ACCEPTED, OUT_REJECTED, OUT_ERROR };

struct job;
struct phase_ops {
	const char *name;                    /* for timeout messages */
	void (*io)(struct job *j, short what);
	void (*timeout)(struct job *j);
};

/* What one attempt observed (message callback and reads). */
struct observed {
	bool certreq, tls13, ticket, alert_in, eof;
	bool app_answered;                   /* the application probe got a reply */
	uint8_t alert;
	char detail[200];
};

struct worker;
struct job {
	struct worker *w;
	struct eku_probe_result res;
	struct sockaddr_storage addr;        /* the address being (or last) connected to */
	socklen_t addrlen;
	struct probe_addr *addrs;            /* every resolved one, in the order tried */
	size_t n_addrs, addr_i;
	size_t attempt;                      /* 0: no certificate; k: candidate k-1 */
	enum phase phase;
	int fd;
	struct event *ev;                    /* socket readiness + phase deadline */
	struct event *ev_total;
	struct event *ev_kick;               /* deferred steps: never finish re-entrantly */
	struct evdns_getaddrinfo_request *dns_req;
	bool dns_pending;
	int dns_error;
	uint64_t started, deadline;          /* monotonic ms */
	SSL *ssl;
	struct starttls st;
	uint8_t *buf;                        /* plaintext replies, grown to ST_MAX_REPLY */
	size_t len, cap;
	char out[2048];
	size_t outlen, outoff;
	struct observed ob;
	bool alpn_offered, no_alpn;          /* no_alpn: the server refused ours */
};

/* One thread's share of a run: its own event loop and resolver (libevent
 * objects are never touched by two threads), at most `concurrency` jobs. */
struct worker {
	eku_probe *p;
	struct event_base *base;
	struct evdns_base *dns;
	unsigned concurrency;
	size_t active;
	size_t held;                         /* taken from the queue, job not created yet */
	bool have_held;
	pthread_t tid;
	bool thread;                         /* tid is a thread to join */
};

/* Shared by the workers: the target queue (next), the counters and the
 * callbacks, all under lock; the TLS contexts are read-only during a run. */
struct eku_probe {
	const eku_probe_config *cfg;
	eku_error err;
	struct eku_target *targets;
	size_t n, cap;
	pthread_mutex_t lock;
	size_t next, done, active;
	SSL_CTX *ctx0;
	SSL_CTX **cctx;
	struct worker *workers;
	unsigned n_workers;
	eku_probe_result_cb cb;
	void *cb_arg;
	eku_probe_progress_cb pcb;
	void *pcb_arg;
};

static const struct phase_ops phases[PH__COUNT];
static void io_cb(evutil_socket_t fd, short what, void *arg);
static void attempt_end(struct job *j, enum outcome o, enum eku_probe_errclass cls, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void start_more(struct worker *w);

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- helpers ---------------------------------------------------------------- */

static void arm(struct job *j, short what, uint64_t deadline)
{
	uint64_t now = now_ms(), d = deadline;
	struct timeval tv;

	event_del(j->ev);
	event_assign(j->ev, j->w->base, j->fd, what, io_cb, j);
	d = d > now ? d - now : 0;
	tv.tv_sec = (time_t)(d / 1000);
	tv.tv_usec = (suseconds_t)(d % 1000) * 1000;
	event_add(j->ev, &tv);
}

static void kick(struct job *j)
{
	event_active(j->ev_kick, EV_TIMEOUT, 0);
}

/* Free space in the reply buffer, growing it (4 KiB, doubling, up to
 * ST_MAX_REPLY) so thousands of idle targets cost little memory. */
static size_t buf_room(struct job *j)
{
	size_t cap;
	uint8_t *b;

	if (j->len == j->cap && j->cap < ST_MAX_REPLY) {
		cap = j->cap ? j->cap * 2 : 4096;
		if (cap > ST_MAX_REPLY)
			cap = ST_MAX_REPLY;
		if ((b = realloc(j->buf, cap)) != NULL) {
			j->buf = b;
			j->cap = cap;
		}
	}
	return j->cap - j->len;
}

static const eku_probe_config *cfg_of(const struct job *j) { return j->w->p->cfg; }

static bool has_app_probe(const struct job *j)
{
	enum eku_proto pr = j->res.proto;

	return pr == EKU_PROTO_SIP || ((pr == EKU_PROTO_HTTPS || pr == EKU_PROTO_POSTGRES) && cfg_of(j)->detect);
}

static void set_banner(struct job *j, const char *b)
{
	if (b[0] == '\0' || j->res.banner != NULL)
		return;
	j->res.banner = strdup(b);
}

static void close_conn(struct job *j)
{
	event_del(j->ev);
	SSL_free(j->ssl);
	j->ssl = NULL;
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	j->len = 0;
	j->outlen = j->outoff = 0;
}

static char *addr_string(const struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN], out[INET6_ADDRSTRLEN + 16];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(out, sizeof(out), "[%s]:%u", host, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(out, sizeof(out), "%s:%u", host, ntohs(s4->sin_port));
	}
	return strdup(out);
}

/* First queued OpenSSL reason, with a hint for the classic plain-text case. */
static void ssl_reason(char *out, size_t cap)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	if (r == NULL)
		r = "handshake failed";
	snprintf(out, cap, "%s%s", r,
		(strstr(r, "wrong version number") || strstr(r, "packet length too long") ||
		 strstr(r, "record layer failure")) ? " (a plain-text service on a TLS port?)" : "");
	ERR_clear_error();
}

/* ---- TLS observation ---------------------------------------------------------- */

static void on_certreq(struct job *j, const uint8_t *body, size_t len)
{
	struct eku_certreq cr;
	char *s;

	j->ob.certreq = true;
	if (j->attempt != 0 || j->res.cert_request)
		return;
	j->res.cert_request = true;
	if (eku_certreq_parse(body, len, j->ob.tls13, &cr) != 0)
		return; /* malformed list: the request itself still counts */
	for (size_t i = 0; i < cr.n_names; i++) {
		const unsigned char *p = cr.name[i];
		X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)cr.name_len[i]);
		BIO *b = BIO_new(BIO_s_mem());
		if (n != NULL && b != NULL && X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
		    BIO_write(b, "", 1) == 1 && BIO_get_mem_data(b, &s) > 0) {
			if (eku_strv_push(&j->res.acceptable_cas, s) == 0 &&
			    probe_config_is_public_name(cfg_of(j), n)) {
				j->res.accepts_public_client_certs = true;
				(void)!eku_strv_push(&j->res.public_cas, s); /* evidence only */
			}
		}
		BIO_free(b);
		X509_NAME_free(n);
	}
	ERR_clear_error();
}

static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
	void *arg)
{
	struct job *j = arg;
	const uint8_t *b = buf;

	if (write_p)
		return;
	if (content_type == SSL3_RT_ALERT && len == 2 && (b[0] == 2 || b[1] != 0)) {
		j->ob.alert_in = true;
		j->ob.alert = b[1];
	}
	if (content_type != SSL3_RT_HANDSHAKE || len < 4)
		return;
	j->ob.tls13 = SSL_version(ssl) == TLS1_3_VERSION;
	if (b[0] == SSL3_MT_CERTIFICATE_REQUEST)
		on_certreq(j, b + 4, len - 4);
	else if (b[0] == SSL3_MT_NEWSESSION_TICKET && j->ob.tls13)
		j->ob.ticket = true;
}

static const char *alert_name(const struct job *j)
{
	return j->ob.alert_in ? eku_tls_alert_name(j->ob.alert) : NULL;
}

/* Version, cipher and chain, from the first attempt (also after a failed
 * TLS 1.2 handshake: the server's messages were already processed). */
static void capture_session(struct job *j)
{
	STACK_OF(X509) *sk;
	const SSL_CIPHER *c;
	eku_error err = { 0 };

	if (j->attempt != 0 || j->res.tls_version != NULL || j->ssl == NULL)
		return;
	sk = SSL_get_peer_cert_chain(j->ssl);
	if (sk == NULL || sk_X509_num(sk) == 0)
		return;
	j->res.tls_version = strdup(SSL_get_version(j->ssl));
	c = SSL_get_current_cipher(j->ssl);
	if (c == NULL)
		c = SSL_get_pending_cipher(j->ssl);
	if (c != NULL)
		j->res.cipher = strdup(SSL_CIPHER_standard_name(c) ? SSL_CIPHER_standard_name(c) : SSL_CIPHER_get_name(c));
	for (int i = 0; i < sk_X509_num(sk); i++) {
		eku_cert *ec = eku_cert_new_x509(sk_X509_value(sk, i), j->res.target->spec, i + 1, 0, &err);
		if (ec == NULL)
			break;
		eku_cert_set_container(ec, "TLS");
		if (eku_certlist_push0(j->res.chain, ec) != 0)
			break;
	}
}

/* ---- phases ---------------------------------------------------------------- */

static void fail_timeout(struct job *j)
{
	attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_TIMEOUT, "%s: no answer in time", phases[j->phase].name);
}

static void begin_handshake(struct job *j);
static void after_settle(struct job *j);
static void connect_start(struct job *j);
static const char *sni_of(const struct job *j);

/* The first attempt moves on to the next address after a connect failure
 * or timeout (sequential fallback, RFC 8305 4 order: no parallel attempts);
 * dry runs reuse the address that answered. */
static void connect_failed(struct job *j, enum eku_probe_errclass cls, const char *why)
{
	char line[INET6_ADDRSTRLEN + 300];

	if (j->attempt != 0 || j->addr_i + 1 >= j->n_addrs) {
		attempt_end(j, OUT_ERROR, cls, "connect: %s", why);
		return;
	}
	snprintf(line, sizeof(line), "%s: %s", j->res.address ? j->res.address : "?", why);
	(void)!eku_strv_push(&j->res.failed_addresses, line); /* evidence only */
	close_conn(j);
	j->addr_i++;
	memcpy(&j->addr, &j->addrs[j->addr_i].ss, sizeof(j->addr));
	j->addrlen = j->addrs[j->addr_i].len;
	j->phase = PH_CONNECT;
	kick(j);
}

static void connect_timeout(struct job *j)
{
	connect_failed(j, EKU_PROBE_ERR_TIMEOUT, "no answer in time");
}

static void connect_start(struct job *j)
{
	int one = 1;

	j->phase = PH_CONNECT;
	if (j->attempt == 0) {
		free(j->res.address);
		j->res.address = addr_string(&j->addr);
	}
	j->fd = socket(j->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (j->fd < 0) {
		/* EAFNOSUPPORT on a host without IPv6: another address may do. */
		connect_failed(j, EKU_PROBE_ERR_INTERNAL, strerror(errno));
		return;
	}
	setsockopt(j->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(j->fd, (struct sockaddr *)&j->addr, j->addrlen) != 0 && errno != EINPROGRESS) {
		connect_failed(j, EKU_PROBE_ERR_REFUSED, strerror(errno));
		return;
	}
	arm(j, EV_WRITE, now_ms() + cfg_of(j)->connect_ms);
}

static void send_pending(struct job *j)
{
	ssize_t n;

	while (j->outoff < j->outlen) {
		n = send(j->fd, j->out + j->outoff, j->outlen - j->outoff, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_STARTTLS, "send: %s", strerror(errno));
			return;
		}
		j->outoff += (size_t)n;
	}
	arm(j, j->outoff < j->outlen ? EV_WRITE : EV_READ, j->deadline);
}

static void starttls_next_request(struct job *j)
{
	int n = starttls_request(&j->st, j->out, sizeof(j->out));

	if (n < 0) {
		attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_INTERNAL, "STARTTLS request too long");
		return;
	}
	j->outlen = (size_t)n;
	j->outoff = 0;
	send_pending(j);
}

static void io_connect(struct job *j, short what)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(j->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0) {
		connect_failed(j, EKU_PROBE_ERR_REFUSED, strerror(err));
		return;
	}
	j->deadline = now_ms() + cfg_of(j)->handshake_ms;
	if (!starttls_needed(j->res.proto)) {
		begin_handshake(j);
		return;
	}
	j->phase = PH_STARTTLS;
	starttls_init(&j->st, j->res.proto,
		cfg_of(j)->xmpp_to ? cfg_of(j)->xmpp_to : (sni_of(j) ? sni_of(j) : j->res.target->host),
		cfg_of(j)->xmpp_from ? cfg_of(j)->xmpp_from :
			(j->res.proto == EKU_PROTO_XMPP_SERVER ? "eku-scan.invalid" : NULL));
	starttls_next_request(j);
}

/* Feeds what was read; advances steps; starts TLS when the dialogue ends. */
static void starttls_consume(struct job *j)
{
	size_t used;
	enum st_verdict v;

	for (;;) {
		v = starttls_feed(&j->st, j->buf, j->len, &used);
		if (v == ST_MORE) {
			arm(j, EV_READ, j->deadline);
			return;
		}
		if (v != ST_NEXT) {
			attempt_end(j, OUT_ERROR, v == ST_FAIL_PROTOCOL ? EKU_PROBE_ERR_PROTOCOL :
				EKU_PROBE_ERR_STARTTLS, "%s: %s", eku_proto_name(j->res.proto), j->st.message);
			return;
		}
		set_banner(j, j->st.banner);
		memmove(j->buf, j->buf + used, j->len - used);
		j->len -= used;
		if (starttls_done(&j->st))
			break;
		if (starttls_request(&j->st, j->out, 0) != 0 || j->len == 0) {
			starttls_next_request(j);
			return;
		}
	}
	if (j->len > 0) {
		/* Bytes after the go-ahead would be read as TLS (CVE-2011-0411 style injection). */
		attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_PROTOCOL, "%s: unexpected data after the STARTTLS reply",
			eku_proto_name(j->res.proto));
		return;
	}
	begin_handshake(j);
}

static void io_starttls(struct job *j, short what)
{
	ssize_t n;

	if (what & EV_WRITE) {
		send_pending(j);
		return;
	}
	if (buf_room(j) == 0) {
		attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_INTERNAL, "out of memory");
		return;
	}
	n = recv(j->fd, j->buf + j->len, buf_room(j), 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		arm(j, EV_READ, j->deadline);
		return;
	}
	if (n <= 0) {
		attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_STARTTLS, "%s: connection closed during STARTTLS%s%s",
			eku_proto_name(j->res.proto), n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
		return;
	}
	j->len += (size_t)n;
	starttls_consume(j);
}

/* Arms for what OpenSSL wants; returns true when it wants I/O. */
static bool ssl_wait(struct job *j, int r, uint64_t deadline)
{
	int e = SSL_get_error(j->ssl, r);

	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		arm(j, e == SSL_ERROR_WANT_READ ? EV_READ : EV_WRITE, deadline);
		return true;
	}
	return false;
}

/* SNI: as given, else the host name; literal addresses carry none (RFC 6066 3). */
static const char *sni_of(const struct job *j)
{
	const struct eku_target *t = j->res.target;
	uint8_t tmp[16];

	if (t->sni != NULL)
		return t->sni;
	if (inet_pton(AF_INET, t->host, tmp) == 1 || inet_pton(AF_INET6, t->host, tmp) == 1)
		return NULL;
	return t->host;
}

/* ALPN (RFC 7301) "http/1.1": a server that selects it speaks HTTP, so a
 * direct-TLS target on any port gets the HTTP probe. Offered on direct TLS
 * whose protocol is unknown or HTTP; SIP and STARTTLS protocols are known. */
static const unsigned char alpn_http11[] = "\x08http/1.1";

static bool offers_alpn(const struct job *j)
{
	return !j->no_alpn && (j->res.proto == EKU_PROTO_TLS || j->res.proto == EKU_PROTO_HTTPS);
}

static void alpn_detect(struct job *j)
{
	const unsigned char *sel = NULL;
	unsigned int n = 0;

	SSL_get0_alpn_selected(j->ssl, &sel, &n);
	if (j->res.proto == EKU_PROTO_TLS && n == 8 && memcmp(sel, "http/1.1", 8) == 0)
		j->res.proto = EKU_PROTO_HTTPS;
}

static void begin_handshake(struct job *j)
{
	const eku_probe *p = j->w->p;
	SSL_CTX *ctx = j->attempt == 0 ? p->ctx0 : p->cctx[j->attempt - 1];

	memset(&j->ob, 0, sizeof(j->ob));
	j->phase = PH_HANDSHAKE;
	ERR_clear_error();
	if ((j->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(j->ssl, j->fd) != 1 ||
	    (sni_of(j) != NULL && SSL_set_tlsext_host_name(j->ssl, sni_of(j)) != 1)) {
		attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_INTERNAL, "cannot set up TLS");
		return;
	}
	SSL_set_msg_callback(j->ssl, msg_cb);
	SSL_set_msg_callback_arg(j->ssl, j);
	j->alpn_offered = offers_alpn(j);
	if (j->alpn_offered && SSL_set_alpn_protos(j->ssl, alpn_http11, sizeof(alpn_http11) - 1) != 0) {
		attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_INTERNAL, "cannot set up TLS");
		return;
	}
	SSL_set_connect_state(j->ssl);
	phases[PH_HANDSHAKE].io(j, EV_WRITE);
}

static void handshake_failed(struct job *j)
{
	char why[200];

	ssl_reason(why, sizeof(why));
	if (j->alpn_offered && j->ob.alert_in && j->ob.alert == 120) {
		/* no_application_protocol (RFC 7301 3.2): a server with its own ALPN
		 * list (h2 only) refuses ours; try again without one. */
		close_conn(j);
		j->no_alpn = true;
		j->phase = PH_CONNECT;
		kick(j);
		return;
	}
	capture_session(j);
	if (j->ob.certreq) {
		/* The server asked for a certificate and then refused to go on. */
		snprintf(j->ob.detail, sizeof(j->ob.detail), "handshake failed: %.170s", why);
		attempt_end(j, OUT_REJECTED, EKU_PROBE_OK, NULL);
		return;
	}
	if (j->ob.alert_in)
		attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_TLS, "server sent alert %s (%s)",
			alert_name(j) ? alert_name(j) : "unknown", why);
	else
		attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_TLS, "TLS handshake failed: %s", why);
}

static void io_handshake(struct job *j, short what)
{
	int r;

	ERR_clear_error();
	r = SSL_do_handshake(j->ssl);
	if (r != 1) {
		if (!ssl_wait(j, r, j->deadline))
			handshake_failed(j);
		return;
	}
	capture_session(j);
	alpn_detect(j);
	if (!cfg_of(j)->detect && !has_app_probe(j)) {
		attempt_end(j, j->ob.certreq ? OUT_ACCEPTED : OUT_NO_REQUEST, EKU_PROBE_OK, NULL);
		return;
	}
	if (j->ob.certreq && j->ob.tls13 && cfg_of(j)->detect) {
		j->phase = PH_SETTLE;
		phases[PH_SETTLE].io(j, EV_READ);
		return;
	}
	after_settle(j);
}

/* Reads after a TLS 1.3 handshake until the server shows its hand. */
static void io_settle(struct job *j, short what)
{
	uint8_t tmp[4096];
	int r, e;

	ERR_clear_error();
	r = SSL_read(j->ssl, tmp, sizeof(tmp));
	if (r > 0) {
		after_settle(j); /* data: the server carried on */
		return;
	}
	e = SSL_get_error(j->ssl, r);
	if (e == SSL_ERROR_WANT_READ && !j->ob.ticket) {
		arm(j, EV_READ, now_ms() + cfg_of(j)->post_ms);
		return;
	}
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		after_settle(j);
		return;
	}
	ERR_clear_error();
	if (!j->ob.alert_in) {
		/* A close without a fatal alert is the application hanging up (a
		 * proxy whose backend is down), not a verdict on the certificate. */
		snprintf(j->ob.detail, sizeof(j->ob.detail), "connection closed after the handshake without an alert");
		attempt_end(j, OUT_ACCEPTED, EKU_PROBE_OK, NULL);
		return;
	}
	snprintf(j->ob.detail, sizeof(j->ob.detail), "alert after the handshake");
	attempt_end(j, OUT_REJECTED, EKU_PROBE_OK, NULL);
}

static void settle_timeout(struct job *j)
{
	after_settle(j); /* no alert within the window: not rejected */
}

/* clientcert=verify-full and "cert" compare the certificate's CN with the
 * user name, so a candidate connects as its CN; without one, "eku-scan". */
static void pg_user(const struct job *j, char *out, size_t cap)
{
	X509 *x = j->attempt > 0 ? cfg_of(j)->cand[j->attempt - 1].cert : NULL;

	if (x == NULL || X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, out, (int)cap) <= 0)
		snprintf(out, cap, "eku-scan");
}

static void after_settle(struct job *j)
{
	int n;
	char user[64];

	if (!has_app_probe(j)) {
		attempt_end(j, j->ob.certreq ? OUT_ACCEPTED : OUT_NO_REQUEST, EKU_PROBE_OK, NULL);
		return;
	}
	pg_user(j, user, sizeof(user));
	n = j->res.proto == EKU_PROTO_POSTGRES ? app_pg_startup(user, j->out, sizeof(j->out)) :
		app_request(j->res.proto, sni_of(j) ? sni_of(j) : j->res.target->host,
			j->res.target->port, j->out, sizeof(j->out));
	if (n < 0) {
		attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_INTERNAL, "request too long");
		return;
	}
	j->outlen = (size_t)n;
	j->len = 0;
	j->phase = PH_APP_SEND;
	phases[PH_APP_SEND].io(j, EV_WRITE);
}

static void io_app_send(struct job *j, short what)
{
	int r;

	ERR_clear_error();
	r = SSL_write(j->ssl, j->out, (int)j->outlen);
	if (r > 0) {
		j->phase = PH_APP_RECV;
		arm(j, EV_READ, j->deadline);
		return;
	}
	if (ssl_wait(j, r, j->deadline))
		return;
	ERR_clear_error();
	if (j->ob.certreq) {
		snprintf(j->ob.detail, sizeof(j->ob.detail), "connection closed after the handshake");
		attempt_end(j, OUT_REJECTED, EKU_PROBE_OK, NULL);
	} else {
		attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_PROTOCOL, "%s: connection closed before the request",
			eku_proto_name(j->res.proto));
	}
}

/* nginx reports certificate problems as HTTP 400 (495/496 inside). */
static bool http_cert_rejection(const struct app_reply *a)
{
	return (a->status == 400 || a->status == 495 || a->status == 496) &&
	       strcasestr(a->reason, "certificate") != NULL;
}

/* PostgreSQL names certificate problems in its FATAL message ("connection
 * requires a valid client certificate", "certificate authentication failed
 * for user ...", "certificate validation (clientcert=verify-full) failed"). */
static bool pg_cert_rejection(const struct app_reply *a)
{
	return a->status == 'E' && strcasestr(a->reason, "certificate") != NULL;
}

/* Returns true when the attempt ended (j may be gone). */
static bool app_decide(struct job *j, bool eof)
{
	struct app_reply a;
	enum st_verdict v = app_reply_parse(j->res.proto, j->buf, j->len, eof, &a);
	enum outcome o = j->ob.certreq ? OUT_ACCEPTED : OUT_NO_REQUEST;

	if (v == ST_MORE && !eof)
		return false;
	if (v == ST_NEXT) {
		j->ob.app_answered = true;
		set_banner(j, a.banner);
		if ((j->res.proto == EKU_PROTO_HTTPS && http_cert_rejection(&a)) ||
		    (j->res.proto == EKU_PROTO_POSTGRES && pg_cert_rejection(&a)))
			o = OUT_REJECTED;
		if (j->res.proto == EKU_PROTO_POSTGRES)
			snprintf(j->ob.detail, sizeof(j->ob.detail), "PostgreSQL: %.150s", a.reason);
		else
			snprintf(j->ob.detail, sizeof(j->ob.detail), "%s %d: %s",
				j->res.proto == EKU_PROTO_HTTPS ? "HTTP" : "SIP", a.status, a.reason);
	} else if (j->ob.alert_in && j->ob.certreq) {
		snprintf(j->ob.detail, sizeof(j->ob.detail), "alert after the request");
		o = OUT_REJECTED;
	} else {
		snprintf(j->ob.detail, sizeof(j->ob.detail), "no parsable %s response",
			eku_proto_name(j->res.proto));
	}
	attempt_end(j, o, EKU_PROBE_OK, NULL);
	return true;
}

static void io_app_recv(struct job *j, short what)
{
	int r, e;
	size_t room = buf_room(j);

	ERR_clear_error();
	r = room > 0 ? SSL_read(j->ssl, j->buf + j->len, (int)room) : 0;
	if (r > 0) {
		j->len += (size_t)r;
		if (!app_decide(j, j->len == ST_MAX_REPLY))
			arm(j, EV_READ, j->deadline);
		return;
	}
	e = room > 0 ? SSL_get_error(j->ssl, r) : SSL_ERROR_ZERO_RETURN;
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		arm(j, e == SSL_ERROR_WANT_READ ? EV_READ : EV_WRITE, j->deadline);
		return;
	}
	ERR_clear_error();
	(void)app_decide(j, true);
}

static void app_timeout(struct job *j)
{
	(void)app_decide(j, true);
}

static const struct phase_ops phases[PH__COUNT] = {
	[PH_RESOLVE] = { "resolve", NULL, fail_timeout },
	[PH_CONNECT] = { "connect", io_connect, connect_timeout },
	[PH_STARTTLS] = { "STARTTLS", io_starttls, fail_timeout },
	[PH_HANDSHAKE] = { "TLS handshake", io_handshake, fail_timeout },
	[PH_SETTLE] = { "post-handshake read", io_settle, settle_timeout },
	[PH_APP_SEND] = { "application request", io_app_send, app_timeout },
	[PH_APP_RECV] = { "application response", io_app_recv, app_timeout },
};

/* A job's state may have moved on while a stale event was queued: the phase
 * table decides, with the phase current at delivery time. */
static void io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	if (what & EV_TIMEOUT)
		phases[j->phase].timeout(j);
	else if (phases[j->phase].io != NULL)
		phases[j->phase].io(j, what);
}

/* ---- resolution --------------------------------------------------------------- */

static int numeric_addr(struct job *j)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&j->addr;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&j->addr;
	const struct eku_target *t = j->res.target;

	memset(&j->addr, 0, sizeof(j->addr));
	if (inet_pton(AF_INET, t->host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(t->port);
		j->addrlen = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, t->host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(t->port);
		j->addrlen = sizeof(*s6);
		return 0;
	}
	return -1;
}

/* Takes the addresses to try (j->addrs, ordered) and loads the first. */
static int set_addrs(struct job *j, const struct probe_addr *a, size_t n)
{
	if (n == 0 || (j->addrs = calloc(n, sizeof(*j->addrs))) == NULL)
		return -1;
	memcpy(j->addrs, a, n * sizeof(*a));
	j->n_addrs = probe_addrs_order(j->addrs, n);
	if (j->n_addrs == 0)
		return -1;
	j->addr_i = 0;
	memcpy(&j->addr, &j->addrs[0].ss, sizeof(j->addr));
	j->addrlen = j->addrs[0].len;
	return 0;
}

static int keep_addrs(struct job *j, const struct evutil_addrinfo *res)
{
	struct probe_addr a[2 * EKU_PROBE_MAX_ADDRS];
	size_t n = 0;

	for (; res != NULL && n < sizeof(a) / sizeof(a[0]); res = res->ai_next) {
		if (res->ai_addrlen > sizeof(a[n].ss) ||
		    (res->ai_family != AF_INET && res->ai_family != AF_INET6))
			continue;
		memset(&a[n], 0, sizeof(a[n]));
		memcpy(&a[n].ss, res->ai_addr, res->ai_addrlen);
		a[n++].len = (socklen_t)res->ai_addrlen;
	}
	return set_addrs(j, a, n);
}

static void dns_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct job *j = arg;

	if (result == EVUTIL_EAI_CANCEL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		return; /* the job is being torn down */
	}
	j->dns_req = NULL;
	j->dns_pending = false;
	j->dns_error = result;
	if (result == 0 && keep_addrs(j, res) == 0)
		j->phase = PH_CONNECT;
	else if (result == 0)
		j->dns_error = EVUTIL_EAI_FAIL;
	if (res != NULL)
		evutil_freeaddrinfo(res);
	kick(j);
}

static int dns_base(struct worker *w)
{
	const eku_probe_config *cfg = w->p->cfg;
	char tmo[32];

	if (w->dns != NULL)
		return 0;
	w->dns = evdns_base_new(w->base, EVDNS_BASE_INITIALIZE_NAMESERVERS | EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (w->dns == NULL)
		w->dns = evdns_base_new(w->base, 0);
	if (w->dns == NULL)
		return -1;
	snprintf(tmo, sizeof(tmo), "%u", cfg->connect_ms / 1000 ? cfg->connect_ms / 1000 : 1);
	evdns_base_set_option(w->dns, "timeout:", tmo);
	evdns_base_set_option(w->dns, "attempts:", "2");
	return 0;
}

static void resolve(struct job *j)
{
	struct evutil_addrinfo hints;
	char port[8];
	struct evdns_getaddrinfo_request *req;
	const struct probe_pin *pin;

	if (j->dns_error != 0) {
		attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_DNS, "%s: %s", j->res.target->host,
			evutil_gai_strerror(j->dns_error));
		return;
	}
	if (numeric_addr(j) == 0) {
		connect_start(j);
		return;
	}
	pin = probe_config_pin(cfg_of(j), j->res.target->host, j->res.target->port);
	if (pin != NULL) {
		if (set_addrs(j, pin->addr, pin->n) != 0)
			attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_INTERNAL, "out of memory");
		else
			connect_start(j);
		return;
	}
	if (dns_base(j->w) != 0) {
		attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_DNS, "no DNS resolver available");
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
	snprintf(port, sizeof(port), "%u", j->res.target->port);
	j->dns_pending = true;
	req = evdns_getaddrinfo(j->w->dns, j->res.target->host, port, &hints, dns_cb, j);
	if (j->dns_pending)
		j->dns_req = req; /* else the callback already ran (hosts file) */
}

static void kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	if (j->phase == PH_RESOLVE)
		resolve(j);
	else if (j->phase == PH_CONNECT && j->fd < 0)
		connect_start(j);
}

/* ---- attempts and jobs --------------------------------------------------------- */

static void job_finish(struct job *j);

static void total_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;

	if (j->dns_req != NULL) {
		struct evdns_getaddrinfo_request *r = j->dns_req;
		j->dns_req = NULL;
		j->dns_pending = false;
		evdns_getaddrinfo_cancel(r);
	}
	attempt_end(j, OUT_ERROR, EKU_PROBE_ERR_TIMEOUT, "%s: total timeout (%u ms) reached",
		phases[j->phase].name, cfg_of(j)->total_ms);
}

static void record_discovery(struct job *j, enum outcome o, enum eku_probe_errclass cls, const char *msg)
{
	struct eku_probe_result *r = &j->res;

	switch (o) {
	case OUT_NO_REQUEST: r->client_auth = EKU_CLIENT_AUTH_NONE; break;
	case OUT_ACCEPTED:
		/* Only an application answer shows the request is not enforced. */
		r->client_auth = !cfg_of(j)->detect ? EKU_CLIENT_AUTH_UNKNOWN :
			j->ob.app_answered ? EKU_CLIENT_AUTH_OPTIONAL : EKU_CLIENT_AUTH_REQUESTED;
		break;
	case OUT_REJECTED:
		r->client_auth = EKU_CLIENT_AUTH_REQUIRED;
		r->client_auth_alert = alert_name(j);
		break;
	case OUT_ERROR:
		r->err_class = cls;
		r->err_message = strdup(msg);
		break;
	}
}

static void record_dry_run(struct job *j, enum outcome o, const char *msg)
{
	struct eku_dry_run *d = &j->res.dry_runs[j->attempt - 1];
	static const enum eku_dry_result map[] = { EKU_DRY_NOT_REQUESTED, EKU_DRY_ACCEPTED,
		EKU_DRY_REJECTED, EKU_DRY_ERROR };

	d->result = map[o];
	d->alert = o == OUT_REJECTED ? alert_name(j) : NULL;
	free(d->detail);
	d->detail = msg != NULL ? strdup(msg) : (j->ob.detail[0] ? strdup(j->ob.detail) : NULL);
}

/* Ends the current attempt, then starts the next one or finishes the job. */
static void attempt_end(struct job *j, enum outcome o, enum eku_probe_errclass cls, const char *fmt, ...)
{
	char msg[512] = "";
	va_list ap;
	bool expired = !event_pending(j->ev_total, EV_TIMEOUT, NULL);

	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	close_conn(j);
	if (j->attempt == 0)
		record_discovery(j, o, cls, msg);
	else
		record_dry_run(j, o, fmt != NULL ? msg : NULL);
	j->attempt++;
	if (o == OUT_ERROR && j->attempt == 1)
		goto finish; /* dry runs stay "error" with the target's error */
	if (expired) {
		for (size_t i = j->attempt - 1; i < j->res.n_dry_runs; i++) {
			j->res.dry_runs[i].result = EKU_DRY_ERROR;
			j->res.dry_runs[i].detail = strdup("not tried: total timeout reached");
		}
		goto finish;
	}
	if (j->res.client_auth == EKU_CLIENT_AUTH_NONE || !cfg_of(j)->detect ||
	    j->attempt > j->res.n_dry_runs)
		goto finish;
	j->phase = PH_CONNECT;
	kick(j);
	return;
finish:
	job_finish(j);
}

static void classify_chain(struct job *j)
{
	eku_trust *t = cfg_of(j)->trust;
	size_t n = eku_certlist_count(j->res.chain);

	if (t == NULL || n == 0)
		return;
	j->res.chain_cl = calloc(n, sizeof(*j->res.chain_cl));
	for (size_t i = 0; j->res.chain_cl != NULL && i < n; i++)
		j->res.chain_cl[i] = eku_trust_classify(t, eku_certlist_get0(j->res.chain, i), j->res.chain);
}

/* Classifications hold references to the trust store's anchors, whose
 * counts are plain integers: created and dropped under the probe lock. */
static void chain_cl_clear(struct eku_probe_result *r)
{
	size_t n = eku_certlist_count(r->chain);

	for (size_t i = 0; r->chain_cl != NULL && i < n; i++)
		eku_classification_free(r->chain_cl[i]);
	free(r->chain_cl);
	r->chain_cl = NULL;
}

static void result_clear(struct eku_probe_result *r)
{
	chain_cl_clear(r);
	eku_certlist_free(r->chain);
	for (size_t i = 0; i < r->n_dry_runs; i++)
		free(r->dry_runs[i].detail);
	free(r->dry_runs);
	eku_strv_clear(&r->acceptable_cas);
	eku_strv_clear(&r->public_cas);
	eku_strv_clear(&r->failed_addresses);
	free(r->address);
	free(r->tls_version);
	free(r->cipher);
	free(r->banner);
	free(r->err_message);
}

static void job_free(struct job *j)
{
	close_conn(j);
	if (j->ev != NULL)
		event_free(j->ev);
	if (j->ev_total != NULL)
		event_free(j->ev_total);
	if (j->ev_kick != NULL)
		event_free(j->ev_kick);
	result_clear(&j->res);
	free(j->addrs);
	free(j->buf);
	free(j);
}

/* Classification, the result callback and the progress callback run under
 * the probe lock: one at a time, in completion order, whatever the thread. */
static void job_report(struct job *j)
{
	eku_probe *p = j->w->p;

	pthread_mutex_lock(&p->lock);
	classify_chain(j);
	if (p->cb != NULL)
		p->cb(&j->res, p->cb_arg);
	chain_cl_clear(&j->res);
	p->active--;
	p->done++;
	if (p->pcb != NULL)
		p->pcb(p->done, p->n, p->active, p->pcb_arg);
	pthread_mutex_unlock(&p->lock);
}

static void job_finish(struct job *j)
{
	struct worker *w = j->w;
	uint64_t el = now_ms() - j->started;

	for (size_t i = 0; i < j->res.n_dry_runs && j->res.err_class != EKU_PROBE_OK; i++) {
		if (j->res.dry_runs[i].result != EKU_DRY_NOT_REQUESTED || j->res.dry_runs[i].detail != NULL)
			continue;
		j->res.dry_runs[i].result = EKU_DRY_ERROR;
		j->res.dry_runs[i].detail = strdup(j->res.err_message ? j->res.err_message : "target failed");
	}
	j->res.elapsed = (double)el / 1000.0;
	job_report(j);
	job_free(j);
	w->active--;
	start_more(w);
	if (w->active == 0)
		event_base_loopbreak(w->base); /* the queue is empty (or memory ran out) */
}

static struct job *job_new(struct worker *w, const struct eku_target *t)
{
	struct job *j = calloc(1, sizeof(*j));
	const eku_probe_config *cfg = w->p->cfg;
	struct timeval tv = { (time_t)(cfg->total_ms / 1000), (suseconds_t)(cfg->total_ms % 1000) * 1000 };

	if (j == NULL)
		return NULL;
	j->w = w;
	j->fd = -1;
	j->res.target = t;
	j->res.proto = t->proto;
	j->res.chain = eku_certlist_new();
	j->res.n_dry_runs = cfg->n_cand;
	j->res.dry_runs = cfg->n_cand ? calloc(cfg->n_cand, sizeof(*j->res.dry_runs)) : NULL;
	j->ev = event_new(w->base, -1, 0, io_cb, j);
	j->ev_total = evtimer_new(w->base, total_cb, j);
	j->ev_kick = event_new(w->base, -1, 0, kick_cb, j);
	if (j->res.chain == NULL || (cfg->n_cand && j->res.dry_runs == NULL) || j->ev == NULL ||
	    j->ev_total == NULL || j->ev_kick == NULL) {
		job_free(j);
		return NULL;
	}
	for (size_t i = 0; i < cfg->n_cand; i++)
		j->res.dry_runs[i].certificate = cfg->cand[i].label;
	j->started = now_ms();
	evtimer_add(j->ev_total, &tv);
	return j;
}

/* The next target of the shared queue, counted in flight from here on. */
static bool take_target(eku_probe *p, size_t *index)
{
	bool got;

	pthread_mutex_lock(&p->lock);
	got = p->next < p->n;
	if (got) {
		*index = p->next++;
		p->active++;
	}
	pthread_mutex_unlock(&p->lock);
	return got;
}

static void start_more(struct worker *w)
{
	eku_probe *p = w->p;
	struct job *j;

	while (w->active < w->concurrency) {
		if (!w->have_held && !take_target(p, &w->held))
			break;
		w->have_held = true;
		j = job_new(w, &p->targets[w->held]);
		if (j == NULL)
			break; /* retried when another job of this worker finishes */
		j->res.index = w->held;
		w->have_held = false;
		w->active++;
		kick(j);
	}
}

/* ---- public API ------------------------------------------------------------------ */

/* The scanner authenticates nothing: skip libssl's chain building (the
 * result would be ignored under SSL_VERIFY_NONE anyway). */
static int no_chain_verify(X509_STORE_CTX *x, void *arg)
{
	return 1;
}

static SSL_CTX *make_ctx(const struct probe_candidate *c)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		return NULL;
	/* A scanner must talk to old and odd servers: it authenticates nothing. */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, no_chain_verify, NULL);
	/* One read() per burst of records instead of two per record: the
	 * server's first flight is 5-7 records. STARTTLS plaintext is read by
	 * us before SSL exists, so nothing of it can be swallowed. */
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_LEGACY_SERVER_CONNECT);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	if (c != NULL && (SSL_CTX_use_certificate(ctx, c->cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, c->key) != 1 ||
	    (sk_X509_num(c->chain) > 0 && SSL_CTX_set1_chain(ctx, c->chain) != 1))) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

eku_probe *eku_probe_new(const eku_probe_config *cfg)
{
	eku_probe *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	if (pthread_mutex_init(&p->lock, NULL) != 0) {
		free(p);
		return NULL;
	}
	p->cfg = cfg;
	return p;
}

void eku_probe_free(eku_probe *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++)
		eku_target_clear(&p->targets[i]);
	free(p->targets);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

const eku_error *eku_probe_error(const eku_probe *p) { return &p->err; }
size_t eku_probe_target_count(const eku_probe *p) { return p->n; }

void eku_probe_set_progress_cb(eku_probe *p, eku_probe_progress_cb cb, void *arg)
{
	p->pcb = cb;
	p->pcb_arg = arg;
}

int eku_probe_add0_target(eku_probe *p, struct eku_target *t)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct eku_target *v = realloc(p->targets, cap * sizeof(*v));
		if (v == NULL) {
			eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
			return -1;
		}
		p->targets = v;
		p->cap = cap;
	}
	p->targets[p->n++] = *t;
	memset(t, 0, sizeof(*t));
	return 0;
}

/* As many workers as asked, but never more than targets or slots in
 * flight; worker i gets an equal share of the concurrency (the first ones
 * one more). */
static int workers_setup(eku_probe *p)
{
	unsigned conc = p->cfg->concurrency, n = eku_probe_config_threads(p->cfg);

	if (n > conc)
		n = conc;
	if ((size_t)n > p->n)
		n = p->n > 0 ? (unsigned)p->n : 1;
	if ((p->workers = calloc(n, sizeof(*p->workers))) == NULL)
		return -1;
	p->n_workers = n;
	for (unsigned i = 0; i < n; i++) {
		p->workers[i].p = p;
		p->workers[i].concurrency = conc / n + (i < conc % n);
		if ((p->workers[i].base = event_base_new()) == NULL)
			return -1;
	}
	return 0;
}

static int run_setup(eku_probe *p)
{
	if (workers_setup(p) != 0 || (p->ctx0 = make_ctx(NULL)) == NULL) {
		eku_error_set_openssl(&p->err, EKU_E_INTERNAL, "cannot set up the event loop or TLS");
		return -1;
	}
	if (p->cfg->n_cand > 0 && (p->cctx = calloc(p->cfg->n_cand, sizeof(*p->cctx))) == NULL) {
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < p->cfg->n_cand; i++) {
		if ((p->cctx[i] = make_ctx(&p->cfg->cand[i])) == NULL) {
			eku_error_set_openssl(&p->err, EKU_E_USAGE, "%s: cannot use this certificate and key",
				p->cfg->cand[i].label);
			return -1;
		}
	}
	/* The trust data is read lazily by the first classification: load it
	 * now, before any thread exists (classification itself is serialised). */
	if (p->cfg->trust != NULL)
		(void)!eku_trust_load_data(p->cfg->trust); /* a failure shows per certificate, as before */
	return 0;
}

static void run_teardown(eku_probe *p)
{
	for (size_t i = 0; p->cctx != NULL && i < p->cfg->n_cand; i++)
		SSL_CTX_free(p->cctx[i]);
	free(p->cctx);
	p->cctx = NULL;
	SSL_CTX_free(p->ctx0);
	p->ctx0 = NULL;
	for (unsigned i = 0; p->workers != NULL && i < p->n_workers; i++) {
		if (p->workers[i].dns != NULL)
			evdns_base_free(p->workers[i].dns, 0);
		if (p->workers[i].base != NULL)
			event_base_free(p->workers[i].base);
	}
	free(p->workers);
	p->workers = NULL;
	p->n_workers = 0;
}

/* Whether some target needs DNS (not a literal, not pinned). */
static bool needs_dns(const eku_probe *p)
{
	uint8_t tmp[16];

	for (size_t i = 0; i < p->n; i++) {
		const struct eku_target *t = &p->targets[i];
		if (inet_pton(AF_INET, t->host, tmp) != 1 && inet_pton(AF_INET6, t->host, tmp) != 1 &&
		    probe_config_pin(p->cfg, t->host, t->port) == NULL)
			return true;
	}
	return false;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	/* evdns reads resolv.conf and the hosts file: before the loop runs, so
	 * no target waits on the disk (a failure shows per target later). */
	if (needs_dns(w->p))
		(void)dns_base(w);
	start_more(w);
	if (w->active > 0)
		event_base_dispatch(w->base);
	ERR_clear_error();
	return NULL;
}

/* Worker 0 runs on the calling thread; a worker whose thread cannot be
 * created only costs parallelism, since the queue is shared. */
static void run_workers(eku_probe *p)
{
	for (unsigned i = 1; i < p->n_workers; i++)
		p->workers[i].thread = pthread_create(&p->workers[i].tid, NULL, worker_main, &p->workers[i]) == 0;
	(void)worker_main(&p->workers[0]);
	for (unsigned i = 1; i < p->n_workers; i++)
		if (p->workers[i].thread)
			pthread_join(p->workers[i].tid, NULL);
}

int eku_probe_run(eku_probe *p, eku_probe_result_cb cb, void *arg)
{
	int rc = -1;

	p->cb = cb;
	p->cb_arg = arg;
	p->next = p->done = p->active = 0;
	if (run_setup(p) != 0)
		goto out;
	if (p->n > 0)
		run_workers(p);
	if (p->done != p->n) {
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory: %zu targets not probed", p->n - p->done);
		goto out;
	}
	rc = 0;
out:
	run_teardown(p);
	return rc;
}
