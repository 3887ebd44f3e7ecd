/* eku plan: a deployment inventory judged against the dated timeline. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/plan.h>
#include <eku/probe.h>
#include <eku/report.h>

#include "commands.h"
#include "common.h"
#include "liveprobe.h"
#include "text.h"

static const char usage_text[] =
	"usage: eku plan [options] INVENTORY.yaml\n"
	"\n"
	"Reads a deployment inventory (nodes, their certificates, products and\n"
	"versions, and the links between them) and says, at --at, which links and\n"
	"nodes are broken, which break on which date and why (citing the timeline\n"
	"rule and its source), which of the options A-D are still open, and what to\n"
	"do by when. Every inventory problem is reported at once as file:line:column.\n"
	"\n"
	"options:\n"
	"  --format FMT          text|json|md (default text)\n"
	"  --fail-on LEVEL       broken|at_risk|never: exit 1 when a finding is at or\n"
	"                        above LEVEL (default at_risk; unknown counts as at_risk)\n"
	"  --assume-renewed      judge the state after every certificate is renewed at\n"
	"                        --at under the CA rules in force then\n"
	"  --system-bundle FILE  system roots\n"
	"                        (default /etc/ssl/certs/ca-certificates.crt)\n"
	"  --no-system           do not load the system roots\n"
	"  --scan                read every host:port certificate live first (as\n"
	"                        'eku scan --inventory' does, all at once); one that\n"
	"                        cannot be read stays unknown, with the reason (dns,\n"
	"                        refused, timeout, tls)\n"
	"  --chains DIR          read host:port certificates from DIR/<node>-<role>.pem,\n"
	"                        saved by 'eku scan --inventory INV --save-chains DIR'\n"
	"  --connect-timeout DUR with --scan: per connection (default 5s; DUR: 5s, 500ms)\n"
	"  --handshake-timeout DUR  with --scan: STARTTLS + TLS handshake (default 10s)\n"
	"  --timeout DUR         with --scan: total per endpoint (default 30s)\n"
	"  --starttls PROTO      with --scan: protocol when the port does not tell\n"
	"  --sni NAME            with --scan: SNI to send\n"
	CLI_COMMON_HELP
	"\n"
	"exit status: 0 nothing at or above --fail-on, 1 findings, 2 usage or\n"
	"inventory error, 3 runtime or data error.\n"
	"\n"
	"example:\n"
	"  eku plan examples/expressway/inventory.yaml\n"
	"  eku plan --at 2027-03-15 --format json inventory.yaml |\n"
	"      jq '.findings[] | {subject, severity}'\n"
	"  eku plan --scan --timeout 5s inventory.yaml\n"
	"  eku plan --format json --scan inventory.yaml | jq '.live_inputs'\n";

struct plan_opts {
	struct cli_common common;
	int fail_on; /* enum eku_severity, or -1 for never */
	bool assume_renewed, no_system;
	const char *system_bundle;
	const char *input;
	bool scan;                   /* --scan */
	const char *chains;          /* --chains DIR */
	struct cli_target_opts td;   /* --starttls, --sni */
	unsigned connect_ms, handshake_ms, total_ms;
};

enum {
	O_FAILON = 0x2000, O_ASSUME, O_SYSBUNDLE, O_NOSYS, O_SCAN, O_CHAINS, O_CTMO, O_HTMO, O_TMO, O_STARTTLS,
	O_SNI,
};

