/* eku ca: shared by cmd_ca.c (dispatch, init), cmd_ca_issue.c (issue,
 * renew) and cmd_ca_admin.c (revoke, crl, list, check). */
#ifndef EKU_CLI_CMD_CA_H
#define EKU_CLI_CMD_CA_H

#include <eku/ca.h>

#include "common.h"
#include "password.h"

/* Long option ids shared by the subcommands. */
enum { CA_O_CA = 0x2100, CA_O_PASS_FILE, CA_O_PASS_ENV, CA_O_P12_FILE, CA_O_P12_ENV };

#define CA_LONGOPTS_CA                                                 \
	{ "ca", required_argument, NULL, CA_O_CA },                    \
	{ "passphrase-file", required_argument, NULL, CA_O_PASS_FILE }, \
	{ "passphrase-env", required_argument, NULL, CA_O_PASS_ENV }

#define CA_HELP_CA                                                                      \
	"  --ca DIR             the CA directory (default $EKU_CA_DIR)\n"              \
	"  --passphrase-file F  passphrase of the CA keys: first line of F\n"          \
	"  --passphrase-env V   passphrase of the CA keys: environment variable V\n"

struct ca_common {
	const char *dir;
	struct cli_password pass;
};

/* Handles --ca/--passphrase-*: 1 handled, 0 not ours. */
int ca_common_option(struct ca_common *c, int opt, const char *arg);
/* Opens the CA (with its passphrase when given). NULL with a message. */
eku_ca *ca_common_open(struct ca_common *c);
/* Prints the library error as "eku ca: error: ..." and returns 2. */
int ca_fail(const eku_error *e);

int cmd_ca_init(int argc, char **argv);
int cmd_ca_issue(int argc, char **argv);
int cmd_ca_renew(int argc, char **argv);
int cmd_ca_revoke(int argc, char **argv);
int cmd_ca_crl(int argc, char **argv);
int cmd_ca_list(int argc, char **argv);
int cmd_ca_check(int argc, char **argv);
int cmd_ca_offline_root(int argc, char **argv);

#endif
