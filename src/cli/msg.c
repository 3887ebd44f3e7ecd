/* Messages on stderr: "eku inspect: error: what failed and how to fix it". */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "msg.h"

const char *cli_progname = "eku";
bool cli_quiet = false;

__attribute__((format(printf, 2, 0)))
static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s: ", cli_progname, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	if (cli_quiet)
		return;
	va_start(ap, fmt);
	vmsg("warning", fmt, ap);
	va_end(ap);
}

void cli_note(const char *fmt, ...)
{
	va_list ap;

	if (cli_quiet)
		return;
	va_start(ap, fmt);
	vmsg("note", fmt, ap);
	va_end(ap);
}

bool cli_use_color(enum cli_color mode, FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	if (mode == CLI_COLOR_ALWAYS)
		return true;
	if (mode == CLI_COLOR_NEVER || (nc != NULL && *nc != '\0'))
		return false;
	return isatty(fileno(f));
}

struct cli_palette cli_palette(bool on)
{
	struct cli_palette p = { "", "", "", "", "", "" };

	if (on) {
		p.red = "\033[31m";
		p.green = "\033[32m";
		p.yellow = "\033[33m";
		p.bold = "\033[1m";
		p.dim = "\033[2m";
		p.reset = "\033[0m";
	}
	return p;
}

const char *cli_pos(char *buf, size_t len, const char *file, int line, int col)
{
	if (line > 0 && col > 0)
		snprintf(buf, len, "%s:%d:%d", file, line, col);
	else if (line > 0)
		snprintf(buf, len, "%s:%d", file, line);
	else
		snprintf(buf, len, "%s", file);
	return buf;
}
