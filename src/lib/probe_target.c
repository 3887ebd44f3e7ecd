/* Target specifications ("host:port,starttls=smtp,sni=name") and the names
 * of the probe's enumerations. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/probe.h>

#define X_NAME(code, name) [code] = name,
static const char *const proto_names[] = { EKU_PROTO_LIST(X_NAME) };
static const char *const errclass_names[] = { EKU_PROBE_ERR_LIST(X_NAME) };
#undef X_NAME

const char *eku_proto_name(enum eku_proto p)
{
	return (unsigned)p < EKU_PROTO__COUNT ? proto_names[p] : "?";
}

int eku_proto_from_name(const char *name, enum eku_proto *out)
{
	for (unsigned i = 0; i < EKU_PROTO__COUNT; i++) {
		if (strcmp(name, proto_names[i]) == 0) {
			*out = (enum eku_proto)i;
			return 0;
		}
	}
	if (strcmp(name, "none") == 0 || strcmp(name, "direct") == 0) {
		*out = EKU_PROTO_TLS;
		return 0;
	}
	if (strcmp(name, "xmpp") == 0) {
		*out = EKU_PROTO_XMPP_CLIENT;
		return 0;
	}
	return -1;
}

enum eku_proto eku_proto_for_port(uint16_t port)
{
	static const struct { uint16_t port; enum eku_proto proto; } map[] = {
		{ 25, EKU_PROTO_SMTP }, { 587, EKU_PROTO_SMTP }, { 143, EKU_PROTO_IMAP },
		{ 110, EKU_PROTO_POP3 }, { 21, EKU_PROTO_FTP }, { 389, EKU_PROTO_LDAP },
		{ 5222, EKU_PROTO_XMPP_CLIENT }, { 5269, EKU_PROTO_XMPP_SERVER },
		{ 5432, EKU_PROTO_POSTGRES }, { 5061, EKU_PROTO_SIP }, { 443, EKU_PROTO_HTTPS },
		{ 8443, EKU_PROTO_HTTPS },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].port == port)
			return map[i].proto;
	return EKU_PROTO_TLS;
}

const char *eku_client_auth_name(enum eku_client_auth a)
{
	static const char *const n[] = { "unknown", "none", "optional", "required", "requested" };
	return (unsigned)a < sizeof(n) / sizeof(n[0]) ? n[a] : "unknown";
}

const char *eku_probe_errclass_name(enum eku_probe_errclass c)
{
	return (unsigned)c < EKU_PROBE_ERR__COUNT ? errclass_names[c] : "internal";
}

const char *eku_dry_result_name(enum eku_dry_result r)
{
	static const char *const n[] = { "not_requested", "accepted", "rejected", "error" };
	return (unsigned)r < 4 ? n[r] : "error";
}

void eku_target_clear(struct eku_target *t)
{
	free(t->spec);
	free(t->host);
	free(t->sni);
	free(t->label);
	memset(t, 0, sizeof(*t));
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* A DNS name (RFC 1123 letters, digits, '-', '.', plus '_' seen in service
 * names; bytes above 127 are left to the resolver) or an IPv6 address (the
 * zone after '%' left to the resolver). IPv4 addresses are DNS-name shaped. */
static bool host_ok(const char *h)
{
	char v6[INET6_ADDRSTRLEN + 1];
	struct in6_addr a;

	if (strchr(h, ':') != NULL) {
		snprintf(v6, sizeof(v6), "%.*s", (int)strcspn(h, "%"), h);
		return inet_pton(AF_INET6, v6, &a) == 1;
	}
	for (; *h != '\0'; h++)
		if ((unsigned char)*h < 128 && !isalnum((unsigned char)*h) && strchr("-._", *h) == NULL)
			return false;
	return true;
}

/* host part: "[v6]:port", "[v6]", "v6" (two or more colons), "name:port", "name". */
static int parse_hostport(char *hp, struct eku_target *t, eku_error *err)
{
	char *colon, *port = NULL;

	if (hp[0] == '[') {
		char *close = strchr(hp, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
			eku_error_set(err, EKU_E_USAGE, "%s: unbalanced '[' in IPv6 address", hp);
			return -1;
		}
		*close = '\0';
		if (close[1] == ':')
			port = close + 2;
		hp++;
	} else if ((colon = strchr(hp, ':')) != NULL && strchr(colon + 1, ':') == NULL) {
		*colon = '\0';
		port = colon + 1;
	}
	if (*hp == '\0') {
		eku_error_set(err, EKU_E_USAGE, "missing host name");
		return -1;
	}
	if (!host_ok(hp)) {
		/* Caught here, not reported as a DNS failure (exit 3) later. */
		eku_error_set(err, EKU_E_USAGE, "not a host name, IPv4 or IPv6 address; use "
			"host[:port][,starttls=PROTO][,sni=NAME], IPv6 as [addr]:port or addr");
		return -1;
	}
	t->port = 443;
	if (port != NULL && parse_port(port, &t->port) != 0) {
		eku_error_set(err, EKU_E_USAGE, "'%s': not a port number (1-65535)", port);
		return -1;
	}
	t->host = strdup(hp);
	return t->host != NULL ? 0 : -1;
}

static int parse_option(char *kv, struct eku_target *t, eku_error *err)
{
	char *eq = strchr(kv, '=');

	if (eq == NULL) {
		eku_error_set(err, EKU_E_USAGE, "'%s': expected key=value (starttls=, sni=)", kv);
		return -1;
	}
	*eq++ = '\0';
	if (strcmp(kv, "starttls") == 0 || strcmp(kv, "proto") == 0 || strcmp(kv, "protocol") == 0) {
		if (eku_proto_from_name(eq, &t->proto) != 0) {
			eku_error_set(err, EKU_E_USAGE, "'%s': unknown protocol (smtp, imap, pop3, ftp, ldap, "
				"xmpp-client, xmpp-server, postgres, sip, https, tls)", eq);
			return -1;
		}
		t->proto_given = true;
		return 0;
	}
	if (strcmp(kv, "sni") == 0) {
		free(t->sni);
		t->sni = strdup(eq);
		return t->sni != NULL ? 0 : -1;
	}
	eku_error_set(err, EKU_E_USAGE, "'%s': unknown option (starttls=, sni=)", kv);
	return -1;
}

int eku_target_parse(const char *spec, struct eku_target *out, eku_error *err)
{
	char *copy = NULL, *save = NULL, *tok;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if ((copy = strdup(spec)) == NULL || (out->spec = strdup(spec)) == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	tok = strtok_r(copy, ",", &save);
	if (tok == NULL) {
		eku_error_set(err, EKU_E_USAGE, "empty target");
		goto out;
	}
	if (parse_hostport(tok, out, err) != 0)
		goto out;
	while ((tok = strtok_r(NULL, ",", &save)) != NULL)
		if (parse_option(tok, out, err) != 0)
			goto out;
	if (!out->proto_given)
		out->proto = eku_proto_for_port(out->port);
	rc = 0;
out:
	free(copy);
	if (rc != 0)
		eku_target_clear(out);
	return rc;
}
