/* The certificate, sunset and diagnostic objects of eku's JSON, written once
 * on the streaming writer (eku/jsonw.h). The jansson views used by scan,
 * verify and plan are parsed back from that text, so there is one definition
 * of each object and inspect can stream without building trees. */
#include <stdlib.h>
#include <string.h>

#include <eku/report.h>
#include <eku/sunset.h>

static int kv_string(eku_jsonw *w, const char *k, const char *v)
{
	return eku_jsonw_key(w, k) != 0 || eku_jsonw_string(w, v) != 0 ? -1 : 0;
}

static int kv_nullable(eku_jsonw *w, const char *k, const char *v)
{
	return eku_jsonw_key(w, k) != 0 || eku_jsonw_string_or_null(w, v) != 0 ? -1 : 0;
}

static int kv_int(eku_jsonw *w, const char *k, int64_t v)
{
	return eku_jsonw_key(w, k) != 0 || eku_jsonw_integer(w, v) != 0 ? -1 : 0;
}

static int kv_bool(eku_jsonw *w, const char *k, bool v)
{
	return eku_jsonw_key(w, k) != 0 || eku_jsonw_bool(w, v) != 0 ? -1 : 0;
}

/* A date ("2026-11-27"), or null for 0 (no such date). */
static int kv_date(eku_jsonw *w, const char *k, int64_t t)
{
	char d[16];

	return kv_nullable(w, k, t != 0 ? eku_time_date(t, d, sizeof(d)) : NULL);
}

static int strv_write(eku_jsonw *w, const eku_strv *sv)
{
	if (eku_jsonw_array_begin(w) != 0)
		return -1;
	for (size_t i = 0; i < sv->n; i++)
		if (eku_jsonw_string(w, sv->v[i]) != 0)
			return -1;
	return eku_jsonw_array_end(w);
}

static int kv_strv(eku_jsonw *w, const char *k, const eku_strv *sv)
{
	return eku_jsonw_key(w, k) != 0 || strv_write(w, sv) != 0 ? -1 : 0;
}

/* The file name with invalid UTF-8 and control characters replaced: file
 * names are bytes, and the object must still be written. */
