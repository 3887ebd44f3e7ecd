/* eku census on worker threads (eku/pool.h): the submitting thread walks the
 * inputs file by file (eku_loader_walk) and reads each file's bytes; a
 * worker parses them with its own loader, classifies each certificate
 * against the certificates of the same file (a CT entry: against its chain)
 * and counts it into the worker's own census; the censuses are merged at the
 * end (eku_census_merge), so counts do not depend on --jobs. Memory is
 * bounded by the pool's window of files in flight, not by the input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/ct.h>
#include <eku/pool.h>
#include <eku/sunset.h>

#include "census.h"
#include "msg.h"
#include "readopts.h"

/* Chains recently seen in CT entries, parsed once: a log page repeats a few
 * issuing chains over and over, and parsing them per entry would cost four
 * times the leaf. A small round-robin table keeps memory fixed. */
#define CHAIN_SLOTS 16
/* Bytes of files in flight per worker. */
#define POOL_BYTES_PER_JOB (8u << 20)
struct chain_slot {
	uint8_t *der;        /* the chain's certificates, each after a 3-byte length */
	size_t len;
	eku_certlist *list;
};

struct worker {
	eku_loader *ld;
	eku_census *cen;
	struct chain_slot chains[CHAIN_SLOTS];
	unsigned next_slot;
};

struct run {
	const struct census_run_opts *o;
	eku_trust *t;
	const eku_timeline *tl;
	struct worker *w;        /* one per job */
	eku_diaglist *diags;     /* in input order */
	eku_diaglist walk_diags; /* the walk's, flushed before the next file */
	bool stdin_read;
	bool failed;
	/* As in eku inspect's streaming formats: a first pass keeps every
	 * certificate of the run that may issue (read from the DER), and the
	 * counting pass builds chains against those, so an intermediate in
	 * another file than its leaves is still found. */
	bool pass1;
	eku_certlist *issuers;
	struct eku_pem_tally file_tally; /* the parts of the current file so far */
};

struct task {
	struct run *r;
	char *source;
	uint8_t *buf;
	size_t len;
	bool ct;
	bool read_once;          /* standard input, a pipe, a device: read in the
				  * counting pass only, its own issuers */
	bool part;               /* buf is a part of a large PEM file */
	int line0, block0;       /* where the part starts */
	struct eku_pem_tally tally;
	char *file_end;          /* closes a file read in parts: its verdict */
	bool read_failed;
	eku_certlist *kept;      /* first pass: the possible issuers of this file */
	struct worker *w;        /* set by work() */
	eku_diaglist diags;
	char fatal[EKU_ERRMSG_MAX + 64]; /* an internal failure, printed by done() */
};

/* --- one certificate ------------------------------------------------------ */

static int count_cert(struct task *k, const eku_cert *c, const eku_certlist *extra)
{
	struct run *r = k->r;
	struct eku_classification *cl = eku_trust_classify(r->t, c, extra);
	struct eku_sunset sun;
	int rc = -1;

	if (cl == NULL) {
		snprintf(k->fatal, sizeof(k->fatal), "%s #%d: %s", eku_cert_source(c), eku_cert_index(c),
			eku_trust_error(r->t)->message);
		goto out;
	}
	eku_sunset_judge(r->tl, c, cl, r->o->at, &sun);
	if (eku_census_add(k->w->cen, eku_cert_facts(c), cl, &sun) != 0) {
		snprintf(k->fatal, sizeof(k->fatal), "%s", eku_census_error(k->w->cen)->message);
		goto out;
	}
	rc = 0;
out:
	eku_classification_free(cl);
	return rc;
}

/* --- CT pages ------------------------------------------------------------- */

/* A CT error message starts with the page name, and for JSON syntax errors
 * with line:column; the diag carries those apart so they print once. */
static int ct_diag(struct task *k, const eku_error *err)
{
	struct eku_diag proto = { .source = k->source, .code = err->code, .severity = EKU_DIAG_ERROR };
	const char *msg = err->message;
	size_t n = strlen(k->source);
	int used = 0;

	if (strncmp(msg, k->source, n) == 0 && msg[n] == ':') {
		msg += n + 1;
		if (sscanf(msg, "%d:%d:%n", &proto.line, &proto.column, &used) == 2 && used > 0)
			msg += used;
		msg += *msg == ' ';
	}
	return eku_diaglist_add_like(&k->diags, &proto, "%s", msg);
}

