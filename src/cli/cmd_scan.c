/* eku scan: what live endpoints present and what they demand of clients. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <eku/plan.h>
#include <eku/probe.h>
#include <eku/report.h>
#include <eku/trust.h>

#include "commands.h"
#include "common.h"
#include "liveprobe.h"
#include "password.h"
#include "trustopts.h"

static const char usage_text[] =
	"usage: eku scan [options] TARGET...\n"
	"\n"
	"Connects to TLS endpoints (direct TLS or STARTTLS) and reports, per endpoint,\n"
	"the TLS version and cipher, the presented chain (EKU class, issuer class, CA\n"
	"vendor, expiry), whether the server requests a client certificate (none,\n"
	"requested, optional, required), the CA names it accepts and whether they\n"
	"include publicly trusted roots (exposed to the clientAuth sunset). With\n"
	"--client-cert it presents each candidate certificate and reports accepted or\n"
	"rejected (with the alert).\n"
	"\n"
	"TARGET is host[:port][,starttls=PROTO][,sni=NAME]; IPv6 as [addr]:port. PROTO:\n"
	"smtp imap pop3 ftp ldap xmpp-client xmpp-server postgres (STARTTLS), sip (TLS +\n"
	"OPTIONS banner), https (TLS + one GET: nginx judges certificates in HTTP), tls\n"
	"(offers ALPN http/1.1: a server that selects it gets the https probe).\n"
	"Default by port: 25/587 smtp, 143 imap, 110 pop3, 21 ftp, 389 ldap, 5222/5269\n"
	"xmpp, 5432 postgres, 5061 sip, 443/8443 https, else tls. Port defaults to 443.\n"
	"\n"
	"Exit status: 0 nothing found, 1 a target accepts public client certificates or\n"
	"a candidate was rejected, 2 usage error, 3 a target could not be probed.\n"
	"\n"
	"options:\n"
	"  --format FMT              text|json|jsonl|csv (default text; jsonl streams)\n"
	"  --targets FILE            more targets, one per line ('#' comments, '-' stdin)\n"
	"  --inventory FILE          the host:port certificates of an 'eku plan'\n"
	"                            inventory; results are labelled with the node name\n"
	"  --save-chains DIR         with --inventory: write each chain read as\n"
	"                            DIR/<node>-<role>.pem for 'eku plan --chains DIR'\n"
	"  --starttls PROTO          protocol for targets that do not name one\n"
	"  --sni NAME                SNI for targets that do not name one\n"
	"  --xmpp-to DOMAIN          XMPP stream 'to' (default: SNI or host)\n"
	"  --xmpp-from DOMAIN        XMPP stream 'from' (s2s default eku-scan.invalid)\n"
	"  --client-cert FILE        candidate client certificate (PEM or PKCS#12);\n"
	"                            repeatable\n"
	"  --client-key FILE         key for the candidate given just before (PEM)\n"
	"  --password-file FILE      key / PKCS#12 password from the first line of FILE\n"
	"  --password-env VAR        key / PKCS#12 password from environment variable VAR\n"
	"  --password PW             password on the command line (others can see it)\n"
	"  --no-client-auth          only handshake: no client-auth verdict, no dry runs\n"
	"  --concurrency N           targets in flight across all threads (default 64)\n"
	"  --threads N               worker threads, each with its own event loop\n"
	"                            (default: one per online CPU, at most 8; 1 = a\n"
	"                            single loop)\n"
	"  --connect-timeout DUR     per connection (default 5s; DUR: 5, 5s, 500ms)\n"
	"  --handshake-timeout DUR   STARTTLS + TLS handshake + probe (default 10s)\n"
	"  --timeout DUR             total per target, all attempts (default 30s)\n"
	"  --post-handshake-wait DUR listen for a late TLS 1.3 alert (default 1s)\n"
	"  --resolve HOST:PORT:ADDR[,ADDR...]  connect to these addresses instead of\n"
	"                            asking DNS (IPv6 in brackets; SNI stays HOST)\n"
	"  --trust FILE              private trust anchors (classify chains); repeatable\n"
	"  --public-root [VENDOR=]FILE  treat this root as public (labs, what-if);\n"
	"                            repeatable\n"
	"  --system-bundle FILE      public roots\n"
	"                            (default /etc/ssl/certs/ca-certificates.crt)\n"
	"  --no-system               do not load the system roots\n"
	"  --no-progress             no progress bar (shown on a TTY stderr otherwise)\n"
	CLI_COMMON_HELP
	"\n"
	"examples:\n"
	"  eku scan expe.example.com:5061 mail.example.com:25 '[2001:db8::1]:443'\n"
	"  eku scan --client-cert renewed.pem --client-key renewed.key \\\n"
	"      partner.example:5269\n"
	"  eku scan --targets endpoints.txt --format jsonl --concurrency 200 > scan.jsonl\n"
	"  eku scan --inventory examples/expressway/inventory.yaml\n"
	"  eku scan --inventory inventory.yaml --save-chains chains/\n"
	"  eku plan --chains chains/ inventory.yaml      # judge the saved chains offline\n";

struct cand_arg {
	const char *cert, *key;
};

struct scan_opts {
	struct cli_common common;
	struct cli_password pw;
	eku_strv targets_files, inventories, resolves;
	struct cli_trust tr;
	struct cand_arg *cand;
	size_t n_cand;
	struct cli_target_opts td;    /* --starttls, --sni */
	const char *xmpp_to, *xmpp_from, *save_chains;
	bool no_detect, no_progress;
	unsigned concurrency, threads, connect_ms, handshake_ms, total_ms, post_ms;
	bool post_given;
};

