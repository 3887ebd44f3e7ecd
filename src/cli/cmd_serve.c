/* eku serve: continuous monitoring with history, events and Prometheus
 * metrics (docs/serve.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../serve/sv.h"
#include "commands.h"
#include "common.h"

static const char usage_text[] =
	"usage: eku serve [options] CONFIG\n"
	"       eku serve --check CONFIG\n"
	"\n"
	"Watches certificate files, live endpoints and plan inventories on their\n"
	"intervals, stores every observation in a history database (SQLite in\n"
	"data_dir), logs events (clientauth_dropped, cert_changed, severity_changed,\n"
	"expiring) as key=value lines, and serves /metrics (Prometheus), /healthz,\n"
	"/api/v1/latest, /probe?target=HOST:PORT and / (the latest plan report) on\n"
	"127.0.0.1:9860 by default. SIGHUP reloads (a bad config keeps the old one);\n"
	"SIGTERM stops after the current write. 'eku history' reads the history.\n"
	"\n"
	"options:\n"
	"  --check          validate CONFIG and exit: 0 valid, 2 errors (all listed\n"
	"                   with file:line:column)\n"
	"  --log FILE       append log lines to FILE instead of stderr\n"
	"  -q, --quiet      no warnings on stderr\n"
	"  -h, --help       this help\n"
	"\n"
	"example:\n"
	"  eku serve examples/serve/serve.yaml &\n"
	"  curl -s http://127.0.0.1:9860/metrics | grep eku_cert_clientauth\n"
	"  eku history examples/serve/serve.yaml --since 7d\n";

enum { O_CHECK = 0x2100, O_LOG };

static const struct option longopts[] = {
	{ "check", no_argument, NULL, O_CHECK },
	{ "log", required_argument, NULL, O_LOG },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Loads path and prints every problem with its position. */
static struct sv_config *load(const char *path, bool build)
{
	eku_diaglist d = { 0 };
	struct sv_config *c = sv_config_load(path, build, &d);
	char at[4096];

	for (size_t i = 0; i < d.n; i++)
		(d.v[i].severity == EKU_DIAG_ERROR ? cli_error : cli_warn)("%s: %s",
			cli_pos(at, sizeof(at), d.v[i].source, d.v[i].line, d.v[i].column), d.v[i].message);
	if (c == NULL)
		cli_error("%s: %zu error(s)", path, eku_diaglist_errors(&d) ? eku_diaglist_errors(&d) : 1);
	eku_diaglist_clear(&d);
	return c;
}

static int run(const char *path, const char *log_path, bool check_only)
{
	struct sv_config *c = load(path, true);
	struct sv_runtime *rt = NULL;
	FILE *logf = stderr;
	char why[512] = "";
	int rc = 2;

	if (c == NULL)
		return 2;
	if (check_only) {
		printf("%s: ok (%zu source(s), history in %s)\n", path, c->n_sources,
			c->database != NULL ? "PostgreSQL" : c->data_dir);
		sv_config_free(c);
		return 0;
	}
	if (log_path != NULL && (logf = fopen(log_path, "a")) == NULL) {
		cli_error("--log %s: cannot open: %s", log_path, strerror(errno));
		sv_config_free(c);
		return 2;
	}
	rc = 3;
	if ((rt = sv_runtime_new(c, cli_log_line, logf, why, sizeof(why))) == NULL) {
		cli_error("%s", why);
		goto out;
	}
	rc = sv_runtime_run(rt);
out:
	if (!sv_runtime_free(rt)) {
		fflush(NULL);
		_exit(rc);
	}
	if (logf != stderr)
		fclose(logf);
	return rc;
}

int cmd_serve(int argc, char **argv)
{
	bool do_check = false;
	const char *log_path = NULL;
	int c;

	while ((c = cli_getopt(argc, argv, "qh", longopts)) != -1) {
		switch (c) {
		case O_CHECK: do_check = true; break;
		case O_LOG:
			if (cli_check_log_file(optarg) != 0)
				return 2;
			log_path = optarg;
			break;
		case 'q': cli_quiet = true; break;
		case 'h': cli_help(stdout, usage_text); return 0;
		default: return 2;
		}
	}
	if (optind + 1 != argc || *argv[optind] == '\0') {
		cli_error("expected one CONFIG file; example: eku serve examples/serve/serve.yaml");
		return 2;
	}
	return run(argv[optind], log_path, do_check);
}
