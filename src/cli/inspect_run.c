/* Reading, classifying and printing many certificates on worker threads,
 * in input order (eku/pool.h).
 *
 * Two shapes, by output format:
 *  - text and json print the run sorted by expiry, so the whole run is held:
 *    files are parsed on the workers, the sorted list is classified in
 *    slices on the workers, and the slices are printed in order.
 *  - jsonl and csv stream: memory must not grow with the input. Chains may
 *    use any certificate of the run as issuer, so a first pass keeps only
 *    the certificates that can issue (not a CA:FALSE leaf, keyCertSign when
 *    key usage is present: RFC 5280 6.1.4 (k) and (n)), read from the DER
 *    before any parse (eku_loader_set_issuers_only); the
 *    second pass parses each file again, classifies its certificates against
 *    those and prints them in input order, one file per task. Standard input
 *    is read once and kept for both passes.
 * Files are read on the submitting thread (I/O, bounded by --max-size) and
 * parsed on the workers; every worker has its own loader.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <eku/jsonw.h>
#include <eku/pool.h>
#include <eku/report.h>

#include "inspect.h"
#include "readopts.h"

#define SLICE 512 /* certificates per task when the run is held */
#define POOL_BYTES_PER_JOB (8u << 20)

struct run {
	const struct inspect_run_opts *o;
	eku_trust *t;
	const eku_timeline *tl;
	struct cli_palette pal;
	eku_loader **loaders;    /* one per worker */
	eku_jsonw **writers;     /* one per worker (json, jsonl) */
	eku_certlist *held;      /* text/json: the whole run; jsonl/csv: possible issuers */
	eku_diaglist diags;      /* in input order */
	/* Inputs that can be read only once (standard input, pipes such as a
	 * shell's <(command), devices), read when first met and kept for the
	 * second pass, which meets them in the same order. */
	struct once_input *once;
	size_t n_once, cap_once, next_once;
	size_t stdin_once;       /* index of "-" in once, or SIZE_MAX */
	bool pass1;              /* jsonl/csv: collecting issuers */
	size_t n_out;            /* certificate objects written (json separators) */
	struct eku_pem_tally file_tally; /* the parts of the current file so far */
	bool failed;             /* an internal failure: exit 3 */
};

struct once_input {
	char *path;
	uint8_t *buf;            /* NULL when it could not be read: diag says why */
	size_t len;
	eku_diaglist diag;
};

struct task {
	struct run *r;
	/* a file to parse */
	char *source;
	uint8_t *buf;
	size_t len;
	bool owns_buf;
	bool part;                 /* buf is a part of a PEM file (eku_pem_parts) */
	int line0, block0;         /* where the part starts */
	struct eku_pem_tally tally;
	char *file_end;            /* the end of a file read in parts: its verdict */
	bool read_failed;          /* ... after a read error (a diag says which) */
	eku_certlist *certs;
	eku_diaglist diags;
	/* or a slice of the held run */
	size_t from, to;
	/* output */
	char *out;
	size_t out_len;
	size_t out_cap; /* json, jsonl: appended by out_put */
	bool failed;
};

/* Appends to a task's output (json, jsonl): geometric growth, and no FILE
 * in between, whose memstream copied small writes byte by byte. */
static int out_put(struct task *k, const void *p, size_t n)
{
	if (k->out_cap - k->out_len < n) {
		size_t cap = k->out_cap ? k->out_cap : 4096;
		char *grown;
		while (cap - k->out_len < n)
			cap *= 2;
		if ((grown = realloc(k->out, cap)) == NULL)
			return -1;
		k->out = grown;
		k->out_cap = cap;
	}
	memcpy(k->out + k->out_len, p, n);
	k->out_len += n;
	return 0;
}

/* One certificate object with its "sunset" member, on the worker's writer
 * (compact for jsonl; for json at the depth of the "certificates" array
 * members, so its lines are those of the whole document's dump). */
static int write_json(eku_jsonw *w, const eku_cert *c, const struct eku_classification *cl,
	const struct eku_sunset *sun, int64_t at, bool nested)
{
	eku_jsonw_reset(w);
	if ((nested && eku_jsonw_set_depth(w, 2) != 0) || eku_jsonw_object_begin(w) != 0 ||
	    eku_report_cert_write_fields(w, c, cl, at) != 0 || eku_jsonw_key(w, "sunset") != 0 ||
	    eku_report_sunset_write(w, sun) != 0 || eku_jsonw_object_end(w) != 0)
		return -1;
	return 0;
}

