/* The Host check of loopback admin listeners (gw_admin.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <event2/buffer.h>

#include "gw_admin.h"

void gw_admin_reply(struct evhttp_request *req, int code, const char *reason, const char *type,
	struct evbuffer *body)
{
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", type);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, body);
}

void gw_admin_reply_text(struct evhttp_request *req, int code, const char *reason, const char *text)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evbuffer_add_printf(b, "%s\n", text);
	gw_admin_reply(req, code, reason, "text/plain; charset=utf-8", b);
	evbuffer_free(b);
}

/* Does the literal host name (no brackets) name the bound address sa? */
static bool host_is_us(const char *host, const struct sockaddr_storage *sa)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1) {
		const struct sockaddr_in *s = (const void *)sa;
		return (ntohl(a4.s_addr) >> 24) == 127 ||
		       (sa->ss_family == AF_INET && (s->sin_addr.s_addr == INADDR_ANY ||
			       s->sin_addr.s_addr == a4.s_addr));
	}
	if (inet_pton(AF_INET6, host, &a6) == 1) {
		const struct sockaddr_in6 *s = (const void *)sa;
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		       (sa->ss_family == AF_INET6 && (IN6_IS_ADDR_UNSPECIFIED(&s->sin6_addr) ||
			       memcmp(&s->sin6_addr, &a6, sizeof(a6)) == 0));
	}
	return false;   /* a DNS name other than localhost: what rebinding uses */
}

/* Host is absent (not a browser: they always send it) or names the listen
 * address: an IP literal of it (any literal when bound to a wildcard), a
 * loopback literal or localhost, with the bound port (none means 80). */
bool gw_admin_host_allowed(struct evhttp_bound_socket *sock, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Host");
	struct sockaddr_storage sa;
	socklen_t salen = sizeof(sa);
	char host[128];
	const char *end, *port = NULL;
	long want, got = 80;
	char *rest = NULL;

	if (h == NULL)
		return true;
	if (getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&sa,
		    &salen) != 0)
		return false;
	want = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
					      : ((struct sockaddr_in *)&sa)->sin_port);
	if (h[0] == '[') {
		if ((end = strchr(h, ']')) == NULL || (end[1] != '\0' && end[1] != ':'))
			return false;
		port = end[1] == ':' ? end + 2 : NULL;
		h++;
	} else {
		port = strchr(h, ':');
		end = port != NULL ? port++ : h + strlen(h);
	}
	if ((size_t)(end - h) >= sizeof(host))
		return false;
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	if (port != NULL) {
		if (port[0] < '0' || port[0] > '9')
			return false;
		got = strtol(port, &rest, 10);
		if (*rest != '\0')
			return false;
	}
	return got == want && host_is_us(host, &sa);
}

void gw_admin_limits(struct evhttp *http)
{
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
	/* evhttp answers 413 and closes once the head or body passes the cap;
	 * its default head limit is none at all. */
	evhttp_set_max_headers_size(http, GW_ADMIN_MAX_HEAD);
	evhttp_set_max_body_size(http, GW_ADMIN_MAX_BODY);
	evhttp_set_timeout(http, 10);
}
