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
#include "password.h"
#include "text.h"
#include "trustopts.h"

static const char usage_text[] =
	"usage: eku inspect [options] INPUT...\n"
	"\n"
	"Reads certificates (PEM with any number of blocks, TRUSTED CERTIFICATE, DER,\n"
	"PKCS#7, PKCS#12, directories, '-' for stdin) and prints, per certificate, what\n"
	"it can authenticate (server/client EKU) and who issued it (issuer class, CA\n"
	"vendor). Sorted by expiry. Exit 2 when any input could not be read.\n"
	"\n"
	"options:\n"
	"  --format FMT          text|json|jsonl|csv (default text)\n"
	"  --trust FILE          extra trust anchors (private roots); repeatable\n"
	"  --untrusted FILE      intermediates for chain building; repeatable\n"
	"  --system-bundle FILE  system roots (default /etc/ssl/certs/ca-certificates.crt)\n"
	"  --no-system           do not load the system roots\n"
	"  --public-root [VENDOR=]FILE  treat this root as publicly trusted (labs,\n"
	"                        what-if studies), issued by VENDOR (e.g. letsencrypt)\n"
	"  --password-file FILE  PKCS#12 password from the first line of FILE\n"
	"  --password-env VAR    PKCS#12 password from environment variable VAR\n"
	"  --password PW         PKCS#12 password on the command line (visible to other users)\n"
	"  --ext LIST            file extensions read from directories\n"
	"                        (default pem,crt,cer,cert,der,p7b,p7c,p12,pfx,ca-bundle)\n"
	"  --max-size BYTES      refuse inputs larger than this (default 16777216)\n"
	CLI_COMMON_HELP
	"\n"
	"example:\n"
	"  eku inspect --untrusted chain.pem /etc/ssl/private/expe1.pem\n"
	"  eku inspect --format json certs/ | jq '.certificates[] | {subject, eku_class}'\n";

struct inspect_opts {
	struct cli_common common;
	struct cli_password pw;
	struct cli_trust tr;
	const char *ext;
	size_t max_size;
};

enum { O_PWFILE = 0x2000, O_PWENV, O_PW, O_EXT, O_MAX };