static const struct option longopts[] = {
	{ "fail-on", required_argument, NULL, O_FAILON },
	{ "assume-renewed", no_argument, NULL, O_ASSUME },
	{ "system-bundle", required_argument, NULL, O_SYSBUNDLE },
	{ "no-system", no_argument, NULL, O_NOSYS },
	{ "scan", no_argument, NULL, O_SCAN },
	{ "chains", required_argument, NULL, O_CHAINS },
	{ "connect-timeout", required_argument, NULL, O_CTMO },
	{ "handshake-timeout", required_argument, NULL, O_HTMO },
	{ "timeout", required_argument, NULL, O_TMO },
	{ "starttls", required_argument, NULL, O_STARTTLS },
	{ "sni", required_argument, NULL, O_SNI },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static int check_args(int argc, struct plan_opts *o, char **argv);

static int parse_args(int argc, char **argv, struct plan_opts *o)
{
	int c, r;

	while ((c = cli_getopt(argc, argv, "qh", longopts)) != -1) {
		r = cli_common_option(&o->common, c, optarg, 1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_MD);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		switch (c) {
		case 'h': cli_help(stdout, usage_text); exit(0);
		case O_FAILON:
			if (strcmp(optarg, "broken") == 0)
				o->fail_on = EKU_SEV_BROKEN;
			else if (strcmp(optarg, "at_risk") == 0)
				o->fail_on = EKU_SEV_AT_RISK;
			else if (strcmp(optarg, "never") == 0)
				o->fail_on = -1;
			else {
				cli_error("--fail-on %s: use broken, at_risk or never", optarg);
				return -1;
			}
			break;
		case O_ASSUME: o->assume_renewed = true; break;
		case O_SYSBUNDLE:
			if (cli_check_file("--system-bundle", optarg) != 0)
				return -1;
			o->system_bundle = optarg;
			break;
		case O_NOSYS: o->no_system = true; break;
		case O_SCAN: o->scan = true; break;
		case O_CHAINS:
			if (cli_check_dir("--chains", optarg) != 0)
				return -1;
			o->chains = optarg;
			break;
		case O_CTMO:
			if (cli_parse_duration("--connect-timeout", optarg, false, &o->connect_ms) != 0)
				return -1;
			break;
		case O_HTMO:
			if (cli_parse_duration("--handshake-timeout", optarg, false, &o->handshake_ms) != 0)
				return -1;
			break;
		case O_TMO:
			if (cli_parse_duration("--timeout", optarg, false, &o->total_ms) != 0)
				return -1;
			break;
		case O_STARTTLS: o->td.starttls = optarg; break;
		case O_SNI: o->td.sni = optarg; break;
		default:
			return -1; /* cli_getopt said why */
		}
	}
	return check_args(argc, o, argv);
}

static int check_args(int argc, struct plan_opts *o, char **argv)
{
	enum eku_proto pr;

	if (o->scan && o->chains != NULL) {
		cli_error("--scan reads certificates live and --chains reads saved ones; give one of them");
		return -1;
	}
	if (!o->scan && (o->connect_ms || o->handshake_ms || o->total_ms || o->td.starttls || o->td.sni)) {
		cli_error("--timeout, --connect-timeout, --handshake-timeout, --starttls and --sni apply to --scan; "
			"add --scan");
		return -1;
	}
	if (o->td.starttls != NULL && eku_proto_from_name(o->td.starttls, &pr) != 0) {
		cli_error("--starttls %s: unknown protocol; use smtp, imap, pop3, ftp, ldap, xmpp-client, "
			"xmpp-server, postgres, sip, https or tls", o->td.starttls);
		return -1;
	}
	if (optind != argc - 1) {
		cli_error("give one inventory file; example: eku plan examples/expressway/inventory.yaml");
		return -1;
	}
	o->input = argv[optind];
	return 0;
}

/* --- text ------------------------------------------------------------------ */

static void wrap(const char *indent, const char *text, size_t width)
{
	fputs(indent, stdout);
	cli_wrap(indent, text, width);
}

/* Source URLs do not wrap, so text output cites them as "ref N" and lists
 * them once at the end. */
struct refs {
	eku_strv urls;
};

static size_t ref_index(struct refs *r, const char *url, size_t len)
{
	for (size_t i = 0; i < r->urls.n; i++)
		if (strlen(r->urls.v[i]) == len && strncmp(r->urls.v[i], url, len) == 0)
			return i + 1;
	char *u = strndup(url, len);
	if (u == NULL || eku_strv_push0(&r->urls, u) != 0)
		return 0;
	return r->urls.n;
}

/* Wraps text with every http(s) URL replaced by its reference. */
static void wrap_refs(struct refs *r, const char *indent, const char *text, size_t width)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *p = text;

	if (f == NULL) {
		wrap(indent, text, width);
		return;
	}
	while (*p != '\0') {
		const char *u = strstr(p, "https://"), *h = strstr(p, "http://"), *end;
		size_t n, idx;
		if (h != NULL && (u == NULL || h < u))
			u = h;
		if (u == NULL) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(u - p), f);
		n = strcspn(u, " ");
		end = u + n;
		while (end > u && strchr("]).,;", end[-1]) != NULL)
			end--;
		idx = ref_index(r, u, (size_t)(end - u));
		if (idx == 0)
			fwrite(u, 1, (size_t)(end - u), f);
		else
			fprintf(f, "ref %zu", idx);
		p = end;
	}
	fclose(f);
	wrap(indent, out != NULL ? out : text, width);
	free(out);
}

