/* Internal to the cert module. */
#ifndef EKU_CERT_INT_H
#define EKU_CERT_INT_H
#include <openssl/x509.h>
#include <eku/cert.h>
struct eku_facts *eku_facts_from_x509(X509 *x, eku_error *err);
#endif
