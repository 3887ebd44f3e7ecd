/* eku inspect, split by job: cmd_inspect.c (options), inspect_run.c (reading
 * and classifying on worker threads, output in order), inspect_format.c
 * (one certificate as text or CSV). */
#ifndef EKU_CLI_INSPECT_H
#define EKU_CLI_INSPECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <eku/cert.h>
#include <eku/sunset.h>
#include <eku/timeline.h>
#include <eku/trust.h>

#include "common.h"
#include "msg.h"

struct inspect_run_opts {
	enum cli_format format;
	int64_t at;
	enum cli_color color;
	unsigned jobs;
	const char *password;    /* PKCS#12, may be NULL */
	const char *ext;         /* directory walk filter, may be NULL */
	size_t max_size;
};

/* Reads every input, classifies and prints. text and json are sorted by
 * expiry (the whole run is held); jsonl and csv stream in input order with
 * memory bounded by the largest file. Returns the exit code: 0, 2 when an
 * input could not be read, 3 on an internal failure. */
int inspect_run(const struct inspect_run_opts *o, char **inputs, int n_inputs, eku_trust *t,
	const eku_timeline *tl);

void inspect_print_text(FILE *out, const eku_cert *c, const struct eku_classification *cl,
	int64_t at, const struct eku_sunset *sun, const struct cli_palette *p);
void inspect_print_csv_header(FILE *out);
void inspect_print_csv(FILE *out, const eku_cert *c, const struct eku_classification *cl,
	const struct eku_sunset *sun, int64_t at);

#endif
