/* eku data: which data files are in force (embedded or overridden), their
 * versions and sources, and a way to export them for editing. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include <eku/data.h>
#include <eku/plan.h>
#include <eku/report.h>

#include "commands.h"
#include "common.h"

#ifdef EKU_SYSTEM_DATA_DIR
#define EKU_DATA_INSTALLED EKU_SYSTEM_DATA_DIR
#else
#define EKU_DATA_INSTALLED "none in this build"
#endif

static const char usage_text[] =
	"usage: eku data [list] [options]\n"
	"       eku data show NAME\n"
	"       eku data export DIR [--force]\n"
	"\n"
	"The dates, root store and product rules eku decides with are data files,\n"
	"embedded at build time. Each is read from --data-dir / EKU_DATA_DIR, else\n"
	"from the installed copy (" EKU_DATA_INSTALLED "), else embedded. 'list' shows\n"
	"each file, where it is read from, its schema, 'as of' date and size, and\n"
	"checks every file as the commands read it (exit 2 naming the problem).\n"
	"'export' writes the copies in force to DIR so you can edit dates and then\n"
	"run any command with --data-dir DIR.\n"
	"\n"
	"options:\n"
	"  --format FMT      text|json (list only)\n"
	"  --force           export: overwrite existing files\n"
	CLI_COMMON_HELP
	"\n"
	"example:\n"
	"  eku data export /etc/eku/data && vi /etc/eku/data/timeline.json\n"
	"  eku plan --data-dir /etc/eku/data inventory.yaml\n";

static const struct option longopts[] = {
	{ "force", no_argument, NULL, 'f' },
	CLI_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/* Summary of one data file: schema, as_of, number of entries. */
static json_t *describe(const char *name, const uint8_t *buf, size_t len, const char *origin)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	char hex[65];
	json_t *o = json_pack("{s:s,s:s,s:I}", "name", name, "origin", origin, "bytes", (json_int_t)len);
	json_t *doc;
	size_t rows = 0;

	EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL);
	json_object_set_new(o, "sha256", json_string(eku_hex(md, 32, hex)));
	if (strstr(name, ".csv") != NULL) {
		for (const char *p = (const char *)buf; p != NULL && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
			rows += *p != '#' && *p != '\n' && strncmp(p, "sha256,", 7) != 0;
		json_object_set_new(o, "entries", json_integer((json_int_t)rows));
		return o;
	}
	doc = json_loadb((const char *)buf, len, 0, NULL);
	if (doc == NULL) {
		json_object_set_new(o, "error", json_string("not valid JSON"));
		return o;
	}
	json_object_set(o, "schema", json_object_get(doc, "schema") ?: json_null());
	json_object_set(o, "as_of", json_object_get(doc, "as_of") ?: json_null());
	{
		const char *key;
		json_t *v;
		json_object_foreach(doc, key, v)
			if (json_is_array(v))
				rows += json_array_size(v);
	}
	json_object_set_new(o, "entries", json_integer((json_int_t)rows));
	json_decref(doc);
	return o;
}

/* Loads every file as the commands that use it do, so that a broken copy
 * is named here rather than found by a plan that silently reads less. */
static int check_all(const struct cli_common *c)
{
	eku_plan *p = eku_plan_new();
	int rc = 0;

	if (p == NULL || eku_plan_set_data_dir(p, c->data_dir) != 0) {
		cli_error("out of memory");
		rc = 2;
	} else if (eku_plan_check_data(p) != 0) {
		for (size_t i = 0; i < eku_plan_diag_count(p); i++) {
			const struct eku_diag *d = eku_plan_diag(p, i);
			char at[4096];
			cli_error("%s: %s", cli_pos(at, sizeof(at), d->source, d->line, d->column), d->message);
		}
		if (eku_plan_diag_count(p) == 0)
			cli_error("%s", eku_plan_error(p)->message);
		cli_note("fix the file in %s, or remove it there to use the embedded copy",
			c->data_dir ? c->data_dir : "the data directory");
		rc = 2;
	}
	eku_plan_free(p);
	return rc;
}

