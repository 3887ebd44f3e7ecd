/* Options of the commands that read many certificate files (readopts.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <eku/cert.h>
#include <eku/pool.h>

#include "msg.h"
#include "readopts.h"

void cli_read_init(struct cli_read *r, bool check_signatures)
{
	memset(r, 0, sizeof(*r));
	r->max_size = EKU_LOADER_DEFAULT_MAX_BYTES;
	r->jobs = eku_pool_default_jobs();
	r->check_signatures = check_signatures;
}

/* A positive decimal no larger than max; strtoull alone takes "-1" and
 * wraps it to a huge number. */
static int positive(const char *arg, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (*arg < '0' || *arg > '9')
		return -1;
	errno = 0;
	*out = strtoull(arg, &end, 10);
	return *end != '\0' || errno != 0 || *out == 0 || *out > max ? -1 : 0;
}

int cli_read_option(struct cli_read *r, int opt, const char *arg)
{
	unsigned long long n;

	switch (opt) {
	case CLI_O_PWFILE: r->pw.file = arg; return 1;
	case CLI_O_PWENV: r->pw.env = arg; return 1;
	case CLI_O_PW: r->pw.literal = arg; return 1;
	case CLI_O_EXT: r->ext = arg; return 1;
	case CLI_O_MAX:
		/* 1 TiB: far above any certificate file, below size_t overflow. */
		if (positive(arg, 1ull << 40, &n) != 0) {
			cli_error("--max-size %s: give a positive number of bytes", arg);
			return -1;
		}
		r->max_size = (size_t)n;
		return 1;
	case CLI_O_JOBS:
		if (positive(arg, 256, &n) != 0) {
			cli_error("--jobs %s: give a number of threads from 1 to 256", arg);
			return -1;
		}
		r->jobs = (unsigned)n;
		return 1;
	case CLI_O_SIGS:
		if (strcmp(arg, "check") != 0 && strcmp(arg, "skip") != 0) {
			cli_error("--signatures %s: give check or skip", arg);
			return -1;
		}
		r->check_signatures = strcmp(arg, "check") == 0;
		return 1;
	default:
		return 0;
	}
}

void cli_print_load_diag(const struct eku_diag *d)
{
	void (*say)(const char *, ...) = d->severity == EKU_DIAG_WARNING ? cli_warn : cli_error;
	/* The loader states the limit; the option that raises it is ours. */
	const char *hint = d->code == EKU_E_TOO_LARGE && strstr(d->message, "--max-size") == NULL
		? " (raise it with --max-size)" : "";

	if (d->line > 0)
		say("%s:%d: %s%s", d->source, d->line, d->message, hint);
	else
		say("%s: %s%s", d->source, d->message, hint);
}

void cli_bulk_memory(void)
{
#ifdef __GLIBC__
	/* Thresholds fixed (glibc adjusts them on its own otherwise): blocks
	 * under 32 MiB come from the heap, which is trimmed only when 64 MiB
	 * are free at its top. Failure leaves glibc's defaults: slower only. */
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

enum cli_read_as cli_read_as(const char *file)
{
	struct stat st;

	if (strcmp(file, "-") == 0)
		return CLI_READ_ONCE;
	if (stat(file, &st) != 0)
		return CLI_READ_WHOLE; /* the read says why it cannot */
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return CLI_READ_ONCE;
	return S_ISREG(st.st_mode) && (uint64_t)st.st_size > CLI_PART_BYTES ? CLI_READ_PARTS : CLI_READ_WHOLE;
}
