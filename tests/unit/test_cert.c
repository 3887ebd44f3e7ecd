/* cert: loading every container format, the facts, and one clear diagnostic
 * per unreadable input. Fixtures: tests/data (make-certs.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixtures.h"

#include <eku/cert.h>

struct load_case {
	const char *name;     /* what the case shows */
	const char *file;
	const char *password; /* NULL: none given */
	int want_certs;
	enum eku_errcode want_code; /* EKU_E_OK: no diagnostic */
	const char *want_container;
};

static const struct load_case load_cases[] = {
	{ "single PEM", "leaf-dual.pem", NULL, 1, EKU_E_OK, "PEM" },
	{ "text around and between blocks", "chain-dual.pem", NULL, 3, EKU_E_OK, "PEM" },
	{ "DER", "leaf-dual.der", NULL, 1, EKU_E_OK, "DER" },
	{ "PKCS#7 PEM", "chain.p7b", NULL, 2, EKU_E_OK, "PKCS#7" },
	{ "PKCS#7 DER", "chain.p7c", NULL, 2, EKU_E_OK, "PKCS#7" },
	{ "PKCS#12 empty password", "dual-nopw.p12", NULL, 1, EKU_E_OK, "PKCS#12" },
	{ "PKCS#12 with password", "dual-pw.p12", "correct horse battery staple", 2, EKU_E_OK, "PKCS#12" },
	{ "PKCS#12 legacy RC2 cipher", "dual-legacy.p12", "correct horse battery staple", 1, EKU_E_OK, "PKCS#12" },
	{ "TRUSTED CERTIFICATE", "trusted-root.pem", NULL, 1, EKU_E_OK, "TRUSTED CERTIFICATE" },
	{ "PKCS#12 without password", "dual-pw.p12", NULL, 0, EKU_E_PKCS12_PASSWORD, NULL },
	{ "PKCS#12 wrong password", "dual-pw.p12", "Tr0ub4dor&3", 0, EKU_E_PKCS12_PASSWORD, NULL },
	/* 2^31-1 iterations would keep OpenSSL busy for hours (make-p12-iter.c):
	 * refused before the derivation runs, password given or not. */
	{ "PKCS#12 MAC iterations 2^31-1", "p12-mac-iter-huge.p12", NULL, 0, EKU_E_TOO_COSTLY, NULL },
	{ "PKCS#12 MAC iterations, password given", "p12-mac-iter-huge.p12", "Tr0ub4dor&3", 0, EKU_E_TOO_COSTLY, NULL },
	{ "PKCS#12 encrypted safe iterations 2^31-1", "p12-certbag-iter-huge.p12", NULL, 0, EKU_E_TOO_COSTLY, NULL },
	{ "PKCS#12 key bag iterations 2^31-1", "p12-keybag-iter-huge.p12", NULL, 0, EKU_E_TOO_COSTLY, NULL },
	{ "truncated DER", "truncated.der", NULL, 0, EKU_E_BAD_DER, NULL },
	{ "binary garbage", "garbage.bin", NULL, 0, EKU_E_NO_CERT, NULL },
	{ "empty file", "empty.pem", NULL, 0, EKU_E_EMPTY, NULL },
	{ "bad base64", "bad-base64.pem", NULL, 0, EKU_E_BAD_PEM, NULL },
	{ "missing END keeps earlier blocks", "unterminated.pem", NULL, 1, EKU_E_BAD_PEM, "PEM" },
	{ "private key only", "key-only.pem", NULL, 0, EKU_E_NO_CERT, NULL },
	{ "missing file", "does-not-exist.pem", NULL, 0, EKU_E_IO, NULL },
};

static void test_load_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(load_cases) / sizeof(load_cases[0]); i++) {
		const struct load_case *lc = &load_cases[i];
		eku_loader *ld = eku_loader_new();
		eku_certlist *l = eku_certlist_new();
		eku_diaglist d = { 0 };

		assert_non_null(ld);
		assert_int_equal(eku_loader_set1_password(ld, lc->password), 0);
		eku_loader_load_path(ld, fixture(lc->file), l, &d);
		if ((int)eku_certlist_count(l) != lc->want_certs)
			fail_msg("%s: %zu certificates, want %d", lc->name, eku_certlist_count(l), lc->want_certs);
		if (lc->want_code == EKU_E_OK && d.n != 0)
			fail_msg("%s: unexpected diagnostic: %s", lc->name, d.v[0].message);
		if (lc->want_code != EKU_E_OK && (d.n != 1 || d.v[0].code != lc->want_code))
			fail_msg("%s: want exactly one %s diagnostic, got %zu (%s)", lc->name,
				eku_errcode_name(lc->want_code), d.n, d.n ? eku_errcode_name(d.v[0].code) : "-");
		if (d.n == 1 && strstr(d.v[0].source, lc->file) == NULL)
			fail_msg("%s: diagnostic does not name the file", lc->name);
		if (lc->password != NULL && d.n == 1 && strstr(d.v[0].message, lc->password) != NULL)
			fail_msg("%s: diagnostic echoes the password", lc->name);
		if (lc->want_container != NULL)
			assert_string_equal(eku_cert_container(eku_certlist_get0(l, 0)), lc->want_container);
		eku_diaglist_clear(&d);
		eku_certlist_free(l);
		eku_loader_free(ld);
	}
}

