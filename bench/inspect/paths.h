/*
 * Input list of the C baselines: the file arguments, or with the single
 * argument "-" one path per line on stdin (a directory of 100k certificates
 * does not fit in argv). Read before the clock starts.
 */
#ifndef BENCH_PATHS_H
#define BENCH_PATHS_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char **bench_paths(int argc, char **argv, size_t *n)
{
	size_t cap = 1024, len = 0, linecap = 0;
	char **out, *line = NULL;
	ssize_t got;

	if (argc != 2 || strcmp(argv[1], "-") != 0) {
		*n = (size_t)argc - 1;
		return argv + 1;
	}
	out = malloc(cap * sizeof(*out));
	while (out != NULL && (got = getline(&line, &linecap, stdin)) > 0) {
		if (line[got - 1] == '\n')
			line[got - 1] = '\0';
		if (len == cap) {
			cap *= 2; /* geometric growth */
			out = realloc(out, cap * sizeof(*out));
			if (out == NULL)
				break;
		}
		out[len++] = strdup(line);
	}
	free(line);
	if (out == NULL) {
		perror("paths");
		exit(2);
	}
	*n = len;
	return out;
}
#endif
