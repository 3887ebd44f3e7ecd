/* eku census: the clientAuth sunset in numbers, over certificate files and
 * Certificate Transparency get-entries pages (docs/census.md). */
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <eku/census.h>
#include <eku/cert.h>
#include <eku/ct.h>
#include <eku/report.h>
#include <eku/sunset.h>
#include <eku/timeline.h>
#include <eku/trust.h>

#include "commands.h"
#include "common.h"
#include "password.h"
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
	"  --system-bundle FILE  system roots (default /etc/ssl/certs/ca-certificates.crt)\n"
	"  --no-system           do not load the system roots\n"
	"  --public-root [VENDOR=]FILE  treat this root as publicly trusted\n"
	"  --password-file FILE  PKCS#12 password from the first line of FILE\n"
	"  --password-env VAR    PKCS#12 password from environment variable VAR\n"
	"  --password PW         PKCS#12 password on the command line (visible to other users)\n"
	"  --ext LIST            file extensions read from directories\n"
	"  --max-size BYTES      refuse inputs (and CT pages) larger than this (default 16777216)\n"
	"  --signatures WHEN     skip|check (default skip): census is statistics, so issuers\n"
	"                        are matched by name and key identifier; check also verifies\n"
	"                        each issuer's signature (slower)\n"
	CLI_COMMON_HELP
	"\n"
	"example:\n"
	"  eku census /etc/ssl/certs/ estate-export/\n"
	"  curl -s 'https://ct.example/ct/v1/get-entries?start=0&end=255' > page.json\n"
	"  eku census --format json --at 2026-06-01 page.json | jq .totals\n";

struct census_opts {
	struct cli_common common;
	struct cli_password pw;
	struct cli_trust tr;
	const char *ext;
	size_t max_size;
	bool ct;
	bool check_signatures;
};

/* Chains recently seen in CT entries, parsed once: a log page repeats a few
 * issuing chains over and over, and parsing them per entry would cost four
 * times the leaf. A small round-robin table keeps memory fixed. */
#define CHAIN_SLOTS 16
struct chain_slot {
	uint8_t *der;        /* the chain's certificates, each after a 3-byte length */
	size_t len;
	eku_certlist *list;
};

/* Everything one input needs: shared by the file and CT paths. */
struct run {
	struct chain_slot chains[CHAIN_SLOTS];
	unsigned next_slot;
	const struct census_opts *o;
	eku_trust *trust;
	eku_timeline *pol;
	eku_census *cen;
	eku_diaglist diags;
	const char *path;
	bool fatal;          /* classification or memory failure: exit 3 */
};

enum { O_PWFILE = 0x2000, O_PWENV, O_PW, O_EXT, O_MAX, O_CT, O_SIGS };

static const struct option longopts[] = {
	CLI_TRUST_LONGOPTS,
	CLI_UNTRUSTED_LONGOPT,
	{ "password-file", required_argument, NULL, O_PWFILE },
	{ "password-env", required_argument, NULL, O_PWENV },
	{ "password", required_argument, NULL, O_PW },
	{ "ext", required_argument, NULL, O_EXT },
	{ "max-size", required_argument, NULL, O_MAX },
	{ "ct", no_argument, NULL, O_CT },
	{ "signatures", required_argument, NULL, O_SIGS },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

static int parse_args(int argc, char **argv, struct census_opts *o)
{
	int c, r;
	char *end;

	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		r = cli_common_option(&o->common, c, optarg, 1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_CSV);
		if (r == 0)
			r = cli_trust_option(&o->tr, c, optarg);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		switch (c) {
		case 'h': fputs(usage_text, stdout); exit(0);
		case O_PWFILE: o->pw.file = optarg; break;
		case O_PWENV: o->pw.env = optarg; break;
		case O_PW: o->pw.literal = optarg; break;
		case O_EXT: o->ext = optarg; break;
		case O_CT: o->ct = true; break;
		case O_SIGS:
			if (strcmp(optarg, "check") != 0 && strcmp(optarg, "skip") != 0) {
				cli_error("--signatures %s: give check or skip", optarg);
				return -1;
			}
			o->check_signatures = strcmp(optarg, "check") == 0;
			break;
		case O_MAX:
			o->max_size = strtoull(optarg, &end, 10);
			if (*end != '\0' || o->max_size == 0) {
				cli_error("--max-size %s: give a positive number of bytes", optarg);
				return -1;
			}
			break;
		default:
			fprintf(stderr, "run 'eku census --help' for the options\n");
			return -1;
		}
	}
	if (optind >= argc) {
		cli_error("no input given; example: eku census certs/ (or '-' for stdin)");
		return -1;
	}
	return 0;
}

/* Classifies c against extra, judges it and counts it. */
static int count_cert(struct run *r, const eku_cert *c, const eku_certlist *extra)
{
	struct eku_classification *cl = eku_trust_classify(r->trust, c, extra);
	struct eku_sunset sun;
	int rc = -1;

	if (cl == NULL) {
		cli_error("%s #%d: %s", eku_cert_source(c), eku_cert_index(c), eku_trust_error(r->trust)->message);
		goto out;
	}
	eku_sunset_judge(r->pol, c, cl, r->o->common.at, &sun);
	if (eku_census_add(r->cen, eku_cert_facts(c), cl, &sun) != 0) {
		cli_error("%s", eku_census_error(r->cen)->message);
		goto out;
	}
	rc = 0;
out:
	eku_classification_free(cl);
	if (rc != 0)
		r->fatal = true;
	return rc;
}

