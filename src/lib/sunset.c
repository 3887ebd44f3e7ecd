/* The clientAuth sunset for one certificate (docs/background.md sections 2 and 4). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <eku/sunset.h>

#define DAY 86400
/* Enough renewals to reach past every dated rule, even renewing monthly. */
#define MAX_RENEWALS 400

const char *eku_sunset_verdict_name(enum eku_sunset_verdict v)
{
	static const char *const n[] = { "not_affected", "ok", "at_risk", "broken", "unknown" };
	return (unsigned)v < sizeof(n) / sizeof(n[0]) ? n[v] : "unknown";
}

static int64_t renewal_instant(bool acme, int64_t nb, int64_t na, int64_t at)
{
	/* ACME clients renew with a third of the lifetime left (certbot's 30 of
	 * 90 days); a manually managed certificate is replaced when it expires. */
	int64_t r = acme ? na - (na - nb) / 3 : na;
	return r < at ? at : r;
}

int64_t eku_sunset_project_break(const eku_timeline *pol, const char *vendor, const char *profile,
	bool webpki, bool acme, int64_t nb, int64_t na, int64_t at, const struct eku_rule **why)
{
	int64_t r = renewal_instant(acme, nb, na, at);

	*why = NULL;
	for (int i = 0; i < MAX_RENEWALS; i++) {
		int days;
		if (!eku_timeline_issues_clientauth(pol, vendor, profile, webpki, r, why))
			return r;
		if (*why == NULL)
			return 0; /* no rule ends clientAuth for this issuer */
		days = acme ? eku_timeline_acme_lifetime(pol, vendor, profile, r, NULL) : 0;
		if (days == 0)
			days = eku_timeline_max_validity(pol, r, NULL);
		if (days <= 0)
			days = 398;
		nb = r;
		na = r + (int64_t)days * DAY;
		r = renewal_instant(acme, nb, na, at);
	}
	return 0;
}

static void say(struct eku_sunset *s, enum eku_sunset_verdict v, const char *reason,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void say(struct eku_sunset *s, enum eku_sunset_verdict v, const char *reason,
	const char *fmt, ...)
{
	va_list ap;

	s->verdict = v;
	s->reason = reason;
	va_start(ap, fmt);
	vsnprintf(s->explanation, sizeof(s->explanation), fmt, ap);
	va_end(ap);
}

void eku_sunset_judge(const eku_timeline *pol, const eku_cert *c,
	const struct eku_classification *cl, int64_t at, struct eku_sunset *out)
{
	const struct eku_facts *f = eku_cert_facts(c);
	const char *vendor = cl != NULL ? cl->ca_vendor : NULL;
	const char *who = cl != NULL && cl->ca_vendor_name != NULL ? cl->ca_vendor_name : "its CA";
	char d[16], rd[16];
	int64_t brk;

	memset(out, 0, sizeof(*out));
	if (f->is_ca) {
		say(out, EKU_SUNSET_NOT_AFFECTED, "CA_CERTIFICATE",
			"a CA certificate: the sunset concerns leaf certificates");
		return;
	}
	if (cl == NULL || cl->issuer_class == EKU_ISSUER_UNKNOWN) {
		say(out, EKU_SUNSET_UNKNOWN, "CHAIN_INCOMPLETE",
			"issuer unknown: give the chain with --untrusted to tell public from private");
		return;
	}
	if (cl->issuer_class == EKU_ISSUER_PRIVATE || cl->issuer_class == EKU_ISSUER_SELF_SIGNED) {
		say(out, EKU_SUNSET_NOT_AFFECTED, "NOT_PUBLIC",
			"%s: public CA rules do not apply", eku_issuer_class_name(cl->issuer_class));
		return;
	}
	if (at >= f->not_after) {
		say(out, EKU_SUNSET_BROKEN, "EXPIRED", "expired on %s",
			eku_time_date(f->not_after, d, sizeof(d)));
		return;
	}
	if (!f->can_client) {
		say(out, EKU_SUNSET_BROKEN, "CLIENT_EKU_MISSING",
			"no clientAuth: peers that check the client purpose (OpenSSL, Go, nginx, .NET) refuse it as a client certificate");
		return;
	}
	brk = eku_sunset_project_break(pol, vendor, eku_timeline_default_profile(pol, vendor),
		cl->issuer_class == EKU_ISSUER_WEBPKI, false, f->not_before, f->not_after, at,
		&out->rule);
	if (brk == 0) {
		say(out, EKU_SUNSET_OK, "PUBLIC_CLIENTAUTH_KEPT",
			"%s: no dated rule ends clientAuth for this issuer%s", who,
			cl->alt_root ? " (alternative combined-EKU root)" : "");
		return;
	}
	out->breaks_on = brk;
	say(out, EKU_SUNSET_AT_RISK, "RENEWAL_DROPS_CLIENTAUTH",
		"works as a client certificate today; the renewal due %s comes without clientAuth from %s (%s, %s)",
		eku_time_date(brk, d, sizeof(d)), who, out->rule->id,
		eku_time_date(out->rule->date, rd, sizeof(rd)));
}
