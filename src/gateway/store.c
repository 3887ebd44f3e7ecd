/* Certificate stores -> SSL_CTXs (STYLE.md 8: stores are data, contexts are
 * derived). Every route gets an inbound SSL_CTX (server store, chosen by SNI,
 * route trust and policy through the verify API) and, for a TLS upstream, an
 * outbound SSL_CTX (one client store entry, upstream trust). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <eku/verify.h>

#include "gw_store.h"
#include "gw_vcache.h"

#define SYSTEM_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

#define DERR(d, pos, ...) GW_DIAG(d, EKU_DIAG_ERROR, EKU_E_BAD_CONFIG, pos, __VA_ARGS__)

/* Allocated once for the process: worker threads ask for it from their
 * verify callbacks concurrently, so it must not be lazily written by them. */
static int verdict_idx = -1;
static pthread_once_t verdict_once = PTHREAD_ONCE_INIT;

static void free_verdict(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
	void *argp)
{
	(void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
	free(ptr);
}

static void verdict_index_init(void)
{
	verdict_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, free_verdict);
}

int gw_ssl_verdict_index(void)
{
	pthread_once(&verdict_once, verdict_index_init);
	return verdict_idx;
}

/* ---- store entries ------------------------------------------------------- */

/* A folder is read by the loader (it takes regular files only); a file by
 * gw_file_read, so a FIFO given as a certificate cannot block. */
static int load_certs(const char *what, const char *path, struct eku_pos pos, eku_certlist *out,
	eku_diaglist *d)
{
	eku_loader *ld = eku_loader_new();
	eku_diaglist dl = { 0 };
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	char why[512];
	int n = -1;

	if (ld != NULL && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		n = eku_loader_load_path(ld, path, out, &dl);
	} else if (ld != NULL) {
		if (gw_file_read(path, EKU_LOADER_DEFAULT_MAX_BYTES, &buf, &len, why, sizeof(why)) != 0) {
			DERR(d, pos, "%s %s", what, why);
			eku_loader_free(ld);
			return -1;
		}
		n = eku_loader_load_mem(ld, path, buf, len, out, &dl);
		free(buf);
	}
	for (size_t i = 0; i < dl.n; i++)
		GW_DIAG(d, dl.v[i].severity, dl.v[i].code, pos, "%s %s%s%s", what, path,
			dl.v[i].message[0] ? ": " : "", dl.v[i].message);
	if (n == 0 && dl.n == 0)
		DERR(d, pos, "%s %s: no certificate found", what, path);
	eku_diaglist_clear(&dl);
	eku_loader_free(ld);
	return n > 0 ? 0 : -1;
}

static void entry_default_sni(struct gw_store_entry *e)
{
	const struct eku_facts *f = eku_cert_facts(e->ekc);

	if (e->sni.n > 0)
		return;
	for (size_t i = 0; i < f->n_san; i++)
		if (f->san[i].type == EKU_SAN_DNS && eku_strv_push(&e->sni, f->san[i].value) != 0)
			return;
}

/* The X509 of a loaded certificate: built from its DER on first use, which
 * can still fail (memory, or bytes OpenSSL refuses); the diagnostic names the
 * file and the certificate's place in it. */
static X509 *cert_x509(const eku_cert *c, const char *what, struct eku_pos pos, eku_diaglist *d)
{
	eku_error err = { 0 };
	X509 *x = eku_cert_get0_x509_err(c, &err);

	if (x == NULL)
		DERR(d, pos, "%s %s", what, err.message);
	return x;
}

static int push_chain(STACK_OF(X509) *sk, const eku_certlist *l, size_t from, const char *what,
	struct eku_pos pos, eku_diaglist *d)
{
	for (size_t i = from; i < eku_certlist_count(l); i++) {
		X509 *x = cert_x509(eku_certlist_get0(l, i), what, pos, d);
		bool ref;
		if (x == NULL)
			return -1;
		if (!(ref = X509_up_ref(x) == 1) || sk_X509_push(sk, x) <= 0) {
			if (ref)
				X509_free(x);
			DERR(d, pos, "%s %s: out of memory", what, eku_cert_source(eku_certlist_get0(l, i)));
			return -1;
		}
	}
	return 0;
}

