/* eku inspect: certificate facts and who stands behind each certificate. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/cert.h>
#include <eku/timeline.h>
#include <eku/report.h>
#include <eku/sunset.h>
#include <eku/trust.h>

#include "commands.h"
#include "common.h"
#include "inspect.h"
#include "password.h"
#include "readopts.h"
#include "trustopts.h"

static const char usage_text[] =
	"usage: eku inspect [options] INPUT...\n"
	"\n"
	"Reads certificates (PEM with any number of blocks, TRUSTED CERTIFICATE, DER,\n"
	"PKCS#7, PKCS#12, directories, '-' for stdin) and prints, per certificate, what\n"
	"it can authenticate (server/client EKU) and who issued it (issuer class, CA\n"
	"vendor). text and json are sorted by expiry; jsonl and csv stream in input\n"
	"order with memory bounded by the largest file. Exit 2 when any input could\n"
	"not be read.\n"
	"\n"
	"options:\n"
	"  --format FMT          text|json|jsonl|csv (default text)\n"
	"  --trust FILE          extra trust anchors (private roots); repeatable\n"
	"  --untrusted FILE      intermediates for chain building; repeatable\n"
	"  --system-bundle FILE  system roots\n"
	"                        (default /etc/ssl/certs/ca-certificates.crt)\n"
	"  --no-system           do not load the system roots\n"
	"  --public-root [VENDOR=]FILE  treat this root as publicly trusted (labs,\n"
	"                        what-if studies), issued by VENDOR (e.g. letsencrypt)\n"
	CLI_READ_HELP
	"                        (default: check)\n"
	CLI_COMMON_HELP
	"\n"
	"example:\n"
	"  eku inspect --untrusted chain.pem /etc/ssl/private/expe1.pem\n"
	"  eku inspect --format json certs/ | jq '.certificates[] | {subject, eku_class}'\n";

struct inspect_opts {
	struct cli_common common;
	struct cli_read rd;
	struct cli_trust tr;
};

static const struct option longopts[] = {
	CLI_TRUST_LONGOPTS,
	CLI_UNTRUSTED_LONGOPT,
	CLI_READ_LONGOPTS,
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static int parse_args(int argc, char **argv, struct inspect_opts *o)
{
	int c, r;

	while ((c = cli_getopt(argc, argv, "qh", longopts)) != -1) {
		r = cli_common_option(&o->common, c, optarg,
			1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_JSONL | 1u << FMT_CSV);
		if (r == 0)
			r = cli_trust_option(&o->tr, c, optarg);
		if (r == 0)
			r = cli_read_option(&o->rd, c, optarg);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (c == 'h') {
			cli_help(stdout, usage_text);
			exit(0);
		}
		return -1; /* cli_getopt said why */
	}
	if (optind >= argc) {
		cli_error("no input given; example: eku inspect cert.pem (or '-' for stdin)");
		return -1;
	}
	return 0;
}

int cmd_inspect(int argc, char **argv)
{
	struct inspect_opts o;
	struct inspect_run_opts ro;
	eku_trust *t = NULL;
	eku_timeline *tl = NULL;
	char *pw = NULL;
	int rc = 2;

	memset(&o, 0, sizeof(o));
	cli_common_init(&o.common);
	cli_read_init(&o.rd, true);
	if (parse_args(argc, argv, &o) != 0 || cli_password_get(&o.rd.pw, &pw) != 0)
		goto out;
	if ((t = cli_trust_build(&o.tr, o.common.data_dir)) == NULL)
		goto out;
	eku_trust_set_check_signatures(t, o.rd.check_signatures);
	/* Loaded here, not by the first worker: errors in the data are seen
	 * before any output. */
	if (eku_trust_load_data(t) != 0) {
		cli_error("%s", eku_trust_error(t)->message);
		goto out;
	}
	if ((tl = eku_timeline_new()) == NULL || eku_timeline_load(tl, o.common.data_dir) != 0) {
		cli_error("%s", tl != NULL ? eku_timeline_error(tl)->message : "out of memory");
		goto out;
	}
	ro = (struct inspect_run_opts){ .format = o.common.format, .at = o.common.at,
		.color = o.common.color, .jobs = o.rd.jobs, .password = pw, .ext = o.rd.ext,
		.max_size = o.rd.max_size };
	rc = inspect_run(&ro, argv + optind, argc - optind, t, tl);
out:
	cli_password_free(pw);
	eku_trust_free(t);
	eku_timeline_free(tl);
	cli_trust_clear(&o.tr);
	return rc;
}
