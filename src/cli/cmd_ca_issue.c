/* eku ca issue / eku ca renew. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd_ca.h"

static const char issue_usage[] =
	"usage: eku ca issue --profile P [--san NAME ... | --csr REQ |\n"
	"                    --for-cert CERT] [options]\n"
	"\n"
	"Issues one certificate from the CA's issuing CA and records it. Files go to\n"
	"DIR/issued/SERIAL.crt, SERIAL.chain.pem (leaf + issuing CA), and for a\n"
	"generated key DIR/private/SERIAL.key (0600) and, with a PKCS#12 passphrase,\n"
	"DIR/private/SERIAL.p12 (AES-256 PBES2, for upload to appliances).\n"
	"\n"
	"profiles:\n"
	"  client             clientAuth only (mTLS clients, gateway client store)\n"
	"  server             serverAuth only\n"
	"  dual               clientAuth + serverAuth (Expressway internal links\n"
	"                     before X15.5)\n"
	"  expressway-client  what the X15.5 client store expects: clientAuth,\n"
	"                     CN = DNS SAN\n"
	"\n"
	"options:\n"
	"  --profile P          one of the profiles above (required)\n"
	"  --san NAME           DNS:host, IP:addr, URI:uri, email:addr or a bare host;\n"
	"                       repeatable\n"
	"  --cn NAME            subject common name (default: the first DNS SAN)\n"
	"  --csr FILE           certify the key of this CSR (its signature is checked);\n"
	"                       its SANs are used when no --san is given\n"
	"  --for-cert FILE      certify the same public key as this certificate, copying\n"
	"                       its subject and SANs (SPKI pins keep working); needs\n"
	"                       proof of possession: --key FILE or --csr FILE\n"
	"  --key FILE           the private key of --for-cert (proof of possession;\n"
	"                       also goes into the PKCS#12)\n"
	"  --key-type T         generated key: p256 (default), p384 or rsa3072\n"
	"  --days N             lifetime (default: the profile's, client 365, server 397)\n"
	"  --p12-passphrase-file F  also write a PKCS#12 protected by the first line of F\n"
	"  --p12-passphrase-env V   ... by environment variable V\n"
	CA_HELP_CA
	"  --format FMT         text (default) or json\n"
	"  -q, --quiet          no notes\n"
	"  -h, --help           this help\n"
	"\n"
	"examples:\n"
	"  eku ca issue --ca /srv/pki --profile client --san DNS:expc1.example.com\n"
	"  eku ca issue --ca /srv/pki --profile expressway-client \\\n"
	"      --for-cert certs/expc1.pem --key private/expc1.key \\\n"
	"      --p12-passphrase-env P12PASS\n";

enum { S_PROFILE = 0x2300, S_SAN, S_CN, S_CSR, S_FOR_CERT, S_KEY, S_KEY_TYPE, S_DAYS, S_NEW_KEY };

static const struct option issue_longopts[] = {
	{ "profile", required_argument, NULL, S_PROFILE },
	{ "san", required_argument, NULL, S_SAN },
	{ "cn", required_argument, NULL, S_CN },
	{ "csr", required_argument, NULL, S_CSR },
	{ "for-cert", required_argument, NULL, S_FOR_CERT },
	{ "key", required_argument, NULL, S_KEY },
	{ "key-type", required_argument, NULL, S_KEY_TYPE },
	{ "days", required_argument, NULL, S_DAYS },
	{ "new-key", no_argument, NULL, S_NEW_KEY },
	{ "p12-passphrase-file", required_argument, NULL, CA_O_P12_FILE },
	{ "p12-passphrase-env", required_argument, NULL, CA_O_P12_ENV },
	CA_LONGOPTS_CA,
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

struct issue_opts {
	struct cli_common common;
	struct ca_common ca;
	struct cli_password p12;
	struct eku_ca_issue_req req;
	eku_strv sans;
	bool new_key;
	const char *usage;
};

static int parse_int_days(const char *arg, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 1 || v > 36500) {
		cli_error("--days %s: give a number of days", arg);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int issue_option(struct issue_opts *o, int c, const char *arg)
{
	switch (c) {
	case S_PROFILE: o->req.profile = arg; return 0;
	case S_SAN: return eku_strv_push(&o->sans, arg);
	case S_CN: o->req.cn = arg; return 0;
	case S_CSR: o->req.csr_file = arg; return 0;
	case S_FOR_CERT: o->req.for_cert_file = arg; return 0;
	case S_KEY: o->req.pop_key_file = arg; return 0;
	case S_KEY_TYPE:
		if (eku_ca_keyalg_parse(arg, &o->req.key_alg) != 0) {
			cli_error("--key-type %s: use p256, p384 or rsa3072", arg);
			return -1;
		}
		return 0;
	case S_DAYS: return parse_int_days(arg, &o->req.days);
	case S_NEW_KEY: o->new_key = true; return 0;
	case CA_O_P12_FILE: o->p12.file = arg; return 0;
	case CA_O_P12_ENV: o->p12.env = arg; return 0;
	case 'h': cli_help(stdout, o->usage); exit(0);
	default:
		if (ca_common_option(&o->ca, c, arg))
			return 0;
		/* cli_getopt said why */
		return -1;
	}
}

