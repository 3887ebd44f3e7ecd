/* Parsing of the shared options. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <eku/util.h>

#include "common.h"

static const char *const format_names[] = { "text", "json", "jsonl", "csv", "md", "html", "prom" };

const char *cli_format_name(enum cli_format f)
{
	return (unsigned)f < sizeof(format_names) / sizeof(format_names[0]) ? format_names[f] : "?";
}

void cli_common_init(struct cli_common *c)
{
	memset(c, 0, sizeof(*c));
	c->format = FMT_TEXT;
	c->at = (int64_t)time(NULL);
	c->color = CLI_COLOR_AUTO;
}

static int parse_format(struct cli_common *c, const char *arg, unsigned allowed)
{
	char list[128] = "";

	for (unsigned i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (!(allowed & (1u << i)))
			continue;
		if (strcmp(arg, format_names[i]) == 0) {
			c->format = (enum cli_format)i;
			return 1;
		}
		strncat(list, list[0] ? "|" : "", sizeof(list) - strlen(list) - 1);
		strncat(list, format_names[i], sizeof(list) - strlen(list) - 1);
	}
	cli_error("--format %s: unknown format; use one of %s", arg, list);
	return -1;
}

bool cli_is_directory(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_check_log_file(const char *path)
{
	/* Checked before the config is read: a typo here is a usage error. */
	if (*path == '\0' || cli_is_directory(path)) {
		cli_error("--log '%s': %s; give a file to append to", path,
			*path == '\0' ? "empty file name" : "is a directory");
		return -1;
	}
	return 0;
}

void cli_log_line(void *arg, const char *line)
{
	FILE *f = arg;

	fprintf(f, "%s\n", line);
	fflush(f);
}

int cli_common_option(struct cli_common *c, int opt, const char *arg, unsigned allowed)
{
	switch (opt) {
	case 0x1001:
		return parse_format(c, arg, allowed);
	case 0x1002:
		if (eku_time_parse(arg, &c->at) != 0) {
			cli_error("--at %s: " EKU_TIME_FORMAT_HELP, arg);
			return -1;
		}
		c->at_given = true;
		return 1;
	case 0x1003:
		/* A mistyped directory would otherwise fall back to the embedded
		 * files without a word: every file "not in the directory". */
		if (*arg == '\0') {
			cli_error("--data-dir: empty directory name; give a directory or drop --data-dir");
			return -1;
		}
		if (!cli_is_directory(arg)) {
			cli_error("--data-dir %s: not a directory; create it with 'eku data export %s' or drop "
				"--data-dir to use the embedded data", arg, arg);
			return -1;
		}
		c->data_dir = arg;
		return 1;
	case 0x1004:
		if (strcmp(arg, "auto") == 0)
			c->color = CLI_COLOR_AUTO;
		else if (strcmp(arg, "always") == 0)
			c->color = CLI_COLOR_ALWAYS;
		else if (strcmp(arg, "never") == 0)
			c->color = CLI_COLOR_NEVER;
		else {
			cli_error("--color %s: use auto, always or never", arg);
			return -1;
		}
		return 1;
	case 'q':
		cli_quiet = true;
		return 1;
	default:
		return 0;
	}
}

/* ---- paths ------------------------------------------------------------------- */

static int check_path(const char *what, const char *path, bool want_dir)
{
	struct stat st;

	if (*path == '\0') {
		cli_error("%s: empty %s name", what, want_dir ? "directory" : "file");
		return -1;
	}
	if (stat(path, &st) != 0) {
		cli_error("%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (want_dir && !S_ISDIR(st.st_mode)) {
		cli_error("%s %s: not a directory", what, path);
		return -1;
	}
	if (!want_dir && S_ISDIR(st.st_mode)) {
		cli_error("%s %s: is a directory; give a file", what, path);
		return -1;
	}
	return 0;
}

int cli_check_file(const char *what, const char *path) { return check_path(what, path, false); }
int cli_check_dir(const char *what, const char *path) { return check_path(what, path, true); }

/* ---- option errors --------------------------------------------------------- */

/* "--allow" matching --allow-dns and --allow-uri: getopt says only '?'. */
static size_t prefix_matches(const struct option *longopts, const char *name, size_t len)
{
	size_t n = 0;

	for (const struct option *o = longopts; o->name != NULL; o++)
		if (strncmp(o->name, name, len) == 0)
			n++;
	return n;
}

static void bad_option(int c, const char *arg, const struct option *longopts)
{
	size_t len;

	if (arg == NULL || strncmp(arg, "--", 2) != 0) {
		if (c == ':')
			cli_error("option '-%c' needs an argument", optopt);
		else
			cli_error("unrecognized option '-%c'", optopt);
	} else {
		len = strcspn(arg + 2, "=");
		if (c == ':')
			cli_error("option '%s' needs an argument", arg);
		else if (optopt != 0)
			cli_error("option '%.*s' takes no argument", (int)len + 2, arg);
		else if (prefix_matches(longopts, arg + 2, len) > 1)
			cli_error("option '%.*s' is ambiguous; spell it out", (int)len + 2, arg);
		else
			cli_error("unrecognized option '%.*s'", (int)len + 2, arg);
	}
	fprintf(stderr, "run '%s --help' for the options\n", cli_progname);
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	char opts[64];
	int c;

	/* Leading ':' tells a missing argument (':') from an unknown option. */
	snprintf(opts, sizeof(opts), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	/* The offending word: optind has moved past it, except inside "-qz". */
	bad_option(c, optind > 0 && optind <= argc ? argv[optind - 1] : NULL, longopts);
	return '?';
}

/* ---- help --------------------------------------------------------------------- */

static const char *const common_help[][2] = {
	{ "--at DATE", "evaluate at this instant (default now);\n"
		       "DATE: YYYY-MM-DD[THH:MM[:SS]][Z|+hh:mm]" },
	{ "--data-dir DIR", "read data files from DIR, not the embedded copies" },
	{ "--color WHEN", "auto|always|never (NO_COLOR is honoured)" },
	{ "-q, --quiet", "no notes or warnings on stderr" },
	{ "-h, --help", "this help" },
};

/* Column of the first "  --option  description" line; 20 if none. */
static int help_column(const char *text)
{
	for (const char *l = text, *nl; l != NULL; l = nl != NULL ? nl + 1 : NULL) {
		const char *gap;
		nl = strchr(l, '\n');
		if (strncmp(l, "  -", 3) != 0)
			continue;
		gap = strstr(l + 3, "  ");
		if (gap != NULL && (nl == NULL || gap < nl)) {
			while (*gap == ' ')
				gap++;
			return (int)(gap - l);
		}
	}
	return 20;
}

static void print_common(FILE *f, int col)
{
	for (size_t i = 0; i < sizeof(common_help) / sizeof(common_help[0]); i++) {
		const char *d = common_help[i][1];
		fprintf(f, "  %-*s", col - 2, common_help[i][0]);
		for (size_t n; *d != '\0'; d += n + (d[n] == '\n')) {
			n = strcspn(d, "\n");
			fprintf(f, "%.*s\n", (int)n, d);
			if (d[n] == '\n')
				fprintf(f, "%*s", col, "");
		}
	}
}

void cli_help(FILE *f, const char *usage_text)
{
	const char *mark = strstr(usage_text, CLI_COMMON_HELP_MARK "\n");

	if (mark == NULL) {
		fputs(usage_text, f);
		return;
	}
	fwrite(usage_text, 1, (size_t)(mark - usage_text), f);
	print_common(f, help_column(usage_text));
	fputs(mark + strlen(CLI_COMMON_HELP_MARK "\n"), f);
}
