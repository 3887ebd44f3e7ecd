/* A program built against the INSTALLED libeku (pkg-config --cflags --libs
 * libeku): reads one certificate through the public API and prints its EKU
 * class, so the installed headers, libeku.pc and the exported symbols are
 * all exercised the way a third party would use them. */
#include <stdio.h>
#include <string.h>

#include <eku/cert.h>
#include <eku/version.h>

int main(int argc, char **argv)
{
	eku_error err = { 0 };
	eku_certlist *l = NULL;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: consumer CERT.pem\n");
		return 2;
	}
	if (strcmp(eku_version(), EKU_VERSION) != 0) {
		fprintf(stderr, "header %s but library %s\n", EKU_VERSION, eku_version());
		goto out;
	}
	if ((l = eku_certlist_load_strict(argv[1], &err)) == NULL || eku_certlist_count(l) == 0) {
		fprintf(stderr, "%s: %s\n", argv[1], err.message);
		goto out;
	}
	printf("libeku %s: %s\n", eku_version(),
		eku_eku_class_name(eku_cert_facts(eku_certlist_get0(l, 0))->eku_class));
	rc = 0;
out:
	eku_certlist_free(l);
	return rc;
}