static int cmd_list(const struct cli_common *c)
{
	const char *const *names = eku_data_embedded_names();
	json_t *arr = json_array();
	int rc = 0;

	for (size_t i = 0; names[i] != NULL; i++) {
		eku_error err = { 0 };
		char *origin = NULL;
		size_t len = 0;
		uint8_t *buf = eku_data_read(c->data_dir, names[i], &len, &origin, &err);
		if (buf == NULL) {
			cli_error("%s: %s (restore it, or drop --data-dir / EKU_DATA_DIR)", names[i], err.message);
			rc = 2;
			continue;
		}
		json_array_append_new(arr, describe(names[i], buf, len, origin ? origin : "embedded"));
		free(origin);
		free(buf);
	}
	if (rc == 0)
		rc = check_all(c);
	if (c->format == FMT_JSON) {
		json_t *doc = json_pack("{s:s,s:o}", "schema", EKU_SCHEMA, "files", arr);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
		return rc;
	}
	printf("%-28s %-10s %-18s %7s  %s\n", "file", "as of", "schema", "entries", "origin");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *o = json_array_get(arr, i);
		printf("%-28s %-10s %-18s %7lld  %s\n", json_string_value(json_object_get(o, "name")),
			json_string_value(json_object_get(o, "as_of")) ?: "-",
			json_string_value(json_object_get(o, "schema")) ?: "-",
			(long long)json_integer_value(json_object_get(o, "entries")),
			json_string_value(json_object_get(o, "origin")));
	}
	json_decref(arr);
	return rc;
}

static int cmd_show(const struct cli_common *c, const char *name)
{
	eku_error err = { 0 };
	size_t len = 0;
	uint8_t *buf = eku_data_read(c->data_dir, name, &len, NULL, &err);

	if (buf == NULL) {
		cli_error("%s: %s; 'eku data list' shows the names", name, err.message);
		return 2;
	}
	fwrite(buf, 1, len, stdout);
	free(buf);
	return 0;
}

static int write_one(const char *dir, const char *name, bool force)
{
	eku_error err = { 0 };
	size_t len = 0;
	uint8_t *buf = eku_data_read(NULL, name, &len, NULL, &err);
	char *path = NULL, *slash;
	int fd = -1, rc = -1;

	if (buf == NULL || asprintf(&path, "%s/%s", dir, name) < 0) {
		cli_error("%s: %s", name, buf == NULL ? err.message : "out of memory");
		path = NULL;
		goto out;
	}
	if ((slash = strrchr(path, '/')) != NULL) {
		*slash = '\0';
		mkdir(path, 0755); /* products/ */
		*slash = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
	if (fd < 0) {
		cli_error("%s: %s%s", path, strerror(errno),
			errno == EEXIST ? " (use --force to overwrite)" : "");
		goto out;
	}
	if (write(fd, buf, len) != (ssize_t)len) {
		cli_error("%s: write failed: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	free(buf);
	return rc;
}

static int cmd_export(const char *dir, bool force)
{
	const char *const *names = eku_data_embedded_names();
	int rc = 0;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		cli_error("%s: cannot create: %s", dir, strerror(errno));
		return 2;
	}
	for (size_t i = 0; names[i] != NULL; i++)
		if (write_one(dir, names[i], force) != 0)
			rc = 2;
	if (rc == 0)
		cli_note("wrote %s; use it with --data-dir %s", dir, dir);
	return rc;
}

int cmd_data(int argc, char **argv)
{
	struct cli_common c;
	bool force = false;
	int opt, r;

	cli_common_init(&c);
	while ((opt = cli_getopt(argc, argv, "qhf", longopts)) != -1) {
		r = cli_common_option(&c, opt, optarg, 1u << FMT_TEXT | 1u << FMT_JSON);
		if (r < 0)
			return 2;
		if (r > 0)
			continue;
		if (opt == 'h') {
			cli_help(stdout, usage_text);
			return 0;
		}
		if (opt == 'f') {
			force = true;
			continue;
		}
		return 2; /* cli_getopt said why */
	}
	if (optind >= argc || strcmp(argv[optind], "list") == 0)
		return cmd_list(&c);
	if (strcmp(argv[optind], "show") == 0 && optind + 1 < argc)
		return cmd_show(&c, argv[optind + 1]);
	if (strcmp(argv[optind], "export") == 0 && optind + 1 < argc && argv[optind + 1][0] == '\0') {
		cli_error("export: empty directory name; example: eku data export /etc/eku/data");
		return 2;
	}
	if (strcmp(argv[optind], "export") == 0 && optind + 1 < argc)
		return cmd_export(argv[optind + 1], force);
	cli_error("'%s': expected list, show NAME or export DIR", argv[optind]);
	return 2;
}
