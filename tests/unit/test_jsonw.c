/* The streaming JSON writer (eku/jsonw.h) against jansson 2.14's dump:
 * hand-written edge cases and seeded random values in five flag modes, the
 * UTF-8 acceptance of json_stringn, the writer's misuse errors, and every
 * certificate of tests/data and the system bundle against a verbatim copy of
 * the jansson builder the writer replaced (the ORACLE below). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <eku/jsonw.h>
#include <eku/report.h>
#include <eku/sunset.h>
#include <eku/timeline.h>

#include "fixtures.h"
#include "jsonw_walk.h"

/* jansson's flags and ours are the same bits, so tests pass either. */
_Static_assert(EKU_JSONW_COMPACT == JSON_COMPACT, "compact flag");
_Static_assert(EKU_JSONW_INDENT(7) == JSON_INDENT(7), "indent flags");

static const unsigned modes[] = {
	JSON_COMPACT, JSON_INDENT(2), 0, JSON_INDENT(2) | JSON_COMPACT, JSON_INDENT(31),
};
#define N_MODES (sizeof(modes) / sizeof(modes[0]))

/* Fails the test, showing both texts, unless the writer matches jansson. */
static void assert_same(const json_t *j, const char *what)
{
	for (size_t m = 0; m < N_MODES; m++) {
		char *a, *b;

		if (jsonw_compare(j, modes[m], &a, &b) != 0)
			fail_msg("%s, flags 0x%x:\n jansson: %s\n writer:  %s", what, modes[m],
				a != NULL ? a : "(failed)", b != NULL ? b : "(failed)");
		free(a);
		free(b);
	}
}

/* ------------------------------------------------------------------ */
/* Hand-written edge cases, as JSON text parsed by jansson (with NUL allowed). */

static const struct {
	const char *name;
	const char *json;
} edge_cases[] = {
	{ "empty object", "{}" },
	{ "empty array", "[]" },
	{ "nested empties", "[[],{},[[]],{\"a\":{}},{\"b\":[]},[{}]]" },
	{ "object in object", "{\"a\":{\"b\":{\"c\":1}},\"d\":2}" },
	{ "scalars", "[null,true,false,0,-1,1,\"\"]" },
	{ "int64 extremes", "[9223372036854775807,-9223372036854775808,-9223372036854775807]" },
	{ "quotes and backslashes", "[\"\\\"\",\"\\\\\",\"a\\\"b\\\\c\",\"\\\\\\\"\"]" },
	{ "slashes stay", "[\"/\",\"a/b\",\"\\/\",\"</script>\"]" },
	{ "named escapes", "[\"\\b\\f\\n\\r\\t\"]" },
	{ "control characters", "[\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\","
	  "\"\\u000b\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\","
	  "\"\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\\u007f\\u0080\"]" },
	/* NUL in keys: the parser refuses them; random_value() makes some. */
	{ "NUL inside strings", "{\"a\":\"\\u0000\",\"b\":[\"x\\u0000y\"]}" },
	{ "2-byte UTF-8", "[\"\\u00e9\",\"\\u0080\",\"\\u07ff\",\"caf\xc3\xa9\"]" },
	{ "3-byte UTF-8",
	  "[\"\\u0800\",\"\\u20ac\",\"\\ud7ff\",\"\\ue000\",\"\\uffff\",\"\xe2\x82\xac\"]" },
	{ "4-byte UTF-8",
	  "[\"\\ud83d\\ude00\",\"\\udbff\\udfff\",\"\\ud800\\udc00\",\"\xf0\x9f\x98\x80\"]" },
	{ "UTF-8 keys", "{\"\xc3\xa9\":1,\"\xe2\x82\xac\":2,\"\xf0\x9f\x98\x80\":{\"\\n\":3}}" },
	{ "reals", "[0.0,-0.0,1.5,0.1,1e22,1e-5,1e300,-2.5e-300,123456789012345678.0,1e16,1e17,"
	  "5e-324,1.7976931348623157e308,100.0,0.0001,3.14159]" },
	{ "duplicate keys keep the first place", "{\"a\":1,\"b\":2,\"a\":3}" },
	{ "mixed nesting", "{\"certificates\":[{\"a\":[1,2,{\"b\":null}],\"c\":{}},[]],\"d\":\"e\"}" },
	{ "top-level string", "\"just a string\"" },
	{ "top-level integer", "42" },
	{ "top-level null", "null" },
};

