/* eku verify: role-aware path validation with an EKU policy, explained. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/cert.h>
#include <eku/verify.h>

#include "commands.h"
#include "common.h"

static const char usage_text[] =
	"usage: eku verify --role client|server [options] CERT\n"
	"\n"
	"Validates CERT (leaf first; further certificates in the file are offered as\n"
	"intermediates) as a TLS client or server certificate: RFC 5280 path validation\n"
	"by OpenSSL plus the EKU policy. Prints the verdict, the chain as built, every\n"
	"failure with a stable code, and what each other policy would decide.\n"
	"Exit 0 pass, 1 fail, 2 usage or input error.\n"
	"\n"
	"options:\n"
	"  --role ROLE         client (peer authenticates as TLS client) or server\n"
	"  --trust SRC         anchors: FILE, 'system' (system bundle) or 'chrome'\n"
	"                      (system roots in the Chrome Root Store snapshot);\n"
	"                      repeatable\n"
	"  --untrusted FILE    intermediates; repeatable\n"
	"  --crl FILE          CRLs (PEM or DER); any CRL turns on revocation checks for\n"
	"                      the whole chain; repeatable\n"
	"  --name HOST         expected DNS name or IP address of the peer\n"
	"  --policy P          enforce (default), ignore-client-eku, permissive or off\n"
	"  --profile P         openssl (default: what openssl verify checks) or strict\n"
	"                      (also RFC 5280 / CA/B Forum structure: AKI, SKI,\n"
	"                      critical CA basicConstraints, serial, time encoding;\n"
	"                      docs/verify.md)\n"
	"  --allow-dns PATTERN allow-list: DNS SAN, '*.example' for one label; repeatable\n"
	"  --allow-uri URI     allow-list: URI SAN; repeatable\n"
	"  --allow-ip ADDR     allow-list: IP SAN or CIDR prefix; repeatable\n"
	"  --allow-cn NAME     allow-list: subject common name; repeatable\n"
	"  --allow-spki X      allow-list: SHA-256 of the key (hex) or a certificate FILE\n"
	"  --partial-chain     accept an intermediate given with --trust as the anchor\n"
	"\n"
	"certificate policies (RFC 5280 6.1.1 inputs; processing is always on):\n"
	"  --policy-oid OID    initial policy set: a dotted certificate policy OID the\n"
	"                      path must be valid for; repeatable (default: anyPolicy)\n"
	"  --explicit-policy   require a valid policy for the whole path\n"
	"                      (initial-explicit-policy)\n"
	"  --inhibit-policy-mapping  ignore policy mappings\n"
	"                            (initial-policy-mapping-inhibit)\n"
	"  --inhibit-any-policy      anyPolicy in a certificate matches nothing\n"
	"                            (initial-any-policy-inhibit)\n"
	"\n"
	"  --auth-level N      OpenSSL security level for keys and digests (default 1)\n"
	"  --format FMT        text|json (default text)\n"
	CLI_COMMON_HELP
	"\n"
	"examples:\n"
	"  eku verify --role client --trust system --policy ignore-client-eku \\\n"
	"      --allow-dns sip.partner.example peer.pem\n"
	"  eku verify --role server --trust ca.pem --name expe.example \\\n"
	"      --at 2027-03-15 expe.pem\n"
	"  eku verify --role client --trust ca.pem \\\n"
	"      --policy-oid 2.16.840.1.101.3.2.1.48.1 --explicit-policy peer.pem\n";

struct verify_opts {
	struct cli_common common;
	enum eku_verify_role role;
	bool role_given;
	enum eku_verify_policy policy;
	enum eku_verify_profile profile;
	eku_strv trust, untrusted, crl, policy_oids;
	const char *name;
	bool partial_chain;
	bool explicit_policy, inhibit_map, inhibit_any;
	int auth_level;
	const char *cert;
};

enum { O_ROLE = 0x2000, O_TRUST, O_UNTRUSTED, O_CRL, O_NAME, O_POLICY, O_DNS, O_URI, O_IP,
	O_CN, O_SPKI, O_PARTIAL, O_AUTH, O_POLICY_OID, O_EXPLICIT, O_INHIBIT_MAP, O_INHIBIT_ANY,
	O_PROFILE };

static const struct option longopts[] = {
	{ "role", required_argument, NULL, O_ROLE },
	{ "trust", required_argument, NULL, O_TRUST },
	{ "untrusted", required_argument, NULL, O_UNTRUSTED },
	{ "crl", required_argument, NULL, O_CRL },
	{ "name", required_argument, NULL, O_NAME },
	{ "policy", required_argument, NULL, O_POLICY },
	{ "profile", required_argument, NULL, O_PROFILE },
	{ "allow-dns", required_argument, NULL, O_DNS },
	{ "allow-uri", required_argument, NULL, O_URI },
	{ "allow-ip", required_argument, NULL, O_IP },
	{ "allow-cn", required_argument, NULL, O_CN },
	{ "allow-spki", required_argument, NULL, O_SPKI },
	{ "partial-chain", no_argument, NULL, O_PARTIAL },
	{ "auth-level", required_argument, NULL, O_AUTH },
	{ "policy-oid", required_argument, NULL, O_POLICY_OID },
	{ "explicit-policy", no_argument, NULL, O_EXPLICIT },
	{ "inhibit-policy-mapping", no_argument, NULL, O_INHIBIT_MAP },
	{ "inhibit-any-policy", no_argument, NULL, O_INHIBIT_ANY },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static int allow_option(eku_allowlist *al, int c, const char *arg)
{
	int rc;

	switch (c) {
	case O_DNS: rc = eku_allowlist_add_dns(al, arg); break;
	case O_URI: rc = eku_allowlist_add_uri(al, arg); break;
	case O_IP: rc = eku_allowlist_add_ip(al, arg); break;
	case O_CN: rc = eku_allowlist_add_cn(al, arg); break;
	case O_SPKI: rc = eku_allowlist_add_spki(al, arg); break;
	default: return 0;
	}
	if (rc != 0) {
		cli_error("%s", eku_allowlist_error(al)->message);
		return -1;
	}
	return 1;
}

static int own_option(struct verify_opts *o, int c, const char *arg)
{
	char *end;

	switch (c) {
	case O_ROLE:
		if (eku_verify_role_parse(arg, &o->role) != 0) {
			cli_error("--role %s: use client or server", arg);
			return -1;
		}
		o->role_given = true;
		return 0;
	case O_POLICY:
		if (eku_verify_policy_parse(arg, &o->policy) != 0) {
			cli_error("--policy %s: use enforce, ignore-client-eku, permissive or off", arg);
			return -1;
		}
		return 0;
	case O_PROFILE:
		if (eku_verify_profile_parse(arg, &o->profile) != 0) {
			cli_error("--profile %s: use openssl or strict", arg);
			return -1;
		}
		return 0;
	case O_TRUST: return eku_strv_push(&o->trust, arg);
	case O_UNTRUSTED: return eku_strv_push(&o->untrusted, arg);
	case O_CRL: return eku_strv_push(&o->crl, arg);
	case O_NAME: o->name = arg; return 0;
	case O_PARTIAL: o->partial_chain = true; return 0;
	case O_POLICY_OID: return eku_strv_push(&o->policy_oids, arg);
	case O_EXPLICIT: o->explicit_policy = true; return 0;
	case O_INHIBIT_MAP: o->inhibit_map = true; return 0;
	case O_INHIBIT_ANY: o->inhibit_any = true; return 0;
	case O_AUTH:
		o->auth_level = (int)strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || o->auth_level < 0 || o->auth_level > 5) {
			cli_error("--auth-level %s: use 0..5", arg);
			return -1;
		}
		return 0;
	case 'h': cli_help(stdout, usage_text); exit(0);
	default:
		return -1; /* cli_getopt said why */
	}
}

