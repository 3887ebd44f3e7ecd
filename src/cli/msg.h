/* CLI message helpers (the library never prints; curl's tool_msgs.c idea). */
#ifndef EKU_CLI_MSG_H
#define EKU_CLI_MSG_H

#include <stdbool.h>
#include <stdio.h>

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "file:line:col", or "file:line" / "file" when the position is unknown
 * (0), into buf. Returns buf. */
const char *cli_pos(char *buf, size_t len, const char *file, int line, int col);

/* Colour decision: --color auto|always|never, NO_COLOR, isatty. */
enum cli_color { CLI_COLOR_AUTO, CLI_COLOR_ALWAYS, CLI_COLOR_NEVER };
bool cli_use_color(enum cli_color mode, FILE *f);
/* ANSI sequences, or "" when colour is off. */
struct cli_palette {
	const char *red, *green, *yellow, *bold, *dim, *reset;
};
struct cli_palette cli_palette(bool on);

extern const char *cli_progname;
extern bool cli_quiet;

#endif
