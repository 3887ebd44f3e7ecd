/* eku report: a plan (and the numbers of a census) as one self-contained HTML
 * page with a timeline, or a plan as an iCalendar file (docs/report.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <eku/calendar.h>
#include <eku/cert.h>
#include <eku/html_report.h>
#include <eku/plan.h>

#include "commands.h"
#include "common.h"

static const char usage_text[] =
	"usage: eku report [options] INVENTORY.yaml\n"
	"       eku report [options] --from plan.json\n"
	"       eku report [options] --census census.json\n"
	"\n"
	"Turns a plan into one HTML file to mail, attach to a change request or\n"
	"serve: a summary, a timeline chart (dated rules, one row per certificate\n"
	"with its projected renewals, break dates), the findings with their options\n"
	"A-D, the actions by date and the data versions. No external assets, no\n"
	"script. --format ics writes the dated actions and break dates as an\n"
	"iCalendar file instead; re-importing a later export updates the same events.\n"
	"--census adds the numbers of an estate ('eku census --format json'): alone,\n"
	"it makes a page of those numbers only.\n"
	"\n"
	"options:\n"
	"  --format FMT          html|ics (default html)\n"
	"  -o, --output FILE     write there (default: standard output)\n"
	"  --from FILE           read a plan written by 'eku plan --format json'\n"
	"                        instead of judging an inventory\n"
	"  --scan FILE           add a certificates table from 'eku inspect --format\n"
	"                        json' or 'eku scan --format json' output\n"
	"  --census FILE         add the census section from 'eku census --format\n"
	"                        json' output (html only)\n"
	"  --no-system           do not load the system roots (inventory only)\n"
	CLI_COMMON_HELP
	"\n"
	"exit status: 0 written, 2 usage, inventory, plan, scan or census file error,\n"
	"3 runtime error.\n"
	"\n"
	"example:\n"
	"  eku report examples/expressway/inventory.yaml -o report.html\n"
	"  eku plan --format json inventory.yaml > plan.json &&\n"
	"      eku report --from plan.json -o report.html\n"
	"  eku report --format ics --at 2026-11-27 inventory.yaml -o eku.ics\n"
	"  eku census --format json certs/ > census.json &&\n"
	"      eku report --census census.json -o census.html\n";

struct report_opts {
	struct cli_common common;
	bool ics, no_system;
	const char *output, *from, *scan, *census, *input; /* input: NULL for a census alone */
};

enum { O_FROM = 0x2000, O_SCAN, O_CENSUS, O_NOSYS };

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "from", required_argument, NULL, O_FROM },
	{ "scan", required_argument, NULL, O_SCAN },
	{ "census", required_argument, NULL, O_CENSUS },
	{ "no-system", no_argument, NULL, O_NOSYS },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static int parse_args(int argc, char **argv, struct report_opts *o)
{
	int c, r;

	while ((c = cli_getopt(argc, argv, "o:qh", longopts)) != -1) {
		/* ics is this command's own format: not in the common table. */
		if (c == 0x1001 && (strcmp(optarg, "html") == 0 || strcmp(optarg, "ics") == 0)) {
			o->ics = strcmp(optarg, "ics") == 0;
			continue;
		}
		if (c == 0x1001) {
			cli_error("--format %s: use html or ics", optarg);
			return -1;
		}
		if ((r = cli_common_option(&o->common, c, optarg, 1u << FMT_HTML)) < 0)
			return -1;
		if (r > 0)
			continue;
		switch (c) {
		case 'h': cli_help(stdout, usage_text); exit(0);
		case 'o': o->output = optarg; break;
		case O_FROM: o->from = optarg; break;
		case O_SCAN: o->scan = optarg; break;
		case O_CENSUS: o->census = optarg; break;
		case O_NOSYS: o->no_system = true; break;
		default:
			/* cli_getopt said why */
			return -1;
		}
	}
	if (o->from != NULL && optind != argc) {
		cli_error("give either an inventory or --from plan.json, not both");
		return -1;
	}
	if (o->from != NULL && (o->common.at_given || o->common.data_dir != NULL || o->no_system)) {
		cli_error("--at, --data-dir and --no-system apply to an inventory; a plan.json was judged already "
			"(re-run eku plan with them)");
		return -1;
	}
	{
		const char *in[] = { o->from, o->scan, o->census };
		int stdin_uses = 0;
		for (size_t i = 0; i < 3; i++)
			stdin_uses += in[i] != NULL && strcmp(in[i], "-") == 0;
		if (stdin_uses > 1) {
			cli_error("standard input ('-') can be read once: give the other documents as files");
			return -1;
		}
	}
	if (o->census != NULL && o->ics) {
		cli_error("--census adds a section to the HTML page; the calendar has no place for it "
			"(drop --format ics or --census)");
		return -1;
	}
	if (o->census != NULL && o->from == NULL && optind == argc) {
		if (o->common.at_given || o->common.data_dir != NULL || o->no_system) {
			cli_error("--at, --data-dir and --no-system apply to an inventory; a census was counted "
				"already (re-run eku census with them)");
			return -1;
		}
		return 0; /* the census alone */
	}
	if (o->from == NULL && optind != argc - 1) {
		cli_error("give one inventory file; example: eku report examples/expressway/inventory.yaml -o report.html");
		return -1;
	}
	o->input = o->from != NULL ? o->from : argv[optind];
	return 0;
}