static void test_pem_positions(void **state)
{
	eku_loader *ld = eku_loader_new();
	eku_certlist *l = eku_certlist_new();
	eku_diaglist d = { 0 };

	(void)state;
	eku_loader_load_path(ld, fixture("chain-dual.pem"), l, &d);
	assert_int_equal(eku_certlist_count(l), 3);
	/* Line 1 is the text before the first block. */
	assert_int_equal(eku_cert_line(eku_certlist_get0(l, 0)), 2);
	assert_int_equal(eku_cert_index(eku_certlist_get0(l, 2)), 3);
	assert_true(eku_cert_line(eku_certlist_get0(l, 1)) > 2);
	eku_certlist_free(l);
	eku_certlist_free(NULL);
	eku_loader_free(ld);

	/* The diagnostic of an unterminated block names its line and block. */
	ld = eku_loader_new();
	l = eku_certlist_new();
	eku_loader_load_path(ld, fixture("unterminated.pem"), l, &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].block, 2);
	assert_true(d.v[0].line > 1);
	eku_diaglist_clear(&d);
	eku_certlist_free(l);
	eku_loader_free(ld);
}

/* A loader told which certificates the run holds (eku_loader_set_known)
 * does not parse their copies again: a copy shares the held one's facts and
 * X509, with its own source and position; other certificates are parsed. */
static void test_known_copies_are_shared(void **state)
{
	eku_loader *ld = eku_loader_new();
	eku_certlist *known = eku_certlist_new(), *l = eku_certlist_new();
	eku_diaglist d = { 0 };
	const eku_cert *held, *copy;

	(void)state;
	eku_loader_load_path(ld, fixture("private-ca.pem"), known, &d);
	assert_int_equal(eku_certlist_count(known), 1);
	held = eku_certlist_get0(known, 0);
	eku_loader_set_known(ld, known);
	/* chain-dual.pem: leaf, private CA, root (the CA is block 2). */
	eku_loader_load_path(ld, fixture("chain-dual.pem"), l, &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(eku_certlist_count(l), 3);
	copy = eku_certlist_get0(l, 1);
	assert_memory_equal(eku_cert_facts(copy)->sha256, eku_cert_facts(held)->sha256, 32);
	assert_ptr_equal(eku_cert_facts(copy), eku_cert_facts(held));
	assert_ptr_equal(eku_cert_get0_x509(copy), eku_cert_get0_x509(held));
	assert_int_equal(eku_cert_index(copy), 2);
	assert_int_equal(eku_cert_index(held), 1);
	assert_string_equal(eku_cert_container(copy), "PEM");
	assert_true(strstr(eku_cert_source(copy), "chain-dual.pem") != NULL);
	assert_ptr_not_equal(eku_cert_facts(eku_certlist_get0(l, 0)), eku_cert_facts(held));
	/* The copy outlives the list it was shared from. */
	eku_certlist_free(known);
	eku_loader_set_known(ld, NULL);
	assert_true(eku_cert_facts(copy)->is_ca);
	assert_non_null(eku_cert_get0_x509(copy));
	eku_certlist_free(l);
	eku_loader_free(ld);
}

static void test_size_cap_and_directory(void **state)
{
	eku_loader *ld = eku_loader_new();
	eku_certlist *l = eku_certlist_new();
	eku_diaglist d = { 0 };

	(void)state;
	eku_loader_set_max_bytes(ld, 100);
	assert_int_equal(eku_loader_load_path(ld, fixture("leaf-dual.pem"), l, &d), -1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].code, EKU_E_TOO_LARGE);
	eku_diaglist_clear(&d);

	/* A directory of files with extensions outside the filter is an error. */
	eku_loader_set_max_bytes(ld, EKU_LOADER_DEFAULT_MAX_BYTES);
	assert_int_equal(eku_loader_set_extensions(ld, "nothing"), 0);
	assert_int_equal(eku_loader_load_path(ld, fixture(""), l, &d), -1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].code, EKU_E_NO_CERT);
	eku_diaglist_clear(&d);

	/* With the filter on .der, exactly the DER file and the truncated one. */
	assert_int_equal(eku_loader_set_extensions(ld, ".der"), 0);
	assert_int_equal(eku_loader_load_path(ld, fixture(""), l, &d), 1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].code, EKU_E_BAD_DER);
	eku_diaglist_clear(&d);
	eku_certlist_free(l);
	eku_loader_free(ld);
}

