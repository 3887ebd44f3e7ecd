/* Live inputs: host:port certificates read by the caller (probed by eku
 * plan --scan, or saved by eku scan --save-chains and read back by eku plan
 * --chains), handed to the plan so that eku_plan_run judges them like files
 * while the library itself stays off the network. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "judge.h"

/* Saved chain files: the comment keys written before the certificates. */
#define KEY_ENDPOINT "# endpoint: "
#define KEY_ROLE "# role: "
#define KEY_SOURCE "# source: "
#define KEY_READ_AT "# read_at: "
#define MAX_CHAIN_FILE (1024u * 1024u)

static void live_release(struct plan_live *l)
{
	eku_certlist_free(l->chain);
	free(l->source);
	free(l->failure);
	free(l->message);
	memset(l, 0, sizeof(*l));
}

void plan_live_clear(struct eku_plan *p)
{
	for (size_t i = 0; i < p->n_live; i++)
		live_release(&p->live[i]);
	free(p->live);
	p->live = NULL;
	p->n_live = 0;
}

const struct plan_live *plan_live_find(const struct eku_plan *p, const struct inv_node *n, bool client)
{
	for (size_t i = 0; i < p->n_live; i++)
		if (&p->nodes[p->live[i].node] == n && p->live[i].client == client)
			return &p->live[i];
	return NULL;
}

/* Endpoint i as (node index, client?). */
static int endpoint_slot(const struct eku_plan *p, size_t i, size_t *node, bool *client)
{
	struct eku_plan_endpoint e;

	if (eku_plan_endpoint_get(p, i, &e) != 0)
		return -1;
	for (size_t k = 0; k < p->n_nodes; k++)
		if (p->nodes[k].name == e.node) {
			*node = k;
			*client = strcmp(e.role, "client") == 0;
			return 0;
		}
	return -1;
}

/* The record for endpoint i, emptied for a new outcome; NULL with the plan
 * error set. */
static struct plan_live *live_slot(struct eku_plan *p, size_t i)
{
	struct plan_live *v;
	size_t node;
	bool client;

	if (endpoint_slot(p, i, &node, &client) != 0) {
		eku_error_set(&p->err, EKU_E_USAGE, "endpoint %zu: no such host:port input in the inventory", i);
		return NULL;
	}
	for (size_t k = 0; k < p->n_live; k++)
		if (p->live[k].node == node && p->live[k].client == client) {
			live_release(&p->live[k]);
			p->live[k].node = node;
			p->live[k].client = client;
			return &p->live[k];
		}
	if ((v = realloc(p->live, (p->n_live + 1) * sizeof(*v))) == NULL) {
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
		return NULL;
	}
	p->live = v;
	v = &p->live[p->n_live++];
	memset(v, 0, sizeof(*v));
	v->node = node;
	v->client = client;
	return v;
}

static int dup_or_null(const char *s, char **out)
{
	*out = s != NULL ? strdup(s) : NULL;
	return s != NULL && *out == NULL ? -1 : 0;
}

