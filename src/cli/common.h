/* Options shared by every subcommand (README "Commands"). */
#ifndef EKU_CLI_COMMON_H
#define EKU_CLI_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "msg.h"

enum cli_format { FMT_TEXT, FMT_JSON, FMT_JSONL, FMT_CSV, FMT_MD, FMT_HTML, FMT_PROM };

struct cli_common {
	enum cli_format format;
	int64_t at;          /* the instant every date computation uses */
	bool at_given;
	const char *data_dir;
	enum cli_color color;
};

/* Long options every command accepts; append to a command's own table. */
#define CLI_COMMON_LONGOPTS                                          \
	{ "format", required_argument, NULL, 0x1001 },               \
	{ "at", required_argument, NULL, 0x1002 },                   \
	{ "data-dir", required_argument, NULL, 0x1003 },             \
	{ "color", required_argument, NULL, 0x1004 },                \
	{ "quiet", no_argument, NULL, 'q' },                         \
	{ "help", no_argument, NULL, 'h' }

#define CLI_COMMON_HELP                                                              \
	"  --at DATE         evaluate at this instant (YYYY-MM-DD[THH:MM[:SS]][Z|+hh:mm], default now)\n" \
	"  --data-dir DIR    read data files from DIR instead of the embedded copies\n" \
	"  --color WHEN      auto|always|never (NO_COLOR is honoured)\n"             \
	"  -q, --quiet       no notes or warnings on stderr\n"                      \
	"  -h, --help        this help\n"

void cli_common_init(struct cli_common *c);
/* Handles a common option. Returns 1 when handled, 0 when not a common
 * option, -1 on a bad value (message printed). allowed: formats accepted, as
 * a bit mask of 1 << FMT_*. */
int cli_common_option(struct cli_common *c, int opt, const char *arg, unsigned allowed);
const char *cli_format_name(enum cli_format f);

#endif