/* Issue 9: links back into the tree (d/a -> ., d/b -> .) made the walk
 * exponential. Each directory and file is read once; each skip is a warning
 * naming the path, so the input still loads, strictly too. */
static void test_directory_link_loops(void **state)
{
	char dir[] = "/tmp/eku-test-loops-XXXXXX", p[512], q[512];
	static const char *const links[][2] = {
		{ ".", "a" }, { ".", "b" }, { "loop.pem", "loop.pem" }, { "leaf.pem", "same.pem" },
		{ "..", "sub/up" },
	};
	eku_loader *ld = eku_loader_new();
	eku_certlist *l = eku_certlist_new();
	eku_diaglist d = { 0 };
	eku_error e = { 0 };
	FILE *in, *out;
	int ch;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/leaf.pem", dir);
	assert_non_null(in = fopen(fixture("leaf-dual.pem"), "r"));
	assert_non_null(out = fopen(p, "w"));
	while ((ch = fgetc(in)) != EOF)
		fputc(ch, out);
	fclose(in);
	fclose(out);
	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, links[i][1]);
		assert_int_equal(symlink(links[i][0], p), 0);
	}
	assert_int_equal(eku_loader_load_path(ld, dir, l, &d), 1);
	assert_int_equal(eku_diaglist_errors(&d), 0);
	assert_int_equal(d.n, 5);
	for (size_t i = 0; i < d.n; i++)
		assert_int_equal(d.v[i].severity, EKU_DIAG_WARNING);
	assert_non_null(strstr(d.v[0].message, "same directory")); /* a, sorted first */
	eku_certlist_free(eku_certlist_load_strict(dir, &e));
	assert_int_equal(e.code, EKU_E_OK);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, links[i][1]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/sub", dir);
	snprintf(q, sizeof(q), "%s/leaf.pem", dir);
	assert_int_equal(rmdir(p) | unlink(q) | rmdir(dir), 0);
	eku_diaglist_clear(&d);
	eku_certlist_free(l);
	eku_loader_free(ld);
}

static const struct eku_cert *load_one(const char *file, eku_certlist **keep)
{
	eku_loader *ld = eku_loader_new();
	eku_diaglist d = { 0 };

	*keep = eku_certlist_new();
	eku_loader_load_path(ld, fixture(file), *keep, &d);
	eku_loader_free(ld);
	assert_int_equal(d.n, 0);
	assert_true(eku_certlist_count(*keep) >= 1);
	return eku_certlist_get0(*keep, 0);
}

static const struct {
	const char *file;
	enum eku_eku_class cls;
	bool server, client;
} class_cases[] = {
	{ "leaf-server-only.pem", EKU_CLASS_SERVER_ONLY, true, false },
	{ "leaf-client-only.pem", EKU_CLASS_CLIENT_ONLY, false, true },
	{ "leaf-dual.pem", EKU_CLASS_SERVER_CLIENT, true, true },
	{ "leaf-none.pem", EKU_CLASS_NONE, true, true },
	/* OpenSSL 3.0 refuses anyExtendedKeyUsage alone for both TLS purposes. */
	{ "leaf-any.pem", EKU_CLASS_ANY, false, false },
	{ "leaf-other.pem", EKU_CLASS_OTHER, false, false },
};

static void test_eku_class(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++) {
		eku_certlist *l;
		const struct eku_facts *f = eku_cert_facts(load_one(class_cases[i].file, &l));
		if (f->eku_class != class_cases[i].cls)
			fail_msg("%s: class %s, want %s", class_cases[i].file, eku_eku_class_name(f->eku_class),
				eku_eku_class_name(class_cases[i].cls));
		assert_int_equal(eku_eku_class_allows_server(f->eku_class), class_cases[i].server);
		assert_int_equal(eku_eku_class_allows_client(f->eku_class), class_cases[i].client);
		eku_certlist_free(l);
	}
}

