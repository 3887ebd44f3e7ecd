/* Parsing of the shared options. */
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

static bool cli_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
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
		if (!cli_is_dir(arg)) {
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
