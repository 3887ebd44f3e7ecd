/* Text layout for 80-column terminals. */
#include <stdio.h>
#include <string.h>

#include "text.h"

void cli_wrap(const char *indent, const char *text, size_t width)
{
	cli_fwrap(stdout, indent, text, width);
}

void cli_fwrap(FILE *out, const char *indent, const char *text, size_t width)
{
	size_t col = 0;
	const char *p = text;

	while (*p != '\0') {
		size_t n = strcspn(p, " ");
		if (col > 0 && col + 1 + n > width) {
			fprintf(out, "\n%s", indent);
			col = 0;
		} else if (col > 0) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, n, out);
		col += n;
		p += n;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}