/* The chain of e as one byte string: each certificate after its length. */
static uint8_t *chain_key(const struct eku_ct_entry *e, size_t *len)
{
	size_t n = 0;
	uint8_t *key;

	for (size_t i = 0; i < e->n_chain; i++)
		n += 3 + e->chain_len[i];
	if ((key = malloc(n ? n : 1)) == NULL)
		return NULL;
	*len = n;
	n = 0;
	for (size_t i = 0; i < e->n_chain; i++) {
		key[n++] = (uint8_t)(e->chain_len[i] >> 16);
		key[n++] = (uint8_t)(e->chain_len[i] >> 8);
		key[n++] = (uint8_t)e->chain_len[i];
		memcpy(key + n, e->chain[i], e->chain_len[i]);
		n += e->chain_len[i];
	}
	return key;
}

/* The parsed chain of e, from the table or parsed now into a slot. A chain
 * certificate OpenSSL cannot read is left out: it only costs the issuer. */
static const eku_certlist *chain_get(struct task *k, const struct eku_ct_entry *e, int idx)
{
	struct worker *w = k->w;
	struct chain_slot *sl;
	size_t len;
	uint8_t *key = chain_key(e, &len);
	eku_certlist *l = NULL;
	eku_error ce = { 0 };

	if (key == NULL)
		return NULL;
	for (unsigned i = 0; i < CHAIN_SLOTS; i++) {
		sl = &w->chains[i];
		if (sl->list != NULL && sl->len == len && memcmp(sl->der, key, len) == 0) {
			free(key);
			return sl->list;
		}
	}
	if ((l = eku_certlist_new()) == NULL)
		goto fail;
	for (size_t i = 0; i < e->n_chain; i++) {
		eku_cert *c = eku_cert_new_der(e->chain[i], e->chain_len[i], k->source, idx, &ce);

		if (c != NULL && eku_certlist_push0(l, c) != 0)
			goto fail;
		eku_error_clear(&ce);
	}
	sl = &w->chains[w->next_slot++ % CHAIN_SLOTS];
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

static void chains_clear(struct worker *w)
{
	for (unsigned i = 0; i < CHAIN_SLOTS; i++) {
		free(w->chains[i].der);
		eku_certlist_free(w->chains[i].list);
	}
	memset(w->chains, 0, sizeof(w->chains));
}

static int ct_entry(void *arg, const struct eku_ct_entry *e, eku_error *err)
{
	struct task *k = arg;
	int idx = e->index < 0x7fffffff ? (int)e->index + 1 : 0x7fffffff;
	const eku_certlist *chain = chain_get(k, e, idx);
	eku_cert *leaf = NULL;
	eku_error ce = { 0 };
	int rc = -1;

	if (chain == NULL) {
		snprintf(k->fatal, sizeof(k->fatal), "%s: entry %zu: out of memory", k->source, e->index);
		goto out;
	}
	if ((leaf = eku_cert_new_der(e->cert, e->cert_len, k->source, idx, &ce)) == NULL) {
		/* One unreadable certificate is that entry's problem, not the page's. */
		rc = eku_diaglist_add(&k->diags, k->source, 0, 0, ce.code, "entry %zu: %s: %s", e->index,
			e->type == EKU_CT_PRECERT_ENTRY ? "extra_data: pre_certificate" : "leaf_input: ASN.1Cert",
			ce.message);
		goto out;
	}
	rc = count_cert(k, leaf, chain);
out:
	if (rc != 0)
		eku_error_set(err, EKU_E_INTERNAL, "%s: entry %zu: cannot count it", k->source, e->index);
	eku_cert_free(leaf);
	return rc;
}

/* --- tasks ---------------------------------------------------------------- */

static void work(void *arg, unsigned worker)
{
	struct task *k = arg;
	eku_certlist *l = NULL;
	eku_error err = { 0 };

	k->w = &k->r->w[worker];
	if (k->buf == NULL)
		return; /* a diagnostic only */
	if (k->ct && k->r->pass1)
		goto out; /* CT entries carry their own chains */
	if (k->ct) {
		if (eku_ct_page_parse(k->source, k->buf, k->len, ct_entry, k, &err) < 0 && k->fatal[0] == '\0' &&
		    ct_diag(k, &err) != 0)
			snprintf(k->fatal, sizeof(k->fatal), "%s: out of memory", k->source);
		goto out;
	}
	if ((l = eku_certlist_new()) == NULL) {
		snprintf(k->fatal, sizeof(k->fatal), "%s: out of memory", k->source);
		goto out;
	}
	eku_loader_set_issuers_only(k->w->ld, k->r->pass1);
	if (k->part) {
		const struct eku_pem_part part = { .buf = k->buf, .len = k->len, .line0 = k->line0,
			.block0 = k->block0 };
		eku_loader_load_pem_part(k->w->ld, k->source, &part, &k->tally, l, &k->diags);
	} else {
		eku_loader_load_mem(k->w->ld, k->source, k->buf, k->len, l, &k->diags);
	}
	if (k->r->pass1) {
		k->kept = l;
		l = NULL;
		goto out;
	}
	/* A read-once input (standard input, a pipe) was not in the first
	 * pass: its own certificates are its issuers. */
	for (size_t i = 0; i < eku_certlist_count(l) && k->fatal[0] == '\0'; i++) {
		(void)count_cert(k, eku_certlist_get0(l, i), k->read_once ? l : k->r->issuers);
		if (!k->read_once)
			eku_cert_drop_x509(eku_certlist_get0(l, i));
	}
out:
	eku_certlist_free(l);
	free(k->buf);
	k->buf = NULL;
}

static void task_free(struct task *k)
{
	eku_certlist_free(k->kept);
	free(k->source);
	free(k->file_end);
	free(k->buf);
	eku_diaglist_clear(&k->diags);
	free(k);
}

static void done(void *arg, void *ctx)
{
	struct task *k = arg;
	struct run *r = ctx;

	if (k->fatal[0] != '\0') {
		cli_error("%s", k->fatal);
		r->failed = true;
	}
	if (r->pass1) {
		for (size_t i = 0; k->kept != NULL && i < eku_certlist_count(k->kept); i++) {
			eku_cert *c = eku_certlist_get0(k->kept, i);
			/* containers the DER check cannot see into are filtered here */
			if (!eku_facts_may_issue(eku_cert_facts(c)))
				continue;
			if (eku_certlist_push0(r->issuers, eku_cert_up_ref(c)) != 0)
				r->failed = true;
		}
		task_free(k);
		return;
	}
	for (size_t i = 0; i < k->diags.n; i++)
		if (eku_diaglist_add_copy(r->diags, &k->diags.v[i]) != 0)
			r->failed = true;
	/* A file read in parts: after its last part, the file's own verdict. */
	r->file_tally.added += k->tally.added;
	r->file_tally.failed += k->tally.failed;
	r->file_tally.others += k->tally.others;
	if (k->file_end != NULL) {
		if (!k->read_failed)
			(void)eku_loader_pem_finish(k->file_end, &r->file_tally, r->diags);
		r->file_tally = (struct eku_pem_tally){ 0 };
	}
	task_free(k);
}

struct submit {
	struct run *r;
	eku_pool *pool;
};

/* The walk's own problems (unreadable directories, missing inputs) go
 * through the pool as a task of their own, so they keep their place among
 * the files' problems. */
static int flush_walk_diags(struct submit *s)
{
	struct run *r = s->r;
	struct task *k;

	if (r->walk_diags.n == 0)
		return 0;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return -1;
	k->r = r;
	k->diags = r->walk_diags;
	memset(&r->walk_diags, 0, sizeof(r->walk_diags));
	eku_pool_submit(s->pool, k);
	return 0;
}

/* Queues a large PEM file part by part, then a task that closes it. A file
 * that opens like JSON goes back to the whole-file path, where the CT rule
 * of docs/census.md decides (a CT page never looks like PEM). 1 when
 * queued, 0 when the caller should read the file whole. */
static int queue_parts(struct submit *s, const char *file)
{
	struct run *r = s->r;
	eku_pem_parts *pp = NULL;
	struct eku_pem_part part;
	struct task *k = NULL;
	eku_error err = { 0 };
	bool first = true;
	int rc;

	if (r->o->ct || eku_pem_parts_open(file, r->o->max_size, CLI_PART_BYTES, &pp) != 1)
		return 0;
	while ((rc = eku_pem_parts_next(pp, &part, &err)) == 1) {
		if (first) {
			size_t ws = 0;
			while (ws < part.len && strchr(" \t\r\n", part.buf[ws]) != NULL)
				ws++;
			first = false;
			if (ws < part.len && part.buf[ws] == '{') {
				free(part.buf);
				eku_pem_parts_free(pp);
				return 0;
			}
		}
		if ((k = calloc(1, sizeof(*k))) == NULL || (k->source = strdup(file)) == NULL) {
			free(part.buf);
			free(k);
			goto nomem;
		}
		k->r = r;
		k->buf = part.buf;
		k->len = part.len;
		k->part = true;
		k->line0 = part.line0;
		k->block0 = part.block0;
		eku_pool_submit_sized(s->pool, k, k->len);
	}
	if ((k = calloc(1, sizeof(*k))) == NULL || (k->file_end = strdup(file)) == NULL) {
		free(k);
		goto nomem;
	}
	k->r = r;
	if (rc < 0) {
		k->read_failed = true;
		eku_diaglist_add(&k->diags, file, 0, 0, err.code, "%s", err.message);
	}
	eku_pool_submit(s->pool, k);
	eku_pem_parts_free(pp);
	return 1;
nomem:
	eku_pem_parts_free(pp);
	r->failed = true;
	return 1;
}

/* eku_loader_walk callback: reads one file and queues it. The CT rule of
 * docs/census.md is applied to the bytes read. */
static int read_and_queue(void *arg, const char *file)
{
	struct submit *s = arg;
	struct run *r = s->r;
	struct task *k = calloc(1, sizeof(*k));
	eku_error err = { 0 };
	bool is_stdin = strcmp(file, "-") == 0;
	enum cli_read_as as = cli_read_as(file);
	bool once = as == CLI_READ_ONCE;

	if (k == NULL || (k->source = strdup(file)) == NULL) {
		free(k);
		r->failed = true;
		return 1;
	}
	if (!once) {
		/* The walk's problems so far come before this file's. */
		if (flush_walk_diags(s) != 0)
			r->failed = true;
		if (as == CLI_READ_PARTS && queue_parts(s, file) == 1) {
			task_free(k);
			return 1;
		}
	}
	k->r = r;
	k->read_once = once;
	if (r->pass1 && once) {
		free(k->source);
		free(k);
		return 1;
	}
	if (is_stdin && r->stdin_read) {
		eku_diaglist_add(&k->diags, file, 0, 0, EKU_E_USAGE, "standard input given twice; read once");
	} else if (eku_read_file(file, r->o->max_size, &k->buf, &k->len, &err) != 0) {
		eku_diaglist_add(&k->diags, file, 0, 0, err.code, "%s", err.message);
	} else {
		k->ct = r->o->ct || (!is_stdin && eku_ct_page_detect(k->buf, k->len));
	}
	r->stdin_read |= is_stdin;
	if (flush_walk_diags(s) != 0)
		r->failed = true;
	eku_pool_submit_sized(s->pool, k, k->len);
	return 1;
}

static int workers_new(struct run *r)
{
	const struct census_run_opts *o = r->o;

	if ((r->w = calloc(o->jobs, sizeof(*r->w))) == NULL)
		return -1;
	for (unsigned i = 0; i < o->jobs; i++) {
		struct worker *w = &r->w[i];

		if ((w->ld = eku_loader_new()) == NULL || (w->cen = eku_census_new(o->at)) == NULL ||
		    eku_loader_set1_password(w->ld, o->password) != 0)
			return -1;
		eku_loader_set_max_bytes(w->ld, o->max_size);
	}
	return 0;
}

static void workers_free(struct run *r)
{
	for (unsigned i = 0; r->w != NULL && i < r->o->jobs; i++) {
		eku_loader_free(r->w[i].ld);
		eku_census_free(r->w[i].cen);
		chains_clear(&r->w[i]);
	}
	free(r->w);
}

int census_run(const struct census_run_opts *o, eku_trust *t, const eku_timeline *tl, char **inputs,
	int n, eku_census *cen, eku_diaglist *diags)
{
	struct run r = { .o = o, .t = t, .tl = tl, .diags = diags };
	struct submit s = { .r = &r };
	eku_loader *walker = eku_loader_new();
	int rc = -1;

	cli_bulk_memory();
	if (walker == NULL || eku_loader_set_extensions(walker, o->ext) != 0 || workers_new(&r) != 0 ||
	    (s.pool = eku_pool_new(o->jobs, 0, work, done, &r)) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	eku_pool_set_budget(s.pool, (size_t)o->jobs * POOL_BYTES_PER_JOB);
	if ((r.issuers = eku_certlist_new()) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	r.pass1 = true;
	for (int i = 0; i < n; i++)
		eku_loader_walk(walker, inputs[i], read_and_queue, &s, &r.walk_diags);
	eku_pool_free(s.pool);
	eku_diaglist_clear(&r.walk_diags);
	r.pass1 = false;
	for (unsigned i = 0; i < o->jobs; i++) /* copies of the issuers share them */
		eku_loader_set_known(r.w[i].ld, r.issuers);
	if ((s.pool = eku_pool_new(o->jobs, 0, work, done, &r)) == NULL) {
		cli_error("out of memory");
		goto out;
	}
	eku_pool_set_budget(s.pool, (size_t)o->jobs * POOL_BYTES_PER_JOB);
	for (int i = 0; i < n; i++)
		eku_loader_walk(walker, inputs[i], read_and_queue, &s, &r.walk_diags);
	if (flush_walk_diags(&s) != 0)
		r.failed = true;
	eku_pool_free(s.pool);
	for (unsigned i = 0; i < o->jobs && !r.failed; i++)
		if (eku_census_merge(cen, r.w[i].cen) != 0) {
			cli_error("%s", eku_census_error(cen)->message);
			r.failed = true;
		}
	rc = r.failed ? -1 : 0;
out:
	workers_free(&r);
	eku_certlist_free(r.issuers);
	eku_diaglist_clear(&r.walk_diags);
	eku_loader_free(walker);
	return rc;
}