static int parse_args(int argc, char **argv, struct verify_opts *o, eku_allowlist *al)
{
	int c, r;

	while ((c = cli_getopt(argc, argv, "qh", longopts)) != -1) {
		r = cli_common_option(&o->common, c, optarg, 1u << FMT_TEXT | 1u << FMT_JSON);
		if (r == 0)
			r = allow_option(al, c, optarg);
		if (r == 0)
			r = own_option(o, c, optarg) == 0 ? 1 : -1;
		if (r < 0)
			return -1;
	}
	if (!o->role_given) {
		cli_error("--role is required; example: eku verify --role client --trust ca.pem peer.pem");
		return -1;
	}
	if (optind + 1 != argc) {
		cli_error("give exactly one certificate file; example: eku verify --role client "
			  "--trust ca.pem peer.pem");
		return -1;
	}
	o->cert = argv[optind];
	/* A directory would be walked and its first certificate taken as CERT. */
	return cli_check_file("CERT", o->cert);
}

static int add_trust(eku_verify_config *cfg, const struct verify_opts *o, const char *t)
{
	if (strcmp(t, "system") == 0)
		return eku_verify_config_add_trust_system(cfg, NULL);
	if (strcmp(t, "chrome") == 0)
		return eku_verify_config_add_trust_chrome(cfg, NULL, o->common.data_dir);
	return eku_verify_config_add_trust_file(cfg, t);
}