int eku_plan_set_endpoint_chain(eku_plan *p, size_t i, eku_certlist *chain, int64_t read_at, const char *source)
{
	struct plan_live *l;
	int rc = -1;

	if (chain == NULL || eku_certlist_count(chain) == 0) {
		eku_error_set(&p->err, EKU_E_USAGE, "endpoint %zu: an empty chain is a failure, not a chain", i);
		goto out;
	}
	if ((l = live_slot(p, i)) == NULL)
		goto out;
	l->read_at = read_at;
	if (dup_or_null(source, &l->source) != 0) {
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	l->chain = chain;
	chain = NULL;
	rc = 0;
out:
	eku_certlist_free(chain);
	return rc;
}

int eku_plan_set_endpoint_failure(eku_plan *p, size_t i, const char *failure, const char *message,
	int64_t read_at, const char *source)
{
	struct plan_live *l = live_slot(p, i);

	if (l == NULL)
		return -1;
	l->read_at = read_at;
	if (dup_or_null(source, &l->source) != 0 || dup_or_null(failure ? failure : "unknown", &l->failure) != 0 ||
	    dup_or_null(message, &l->message) != 0) {
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

size_t eku_plan_live_input_count(const eku_plan *p)
{
	return p->n_live;
}

int eku_plan_live_input_get(const eku_plan *p, size_t i, struct eku_plan_live_input *out)
{
	const struct plan_live *l;
	const struct inv_node *n;

	if (i >= p->n_live)
		return -1;
	l = &p->live[i];
	n = &p->nodes[l->node];
	*out = (struct eku_plan_live_input){
		.node = n->name,
		.role = l->client ? "client" : "server",
		.endpoint = l->client ? n->client_spec : n->server_spec,
		.source = l->source,
		.read_at = l->read_at,
		.failure = l->failure,
		.message = l->message,
		.chain_length = l->chain ? eku_certlist_count(l->chain) : 0,
	};
	return 0;
}

json_t *plan_live_json(const struct eku_plan *p)
{
	struct eku_plan_live_input in;
	json_t *a = json_array();
	char iso[32];

	for (size_t i = 0; a != NULL && eku_plan_live_input_get(p, i, &in) == 0; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s,s:s?,s:I}", "node", in.node, "role",
			in.role, "endpoint", in.endpoint, "source", in.source, "read_at",
			in.read_at ? eku_time_iso(in.read_at, iso, sizeof(iso)) : NULL, "result", in.failure ? in.failure : "read",
			"message", in.message, "chain_length", (json_int_t)in.chain_length));
	return a;
}

/* ---- what the findings say ------------------------------------------------------ */

/* " (via 127.0.0.1:8443)" when the source is not the endpoint itself. */
static void say_via(char *buf, size_t len, const struct cstate *s)
{
	const char *src = s->live->source;

	buf[0] = '\0';
	if (src != NULL && strcmp(src, s->spec) != 0)
		snprintf(buf, len, " (via %s)", src);
}

void plan_live_say_read(struct judged *j, const char *who, const struct cstate *s)
{
	char iso[32], via[512];

	if (s->live == NULL || s->live->chain == NULL)
		return;
	say_via(via, sizeof(via), s);
	finding_say(j, "%s's certificate was read live from %s at %s%s.", who, s->spec,
		eku_time_iso(s->live->read_at, iso, sizeof(iso)), via);
}

void plan_live_say_unread(struct judged *j, const char *who, const struct cstate *s)
{
	const struct plan_live *l = s->live;
	char iso[32], at[48] = "";

	if (l == NULL) {
		finding_say(j, "%s's certificate is given as %s and was not read live: run 'eku plan --scan' to "
			"fetch it, or 'eku plan --chains DIR' with chains saved by 'eku scan --inventory "
			"--save-chains DIR'.", who, s->spec ? s->spec : "?");
		return;
	}
	if (l->read_at != 0)
		snprintf(at, sizeof(at), " at %s", eku_time_iso(l->read_at, iso, sizeof(iso)));
	finding_say(j, "%s's certificate is given as %s and %s%s failed (%s%s%s), so the plan cannot judge it.", who,
		s->spec ? s->spec : "?", strcmp(l->failure, "file") == 0 ? "reading its saved chain" : "reading it live",
		at, l->failure, l->message ? ": " : "", l->message ? l->message : "");
}

char *plan_live_unread_entry(const char *who, const struct cstate *s)
{
	char iso[32];

	if (s->live == NULL)
		return plan_fmt("%s: %s", who, s->spec);
	return plan_fmt("%s: %s (%s%s%s%s%s)", who, s->spec, s->live->failure, s->live->read_at ? " at " : "",
		s->live->read_at ? eku_time_iso(s->live->read_at, iso, sizeof(iso)) : "", s->live->message ? ": " : "",
		s->live->message ? s->live->message : "");
}

/* ---- saved chain files ----------------------------------------------------------- */

/* dir/<node>-<role>.pem, with the name made safe for one path component. */
static char *chain_path(const char *dir, const struct eku_plan_endpoint *e)
{
	char *name = plan_fmt("%s-%s.pem", e->node, e->role), *path = NULL;

	if (name == NULL)
		return NULL;
	for (char *q = name; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
			    *q == '-' || *q == '_' || (*q == '.' && q != name)))
			*q = '_';
	path = plan_fmt("%s/%s", dir, name);
	free(name);
	return path;
}

/* Comment values must stay on their line. */
static void put_comment(FILE *f, const char *key, const char *v)
{
	fputs(key, f);
	for (; v != NULL && *v; v++)
		fputc(*v == '\n' || *v == '\r' ? ' ' : *v, f);
	fputc('\n', f);
}