/* Classifies and prints one certificate into out (text, csv) or the task's
 * output (json, jsonl). */
static int format_one(struct run *r, unsigned worker, struct task *k, FILE *out, const eku_cert *c,
	const eku_certlist *extra)
{
	struct eku_classification *cl = eku_trust_classify(r->t, c, extra);
	struct eku_sunset sun;
	const char *text;
	size_t len;
	int rc = -1;

	if (cl == NULL) {
		cli_error("%s #%d: %s", eku_cert_source(c), eku_cert_index(c), eku_trust_error(r->t)->message);
		return -1;
	}
	eku_sunset_judge(r->tl, c, cl, r->o->at, &sun);
	switch (r->o->format) {
	case FMT_TEXT:
		inspect_print_text(out, c, cl, r->o->at, &sun, &r->pal);
		break;
	case FMT_CSV:
		inspect_print_csv(out, c, cl, &sun, r->o->at);
		break;
	default:
		if (write_json(r->writers[worker], c, cl, &sun, r->o->at, r->o->format == FMT_JSON) != 0) {
			cli_error("%s #%d: cannot write its JSON object: %s", eku_cert_source(c),
				eku_cert_index(c), eku_jsonw_error(r->writers[worker])->message);
			goto out;
		}
		text = eku_jsonw_data(r->writers[worker], &len);
		/* jsonl: a line. json: a member of the "certificates" array,
		 * its separator added when the slices are joined; NUL ends
		 * the record and is replaced when printed. */
		if ((r->o->format == FMT_JSON && out_put(k, "    ", 4) != 0) || out_put(k, text, len) != 0 ||
		    out_put(k, r->o->format == FMT_JSONL ? "\n" : "", 1) != 0) {
			cli_error("%s #%d: out of memory", eku_cert_source(c), eku_cert_index(c));
			goto out;
		}
	}
	rc = 0;
out:
	eku_classification_free(cl);
	return rc;
}

static void work(void *arg, unsigned worker)
{
	struct task *k = arg;
	struct run *r = k->r;
	const eku_certlist *extra = r->held;
	FILE *out = NULL;

	if (k->source == NULL && k->to == 0)
		return; /* diagnostics only */
	if (k->source != NULL) {
		if ((k->certs = eku_certlist_new()) == NULL) {
			k->failed = true;
			return;
		}
		if (k->part) {
			const struct eku_pem_part part = { .buf = k->buf, .len = k->len, .line0 = k->line0,
				.block0 = k->block0 };
			eku_loader_load_pem_part(r->loaders[worker], k->source, &part, &k->tally, k->certs, &k->diags);
		} else {
			eku_loader_load_mem(r->loaders[worker], k->source, k->buf, k->len, k->certs, &k->diags);
		}
		if (k->owns_buf)
			free(k->buf);
		k->buf = NULL;
		if (r->pass1 || r->o->format == FMT_TEXT || r->o->format == FMT_JSON)
			return; /* the submitter keeps what it needs */
	}
	if ((r->o->format == FMT_TEXT || r->o->format == FMT_CSV) &&
	    (out = open_memstream(&k->out, &k->out_len)) == NULL) {
		k->failed = true;
		return;
	}
	if (k->source != NULL) {
		/* Streaming: this file's list is the task's own, so the X509 a
		 * signature check built for a leaf can go once it is printed. */
		for (size_t i = 0; i < eku_certlist_count(k->certs) && !k->failed; i++) {
			eku_cert *c = eku_certlist_get0(k->certs, i);
			k->failed = format_one(r, worker, k, out, c, extra) != 0;
			eku_cert_drop_x509(c);
		}
	} else {
		for (size_t i = k->from; i < k->to && !k->failed; i++)
			k->failed = format_one(r, worker, k, out, eku_certlist_get0(r->held, i), extra) != 0;
	}
	if (out != NULL && fclose(out) != 0)
		k->failed = true;
}

static void task_free(struct task *k)
{
	if (k->owns_buf)
		free(k->buf);
	free(k->source);
	free(k->file_end);
	eku_certlist_free(k->certs);
	eku_diaglist_clear(&k->diags);
	free(k->out);
	free(k);
}

/* Prints a json slice: records separated by NULs become array members. */
static void print_json_records(struct run *r, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = strlen(s + i);
		fputs(r->n_out++ == 0 ? "\n" : ",\n", stdout);
		fwrite(s + i, 1, n, stdout);
		i += n + 1;
	}
}