static void test_edge_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(edge_cases) / sizeof(edge_cases[0]); i++) {
		json_error_t err;
		json_t *j = json_loads(edge_cases[i].json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

		if (j == NULL)
			fail_msg("%s: bad test JSON: %s", edge_cases[i].name, err.text);
		assert_same(j, edge_cases[i].name);
		json_decref(j);
	}
}

/* Deep nesting, alternating arrays and objects, past the writer's first
 * stack capacity and jansson's 32-space indentation chunk. */
static void test_deep_nesting(void **state)
{
	json_t *root = json_array(), *cur = root;

	(void)state;
	for (int d = 0; d < 300; d++) {
		json_t *next = d % 2 ? json_array() : json_object();

		if (json_is_array(cur))
			json_array_append_new(cur, next);
		else
			json_object_set_new(cur, "k", next);
		if (d % 7 == 0)
			json_is_array(cur) ? json_array_append_new(cur, json_integer(d)) :
				json_object_set_new(cur, "n", json_integer(d));
		cur = next;
	}
	assert_same(root, "300 levels");
	json_decref(root);
}

/* ------------------------------------------------------------------ */
/* Seeded random values. */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Pieces strings are made of: every escape class and UTF-8 length. */
static const char *const pieces[] = {
	"a", "Z", "0", " ", "\"", "\\", "/", "\x7f", "\b", "\f", "\n", "\r", "\t", "\x01", "\x1f",
	"\x0b", "\x1b", "\xc3\xa9", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xe2\x82\xac",
	"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf0\x9f\x98\x80",
	"\xf4\x8f\xbf\xbf", "<script>", "CN=example.com",
};
#define N_PIECES (sizeof(pieces) / sizeof(pieces[0]))

static size_t random_string(char *buf, size_t cap)
{
	size_t n = rnd() % 12, len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k = rnd() % (N_PIECES + 1);
		size_t pl = k == N_PIECES ? 1 : strlen(pieces[k]);

		if (len + pl > cap)
			break;
		if (k == N_PIECES)
			buf[len] = '\0';    /* an embedded NUL */
		else
			memcpy(buf + len, pieces[k], pl);
		len += pl;
	}
	return len;
}

static json_t *random_scalar(void)
{
	static const int64_t ints[] = { 0, 1, -1, INT64_MAX, INT64_MIN, INT64_MIN + 1, 10, -10 };
	char s[128];
	uint64_t bits;
	double d;

	switch (rnd() % 7) {
	case 0: return json_null();
	case 1: return json_boolean(rnd() & 1);
	case 2: return json_integer(rnd() & 1 ? (int64_t)rnd() : ints[rnd() % 8]);
	case 3:
		bits = rnd();
		memcpy(&d, &bits, sizeof(d));
		return json_real(isfinite(d) ? d : (double)(int64_t)bits / 1000.0);
	case 4: return json_real((double)((int64_t)rnd() % 100000) / 100.0);
	default: return json_stringn(s, random_string(s, sizeof(s)));
	}
}

static json_t *random_value(int depth)
{
	unsigned kind = depth > 5 ? 2 : (unsigned)(rnd() % 3);
	size_t n = rnd() % 6;
	json_t *v;
	char k[128];

	if (kind == 2)
		return random_scalar();
	v = kind == 0 ? json_array() : json_object();
	for (size_t i = 0; i < n; i++) {
		if (kind == 0)
			json_array_append_new(v, random_value(depth + 1));
		else
			json_object_setn_new(v, k, random_string(k, sizeof(k)), random_value(depth + 1));
	}
	return v;
}

