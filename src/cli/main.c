/* eku: dispatch to one subcommand (BearSSL brssl / curl src/ layout). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <eku/version.h>

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
	fprintf(f, "\n'eku COMMAND --help' (or 'eku help COMMAND') shows a command's options and an\n"
		   "example; 'eku --version' (-V, version) the versions of eku, libeku and OpenSSL.\n");
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	cli_error("unknown command '%s'; run 'eku --help' for the list", name);
	return NULL;
}

static int run(const struct command *cmd, int argc, char **argv)
{
	static char prog[64];

	snprintf(prog, sizeof(prog), "eku %s", cmd->name);
	cli_progname = prog;
	return cmd->fn(argc, argv);
}

static bool is(const char *arg, const char *a, const char *b, const char *c)
{
	return strcmp(arg, a) == 0 || strcmp(arg, b) == 0 || (c != NULL && strcmp(arg, c) == 0);
}

int main(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (is(argv[1], "-h", "--help", "help") && argc == 2) {
		usage(stdout);
		return 0;
	}
	if (is(argv[1], "-V", "--version", "version")) {
		/* The library linked, which a shared libeku could make differ
		 * from the version this program was built with. */
		printf("eku %s (libeku %s, %s)\n", EKU_VERSION, eku_version(),
			OpenSSL_version(OPENSSL_VERSION));
		return 0;
	}
	if (is(argv[1], "-h", "--help", "help")) {
		/* "eku help plan" is "eku plan --help". */
		char *help_argv[] = { argv[2], "--help", NULL };
		if (argc > 3 || (cmd = find(argv[2])) == NULL) {
			if (argc > 3)
				cli_error("'help' takes one command name; example: eku help plan");
			return 2;
		}
		return run(cmd, 2, help_argv);
	}
	if ((cmd = find(argv[1])) == NULL)
		return 2;
	return run(cmd, argc - 1, argv + 1);
}
