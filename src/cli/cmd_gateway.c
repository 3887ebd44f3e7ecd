/* eku gateway: run the mTLS gateway, or check its configuration. */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../gateway/gw_runtime.h"
#include "commands.h"
#include "common.h"

static const char usage_text[] =
	"usage: eku gateway [options] CONFIG\n"
	"       eku gateway --check CONFIG\n"
	"\n"
	"Runs an mTLS proxy with separate server and client certificate stores: it\n"
	"presents a server-store certificate (chosen by SNI) to inbound clients,\n"
	"verifies their certificates under the route's EKU policy (enforce,\n"
	"ignore-client-eku with an allow-list, permissive, off), and presents a\n"
	"client-store certificate to TLS upstreams. SIGHUP (or POST /reload on the\n"
	"admin listener) reloads; a bad config keeps the old one serving. SIGTERM\n"
	"drains gracefully. One key=value log line per connection on stderr.\n"
	"\n"
	"options:\n"
	"  --check          validate CONFIG (YAML, files, keys, references) and exit:\n"
	"                   0 valid, 2 errors (all listed with file:line:column)\n"
	"  --log FILE       append log lines to FILE instead of stderr\n"
	"  --user USER      when started as root: drop to USER after binding (overrides\n"
	"                   user: in CONFIG); CONFIG's files must be readable by USER\n"
	"  -q, --quiet      no warnings on stderr\n"
	"  -h, --help       this help\n"
	"\n"
	"example:\n"
	"  eku gateway --check examples/gateway/gateway.yaml\n"
	"  eku gateway examples/gateway/gateway.yaml &\n"
	"  curl -s http://127.0.0.1:9901/metrics | grep eku_gateway_would_fail_total\n";

enum { O_CHECK = 0x2000, O_LOG, O_USER };

static const struct option longopts[] = {
	{ "check", no_argument, NULL, O_CHECK },
	{ "log", required_argument, NULL, O_LOG },
	{ "user", required_argument, NULL, O_USER },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void print_diags(const eku_diaglist *d)
{
	char at[4096];

	for (size_t i = 0; i < d->n; i++) {
		const struct eku_diag *g = &d->v[i];
		cli_pos(at, sizeof(at), g->source, g->line, g->column);
		if (g->severity == EKU_DIAG_ERROR)
			cli_error("%s: %s", at, g->message);
		else
			cli_warn("%s: %s", at, g->message);
	}
}

/* --user replaces user: of the file. The user must exist: found missing only
 * at start (after --check said ok) it would stop a service at the worst time. */
static int set_user(struct gw_config *c, const char *path, const char *user)
{
	if (user != NULL) {
		char *dup = strdup(user);
		if (dup == NULL) {
			cli_error("out of memory");
			return -1;
		}
		free(c->user);
		c->user = dup;
	}
	if (c->user != NULL && getpwnam(c->user) == NULL) {
		cli_error("%s: user '%s' (%s) does not exist; create it (useradd --system --no-create-home "
			"--shell /usr/sbin/nologin %s) or drop %s", path, c->user, user ? "--user" : "user:",
			c->user, user ? "--user" : "user: from the config");
		return -1;
	}
	return 0;
}

static int check(const char *path, const char *user)
{
	eku_diaglist d = { 0 };
	struct gw_config *c = gw_config_load(path, true, &d);
	int rc = 2;

	print_diags(&d);
	if (c == NULL)
		cli_error("%s: %zu error(s)", path, eku_diaglist_errors(&d));
	else if (set_user(c, path, user) == 0) {
		printf("%s: ok (%zu route(s), %zu server and %zu client certificate(s))\n", path,
			c->n_routes, c->server_store.n, c->client_store.n);
		rc = 0;
	}
	gw_config_free(c);
	eku_diaglist_clear(&d);
	return rc;
}

/* After the privilege drop every reload reads the files as the new user: read
 * them once now, so a key only root can read stops the start with the reason
 * instead of failing every later SIGHUP. */
static int reload_as_user(const char *path)
{
	eku_diaglist d = { 0 };
	struct gw_config *c = gw_config_load(path, true, &d);
	int rc = 0;

	if (c == NULL) {
		print_diags(&d);
		cli_error("%s: cannot be read after dropping privileges (uid %u), so every reload would fail; "
			"make CONFIG and its files readable by that user (examples/gateway/make-pki.sh USER)",
			path, (unsigned)geteuid());
		rc = -1;
	}
	gw_config_free(c);
	eku_diaglist_clear(&d);
	return rc;
}

static int run(const char *path, const char *log_path, const char *user)
{
	bool as_root = geteuid() == 0;
	eku_diaglist d = { 0 };
	struct gw_config *c = gw_config_load(path, true, &d);
	struct gw_runtime *rt = NULL;
	FILE *logf = stderr;
	char why[512] = "";
	int rc = 2;

	print_diags(&d);
	if (c == NULL) {
		cli_error("%s: %zu error(s); not starting", path, eku_diaglist_errors(&d));
		goto out;
	}
	if (set_user(c, path, user) != 0) {
		gw_config_free(c);
		goto out;
	}
	if (log_path != NULL && (logf = fopen(log_path, "a")) == NULL) {
		cli_error("--log %s: cannot open: %s", log_path, strerror(errno));
		gw_config_free(c);
		goto out;
	}
	rc = 3;
	if ((rt = gw_runtime_new(c, cli_log_line, logf, why, sizeof(why))) == NULL ||
	    gw_runtime_drop_privileges(rt, why, sizeof(why)) != 0) {
		cli_error("%s", why);
		goto out;
	}
	if (as_root && geteuid() != 0 && reload_as_user(path) != 0)
		goto out;
	gw_runtime_run(rt);
	rc = 0;
out:
	gw_runtime_free(rt);
	eku_diaglist_clear(&d);
	if (logf != stderr && logf != NULL)
		fclose(logf);
	return rc;
}

int cmd_gateway(int argc, char **argv)
{
	bool do_check = false;
	const char *log_path = NULL, *user = NULL;
	int c;

	while ((c = cli_getopt(argc, argv, "qh", longopts)) != -1) {
		switch (c) {
		case O_CHECK: do_check = true; break;
		case O_LOG:
			if (cli_check_log_file(optarg) != 0)
				return 2;
			log_path = optarg;
			break;
		case O_USER:
			if (*optarg == '\0') {
				cli_error("--user: empty user name");
				return 2;
			}
			user = optarg;
			break;
		case 'q': cli_quiet = true; break;
		case 'h': cli_help(stdout, usage_text); return 0;
		default: return 2; /* cli_getopt said why */
		}
	}
	if (optind + 1 != argc) {
		cli_error("expected one CONFIG file; see 'eku gateway --help'");
		return 2;
	}
	if (*argv[optind] == '\0') {
		cli_error("CONFIG: empty file name; example: eku gateway --check examples/gateway/gateway.yaml");
		return 2;
	}
	return do_check ? check(argv[optind], user) : run(argv[optind], log_path, user);
}
