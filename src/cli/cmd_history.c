/* eku history: the timeline of what eku serve saw, per endpoint or file. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <eku/jsonw.h>
#include <eku/report.h>

#include "../serve/sv.h"
#include "commands.h"
#include "common.h"

static const char usage_text[] =
	"usage: eku history [options] CONFIG\n"
	"       eku history [options] --data-dir DIR\n"
	"\n"
	"Lists what eku serve stored: per endpoint or file, each certificate seen\n"
	"there (first and last seen, EKU class, issuer class, vendor, expiry) and the\n"
	"events (clientauth_dropped, cert_changed, severity_changed, expiring).\n"
	"\n"
	"options:\n"
	"  --since WHEN      only what was seen since WHEN: 30m, 24h, 7d, 4w, or a\n"
	"                    date (2026-11-01 or 2026-11-01T12:00:00Z); default: all\n"
	"  --source NAME     one source of the config\n"
	"  --target PLACE    one endpoint or file, as in the metrics' target label\n"
	"  --format FMT      text (default) or json\n"
	"  --data-dir DIR    the history folder, instead of reading it from CONFIG\n"
	"  -h, --help        this help\n"
	"\n"
	"example:\n"
	"  eku history examples/serve/serve.yaml --since 7d\n"
	"  eku history --data-dir /var/lib/eku --format json | jq '.events[]'\n";

enum { O_SINCE = 0x2200, O_SOURCE, O_TARGET, O_FORMAT, O_DATA_DIR };

static const struct option longopts[] = {
	{ "since", required_argument, NULL, O_SINCE },
	{ "source", required_argument, NULL, O_SOURCE },
	{ "target", required_argument, NULL, O_TARGET },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "data-dir", required_argument, NULL, O_DATA_DIR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	int64_t since;
	const char *source, *target, *data_dir, *config;
	bool json;
};

/* "7d" style ages, or a date. */
static int parse_since(const char *s, int64_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	long long unit = 0;

	if (end != s && isdigit((unsigned char)s[0]) && end[0] != '\0' && end[1] == '\0') {
		unit = end[0] == 's' ? 1 : end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 :
		       end[0] == 'd' ? 86400 : end[0] == 'w' ? 7 * 86400 : 0;
		if (unit != 0 && v >= 0 && v < 100LL * 365 * 86400 / unit) {
			*out = (int64_t)time(NULL) - v * unit;
			return 0;
		}
	}
	return eku_time_parse(s, out);
}

/* ---- text ------------------------------------------------------------------- */

/* One line of the timeline, sorted by place then time. */
struct line {
	char *source, *key, *text;
	int64_t at;
	int order; /* observations before events at the same instant */
};

struct lines {
	struct line *v;
	size_t n, cap;
	bool nomem;
};

static void add_line(struct lines *l, const char *source, const char *key, int64_t at, int order, char *text)
{
	if (text == NULL || l->nomem) {
		l->nomem = true;
		free(text);
		return;
	}
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		struct line *nv = realloc(l->v, ncap * sizeof(*nv));
		if (nv == NULL) {
			l->nomem = true;
			free(text);
			return;
		}
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n] = (struct line){ strdup(source), strdup(key), text, at, order };
	if (l->v[l->n].source == NULL || l->v[l->n].key == NULL)
		l->nomem = true;
	l->n++;
}

static int text_obs(void *arg, const struct sv_hist_obs *o)
{
	char a[24], b[24], na[24], *t = NULL;

	if (asprintf(&t, "  %s .. %s  certificate %.16s  %s%s  %s%s%s  expires %s  %s", eku_time_iso(o->first_seen, a, 24),
		    eku_time_iso(o->last_seen, b, 24), o->sha256, o->eku_class,
		    o->clientauth ? " (clientAuth)" : " (no clientAuth)", o->issuer_class, o->vendor[0] ? " " : "",
		    o->vendor, eku_time_iso(o->not_after, na, 24), o->subject) < 0)
		t = NULL;
	add_line(arg, o->source, o->key, o->first_seen, 0, t);
	return 0;
}

static int text_event(void *arg, const struct sv_hist_event *e)
{
	char a[24], *t = NULL;

	if (asprintf(&t, "  %s  event %s  %s%s%s  %s", eku_time_iso(e->at, a, 24), e->type, e->old_value,
		    e->old_value[0] ? " -> " : "", e->new_value, e->detail) < 0)
		t = NULL;
	add_line(arg, e->source, e->key, e->at, 1, t);
	return 0;
}

