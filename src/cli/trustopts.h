/* The trust options shared by inspect and scan (--trust, --untrusted,
 * --public-root [VENDOR=]FILE, --system-bundle, --no-system) and the one
 * place that turns them into an eku_trust. */
#ifndef EKU_CLI_TRUSTOPTS_H
#define EKU_CLI_TRUSTOPTS_H

#include <getopt.h>
#include <stdbool.h>

#include <eku/trust.h>

struct cli_trust {
	eku_strv anchors;       /* --trust FILE */
	eku_strv untrusted;     /* --untrusted FILE */
	eku_strv public_roots;  /* --public-root [VENDOR=]FILE */
	const char *system_bundle;
	bool no_system;
};

/* Option ids (0x1100..) and the long options every chain-classifying
 * command accepts; --untrusted is listed separately for commands that take
 * intermediates from the user. */
enum { CLI_O_TRUST = 0x1100, CLI_O_PUBROOT, CLI_O_UNTRUSTED, CLI_O_SYSBUNDLE, CLI_O_NOSYS };
#define CLI_TRUST_LONGOPTS                                                   \
	{ "trust", required_argument, NULL, CLI_O_TRUST },                   \
	{ "public-root", required_argument, NULL, CLI_O_PUBROOT },           \
	{ "system-bundle", required_argument, NULL, CLI_O_SYSBUNDLE },       \
	{ "no-system", no_argument, NULL, CLI_O_NOSYS }
#define CLI_UNTRUSTED_LONGOPT { "untrusted", required_argument, NULL, CLI_O_UNTRUSTED }

/* Handles a trust option: 1 handled, 0 not a trust option, -1 on failure
 * (message printed). */
int cli_trust_option(struct cli_trust *o, int opt, const char *arg);

/* Builds the trust store (data files from data_dir, may be NULL). Prints
 * the problem and returns NULL on failure. */
eku_trust *cli_trust_build(const struct cli_trust *o, const char *data_dir);
void cli_trust_clear(struct cli_trust *o);

#endif