static void test_random_values(void **state)
{
	char name[64];

	(void)state;
	for (int i = 0; i < 5000; i++) {
		json_t *j = random_value(0);

		assert_non_null(j);
		snprintf(name, sizeof(name), "random value %d", i);
		assert_same(j, name);
		json_decref(j);
	}
}

/* Random short byte strings, mostly high bytes: the writer accepts exactly
 * what json_stringn accepts (RFC 3629), writes nothing of a rejected string,
 * and matches jansson on the accepted ones. */
static void test_utf8_acceptance(void **state)
{
	static const unsigned char bytes[] = {
		0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0,
		0xed, 0xee, 0xef, 0xf0, 0xf4, 0xf5, 0xf8, 0xfe, 0xff,
	};
	size_t accepted = 0;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		char s[6];
		size_t n = 1 + rnd() % sizeof(s), len;
		eku_jsonw *w = eku_jsonw_new(EKU_JSONW_COMPACT, 0);
		json_t *j;
		int rc;

		for (size_t k = 0; k < n; k++)
			s[k] = (char)bytes[rnd() % sizeof(bytes)];
		j = json_stringn(s, n);
		rc = eku_jsonw_stringn(w, s, n);
		if ((j != NULL) != (rc == 0))
			fail_msg("bytes %zu long: jansson %s, writer %s", n, j ? "accepts" : "rejects",
				rc == 0 ? "accepts" : "rejects");
		if (j == NULL) {
			(void)eku_jsonw_data(w, &len);
			assert_int_equal(len, 0);
			assert_int_equal(eku_jsonw_error(w)->code, EKU_E_BAD_DATA);
		} else {
			accepted++;
			assert_same(j, "valid UTF-8 string");
		}
		json_decref(j);
		eku_jsonw_free(w);
	}
	/* Both outcomes must have been exercised. */
	assert_true(accepted > 1000 && accepted < 199000);
}

/* ------------------------------------------------------------------ */
/* The writer's own contract: misuse fails with the error in the writer. */

static void expect_text(eku_jsonw *w, const char *want)
{
	size_t len;
	const char *got = eku_jsonw_data(w, &len);

	if (len != strlen(want) || memcmp(got, want, len) != 0)
		fail_msg("writer wrote \"%.*s\", want \"%s\"", (int)len, got, want);
}

static void test_misuse(void **state)
{
	eku_jsonw *w = eku_jsonw_new(EKU_JSONW_COMPACT, 0);

	(void)state;
	/* A value where a key is due; the error is sticky. */
	assert_int_equal(eku_jsonw_object_begin(w), 0);
	assert_int_equal(eku_jsonw_integer(w, 1), -1);
	assert_int_equal(eku_jsonw_error(w)->code, EKU_E_USAGE);
	assert_int_equal(eku_jsonw_key(w, "a"), -1);
	eku_jsonw_reset(w);
	/* Key outside an object, mismatched end, end while a value is due. */
	assert_int_equal(eku_jsonw_key(w, "a"), -1);
	eku_jsonw_reset(w);
	assert_int_equal(eku_jsonw_array_begin(w), 0);
	assert_int_equal(eku_jsonw_object_end(w), -1);
	eku_jsonw_reset(w);
	assert_int_equal(eku_jsonw_object_begin(w), 0);
	assert_int_equal(eku_jsonw_key(w, "a"), 0);
	assert_int_equal(eku_jsonw_object_end(w), -1);
	eku_jsonw_reset(w);
	/* NULL strings, NaN, raw bytes inside a container, depth inside one. */
	assert_int_equal(eku_jsonw_string(w, NULL), -1);
	assert_int_equal(eku_jsonw_error(w)->code, EKU_E_USAGE);
	eku_jsonw_reset(w);
	assert_int_equal(eku_jsonw_real(w, NAN), -1);
	eku_jsonw_reset(w);
	assert_int_equal(eku_jsonw_array_begin(w), 0);
	assert_int_equal(eku_jsonw_raw(w, "\n", 1), -1);
	eku_jsonw_reset(w);
	assert_int_equal(eku_jsonw_array_begin(w), 0);
	assert_int_equal(eku_jsonw_set_depth(w, 2), -1);
	eku_jsonw_reset(w);
	/* An invalid string leaves the text as it was before the call. */
	assert_int_equal(eku_jsonw_array_begin(w), 0);
	assert_int_equal(eku_jsonw_string(w, "ok"), 0);
	assert_int_equal(eku_jsonw_string(w, "bad \xc3"), -1);
	assert_int_equal(eku_jsonw_error(w)->code, EKU_E_BAD_DATA);
	expect_text(w, "[\"ok\"");
	eku_jsonw_free(w);
	assert_null(eku_jsonw_new(0x40, 0));
}