static eku_verify_config *make_config(const struct verify_opts *o, eku_allowlist *al)
{
	eku_verify_config *cfg = eku_verify_config_new();

	if (cfg == NULL) {
		cli_error("out of memory");
		return NULL;
	}
	if (eku_verify_config_set_role(cfg, o->role) != 0 ||
	    eku_verify_config_set_policy(cfg, o->policy) != 0 ||
	    eku_verify_config_set_profile(cfg, o->profile) != 0 ||
	    eku_verify_config_set_time(cfg, o->common.at) != 0 ||
	    eku_verify_config_set_name(cfg, o->name) != 0 ||
	    eku_verify_config_set_auth_level(cfg, o->auth_level) != 0 ||
	    eku_verify_config_set1_allowlist(cfg, al) != 0)
		goto fail;
	eku_verify_config_set_partial_chain(cfg, o->partial_chain);
	eku_verify_config_set_explicit_policy(cfg, o->explicit_policy);
	eku_verify_config_set_inhibit_policy_mapping(cfg, o->inhibit_map);
	eku_verify_config_set_inhibit_any_policy(cfg, o->inhibit_any);
	for (size_t i = 0; i < o->policy_oids.n; i++)
		if (eku_verify_config_add_policy_oid(cfg, o->policy_oids.v[i]) != 0)
			goto fail;
	for (size_t i = 0; i < o->trust.n; i++)
		if (add_trust(cfg, o, o->trust.v[i]) != 0)
			goto fail;
	for (size_t i = 0; i < o->untrusted.n; i++)
		if (eku_verify_config_add_untrusted_file(cfg, o->untrusted.v[i]) != 0)
			goto fail;
	for (size_t i = 0; i < o->crl.n; i++)
		if (eku_verify_config_add_crl_file(cfg, o->crl.v[i]) != 0)
			goto fail;
	if (eku_verify_config_check(cfg) != 0)
		goto fail;
	if (o->trust.n == 0)
		cli_note("no --trust given: nothing is trusted, so the chain cannot end at an anchor; "
			 "add --trust FILE or --trust system");
	return cfg;
fail:
	cli_error("%s", eku_verify_config_error(cfg)->message);
	eku_verify_config_free(cfg);
	return NULL;
}

static eku_certlist *load_cert(const char *path)
{
	eku_loader *ld = eku_loader_new();
	eku_certlist *l = eku_certlist_new();
	eku_diaglist diags = { 0 };

	if (ld == NULL || l == NULL)
		goto fail;
	if (eku_loader_load_path(ld, path, l, &diags) <= 0 || eku_certlist_count(l) == 0) {
		const struct eku_diag *d = diags.n ? &diags.v[0] : NULL;
		/* The format hint helps with unreadable contents only, not with a
		 * missing file, a size or work limit or a password. */
		const char *hint = d == NULL || eku_errcode_class(d->code) == EKU_ERRCLASS_PARSE
					   ? "; give a PEM, DER, PKCS#7 or PKCS#12 certificate" : "";
		if (d != NULL && d->line > 0)
			cli_error("%s:%d: %s%s", d->source, d->line, d->message, hint);
		else
			cli_error("%s: %s%s", d ? d->source : path, d ? d->message : "no certificate found",
				hint);
		goto fail;
	}
	for (size_t i = 0; i < diags.n; i++)
		cli_warn("%s: %s (skipped)", diags.v[i].source, diags.v[i].message);
	/* Verification needs OpenSSL's X509 of each, built here on first use:
	 * say which certificate it could not build (eku_verify_cert cannot). */
	for (size_t i = 0; i < eku_certlist_count(l); i++) {
		eku_error err = { 0 };
		if (eku_cert_get0_x509_err(eku_certlist_get0(l, i), &err) == NULL) {
			cli_error("%s", err.message);
			goto fail;
		}
	}
	eku_diaglist_clear(&diags);
	eku_loader_free(ld);
	return l;
fail:
	eku_diaglist_clear(&diags);
	eku_loader_free(ld);
	eku_certlist_free(l);
	return NULL;
}