/* --- certificate files: one path at a time, its certificates as issuers --- */

static void census_path(struct run *r, eku_loader *ld)
{
	eku_certlist *l = eku_certlist_new();

	if (l == NULL) {
		r->fatal = true;
		return;
	}
	eku_loader_load_path(ld, r->path, l, &r->diags);
	for (size_t i = 0; i < eku_certlist_count(l) && !r->fatal; i++)
		count_cert(r, eku_certlist_get0(l, i), l);
	eku_certlist_free(l);
}

/* --- CT pages ------------------------------------------------------------- */

/* A CT error message starts with the page name, and for JSON syntax errors
 * with line:column; the diag carries those apart so they print once. */
static int __attribute__((format(printf, 3, 4))) diag_like(eku_diaglist *d, const struct eku_diag *proto,
	const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = eku_diaglist_vadd(d, proto, fmt, ap);
	va_end(ap);
	return rc;
}

static int ct_diag(struct run *r, const eku_error *err, const char *hint)
{
	struct eku_diag proto = { .source = (char *)r->path, .code = err->code, .severity = EKU_DIAG_ERROR };
	const char *msg = err->message;
	size_t n = strlen(r->path);
	int used = 0;

	if (strncmp(msg, r->path, n) == 0 && msg[n] == ':') {
		msg += n + 1;
		if (sscanf(msg, "%d:%d:%n", &proto.line, &proto.column, &used) == 2 && used > 0)
			msg += used;
		msg += *msg == ' ';
	}
	return diag_like(&r->diags, &proto, "%s%s", msg, hint);
}

/* The chain of e as one byte string: each certificate after its length. */
static uint8_t *chain_key(const struct eku_ct_entry *e, size_t *len)
{
	size_t n = 0;
	uint8_t *k;

	for (size_t i = 0; i < e->n_chain; i++)
		n += 3 + e->chain_len[i];
	if ((k = malloc(n ? n : 1)) == NULL)
		return NULL;
	*len = n;
	n = 0;
	for (size_t i = 0; i < e->n_chain; i++) {
		k[n++] = (uint8_t)(e->chain_len[i] >> 16);
		k[n++] = (uint8_t)(e->chain_len[i] >> 8);
		k[n++] = (uint8_t)e->chain_len[i];
		memcpy(k + n, e->chain[i], e->chain_len[i]);
		n += e->chain_len[i];
	}
	return k;
}

/* The parsed chain of e, from the table or parsed now into a slot. A chain
 * certificate OpenSSL cannot read is left out: it only costs the issuer. */
static const eku_certlist *chain_get(struct run *r, const struct eku_ct_entry *e, int idx)
{
	struct chain_slot *sl;
	size_t len;
	uint8_t *key = chain_key(e, &len);
	eku_certlist *l = NULL;
	eku_error ce = { 0 };

	if (key == NULL)
		return NULL;
	for (unsigned i = 0; i < CHAIN_SLOTS; i++) {
		sl = &r->chains[i];
		if (sl->list != NULL && sl->len == len && memcmp(sl->der, key, len) == 0) {
			free(key);
			return sl->list;
		}
	}
	if ((l = eku_certlist_new()) == NULL)
		goto fail;
	for (size_t i = 0; i < e->n_chain; i++) {
		eku_cert *c = eku_cert_new_der(e->chain[i], e->chain_len[i], r->path, idx, &ce);

		if (c != NULL && eku_certlist_push0(l, c) != 0)
			goto fail;
		eku_error_clear(&ce);
	}
	sl = &r->chains[r->next_slot++ % CHAIN_SLOTS];
	free(sl->der);
	eku_certlist_free(sl->list);
	sl->der = key;
	sl->len = len;
	sl->list = l;
	return l;
fail:
	eku_certlist_free(l);
	free(key);
	return NULL;
}

static void chains_clear(struct run *r)
{
	for (unsigned i = 0; i < CHAIN_SLOTS; i++) {
		free(r->chains[i].der);
		eku_certlist_free(r->chains[i].list);
	}
	memset(r->chains, 0, sizeof(r->chains));
}

static int ct_entry(void *arg, const struct eku_ct_entry *e, eku_error *err)
{
	struct run *r = arg;
	int idx = e->index < 0x7fffffff ? (int)e->index + 1 : 0x7fffffff;
	const eku_certlist *chain = chain_get(r, e, idx);
	eku_cert *leaf = NULL;
	eku_error ce = { 0 };
	int rc = -1;

	if (chain == NULL)
		goto out;
	if ((leaf = eku_cert_new_der(e->cert, e->cert_len, r->path, idx, &ce)) == NULL) {
		/* One unreadable certificate is that entry's problem, not the page's. */
		rc = eku_diaglist_add(&r->diags, r->path, 0, 0, ce.code, "entry %zu: %s: %s", e->index,
			e->type == EKU_CT_PRECERT_ENTRY ? "extra_data: pre_certificate" : "leaf_input: ASN.1Cert",
			ce.message);
		goto out;
	}
	rc = count_cert(r, leaf, chain);
out:
	if (rc != 0)
		eku_error_set(err, EKU_E_INTERNAL, "%s: entry %zu: cannot count it", r->path, e->index);
	eku_cert_free(leaf);
	return rc;
}