static int load_entry(struct gw_store_entry *e, bool server, eku_diaglist *d)
{
	eku_certlist *cl = eku_certlist_new(), *ch = eku_certlist_new();
	char why[512];
	bool warn;
	int rc = -1;

	bool cert_ok, chain_ok;

	if (cl == NULL || ch == NULL || (e->chain = sk_X509_new_null()) == NULL) {
		/* Never silent: an entry that is not loaded must fail the load. */
		GW_DIAG(d, EKU_DIAG_ERROR, EKU_E_NOMEM, e->cert_pos, "%s: out of memory", e->cert_file);
		goto out;
	}
	/* Certificate, chain and key are each read even when an earlier one
	 * failed, so every problem of the entry is reported in one go. */
	cert_ok = load_certs("cert", e->cert_file, e->cert_pos, cl, d) == 0;
	chain_ok = e->chain_file == NULL ||
		   load_certs("chain", e->chain_file, e->chain_pos, ch, d) == 0;
	e->key = gw_key_load(e->key_file, why, sizeof(why), &warn);
	if (why[0] != '\0')
		GW_DIAG(d, warn ? EKU_DIAG_WARNING : EKU_DIAG_ERROR,
			warn ? EKU_E_OK : EKU_E_IO, e->key_pos, "key %s", why);
	if (!cert_ok || !chain_ok || e->key == NULL)
		goto out;
	e->ekc = eku_cert_up_ref(eku_certlist_get0(cl, 0));
	if ((e->cert = cert_x509(e->ekc, "cert", e->cert_pos, d)) == NULL)
		goto out;
	if (X509_up_ref(e->cert) != 1) {
		e->cert = NULL; /* the reference is ekc's, not ours */
		GW_DIAG(d, EKU_DIAG_ERROR, EKU_E_NOMEM, e->cert_pos, "%s: out of memory", e->cert_file);
		goto out;
	}
	if (push_chain(e->chain, cl, 1, "cert", e->cert_pos, d) != 0 ||
	    push_chain(e->chain, ch, 0, "chain", e->chain_pos, d) != 0)
		goto out;
	if (X509_check_private_key(e->cert, e->key) != 1) {
		DERR(d, e->key_pos, "%s: key does not belong to the certificate in %s",
			e->key_file, e->cert_file);
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	eku_certlist_free(cl);
	eku_certlist_free(ch);
	(void)server;
	return rc;
}

static void check_entry_purpose(struct gw_store_entry *e, bool server, eku_diaglist *d)
{
	const struct eku_facts *f = eku_cert_facts(e->ekc);
	char when[32];

	if (server && !eku_eku_class_allows_server(f->eku_class))
		DERR(d, e->cert_pos, "server_store '%s': %s cannot authenticate a server "
			"(eku_class %s)", e->name, e->cert_file, eku_eku_class_name(f->eku_class));
	if (!server && !eku_eku_class_allows_client(f->eku_class))
		DERR(d, e->cert_pos, "client_store '%s': %s lacks clientAuth (eku_class %s); "
			"the client store refuses it. To present a server certificate upstream "
			"anyway, set present_server_cert_as_client: true on the route",
			e->name, e->cert_file, eku_eku_class_name(f->eku_class));
	if (f->not_after < (int64_t)time(NULL))
		GW_DIAG(d, EKU_DIAG_WARNING, EKU_E_OK, e->cert_pos, "%s '%s': %s expired on %s",
			server ? "server_store" : "client_store", e->name, e->cert_file,
			eku_time_date(f->not_after, when, sizeof(when)));
}

static void load_store(struct gw_store *s, bool server, eku_diaglist *d)
{
	for (size_t i = 0; i < s->n; i++) {
		if (load_entry(&s->v[i], server, d) != 0)
			continue;
		check_entry_purpose(&s->v[i], server, d);
		if (server)
			entry_default_sni(&s->v[i]);
	}
}

static void entry_clear(struct gw_store_entry *e)
{
	free(e->name);
	free(e->cert_file);
	free(e->key_file);
	free(e->chain_file);
	eku_strv_clear(&e->sni);
	X509_free(e->cert);
	sk_X509_pop_free(e->chain, X509_free);
	EVP_PKEY_free(e->key);
	eku_cert_free(e->ekc);
}

void gw_store_clear(struct gw_store *s)
{
	for (size_t i = 0; i < s->n; i++)
		entry_clear(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

struct gw_store_entry *gw_store_find(const struct gw_store *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].name != NULL && strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

static bool sni_match(const char *pattern, const char *name)
{
	const char *dot;

	if (strcasecmp(pattern, name) == 0)
		return true;
	if (strncmp(pattern, "*.", 2) != 0 || (dot = strchr(name, '.')) == NULL)
		return false;
	return strcasecmp(pattern + 1, dot) == 0;
}

struct gw_store_entry *gw_store_pick(const struct gw_store *s, const char *sni)
{
	for (size_t i = 0; sni != NULL && i < s->n; i++)
		for (size_t j = 0; j < s->v[i].sni.n; j++)
			if (strcasecmp(s->v[i].sni.v[j], sni) == 0)
				return &s->v[i];
	for (size_t i = 0; sni != NULL && i < s->n; i++)
		for (size_t j = 0; j < s->v[i].sni.n; j++)
			if (sni_match(s->v[i].sni.v[j], sni))
				return &s->v[i];
	return s->dflt;
}

/* ---- trust ---------------------------------------------------------------- */

/* The verify store of a trust list. Each file is read once, through the
 * regular-file check; its certificates also become anchors of the issuer
 * classifier when cls is given (inbound trust: the peers it classifies), so
 * the classifier never reads a trust file a second time. */
static X509_STORE *build_trust(const eku_strv *files, struct eku_pos pos, eku_diaglist *d, eku_trust *cls)
{
	X509_STORE *st = X509_STORE_new();

	if (st == NULL)
		return NULL;
	for (size_t i = 0; i < files->n; i++) {
		bool system = strcmp(files->v[i], "system") == 0;
		eku_certlist *cl = eku_certlist_new();

		if (cl != NULL && load_certs("trust", system ? SYSTEM_BUNDLE : files->v[i], pos, cl, d) == 0)
			for (size_t j = 0; j < eku_certlist_count(cl); j++) {
				eku_cert *c = eku_certlist_get0(cl, j);
				X509 *x = cert_x509(c, "trust", pos, d);
				if (x == NULL)
					continue;
				X509_STORE_add_cert(st, x);
				/* The system roots are the classifier's own (add_system). */
				if (cls != NULL && !system && eku_trust_add_anchor(cls, c) != 0)
					DERR(d, pos, "trust %s: out of memory", files->v[i]);
			}
		eku_certlist_free(cl);
	}
	ERR_clear_error();
	return st;
}

/* ---- SSL_CTX derivation --------------------------------------------------- */

static int use_entry(SSL_CTX *ctx, const struct gw_store_entry *e)
{
	return SSL_CTX_use_cert_and_key(ctx, e->cert, e->key, e->chain, 1) == 1 ? 0 : -1;
}

/* RFC 6066 3: pick the server store entry named by the client's SNI. */
static int sni_cb(SSL *ssl, int *alert, void *arg)
{
	const struct gw_route *r = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	const struct gw_store_entry *e = gw_store_pick(&r->cfg->server_store, name);

	(void)alert;
	if (e != NULL && e != r->cfg->server_store.dflt)
		SSL_use_cert_and_key(ssl, e->cert, e->key, e->chain, 1);
	return SSL_TLSEXT_ERR_OK;
}

/* Full check through the verify API, flattened into v. */
static void verify_full(const struct gw_route *r, X509_STORE_CTX *xctx, X509 *leaf,
	STACK_OF(X509) *sent, struct gw_verdict *v, eku_verify_result **res)
{
	v->ok = eku_verify_store_ctx(r->vcfg, xctx, res);
	v->x509_error = X509_STORE_CTX_get_error(xctx);
	v->depth = X509_STORE_CTX_get_error_depth(xctx);
	gw_peer_fill(*res, leaf, sent, r->cfg->classifier, &v->peer);
}

/* The whole-chain check of inbound peers goes to the verify API, through the
 * route's verdict cache (gw_vcache.h: a hit is the verdict the current
 * policy gives). The verdict rides on the SSL for the connection log,
 * metrics and observe mode. */
static int verify_cb(X509_STORE_CTX *xctx, void *arg)
{
	const struct gw_route *r = arg;
	SSL *ssl = X509_STORE_CTX_get_ex_data(xctx, SSL_get_ex_data_X509_STORE_CTX_idx());
	X509 *leaf = X509_STORE_CTX_get0_cert(xctx);
	STACK_OF(X509) *sent = X509_STORE_CTX_get0_untrusted(xctx);
	struct gw_verdict *v = calloc(1, sizeof(*v));
	eku_verify_result *res = NULL;
	int64_t now = (int64_t)time(NULL);
	uint8_t key[32];
	bool keyed;
	int ok;

	if (v == NULL) {
		X509_STORE_CTX_set_error(xctx, X509_V_ERR_OUT_OF_MEM);
		return 0;
	}
	keyed = r->vcache != NULL && gw_vcache_key(leaf, sent, key) == 0;
	if (keyed && gw_vcache_get_copy(r->vcache, key, now, v)) {
		v->cached = true;
	} else {
		verify_full(r, xctx, leaf, sent, v, &res);
		if (keyed && res != NULL)
			gw_vcache_put(r->vcache, key, gw_vcache_expiry(res, now), v);
		eku_verify_result_free(res);
	}
	X509_STORE_CTX_set_error(xctx, v->x509_error);
	X509_STORE_CTX_set_error_depth(xctx, v->depth);
	ok = v->ok;
	if (ssl != NULL) {
		free(SSL_get_ex_data(ssl, gw_ssl_verdict_index()));
		SSL_set_ex_data(ssl, gw_ssl_verdict_index(), v);
		v = NULL;
	}
	free(v);
	ERR_clear_error();
	return ok;
}

static void set_client_ca_list(SSL_CTX *ctx, X509_STORE *st)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(st);
	STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();

	for (int i = 0; names != NULL && i < sk_X509_OBJECT_num(objs); i++) {
		X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		X509_NAME *n = x != NULL ? X509_NAME_dup(X509_get_subject_name(x)) : NULL;
		if (n != NULL && sk_X509_NAME_push(names, n) <= 0)
			X509_NAME_free(n);
	}
	if (names != NULL && sk_X509_NAME_num(names) > 0 && sk_X509_NAME_num(names) <= 200)
		SSL_CTX_set_client_CA_list(ctx, names);
	else
		sk_X509_NAME_pop_free(names, X509_NAME_free);
}

/* ---- revocation ------------------------------------------------------------ */

static bool has_message(const eku_diaglist *d, const char *msg)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].message, msg) == 0)
			return true;
	return false;
}

