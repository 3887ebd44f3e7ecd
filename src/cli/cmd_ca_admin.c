/* eku ca revoke / crl / list / check. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd_ca.h"

static const struct option admin_longopts[] = {
	{ "reason", required_argument, NULL, 0x2400 },
	{ "days", required_argument, NULL, 0x2401 },
	{ "out", required_argument, NULL, 0x2402 },
	{ "expiring", required_argument, NULL, 0x2403 },
	{ "repair", no_argument, NULL, 0x2404 },
	CA_LONGOPTS_CA,
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

struct admin_opts {
	struct cli_common common;
	struct ca_common ca;
	const char *reason, *out, *expiring, *name;
	int days;
	bool repair;
	const char *usage;
	unsigned formats;
};

static int admin_parse(struct admin_opts *o, int argc, char **argv)
{
	char *end;
	int c, r;

	cli_common_init(&o->common);
	optind = 1;
	while ((c = cli_getopt(argc, argv, "qh", admin_longopts)) != -1) {
		r = cli_common_option(&o->common, c, optarg, o->formats);
		if (r < 0)
			return -1;
		if (r > 0 || ca_common_option(&o->ca, c, optarg))
			continue;
		switch (c) {
		case 0x2400: o->reason = optarg; break;
		case 0x2401:
			o->days = (int)strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->days < 1 || o->days > 3650) {
				cli_error("--days %s: give a number of days, 1..3650", optarg);
				return -1;
			}
			break;
		case 0x2402: o->out = optarg; break;
		case 0x2403: o->expiring = optarg; break;
		case 0x2404: o->repair = true; break;
		case 'h': cli_help(stdout, o->usage); exit(0);
		default:
			/* cli_getopt said why */
			return -1;
		}
	}
	return 0;
}

/* ---- revoke ---------------------------------------------------------------- */

static const char revoke_usage[] =
	"usage: eku ca revoke --reason R [options] SERIAL\n"
	"\n"
	"Records the revocation of SERIAL (RFC 5280 reason code) in the database and the\n"
	"audit log. Peers learn of it from the next CRL: run 'eku ca crl' afterwards.\n"
	"\n"
	"options:\n"
	"  --reason R           unspecified, keyCompromise, affiliationChanged,\n"
	"                       superseded, cessationOfOperation or privilegeWithdrawn\n"
	CA_HELP_CA
	"  -h, --help           this help\n"
	"\n"
	"example:\n"
	"  eku ca revoke --ca /srv/pki --reason keyCompromise 5A1F...C3 &&\n"
	"      eku ca crl --ca /srv/pki\n";

int cmd_ca_revoke(int argc, char **argv)
{
	struct admin_opts o = { .usage = revoke_usage, .name = "revoke", .formats = 1u << FMT_TEXT };
	eku_ca *ca = NULL;
	int reason = 0, rc = 2;

	if (admin_parse(&o, argc, argv) != 0)
		goto out;
	if (optind + 1 != argc) {
		cli_error("give exactly one serial; example: eku ca revoke --reason superseded SERIAL "
			  "(serials: eku ca list)");
		goto out;
	}
	if (o.reason == NULL || eku_ca_reason_parse(o.reason, &reason) != 0) {
		cli_error("--reason %s: use unspecified, keyCompromise, affiliationChanged, superseded, "
			  "cessationOfOperation or privilegeWithdrawn", o.reason ? o.reason : "(missing)");
		goto out;
	}
	if ((ca = ca_common_open(&o.ca)) == NULL)
		goto out;
	if (eku_ca_revoke(ca, argv[optind], reason, o.common.at) != 0) {
		rc = ca_fail(eku_ca_error(ca));
		goto out;
	}
	printf("revoked %s (%s)\n", argv[optind], eku_ca_reason_name(reason));
	cli_note("peers see the revocation once they load a new CRL: run 'eku ca crl --ca %s'",
		eku_ca_dir(ca));
	rc = 0;
out:
	eku_ca_free(ca);
	return rc;
}

