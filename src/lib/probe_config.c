/* The probe configuration: built once through setters, read-only during a run. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "probe_int.h"

eku_probe_config *eku_probe_config_new(void)
{
	eku_probe_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL)
		return NULL;
	cfg->concurrency = EKU_PROBE_DEFAULT_CONCURRENCY;
	cfg->threads = 1;
	cfg->connect_ms = 5000;
	cfg->handshake_ms = 10000;
	cfg->total_ms = 30000;
	cfg->post_ms = 1000;
	cfg->detect = true;
	cfg->at = (int64_t)time(NULL);
	cfg->public_names = sk_X509_NAME_new_null();
	if (cfg->public_names == NULL) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

void eku_probe_config_free(eku_probe_config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->n_cand; i++)
		probe_candidate_clear(&cfg->cand[i]);
	probe_config_pins_clear(cfg);
	free(cfg->cand);
	sk_X509_NAME_pop_free(cfg->public_names, X509_NAME_free);
	free(cfg->xmpp_to);
	free(cfg->xmpp_from);
	free(cfg);
}

const eku_error *eku_probe_config_error(const eku_probe_config *cfg) { return &cfg->err; }

void eku_probe_config_set_concurrency(eku_probe_config *cfg, unsigned n)
{
	cfg->concurrency = n > 0 ? n : EKU_PROBE_DEFAULT_CONCURRENCY;
}

void eku_probe_config_set_threads(eku_probe_config *cfg, unsigned n)
{
	cfg->threads = n < EKU_PROBE_MAX_THREADS ? n : EKU_PROBE_MAX_THREADS;
}

unsigned eku_probe_config_threads(const eku_probe_config *cfg)
{
	long cpus;

	if (cfg->threads > 0)
		return cfg->threads;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		return 1;
	return cpus < EKU_PROBE_MAX_AUTO_THREADS ? (unsigned)cpus : EKU_PROBE_MAX_AUTO_THREADS;
}

void eku_probe_config_set_timeouts(eku_probe_config *cfg, unsigned connect_ms,
	unsigned handshake_ms, unsigned total_ms)
{
	if (connect_ms > 0)
		cfg->connect_ms = connect_ms;
	if (handshake_ms > 0)
		cfg->handshake_ms = handshake_ms;
	if (total_ms > 0)
		cfg->total_ms = total_ms;
}

void eku_probe_config_set_post_handshake_ms(eku_probe_config *cfg, unsigned ms) { cfg->post_ms = ms; }
void eku_probe_config_set_detect_client_auth(eku_probe_config *cfg, bool on) { cfg->detect = on; }
void eku_probe_config_set0_trust(eku_probe_config *cfg, eku_trust *t) { cfg->trust = t; }
void eku_probe_config_set_at(eku_probe_config *cfg, int64_t at) { cfg->at = at; }
int64_t eku_probe_config_at(const eku_probe_config *cfg) { return cfg->at; }
size_t eku_probe_config_public_ca_count(const eku_probe_config *cfg)
{
	return (size_t)sk_X509_NAME_num(cfg->public_names);
}

static int set_str(char **dst, const char *src)
{
	char *c = NULL;

	if (src != NULL && (c = strdup(src)) == NULL)
		return -1;
	free(*dst);
	*dst = c;
	return 0;
}

int eku_probe_config_set_xmpp(eku_probe_config *cfg, const char *to, const char *from)
{
	if (set_str(&cfg->xmpp_to, to) != 0 || set_str(&cfg->xmpp_from, from) != 0) {
		eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

int eku_probe_config_add_candidate(eku_probe_config *cfg, const char *cert_path,
	const char *key_path, const char *password)
{
	struct probe_candidate *v = realloc(cfg->cand, (cfg->n_cand + 1) * sizeof(*v));

	if (v == NULL) {
		eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	cfg->cand = v;
	eku_error_clear(&cfg->err);
	if (probe_candidate_load(&v[cfg->n_cand], cert_path, key_path, password, &cfg->err) != 0)
		return -1;
	cfg->n_cand++;
	return 0;
}

static bool is_public(const struct eku_classification *cl)
{
	return cl->issuer_class == EKU_ISSUER_WEBPKI || cl->issuer_class == EKU_ISSUER_PUBLIC_OTHER;
}

static int add_public_name(eku_probe_config *cfg, const eku_cert *c)
{
	eku_error err = { 0 };
	X509 *x = eku_cert_get0_x509_err(c, &err);
	X509_NAME *n = NULL;

	if (x == NULL) {
		eku_error_set(&cfg->err, err.code, "%s", err.message);
		return -1;
	}
	if ((n = X509_NAME_dup(X509_get_subject_name(x))) == NULL ||
	    !sk_X509_NAME_push(cfg->public_names, n)) {
		X509_NAME_free(n);
		eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

int eku_probe_config_add_public_anchors(eku_probe_config *cfg, const eku_trust *t)
{
	for (size_t i = 0; i < eku_trust_anchor_count(t); i++) {
		bool pub = false;
		const eku_cert *c = eku_trust_anchor_get0(t, i, &pub);
		if (pub && add_public_name(cfg, c) != 0)
			return -1;
	}
	return 0;
}

int eku_probe_config_add_public_ca_file(eku_probe_config *cfg, eku_trust *t, const char *path)
{
	eku_loader *ld = eku_loader_new();
	eku_certlist *l = eku_certlist_new();
	eku_diaglist d = { 0 };
	int rc = -1;

	if (ld == NULL || l == NULL) {
		eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	if (eku_loader_load_path(ld, path, l, &d) < 0) {
		eku_error_set(&cfg->err, d.n > 0 ? d.v[0].code : EKU_E_IO, "%s: %s", path,
			d.n > 0 ? d.v[0].message : "cannot load");
		goto out;
	}
	for (size_t i = 0; i < eku_certlist_count(l); i++) {
		const eku_cert *c = eku_certlist_get0(l, i);
		struct eku_classification *cl;
		if (!eku_cert_facts(c)->is_ca && !eku_cert_facts(c)->self_signed)
			continue;
		if ((cl = eku_trust_classify(t, c, l)) == NULL) {
			eku_error_set(&cfg->err, EKU_E_TRUST, "%s", eku_trust_error(t)->message);
			goto out;
		}
		if (is_public(cl) && add_public_name(cfg, c) != 0) {
			eku_classification_free(cl);
			goto out;
		}
		eku_classification_free(cl);
	}
	rc = 0;
out:
	eku_diaglist_clear(&d);
	eku_certlist_free(l);
	eku_loader_free(ld);
	return rc;
}

bool probe_config_is_public_name(const eku_probe_config *cfg, const X509_NAME *name)
{
	for (int i = 0; i < sk_X509_NAME_num(cfg->public_names); i++)
		if (X509_NAME_cmp(sk_X509_NAME_value(cfg->public_names, i), name) == 0)
			return true;
	return false;
}
