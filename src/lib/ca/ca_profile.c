/* Issuance profiles as data: one row per profile, read by ca_issue.c
 * through the struct, never compared as strings at the point of use.
 * Lifetimes suit a private PKI: a year for clients (renew yearly), 397 days
 * for servers (the public limit, so the same habits carry over). */
#include <string.h>
#include <strings.h>

#include "ca_int.h"

static const struct eku_ca_profile profiles[] = {
	{ "client", "TLS client only (clientAuth): mTLS clients, gateway client stores",
	  EKU_CA_EKU_CLIENT, 365, 825, false, false },
	{ "server", "TLS server only (serverAuth)",
	  EKU_CA_EKU_SERVER, 397, 825, true, true },
	{ "dual", "clientAuth + serverAuth: pre-X15.5 Expressway links where one certificate serves both roles",
	  EKU_CA_EKU_CLIENT | EKU_CA_EKU_SERVER, 365, 825, true, true },
	{ "expressway-client", "what the X15.5 client store expects: clientAuth, CN and DNS SAN = the node FQDN",
	  EKU_CA_EKU_CLIENT, 365, 825, true, true },
};

size_t eku_ca_profile_count(void)
{
	return sizeof(profiles) / sizeof(profiles[0]);
}

const struct eku_ca_profile *eku_ca_profile_get(size_t i)
{
	return i < eku_ca_profile_count() ? &profiles[i] : NULL;
}

const struct eku_ca_profile *eku_ca_profile_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < eku_ca_profile_count(); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

static const char *const alg_names[] = { "p256", "p384", "rsa3072" };

int eku_ca_keyalg_parse(const char *s, enum eku_ca_keyalg *out)
{
	for (size_t i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++)
		if (strcasecmp(s, alg_names[i]) == 0) {
			*out = (enum eku_ca_keyalg)i;
			return 0;
		}
	return -1;
}

const char *eku_ca_keyalg_name(enum eku_ca_keyalg a)
{
	return (unsigned)a < sizeof(alg_names) / sizeof(alg_names[0]) ? alg_names[a] : "?";
}

/* RFC 5280 5.3.1 CRLReason codes; 2 (cACompromise), 6 (certificateHold) and
 * 10 (aACompromise) do not apply to leaf revocation by this CA. */
static const struct { int code; const char *name; } reasons[] = {
	{ 0, "unspecified" }, { 1, "keyCompromise" }, { 3, "affiliationChanged" },
	{ 4, "superseded" }, { 5, "cessationOfOperation" }, { 9, "privilegeWithdrawn" },
};

int eku_ca_reason_parse(const char *s, int *code)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcasecmp(s, reasons[i].name) == 0) {
			*code = reasons[i].code;
			return 0;
		}
	return -1;
}

const char *eku_ca_reason_name(int code)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			return reasons[i].name;
	return "unspecified";
}