static void test_facts_dual(void **state)
{
	eku_certlist *l;
	const struct eku_facts *f = eku_cert_facts(load_one("leaf-dual.pem", &l));

	(void)state;
	assert_string_equal(f->subject, "CN=dual.example.test");
	assert_string_equal(f->issuer, "O=eku tests,CN=eku Test Private CA");
	assert_int_equal(f->not_before, 1767225600); /* 2026-01-01 */
	assert_int_equal(f->not_after, 1806537600);  /* 2027-04-01 */
	assert_string_equal(f->key_type, "EC");
	assert_int_equal(f->key_bits, 256);
	assert_string_equal(f->curve, "prime256v1");
	assert_string_equal(f->sig_alg, "ecdsa-with-SHA256");
	assert_int_equal(f->eku_oids.n, 2);
	assert_string_equal(f->eku_oids.v[0], "1.3.6.1.5.5.7.3.1");
	assert_string_equal(f->eku_names.v[1], "clientAuth");
	assert_int_equal(f->n_san, 5);
	assert_int_equal(f->san[0].type, EKU_SAN_DNS);
	assert_string_equal(f->san[1].value, "*.dual.example.test");
	assert_int_equal(f->san[2].type, EKU_SAN_URI);
	assert_int_equal(f->san[3].type, EKU_SAN_EMAIL);
	assert_int_equal(f->san[4].type, EKU_SAN_IP);
	assert_string_equal(f->san[4].value, "2001:db8::1");
	assert_true(f->has_key_usage);
	assert_int_equal(f->key_usage, EKU_KU_DIGITAL_SIGNATURE);
	assert_true(f->has_basic_constraints);
	assert_false(f->is_ca);
	assert_int_equal(f->path_len, -1);
	assert_string_equal(f->crl_dp.v[0], "http://crl.example.test/ca.crl");
	assert_string_equal(f->ocsp.v[0], "http://ocsp.example.test");
	assert_string_equal(f->ca_issuers.v[0], "http://aia.example.test/ca.cer");
	assert_string_equal(f->policies.v[0], "2.23.140.1.2.1");
	assert_non_null(f->ski);
	assert_non_null(f->aki);
	assert_false(f->self_signed);
	assert_int_equal(f->n_scts, 0);
	eku_certlist_free(l);
}

static void test_self_signed_and_ca(void **state)
{
	eku_certlist *l;
	const struct eku_facts *f = eku_cert_facts(load_one("private-root.pem", &l));

	(void)state;
	assert_true(f->self_signed);
	assert_true(f->is_ca);
	assert_int_equal(f->key_usage, EKU_KU_KEY_CERT_SIGN | EKU_KU_CRL_SIGN);
	eku_certlist_free(l);
	f = eku_cert_facts(load_one("selfsigned-dual.pem", &l));
	assert_true(f->self_signed);
	assert_false(f->is_ca);
	eku_certlist_free(l);
}

static void test_sort_by_expiry(void **state)
{
	eku_loader *ld = eku_loader_new();
	eku_certlist *l = eku_certlist_new();
	eku_diaglist d = { 0 };

	(void)state;
	eku_loader_load_path(ld, fixture("leaf-dual.pem"), l, &d);
	eku_loader_load_path(ld, fixture("leaf-dual-expired.pem"), l, &d);
	eku_loader_load_path(ld, fixture("private-ca.pem"), l, &d);
	eku_certlist_sort_by_expiry(l);
	for (size_t i = 1; i < eku_certlist_count(l); i++)
		assert_true(eku_cert_facts(eku_certlist_get0(l, i - 1))->not_after <=
			    eku_cert_facts(eku_certlist_get0(l, i))->not_after);
	assert_string_equal(eku_cert_facts(eku_certlist_get0(l, 0))->subject, "CN=old.example.test");
	eku_certlist_free(l);
	eku_loader_free(ld);
}

static void test_facts_from_der_rejects_trailing(void **state)
{
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
	eku_error e = { 0 };

	(void)state;
	assert_null(eku_facts_from_der(junk, sizeof(junk), &e));
	assert_int_equal(e.code, EKU_E_BAD_DER);
}

static void test_load_strict(void **state)
{
	eku_error e = { 0 };
	eku_certlist *l;

	(void)state;
	l = eku_certlist_load_strict(fixture("chain-dual.pem"), &e);
	assert_non_null(l);
	assert_int_equal(eku_certlist_count(l), 3);
	eku_certlist_free(l);
	/* One bad block spoils a file that must be whole, and says where. */
	assert_null(eku_certlist_load_strict(fixture("unterminated.pem"), &e));
	assert_int_equal(e.code, EKU_E_BAD_PEM);
	assert_non_null(strstr(e.message, "unterminated.pem:19:"));
	eku_error_clear(&e);
	assert_null(eku_certlist_load_strict(fixture("key-only.pem"), &e));
	assert_int_equal(e.code, EKU_E_NO_CERT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_table),
		cmocka_unit_test(test_pem_positions),
		cmocka_unit_test(test_known_copies_are_shared),
		cmocka_unit_test(test_size_cap_and_directory),
		cmocka_unit_test(test_directory_link_loops),
		cmocka_unit_test(test_eku_class),
		cmocka_unit_test(test_facts_dual),
		cmocka_unit_test(test_self_signed_and_ca),
		cmocka_unit_test(test_sort_by_expiry),
		cmocka_unit_test(test_facts_from_der_rejects_trailing),
		cmocka_unit_test(test_load_strict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