static int line_cmp(const void *pa, const void *pb)
{
	const struct line *a = pa, *b = pb;
	int c = strcmp(a->source, b->source);

	if (c == 0)
		c = strcmp(a->key, b->key);
	if (c == 0)
		c = a->at < b->at ? -1 : a->at > b->at;
	return c != 0 ? c : a->order - b->order;
}

static int print_text(sv_store *st, const struct opts *o, char *why, size_t whylen)
{
	struct lines l = { 0 };
	int rc = sv_store_history(st, o->since, o->source, o->target, text_obs, text_event, &l, why, whylen);

	if (rc == 0 && l.nomem) {
		snprintf(why, whylen, "out of memory");
		rc = -1;
	}
	if (rc == 0 && l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), line_cmp);
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		if (i == 0 || strcmp(l.v[i].source, l.v[i - 1].source) != 0 || strcmp(l.v[i].key, l.v[i - 1].key) != 0)
			printf("%s%s  %s\n", i ? "\n" : "", l.v[i].source, l.v[i].key);
		printf("%s\n", l.v[i].text);
	}
	if (rc == 0 && l.n == 0)
		printf("nothing stored%s\n", o->since ? " in that period" : " yet");
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].source);
		free(l.v[i].key);
		free(l.v[i].text);
	}
	free(l.v);
	return rc;
}

/* ---- json (streamed) ---------------------------------------------------------- */

struct jctx {
	eku_jsonw *w;
	bool failed;
};

static int flush(struct jctx *j)
{
	if (eku_jsonw_flush(j->w, stdout) != 0)
		j->failed = true;
	return j->failed ? -1 : 0;
}

static int json_obs(void *arg, const struct sv_hist_obs *o)
{
	struct jctx *j = arg;
	eku_jsonw *w = j->w;
	char t[5][24];

	if (eku_jsonw_object_begin(w) | eku_jsonw_key(w, "source") | eku_jsonw_string(w, o->source) |
	    eku_jsonw_key(w, "target") | eku_jsonw_string(w, o->key) | eku_jsonw_key(w, "sha256") |
	    eku_jsonw_string(w, o->sha256) | eku_jsonw_key(w, "subject") | eku_jsonw_string(w, o->subject) |
	    eku_jsonw_key(w, "eku_class") | eku_jsonw_string(w, o->eku_class) | eku_jsonw_key(w, "clientauth") |
	    eku_jsonw_bool(w, o->clientauth) | eku_jsonw_key(w, "issuer_class") | eku_jsonw_string(w, o->issuer_class) |
	    eku_jsonw_key(w, "vendor") | eku_jsonw_string_or_null(w, o->vendor[0] ? o->vendor : NULL) |
	    eku_jsonw_key(w, "not_before") | eku_jsonw_string(w, eku_time_iso(o->not_before, t[0], 24)) |
	    eku_jsonw_key(w, "not_after") | eku_jsonw_string(w, eku_time_iso(o->not_after, t[1], 24)) |
	    eku_jsonw_key(w, "clientauth_ends") |
	    eku_jsonw_string_or_null(w, o->clientauth_ends ? eku_time_iso(o->clientauth_ends, t[2], 24) : NULL) |
	    eku_jsonw_key(w, "first_seen") | eku_jsonw_string(w, eku_time_iso(o->first_seen, t[3], 24)) |
	    eku_jsonw_key(w, "last_seen") | eku_jsonw_string(w, eku_time_iso(o->last_seen, t[4], 24)) |
	    eku_jsonw_object_end(w))
		j->failed = true;
	return flush(j);
}

static int json_event(void *arg, const struct sv_hist_event *e)
{
	struct jctx *j = arg;
	eku_jsonw *w = j->w;
	char at[24];

	if (eku_jsonw_object_begin(w) | eku_jsonw_key(w, "at") | eku_jsonw_string(w, eku_time_iso(e->at, at, 24)) |
	    eku_jsonw_key(w, "source") | eku_jsonw_string(w, e->source) | eku_jsonw_key(w, "type") |
	    eku_jsonw_string(w, e->type) | eku_jsonw_key(w, "target") | eku_jsonw_string(w, e->key) |
	    eku_jsonw_key(w, "old") | eku_jsonw_string_or_null(w, e->old_value[0] ? e->old_value : NULL) |
	    eku_jsonw_key(w, "new") | eku_jsonw_string_or_null(w, e->new_value[0] ? e->new_value : NULL) |
	    eku_jsonw_key(w, "detail") | eku_jsonw_string_or_null(w, e->detail[0] ? e->detail : NULL) |
	    eku_jsonw_object_end(w))
		j->failed = true;
	return flush(j);
}

