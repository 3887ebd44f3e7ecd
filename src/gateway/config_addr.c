/* The gateway configuration's value syntax: host:port addresses (numeric,
 * or resolved for upstreams), durations ("500ms", "10s", "5m", "1h") and
 * the client_auth names. No YAML here: config.c calls these on scalars. */
#include <ctype.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_config.h"

const char *gw_client_auth_name(enum gw_client_auth a)
{
	static const char *const n[] = { "none", "optional", "require" };
	return (unsigned)a < 3 ? n[a] : "?";
}

int gw_duration_parse(const char *s, unsigned *ms)
{
	char *end;
	unsigned long long v, mul = 1000;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mul = 1000;
	else if (strcmp(end, "m") == 0)
		mul = 60000;
	else if (strcmp(end, "h") == 0)
		mul = 3600000;
	else
		return -1;
	if (v > UINT32_MAX / mul)
		return -1;
	*ms = (unsigned)(v * mul);
	return 0;
}

bool gw_addr_is_loopback(const struct sockaddr_storage *ss)
{
	return (ss->ss_family == AF_INET &&
		(ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127) ||
	       (ss->ss_family == AF_INET6 &&
		IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr));
}

int gw_split_host_port(const char *text, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon;
	size_t n;

	if (text[0] == '[') {
		const char *rb = strchr(text, ']');
		if (rb == NULL || rb[1] != ':')
			return -1;
		n = (size_t)(rb - text - 1);
		colon = rb + 1;
		if (n >= hlen)
			return -1;
		memcpy(host, text + 1, n);
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL || memchr(text, ':', (size_t)(colon - text)) != NULL)
			return -1;
		n = (size_t)(colon - text);
		if (n >= hlen)
			return -1;
		memcpy(host, text, n);
	}
	host[n] = '\0';
	if (strlen(colon + 1) == 0 || strlen(colon + 1) >= plen ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) > 65535)
		return -1;
	snprintf(port, plen, "%s", colon + 1);
	return 0;
}

int gw_addr_parse(const char *text, bool resolve, struct gw_addr *out, char **hostp)
{
	char host[256], port[8];
	struct addrinfo hints, *res = NULL;
	int rc = -1;

	if (gw_split_host_port(text, host, sizeof(host), port, sizeof(port)) != 0)
		goto out;
	if (strcmp(host, "*") == 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "0.0.0.0");
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = resolve ? AI_ADDRCONFIG : AI_NUMERICHOST;
	if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL)
		goto out;
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	if (hostp != NULL && (*hostp = strdup(host)) == NULL)
		goto out;
	rc = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	return rc;
}

