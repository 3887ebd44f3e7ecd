/* eku census: the clientAuth sunset in numbers, over certificate files and
 * Certificate Transparency get-entries pages (docs/census.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/census.h>
#include <eku/cert.h>
#include <eku/pool.h>
#include <eku/report.h>
#include <eku/timeline.h>
#include <eku/trust.h>

#include "census.h"
#include "commands.h"
#include "common.h"
#include "password.h"
#include "readopts.h"
#include "trustopts.h"

static const char usage_text[] =
	"usage: eku census [options] INPUT...\n"
	"\n"
	"Counts certificates instead of listing them: by CA vendor (or issuer class),\n"
	"EKU class and issue month; how many still carry clientAuth, how many lose it\n"
	"at a renewal, expiries per month. Reads everything 'eku inspect' reads, plus\n"
	"Certificate Transparency get-entries JSON pages (RFC 6962): a file whose first\n"
	"non-blank byte is '{' and that names \"entries\" is read as one. CA\n"
	"certificates are counted apart. Exit 2 when any input could not be read.\n"
	"\n"
	"options:\n"
	"  --format FMT          text|json|csv (default text)\n"
	"  --ct                  read every input as a CT get-entries page\n"
	"  --trust FILE          extra trust anchors (private roots); repeatable\n"
	"  --untrusted FILE      intermediates for chain building; repeatable\n"
	"  --system-bundle FILE  system roots\n"
	"                        (default /etc/ssl/certs/ca-certificates.crt)\n"
	"  --no-system           do not load the system roots\n"
	"  --public-root [VENDOR=]FILE  treat this root as publicly trusted\n"
	CLI_READ_HELP
	"                        (default: skip, counts are statistics)\n"
	CLI_COMMON_HELP
	"\n"
	"example:\n"
	"  eku census /etc/ssl/certs/ estate-export/\n"
	"  curl -s 'https://ct.example/ct/v1/get-entries?start=0&end=255' > page.json\n"
	"  eku census --format json --at 2026-06-01 page.json | jq .totals\n";

struct census_opts {
	struct cli_common common;
	struct cli_read rd;
	struct cli_trust tr;
	bool ct;
};

struct state {
	eku_trust *trust;
	eku_timeline *pol;
	eku_census *cen;
	eku_diaglist diags;
};

enum { O_CT = 0x2000 };

static const struct option longopts[] = {
	CLI_TRUST_LONGOPTS,
	CLI_UNTRUSTED_LONGOPT,
	CLI_READ_LONGOPTS,
	{ "ct", no_argument, NULL, O_CT },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static int parse_args(int argc, char **argv, struct census_opts *o)
{
	int c, r;

	while ((c = cli_getopt(argc, argv, "qh", longopts)) != -1) {
		r = cli_common_option(&o->common, c, optarg, 1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_CSV);
		if (r == 0)
			r = cli_trust_option(&o->tr, c, optarg);
		if (r == 0)
			r = cli_read_option(&o->rd, c, optarg);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		switch (c) {
		case 'h': cli_help(stdout, usage_text); exit(0);
		case O_CT: o->ct = true; break;
		default:
			/* cli_getopt said why */
			return -1;
		}
	}
	if (optind >= argc) {
		cli_error("no input given; example: eku census certs/ (or '-' for stdin)");
		return -1;
	}
	return 0;
}

/* --- output --------------------------------------------------------------- */

static int emit(const struct census_opts *o, const struct state *st)
{
	json_t *doc = NULL, *errs, *warns;
	int rc = -1;

	for (size_t i = 0; i < st->diags.n; i++)
		cli_print_load_diag(&st->diags.v[i]);
	if (o->common.format == FMT_TEXT)
		return eku_census_write_text(st->cen, stdout);
	if (o->common.format == FMT_CSV)
		return eku_census_write_csv(st->cen, stdout);
	if ((doc = eku_census_json(st->cen)) == NULL)
		goto out;
	errs = json_array();
	warns = json_array();
	json_object_set_new(doc, "errors", errs);
	json_object_set_new(doc, "warnings", warns);
	for (size_t i = 0; i < st->diags.n; i++)
		json_array_append_new(st->diags.v[i].severity == EKU_DIAG_WARNING ? warns : errs,
			eku_report_diag_json(&st->diags.v[i]));
	if (json_dumpf(doc, stdout, JSON_INDENT(2)) != 0)
		goto out;
	putchar('\n');
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

/* Trust store, timeline and census: data errors show before any input is read. */
static int setup(const struct census_opts *o, struct state *st)
{
	if ((st->cen = eku_census_new(o->common.at)) == NULL) {
		cli_error("out of memory");
		return -1;
	}
	if ((st->trust = cli_trust_build(&o->tr, o->common.data_dir)) == NULL)
		return -1;
	eku_trust_set_check_signatures(st->trust, o->rd.check_signatures);
	if ((st->pol = eku_timeline_new()) == NULL || eku_timeline_load(st->pol, o->common.data_dir) != 0) {
		cli_error("%s", st->pol != NULL ? eku_timeline_error(st->pol)->message : "out of memory");
		return -1;
	}
	return 0;
}

int cmd_census(int argc, char **argv)
{
	struct census_opts o;
	struct state st;
	struct census_run_opts ro;
	char *pw = NULL;
	int rc = 2;

	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	cli_common_init(&o.common);
	cli_read_init(&o.rd, false);
	if (parse_args(argc, argv, &o) != 0 || cli_password_get(&o.rd.pw, &pw) != 0 || setup(&o, &st) != 0)
		goto out;
	ro = (struct census_run_opts){ .at = o.common.at, .max_size = o.rd.max_size, .ct = o.ct,
		.jobs = o.rd.jobs, .password = pw, .ext = o.rd.ext };
	if (census_run(&ro, st.trust, st.pol, argv + optind, argc - optind, st.cen, &st.diags) != 0 ||
	    emit(&o, &st) != 0) {
		rc = 3;
		goto out;
	}
	rc = eku_diaglist_errors(&st.diags) > 0 ? 2 : 0;
out:
	cli_password_free(pw);
	eku_diaglist_clear(&st.diags);
	eku_census_free(st.cen);
	eku_trust_free(st.trust);
	eku_timeline_free(st.pol);
	cli_trust_clear(&o.tr);
	return rc;
}
