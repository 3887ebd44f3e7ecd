/* eku ca: a private PKI for client certificates (docs/ca.md). This file is
 * the subcommand table, the options every subcommand shares, and init. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_ca.h"
#include "commands.h"

static const char usage_text[] =
	"usage: eku ca SUBCOMMAND [options]\n"
	"\n"
	"A private PKI for TLS client certificates (option C): a root and an issuing CA,\n"
	"a crash-safe SQLite database, profiles that get the EKUs right.\n"
	"\n"
	"subcommands:\n"
	"  init DIR     create a CA (root + issuing CA) in DIR\n"
	"  issue        issue a certificate with a profile (client, server, dual,\n"
	"               expressway-client)\n"
	"  renew SERIAL issue a successor (same or new key)\n"
	"  revoke SERIAL --reason R   revoke a certificate\n"
	"  crl          write a v2 CRL\n"
	"  list         list certificates (text, json, jsonl, csv; --expiring 30d)\n"
	"  check        database and files consistent; explains interrupted issuances\n"
	"\n"
	"'eku ca SUBCOMMAND --help' shows options and an example. Exit 0 ok, 1 check\n"
	"found problems, 2 usage or input error (nothing was changed).\n"
	"\n"
	"example (private PKI in three commands):\n"
	"  eku ca init /srv/pki --permit-dns example.com\n"
	"  eku ca issue --ca /srv/pki --profile client --san DNS:expc1.example.com\n"
	"  eku ca crl --ca /srv/pki\n";

static const struct {
	const char *name;
	int (*fn)(int, char **);
} subs[] = {
	{ "init", cmd_ca_init }, { "issue", cmd_ca_issue }, { "renew", cmd_ca_renew },
	{ "revoke", cmd_ca_revoke }, { "crl", cmd_ca_crl }, { "list", cmd_ca_list },
	{ "check", cmd_ca_check }, { "offline-root", cmd_ca_offline_root },
};

int cmd_ca(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		cli_help(stdout, usage_text);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		static char prog[64];
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		/* Messages and option errors name the subcommand. */
		snprintf(prog, sizeof(prog), "eku ca %s", subs[i].name);
		cli_progname = prog;
		return subs[i].fn(argc - 1, argv + 1);
	}
	cli_error("unknown subcommand '%s'; use init, issue, renew, revoke, crl, list, check or offline-root "
		  "(eku ca --help)", argv[1]);
	return 2;
}

int ca_common_option(struct ca_common *c, int opt, const char *arg)
{
	switch (opt) {
	case CA_O_CA: c->dir = arg; return 1;
	case CA_O_PASS_FILE: c->pass.file = arg; return 1;
	case CA_O_PASS_ENV: c->pass.env = arg; return 1;
	default: return 0;
	}
}

int ca_fail(const eku_error *e)
{
	cli_error("%s", e->message[0] ? e->message : eku_errcode_name(e->code));
	return 2;
}

eku_ca *ca_common_open(struct ca_common *c)
{
	eku_error err = { 0 };
	eku_ca *ca;
	char *pw = NULL;

	if (c->dir == NULL)
		c->dir = getenv("EKU_CA_DIR");
	if (c->dir == NULL || c->dir[0] == '\0') {
		cli_error("no CA directory: give --ca DIR or set EKU_CA_DIR (create one with 'eku ca init DIR')");
		return NULL;
	}
	if ((ca = eku_ca_open(c->dir, &err)) == NULL) {
		ca_fail(&err);
		return NULL;
	}
	if (cli_password_get(&c->pass, &pw) != 0 || eku_ca_set_passphrase(ca, pw) != 0) {
		cli_password_free(pw);
		eku_ca_free(ca);
		return NULL;
	}
	cli_password_free(pw);
	return ca;
}

/* ---- init ---------------------------------------------------------------- */

static const char init_usage[] =
	"usage: eku ca init [options] DIR\n"
	"\n"
	"Creates a CA in DIR (new or empty): a root CA and an issuing CA (pathlen 0, its\n"
	"EKU limited to what it may issue), their keys (mode 0600, PKCS#8, encrypted\n"
	"with scrypt + AES-256 when a passphrase is given) and ca.db.\n"
	"The root key (DIR/private/root.key) is needed only here: move it offline after\n"
	"(eku ca offline-root).\n"
	"\n"
	"options:\n"
	"  --key-type T         p256 (default), p384 or rsa3072\n"
	"  --name NAME          CA name in the subjects (default \"eku private CA\")\n"
	"  --permit-dns DOMAIN  name constraint: issue DNS names under DOMAIN only;\n"
	"                       repeatable\n"
	"  --eku LIST           what the issuing CA may issue: client, server or\n"
	"                       client,server (default)\n"
	"  --root-days N        root lifetime (default 3650)\n"
	"  --issuing-days N     issuing CA lifetime (default 1825)\n"
	"  --passphrase-file F  encrypt both CA keys with the first line of F\n"
	"  --passphrase-env V   encrypt both CA keys with environment variable V\n"
	"  -q, --quiet          no notes\n"
	"  -h, --help           this help\n"
	"\n"
	"example:\n"
	"  eku ca init --permit-dns example.com --passphrase-file ~/.ca-pass /srv/pki\n";