/* Inputs larger than this are refused unread: an inspect document of a
 * million certificates is well under it. */
#define JSON_MAX_BYTES (1024u * 1024 * 1024)

/* A JSON input ("-": standard input); the message names the file, line and
 * column. Read by eku_read_file, as every other input: a FIFO nobody writes
 * to is reported, not waited for, and the size is capped. */
static json_t *load_json(const char *path, const char *what)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	eku_error err = { 0 };
	json_error_t je;
	json_t *doc = NULL;

	if (eku_read_file(path, JSON_MAX_BYTES, &buf, &len, &err) != 0) {
		cli_error("%s: %s", path, err.message);
		return NULL;
	}
	if ((doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		cli_error("%s:%d:%d: %s: %s (expected %s)", path, je.line, je.column, what, je.text,
			strcmp(what, "plan") == 0     ? "the output of 'eku plan --format json'"
			: strcmp(what, "census") == 0 ? "the output of 'eku census --format json'"
						      : "the output of 'eku inspect --format json' or 'eku scan --format json'");
	free(buf);
	return doc;
}

/* Judges the inventory as `eku plan --format json` would. Returns the plan
 * document, or NULL with the problems printed (*rc set). */
static json_t *plan_inventory(const struct report_opts *o, int *rc)
{
	eku_plan *p = eku_plan_new();
	json_t *doc = NULL;

	*rc = 3;
	if (p == NULL || eku_plan_set_data_dir(p, o->common.data_dir) != 0 ||
	    (o->no_system && eku_plan_set_system_bundle(p, "") != 0)) {
		cli_error("out of memory");
		goto out;
	}
	if (o->common.at_given)
		eku_plan_set_at(p, o->common.at);
	if (eku_plan_load_file(p, o->input) != 0) {
		for (size_t i = 0; i < eku_plan_diag_count(p); i++) {
			const struct eku_diag *d = eku_plan_diag(p, i);
			cli_error("%s:%d:%d: %s", d->source, d->line, d->column, d->message);
		}
		if (eku_plan_diag_count(p) == 0)
			cli_error("%s: %s", o->input, eku_plan_error(p)->message);
		*rc = 2;
		goto out;
	}
	if (eku_plan_run(p) != 0) {
		cli_error("%s: %s", o->input, eku_plan_error(p)->message);
		goto out;
	}
	if ((doc = eku_plan_json(p)) == NULL)
		cli_error("out of memory");
out:
	eku_plan_free(p);
	return doc;
}

static int write_out(const char *path, const char *text)
{
	FILE *f = path != NULL ? fopen(path, "w") : stdout;
	int rc = 0;

	if (f == NULL) {
		cli_error("%s: cannot write: %m", path);
		return -1;
	}
	if (fputs(text, f) == EOF || fflush(f) != 0) {
		cli_error("%s: write failed: %m", path != NULL ? path : "standard output");
		rc = -1;
	}
	if (path != NULL && fclose(f) != 0 && rc == 0) {
		cli_error("%s: write failed: %m", path);
		rc = -1;
	}
	return rc;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	json_t *doc = NULL, *scan = NULL, *census = NULL;
	char *text = NULL;
	eku_error err = { 0 };
	int rc = 2;

	memset(&o, 0, sizeof(o));
	cli_common_init(&o.common);
	if (parse_args(argc, argv, &o) != 0)
		goto out;
	if (o.from != NULL)
		doc = load_json(o.from, "plan");
	else if (o.input != NULL)
		doc = plan_inventory(&o, &rc);
	if (doc == NULL && o.input != NULL)
		goto out;
	rc = 2; /* a --scan or --census file that is not what it should be */
	if (o.scan != NULL && (scan = load_json(o.scan, "scan results")) == NULL)
		goto out;
	if (scan != NULL && eku_report_check_scan(scan, &err) != 0) {
		cli_error("%s: %s", o.scan, err.message);
		goto out;
	}
	if (o.census != NULL && (census = load_json(o.census, "census")) == NULL)
		goto out;
	if (census != NULL && eku_report_check_census(census, &err) != 0) {
		cli_error("%s: %s", o.census, err.message);
		rc = err.code == EKU_E_NOMEM ? 3 : 2;
		goto out;
	}
	if (o.ics) {
		text = eku_ics_calendar(doc, (int64_t)time(NULL), &err);
	} else {
		const struct eku_html_inputs in = { .plan = doc, .scan = scan, .census = census };
		text = eku_html_report_page(&in, &err);
	}
	if (text == NULL) {
		/* Only a plan.json can be malformed: one we made is checked by tests. */
		cli_error("%s: %s", o.input != NULL ? o.input : o.census, err.message);
		rc = err.code == EKU_E_NOMEM ? 3 : 2;
		goto out;
	}
	rc = write_out(o.output, text) == 0 ? 0 : 3;
out:
	free(text);
	json_decref(census);
	json_decref(scan);
	json_decref(doc);
	return rc;
}