/* The maximum size holds, the buffer grows past its first capacity, and
 * JSON Lines come from raw newlines between top-level values. */
static void test_limits_and_lines(void **state)
{
	eku_jsonw *w = eku_jsonw_new(EKU_JSONW_COMPACT, 16);

	(void)state;
	assert_int_equal(eku_jsonw_string(w, "0123456789abcd"), 0);
	assert_int_equal(eku_jsonw_raw(w, "\n", 1), -1);
	assert_int_equal(eku_jsonw_error(w)->code, EKU_E_TOO_LARGE);
	eku_jsonw_free(w);
	w = eku_jsonw_new(EKU_JSONW_COMPACT, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(eku_jsonw_object_begin(w) || eku_jsonw_key(w, "i") ||
			eku_jsonw_integer(w, i) || eku_jsonw_object_end(w) || eku_jsonw_raw(w, "\n", 1), 0);
	expect_text(w, "{\"i\":0}\n{\"i\":1}\n{\"i\":2}\n");
	eku_jsonw_drain(w);
	expect_text(w, "");
	for (int i = 0; i < 10000; i++)
		assert_int_equal(eku_jsonw_string(w, "0123456789"), 0);
	assert_true(eku_jsonw_complete(w));
	eku_jsonw_free(w);
}

/* Flushing to a descriptor writes everything and empties the buffer; a bad
 * descriptor is an io error. */
static void test_flush_fd(void **state)
{
	eku_jsonw *w = eku_jsonw_new(EKU_JSONW_INDENT(2), 0);
	int fds[2];
	char got[64];
	size_t len;
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(eku_jsonw_array_begin(w) || eku_jsonw_string(w, "a/\xc3\xa9") ||
		eku_jsonw_object_begin(w) || eku_jsonw_object_end(w) || eku_jsonw_array_end(w), 0);
	assert_int_equal(eku_jsonw_flush_fd(w, fds[1]), 0);
	(void)eku_jsonw_data(w, &len);
	assert_int_equal(len, 0);
	n = read(fds[0], got, sizeof(got) - 1);
	assert_true(n > 0);
	got[n] = '\0';
	assert_string_equal(got, "[\n  \"a/\xc3\xa9\",\n  {}\n]");
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(eku_jsonw_null(w), 0);
	assert_int_equal(eku_jsonw_flush_fd(w, -1), -1);
	assert_int_equal(eku_jsonw_error(w)->code, EKU_E_IO);
	eku_jsonw_free(w);
}

/* ------------------------------------------------------------------ */
/* ORACLE: a verbatim copy of src/lib/report_cert.c as it was before the
 * writer (commit 13beb5e), only the three public functions renamed
 * oracle_*_json and made static. The writer's certificate, sunset and
 * diagnostic objects must dump to the same bytes. Do not edit to make a
 * test pass: a difference is a change of eku's JSON. */

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

static json_t *oracle_cert_json(const eku_cert *c, const struct eku_classification *cl, int64_t at)
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

static json_t *oracle_diag_json(const struct eku_diag *d)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "source", d->source, "code", eku_errcode_name(d->code),
		"class", eku_errclass_name(eku_errcode_class(d->code)), "message", d->message);

	if (o != NULL && d->line > 0)
		json_object_set_new(o, "line", json_integer(d->line));
	if (o != NULL && d->block > 0)
		json_object_set_new(o, "block", json_integer(d->block));
	return o;
}

