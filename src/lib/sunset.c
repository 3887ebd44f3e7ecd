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

int64_t eku_renewal_instant(const struct eku_renewer *r, int64_t nb, int64_t na, int64_t floor)
{
	/* ACME clients renew with a third of the lifetime left (certbot's 30 of
	 * 90 days); a manually managed certificate is replaced when it expires. */
	int64_t t = r->acme ? na - (na - nb) / 3 : na;
	return t < floor ? floor : t;
}

void eku_renewal_issue(const struct eku_renewer *r, int64_t at, int prev_days, struct eku_renewal *out)
{
	const struct eku_rule *on_request;

	memset(out, 0, sizeof(*out));
	out->at = at;
	out->days = eku_timeline_lifetime(r->timeline, r->vendor, r->profile, at, &out->life_rule);
	if (out->days <= 0)
		out->days = prev_days > 0 ? prev_days : 398;
	out->not_after = at + (int64_t)out->days * DAY;
	out->clientauth = eku_timeline_issues_clientauth(r->timeline, r->vendor, r->profile, r->webpki, at,
		&out->why);
	if (out->clientauth && !r->explicit_clientauth &&
	    (on_request = eku_timeline_on_request(r->timeline, r->vendor, at)) != NULL) {
		out->clientauth = false;
		out->why = on_request;
	}
}

int64_t eku_sunset_project_break(const struct eku_renewer *r, int64_t nb, int64_t na, int64_t at,
	struct eku_renewal *brk, int64_t *first)
{
	struct eku_renewal rn;
	int64_t t = eku_renewal_instant(r, nb, na, at);
	int days = (int)((na - nb) / DAY);

	if (first != NULL)
		*first = t;
	if (brk != NULL)
		memset(brk, 0, sizeof(*brk));
	for (int i = 0; i < MAX_RENEWALS; i++) {
		eku_renewal_issue(r, t, days, &rn);
		if (!rn.clientauth) {
			if (brk != NULL)
				*brk = rn;
			return t;
		}
		if (rn.why == NULL)
			return 0; /* no rule ends clientAuth for this issuer */
		days = rn.days;
		t = eku_renewal_instant(r, rn.at, rn.not_after, at);
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
	struct eku_renewer rr = { pol, vendor, NULL, false, false, false };
	struct eku_renewal rn;
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
	rr.webpki = cl->issuer_class == EKU_ISSUER_WEBPKI;
	brk = eku_sunset_project_break(&rr, f->not_before, f->not_after, at, &rn, NULL);
	out->rule = rn.why;
	if (brk == 0) {
		say(out, EKU_SUNSET_OK, "PUBLIC_CLIENTAUTH_KEPT",
			"%s: no dated rule ends clientAuth for this issuer%s", who,
			cl->alt_root ? " (alternative combined-EKU root)" : "");
		return;
	}
	out->breaks_on = brk;
	if (strcmp(out->rule->kind, "clientauth_on_request") == 0)
		say(out, EKU_SUNSET_AT_RISK, "RENEWAL_DROPS_CLIENTAUTH",
			"works as a client certificate today; the renewal due %s comes without clientAuth from %s "
			"unless it is requested explicitly (%s, since %s)", eku_time_date(brk, d, sizeof(d)), who,
			out->rule->id, eku_time_date(out->rule->date, rd, sizeof(rd)));
	else
		say(out, EKU_SUNSET_AT_RISK, "RENEWAL_DROPS_CLIENTAUTH",
			"works as a client certificate today; the renewal due %s comes without clientAuth from %s (%s, %s)",
			eku_time_date(brk, d, sizeof(d)), who, out->rule->id,
			eku_time_date(out->rule->date, rd, sizeof(rd)));
}