/* A CRL past its nextUpdate (RFC 5280 5.1.2.5): with crl_expired: refuse
 * OpenSSL's X509_V_ERR_CRL_HAS_EXPIRED stands and every certificate the CRL
 * covers fails as crl_invalid (fail closed); with warn it is ignored. Either
 * way the load says so, once per file. */
static void check_crl_expiry(const struct gw_config *c, const char *file, X509_CRL *crl,
	struct eku_pos pos, eku_diaglist *d)
{
	const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
	char msg[700], issuer[256] = "", when[32] = "";
	struct tm tm;

	if (next == NULL || X509_cmp_current_time(next) > 0)
		return;
	X509_NAME_oneline(X509_CRL_get_issuer(crl), issuer, sizeof(issuer));
	if (ASN1_TIME_to_tm(next, &tm) == 1)
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(msg, sizeof(msg), "crl %s: the CRL of %s expired (nextUpdate %s); %s", file,
		issuer, when, c->crl_expired_warn ?
		"crl_expired: warn: it is still used, revoked certificates stay refused" :
		"crl_expired: refuse: every client certificate it covers is refused "
		"(crl_invalid) until a fresh CRL is loaded");
	if (!has_message(d, msg))
		GW_DIAG(d, EKU_DIAG_WARNING, EKU_E_OK, pos, "%s", msg);
}