static json_t *oracle_sunset_json(const struct eku_sunset *s)
{
	char d[16];

	return json_pack("{s:s,s:o,s:s,s:o,s:o,s:s}", "client_use", eku_sunset_verdict_name(s->verdict),
		"breaks_on", s->breaks_on ? json_string(eku_time_date(s->breaks_on, d, sizeof(d))) : json_null(),
		"reason", s->reason != NULL ? s->reason : "",
		"rule", s->rule != NULL ? json_string(s->rule->id) : json_null(),
		"rule_source", s->rule != NULL ? json_string(s->rule->source) : json_null(),
		"explanation", s->explanation);
}

/* END OF ORACLE */
/* ------------------------------------------------------------------ */

struct corpus {
	eku_certlist *certs;
	eku_diaglist diags;
	eku_trust *trust;
	eku_timeline *pol;
	int64_t at;
};

/* tests/data and the system bundle, classified with a trust built as eku
 * inspect builds it by default (cli_trust_build: the data directory, the
 * system bundle). */
static void corpus_load(struct corpus *k)
{
	static const char bundle[] = "/etc/ssl/certs/ca-certificates.crt";
	eku_loader *ld = eku_loader_new();
	FILE *f;

	memset(k, 0, sizeof(*k));
	k->certs = eku_certlist_new();
	eku_loader_load_path(ld, fixture(""), k->certs, &k->diags);
	if ((f = fopen(bundle, "r")) != NULL) {
		fclose(f);
		eku_loader_load_path(ld, bundle, k->certs, &k->diags);
	} else {
		print_message("note: no %s, only tests/data is compared\n", bundle);
	}
	eku_loader_free(ld);
	eku_certlist_sort_by_expiry(k->certs);
	k->trust = eku_trust_new();
	assert_int_equal(eku_trust_set_data_dir(k->trust, NULL), 0);
	assert_int_equal(eku_trust_load_data(k->trust), 0);
	assert_int_equal(eku_trust_add_system(k->trust, NULL), 0);
	k->pol = eku_timeline_new();
	assert_int_equal(eku_timeline_load(k->pol, NULL), 0);
	assert_int_equal(eku_time_parse("2026-06-01", &k->at), 0);
	/* tests/data alone holds more than 20 certificates and some bad files. */
	assert_true(eku_certlist_count(k->certs) > 20);
	assert_true(k->diags.n > 0);
}

static void corpus_free(struct corpus *k)
{
	eku_certlist_free(k->certs);
	eku_diaglist_clear(&k->diags);
	eku_trust_free(k->trust);
	eku_timeline_free(k->pol);
}

/* The writer's text of one value must equal json_dumps(oracle, flags). */
static void assert_text(eku_jsonw *w, json_t *oracle, unsigned flags, const char *what)
{
	char *want = json_dumps(oracle, flags);
	size_t len;
	const char *got = eku_jsonw_data(w, &len);

	assert_non_null(want);
	if (eku_jsonw_error(w)->code != EKU_E_OK)
		fail_msg("%s: writer failed: %s", what, eku_jsonw_error(w)->message);
	if (len != strlen(want) || memcmp(got, want, len) != 0)
		fail_msg("%s, flags 0x%x:\n oracle: %s\n writer: %.*s", what, flags, want, (int)len, got);
	free(want);
}

/* The object eku inspect emits: the certificate, then "sunset". */
static int inspect_object_write(eku_jsonw *w, const eku_cert *c,
	const struct eku_classification *cl,
	int64_t at, const struct eku_sunset *sun)
{
	return eku_jsonw_object_begin(w) || eku_report_cert_write_fields(w, c, cl, at) ||
		eku_jsonw_key(w, "sunset") || eku_report_sunset_write(w, sun) || eku_jsonw_object_end(w);
}