/* The summary line, "3 links broken, 2 at risk (first on 2027-01-09), 4 ok",
 * then the other severities only when present. JSON's summary.links and
 * summary.nodes hold the same counts. */
static void counts_line(const eku_plan *p, enum eku_finding_kind kind, bool lead, char *out, size_t len)
{
	const char *what = kind == EKU_FINDING_LINK ? "link" : "node";
	size_t c[5], n;
	int64_t first = eku_plan_first_break_kind(p, kind);
	char d[16];

	eku_plan_counts_kind(p, kind, c);
	if (lead)
		snprintf(out, len, "%zu %s%s broken", c[EKU_SEV_BROKEN], what, c[EKU_SEV_BROKEN] == 1 ? "" : "s");
	else
		snprintf(out, len, "%ss: %zu broken", what, c[EKU_SEV_BROKEN]);
	n = strlen(out);
	snprintf(out + n, len - n, ", %zu at risk%s%s%s, %zu ok", c[EKU_SEV_AT_RISK], first ? " (first on " : "",
		first ? eku_time_date(first, d, sizeof(d)) : "", first ? ")" : "", c[EKU_SEV_OK]);
	n = strlen(out);
	if (c[EKU_SEV_NOT_AFFECTED] > 0)
		snprintf(out + n, len - n, ", %zu not affected", c[EKU_SEV_NOT_AFFECTED]);
	n = strlen(out);
	if (c[EKU_SEV_UNKNOWN] > 0)
		snprintf(out + n, len - n, ", %zu unknown", c[EKU_SEV_UNKNOWN]);
}

/* Joins a string list with ", " into a malloc'd string (NULL on failure). */
static char *joined(const eku_strv *sv)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < sv->n; i++)
		fprintf(f, "%s%s", i ? ", " : "", sv->v[i]);
	fclose(f);
	return s;
}

static const char *sev_color(const struct cli_palette *pal, enum eku_severity s)
{
	return s == EKU_SEV_BROKEN ? pal->red : s == EKU_SEV_AT_RISK || s == EKU_SEV_UNKNOWN ? pal->yellow : pal->green;
}

static void print_finding(const struct eku_finding *f, const struct cli_palette *pal, struct refs *refs)
{
	char d[16], head[64], *reasons = NULL;

	snprintf(head, sizeof(head), "%s", eku_severity_name(f->severity));
	for (char *q = head; *q; q++)
		*q = (char)(*q == '_' ? ' ' : *q >= 'a' && *q <= 'z' ? *q - 32 : *q);
	printf("%s%s%-12s%s %s%s%s", pal->bold, sev_color(pal, f->severity), head, pal->reset, pal->bold,
		f->subject, pal->reset);
	/* 80 columns: the date goes on its own line when the subject is long. */
	if (f->breaks_on)
		printf("%sbreaks on %s", 13 + strlen(f->subject) + 2 + 20 > 80 ? "\n             " : "  ",
			eku_time_date(f->breaks_on, d, sizeof(d)));
	putchar('\n');
	if (f->reasons.n > 0 && (reasons = joined(&f->reasons)) != NULL)
		wrap("             ", reasons, 66);
	free(reasons);
	if (f->severity >= EKU_SEV_UNKNOWN && f->explanation && *f->explanation)
		wrap_refs(refs, "             ", f->explanation, 66);
	for (size_t i = 0; i < f->n_options; i++) {
		char lead[64];
		snprintf(lead, sizeof(lead), "option %c %s", f->options[i].id, f->options[i].available ? "open:" : "closed:");
		printf("             %s%s%s\n", f->options[i].available ? pal->green : pal->dim, lead, pal->reset);
		wrap_refs(refs, "               ", f->options[i].why, 64);
	}
}