/* The route's CRLs (its own crl:, else the shared list) go into its verify
 * config: libeku then checks revocation for the whole chain
 * (CRL_CHECK|CRL_CHECK_ALL, as stunnel's CRLfile and haproxy's crl-file), so
 * every CA of a client's chain needs its CRL. Files are read as regular files
 * only (gw_file_read), parsed by libeku (one CRL loader for eku verify and the
 * gateway). */
static int route_crls(struct gw_route *r, eku_diaglist *d)
{
	const struct gw_config *c = r->cfg;
	const eku_strv *files = r->crl.n > 0 ? &r->crl : &c->crl;
	struct eku_pos pos = r->crl.n > 0 ? r->crl_pos : c->crl_pos;
	char why[600];
	int rc = 0;

	eku_verify_config_set_ignore_crl_expiry(r->vcfg, c->crl_expired_warn);
	for (size_t i = 0; i < files->n; i++) {
		size_t before = eku_verify_config_crl_count(r->vcfg), len = 0;
		uint8_t *buf = NULL;

		if (gw_file_read(files->v[i], EKU_LOADER_DEFAULT_MAX_BYTES, &buf, &len, why + 4,
		    sizeof(why) - 4) != 0) {
			memcpy(why, "crl ", 4);
			if (!has_message(d, why))  /* the shared list: once, not per route */
				DERR(d, pos, "%s", why);
			rc = -1;
			continue;
		}
		if (eku_verify_config_add_crl_mem(r->vcfg, files->v[i], buf, len) != 0) {
			DERR(d, pos, "crl %s", eku_verify_config_error(r->vcfg)->message);
			rc = -1;
		}
		free(buf);
		for (size_t j = before; j < eku_verify_config_crl_count(r->vcfg); j++)
			check_crl_expiry(c, files->v[i], eku_verify_config_get0_crl(r->vcfg, j), pos, d);
	}
	return rc;
}