enum { I_KEY = 0x2200, I_NAME, I_PERMIT, I_EKU, I_ROOT_DAYS, I_ISS_DAYS };

static const struct option init_longopts[] = {
	{ "key-type", required_argument, NULL, I_KEY },
	{ "name", required_argument, NULL, I_NAME },
	{ "permit-dns", required_argument, NULL, I_PERMIT },
	{ "eku", required_argument, NULL, I_EKU },
	{ "root-days", required_argument, NULL, I_ROOT_DAYS },
	{ "issuing-days", required_argument, NULL, I_ISS_DAYS },
	{ "passphrase-file", required_argument, NULL, CA_O_PASS_FILE },
	{ "passphrase-env", required_argument, NULL, CA_O_PASS_ENV },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_days(const char *opt, const char *arg, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 1 || v > 36500) {
		cli_error("%s %s: give a number of days, 1..36500", opt, arg);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse_eku(const char *arg, unsigned *out)
{
	if (strcmp(arg, "client") == 0)
		*out = EKU_CA_EKU_CLIENT;
	else if (strcmp(arg, "server") == 0)
		*out = EKU_CA_EKU_SERVER;
	else if (strcmp(arg, "client,server") == 0 || strcmp(arg, "server,client") == 0)
		*out = EKU_CA_EKU_CLIENT | EKU_CA_EKU_SERVER;
	else {
		cli_error("--eku %s: use client, server or client,server", arg);
		return -1;
	}
	return 0;
}

static int init_option(int c, const char *arg, struct eku_ca_init_opts *o, eku_strv *permit,
	struct ca_common *cc)
{
	switch (c) {
	case I_KEY:
		if (eku_ca_keyalg_parse(arg, &o->alg) != 0) {
			cli_error("--key-type %s: use p256, p384 or rsa3072", arg);
			return -1;
		}
		return 0;
	case I_NAME: o->name = arg; return 0;
	case I_PERMIT: return eku_strv_push(permit, arg);
	case I_EKU: return parse_eku(arg, &o->eku);
	case I_ROOT_DAYS: return parse_days("--root-days", arg, &o->root_days);
	case I_ISS_DAYS: return parse_days("--issuing-days", arg, &o->issuing_days);
	case 'q': cli_quiet = true; return 0;
	case 'h': cli_help(stdout, init_usage); exit(0);
	default:
		if (ca_common_option(cc, c, arg))
			return 0;
		/* cli_getopt said why */
		return -1;
	}
}

int cmd_ca_init(int argc, char **argv)
{
	struct eku_ca_init_opts o = { .now = (int64_t)time(NULL) };
	struct ca_common cc = { 0 };
	eku_strv permit = { 0 };
	eku_error err = { 0 };
	char *pw = NULL;
	int c, rc = 2;

	optind = 1;
	while ((c = cli_getopt(argc, argv, "qh", init_longopts)) != -1)
		if (init_option(c, optarg, &o, &permit, &cc) != 0)
			goto out;
	if (optind + 1 != argc) {
		cli_error("give exactly one directory; example: eku ca init /srv/pki");
		goto out;
	}
	if (cli_password_get(&cc.pass, &pw) != 0)
		goto out;
	if (pw != NULL && pw[0] == '\0') {
		cli_error("the passphrase is empty; put it on the first line of the file or variable");
		goto out;
	}
	o.passphrase = pw;
	o.permit_dns = (const char *const *)permit.v;
	o.n_permit_dns = permit.n;
	if (eku_ca_init(argv[optind], &o, &err) != 0) {
		rc = ca_fail(&err);
		goto out;
	}
	printf("created CA in %s (%s)\n  root:    %s/root.crt (give this to the peers that must trust "
	       "the clients)\n  issuing: %s/issuing.crt\n  chain:   %s/chain.pem\n",
		argv[optind], eku_ca_keyalg_name(o.alg), argv[optind], argv[optind], argv[optind]);
	if (pw == NULL)
		cli_note("the CA keys are not encrypted; use --passphrase-file to encrypt them");
	cli_note("%s/private/root.key is needed only to create the issuing CA: move it offline with eku ca offline-root --out FILE", argv[optind]);
	rc = 0;
out:
	cli_password_free(pw);
	eku_strv_clear(&permit);
	return rc;
}
