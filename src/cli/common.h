/* Options shared by every subcommand (README "Commands"). */
#ifndef EKU_CLI_COMMON_H
#define EKU_CLI_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "msg.h"

enum cli_format { FMT_TEXT, FMT_JSON, FMT_JSONL, FMT_CSV, FMT_MD, FMT_HTML, FMT_PROM };

struct cli_common {
	enum cli_format format;
	int64_t at;          /* the instant every date computation uses */
	bool at_given;
	const char *data_dir;
	enum cli_color color;
};

/* Long options every command accepts; append to a command's own table. */
#define CLI_COMMON_LONGOPTS                                          \
	{ "format", required_argument, NULL, 0x1001 },               \
	{ "at", required_argument, NULL, 0x1002 },                   \
	{ "data-dir", required_argument, NULL, 0x1003 },             \
	{ "color", required_argument, NULL, 0x1004 },                \
	{ "quiet", no_argument, NULL, 'q' },                         \
	{ "help", no_argument, NULL, 'h' }

/* Stands for the common options' help lines in a usage text; cli_help()
 * prints them aligned with the command's own option descriptions. */
#define CLI_COMMON_HELP CLI_COMMON_HELP_MARK "\n"
#define CLI_COMMON_HELP_MARK "\x01common options"

void cli_common_init(struct cli_common *c);
/* Handles a common option. Returns 1 when handled, 0 when not a common
 * option, -1 on a bad value (message printed). allowed: formats accepted, as
 * a bit mask of 1 << FMT_*. */
int cli_common_option(struct cli_common *c, int opt, const char *arg, unsigned allowed);
const char *cli_format_name(enum cli_format f);

/* getopt_long() for every command (and new ones: use it instead of calling
 * getopt_long directly): a bad option, a missing argument or an ambiguous
 * abbreviation prints "eku CMD: error: unrecognized option '--x'" plus
 * "run 'eku CMD --help' for the options" and returns '?'; the caller then
 * exits 2 without printing more. Otherwise as getopt_long. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* Checks a path given on the command line before any work starts, so a typo
 * is a usage error (exit 2) naming the option: what is "" (no name), does not
 * exist, or is the wrong kind (a directory where a file is expected, or the
 * reverse). what: "--chains" or "CONFIG". Returns 0, or -1 with the message
 * printed. A FIFO counts as a file: '<(command)' and '-' style use is legal. */
int cli_check_file(const char *what, const char *path);
int cli_check_dir(const char *what, const char *path);
bool cli_is_directory(const char *path);
/* --log FILE of the long-running commands (gateway, serve): a file to append
 * to, not "" nor a directory. Returns 0, or -1 with the message printed. */
int cli_check_log_file(const char *path);
/* The log sink of gateway and serve: line and a newline to the FILE * arg,
 * flushed (one write per line, so lines from threads do not interleave). */
void cli_log_line(void *arg, const char *line);

/* Prints a command's usage text to f (stdout for --help). Where the text has
 * CLI_COMMON_HELP, the common options follow, their descriptions in the same
 * column as the first option line of the text. */
void cli_help(FILE *f, const char *usage_text);

#endif
