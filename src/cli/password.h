/* Secrets for PKCS#12 / keys: from a file or an environment variable; on the
 * command line only when the user insists (--password, visible in ps). */
#ifndef EKU_CLI_PASSWORD_H
#define EKU_CLI_PASSWORD_H

struct cli_password {
	const char *file;
	const char *env;
	const char *literal;
};

/* Resolves the password into a malloc'd string (*out, NULL when none was
 * given). Returns 0, or -1 with a message printed. Free with cli_password_free. */
int cli_password_get(const struct cli_password *p, char **out);
void cli_password_free(char *pw);

#endif