static int kv_bytes(eku_jsonw *w, const char *key, const char *bytes)
{
	char *copy = strdup(bytes);
	int rc = -1;

	if (copy == NULL) {
		eku_jsonw_set_error(w, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	rc = kv_string(w, key, eku_utf8_sanitize(copy));
out:
	free(copy);
	return rc;
}

static int kv_source(eku_jsonw *w, const char *source)
{
	return kv_bytes(w, "source", source);
}

static int key_usage_write(eku_jsonw *w, const struct eku_facts *f)
{
	if (eku_jsonw_key(w, "key_usage") != 0)
		return -1;
	if (!f->has_key_usage)
		return eku_jsonw_null(w);
	if (eku_jsonw_array_begin(w) != 0)
		return -1;
	for (unsigned bit = 1; bit <= EKU_KU_DECIPHER_ONLY; bit <<= 1)
		if ((f->key_usage & bit) && eku_jsonw_string(w, eku_key_usage_name(bit)) != 0)
			return -1;
	return eku_jsonw_array_end(w);
}

static int san_write(eku_jsonw *w, const struct eku_facts *f)
{
	if (eku_jsonw_key(w, "san") != 0 || eku_jsonw_array_begin(w) != 0)
		return -1;
	for (size_t i = 0; i < f->n_san; i++)
		if (eku_jsonw_object_begin(w) != 0 ||
		    kv_string(w, "type", eku_san_type_name(f->san[i].type)) != 0 ||
		    kv_string(w, "value", f->san[i].value) != 0 || eku_jsonw_object_end(w) != 0)
			return -1;
	return eku_jsonw_array_end(w);
}

/* source .. spki_sha256, and line when known. */
static int identity_write(eku_jsonw *w, const eku_cert *c, const struct eku_facts *f, int64_t at)
{
	char nb[32], na[32], h1[65], h2[65];

	if (kv_source(w, eku_cert_source(c)) != 0 || kv_int(w, "index", eku_cert_index(c)) != 0 ||
	    kv_string(w, "container", eku_cert_container(c)) != 0 ||
	    kv_string(w, "subject", f->subject) != 0 || kv_string(w, "issuer", f->issuer) != 0 ||
	    kv_string(w, "serial", f->serial) != 0 ||
	    kv_string(w, "not_before", eku_time_iso(f->not_before, nb, sizeof(nb))) != 0 ||
	    kv_string(w, "not_after", eku_time_iso(f->not_after, na, sizeof(na))) != 0 ||
	    kv_int(w, "days_left", eku_days_between(at, f->not_after)) != 0 ||
	    kv_string(w, "sha256", eku_hex(f->sha256, 32, h1)) != 0 ||
	    kv_string(w, "spki_sha256", eku_hex(f->spki_sha256, 32, h2)) != 0)
		return -1;
	return eku_cert_line(c) > 0 ? kv_int(w, "line", eku_cert_line(c)) : 0;
}

/* key_type .. key_usage. */
static int usage_write(eku_jsonw *w, const struct eku_facts *f)
{
	return kv_string(w, "key_type", f->key_type) != 0 || kv_int(w, "key_bits", f->key_bits) != 0 ||
		kv_nullable(w, "curve", f->curve) != 0 ||
		kv_string(w, "signature_algorithm", f->sig_alg) != 0 ||
		kv_strv(w, "eku", &f->eku_oids) != 0 || kv_strv(w, "eku_names", &f->eku_names) != 0 ||
		kv_string(w, "eku_class", eku_eku_class_name(f->eku_class)) != 0 ||
		eku_jsonw_key(w, "can_act_as") != 0 || eku_jsonw_object_begin(w) != 0 ||
		kv_bool(w, "server", f->can_serve) != 0 || kv_bool(w, "client", f->can_client) != 0 ||
		eku_jsonw_object_end(w) != 0 || key_usage_write(w, f) != 0 ? -1 : 0;
}

/* is_ca .. self_signed. */
static int extensions_write(eku_jsonw *w, const struct eku_facts *f)
{
	if (kv_bool(w, "is_ca", f->is_ca) != 0 || eku_jsonw_key(w, "path_len") != 0 ||
	    (f->path_len >= 0 ? eku_jsonw_integer(w, f->path_len) : eku_jsonw_null(w)) != 0)
		return -1;
	return san_write(w, f) != 0 || kv_nullable(w, "ski", f->ski) != 0 ||
		kv_nullable(w, "aki", f->aki) != 0 ||
		kv_strv(w, "crl_distribution_points", &f->crl_dp) != 0 ||
		kv_strv(w, "ocsp", &f->ocsp) != 0 || kv_strv(w, "ca_issuers", &f->ca_issuers) != 0 ||
		kv_strv(w, "policies", &f->policies) != 0 || kv_int(w, "scts", f->n_scts) != 0 ||
		kv_bool(w, "self_signed", f->self_signed) != 0 ? -1 : 0;
}

/* OpenSSL's "TRUSTED CERTIFICATE" auxiliary trust settings. */
static int aux_trust_write(eku_jsonw *w, const eku_cert *c)
{
	if (strcmp(eku_cert_container(c), "TRUSTED CERTIFICATE") != 0)
		return 0;
	return eku_jsonw_key(w, "aux_trust") != 0 || eku_jsonw_object_begin(w) != 0 ||
		kv_strv(w, "trusted", eku_cert_aux_trusted(c)) != 0 ||
		kv_strv(w, "rejected", eku_cert_aux_rejected(c)) != 0 ||
		eku_jsonw_object_end(w) != 0 ? -1 : 0;
}

static int classification_write(eku_jsonw *w, const struct eku_classification *cl)
{
	return kv_string(w, "issuer_class", eku_issuer_class_name(cl->issuer_class)) != 0 ||
		kv_bool(w, "issuer_class_inferred", cl->inferred) != 0 ||
		kv_nullable(w, "ca_vendor", cl->ca_vendor) != 0 ||
		kv_nullable(w, "ca_vendor_name", cl->ca_vendor_name) != 0 ||
		kv_strv(w, "evidence", &cl->evidence) != 0 ||
		kv_bool(w, "chain_complete", cl->chain_complete) != 0 ||
		kv_int(w, "chain_length", (int64_t)cl->chain_len) != 0 ||
		kv_nullable(w, "root_subject", cl->root_subject) != 0 ||
		kv_nullable(w, "root_sha256", cl->root_sha256) != 0 ||
		kv_bool(w, "alt_root", cl->alt_root) != 0 ||
		kv_nullable(w, "alt_root_label", cl->alt_root_label) != 0 ||
		kv_date(w, "root_phase_out", cl->root_phase_out) != 0 ? -1 : 0;
}

int eku_report_cert_write_fields(eku_jsonw *w, const eku_cert *c,
	const struct eku_classification *cl, int64_t at)
{
	const struct eku_facts *f = eku_cert_facts(c);

	if (identity_write(w, c, f, at) != 0 || usage_write(w, f) != 0 ||
	    extensions_write(w, f) != 0 || aux_trust_write(w, c) != 0)
		return -1;
	return cl != NULL ? classification_write(w, cl) : 0;
}

int eku_report_cert_write(eku_jsonw *w, const eku_cert *c, const struct eku_classification *cl,
	int64_t at)
{
	return eku_jsonw_object_begin(w) != 0 || eku_report_cert_write_fields(w, c, cl, at) != 0 ||
		eku_jsonw_object_end(w) != 0 ? -1 : 0;
}

int eku_report_diag_write(eku_jsonw *w, const struct eku_diag *d)
{
	/* Diagnostics name files, whose names are bytes: cleaned like a
	 * certificate's source, so a bad name never drops the diagnostic. */
	if (eku_jsonw_object_begin(w) != 0 || kv_source(w, d->source) != 0 ||
	    kv_string(w, "code", eku_errcode_name(d->code)) != 0 ||
	    kv_string(w, "class", eku_errclass_name(eku_errcode_class(d->code))) != 0 ||
	    kv_bytes(w, "message", d->message) != 0)
		return -1;
	if ((d->line > 0 && kv_int(w, "line", d->line) != 0) ||
	    (d->block > 0 && kv_int(w, "block", d->block) != 0))
		return -1;
	return eku_jsonw_object_end(w);
}

int eku_report_sunset_write(eku_jsonw *w, const struct eku_sunset *s)
{
	return eku_jsonw_object_begin(w) != 0 ||
		kv_string(w, "client_use", eku_sunset_verdict_name(s->verdict)) != 0 ||
		kv_date(w, "breaks_on", s->breaks_on) != 0 ||
		kv_string(w, "reason", s->reason != NULL ? s->reason : "") != 0 ||
		kv_nullable(w, "rule", s->rule != NULL ? s->rule->id : NULL) != 0 ||
		kv_nullable(w, "rule_source", s->rule != NULL ? s->rule->source : NULL) != 0 ||
		kv_string(w, "explanation", s->explanation) != 0 ||
		eku_jsonw_object_end(w) != 0 ? -1 : 0;
}

/* The jansson views: the writer's compact text parsed back. Frees w. */
static json_t *view(eku_jsonw *w, int rc)
{
	const char *text;
	size_t len;
	json_t *j = NULL;

	if (w != NULL && rc == 0) {
		text = eku_jsonw_data(w, &len);
		j = json_loadb(text, len, 0, NULL);
	}
	eku_jsonw_free(w);
	return j;
}

json_t *eku_report_cert_json(const eku_cert *c, const struct eku_classification *cl, int64_t at)
{
	eku_jsonw *w = eku_jsonw_new(EKU_JSONW_COMPACT, 0);

	return view(w, w != NULL ? eku_report_cert_write(w, c, cl, at) : -1);
}

json_t *eku_report_diag_json(const struct eku_diag *d)
{
	eku_jsonw *w = eku_jsonw_new(EKU_JSONW_COMPACT, 0);

	return view(w, w != NULL ? eku_report_diag_write(w, d) : -1);
}

json_t *eku_report_sunset_json(const struct eku_sunset *s)
{
	eku_jsonw *w = eku_jsonw_new(EKU_JSONW_COMPACT, 0);

	return view(w, w != NULL ? eku_report_sunset_write(w, s) : -1);
}