/* Where and when each host:port certificate was read, 80 columns. */
static void print_live(const eku_plan *p)
{
	struct eku_plan_live_input in;
	char iso[32], *line = NULL;
	size_t len = 0;

	for (size_t i = 0; eku_plan_live_input_get(p, i, &in) == 0; i++) {
		FILE *f = open_memstream(&line, &len);
		if (f == NULL)
			return;
		if (i == 0)
			printf("\nlive inputs:\n");
		fprintf(f, "%s %s %s: ", in.node, in.role, in.endpoint);
		if (in.failure == NULL)
			fprintf(f, "read at %s (%zu certificate%s)", eku_time_iso(in.read_at, iso, sizeof(iso)),
				in.chain_length, in.chain_length == 1 ? "" : "s");
		else
			fprintf(f, "not read (%s%s%s)", in.failure, in.message ? ": " : "", in.message ? in.message : "");
		if (in.source != NULL && strcmp(in.source, in.endpoint) != 0)
			fprintf(f, ", from %s", in.source);
		fclose(f);
		wrap("  ", line, 76);
		free(line);
		line = NULL;
	}
}

/* Is the group named by id ("the 240 nodes of upgrade group G3") rather than
 * by its member list? Those are listed once at the end of the report. */
static bool group_named_by_id(const struct eku_upgrade_group *g)
{
	char *members = joined(&g->members);
	bool by_id = members == NULL || strcmp(members, g->name) != 0;

	free(members);
	return by_id;
}

static void emit_groups_text(const eku_plan *p, const struct cli_palette *pal)
{
	bool head = false;

	for (size_t i = 0; i < eku_plan_upgrade_group_count(p); i++) {
		const struct eku_upgrade_group *g = eku_plan_upgrade_group(p, i);
		char *members;
		if (!group_named_by_id(g))
			continue;
		if (!head)
			printf("\n%sUpgrade groups%s (upgrade together: same version)\n", pal->bold, pal->reset);
		head = true;
		printf("  %-6s ", g->id);
		if ((members = joined(&g->members)) != NULL)
			cli_wrap("         ", members, 70);
		free(members);
	}
}

static void emit_text(const eku_plan *p, const struct plan_opts *o)
{
	struct cli_palette pal = cli_palette(cli_use_color(o->common.color, stdout));
	const eku_strv *unread = eku_plan_unread_inputs(p);
	struct refs refs = { { 0 } };
	char d[16], links[256], nodes[256];

	counts_line(p, EKU_FINDING_LINK, true, links, sizeof(links));
	counts_line(p, EKU_FINDING_NODE, false, nodes, sizeof(nodes));
	printf("%s%s%s at %s%s\n", pal.bold, *eku_plan_deployment(p) ? eku_plan_deployment(p) : "deployment",
		pal.reset, eku_time_date(eku_plan_at(p), d, sizeof(d)),
		o->assume_renewed ? " (every certificate assumed renewed on that date)" : "");
	printf("%s\n%s\n\n", links, nodes);
	for (size_t i = 0; i < eku_plan_finding_count(p); i++)
		print_finding(eku_plan_finding(p, i), &pal, &refs);
	/* The live list names every host:port input, read or not. */
	if (eku_plan_live_input_count(p) > 0)
		print_live(p);
	else if (unread->n > 0)
		printf("\nnot read offline (give --scan to read them live, or --chains DIR):\n");
	for (size_t i = 0; eku_plan_live_input_count(p) == 0 && i < unread->n; i++)
		printf("  %s\n", unread->v[i]);
	printf("\n%sActions%s\n", pal.bold, pal.reset);
	if (eku_plan_action_count(p) == 0)
		printf("  nothing to do by a date; keep monitoring\n");
	for (size_t i = 0; i < eku_plan_action_count(p); i++) {
		const struct eku_action *a = eku_plan_action(p, i);
		char *ids;
		printf("  by %s  ", eku_time_date(a->by, d, sizeof(d)));
		cli_wrap("                 ", a->action, 62);
		if ((ids = joined(&a->finding_ids)) != NULL) {
			fputs(pal.dim, stdout);
			wrap("                 ", ids, 62);
			fputs(pal.reset, stdout);
		}
		free(ids);
	}
	emit_groups_text(p, &pal);
	if (refs.urls.n > 0)
		printf("\n%sSources%s\n", pal.bold, pal.reset);
	for (size_t i = 0; i < refs.urls.n; i++)
		printf("  ref %-3zu %s\n", i + 1, refs.urls.v[i]);
	eku_strv_clear(&refs.urls);
}