/* ---- crl ----------------------------------------------------------------- */

static const char crl_usage[] =
	"usage: eku ca crl [options]\n"
	"\n"
	"Signs a v2 CRL with the issuing CA (CRL number, nextUpdate, AKI, reason codes)\n"
	"and writes it to DIR/crl.pem, and to --out FILE when given. Publish it before\n"
	"nextUpdate: peers that check CRLs refuse everything once it is stale.\n"
	"\n"
	"options:\n"
	"  --days N             nextUpdate = now + N days (default 7)\n"
	"  --out FILE           also write the CRL (PEM) here\n"
	CA_HELP_CA
	"  -h, --help           this help\n"
	"\n"
	"example:\n"
	"  eku ca crl --ca /srv/pki --days 7 --out /etc/nginx/client-crl.pem\n";

int cmd_ca_crl(int argc, char **argv)
{
	struct admin_opts o = { .usage = crl_usage, .name = "crl", .days = 7, .formats = 1u << FMT_TEXT };
	eku_ca *ca = NULL;
	long num = 0;
	int rc = 2;

	if (admin_parse(&o, argc, argv) != 0)
		goto out;
	if (optind != argc) {
		cli_error("unexpected argument '%s'; example: eku ca crl --ca /srv/pki", argv[optind]);
		goto out;
	}
	if ((ca = ca_common_open(&o.ca)) == NULL)
		goto out;
	if (eku_ca_crl(ca, o.days, o.out, o.common.at, &num) != 0) {
		rc = ca_fail(eku_ca_error(ca));
		goto out;
	}
	printf("CRL number %ld written to %s/crl.pem%s%s (next update in %d days)\n", num,
		eku_ca_dir(ca), o.out ? " and " : "", o.out ? o.out : "", o.days);
	rc = 0;
out:
	eku_ca_free(ca);
	return rc;
}

/* ---- offline-root -------------------------------------------------------- */

static const char offline_usage[] =
	"usage: eku ca offline-root --out FILE [options]\n"
	"\n"
	"Moves the root key out of DIR/private to FILE (a new file, mode 0600, synced\n"
	"before the original is removed; the audit log records it). The root signs\n"
	"only the issuing CA and the root CRL: keep FILE on a removable medium, and\n"
	"copy it back to DIR/private/root.key for the yearly 'eku ca crl' that\n"
	"re-signs the root CRL.\n"
	"\n"
	"options:\n"
	"  --out FILE           where the root key goes (must not exist)\n"
	CA_HELP_CA
	"  -h, --help           this help\n"
	"\n"
	"example:\n"
	"  eku ca offline-root --ca /srv/pki --out /media/usb/pki-root.key\n";

int cmd_ca_offline_root(int argc, char **argv)
{
	struct admin_opts o = { .usage = offline_usage, .name = "offline-root", .formats = 1u << FMT_TEXT };
	eku_ca *ca = NULL;
	int rc = 2;

	if (admin_parse(&o, argc, argv) != 0)
		goto out;
	if (optind != argc || o.out == NULL) {
		cli_error("give --out FILE and nothing else; example: eku ca offline-root --ca /srv/pki "
			  "--out /media/usb/pki-root.key");
		goto out;
	}
	if ((ca = ca_common_open(&o.ca)) == NULL)
		goto out;
	if (eku_ca_root_offline(ca, o.out, o.common.at) != 0) {
		rc = ca_fail(eku_ca_error(ca));
		goto out;
	}
	printf("root key moved to %s and removed from %s/private\n", o.out, eku_ca_dir(ca));
	rc = 0;
out:
	eku_ca_free(ca);
	return rc;
}

/* ---- list ---------------------------------------------------------------- */

