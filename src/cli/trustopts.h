/* The trust options shared by inspect and scan (--trust, --untrusted,
 * --public-root [VENDOR=]FILE, --system-bundle, --no-system) and the one
 * place that turns them into an eku_trust. */
#ifndef EKU_CLI_TRUSTOPTS_H
#define EKU_CLI_TRUSTOPTS_H

#include <stdbool.h>

#include <eku/trust.h>

struct cli_trust {
	eku_strv anchors;       /* --trust FILE */
	eku_strv untrusted;     /* --untrusted FILE */
	eku_strv public_roots;  /* --public-root [VENDOR=]FILE */
	const char *system_bundle;
	bool no_system;
};

/* Builds the trust store (data files from data_dir, may be NULL). Prints
 * the problem and returns NULL on failure. */
eku_trust *cli_trust_build(const struct cli_trust *o, const char *data_dir);
void cli_trust_clear(struct cli_trust *o);

#endif