static int parse(struct issue_opts *o, int argc, char **argv)
{
	int c, r;

	optind = 1;
	while ((c = cli_getopt(argc, argv, "qh", issue_longopts)) != -1) {
		r = cli_common_option(&o->common, c, optarg, 1u << FMT_TEXT | 1u << FMT_JSON);
		if (r == 0)
			r = issue_option(o, c, optarg) == 0 ? 1 : -1;
		if (r < 0)
			return -1;
	}
	o->req.sans = (const char *const *)o->sans.v;
	o->req.n_sans = o->sans.n;
	o->req.now = o->common.at;
	return 0;
}

static void print_issued(const struct issue_opts *o, const struct eku_ca_issued *out)
{
	char nb[32], na[32];

	eku_time_iso(out->not_before, nb, sizeof(nb));
	eku_time_iso(out->not_after, na, sizeof(na));
	if (o->common.format == FMT_JSON) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "serial", out->serial, "not_before", nb,
			"not_after", na, "cert", out->cert_path, "chain", out->chain_path);
		if (j == NULL)
			return;
		json_object_set_new(j, "key", out->key_path[0] ? json_string(out->key_path) : json_null());
		json_object_set_new(j, "p12", out->p12_path[0] ? json_string(out->p12_path) : json_null());
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
		return;
	}
	printf("issued serial %s, valid %s .. %s\n  cert:  %s\n  chain: %s\n", out->serial, nb, na,
		out->cert_path, out->chain_path);
	if (out->key_path[0])
		printf("  key:   %s\n", out->key_path);
	if (out->p12_path[0])
		printf("  p12:   %s\n", out->p12_path);
}

static int run(struct issue_opts *o, const char *renew_serial)
{
	struct eku_ca_issued out;
	eku_ca *ca = NULL;
	char *p12 = NULL;
	int rc = 2, r;

	if (cli_password_get(&o->p12, &p12) != 0 || (ca = ca_common_open(&o->ca)) == NULL)
		goto out;
	o->req.p12_passphrase = p12;
	if (renew_serial != NULL)
		r = eku_ca_renew(ca, renew_serial, o->new_key, o->req.days, p12, o->req.now, &out);
	else
		r = eku_ca_issue(ca, &o->req, &out);
	if (r != 0) {
		rc = ca_fail(eku_ca_error(ca));
		goto out;
	}
	print_issued(o, &out);
	if (p12 == NULL && out.key_path[0])
		cli_note("no PKCS#12 written; add --p12-passphrase-file F for appliances that want one");
	rc = 0;
out:
	cli_password_free(p12);
	eku_ca_free(ca);
	return rc;
}

int cmd_ca_issue(int argc, char **argv)
{
	struct issue_opts o = { .usage = issue_usage };
	int rc = 2;

	cli_common_init(&o.common);
	if (parse(&o, argc, argv) != 0)
		goto out;
	if (optind != argc) {
		cli_error("unexpected argument '%s'; example: eku ca issue --profile client --san DNS:host",
			argv[optind]);
		goto out;
	}
	if (o.req.profile == NULL) {
		cli_error("--profile is required (client, server, dual or expressway-client); example: "
			  "eku ca issue --profile client --san DNS:host.example");
		goto out;
	}
	if (o.new_key) {
		cli_error("--new-key belongs to 'eku ca renew'");
		goto out;
	}
	if (o.req.pop_key_file != NULL && o.req.for_cert_file == NULL) {
		cli_error("--key proves possession for --for-cert; without --for-cert a key is generated "
			  "(or give --csr)");
		goto out;
	}
	rc = run(&o, NULL);
out:
	eku_strv_clear(&o.sans);
	return rc;
}

static const char renew_usage[] =
	"usage: eku ca renew [options] SERIAL\n"
	"\n"
	"Issues a successor of SERIAL with the same profile, subject and SANs, for the\n"
	"same public key (default: pins keep working) or a new one (--new-key). The\n"
	"old certificate stays valid until it expires; revoke it with --reason\n"
	"superseded when the new one is deployed.\n"
	"\n"
	"options:\n"
	"  --new-key            generate a new key (the CA's key type)\n"
	"  --days N             lifetime (default: the predecessor's)\n"
	"  --p12-passphrase-file F / --p12-passphrase-env V   PKCS#12 for a new key\n"
	CA_HELP_CA
	"  --format FMT         text (default) or json\n"
	"  -h, --help           this help\n"
	"\n"
	"example:\n"
	"  eku ca renew --ca /srv/pki --new-key 5A1F...C3\n";

int cmd_ca_renew(int argc, char **argv)
{
	struct issue_opts o = { .usage = renew_usage };
	int rc = 2;

	cli_common_init(&o.common);
	if (parse(&o, argc, argv) != 0)
		goto out;
	if (optind + 1 != argc) {
		cli_error("give exactly one serial; example: eku ca renew --ca /srv/pki SERIAL "
			  "(serials: eku ca list)");
		goto out;
	}
	rc = run(&o, argv[optind]);
out:
	eku_strv_clear(&o.sans);
	return rc;
}