static int print_json(sv_store *st, const struct opts *o, char *why, size_t whylen)
{
	struct jctx j = { .w = eku_jsonw_new(EKU_JSONW_INDENT(2), 0) };
	char at[24];
	int rc = -1;

	if (j.w == NULL)
		return -1;
	if (eku_jsonw_object_begin(j.w) | eku_jsonw_key(j.w, "schema") | eku_jsonw_string(j.w, EKU_SCHEMA) |
	    eku_jsonw_key(j.w, "since") |
	    eku_jsonw_string_or_null(j.w, o->since ? eku_time_iso(o->since, at, 24) : NULL) |
	    eku_jsonw_key(j.w, "observations") | eku_jsonw_array_begin(j.w))
		goto out;
	if (sv_store_history(st, o->since, o->source, o->target, json_obs, NULL, &j, why, whylen) != 0 ||
	    eku_jsonw_array_end(j.w) | eku_jsonw_key(j.w, "events") | eku_jsonw_array_begin(j.w))
		goto out;
	if (sv_store_history(st, o->since, o->source, o->target, NULL, json_event, &j, why, whylen) != 0 ||
	    eku_jsonw_array_end(j.w) | eku_jsonw_object_end(j.w) || flush(&j) != 0)
		goto out;
	fputc('\n', stdout);
	rc = 0;
out:
	eku_jsonw_free(j.w);
	return rc;
}

static int history(const struct opts *o)
{
	eku_diaglist d = { 0 };
	struct sv_config *c = NULL;
	sv_store *st = NULL;
	const char *dir = o->data_dir, *database = NULL;
	char why[512] = "", at[4096];
	int rc = 2;

	if (dir == NULL) {
		c = sv_config_load(o->config, false, &d);
		for (size_t i = 0; i < d.n; i++)
			cli_error("%s: %s", cli_pos(at, sizeof(at), d.v[i].source, d.v[i].line, d.v[i].column),
				d.v[i].message);
		if (c == NULL)
			goto out;
		dir = c->data_dir;
		database = c->database;
	}
	/* README's exit codes: a history that is not there is an input error
	 * (2); a PostgreSQL server that does not answer is a network failure (3). */
	if ((st = sv_store_open(dir, database, true, why, sizeof(why))) == NULL) {
		if (database != NULL)
			rc = 3;
		cli_error("%s%s", why, database != NULL ? "" : " (has eku serve run with this data_dir yet?)");
		goto out;
	}
	rc = 3;
	if ((o->json ? print_json : print_text)(st, o, why, sizeof(why)) != 0) {
		cli_error("%s", why[0] ? why : "cannot write the output");
		goto out;
	}
	rc = 0;
out:
	sv_store_close(st);
	sv_config_free(c);
	eku_diaglist_clear(&d);
	return rc;
}

int cmd_history(int argc, char **argv)
{
	struct opts o = { 0 };
	int c;

	while ((c = cli_getopt(argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case O_SINCE:
			if (parse_since(optarg, &o.since) != 0) {
				cli_error("--since '%s': give an age (30m, 24h, 7d, 4w) or a date (2026-11-01)", optarg);
				return 2;
			}
			break;
		case O_SOURCE: o.source = optarg; break;
		case O_TARGET: o.target = optarg; break;
		case O_DATA_DIR: o.data_dir = optarg; break;
		case O_FORMAT:
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				cli_error("--format '%s': give text or json", optarg);
				return 2;
			}
			o.json = strcmp(optarg, "json") == 0;
			break;
		case 'h': cli_help(stdout, usage_text); return 0;
		default: return 2;
		}
	}
	if ((o.data_dir == NULL && optind + 1 != argc) || (o.data_dir != NULL && optind != argc)) {
		cli_error("expected CONFIG or --data-dir DIR; example: eku history serve.yaml --since 7d");
		return 2;
	}
	o.config = o.data_dir == NULL ? argv[optind] : NULL;
	return history(&o);
}