static int write_chain(FILE *f, const struct eku_plan_endpoint *e, const eku_certlist *chain, int64_t read_at,
	const char *source)
{
	char iso[32];
	int ok = 1;

	put_comment(f, "# saved by eku scan --save-chains (leaf first) for node: ", e->node);
	put_comment(f, KEY_ROLE, e->role);
	put_comment(f, KEY_ENDPOINT, e->endpoint);
	if (source != NULL)
		put_comment(f, KEY_SOURCE, source);
	put_comment(f, KEY_READ_AT, eku_time_iso(read_at, iso, sizeof(iso)));
	for (size_t i = 0; ok && i < eku_certlist_count(chain); i++) {
		X509 *x = eku_cert_get0_x509(eku_certlist_get0(chain, i));
		ok = x != NULL && PEM_write_X509(f, x);
	}
	return ok && fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

int eku_plan_write_endpoint_chain(const eku_plan *p, size_t i, const char *dir, const eku_certlist *chain,
	int64_t read_at, const char *source, eku_error *err)
{
	struct eku_plan_endpoint e;
	eku_error xerr = { 0 };
	struct stat st;
	char *path = NULL, *tmp = NULL;
	FILE *f = NULL;
	int fd = -1, rc = -1;

	if (eku_plan_endpoint_get(p, i, &e) != 0 || chain == NULL || eku_certlist_count(chain) == 0) {
		eku_error_set(err, EKU_E_USAGE, "endpoint %zu: no such endpoint or an empty chain", i);
		goto out;
	}
	/* Each X509 is built before anything is written, so a certificate that
	 * cannot be built is named instead of leaving "write failed". */
	for (size_t k = 0; k < eku_certlist_count(chain); k++)
		if (eku_cert_get0_x509_err(eku_certlist_get0(chain, k), &xerr) == NULL) {
			eku_error_set(err, xerr.code, "%s", xerr.message);
			goto out;
		}
	if ((path = chain_path(dir, &e)) == NULL || (tmp = plan_fmt("%s.XXXXXX", path)) == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	/* rename() below replaces a directory entry without following it, but a
	 * symlink or special file in its place is someone else's: leave it. */
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		eku_error_set(err, EKU_E_IO, "%s: not a regular file; refusing to replace it", path);
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		eku_error_set(err, EKU_E_IO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0644) != 0 || (f = fdopen(fd, "w")) == NULL) {
		eku_error_set(err, EKU_E_IO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (write_chain(f, &e, chain, read_at, source) != 0) {
		eku_error_set(err, EKU_E_IO, "%s: write failed", tmp);
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		eku_error_set(err, EKU_E_IO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		eku_error_set(err, EKU_E_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (tmp != NULL && rc != 0)
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}

/* The value of "# key: value" in a saved file's comments, or NULL. */
static char *comment_value(const char *buf, const char *key)
{
	const char *v = strstr(buf, key);

	if (v == NULL || (v != buf && v[-1] != '\n'))
		return NULL;
	v += strlen(key);
	return strndup(v, strcspn(v, "\r\n"));
}

/* Reads one saved file: 1 and a chain, 0 and a failure message, -1 on
 * allocation failure. */
static int read_chain_file(const char *path, const char *endpoint, eku_certlist **chain, int64_t *read_at,
	char **why)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	eku_error err = { 0 };
	eku_loader *ld = NULL;
	eku_diaglist dl = { 0 };
	char *saved_ep = NULL, *at = NULL;
	struct stat st;
	int rc = 0;

	/* stat, not lstat: an operator may link a file in; a FIFO or device
	 * must not block or feed the reader. */
	if (stat(path, &st) != 0) {
		*why = plan_fmt("%s: %s", path, errno == ENOENT ? "no saved chain" : strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = plan_fmt("%s: not a regular file", path);
		goto out;
	}
	if (eku_read_file(path, MAX_CHAIN_FILE, &buf, &len, &err) != 0) {
		*why = plan_fmt("%s", err.message);
		goto out;
	}
	saved_ep = comment_value((const char *)buf, KEY_ENDPOINT);
	if (saved_ep != NULL && strcmp(saved_ep, endpoint) != 0) {
		*why = plan_fmt("%s was saved from %s, not %s", path, saved_ep, endpoint);
		goto out;
	}
	*read_at = st.st_mtime;
	if ((at = comment_value((const char *)buf, KEY_READ_AT)) != NULL && eku_time_parse(at, read_at) != 0)
		*read_at = st.st_mtime;
	if ((ld = eku_loader_new()) == NULL || (*chain = eku_certlist_new()) == NULL) {
		rc = -1;
		goto out;
	}
	if (eku_loader_load_mem(ld, path, buf, len, *chain, &dl) <= 0 || eku_certlist_count(*chain) == 0) {
		*why = plan_fmt("%s: %s", path, dl.n > 0 ? dl.v[0].message : "no certificate found");
		eku_certlist_free(*chain);
		*chain = NULL;
		goto out;
	}
	rc = 1;
out:
	if (rc == 0 && *why == NULL)
		rc = -1;
	eku_diaglist_clear(&dl);
	eku_loader_free(ld);
	free(saved_ep);
	free(at);
	free(buf);
	return rc;
}

int eku_plan_read_endpoint_chains(eku_plan *p, const char *dir)
{
	struct eku_plan_endpoint e;
	eku_certlist *chain = NULL;
	int64_t read_at = 0;
	char *path = NULL, *why = NULL;
	int n = 0, r;

	for (size_t i = 0; eku_plan_endpoint_get(p, i, &e) == 0; i++) {
		read_at = 0;
		if ((path = chain_path(dir, &e)) == NULL)
			goto nomem;
		r = read_chain_file(path, e.endpoint, &chain, &read_at, &why);
		if (r < 0)
			goto nomem;
		if (r > 0 && eku_plan_set_endpoint_chain(p, i, chain, read_at, path) != 0)
			goto fail;
		if (r == 0 && eku_plan_set_endpoint_failure(p, i, "file", why, read_at, path) != 0)
			goto fail;
		n += r;
		chain = NULL;
		free(path);
		free(why);
		path = why = NULL;
	}
	return n;
nomem:
	eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
fail:
	eku_certlist_free(chain);
	free(path);
	free(why);
	return -1;
}
