/* Options of the commands that read many certificate files (inspect,
 * census): PKCS#12 password, directory filter, size cap, worker threads and
 * signature checks, parsed once here so both commands take the same values
 * with the same messages. Also how those commands print a load diagnostic. */
#ifndef EKU_CLI_READOPTS_H
#define EKU_CLI_READOPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include <eku/diag.h>

#include "password.h"

struct cli_read {
	struct cli_password pw;
	const char *ext;       /* NULL: the loader's default */
	size_t max_size;
	unsigned jobs;
	bool check_signatures;
};

enum { CLI_O_PWFILE = 0x2100, CLI_O_PWENV, CLI_O_PW, CLI_O_EXT, CLI_O_MAX, CLI_O_JOBS, CLI_O_SIGS };

#define CLI_READ_LONGOPTS                                               \
	{ "password-file", required_argument, NULL, CLI_O_PWFILE },     \
	{ "password-env", required_argument, NULL, CLI_O_PWENV },       \
	{ "password", required_argument, NULL, CLI_O_PW },              \
	{ "ext", required_argument, NULL, CLI_O_EXT },                  \
	{ "max-size", required_argument, NULL, CLI_O_MAX },             \
	{ "jobs", required_argument, NULL, CLI_O_JOBS },                \
	{ "signatures", required_argument, NULL, CLI_O_SIGS }

#define CLI_READ_HELP                                                                     \
	"  --password-file FILE  PKCS#12 password from the first line of FILE\n"           \
	"  --password-env VAR    PKCS#12 password from environment variable VAR\n"         \
	"  --password PW         PKCS#12 password on the command line\n"                   \
	"                        (visible to other users)\n"                               \
	"  --ext LIST            file extensions read from directories\n"                  \
	"                        (default pem,crt,cer,cert,der,p7b,p7c,p12,pfx,ca-bundle)\n" \
	"  --max-size BYTES      refuse inputs larger than this (default 16777216)\n"      \
	"  --jobs N              worker threads (default: online CPUs); the output\n"      \
	"                        does not depend on N\n"                                   \
	"  --signatures WHEN     check|skip: verify issuers' signatures while building\n"  \
	"                        chains; skip matches issuers by name and key\n"           \
	"                        identifier only, for bulk audits\n"

/* A PEM file larger than this is read and parsed in parts of about this
 * size (eku_pem_parts): memory stays flat however large the file, and one
 * large file keeps every worker busy. */
#define CLI_PART_BYTES (256u << 10)

/* Before a bulk run (inspect, census): keeps freed memory in the process
 * instead of returning it to the kernel after every part. glibc hands out
 * a part's buffer (CLI_PART_BYTES and more) by mmap or trims the heap after
 * it is freed, so each part cost fresh zeroed pages: a tenth of a census's
 * CPU time in page faults and system calls. The peak (max RSS) is the same;
 * memory is given back when the command exits. No-op outside glibc. */
void cli_bulk_memory(void);

/* How an input is read, from one stat() (which never blocks, even on a
 * FIFO): once and kept (standard input, and anything that is not a regular
 * file or a directory: pipes, a shell's <(command), devices), in parts (a
 * regular file larger than CLI_PART_BYTES), or whole. */
enum cli_read_as { CLI_READ_WHOLE, CLI_READ_ONCE, CLI_READ_PARTS };
enum cli_read_as cli_read_as(const char *file);

/* Defaults: loader size cap, every CPU, signatures as given. */
void cli_read_init(struct cli_read *r, bool check_signatures);
/* 1 handled, 0 not one of these, -1 bad value (message printed). */
int cli_read_option(struct cli_read *r, int opt, const char *arg);
/* One load diagnostic as an error or warning line ("file:line: what"). */
void cli_print_load_diag(const struct eku_diag *d);

#endif
