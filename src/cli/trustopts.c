/* Trust options -> eku_trust, for every command that classifies chains. */
#include <getopt.h>
#include <string.h>

#include "msg.h"
#include "common.h"
#include "trustopts.h"

/* "[VENDOR=]FILE": a vendor id has no '/' or '.', so paths are never split. */
static int add_public_root(eku_trust *t, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq != NULL ? (size_t)(eq - arg) : 0;
	char vendor[64];

	if (eq == NULL || n == 0 || n >= sizeof(vendor) || memchr(arg, '/', n) != NULL ||
	    memchr(arg, '.', n) != NULL)
		return eku_trust_add_public_root_file(t, arg, NULL);
	memcpy(vendor, arg, n);
	vendor[n] = '\0';
	return eku_trust_add_public_root_file(t, eq + 1, vendor);
}

eku_trust *cli_trust_build(const struct cli_trust *o, const char *data_dir)
{
	eku_trust *t = eku_trust_new();

	if (t == NULL) {
		cli_error("out of memory");
		return NULL;
	}
	if (eku_trust_set_data_dir(t, data_dir) != 0 || eku_trust_load_data(t) != 0)
		goto fail;
	if (!o->no_system && eku_trust_add_system(t, o->system_bundle) != 0)
		goto fail;
	for (size_t i = 0; i < o->anchors.n; i++)
		if (eku_trust_add_anchor_file(t, o->anchors.v[i]) != 0)
			goto fail;
	for (size_t i = 0; i < o->untrusted.n; i++)
		if (eku_trust_add_untrusted_file(t, o->untrusted.v[i]) != 0)
			goto fail;
	for (size_t i = 0; i < o->public_roots.n; i++)
		if (add_public_root(t, o->public_roots.v[i]) != 0)
			goto fail;
	return t;
fail:
	cli_error("%s", eku_trust_error(t)->message);
	eku_trust_free(t);
	return NULL;
}

int cli_trust_option(struct cli_trust *o, int opt, const char *arg)
{
	eku_strv *dst;

	switch (opt) {
	case CLI_O_TRUST: dst = &o->anchors; break;
	case CLI_O_PUBROOT: dst = &o->public_roots; break;
	case CLI_O_UNTRUSTED: dst = &o->untrusted; break;
	case CLI_O_SYSBUNDLE:
		/* Named explicitly, a missing bundle is a typo, not "no system roots". */
		if (cli_check_file("--system-bundle", arg) != 0)
			return -1;
		o->system_bundle = arg;
		return 1;
	case CLI_O_NOSYS: o->no_system = true; return 1;
	default: return 0;
	}
	/* "--trust ''" or "--public-root letsencrypt=": no file named at all. */
	if (*arg == '\0' || (opt == CLI_O_PUBROOT && strchr(arg, '=') != NULL &&
	    strchr(arg, '=')[1] == '\0')) {
		cli_error("--%s %s: no file name given", opt == CLI_O_TRUST ? "trust" :
			opt == CLI_O_PUBROOT ? "public-root" : "untrusted", arg);
		return -1;
	}
	if (eku_strv_push(dst, arg) != 0) {
		cli_error("out of memory");
		return -1;
	}
	return 1;
}

void cli_trust_clear(struct cli_trust *o)
{
	eku_strv_clear(&o->anchors);
	eku_strv_clear(&o->untrusted);
	eku_strv_clear(&o->public_roots);
}
