/* JSON view of a certificate and its classification. */
#include <stdlib.h>
#include <string.h>

#include <eku/report.h>
#include <eku/sunset.h>

static json_t *strv_json(const eku_strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

/* A JSON string of s with invalid UTF-8 replaced (file names are bytes). */
static json_t *safe_string(const char *s)
{
	char *copy = strdup(s);
	json_t *j = copy != NULL ? json_string(eku_utf8_sanitize(copy)) : NULL;

	free(copy);
	return j;
}

static json_t *nullable(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *key_usage_json(const struct eku_facts *f)
{
	json_t *a = json_array();

	for (unsigned bit = 1; a != NULL && bit <= EKU_KU_DECIPHER_ONLY; bit <<= 1)
		if (f->key_usage & bit)
			json_array_append_new(a, json_string(eku_key_usage_name(bit)));
	return a;
}

static json_t *san_json(const struct eku_facts *f)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < f->n_san; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "type", eku_san_type_name(f->san[i].type),
			"value", f->san[i].value));
	return a;
}

static void add_classification(json_t *o, const struct eku_classification *cl)
{
	char d[16];

	json_object_set_new(o, "issuer_class", json_string(eku_issuer_class_name(cl->issuer_class)));
	json_object_set_new(o, "issuer_class_inferred", json_boolean(cl->inferred));
	json_object_set_new(o, "ca_vendor", nullable(cl->ca_vendor));
	json_object_set_new(o, "ca_vendor_name", nullable(cl->ca_vendor_name));
	json_object_set_new(o, "evidence", strv_json(&cl->evidence));
	json_object_set_new(o, "chain_complete", json_boolean(cl->chain_complete));
	json_object_set_new(o, "chain_length", json_integer((json_int_t)cl->chain_len));
	json_object_set_new(o, "root_subject", nullable(cl->root_subject));
	json_object_set_new(o, "root_sha256", nullable(cl->root_sha256));
	json_object_set_new(o, "alt_root", json_boolean(cl->alt_root));
	json_object_set_new(o, "alt_root_label", nullable(cl->alt_root_label));
	json_object_set_new(o, "root_phase_out",
		cl->root_phase_out ? json_string(eku_time_date(cl->root_phase_out, d, sizeof(d))) : json_null());
}

json_t *eku_report_cert_json(const eku_cert *c, const struct eku_classification *cl, int64_t at)
{
	const struct eku_facts *f = eku_cert_facts(c);
	char nb[32], na[32], h1[65], h2[65];
	json_t *o;

	o = json_pack("{s:o,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s}",
		"source", safe_string(eku_cert_source(c)), "index", eku_cert_index(c),
		"container", eku_cert_container(c),
		"subject", f->subject, "issuer", f->issuer, "serial", f->serial,
		"not_before", eku_time_iso(f->not_before, nb, sizeof(nb)),
		"not_after", eku_time_iso(f->not_after, na, sizeof(na)),
		"days_left", (json_int_t)eku_days_between(at, f->not_after),
		"sha256", eku_hex(f->sha256, 32, h1), "spki_sha256", eku_hex(f->spki_sha256, 32, h2));
	if (o == NULL)
		return NULL;
	if (eku_cert_line(c) > 0)
		json_object_set_new(o, "line", json_integer(eku_cert_line(c)));
	json_object_set_new(o, "key_type", json_string(f->key_type));
	json_object_set_new(o, "key_bits", json_integer(f->key_bits));
	json_object_set_new(o, "curve", nullable(f->curve));
	json_object_set_new(o, "signature_algorithm", json_string(f->sig_alg));
	json_object_set_new(o, "eku", strv_json(&f->eku_oids));
	json_object_set_new(o, "eku_names", strv_json(&f->eku_names));
	json_object_set_new(o, "eku_class", json_string(eku_eku_class_name(f->eku_class)));
	json_object_set_new(o, "can_act_as", json_pack("{s:b,s:b}",
		"server", f->can_serve, "client", f->can_client));
	json_object_set_new(o, "key_usage", f->has_key_usage ? key_usage_json(f) : json_null());
	json_object_set_new(o, "is_ca", json_boolean(f->is_ca));
	json_object_set_new(o, "path_len", f->path_len >= 0 ? json_integer(f->path_len) : json_null());
	json_object_set_new(o, "san", san_json(f));
	json_object_set_new(o, "ski", nullable(f->ski));
	json_object_set_new(o, "aki", nullable(f->aki));
	json_object_set_new(o, "crl_distribution_points", strv_json(&f->crl_dp));
	json_object_set_new(o, "ocsp", strv_json(&f->ocsp));
	json_object_set_new(o, "ca_issuers", strv_json(&f->ca_issuers));
	json_object_set_new(o, "policies", strv_json(&f->policies));
	json_object_set_new(o, "scts", json_integer(f->n_scts));
	json_object_set_new(o, "self_signed", json_boolean(f->self_signed));
	if (strcmp(eku_cert_container(c), "TRUSTED CERTIFICATE") == 0)
		json_object_set_new(o, "aux_trust", json_pack("{s:o,s:o}",
			"trusted", strv_json(eku_cert_aux_trusted(c)),
			"rejected", strv_json(eku_cert_aux_rejected(c))));
	if (cl != NULL)
		add_classification(o, cl);
	return o;
}

json_t *eku_report_diag_json(const struct eku_diag *d)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "source", d->source, "code", eku_errcode_name(d->code),
		"class", eku_errclass_name(eku_errcode_class(d->code)), "message", d->message);

	if (o != NULL && d->line > 0)
		json_object_set_new(o, "line", json_integer(d->line));
	if (o != NULL && d->block > 0)
		json_object_set_new(o, "block", json_integer(d->block));
	return o;
}

json_t *eku_report_sunset_json(const struct eku_sunset *s)
{
	char d[16];

	return json_pack("{s:s,s:o,s:s,s:o,s:o,s:s}", "client_use", eku_sunset_verdict_name(s->verdict),
		"breaks_on", s->breaks_on ? json_string(eku_time_date(s->breaks_on, d, sizeof(d))) : json_null(),
		"reason", s->reason != NULL ? s->reason : "",
		"rule", s->rule != NULL ? json_string(s->rule->id) : json_null(),
		"rule_source", s->rule != NULL ? json_string(s->rule->source) : json_null(),
		"explanation", s->explanation);
}