static void done(void *arg, void *ctx)
{
	struct task *k = arg;
	struct run *r = ctx;

	if (k->failed)
		r->failed = true;
	for (size_t i = 0; i < k->diags.n && !r->pass1; i++)
		if (eku_diaglist_add_copy(&r->diags, &k->diags.v[i]) != 0)
			r->failed = true;
	/* A file read in parts: its parts come in file order, and after the
	 * last one the file's own verdict ("no certificate"), as a whole
	 * file's load gives it. */
	r->file_tally.added += k->tally.added;
	r->file_tally.failed += k->tally.failed;
	r->file_tally.others += k->tally.others;
	if (k->file_end != NULL) {
		if (!k->read_failed)
			(void)eku_loader_pem_finish(k->file_end, &r->file_tally, r->pass1 ? &k->diags : &r->diags);
		r->file_tally = (struct eku_pem_tally){ 0 };
	}
	if (k->source != NULL) {
		/* Pass 1 keeps possible issuers, text/json keep everything. */
		for (size_t i = 0; k->certs != NULL && i < eku_certlist_count(k->certs); i++) {
			eku_cert *c = eku_certlist_get0(k->certs, i);
			if ((r->pass1 && eku_facts_may_issue(eku_cert_facts(c))) ||
			    (!r->pass1 && (r->o->format == FMT_TEXT || r->o->format == FMT_JSON)))
				if (eku_certlist_push0(r->held, eku_cert_up_ref(c)) != 0)
					r->failed = true;
		}
	}
	if (k->out != NULL) {
		if (r->o->format == FMT_JSON)
			print_json_records(r, k->out, k->out_len);
		else
			fwrite(k->out, 1, k->out_len, stdout);
	}
	task_free(k);
}

struct walker {
	struct run *r;
	eku_pool *pool;
	eku_diaglist walk_diags; /* the walk's own problems (links, empty directories) */
	size_t walk_sent;        /* how many of them went out in order already */
};

/* Queues the walk's new diagnostics as a task of their own, so they keep
 * their place among the files' diagnostics. */
static int flush_walk_diags(struct walker *w)
{
	struct task *k;

	if (w->walk_sent == w->walk_diags.n)
		return 0;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return -1;
	k->r = w->r;
	for (; w->walk_sent < w->walk_diags.n; w->walk_sent++)
		if (eku_diaglist_add_copy(&k->diags, &w->walk_diags.v[w->walk_sent]) != 0) {
			task_free(k);
			return -1;
		}
	eku_pool_submit(w->pool, k);
	return 0;
}

/* The kept bytes of a read-once input: the second pass takes the next one
 * the first pass recorded; "-" given again is the same standard input;
 * anything else is read now and recorded. NULL when memory ran out. */
static struct once_input *once_get(struct run *r, const char *file)
{
	struct once_input *o;
	eku_error err = { 0 };