/* --- markdown ----------------------------------------------------------------- */

static void md_cell(const char *s)
{
	for (; *s; s++)
		if (*s == '|')
			fputs("\\|", stdout);
		else
			putchar(*s == '\n' ? ' ' : *s);
}

static void emit_md(const eku_plan *p, const struct plan_opts *o)
{
	char d[16], links[256], nodes[256];

	counts_line(p, EKU_FINDING_LINK, true, links, sizeof(links));
	counts_line(p, EKU_FINDING_NODE, false, nodes, sizeof(nodes));
	printf("# eku plan: %s\n\nAt %s%s.\n\n- %s\n- %s\n\n## Findings\n\n", *eku_plan_deployment(p) ?
		eku_plan_deployment(p) : "deployment", eku_time_date(eku_plan_at(p), d, sizeof(d)),
		o->assume_renewed ? " (every certificate assumed renewed)" : "", links, nodes);
	printf("| severity | subject | breaks on | reasons |\n|---|---|---|---|\n");
	for (size_t i = 0; i < eku_plan_finding_count(p); i++) {
		const struct eku_finding *f = eku_plan_finding(p, i);
		printf("| %s | ", eku_severity_name(f->severity));
		md_cell(f->subject);
		printf(" | %s | ", f->breaks_on ? eku_time_date(f->breaks_on, d, sizeof(d)) : "");
		for (size_t k = 0; k < f->reasons.n; k++)
			printf("%s`%s`", k ? " " : "", f->reasons.v[k]);
		printf(" |\n");
	}
	for (size_t i = 0; i < eku_plan_finding_count(p); i++) {
		const struct eku_finding *f = eku_plan_finding(p, i);
		if (f->severity < EKU_SEV_UNKNOWN)
			continue;
		printf("\n### %s: %s\n\n%s\n", eku_severity_name(f->severity), f->subject, f->explanation);
		if (f->n_options > 0)
			putchar('\n');
		for (size_t k = 0; k < f->n_options; k++)
			printf("- **%c** (%s): %s\n", f->options[k].id, f->options[k].available ? "open" : "closed",
				f->options[k].why);
	}
	printf("\n## Actions\n\n| by | action | findings |\n|---|---|---|\n");
	for (size_t i = 0; i < eku_plan_action_count(p); i++) {
		const struct eku_action *a = eku_plan_action(p, i);
		printf("| %s | ", eku_time_date(a->by, d, sizeof(d)));
		md_cell(a->action);
		printf(" | ");
		for (size_t k = 0; k < a->finding_ids.n; k++)
			printf("%s`%s`", k ? " " : "", a->finding_ids.v[k]);
		printf(" |\n");
	}
	for (size_t i = 0, head = 0; i < eku_plan_upgrade_group_count(p); i++) {
		const struct eku_upgrade_group *g = eku_plan_upgrade_group(p, i);
		if (!group_named_by_id(g))
			continue;
		if (!head++)
			printf("\n## Upgrade groups\n\n| group | members |\n|---|---|\n");
		printf("| %s | ", g->id);
		for (size_t k = 0; k < g->members.n; k++)
			printf("%s`%s`", k ? " " : "", g->members.v[k]);
		printf(" |\n");
	}
}

/* --- reading host:port certificates ------------------------------------------------ */

static void keep_result(const struct eku_probe_result *r, void *arg)
{
	(void)cli_live_results_keep(arg, r);
}

/* --scan: every endpoint at once on one event loop, so a dead one costs its
 * own timeout and nothing more; the outcomes reach the plan afterwards, from
 * this thread. Only the presented chain is needed: no client-auth probing. */