static int route_verify_config(struct gw_route *r, X509_STORE *st, eku_diaglist *d)
{
	eku_error err = { 0 };
	eku_allowlist *al = gw_allow_build(&r->allow, &err);
	int rc = -1;

	if (al == NULL) {
		DERR(d, r->pos, "route '%s': allow-list: %s", r->name, err.message);
		goto out;
	}
	if ((r->vcfg = eku_verify_config_new()) == NULL ||
	    eku_verify_config_set_role(r->vcfg, EKU_VERIFY_ROLE_CLIENT) != 0 ||
	    eku_verify_config_set_policy(r->vcfg, r->policy) != 0 ||
	    eku_verify_config_set_profile(r->vcfg, r->profile) != 0 ||
	    eku_verify_config_set1_store(r->vcfg, st) != 0 ||
	    eku_verify_config_set1_allowlist(r->vcfg, al) != 0 ||
	    eku_verify_config_check(r->vcfg) != 0) {
		DERR(d, r->pos, "route '%s': %s", r->name, r->vcfg != NULL ?
			eku_verify_config_error(r->vcfg)->message : "out of memory");
		goto out;
	}
	if (route_crls(r, d) != 0)
		goto out;
	rc = 0;
out:
	eku_allowlist_free(al);
	return rc;
}

static void build_inbound(struct gw_route *r, X509_STORE *shared, eku_trust *cls, eku_diaglist *d)
{
	X509_STORE *st = shared;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	int mode = SSL_VERIFY_NONE;
	static const unsigned char sid[] = "eku-gateway";

	if (r->trust.n > 0)
		st = build_trust(&r->trust, r->pos, d, cls);
	else
		X509_STORE_up_ref(st);
	if (ctx == NULL || st == NULL || r->cfg->server_store.dflt == NULL ||
	    r->cfg->server_store.dflt->key == NULL)
		goto out;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
	if (use_entry(ctx, r->cfg->server_store.dflt) != 0) {
		DERR(d, r->pos, "route '%s': cannot use server certificate '%s'", r->name,
			r->cfg->server_store.dflt->name);
		goto out;
	}
	SSL_CTX_set_tlsext_servername_callback(ctx, sni_cb);
	SSL_CTX_set_tlsext_servername_arg(ctx, r);
	if (r->client_auth != GW_CLIENT_AUTH_NONE) {
		if (route_verify_config(r, st, d) != 0)
			goto out;
		mode = SSL_VERIFY_PEER;
		if (r->client_auth == GW_CLIENT_AUTH_REQUIRE)
			mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
		if ((r->vcache = gw_vcache_new(GW_VCACHE_MAX)) == NULL)
			goto out;
		SSL_CTX_set_cert_verify_callback(ctx, verify_cb, r);
		set_client_ca_list(ctx, st);
	}
	SSL_CTX_set_verify(ctx, mode, NULL);
	r->in_ctx = ctx;
	ctx = NULL;
out:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	X509_STORE_free(st);
}