static void check_one_cert(const struct corpus *k, const eku_cert *c, const char *what)
{
	struct eku_classification *cl = eku_trust_classify(k->trust, c, k->certs);
	json_t *plain = oracle_cert_json(c, NULL, k->at), *full, *view, *sunset;
	struct eku_sunset sun;

	assert_non_null(cl);
	assert_non_null(plain);
	full = oracle_cert_json(c, cl, k->at);
	eku_sunset_judge(k->pol, c, cl, k->at, &sun);
	sunset = oracle_sunset_json(&sun);
	for (size_t m = 0; m < 2; m++) {
		unsigned flags = m == 0 ? JSON_COMPACT : JSON_INDENT(2);
		eku_jsonw *w = eku_jsonw_new(flags, 0);

		assert_int_equal(eku_report_cert_write(w, c, NULL, k->at), 0);
		assert_text(w, plain, flags, what);
		eku_jsonw_reset(w);
		assert_int_equal(eku_report_cert_write(w, c, cl, k->at), 0);
		assert_text(w, full, flags, what);
		eku_jsonw_reset(w);
		assert_int_equal(eku_report_sunset_write(w, &sun), 0);
		assert_text(w, sunset, flags, what);
		eku_jsonw_free(w);
	}
	/* The jansson view (scan, verify) is the same object. */
	view = eku_report_cert_json(c, cl, k->at);
	assert_non_null(view);
	assert_true(json_equal(view, full));
	json_decref(view);
	json_decref(plain);
	json_decref(full);
	json_decref(sunset);
	eku_classification_free(cl);
}

static void test_cert_objects(void **state)
{
	struct corpus k;
	char what[256];

	(void)state;
	corpus_load(&k);
	for (size_t i = 0; i < eku_certlist_count(k.certs); i++) {
		const eku_cert *c = eku_certlist_get0(k.certs, i);

		snprintf(what, sizeof(what), "%s #%d", eku_cert_source(c), eku_cert_index(c));
		check_one_cert(&k, c, what);
	}
	for (size_t i = 0; i < k.diags.n; i++) {
		eku_jsonw *w = eku_jsonw_new(JSON_COMPACT, 0);
		json_t *o = oracle_diag_json(&k.diags.v[i]), *view = eku_report_diag_json(&k.diags.v[i]);

		assert_int_equal(eku_report_diag_write(w, &k.diags.v[i]), 0);
		assert_text(w, o, JSON_COMPACT, k.diags.v[i].source);
		assert_true(json_equal(view, o));
		json_decref(o);
		json_decref(view);
		eku_jsonw_free(w);
	}
	print_message("compared %zu certificates and %zu diagnostics\n",
		eku_certlist_count(k.certs), k.diags.n);
	corpus_free(&k);
}

/* The whole inspect document, built as cmd_inspect.c's emit() builds it
 * with the oracle, against a streamed one: the skeleton on one writer, each
 * certificate formatted on its own writer at the skeleton's depth and
 * spliced in, the output drained in pieces. Also the JSON Lines form. */