static void print_text(const eku_verify_result *r, const struct cli_palette *p)
{
	bool pass = eku_verify_result_passed(r), clean = eku_verify_result_clean(r);
	char nb[16], na[16];

	printf("%s%s%s under %s as TLS %s%s\n", pass ? p->green : p->red,
		pass ? (clean ? "PASS" : "PASS (would fail under enforce)") : "FAIL", p->reset,
		eku_verify_policy_name(eku_verify_result_policy(r)),
		eku_verify_role_name(eku_verify_result_role(r)),
		eku_verify_result_allowed_by(r) ? "" : "");
	printf("\nchain as built:\n");
	for (size_t i = 0; i < eku_verify_result_chain_len(r); i++) {
		const struct eku_facts *f = eku_cert_facts(eku_verify_result_chain_get0(r, i));
		printf("  %zu %s\n    %s[%s] %s .. %s%s\n", i, f->subject, p->dim,
			eku_eku_class_name(f->eku_class), eku_time_date(f->not_before, nb, sizeof(nb)),
			eku_time_date(f->not_after, na, sizeof(na)), p->reset);
	}
	if (eku_verify_result_error_count(r) > 0)
		printf("\n%s:\n", pass ? "would fail" : "failures");
	for (size_t i = 0; i < eku_verify_result_error_count(r); i++) {
		const struct eku_verify_error *e = eku_verify_result_error_get0(r, i);
		printf("  %s%s%s", p->bold, eku_verify_code_name(e->code), p->reset);
		if (e->depth >= 0)
			printf(" (depth %d)", e->depth);
		printf(": %s\n", e->message);
	}
	printf("\nunder other policies:\n");
	for (int q = 0; q < EKU_VERIFY_POLICY_COUNT; q++) {
		bool ok;
		const char *why;
		if (q == (int)eku_verify_result_policy(r) ||
		    eku_verify_result_under(r, (enum eku_verify_policy)q, &ok, &why) != 0)
			continue;
		printf("  %s under %s: %s\n", ok ? "passes" : "fails",
			eku_verify_policy_name((enum eku_verify_policy)q), why);
	}
}

static int run(const struct verify_opts *o, eku_allowlist *al)
{
	eku_verify_config *cfg = NULL;
	eku_verify_result *r = NULL;
	eku_certlist *certs = NULL, *extra = NULL;
	int rc = 2;

	if ((certs = load_cert(o->cert)) == NULL || (cfg = make_config(o, al)) == NULL)
		goto out;
	if ((extra = eku_certlist_new()) == NULL)
		goto out;
	for (size_t i = 1; i < eku_certlist_count(certs); i++)
		if (eku_certlist_push0(extra, eku_cert_up_ref(eku_certlist_get0(certs, i))) != 0)
			goto out;
	if (eku_verify_cert(cfg, eku_certlist_get0(certs, 0), extra, &r) != 0) {
		cli_error("%s: verification could not run (out of memory)", o->cert);
		goto out;
	}
	if (o->common.format == FMT_JSON) {
		json_t *j = eku_verify_result_json(r);
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else {
		struct cli_palette pal = cli_palette(cli_use_color(o->common.color, stdout));
		print_text(r, &pal);
	}
	rc = eku_verify_result_passed(r) ? 0 : 1;
out:
	eku_verify_result_free(r);
	eku_verify_config_free(cfg);
	eku_certlist_free(certs);
	eku_certlist_free(extra);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	struct verify_opts o = { .auth_level = 1 };
	eku_allowlist *al = eku_allowlist_new();
	int rc = 2;

	cli_common_init(&o.common);
	if (al == NULL)
		goto out;
	if (parse_args(argc, argv, &o, al) == 0)
		rc = run(&o, al);
out:
	eku_allowlist_free(al);
	eku_strv_clear(&o.trust);
	eku_strv_clear(&o.untrusted);
	eku_strv_clear(&o.crl);
	eku_strv_clear(&o.policy_oids);
	return rc;
}