static void census_ct(struct run *r)
{
	uint8_t *buf = NULL;
	size_t len;
	eku_error err = { 0 };

	if (eku_read_file(r->path, r->o->max_size, &buf, &len, &err) != 0) {
		(void)ct_diag(r, &err, err.code == EKU_E_TOO_LARGE ? " (raise it with --max-size)" : "");
		return;
	}
	if (eku_ct_page_parse(r->path, buf, len, ct_entry, r, &err) < 0 && !r->fatal)
		(void)ct_diag(r, &err, "");
	free(buf);
}

/* The detection rule of docs/census.md: a regular file that starts like a CT
 * page. Only the first 64 KiB are read here. */
static bool looks_like_ct(const char *path)
{
	static uint8_t head[64 * 1024];
	struct stat st;
	ssize_t n;
	int fd;

	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, head, sizeof(head));
	close(fd);
	return n > 0 && eku_ct_page_detect(head, (size_t)n);
}

/* --- output --------------------------------------------------------------- */

static void print_diag_line(const struct eku_diag *d)
{
	void (*say)(const char *, ...) = d->severity == EKU_DIAG_WARNING ? cli_warn : cli_error;

	if (d->line > 0)
		say("%s:%d: %s", d->source, d->line, d->message);
	else
		say("%s: %s", d->source, d->message);
}

static int emit(const struct run *r)
{
	json_t *doc = NULL, *errs, *warns;
	int rc = -1;

	for (size_t i = 0; i < r->diags.n; i++)
		print_diag_line(&r->diags.v[i]);
	if (r->o->common.format == FMT_TEXT)
		return eku_census_write_text(r->cen, stdout);
	if (r->o->common.format == FMT_CSV)
		return eku_census_write_csv(r->cen, stdout);
	if ((doc = eku_census_json(r->cen)) == NULL)
		goto out;
	errs = json_array();
	warns = json_array();
	json_object_set_new(doc, "errors", errs);
	json_object_set_new(doc, "warnings", warns);
	for (size_t i = 0; i < r->diags.n; i++)
		json_array_append_new(r->diags.v[i].severity == EKU_DIAG_WARNING ? warns : errs,
			eku_report_diag_json(&r->diags.v[i]));
	if (json_dumpf(doc, stdout, JSON_INDENT(2)) != 0)
		goto out;
	putchar('\n');
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

static int setup(struct run *r, eku_loader **ld, const char *pw)
{
	const struct census_opts *o = r->o;

	*ld = eku_loader_new();
	r->cen = eku_census_new(o->common.at);
	if (*ld == NULL || r->cen == NULL || eku_loader_set1_password(*ld, pw) != 0 ||
	    eku_loader_set_extensions(*ld, o->ext) != 0) {
		cli_error("out of memory");
		return -1;
	}
	eku_loader_set_max_bytes(*ld, o->max_size);
	if ((r->trust = cli_trust_build(&o->tr, o->common.data_dir)) == NULL)
		return -1;
	eku_trust_set_check_signatures(r->trust, o->check_signatures);
	if ((r->pol = eku_timeline_new()) == NULL || eku_timeline_load(r->pol, o->common.data_dir) != 0) {
		cli_error("%s", r->pol != NULL ? eku_timeline_error(r->pol)->message : "out of memory");
		return -1;
	}
	return 0;
}

int cmd_census(int argc, char **argv)
{
	struct census_opts o;
	struct run r;
	eku_loader *ld = NULL;
	char *pw = NULL;
	int rc = 2;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	cli_common_init(&o.common);
	o.max_size = EKU_LOADER_DEFAULT_MAX_BYTES;
	r.o = &o;
	if (parse_args(argc, argv, &o) != 0 || cli_password_get(&o.pw, &pw) != 0 || setup(&r, &ld, pw) != 0)
		goto out;
	for (int i = optind; i < argc && !r.fatal; i++) {
		r.path = argv[i];
		if (o.ct || looks_like_ct(argv[i]))
			census_ct(&r);
		else
			census_path(&r, ld);
	}
	if (r.fatal || emit(&r) != 0) {
		rc = 3;
		goto out;
	}
	rc = eku_diaglist_errors(&r.diags) > 0 ? 2 : 0;
out:
	cli_password_free(pw);
	chains_clear(&r);
	eku_diaglist_clear(&r.diags);
	eku_census_free(r.cen);
	eku_trust_free(r.trust);
	eku_timeline_free(r.pol);
	eku_loader_free(ld);
	cli_trust_clear(&o.tr);
	return rc;
}
