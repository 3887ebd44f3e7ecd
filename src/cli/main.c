/* eku: dispatch to one subcommand (BearSSL brssl / curl src/ layout). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "commands.h"
#include "msg.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

#define X_ENTRY(name, fn, summary) { name, fn, summary },
static const struct command commands[] = { CLI_COMMANDS(X_ENTRY) };
#undef X_ENTRY

static void usage(FILE *f)
{
	fprintf(f, "usage: eku COMMAND [options] ...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'eku COMMAND --help' shows a command's options and an example.\n");
}

int main(int argc, char **argv)
{
	static char prog[64];

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("eku 0.1.0 (%s)\n", OpenSSL_version(OPENSSL_VERSION));
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		snprintf(prog, sizeof(prog), "eku %s", commands[i].name);
		cli_progname = prog;
		return commands[i].fn(argc - 1, argv + 1);
	}
	cli_error("unknown command '%s'; run 'eku --help' for the list", argv[1]);
	return 2;
}
