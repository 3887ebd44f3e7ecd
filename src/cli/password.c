/* Password sources; the value is never printed and is wiped after use. */
#include <stdlib.h>
#include <string.h>

#include <eku/cert.h>
#include <eku/util.h>

#include "msg.h"
#include "password.h"

int cli_password_get(const struct cli_password *p, char **out)
{
	eku_error err = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;
	const char *v;

	*out = NULL;
	if (p->file != NULL) {
		if (eku_read_file(p->file, 4096, &buf, &len, &err) != 0) {
			cli_error("--password-file %s: %s", p->file, err.message);
			return -1;
		}
		/* First line only, as openssl's file: pass phrase source. */
		buf[strcspn((char *)buf, "\r\n")] = '\0';
		*out = (char *)buf;
		return 0;
	}
	if (p->env != NULL) {
		v = getenv(p->env);
		if (v == NULL) {
			cli_error("--password-env %s: the variable is not set; export it or use --password-file",
				p->env);
			return -1;
		}
		*out = strdup(v);
		return *out != NULL ? 0 : -1;
	}
	if (p->literal != NULL) {
		cli_warn("--password puts the secret in the process list; prefer --password-file or --password-env");
		*out = strdup(p->literal);
		return *out != NULL ? 0 : -1;
	}
	return 0;
}

void cli_password_free(char *pw)
{
	if (pw == NULL)
		return;
	eku_wipe(pw, strlen(pw));
	free(pw);
}
