/* Shared by ca_issue.c and ca_issue_input.c. */
#ifndef EKU_CA_ISSUE_H
#define EKU_CA_ISSUE_H

#include "ca_int.h"

struct issue_input {
	X509_NAME *subject;
	GENERAL_NAMES *sans;
	EVP_PKEY *pub;       /* the key certified (owned) */
	EVP_PKEY *priv;      /* its private half when known (owned), else NULL */
	bool generated;      /* priv was generated here: write it out */
};

int issue_input_build(struct issue_input *in, const struct eku_ca_profile *p,
	const struct eku_ca_issue_req *r, eku_error *err) __attribute__((warn_unused_result));
void issue_input_clear(struct issue_input *in);

#endif
