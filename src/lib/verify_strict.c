/* Profile strict: RFC 5280 / CA/B Forum structural rules OpenSSL's default
 * verification skips (docs/verify.md, "Profile strict"). Every certificate of
 * the built chain is checked, the trust anchor included, as OpenSSL's
 * -x509_strict does. Names are never compared here (X509_self_signed uses
 * X509_NAME_cmp, RFC 5280 7.1). */
#include <stdio.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "verify_int.h"

static int add(struct verrlist *errs, enum eku_verify_code code, int depth, const char *detail)
{
	if (eku_verrlist_has(errs, code, depth))
		return 0;
	return eku_verrlist_add(errs, code, depth, 0, "depth %d: %s%s%s", depth,
		eku_verify_code_explain(code), detail[0] ? ": " : "", detail);
}

static bool ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	return i >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, i)) == 1;
}

/* RFC 5280 4.1.2.2: positive, at most 20 octets of DER content. */
static const char *serial_problem(X509 *x)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	const unsigned char *d = ASN1_STRING_get0_data(sn);
	int n = ASN1_STRING_length(sn);
	bool zero = true;

	if (sn->type == V_ASN1_NEG_INTEGER)
		return "negative serial number";
	for (int i = 0; i < n; i++)
		zero = zero && d[i] == 0;
	if (zero)
		return "serial number zero";
	if (n + ((d[0] & 0x80) ? 1 : 0) > 20)
		return "serial number longer than 20 octets";
	return NULL;
}

/* RFC 5280 4.1.2.5.1-2: YYMMDDHHMMSSZ before 2050, YYYYMMDDHHMMSSZ from 2050. */
static bool time_ok(const ASN1_TIME *t)
{
	const unsigned char *d = ASN1_STRING_get0_data(t);
	int n = ASN1_STRING_length(t), digits = t->type == V_ASN1_UTCTIME ? 12 : 14;

	if ((t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME) || n != digits + 1 ||
	    d[digits] != 'Z')
		return false;
	for (int i = 0; i < digits; i++)
		if (d[i] < '0' || d[i] > '9')
			return false;
	if (t->type == V_ASN1_GENERALIZEDTIME)
		return (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0') >= 2050;
	return true;
}

static int check_one(X509 *x, int depth, struct verrlist *errs)
{
	uint32_t fl = X509_get_extension_flags(x);
	bool ca = (fl & EXFLAG_CA) != 0;
	const char *sp = serial_problem(x);
	int rc = 0;

	if (X509_self_signed(x, 0) != 1 && X509_get0_authority_key_id(x) == NULL)
		rc |= add(errs, EKU_V_STRICT_AKI_MISSING, depth, "no authorityKeyIdentifier keyIdentifier");
	if (ca && X509_get0_subject_key_id(x) == NULL)
		rc |= add(errs, EKU_V_STRICT_SKI_MISSING, depth, "");
	if (ca && !ext_critical(x, NID_basic_constraints))
		rc |= add(errs, EKU_V_STRICT_CA_BC_NOT_CRITICAL, depth, "");
	if (!ca && (fl & EXFLAG_KUSAGE) && (X509_get_key_usage(x) & KU_KEY_CERT_SIGN))
		rc |= add(errs, EKU_V_STRICT_KEYCERTSIGN_NON_CA, depth, "");
	if (X509_NAME_entry_count(X509_get_subject_name(x)) == 0 &&
	    !ext_critical(x, NID_subject_alt_name))
		rc |= add(errs, EKU_V_STRICT_EMPTY_SUBJECT_SAN, depth, "");
	if (sp != NULL)
		rc |= add(errs, EKU_V_STRICT_SERIAL, depth, sp);
	if (!time_ok(X509_get0_notBefore(x)))
		rc |= add(errs, EKU_V_STRICT_TIME_ENCODING, depth, "notBefore");
	if (!time_ok(X509_get0_notAfter(x)))
		rc |= add(errs, EKU_V_STRICT_TIME_ENCODING, depth, "notAfter");
	return rc != 0 ? -1 : 0;
}

int eku_verify_strict_check(STACK_OF(X509) *chain, struct verrlist *errs)
{
	for (int d = 0; d < sk_X509_num(chain); d++)
		if (check_one(sk_X509_value(chain, d), d, errs) != 0)
			return -1;
	return 0;
}
