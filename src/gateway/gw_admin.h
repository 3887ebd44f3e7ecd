/* gw_admin.h - the protections of a loopback HTTP admin listener, shared by
 * the gateway's admin listener and eku serve.
 *
 * A browser on the operator's machine is the adversary: a page can send
 * "simple" cross-origin requests without a preflight, and DNS rebinding lets
 * it read responses from a name it controls. Hence state-changing requests
 * need a custom header (only a preflight could allow it, and OPTIONS is
 * never answered), and the Host header must name the listen address
 * (RFC 9110 7.2; answer 421 otherwise). */
#ifndef EKU_GW_ADMIN_H
#define EKU_GW_ADMIN_H

#include <stdbool.h>

#include <event2/http.h>

#define GW_ADMIN_HEADER "X-Eku-Admin"  /* required on state-changing requests */
#define GW_ADMIN_MAX_HEAD (16 * 1024)  /* request line + headers */
#define GW_ADMIN_MAX_BODY 4096

/* Host is absent (not a browser: they always send it) or names sock's
 * address: an IP literal of it (any literal when bound to a wildcard), a
 * loopback literal or localhost, with the bound port (none means 80). */
bool gw_admin_host_allowed(struct evhttp_bound_socket *sock, struct evhttp_request *req);

/* Sends body (may be NULL) with Content-Type type and Cache-Control:
 * no-store (answers about live state must not be cached). */
void gw_admin_reply(struct evhttp_request *req, int code, const char *reason, const char *type,
	struct evbuffer *body);
/* The same with text and a newline as text/plain. */
void gw_admin_reply_text(struct evhttp_request *req, int code, const char *reason, const char *text);

/* Applies the bounds above to an evhttp (methods GET, HEAD, POST). */
void gw_admin_limits(struct evhttp *http);

#endif