enum {
	O_TARGETS = 0x2000, O_STARTTLS, O_SNI, O_XTO, O_XFROM, O_CERT, O_KEY, O_PWFILE, O_PWENV, O_PW,
	O_NODETECT, O_CONC, O_CTMO, O_HTMO, O_TMO, O_POST,
	O_NOPROGRESS, O_INVENTORY, O_THREADS, O_SAVE, O_RESOLVE,
};

static const struct option longopts[] = {
	{ "targets", required_argument, NULL, O_TARGETS },
	{ "inventory", required_argument, NULL, O_INVENTORY },
	{ "save-chains", required_argument, NULL, O_SAVE },
	{ "starttls", required_argument, NULL, O_STARTTLS },
	{ "protocol", required_argument, NULL, O_STARTTLS },
	{ "sni", required_argument, NULL, O_SNI },
	{ "xmpp-to", required_argument, NULL, O_XTO },
	{ "xmpp-from", required_argument, NULL, O_XFROM },
	{ "client-cert", required_argument, NULL, O_CERT },
	{ "client-key", required_argument, NULL, O_KEY },
	{ "password-file", required_argument, NULL, O_PWFILE },
	{ "password-env", required_argument, NULL, O_PWENV },
	{ "password", required_argument, NULL, O_PW },
	{ "no-client-auth", no_argument, NULL, O_NODETECT },
	{ "concurrency", required_argument, NULL, O_CONC },
	{ "threads", required_argument, NULL, O_THREADS },
	{ "connect-timeout", required_argument, NULL, O_CTMO },
	{ "handshake-timeout", required_argument, NULL, O_HTMO },
	{ "timeout", required_argument, NULL, O_TMO },
	{ "post-handshake-wait", required_argument, NULL, O_POST },
	CLI_TRUST_LONGOPTS,
	{ "no-progress", no_argument, NULL, O_NOPROGRESS },
	{ "resolve", required_argument, NULL, O_RESOLVE },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static int add_cand(struct scan_opts *o, const char *cert)
{
	struct cand_arg *v = realloc(o->cand, (o->n_cand + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	o->cand = v;
	v[o->n_cand].cert = cert;
	v[o->n_cand++].key = NULL;
	return 0;
}

static int option(struct scan_opts *o, int c, const char *arg)
{
	unsigned long n;
	char *end;

	switch (c) {
	case O_TARGETS: return eku_strv_push(&o->targets_files, arg);
	case O_INVENTORY: return eku_strv_push(&o->inventories, arg);
	case O_STARTTLS: o->td.starttls = arg; return 0;
	case O_SNI:
		if (*arg == '\0') {
			cli_error("--sni: empty name; give the server name to send, or drop --sni");
			return -1;
		}
		o->td.sni = arg;
		return 0;
	case O_XTO:
	case O_XFROM:
		if (*arg == '\0') {
			cli_error("--%s: empty domain; give one or drop the option",
				c == O_XTO ? "xmpp-to" : "xmpp-from");
			return -1;
		}
		*(c == O_XTO ? &o->xmpp_to : &o->xmpp_from) = arg;
		return 0;
	case O_CERT:
		if (cli_check_file("--client-cert", arg) != 0)
			return -1;
		return add_cand(o, arg);
	case O_KEY:
		if (o->n_cand == 0 || o->cand[o->n_cand - 1].key != NULL) {
			cli_error("--client-key %s: give it after its --client-cert", arg);
			return -1;
		}
		if (cli_check_file("--client-key", arg) != 0)
			return -1;
		o->cand[o->n_cand - 1].key = arg;
		return 0;
	case O_PWFILE: o->pw.file = arg; return 0;
	case O_PWENV: o->pw.env = arg; return 0;
	case O_PW: o->pw.literal = arg; return 0;
	case O_NODETECT: o->no_detect = true; return 0;
	case O_CONC:
		n = strtoul(arg, &end, 10);
		if (*end != '\0' || n == 0 || n > 100000) {
			cli_error("--concurrency %s: give a number from 1 to 100000", arg);
			return -1;
		}
		o->concurrency = (unsigned)n;
		return 0;
	case O_THREADS:
		n = strtoul(arg, &end, 10);
		if (*end != '\0' || n == 0 || n > EKU_PROBE_MAX_THREADS) {
			cli_error("--threads %s: give a number from 1 to %d", arg, EKU_PROBE_MAX_THREADS);
			return -1;
		}
		o->threads = (unsigned)n;
		return 0;
	case O_CTMO: return cli_parse_duration("--connect-timeout", arg, false, &o->connect_ms);
	case O_HTMO: return cli_parse_duration("--handshake-timeout", arg, false, &o->handshake_ms);
	case O_TMO: return cli_parse_duration("--timeout", arg, false, &o->total_ms);
	case O_POST: o->post_given = true; return cli_parse_duration("--post-handshake-wait", arg, true, &o->post_ms);
	case O_SAVE:
		if (*arg == '\0') {
			cli_error("--save-chains: empty directory name");
			return -1;
		}
		o->save_chains = arg;
		return 0;
	case O_NOPROGRESS: o->no_progress = true; return 0;
	case O_RESOLVE: return eku_strv_push(&o->resolves, arg);
	default:
		return -1; /* cli_getopt said why */
	}
}

static int parse_args(int argc, char **argv, struct scan_opts *o)
{
	int c, r;
	enum eku_proto pr;

	while ((c = cli_getopt(argc, argv, "qh", longopts)) != -1) {
		r = cli_common_option(&o->common, c, optarg,
			1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_JSONL | 1u << FMT_CSV);
		if (r == 0)
			r = cli_trust_option(&o->tr, c, optarg);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (c == 'h') {
			cli_help(stdout, usage_text);
			exit(0);
		}
		if (option(o, c, optarg) != 0)
			return -1;
	}
	if (o->td.starttls != NULL && eku_proto_from_name(o->td.starttls, &pr) != 0) {
		cli_error("--starttls %s: unknown protocol; use smtp, imap, pop3, ftp, ldap, xmpp-client, "
			"xmpp-server, postgres, sip, https or tls", o->td.starttls);
		return -1;
	}
	if (o->no_detect && o->n_cand > 0) {
		cli_error("--no-client-auth skips the dry runs that --client-cert asks for; drop one of them");
		return -1;
	}
	if (o->save_chains != NULL && o->inventories.n == 0) {
		cli_error("--save-chains %s: names files after inventory nodes; give --inventory FILE too",
			o->save_chains);
		return -1;
	}
	if (optind >= argc && o->targets_files.n == 0 && o->inventories.n == 0) {
		cli_error("no target given; example: eku scan mail.example.com:25");
		return -1;
	}
	return 0;
}

/* ---- targets ------------------------------------------------------------------ */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Reports every bad line (file:line) before giving up. */
static int load_targets_file(const struct scan_opts *o, eku_probe *p, const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	eku_error err = { 0 };
	char *save = NULL, *line, where[512];
	int lineno = 0, bad = 0;

	if (eku_read_file(path, 64u * 1024 * 1024, &buf, &len, &err) != 0) {
		cli_error("--targets %s: %s", path, err.message);
		return -1;
	}
	for (char *s = (char *)buf; (line = strtok_r(s, "\n", &save)) != NULL; s = NULL) {
		lineno++;
		char *h = strchr(line, '#');
		if (h != NULL)
			*h = '\0';
		line = trim(line);
		if (*line == '\0')
			continue;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if (cli_probe_add_target(p, &o->td, line, where, NULL) != 0)
			bad++;
	}
	free(buf);
	return bad > 0 ? -1 : 0;
}

/* An inventory given with --inventory: kept until the output is written,
 * because --save-chains names its files after the inventory's nodes. */
struct inv {
	const char *path;
	eku_plan *pl;
	size_t *target_of;  /* per endpoint: its probe target index */
};

/* Reads an inventory as `eku plan` does (every problem reported as
 * file:line:column) and queues its host:port certificates. */
static int load_inventory(const struct scan_opts *o, eku_probe *p, struct inv *iv)
{
	const char *path = iv->path;
	eku_plan *pl = iv->pl = eku_plan_new();
	int rc = -1;

	if (pl == NULL || eku_plan_set_data_dir(pl, o->common.data_dir) != 0 ||
	    ((o->tr.no_system || o->tr.system_bundle) &&
		    eku_plan_set_system_bundle(pl, o->tr.no_system ? "" : o->tr.system_bundle) != 0)) {
		cli_error("out of memory");
		goto out;
	}
	if (eku_plan_load_file(pl, path) != 0) {
		for (size_t i = 0; i < eku_plan_diag_count(pl); i++) {
			const struct eku_diag *d = eku_plan_diag(pl, i);
			char at[4096];
			/* Inventory or product data file: each diag names its own. */
			cli_error("%s: %s", cli_pos(at, sizeof(at), d->source, d->line, d->column), d->message);
		}
		if (eku_plan_diag_count(pl) == 0)
			cli_error("--inventory %s: %s", path, eku_plan_error(pl)->message);
		goto out;
	}
	if ((iv->target_of = calloc(eku_plan_endpoint_count(pl) + 1, sizeof(size_t))) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	rc = cli_probe_add_inventory(p, &o->td, pl, path, iv->target_of);
out:
	return rc;
}

/* ---- trust and configuration ------------------------------------------------------ */

static eku_probe_config *make_config(const struct scan_opts *o, eku_trust *t, const char *pw)
{
	eku_probe_config *cfg = eku_probe_config_new();

	if (cfg == NULL) {
		cli_error("out of memory");
		return NULL;
	}
	eku_probe_config_set_concurrency(cfg, o->concurrency);
	eku_probe_config_set_threads(cfg, o->threads); /* 0: one per CPU */
	eku_probe_config_set_timeouts(cfg, o->connect_ms, o->handshake_ms, o->total_ms);
	if (o->post_given)
		eku_probe_config_set_post_handshake_ms(cfg, o->post_ms);
	eku_probe_config_set_detect_client_auth(cfg, !o->no_detect);
	eku_probe_config_set0_trust(cfg, t);
	eku_probe_config_set_at(cfg, o->common.at);
	if (eku_probe_config_set_xmpp(cfg, o->xmpp_to, o->xmpp_from) != 0)
		goto fail;
	/* The system and --public-root roots are already parsed in t. */
	if (eku_probe_config_add_public_anchors(cfg, t) != 0)
		goto fail;
	for (size_t i = 0; i < o->resolves.n; i++)
		if (eku_probe_config_add_resolve(cfg, o->resolves.v[i]) != 0)
			goto fail;
	for (size_t i = 0; i < o->n_cand; i++)
		if (eku_probe_config_add_candidate(cfg, o->cand[i].cert, o->cand[i].key, pw) != 0)
			goto fail;
	return cfg;
fail:
	cli_error("%s", eku_probe_config_error(cfg)->message);
	eku_probe_config_free(cfg);
	return NULL;
}

/* ---- output ------------------------------------------------------------------------ */

struct sink {
	const struct scan_opts *o;
	int64_t at;
	struct cli_palette pal;
	char **text;        /* per target index: rendered text / CSV row (text, csv) */
	json_t **json;      /* per target index (json) */
	size_t n;
	size_t failed, findings;
	bool progress;
	struct cli_live_results live; /* --save-chains: the chains read */
};

static void csv_field(FILE *f, const char *s, bool last)
{
	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\n\r") != NULL) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

static const char *leaf_class(const struct eku_probe_result *r, char *vendor, size_t cap)
{
	const struct eku_classification *cl = r->chain_cl ? r->chain_cl[0] : NULL;

	snprintf(vendor, cap, "%s", cl && cl->ca_vendor ? cl->ca_vendor : "");
	return cl ? eku_issuer_class_name(cl->issuer_class) : "";
}

static void render_csv(FILE *f, const struct eku_probe_result *r, int64_t at)
{
	const struct eku_facts *lf = eku_certlist_count(r->chain) ? eku_cert_facts(eku_certlist_get0(r->chain, 0)) : NULL;
	char na[32] = "", vendor[64], cas[4096] = "", dry[2048] = "";

	for (size_t i = 0; i < r->acceptable_cas.n; i++)
		snprintf(cas + strlen(cas), sizeof(cas) - strlen(cas), "%s%s", i ? " | " : "", r->acceptable_cas.v[i]);
	for (size_t i = 0; i < r->n_dry_runs; i++)
		snprintf(dry + strlen(dry), sizeof(dry) - strlen(dry), "%s%s=%s%s%s", i ? " | " : "",
			r->dry_runs[i].certificate, eku_dry_result_name(r->dry_runs[i].result),
			r->dry_runs[i].alert ? "/" : "", r->dry_runs[i].alert ? r->dry_runs[i].alert : "");
	if (lf != NULL)
		eku_time_iso(lf->not_after, na, sizeof(na));
	csv_field(f, r->target->spec, false);
	csv_field(f, r->address, false);
	csv_field(f, eku_proto_name(r->proto), false);
	csv_field(f, r->tls_version, false);
	csv_field(f, r->cipher, false);
	csv_field(f, lf ? lf->subject : NULL, false);
	csv_field(f, lf ? eku_eku_class_name(lf->eku_class) : NULL, false);
	csv_field(f, leaf_class(r, vendor, sizeof(vendor)), false);
	csv_field(f, vendor, false);
	csv_field(f, na, false);
	csv_field(f, eku_client_auth_name(r->client_auth), false);
	csv_field(f, cas, false);
	csv_field(f, r->accepts_public_client_certs ? "true" : "false", false);
	csv_field(f, dry, false);
	csv_field(f, r->banner, false);
	csv_field(f, r->err_class ? eku_probe_errclass_name(r->err_class) : NULL, false);
	csv_field(f, r->err_message, false);
	csv_field(f, r->target->label, true);
	(void)at;
}

static void render_chain_text(FILE *f, const struct eku_probe_result *r, int64_t at, const struct cli_palette *p)
{
	for (size_t i = 0; i < eku_certlist_count(r->chain); i++) {
		const struct eku_facts *cf = eku_cert_facts(eku_certlist_get0(r->chain, i));
		const struct eku_classification *cl = r->chain_cl ? r->chain_cl[i] : NULL;
		int64_t days = eku_days_between(at, cf->not_after);
		char na[16];

		fprintf(f, "  #%zu %s\n", i + 1, cf->subject);
		fprintf(f, "     eku %s%s%s, issuer %s%s%s, expires %s (%s%lld days%s)\n",
			cf->eku_class == EKU_CLASS_SERVER_ONLY ? p->yellow : "", eku_eku_class_name(cf->eku_class), p->reset,
			cl ? eku_issuer_class_name(cl->issuer_class) : "?",
			cl && cl->ca_vendor_name ? ", " : "", cl && cl->ca_vendor_name ? cl->ca_vendor_name : "",
			eku_time_date(cf->not_after, na, sizeof(na)), days < 30 ? p->red : "", (long long)days,
			days < 30 ? p->reset : "");
	}
}

/* Addresses that failed before the one reported (every address is tried). */
static void render_fallback_text(FILE *f, const struct eku_probe_result *r)
{
	if (r->failed_addresses.n == 0)
		return;
	fprintf(f, "  address: %s%s after", r->address ? r->address : "-",
		r->err_class == EKU_PROBE_OK ? "" : " (last tried)");
	for (size_t i = 0; i < r->failed_addresses.n; i++)
		fprintf(f, "%s %s", i ? ";" : "", r->failed_addresses.v[i]);
	fputc('\n', f);
}

static void render_text(FILE *f, const struct eku_probe_result *r, int64_t at, const struct cli_palette *p)
{
	fprintf(f, "%s%s%s (%s%s%s, %s)", p->bold, r->target->spec, p->reset,
		r->target->label ? r->target->label : "", r->target->label ? "; " : "",
		r->address ? r->address : "-", eku_proto_name(r->proto));
	if (r->tls_version != NULL)
		fprintf(f, "  %s %s", r->tls_version, r->cipher ? r->cipher : "");
	fputc('\n', f);
	render_fallback_text(f, r);
	if (r->err_class != EKU_PROBE_OK)
		fprintf(f, "  %serror%s [%s] %s\n", p->red, p->reset, eku_probe_errclass_name(r->err_class),
			r->err_message ? r->err_message : "");
	if (r->banner != NULL)
		fprintf(f, "  banner: %s\n", r->banner);
	render_chain_text(f, r, at, p);
	if (r->tls_version != NULL || r->cert_request) {
		fprintf(f, "  client certificate: %s%s%s%s%s%s\n", r->client_auth == EKU_CLIENT_AUTH_REQUIRED ? p->bold : "",
			eku_client_auth_name(r->client_auth), p->reset, r->client_auth_alert ? " (alert " : "",
			r->client_auth_alert ? r->client_auth_alert : "", r->client_auth_alert ? ")" : "");
	}
	if (r->cert_request) {
		fprintf(f, "  acceptable CAs: %zu%s\n", r->acceptable_cas.n, r->acceptable_cas.n ? "" : " (any)");
		for (size_t i = 0; i < r->acceptable_cas.n; i++)
			fprintf(f, "    %s\n", r->acceptable_cas.v[i]);
		if (r->accepts_public_client_certs)
			fprintf(f, "  %saccepts public client certificates%s: exposed to the clientAuth sunset\n",
				p->yellow, p->reset);
	}
	for (size_t i = 0; i < r->n_dry_runs; i++) {
		const struct eku_dry_run *d = &r->dry_runs[i];
		fprintf(f, "  dry run %s: %s%s%s%s%s%s%s%s\n", d->certificate,
			d->result == EKU_DRY_ACCEPTED ? p->green : d->result == EKU_DRY_REJECTED ? p->red : "",
			eku_dry_result_name(d->result), p->reset, d->alert ? " (" : "", d->alert ? d->alert : "",
			d->alert ? ")" : "", d->detail ? " - " : "", d->detail ? d->detail : "");
	}
	fputc('\n', f);
}

static char *render(const struct sink *s, const struct eku_probe_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	if (s->o->common.format == FMT_CSV)
		render_csv(f, r, s->at);
	else
		render_text(f, r, s->at, &s->pal);
	fclose(f);
	return buf;
}

static bool has_finding(const struct eku_probe_result *r)
{
	for (size_t i = 0; i < r->n_dry_runs; i++)
		if (r->dry_runs[i].result == EKU_DRY_REJECTED)
			return true;
	return r->accepts_public_client_certs;
}

static void progress_clear(struct sink *s)
{
	if (s->progress)
		fputs("\r\033[K", stderr);
}

static void on_result(const struct eku_probe_result *r, void *arg)
{
	struct sink *s = arg;
	json_t *j;

	if (r->err_class != EKU_PROBE_OK)
		s->failed++;
	if (has_finding(r))
		s->findings++;
	if (s->o->save_chains != NULL)
		(void)cli_live_results_keep(&s->live, r);
	switch (s->o->common.format) {
	case FMT_JSONL:
		j = eku_probe_result_json(r, s->at);
		progress_clear(s);
		json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		fflush(stdout);
		json_decref(j);
		break;
	case FMT_JSON:
		s->json[r->index] = eku_probe_result_json(r, s->at);
		break;
	default:
		s->text[r->index] = render(s, r);
	}
}

static void on_progress(size_t done, size_t total, size_t active, void *arg)
{
	struct sink *s = arg;
	int width = 30, fill = total ? (int)(done * (size_t)width / total) : width;

	if (!s->progress)
		return;
	fprintf(stderr, "\r[%.*s%*s] %zu/%zu done, %zu in flight", fill, "##############################",
		width - fill, "", done, total, active);
	fflush(stderr);
}

static void flush_output(struct sink *s)
{
	json_t *doc, *arr;

	progress_clear(s);
	if (s->o->common.format == FMT_CSV)
		puts("target,address,protocol,tls_version,cipher,leaf_subject,leaf_eku_class,leaf_issuer_class,"
		     "leaf_ca_vendor,leaf_not_after,client_auth,acceptable_cas,accepts_public_client_certs,"
		     "dry_runs,banner,error_class,error_message,label");
	if (s->o->common.format == FMT_JSON) {
		doc = json_pack("{s:s,s:[]}", "schema", EKU_SCHEMA, "results");
		arr = json_object_get(doc, "results");
		for (size_t i = 0; i < s->n; i++)
			if (s->json[i] != NULL)
				json_array_append_new(arr, s->json[i]);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
		return;
	}
	for (size_t i = 0; s->text != NULL && i < s->n; i++) {
		if (s->text[i] != NULL)
			fputs(s->text[i], stdout);
		free(s->text[i]);
	}
}

static void raise_fd_limit(unsigned concurrency)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)concurrency + 64) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int run_scan(struct scan_opts *o, eku_probe *p, struct sink *s)
{
	s->n = eku_probe_target_count(p);
	if (o->common.format == FMT_JSON)
		s->json = calloc(s->n ? s->n : 1, sizeof(*s->json));
	else
		s->text = calloc(s->n ? s->n : 1, sizeof(*s->text));
	if ((s->json == NULL && s->text == NULL) ||
	    (o->save_chains != NULL && cli_live_results_init(&s->live, s->n) != 0)) {
		cli_error("out of memory");
		return -1;
	}
	s->progress = !o->no_progress && !cli_quiet && isatty(STDERR_FILENO);
	eku_probe_set_progress_cb(p, on_progress, s);
	if (eku_probe_run(p, on_result, s) != 0) {
		progress_clear(s);
		cli_error("%s", eku_probe_error(p)->message);
		return -1;
	}
	flush_output(s);
	return 0;
}

/* --save-chains: after the run, from this thread, so no event loop waits on
 * the disk. */
static size_t save_chains(const struct scan_opts *o, const struct inv *iv, const struct sink *s)
{
	size_t bad = 0;

	for (size_t i = 0; o->save_chains != NULL && i < o->inventories.n; i++)
		bad += cli_live_save(iv[i].pl, iv[i].path, iv[i].target_of, &s->live, o->save_chains);
	return bad;
}

int cmd_scan(int argc, char **argv)
{
	struct scan_opts o;
	struct sink s;
	eku_trust *t = NULL;
	eku_probe_config *cfg = NULL;
	eku_probe *p = NULL;
	struct inv *iv = NULL;
	char *pw = NULL;
	int rc = 2, bad = 0;

	memset(&o, 0, sizeof(o));
	memset(&s, 0, sizeof(s));
	cli_common_init(&o.common);
	o.concurrency = EKU_PROBE_DEFAULT_CONCURRENCY;
	if (parse_args(argc, argv, &o) != 0 || cli_password_get(&o.pw, &pw) != 0)
		goto out;
	if ((t = cli_trust_build(&o.tr, o.common.data_dir)) == NULL || (cfg = make_config(&o, t, pw)) == NULL)
		goto out;
	cli_password_free(pw);
	pw = NULL;
	if ((p = eku_probe_new(cfg)) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	for (int i = optind; i < argc; i++)
		bad += cli_probe_add_target(p, &o.td, argv[i], NULL, NULL) != 0;
	for (size_t i = 0; i < o.targets_files.n; i++)
		bad += load_targets_file(&o, p, o.targets_files.v[i]) != 0;
	if ((iv = calloc(o.inventories.n + 1, sizeof(*iv))) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < o.inventories.n; i++) {
		iv[i].path = o.inventories.v[i];
		bad += load_inventory(&o, p, &iv[i]) != 0;
	}
	if (bad > 0)
		goto out;
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit(o.concurrency);
	s.o = &o;
	s.at = o.common.at;
	s.pal = cli_palette(o.common.format == FMT_TEXT && cli_use_color(o.common.color, stdout));
	if (run_scan(&o, p, &s) != 0) {
		rc = 3;
		goto out;
	}
	rc = s.failed > 0 ? 3 : s.findings > 0 ? 1 : 0;
	if (save_chains(&o, iv, &s) > 0)
		rc = 3;
out:
	for (size_t i = 0; iv != NULL && i < o.inventories.n; i++) {
		eku_plan_free(iv[i].pl);
		free(iv[i].target_of);
	}
	free(iv);
	cli_live_results_clear(&s.live);
	free(s.text);
	free(s.json);
	cli_password_free(pw);
	eku_probe_free(p);
	eku_probe_config_free(cfg);
	eku_trust_free(t);
	eku_strv_clear(&o.targets_files);
	eku_strv_clear(&o.inventories);
	eku_strv_clear(&o.resolves);
	cli_trust_clear(&o.tr);
	free(o.cand);
	return rc;
}
