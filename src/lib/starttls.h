/* starttls.h - internal: the STARTTLS dialogues as step tables.
 *
 * Each protocol is a short table of steps; a step optionally sends a request
 * and then parses the peer's reply from the bytes received so far (always
 * re-parsed from the start, so partial input only ever yields ST_MORE).
 * Parsers read through eku_cursor only. No I/O here: probe.c moves bytes, the
 * fuzz harness feeds arbitrary ones.
 */
#ifndef EKU_STARTTLS_H
#define EKU_STARTTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eku/probe.h>

enum st_verdict {
	ST_MORE = 0,       /* reply incomplete: read more */
	ST_NEXT,           /* reply complete and positive: go to the next step */
	ST_FAIL_STARTTLS,  /* well-formed refusal or unexpected reply */
	ST_FAIL_PROTOCOL,  /* framing violated (oversized line, bad BER, ...) */
};

#define ST_MAX_LINE 2048        /* longest reply line accepted */
#define ST_MAX_REPLY (64 * 1024) /* longest reply (XMPP features, LDAP) */
#define ST_BANNER_MAX 200

struct starttls {
	enum eku_proto proto;
	const char *to;      /* XMPP to / IMAP-less: host name for requests */
	const char *from;    /* XMPP s2s from, may be NULL */
	unsigned step;
	char banner[ST_BANNER_MAX + 1];
	char message[256];   /* why it failed */
};

/* Whether proto needs a plaintext dialogue before the TLS handshake. */
bool starttls_needed(enum eku_proto proto);
void starttls_init(struct starttls *st, enum eku_proto proto, const char *to, const char *from);
/* True once the last step succeeded: the TLS handshake may begin. */
bool starttls_done(const struct starttls *st);
/* Writes the current step's request (if any, and only once per step: call it
 * right after init and after each ST_NEXT). Returns its length (0: nothing to
 * send) or -1 when cap is too small. */
int starttls_request(const struct starttls *st, char *buf, size_t cap);
/* Parses the reply to the current step from in[0..len). On ST_NEXT *used is
 * the number of bytes the reply took and the step advances; on failure
 * st->message says why. */
enum st_verdict starttls_feed(struct starttls *st, const uint8_t *in, size_t len, size_t *used);

/* Application probes spoken inside TLS (https GET, SIP OPTIONS). */
int app_request(enum eku_proto proto, const char *host, uint16_t port, char *buf, size_t cap);
/* A PostgreSQL StartupMessage for user (database "postgres"). Returns its
 * length, or -1 when it does not fit. */
int app_pg_startup(const char *user, char *buf, size_t cap);
/* Parses a response head (status line + headers; for postgres the first
 * backend message, status = its type byte). ST_NEXT: complete, with
 * *status, the Server/User-Agent banner and, for HTTP, the first body bytes
 * in reason (nginx names its certificate errors there). */
struct app_reply {
	int status;
	char banner[ST_BANNER_MAX + 1];
	char reason[160];
};
enum st_verdict app_reply_parse(enum eku_proto proto, const uint8_t *in, size_t len, bool eof,
	struct app_reply *out);

#endif