static const struct option longopts[] = {
	CLI_TRUST_LONGOPTS,
	CLI_UNTRUSTED_LONGOPT,
	{ "password-file", required_argument, NULL, O_PWFILE },
	{ "password-env", required_argument, NULL, O_PWENV },
	{ "password", required_argument, NULL, O_PW },
	{ "ext", required_argument, NULL, O_EXT },
	{ "max-size", required_argument, NULL, O_MAX },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static int parse_args(int argc, char **argv, struct inspect_opts *o)
{
	int c, r;
	char *end;

	while ((c = cli_getopt(argc, argv, "qh", longopts)) != -1) {
		r = cli_common_option(&o->common, c, optarg,
			1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_JSONL | 1u << FMT_CSV);
		if (r == 0)
			r = cli_trust_option(&o->tr, c, optarg);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		switch (c) {
		case 'h': cli_help(stdout, usage_text); exit(0);
		case O_PWFILE: o->pw.file = optarg; break;
		case O_PWENV: o->pw.env = optarg; break;
		case O_PW: o->pw.literal = optarg; break;
		case O_EXT: o->ext = optarg; break;
		case O_MAX:
			o->max_size = strtoull(optarg, &end, 10);
			if (*end != '\0' || o->max_size == 0) {
				cli_error("--max-size %s: give a positive number of bytes", optarg);
				return -1;
			}
			break;
		default:
			return -1; /* cli_getopt said why */
		}
	}
	if (optind >= argc) {
		cli_error("no input given; example: eku inspect cert.pem (or '-' for stdin)");
		return -1;
	}
	return 0;
}

/* --- text output --------------------------------------------------------- */

/* 80 columns: a 12-column label, then the text word-wrapped. */
static void print_wrapped(const char *label, const char *text)
{
	printf("  %-10s", label);
	cli_wrap("            ", text, 68);
}

static char *san_list(const struct eku_facts *f)
{
	size_t cap = 1;
	char *s;

	for (size_t i = 0; i < f->n_san; i++)
		cap += strlen(f->san[i].value) + 10;
	s = calloc(1, cap);
	for (size_t i = 0; s != NULL && i < f->n_san; i++) {
		static const char *const tag[] = { "DNS", "IP", "URI", "email", "other" };
		strcat(s, i ? ", " : "");
		strcat(s, tag[f->san[i].type]);
		strcat(s, ":");
		strcat(s, f->san[i].value);
	}
	return s;
}

static char *joined(const eku_strv *sv)
{
	size_t cap = 1;
	char *s;

	for (size_t i = 0; i < sv->n; i++)
		cap += strlen(sv->v[i]) + 2;
	s = calloc(1, cap);
	for (size_t i = 0; s != NULL && i < sv->n; i++) {
		strcat(s, i ? ", " : "");
		strcat(s, sv->v[i]);
	}
	return s;
}

/* OpenSSL trust settings of a TRUSTED CERTIFICATE block: they change what
 * `openssl verify` accepts, so they belong next to the EKU. */
static void print_aux_trust(const eku_cert *c)
{
	char *t = joined(eku_cert_aux_trusted(c)), *r = joined(eku_cert_aux_rejected(c));

	if (t != NULL && *t != '\0')
		printf("  %-10s%s\n", "trusted", t);
	if (r != NULL && *r != '\0')
		printf("  %-10s%s\n", "rejected", r);
	free(t);
	free(r);
}

static void print_sunset(const struct eku_sunset *s, const struct cli_palette *p)
{
	const char *col = s->verdict == EKU_SUNSET_BROKEN    ? p->red
			  : s->verdict == EKU_SUNSET_AT_RISK ? p->yellow
			  : s->verdict == EKU_SUNSET_OK      ? p->green
							     : "";
	char line[512];

	snprintf(line, sizeof(line), "as client certificate: %s%s%s: %s", col,
		eku_sunset_verdict_name(s->verdict), *col ? p->reset : "", s->explanation);
	print_wrapped("sunset", line);
}

static void print_text_cert(const eku_cert *c, const struct eku_classification *cl, int64_t at,
	const struct eku_sunset *sun, const struct cli_palette *p)
{
	const struct eku_facts *f = eku_cert_facts(c);
	int64_t days = eku_days_between(at, f->not_after);
	char nb[16], na[16], left[64];
	char *sans = san_list(f), *ekus = joined(&f->eku_names);
	bool srv = f->can_serve, cli = f->can_client;

	printf("%s%s #%d%s %s(%s", p->bold, eku_cert_source(c), eku_cert_index(c), p->reset, p->dim,
		eku_cert_container(c));
	if (eku_cert_line(c) > 0)
		printf(", line %d", eku_cert_line(c));
	printf(")%s\n", p->reset);
	print_wrapped("subject", f->subject);
	if (sans != NULL && *sans != '\0')
		print_wrapped("SAN", sans);
	if (at < f->not_before)
		snprintf(left, sizeof(left), "%snot yet valid%s", p->yellow, p->reset);
	else if (days < 0)
		snprintf(left, sizeof(left), "%sexpired %lld days ago%s", p->red, (long long)-days, p->reset);
	else
		snprintf(left, sizeof(left), "%s%lld days left%s", days < 30 ? p->yellow : "",
			(long long)days, days < 30 ? p->reset : "");
	printf("  %-10s%s .. %s (%s)\n", "validity", eku_time_date(f->not_before, nb, sizeof(nb)),
		eku_time_date(f->not_after, na, sizeof(na)), left);
	printf("  %-10s%s %d%s%s%s\n", "key", f->key_type, f->key_bits, f->curve ? " " : "",
		f->curve ? f->curve : "", f->is_ca ? "  (CA)" : "");
	printf("  %-10s%s [%s]\n", "EKU", f->has_eku ? ekus : "(no extension: any purpose)",
		eku_eku_class_name(f->eku_class));
	print_wrapped("issuer", f->issuer);
	print_aux_trust(c);
	if (cl != NULL) {
		printf("  %-10s%s%s%s%s%s\n", "trust", eku_issuer_class_name(cl->issuer_class),
			cl->inferred ? " (inferred)" : "", cl->ca_vendor_name ? ", " : "",
			cl->ca_vendor_name ? cl->ca_vendor_name : "",
			cl->alt_root ? ", alternative combined-EKU root" : "");
		for (size_t i = 0; i < cl->evidence.n; i++)
			printf("  %-10s%s%s%s\n", "", p->dim, cl->evidence.v[i], p->reset);
	}
	print_sunset(sun, p);
	printf("  can act as: server %s%s%s, client %s%s%s\n\n", srv ? p->green : p->red,
		srv ? "yes" : "no", p->reset, cli ? p->green : p->red, cli ? "yes" : "no", p->reset);
	free(sans);
	free(ekus);
}

/* --- CSV output ---------------------------------------------------------- */

static void csv_field(const char *s, bool last)
{
	bool quote = strpbrk(s, ",\"\n\r") != NULL;

	if (quote) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	putchar(last ? '\n' : ',');
}

static void print_csv_header(void)
{
	puts("source,index,subject,issuer,serial,not_before,not_after,days_left,eku_class,eku,"
	     "is_ca,self_signed,issuer_class,ca_vendor,sunset,sunset_breaks_on,san,sha256");
}

static void print_csv_cert(const eku_cert *c, const struct eku_classification *cl,
	const struct eku_sunset *sun, int64_t at)
{
	const struct eku_facts *f = eku_cert_facts(c);
	char buf[80], nb[32], na[32], hex[65];
	char *ekus = joined(&f->eku_oids), *sans = san_list(f);

	csv_field(eku_cert_source(c), false);
	snprintf(buf, sizeof(buf), "%d", eku_cert_index(c));
	csv_field(buf, false);
	csv_field(f->subject, false);
	csv_field(f->issuer, false);
	csv_field(f->serial, false);
	csv_field(eku_time_iso(f->not_before, nb, sizeof(nb)), false);
	csv_field(eku_time_iso(f->not_after, na, sizeof(na)), false);
	snprintf(buf, sizeof(buf), "%lld", (long long)eku_days_between(at, f->not_after));
	csv_field(buf, false);
	csv_field(eku_eku_class_name(f->eku_class), false);
	csv_field(ekus ? ekus : "", false);
	csv_field(f->is_ca ? "true" : "false", false);
	csv_field(f->self_signed ? "true" : "false", false);
	csv_field(cl ? eku_issuer_class_name(cl->issuer_class) : "", false);
	csv_field(cl && cl->ca_vendor ? cl->ca_vendor : "", false);
	csv_field(eku_sunset_verdict_name(sun->verdict), false);
	csv_field(sun->breaks_on ? eku_time_date(sun->breaks_on, buf, sizeof(buf)) : "", false);
	csv_field(sans ? sans : "", false);
	csv_field(eku_hex(f->sha256, 32, hex), true);
	free(ekus);
	free(sans);
}

static void print_diag_line(const struct eku_diag *d)
{
	void (*say)(const char *, ...) = d->severity == EKU_DIAG_WARNING ? cli_warn : cli_error;
	/* The loader states the limit; the option that raises it is ours. */
	const char *hint = d->code == EKU_E_TOO_LARGE ? " (raise it with --max-size)" : "";

	if (d->line > 0)
		say("%s:%d: %s%s", d->source, d->line, d->message, hint);
	else
		say("%s: %s%s", d->source, d->message, hint);
}

static int emit(const struct inspect_opts *o, eku_trust *t, const eku_timeline *pol,
	eku_certlist *certs, const eku_diaglist *diags)
{
	struct cli_palette pal = cli_palette(cli_use_color(o->common.color, stdout));
	json_t *doc = NULL, *arr = NULL, *errs = NULL, *warns = NULL;
	int rc = -1;

	if (o->common.format == FMT_JSON) {
		doc = json_pack("{s:s,s:[],s:[],s:[]}", "schema", EKU_SCHEMA, "certificates", "errors",
			"warnings");
		arr = json_object_get(doc, "certificates");
		errs = json_object_get(doc, "errors");
		warns = json_object_get(doc, "warnings");
	}
	if (o->common.format == FMT_CSV)
		print_csv_header();
	for (size_t i = 0; i < eku_certlist_count(certs); i++) {
		const eku_cert *c = eku_certlist_get0(certs, i);
		struct eku_classification *cl = eku_trust_classify(t, c, certs);
		struct eku_sunset sun;
		json_t *j;
		if (cl == NULL) {
			cli_error("%s #%d: %s", eku_cert_source(c), eku_cert_index(c),
				eku_trust_error(t)->message);
			goto out;
		}
		eku_sunset_judge(pol, c, cl, o->common.at, &sun);
		if (o->common.format == FMT_TEXT) {
			print_text_cert(c, cl, o->common.at, &sun, &pal);
		} else if (o->common.format == FMT_CSV) {
			print_csv_cert(c, cl, &sun, o->common.at);
		} else {
			j = eku_report_cert_json(c, cl, o->common.at);
			if (j == NULL || json_object_set_new(j, "sunset", eku_report_sunset_json(&sun)) != 0) {
				cli_error("%s #%d: cannot build its JSON object", eku_cert_source(c),
					eku_cert_index(c));
				json_decref(j);
				eku_classification_free(cl);
				goto out;
			}
			if (o->common.format == FMT_JSON) {
				json_array_append_new(arr, j);
			} else {
				json_dumpf(j, stdout, JSON_COMPACT);
				putchar('\n');
				json_decref(j);
			}
		}
		eku_classification_free(cl);
	}
	for (size_t i = 0; i < diags->n; i++) {
		if (o->common.format == FMT_JSON)
			json_array_append_new(diags->v[i].severity == EKU_DIAG_WARNING ? warns : errs,
				eku_report_diag_json(&diags->v[i]));
		print_diag_line(&diags->v[i]);
	}
	if (doc != NULL) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
	}
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

int cmd_inspect(int argc, char **argv)
{
	struct inspect_opts o;
	eku_loader *ld = NULL;
	eku_trust *t = NULL;
	eku_timeline *pol = NULL;
	eku_certlist *certs = NULL;
	eku_diaglist diags = { 0 };
	char *pw = NULL;
	int rc = 2;

	memset(&o, 0, sizeof(o));
	cli_common_init(&o.common);
	o.max_size = EKU_LOADER_DEFAULT_MAX_BYTES;
	if (parse_args(argc, argv, &o) != 0 || cli_password_get(&o.pw, &pw) != 0)
		goto out;
	ld = eku_loader_new();
	certs = eku_certlist_new();
	if (ld == NULL || certs == NULL || eku_loader_set1_password(ld, pw) != 0 ||
	    eku_loader_set_extensions(ld, o.ext) != 0) {
		cli_error("out of memory");
		goto out;
	}
	eku_loader_set_max_bytes(ld, o.max_size);
	for (int i = optind; i < argc; i++)
		eku_loader_load_path(ld, argv[i], certs, &diags);
	if ((t = cli_trust_build(&o.tr, o.common.data_dir)) == NULL)
		goto out;
	if ((pol = eku_timeline_new()) == NULL || eku_timeline_load(pol, o.common.data_dir) != 0) {
		cli_error("%s", pol != NULL ? eku_timeline_error(pol)->message : "out of memory");
		goto out;
	}
	eku_certlist_sort_by_expiry(certs);
	if (emit(&o, t, pol, certs, &diags) != 0) {
		rc = 3;
		goto out;
	}
	rc = eku_diaglist_errors(&diags) > 0 ? 2 : 0;
out:
	cli_password_free(pw);
	eku_diaglist_clear(&diags);
	eku_certlist_free(certs);
	eku_trust_free(t);
	eku_timeline_free(pol);
	eku_loader_free(ld);
	cli_trust_clear(&o.tr);
	return rc;
}
