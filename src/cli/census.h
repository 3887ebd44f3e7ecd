/* eku census: the options and the runner that reads inputs on worker
 * threads into one census per worker (census_run.c). */
#ifndef EKU_CLI_CENSUS_H
#define EKU_CLI_CENSUS_H

#include <stdbool.h>
#include <stddef.h>

#include <eku/census.h>
#include <eku/cert.h>
#include <eku/timeline.h>
#include <eku/trust.h>

struct census_run_opts {
	int64_t at;
	size_t max_size;
	bool ct;               /* every input is a CT page */
	unsigned jobs;
	const char *password;  /* PKCS#12, may be NULL */
	const char *ext;       /* directory filter, NULL: the loader's default */
};

/* Reads every input (directories walked file by file, each file parsed on a
 * worker with its own certificates as candidate issuers, CT pages entry by
 * entry), classifies with t, judges with tl and counts into cen. Problems
 * go to diags in input order. Returns 0, or -1 on an internal failure
 * (message printed). */
int census_run(const struct census_run_opts *o, eku_trust *t, const eku_timeline *tl, char **inputs,
	int n, eku_census *cen, eku_diaglist *diags);

#endif