	if (!r->pass1 && r->next_once < r->n_once && strcmp(r->once[r->next_once].path, file) == 0)
		return &r->once[r->next_once++];
	if (strcmp(file, "-") == 0 && r->stdin_once != SIZE_MAX)
		return &r->once[r->stdin_once];
	if (r->n_once == r->cap_once) {
		size_t cap = r->cap_once ? r->cap_once * 2 : 4;
		struct once_input *grown = realloc(r->once, cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		r->once = grown;
		r->cap_once = cap;
	}
	o = &r->once[r->n_once];
	*o = (struct once_input){ .path = strdup(file) };
	if (o->path == NULL)
		return NULL;
	if (eku_read_file(file, r->o->max_size, &o->buf, &o->len, &err) != 0)
		eku_diaglist_add(&o->diag, file, 0, 0, err.code, "%s", err.message);
	if (strcmp(file, "-") == 0)
		r->stdin_once = r->n_once;
	r->n_once++;
	if (!r->pass1)
		r->next_once = r->n_once; /* met only now: keep the order for later ones */
	return o;
}

/* Queues a large PEM file part by part, then a task that closes the file. */
static int queue_parts(struct walker *w, const char *file, eku_pem_parts *pp)
{
	struct eku_pem_part part;
	struct task *k = NULL;
	eku_error err = { 0 };
	int rc;

	while ((rc = eku_pem_parts_next(pp, &part, &err)) == 1) {
		if ((k = calloc(1, sizeof(*k))) == NULL || (k->source = strdup(file)) == NULL) {
			free(part.buf);
			free(k);
			goto nomem;
		}
		*k = (struct task){ .r = w->r, .source = k->source, .buf = part.buf, .len = part.len,
			.owns_buf = true, .part = true, .line0 = part.line0, .block0 = part.block0 };
		eku_pool_submit_sized(w->pool, k, k->len);
	}
	if ((k = calloc(1, sizeof(*k))) == NULL || (k->file_end = strdup(file)) == NULL) {
		free(k);
		goto nomem;
	}
	k->r = w->r;
	if (rc < 0) {
		k->read_failed = true;
		eku_diaglist_add(&k->diags, file, 0, 0, err.code, "%s", err.message);
	}
	eku_pool_submit(w->pool, k);
	eku_pem_parts_free(pp);
	return 1;
nomem:
	eku_pem_parts_free(pp);
	w->r->failed = true;
	return 0;
}

/* eku_loader_walk callback: reads one file (standard input once) and queues
 * it for a worker. An unreadable file is queued with its diagnostic. */
static int read_and_queue(void *arg, const char *file)
{
	struct walker *w = arg;
	struct run *r = w->r;
	struct task *k = NULL;
	eku_pem_parts *pp = NULL;
	eku_error err = { 0 };
	enum cli_read_as as;
	bool once;
	int got = 1;

	if (flush_walk_diags(w) != 0)
		goto nomem;
	as = cli_read_as(file);
	once = as == CLI_READ_ONCE;
	if (as == CLI_READ_PARTS && eku_pem_parts_open(file, r->o->max_size, CLI_PART_BYTES, &pp) == 1)
		return queue_parts(w, file, pp);
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->source = strdup(file)) == NULL)
		goto nomem;
	k->r = r;
	if (once) {
		struct once_input *o = once_get(r, file);
		if (o == NULL)
			goto nomem;
		k->buf = o->buf;
		k->len = o->len;
		if (o->buf == NULL && o->diag.n > 0 && eku_diaglist_add_copy(&k->diags, &o->diag.v[0]) != 0)
			goto nomem;
	} else if (eku_read_file(file, r->o->max_size, &k->buf, &k->len, &err) != 0) {
		eku_diaglist_add(&k->diags, file, 0, 0, err.code, "%s", err.message);
	} else {
		k->owns_buf = true;
	}
	if (k->buf == NULL) {
		/* Nothing to parse: the task carries its diagnostic only. */
		free(k->source);
		k->source = NULL;
		got = 0;
	}
	eku_pool_submit_sized(w->pool, k, k->len);
	return got;
nomem:
	free(k);
	r->failed = true;
	return 0;
}

static int run_files(struct run *r, char **inputs, int n)
{
	struct walker w = { .r = r };

	if ((w.pool = eku_pool_new(r->o->jobs, 0, work, done, r)) == NULL)
		return -1;
	/* Files in flight: a parsed file takes several times its size, so a
	 * run of large files holds about two per worker, whatever their number. */
	eku_pool_set_budget(w.pool, (size_t)r->o->jobs * POOL_BYTES_PER_JOB);
	for (int i = 0; i < n; i++)
		eku_loader_walk(r->loaders[0], inputs[i], read_and_queue, &w, &w.walk_diags);
	if (flush_walk_diags(&w) != 0)
		r->failed = true;
	eku_pool_free(w.pool);
	eku_diaglist_clear(&w.walk_diags);
	return 0;
}

/* text/json: the held run, sorted, classified in slices on the workers. */
static int run_slices(struct run *r)
{
	eku_pool *p = eku_pool_new(r->o->jobs, 0, work, done, r);
	size_t n = eku_certlist_count(r->held);

	if (p == NULL)
		return -1;
	for (size_t from = 0; from < n; from += SLICE) {
		struct task *k = calloc(1, sizeof(*k));
		if (k == NULL) {
			r->failed = true;
			break;
		}
		k->r = r;
		k->from = from;
		k->to = from + SLICE < n ? from + SLICE : n;
		eku_pool_submit(p, k);
	}
	eku_pool_free(p);
	return 0;
}

/* The "errors" or "warnings" member of the json document, as JSON_INDENT(2)
 * prints it. */