static int scan_endpoints(const struct plan_opts *o, eku_plan *p)
{
	eku_probe_config *cfg = NULL;
	eku_probe *pr = NULL;
	struct cli_live_results lr = { 0 };
	size_t *target_of = NULL, n = eku_plan_endpoint_count(p);
	int rc = -1;

	if (n == 0) {
		cli_warn("%s: no certificate is given as host:port; nothing to scan", o->input);
		return 0;
	}
	if ((cfg = eku_probe_config_new()) == NULL || (target_of = calloc(n, sizeof(*target_of))) == NULL)
		goto nomem;
	eku_probe_config_set_threads(cfg, 1);
	eku_probe_config_set_timeouts(cfg, o->connect_ms, o->handshake_ms, o->total_ms);
	eku_probe_config_set_detect_client_auth(cfg, false);
	if ((pr = eku_probe_new(cfg)) == NULL)
		goto nomem;
	if (cli_probe_add_inventory(pr, &o->td, p, o->input, target_of) != 0)
		goto out;
	if (cli_live_results_init(&lr, eku_probe_target_count(pr)) != 0)
		goto nomem;
	if (eku_probe_run(pr, keep_result, &lr) != 0) {
		cli_error("--scan: %s", eku_probe_error(pr)->message);
		goto out;
	}
	rc = cli_live_apply(p, target_of, &lr);
	goto out;
nomem:
	cli_error("out of memory");
out:
	cli_live_results_clear(&lr);
	free(target_of);
	eku_probe_free(pr);
	eku_probe_config_free(cfg);
	return rc;
}

static int read_live(const struct plan_opts *o, eku_plan *p)
{
	if (o->scan)
		return scan_endpoints(o, p);
	if (o->chains != NULL && eku_plan_read_endpoint_chains(p, o->chains) < 0) {
		cli_error("--chains %s: %s", o->chains, eku_plan_error(p)->message);
		return -1;
	}
	return 0;
}

static int exit_status(const eku_plan *p, int fail_on)
{
	for (size_t i = 0; fail_on >= 0 && i < eku_plan_finding_count(p); i++) {
		enum eku_severity s = eku_plan_finding(p, i)->severity;
		/* An unreadable input proves nothing: it fails like at_risk. */
		if (s == EKU_SEV_UNKNOWN)
			s = EKU_SEV_AT_RISK;
		if ((int)s >= fail_on)
			return 1;
	}
	return 0;
}

int cmd_plan(int argc, char **argv)
{
	struct plan_opts o;
	eku_plan *p = NULL;
	json_t *doc = NULL;
	int rc = 2;

	memset(&o, 0, sizeof(o));
	cli_common_init(&o.common);
	o.fail_on = EKU_SEV_AT_RISK;
	if (parse_args(argc, argv, &o) != 0)
		goto out;
	if ((p = eku_plan_new()) == NULL || eku_plan_set_data_dir(p, o.common.data_dir) != 0 ||
	    ((o.no_system || o.system_bundle) &&
		    eku_plan_set_system_bundle(p, o.no_system ? "" : o.system_bundle) != 0)) {
		cli_error("out of memory");
		rc = 3;
		goto out;
	}
	if (o.common.at_given)
		eku_plan_set_at(p, o.common.at);
	eku_plan_set_assume_renewed(p, o.assume_renewed);
	if (eku_plan_load_file(p, o.input) != 0) {
		for (size_t i = 0; i < eku_plan_diag_count(p); i++) {
			const struct eku_diag *d = eku_plan_diag(p, i);
			char at[4096];
			cli_error("%s: %s", cli_pos(at, sizeof(at), d->source, d->line, d->column), d->message);
		}
		if (eku_plan_diag_count(p) == 0) {
			const eku_error *e = eku_plan_error(p);
			/* A data file's message names that file, not the inventory. */
			if (e->code == EKU_E_BAD_DATA)
				cli_error("%s", e->message);
			else
				cli_error("%s: %s", o.input, e->message);
			rc = eku_errcode_class(e->code) == EKU_ERRCLASS_IO || e->code == EKU_E_BAD_DATA ? 2 : 3;
		}
		goto out;
	}
	if (read_live(&o, p) != 0) {
		rc = 3;
		goto out;
	}
	if (eku_plan_run(p) != 0) {
		cli_error("%s: %s", o.input, eku_plan_error(p)->message);
		rc = 3;
		goto out;
	}
	if (o.common.format == FMT_JSON) {
		if ((doc = eku_plan_json(p)) == NULL) {
			cli_error("out of memory");
			rc = 3;
			goto out;
		}
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (o.common.format == FMT_MD) {
		emit_md(p, &o);
	} else {
		emit_text(p, &o);
	}
	rc = exit_status(p, o.fail_on);
out:
	json_decref(doc);
	eku_plan_free(p);
	return rc;
}