static void build_outbound(struct gw_route *r, X509_STORE *shared, eku_diaglist *d)
{
	struct gw_config *c = r->cfg;
	X509_STORE *st = NULL;
	SSL_CTX *ctx = NULL;

	if (!r->up.tls)
		return;
	if (r->present_server_cert_as_client)
		r->out_entry = r->server_cert != NULL ? gw_store_find(&c->server_store, r->server_cert)
						      : c->server_store.dflt;
	else
		r->out_entry = r->up.client_cert != NULL ?
			gw_store_find(&c->client_store, r->up.client_cert) : c->client_store.dflt;
	st = r->up.trust.n > 0 ? build_trust(&r->up.trust, r->up.pos, d, NULL) : shared;
	if (st == shared)
		X509_STORE_up_ref(st);
	if (st == NULL || (ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		goto out;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set1_cert_store(ctx, st);
	/* The upstream is a server: serverAuth purpose (RFC 5280 4.2.1.12). */
	SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	if (r->out_entry != NULL && r->out_entry->key != NULL && use_entry(ctx, r->out_entry) != 0) {
		DERR(d, r->up.pos, "route '%s': cannot use client certificate '%s'", r->name,
			r->out_entry->name);
		goto out;
	}
	r->out_ctx = ctx;
	ctx = NULL;
out:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	X509_STORE_free(st);
}

/* The issuer classifier of observed peers: the system roots plus every
 * inbound trust file, which build_trust() hands it as it reads them. NULL
 * when it cannot be set up (peers are then logged without an issuer class). */
static eku_trust *classifier_new(void)
{
	eku_trust *t = eku_trust_new();

	if (t == NULL || eku_trust_add_system(t, NULL) != 0) {
		eku_trust_free(t);
		return NULL;
	}
	return t;
}

void gw_config_load_files(struct gw_config *c, eku_diaglist *d)
{
	X509_STORE *shared = NULL;
	eku_trust *cls = classifier_new();

	load_store(&c->server_store, true, d);
	load_store(&c->client_store, false, d);
	if ((shared = build_trust(&c->trust, c->trust_pos, d, cls)) == NULL)
		goto out;
	for (size_t i = 0; i < c->n_routes; i++) {
		struct gw_route *r = &c->routes[i];

		if (r->client_auth != GW_CLIENT_AUTH_NONE && r->trust.n == 0 && c->trust.n == 0)
			DERR(d, r->pos, "route '%s': client_auth %s needs trusted CAs "
				"(top-level trust: or route trust:)", r->name,
				gw_client_auth_name(r->client_auth));
		if (eku_diaglist_errors(d) > 0)
			continue;
		build_inbound(r, shared, cls, d);
		build_outbound(r, shared, d);
	}
	X509_STORE_free(shared);
	if (eku_diaglist_errors(d) == 0 && cls != NULL && eku_trust_load_data(cls) == 0) {
		c->classifier = cls;
		cls = NULL;
	}
out:
	eku_trust_free(cls);
}

void gw_route_derived_free(struct gw_route *r)
{
	SSL_CTX_free(r->in_ctx);
	SSL_CTX_free(r->out_ctx);
	eku_verify_config_free(r->vcfg);
	gw_vcache_free(r->vcache);
	r->in_ctx = r->out_ctx = NULL;
	r->vcfg = NULL;
	r->vcache = NULL;
}