static int print_json_diags(eku_jsonw *w, const eku_diaglist *dl, enum eku_diag_severity sev,
	const char *key)
{
	size_t n = 0, len;
	const char *text;

	printf(",\n  \"%s\": [", key);
	for (size_t i = 0; i < dl->n; i++) {
		if (dl->v[i].severity != sev)
			continue;
		eku_jsonw_reset(w);
		if (eku_jsonw_set_depth(w, 2) != 0 || eku_report_diag_write(w, &dl->v[i]) != 0)
			return -1;
		text = eku_jsonw_data(w, &len);
		fputs(n++ == 0 ? "\n    " : ",\n    ", stdout);
		fwrite(text, 1, len, stdout);
	}
	fputs(n > 0 ? "\n  ]" : "]", stdout);
	return 0;
}

static int new_workers(struct run *r)
{
	unsigned flags = r->o->format == FMT_JSON ? EKU_JSONW_INDENT(2) : EKU_JSONW_COMPACT;

	if ((r->loaders = calloc(r->o->jobs, sizeof(*r->loaders))) == NULL ||
	    (r->writers = calloc(r->o->jobs, sizeof(*r->writers))) == NULL)
		return -1;
	for (unsigned i = 0; i < r->o->jobs; i++) {
		if ((r->writers[i] = eku_jsonw_new(flags, 0)) == NULL)
			return -1;
		if ((r->loaders[i] = eku_loader_new()) == NULL ||
		    eku_loader_set1_password(r->loaders[i], r->o->password) != 0 ||
		    eku_loader_set_extensions(r->loaders[i], r->o->ext) != 0)
			return -1;
		eku_loader_set_max_bytes(r->loaders[i], r->o->max_size);
	}
	return 0;
}

int inspect_run(const struct inspect_run_opts *o, char **inputs, int n_inputs, eku_trust *t,
	const eku_timeline *tl)
{
	struct run r = { .o = o, .t = t, .tl = tl, .stdin_once = SIZE_MAX };
	bool stream = o->format == FMT_JSONL || o->format == FMT_CSV;
	int rc = 3;

	cli_bulk_memory();
	r.pal = cli_palette(cli_use_color(o->color, stdout));
	if (new_workers(&r) != 0 || (r.held = eku_certlist_new()) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	if (stream) {
		r.pass1 = true;
		for (unsigned i = 0; i < o->jobs; i++)
			eku_loader_set_issuers_only(r.loaders[i], true);
		if (run_files(&r, inputs, n_inputs) != 0)
			goto out;
		r.pass1 = false;
		/* The issuers are held now: their copies in the files (every
		 * chain file repeats its intermediates) share them. */
		for (unsigned i = 0; i < o->jobs; i++) {
			eku_loader_set_issuers_only(r.loaders[i], false);
			eku_loader_set_known(r.loaders[i], r.held);
		}
		if (o->format == FMT_CSV)
			inspect_print_csv_header(stdout);
		if (run_files(&r, inputs, n_inputs) != 0)
			goto out;
	} else {
		if (run_files(&r, inputs, n_inputs) != 0)
			goto out;
		eku_certlist_sort_by_expiry(r.held);
		if (o->format == FMT_JSON)
			printf("{\n  \"schema\": \"%s\",\n  \"certificates\": [", EKU_SCHEMA);
		if (run_slices(&r) != 0)
			goto out;
		if (o->format == FMT_JSON) {
			fputs(r.n_out > 0 ? "\n  ]" : "]", stdout);
			if (print_json_diags(r.writers[0], &r.diags, EKU_DIAG_ERROR, "errors") != 0 ||
			    print_json_diags(r.writers[0], &r.diags, EKU_DIAG_WARNING, "warnings") != 0)
				r.failed = true;
			fputs("\n}\n", stdout);
		}
	}
	for (size_t i = 0; i < r.diags.n; i++)
		cli_print_load_diag(&r.diags.v[i]);
	if (fflush(stdout) != 0) {
		cli_error("cannot write the output");
		goto out;
	}
	if (r.failed)
		goto out;
	rc = eku_diaglist_errors(&r.diags) > 0 ? 2 : 0;
out:
	for (unsigned i = 0; r.loaders != NULL && i < o->jobs; i++)
		eku_loader_free(r.loaders[i]);
	for (unsigned i = 0; r.writers != NULL && i < o->jobs; i++)
		eku_jsonw_free(r.writers[i]);
	free(r.loaders);
	free(r.writers);
	eku_certlist_free(r.held);
	eku_diaglist_clear(&r.diags);
	for (size_t i = 0; i < r.n_once; i++) {
		free(r.once[i].path);
		free(r.once[i].buf);
		eku_diaglist_clear(&r.once[i].diag);
	}
	free(r.once);
	return rc;
}
