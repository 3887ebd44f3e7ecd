/* Plain-text layout helpers shared by the subcommands' text output. */
#ifndef EKU_CLI_TEXT_H
#define EKU_CLI_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Word-wraps text at spaces to width columns on stdout. The first line
 * continues the current output line; later lines start with indent. A word
 * longer than width stands alone on its line. Ends with a newline. */
void cli_wrap(const char *indent, const char *text, size_t width);
/* The same on out. */
void cli_fwrap(FILE *out, const char *indent, const char *text, size_t width);

#endif
