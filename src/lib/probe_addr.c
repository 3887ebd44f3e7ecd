/* Where a target may be reached: the order addresses are tried in (RFC 8305
 * 4: IPv6 first, then families alternating, each family in the order it was
 * given) and addresses pinned with eku_probe_config_add_resolve (curl's
 * --resolve HOST:PORT:ADDR[,ADDR...], so a name can be scanned at a chosen
 * backend with its own SNI, and tests can give a name several addresses).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "probe_int.h"

size_t probe_addrs_order(struct probe_addr *a, size_t n)
{
	struct probe_addr v6[EKU_PROBE_MAX_ADDRS], v4[EKU_PROBE_MAX_ADDRS];
	size_t n6 = 0, n4 = 0, o = 0;

	for (size_t i = 0; i < n; i++) {
		if (a[i].ss.ss_family == AF_INET6 && n6 < EKU_PROBE_MAX_ADDRS)
			v6[n6++] = a[i];
		else if (a[i].ss.ss_family == AF_INET && n4 < EKU_PROBE_MAX_ADDRS)
			v4[n4++] = a[i];
	}
	for (size_t i = 0; (i < n6 || i < n4) && o < EKU_PROBE_MAX_ADDRS; i++) {
		if (i < n6)
			a[o++] = v6[i];
		if (i < n4 && o < EKU_PROBE_MAX_ADDRS)
			a[o++] = v4[i];
	}
	return o;
}

/* An IPv4 literal or a bracketed IPv6 one ("[::1]"), with the port. */
static int parse_addr(const char *s, size_t len, uint16_t port, struct probe_addr *out)
{
	char tmp[INET6_ADDRSTRLEN + 2];
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (tmp[0] == '[' && tmp[len - 1] == ']') {
		tmp[len - 1] = '\0';
		if (inet_pton(AF_INET6, tmp + 1, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		out->len = sizeof(*s6);
		return 0;
	}
	if (inet_pton(AF_INET, tmp, &s4->sin_addr) != 1)
		return -1;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	out->len = sizeof(*s4);
	return 0;
}

/* "HOST:PORT:" then the address list; HOST is a name (no colon). */
static int parse_pin(const char *spec, struct probe_pin *pin, eku_error *err)
{
	const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *p, *e;
	char *end;
	unsigned long port;

	if (c1 == NULL || c2 == NULL || c1 == spec || c2[1] == '\0') {
		eku_error_set(err, EKU_E_USAGE, "--resolve '%s': expected HOST:PORT:ADDR[,ADDR...]", spec);
		return -1;
	}
	port = strtoul(c1 + 1, &end, 10);
	if (end != c2 || end == c1 + 1 || port == 0 || port > 65535) {
		eku_error_set(err, EKU_E_USAGE, "--resolve '%s': bad port", spec);
		return -1;
	}
	pin->port = (uint16_t)port;
	for (p = c2 + 1;; p = e + 1) {
		e = p + strcspn(p, ",");
		if (pin->n == EKU_PROBE_MAX_ADDRS || parse_addr(p, (size_t)(e - p), pin->port, &pin->addr[pin->n]) != 0) {
			eku_error_set(err, EKU_E_USAGE, "--resolve '%s': '%.*s' is not an IPv4 or [IPv6] address%s",
				spec, (int)(e - p), p, pin->n == EKU_PROBE_MAX_ADDRS ? " (too many)" : "");
			return -1;
		}
		pin->n++;
		if (*e == '\0')
			break;
	}
	pin->n = probe_addrs_order(pin->addr, pin->n);
	if ((pin->host = strndup(spec, (size_t)(c1 - spec))) == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

int eku_probe_config_add_resolve(eku_probe_config *cfg, const char *spec)
{
	struct probe_pin pin = { 0 }, *v;

	if (parse_pin(spec, &pin, &cfg->err) != 0)
		return -1;
	if ((v = realloc(cfg->pins, (cfg->n_pins + 1) * sizeof(*v))) == NULL) {
		free(pin.host);
		eku_error_set(&cfg->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	cfg->pins = v;
	cfg->pins[cfg->n_pins++] = pin;
	return 0;
}

const struct probe_pin *probe_config_pin(const eku_probe_config *cfg, const char *host, uint16_t port)
{
	for (size_t i = 0; i < cfg->n_pins; i++)
		if (cfg->pins[i].port == port && strcasecmp(cfg->pins[i].host, host) == 0)
			return &cfg->pins[i];
	return NULL;
}

void probe_config_pins_clear(eku_probe_config *cfg)
{
	for (size_t i = 0; i < cfg->n_pins; i++)
		free(cfg->pins[i].host);
	free(cfg->pins);
	cfg->pins = NULL;
	cfg->n_pins = 0;
}