static const char list_usage[] =
	"usage: eku ca list [options]\n"
	"\n"
	"Lists the certificates in the database: serial, profile, status (complete,\n"
	"pending, abandoned, revoked), validity and names.\n"
	"\n"
	"options:\n"
	"  --expiring SPAN      only unrevoked certificates expiring within SPAN\n"
	"                       (Nd, Nw or Nh; e.g. 30d); includes the expired\n"
	"  --format FMT         text (default), json, jsonl or csv\n"
	"  --ca DIR             the CA directory (default $EKU_CA_DIR)\n"
	"  --at DATE            the instant --expiring counts from (default now)\n"
	"  -h, --help           this help\n"
	"\n"
	"example:\n"
	"  eku ca list --ca /srv/pki --expiring 30d --format csv\n";

static int parse_span(const char *s, int64_t *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	int64_t unit = 0;

	if (*s != '\0' && v > 0 && v < 100000 && end[0] != '\0' && end[1] == '\0')
		unit = *end == 'd' ? 86400 : *end == 'w' ? 7 * 86400 : *end == 'h' ? 3600 : 0;
	if (unit == 0) {
		cli_error("--expiring %s: give a span like 30d, 6w or 48h", s);
		return -1;
	}
	*out = v * unit;
	return 0;
}

static json_t *record_json(const struct eku_ca_record *r)
{
	char nb[32], na[32], ia[32], ra[32];
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "serial", r->serial,
		"profile", r->profile, "status", r->revoke_reason >= 0 ? "revoked" : r->status,
		"subject", r->subject, "sans", r->sans, "issued_at", eku_time_iso(r->issued_at, ia, sizeof(ia)),
		"not_before", eku_time_iso(r->not_before, nb, sizeof(nb)),
		"not_after", eku_time_iso(r->not_after, na, sizeof(na)), "days", r->days);

	if (j == NULL)
		return NULL;
	json_object_set_new(j, "renewed_from", r->renewed_from ? json_string(r->renewed_from) : json_null());
	json_object_set_new(j, "revoked_at", r->revoke_reason >= 0
		? json_string(eku_time_iso(r->revoked_at, ra, sizeof(ra))) : json_null());
	json_object_set_new(j, "revoke_reason", r->revoke_reason >= 0
		? json_string(eku_ca_reason_name(r->revoke_reason)) : json_null());
	return j;
}