static void test_streamed_document(void **state)
{
	struct corpus k;
	json_t *doc, *arr, *errs, *warns;
	eku_jsonw *dw = eku_jsonw_new(JSON_INDENT(2), 0), *cw = eku_jsonw_new(JSON_INDENT(2), 0);
	eku_jsonw *lw = eku_jsonw_new(JSON_COMPACT, 0);
	char *want, *lines = NULL;
	size_t len, lines_len = 0, got_len = 0, cap = 1 << 20;
	char *got = malloc(cap);
	FILE *lf = open_memstream(&lines, &lines_len);
	const char *text;

	(void)state;
	corpus_load(&k);
	doc = json_pack("{s:s,s:[],s:[],s:[]}", "schema", EKU_SCHEMA, "certificates", "errors",
		"warnings");
	arr = json_object_get(doc, "certificates");
	errs = json_object_get(doc, "errors");
	warns = json_object_get(doc, "warnings");
	assert_int_equal(eku_jsonw_object_begin(dw) || eku_jsonw_key(dw, "schema") ||
		eku_jsonw_string(dw, EKU_SCHEMA) || eku_jsonw_key(dw, "certificates") ||
		eku_jsonw_array_begin(dw), 0);
	for (size_t i = 0; i < eku_certlist_count(k.certs); i++) {
		const eku_cert *c = eku_certlist_get0(k.certs, i);
		struct eku_classification *cl = eku_trust_classify(k.trust, c, k.certs);
		struct eku_sunset sun;
		json_t *j;

		eku_sunset_judge(k.pol, c, cl, k.at, &sun);
		j = oracle_cert_json(c, cl, k.at);
		assert_int_equal(json_object_set_new(j, "sunset", oracle_sunset_json(&sun)), 0);
		json_array_append_new(arr, j);
		eku_jsonw_reset(cw);
		assert_int_equal(eku_jsonw_set_depth(cw, eku_jsonw_depth(dw)), 0);
		assert_int_equal(inspect_object_write(cw, c, cl, k.at, &sun), 0);
		text = eku_jsonw_data(cw, &len);
		assert_int_equal(eku_jsonw_splice(dw, text, len), 0);
		text = eku_jsonw_data(dw, &len);
		assert_true(got_len + len <= cap);
		memcpy(got + got_len, text, len);
		got_len += len;
		eku_jsonw_drain(dw);
		assert_int_equal(inspect_object_write(lw, c, cl, k.at, &sun) || eku_jsonw_raw(lw, "\n", 1), 0);
		if (i % 16 == 0)
			assert_int_equal(eku_jsonw_flush(lw, lf), 0);
		eku_classification_free(cl);
	}
	assert_int_equal(eku_jsonw_flush(lw, lf), 0);
	assert_int_equal(eku_jsonw_array_end(dw) || eku_jsonw_key(dw, "errors") ||
		eku_jsonw_array_begin(dw), 0);
	for (size_t i = 0; i < k.diags.n; i++)
		if (k.diags.v[i].severity != EKU_DIAG_WARNING) {
			json_array_append_new(errs, oracle_diag_json(&k.diags.v[i]));
			assert_int_equal(eku_report_diag_write(dw, &k.diags.v[i]), 0);
		}
	assert_int_equal(eku_jsonw_array_end(dw) || eku_jsonw_key(dw, "warnings") ||
		eku_jsonw_array_begin(dw), 0);
	for (size_t i = 0; i < k.diags.n; i++)
		if (k.diags.v[i].severity == EKU_DIAG_WARNING) {
			json_array_append_new(warns, oracle_diag_json(&k.diags.v[i]));
			assert_int_equal(eku_report_diag_write(dw, &k.diags.v[i]), 0);
		}
	assert_int_equal(eku_jsonw_array_end(dw) || eku_jsonw_object_end(dw), 0);
	assert_true(eku_jsonw_complete(dw));
	text = eku_jsonw_data(dw, &len);
	assert_true(got_len + len <= cap);
	memcpy(got + got_len, text, len);
	got_len += len;
	want = json_dumps(doc, JSON_INDENT(2));
	assert_int_equal(got_len, strlen(want));
	assert_memory_equal(got, want, got_len);
	free(want);
	/* JSON Lines: one compact object and a newline per certificate. */
	fclose(lf);
	{
		size_t off = 0;

		for (size_t i = 0; i < json_array_size(arr); i++) {
			char *one = json_dumps(json_array_get(arr, i), JSON_COMPACT);
			size_t n = strlen(one);

			assert_true(off + n + 1 <= lines_len);
			assert_memory_equal(lines + off, one, n);
			assert_int_equal(lines[off + n], '\n');
			off += n + 1;
			free(one);
		}
		assert_int_equal(off, lines_len);
	}
	free(lines);
	free(got);
	json_decref(doc);
	eku_jsonw_free(dw);
	eku_jsonw_free(cw);
	eku_jsonw_free(lw);
	corpus_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_random_values),
		cmocka_unit_test(test_utf8_acceptance),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_limits_and_lines),
		cmocka_unit_test(test_flush_fd),
		cmocka_unit_test(test_cert_objects),
		cmocka_unit_test(test_streamed_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
