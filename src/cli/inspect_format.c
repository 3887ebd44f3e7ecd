/* eku inspect's per-certificate output: text and CSV records, written to
 * any FILE (a worker formats into its own memory stream). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/cert.h>
#include <eku/sunset.h>
#include <eku/trust.h>

#include "inspect.h"
#include "text.h"

/* 80 columns: a 12-column label, then the text word-wrapped. */
static void print_wrapped(FILE *out, const char *label, const char *text)
{
	fprintf(out, "  %-10s", label);
	cli_fwrap(out, "            ", text, 68);
}

static char *san_list(const struct eku_facts *f)
{
	size_t cap = 1;
	char *s;

	for (size_t i = 0; i < f->n_san; i++)
		cap += strlen(f->san[i].value) + 10;
	s = calloc(1, cap);
	/* Appended at a running end: strcat from the start would make a list
	 * of names quadratic. */
	for (size_t i = 0, o = 0; s != NULL && i < f->n_san; i++) {
		static const char *const tag[] = { "DNS", "IP", "URI", "email", "other" };
		o += (size_t)sprintf(s + o, "%s%s:%s", i ? ", " : "", tag[f->san[i].type], f->san[i].value);
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
	for (size_t i = 0, o = 0; s != NULL && i < sv->n; i++)
		o += (size_t)sprintf(s + o, "%s%s", i ? ", " : "", sv->v[i]);
	return s;
}

/* OpenSSL trust settings of a TRUSTED CERTIFICATE block: they change what
 * `openssl verify` accepts, so they belong next to the EKU. */
static void print_aux_trust(FILE *out, const eku_cert *c)
{
	char *t = joined(eku_cert_aux_trusted(c)), *r = joined(eku_cert_aux_rejected(c));

	if (t != NULL && *t != '\0')
		fprintf(out, "  %-10s%s\n", "trusted", t);
	if (r != NULL && *r != '\0')
		fprintf(out, "  %-10s%s\n", "rejected", r);
	free(t);
	free(r);
}

static void print_sunset(FILE *out, const struct eku_sunset *s, const struct cli_palette *p)
{
	const char *col = s->verdict == EKU_SUNSET_BROKEN    ? p->red
			  : s->verdict == EKU_SUNSET_AT_RISK ? p->yellow
			  : s->verdict == EKU_SUNSET_OK      ? p->green
							     : "";
	char line[512];

	snprintf(line, sizeof(line), "as client certificate: %s%s%s: %s", col,
		eku_sunset_verdict_name(s->verdict), *col ? p->reset : "", s->explanation);
	print_wrapped(out, "sunset", line);
}

void inspect_print_text(FILE *out, const eku_cert *c, const struct eku_classification *cl, int64_t at,
	const struct eku_sunset *sun, const struct cli_palette *p)
{
	const struct eku_facts *f = eku_cert_facts(c);
	int64_t days = eku_days_between(at, f->not_after);
	char nb[16], na[16], left[64];
	char *sans = san_list(f), *ekus = joined(&f->eku_names);
	bool srv = f->can_serve, cli = f->can_client;

	fprintf(out, "%s%s #%d%s %s(%s", p->bold, eku_cert_source(c), eku_cert_index(c), p->reset, p->dim,
		eku_cert_container(c));
	if (eku_cert_line(c) > 0)
		fprintf(out, ", line %d", eku_cert_line(c));
	fprintf(out, ")%s\n", p->reset);
	print_wrapped(out, "subject", f->subject);
	if (sans != NULL && *sans != '\0')
		print_wrapped(out, "SAN", sans);
	if (at < f->not_before)
		snprintf(left, sizeof(left), "%snot yet valid%s", p->yellow, p->reset);
	else if (days < 0)
		snprintf(left, sizeof(left), "%sexpired %lld days ago%s", p->red, (long long)-days, p->reset);
	else
		snprintf(left, sizeof(left), "%s%lld days left%s", days < 30 ? p->yellow : "",
			(long long)days, days < 30 ? p->reset : "");
	fprintf(out, "  %-10s%s .. %s (%s)\n", "validity", eku_time_date(f->not_before, nb, sizeof(nb)),
		eku_time_date(f->not_after, na, sizeof(na)), left);
	fprintf(out, "  %-10s%s %d%s%s%s\n", "key", f->key_type, f->key_bits, f->curve ? " " : "",
		f->curve ? f->curve : "", f->is_ca ? "  (CA)" : "");
	fprintf(out, "  %-10s%s [%s]\n", "EKU", f->has_eku ? ekus : "(no extension: any purpose)",
		eku_eku_class_name(f->eku_class));
	print_wrapped(out, "issuer", f->issuer);
	print_aux_trust(out, c);
	if (cl != NULL) {
		fprintf(out, "  %-10s%s%s%s%s%s\n", "trust", eku_issuer_class_name(cl->issuer_class),
			cl->inferred ? " (inferred)" : "", cl->ca_vendor_name ? ", " : "",
			cl->ca_vendor_name ? cl->ca_vendor_name : "",
			cl->alt_root ? ", alternative combined-EKU root" : "");
		for (size_t i = 0; i < cl->evidence.n; i++)
			fprintf(out, "  %-10s%s%s%s\n", "", p->dim, cl->evidence.v[i], p->reset);
	}
	print_sunset(out, sun, p);
	fprintf(out, "  can act as: server %s%s%s, client %s%s%s\n\n", srv ? p->green : p->red,
		srv ? "yes" : "no", p->reset, cli ? p->green : p->red, cli ? "yes" : "no", p->reset);
	free(sans);
	free(ekus);
}

static void csv_field(FILE *out, const char *s, bool last)
{
	eku_csv_field(out, s);
	fputc(last ? '\n' : ',', out);
}

void inspect_print_csv_header(FILE *out)
{
	fputs("source,index,subject,issuer,serial,not_before,not_after,days_left,eku_class,eku,"
	     "is_ca,self_signed,issuer_class,ca_vendor,sunset,sunset_breaks_on,san,sha256\n", out);
}

void inspect_print_csv(FILE *out, const eku_cert *c, const struct eku_classification *cl,
	const struct eku_sunset *sun, int64_t at)
{
	const struct eku_facts *f = eku_cert_facts(c);
	char buf[80], nb[32], na[32], hex[65];
	char *ekus = joined(&f->eku_oids), *sans = san_list(f);

	csv_field(out, eku_cert_source(c), false);
	snprintf(buf, sizeof(buf), "%d", eku_cert_index(c));
	csv_field(out, buf, false);
	csv_field(out, f->subject, false);
	csv_field(out, f->issuer, false);
	csv_field(out, f->serial, false);
	csv_field(out, eku_time_iso(f->not_before, nb, sizeof(nb)), false);
	csv_field(out, eku_time_iso(f->not_after, na, sizeof(na)), false);
	snprintf(buf, sizeof(buf), "%lld", (long long)eku_days_between(at, f->not_after));
	csv_field(out, buf, false);
	csv_field(out, eku_eku_class_name(f->eku_class), false);
	csv_field(out, ekus ? ekus : "", false);
	csv_field(out, f->is_ca ? "true" : "false", false);
	csv_field(out, f->self_signed ? "true" : "false", false);
	csv_field(out, cl ? eku_issuer_class_name(cl->issuer_class) : "", false);
	csv_field(out, cl && cl->ca_vendor ? cl->ca_vendor : "", false);
	csv_field(out, eku_sunset_verdict_name(sun->verdict), false);
	csv_field(out, sun->breaks_on ? eku_time_date(sun->breaks_on, buf, sizeof(buf)) : "", false);
	csv_field(out, sans ? sans : "", false);
	csv_field(out, eku_hex(f->sha256, 32, hex), true);
	free(ekus);
	free(sans);
}