/* RFC 4180: quote every field, double inner quotes. */
static void csv_field(const char *s, bool last)
{
	putchar('"');
	for (; s && *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
	putchar(last ? '\n' : ',');
}

struct list_state {
	enum cli_format fmt;
	json_t *all;
	size_t n;
};

static int list_one(const struct eku_ca_record *r, void *arg)
{
	struct list_state *s = arg;
	const char *status = r->revoke_reason >= 0 ? "revoked" : r->status;
	char nb[32], na[32];
	json_t *j;

	s->n++;
	switch (s->fmt) {
	case FMT_JSON:
		return (j = record_json(r)) != NULL && json_array_append_new(s->all, j) == 0 ? 0 : -1;
	case FMT_JSONL:
		if ((j = record_json(r)) == NULL)
			return -1;
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
		return 0;
	case FMT_CSV:
		if (s->n == 1)
			puts("serial,profile,status,not_before,not_after,subject,sans");
		csv_field(r->serial, false);
		csv_field(r->profile, false);
		csv_field(status, false);
		csv_field(eku_time_iso(r->not_before, nb, sizeof(nb)), false);
		csv_field(eku_time_iso(r->not_after, na, sizeof(na)), false);
		csv_field(r->subject, false);
		csv_field(r->sans, true);
		return 0;
	default:
		printf("%s  %-17s %-9s %s  %s  %s\n", r->serial, r->profile, status,
			eku_time_date(r->not_after, na, sizeof(na)), r->subject, r->sans);
		return 0;
	}
}

int cmd_ca_list(int argc, char **argv)
{
	struct admin_opts o = { .usage = list_usage, .name = "list",
		.formats = 1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_JSONL | 1u << FMT_CSV };
	struct list_state s = { 0 };
	eku_ca *ca = NULL;
	int64_t span = 0;
	int rc = 2;

	if (admin_parse(&o, argc, argv) != 0 || (o.expiring && parse_span(o.expiring, &span) != 0))
		goto out;
	if (optind != argc) {
		cli_error("unexpected argument '%s'; example: eku ca list --ca /srv/pki", argv[optind]);
		goto out;
	}
	if ((ca = ca_common_open(&o.ca)) == NULL)
		goto out;
	s.fmt = o.common.format;
	if (s.fmt == FMT_JSON && (s.all = json_array()) == NULL)
		goto out;
	if (s.fmt == FMT_TEXT)
		printf("%-32s  %-17s %-9s %-10s  %s  %s\n", "serial", "profile", "status", "not_after",
			"subject", "sans");
	if (eku_ca_list(ca, span ? o.common.at + span : 0, list_one, &s) != 0) {
		rc = ca_fail(eku_ca_error(ca));
		goto out;
	}
	if (s.all != NULL) {
		json_dumpf(s.all, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	rc = 0;
out:
	json_decref(s.all);
	eku_ca_free(ca);
	return rc;
}

/* ---- check --------------------------------------------------------------- */

static const char check_usage[] =
	"usage: eku ca check [options]\n"
	"\n"
	"Checks the database against the files: every certificate file has a record\n"
	"and matches it, every issued certificate's file exists, keys are 0600, the\n"
	"database passes its integrity check. Interrupted issuances (killed between\n"
	"the database record and the files) and leftover temporary files are\n"
	"explained, not counted as errors. Exit 0 consistent, 1 errors found.\n"
	"\n"
	"options:\n"
	"  --repair             mark interrupted issuances abandoned (their serials stay\n"
	"                       reserved and go on the CRL) and remove temporary files\n"
	"  --format FMT         text (default) or json\n"
	"  --ca DIR             the CA directory (default $EKU_CA_DIR)\n"
	"  -h, --help           this help\n"
	"\n"
	"example:\n"
	"  eku ca check --ca /srv/pki --repair\n";

struct check_state {
	enum cli_format fmt;
	json_t *all;
};

static void on_finding(enum eku_ca_finding_kind k, const char *what, const char *explain, void *arg)
{
	struct check_state *s = arg;

	if (s->fmt == FMT_JSON) {
		json_array_append_new(s->all, json_pack("{s:s, s:b, s:s, s:s}", "kind", eku_ca_finding_name(k),
			"error", eku_ca_finding_is_error(k), "what", what, "explain", explain));
		return;
	}
	printf("%s %s: %s: %s\n", eku_ca_finding_is_error(k) ? "ERROR" : "note ", eku_ca_finding_name(k),
		what, explain);
}

int cmd_ca_check(int argc, char **argv)
{
	struct admin_opts o = { .usage = check_usage, .name = "check",
		.formats = 1u << FMT_TEXT | 1u << FMT_JSON };
	struct check_state s = { 0 };
	eku_ca *ca = NULL;
	int rc = 2, n;

	if (admin_parse(&o, argc, argv) != 0)
		goto out;
	if (optind != argc) {
		cli_error("unexpected argument '%s'; example: eku ca check --ca /srv/pki", argv[optind]);
		goto out;
	}
	if ((ca = ca_common_open(&o.ca)) == NULL)
		goto out;
	s.fmt = o.common.format;
	if (s.fmt == FMT_JSON && (s.all = json_array()) == NULL)
		goto out;
	if ((n = eku_ca_check(ca, o.repair, on_finding, &s)) < 0) {
		rc = ca_fail(eku_ca_error(ca));
		goto out;
	}
	if (s.all != NULL) {
		json_t *j = json_pack("{s:b, s:i, s:O}", "consistent", n == 0, "errors", n, "findings", s.all);
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else {
		printf("%s: %s\n", eku_ca_dir(ca), n == 0 ? "consistent" : "INCONSISTENT");
	}
	rc = n == 0 ? 0 : 1;
out:
	json_decref(s.all);
	eku_ca_free(ca);
	return rc;
}
