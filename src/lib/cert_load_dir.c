/* Walking a directory of certificate files for the loader.
 *
 * Symbolic links are followed (Let's Encrypt's live/ and many /etc/ssl layouts
 * are links), so the walk guards against the loops links can make: every
 * directory and file is read at most once per eku_loader_load_path call,
 * known by (st_dev, st_ino). Without that, a directory holding two links to
 * "." is walked 2^depth times. A second sighting, a link loop and a walk
 * deeper than MAX_DEPTH each leave a warning naming what was skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cert_load_int.h"

#define MAX_DEPTH 32

/* Open-addressing set of (device, inode), with the path first seen there. */
struct seen_entry {
	dev_t dev;
	ino_t ino;
	char *path; /* NULL: free slot */
};

struct walk {
	eku_loader *ld;
	eku_certlist *out;
	eku_loader_file_fn fn; /* eku_loader_walk: files go here instead of out */
	void *arg;
	eku_diaglist *diags;
	int files;
	struct seen_entry *seen;
	size_t n_seen, cap; /* cap: 0 or a power of two, kept at most half full */
};

static size_t slot_of(const struct walk *w, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)dev * 0x9E3779B97F4A7C15u) ^ ((uint64_t)ino * 0xC2B2AE3D27D4EB4Fu);
	size_t i = (size_t)(h ^ (h >> 29)) & (w->cap - 1);

	while (w->seen[i].path != NULL && (w->seen[i].dev != dev || w->seen[i].ino != ino))
		i = (i + 1) & (w->cap - 1);
	return i;
}

static int seen_grow(struct walk *w)
{
	struct walk bigger = { .cap = w->cap ? w->cap * 2 : 64 };

	if ((bigger.seen = calloc(bigger.cap, sizeof(*bigger.seen))) == NULL)
		return -1;
	for (size_t i = 0; i < w->cap; i++)
		if (w->seen[i].path != NULL)
			bigger.seen[slot_of(&bigger, w->seen[i].dev, w->seen[i].ino)] = w->seen[i];
	free(w->seen);
	w->seen = bigger.seen;
	w->cap = bigger.cap;
	return 0;
}

/* Records st as read under path. Returns NULL when new (or when memory runs
 * out: the walk then reads rather than skips), else the path it was first
 * read under. */
static const char *seen_before(struct walk *w, const struct stat *st, const char *path)
{
	size_t i;

	if ((w->n_seen + 1) * 2 > w->cap && seen_grow(w) != 0)
		return NULL;
	i = slot_of(w, st->st_dev, st->st_ino);
	if (w->seen[i].path != NULL)
		return w->seen[i].path;
	if ((w->seen[i].path = strdup(path)) == NULL)
		return NULL;
	w->seen[i].dev = st->st_dev;
	w->seen[i].ino = st->st_ino;
	w->n_seen++;
	return NULL;
}

static void seen_clear(struct walk *w)
{
	for (size_t i = 0; i < w->cap; i++)
		free(w->seen[i].path);
	free(w->seen);
}

static void __attribute__((format(printf, 3, 4))) skipped(struct walk *w, const char *path,
	const char *fmt, ...)
{
	struct eku_diag proto = { .source = (char *)path, .code = EKU_E_IO,
				  .severity = EKU_DIAG_WARNING };
	va_list ap;

	va_start(ap, fmt);
	(void)eku_diaglist_vadd(w->diags, &proto, fmt, ap);
	va_end(ap);
}

static bool wanted(const eku_loader *ld, const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL)
		return false;
	for (size_t i = 0; i < ld->extensions.n; i++)
		if (strcasecmp(dot + 1, ld->extensions.v[i]) == 0)
			return true;
	return false;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in path, sorted so output and diagnostics are the same on every
 * run; dot files left out. */
static int list_dir(struct walk *w, const char *path, eku_strv *names)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (d == NULL) {
		eku_diaglist_add(w->diags, path, 0, 0, EKU_E_IO, "cannot open directory: %s", strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && eku_strv_push(names, de->d_name) != 0)
			break;
	closedir(d);
	if (names->n > 1)
		qsort(names->v, names->n, sizeof(char *), cmp_names);
	return 0;
}

static int walk_dir(struct walk *w, const char *path, int depth);

/* One entry of a directory: a directory to walk, a file to read, or skipped. */
static int walk_entry(struct walk *w, const char *path, const char *name, int depth)
{
	struct stat st;
	const char *first;
	int n;

	if (stat(path, &st) != 0) {
		/* A link loop is reported whatever its name; a dangling link only
		 * when it names a certificate file. */
		if (errno == ELOOP || wanted(w->ld, name))
			skipped(w, path, "skipped: cannot follow: %s", strerror(errno));
		return 0;
	}
	if (!S_ISDIR(st.st_mode) && !(S_ISREG(st.st_mode) && wanted(w->ld, name)))
		return 0;
	if ((first = seen_before(w, &st, path)) != NULL) {
		skipped(w, path, S_ISDIR(st.st_mode) ? "skipped: the same directory as %s, already walked "
						      "(a symbolic link or bind mount back into the tree)"
						    : "skipped: the same file as %s, already read (a link to it)",
			first);
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return walk_dir(w, path, depth + 1);
	w->files++;
	n = w->fn != NULL ? w->fn(w->arg, path) : eku_load_file(w->ld, path, w->out, w->diags);
	return n > 0 ? n : 0;
}

static int walk_dir(struct walk *w, const char *path, int depth)
{
	eku_strv names = { 0 };
	int added = 0;

	if (depth > MAX_DEPTH) {
		skipped(w, path, "skipped: nested deeper than %d directories", MAX_DEPTH);
		return 0;
	}
	if (list_dir(w, path, &names) != 0)
		return 0;
	for (size_t i = 0; i < names.n; i++) {
		char *child = NULL;
		if (asprintf(&child, "%s/%s", path, names.v[i]) < 0)
			break;
		added += walk_entry(w, child, names.v[i], depth);
		free(child);
	}
	eku_strv_clear(&names);
	return added;
}

static int walk_path(struct walk *w, const char *path)
{
	struct stat st;
	int added;

	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return w->fn != NULL ? w->fn(w->arg, path) : eku_load_file(w->ld, path, w->out, w->diags);
	(void)seen_before(w, &st, path);
	added = walk_dir(w, path, 0);
	seen_clear(w);
	if (added == 0 && w->files == 0) {
		eku_diaglist_add(w->diags, path, 0, 0, EKU_E_NO_CERT,
			"directory holds no certificate files (looked for extensions: see --ext)");
		return -1;
	}
	return added > 0 ? added : -1;
}

int eku_loader_load_path(eku_loader *ld, const char *path, eku_certlist *out, eku_diaglist *diags)
{
	struct walk w = { .ld = ld, .out = out, .diags = diags };

	return walk_path(&w, path);
}

int eku_loader_walk(eku_loader *ld, const char *path, eku_loader_file_fn fn, void *arg,
	eku_diaglist *diags)
{
	struct walk w = { .ld = ld, .fn = fn, .arg = arg, .diags = diags };

	return walk_path(&w, path);
}
