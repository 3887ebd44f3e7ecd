/* gw_proxy.h - PROXY protocol version 2 header (haproxy's proxy-protocol.txt
 * section 2.2), written towards the upstream before any other byte, carrying
 * the inbound peer's addresses and its verified TLS identity as TLVs. */
#ifndef EKU_GW_PROXY_H
#define EKU_GW_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "gw_peer.h"

#define GW_PP2_TYPE_AUTHORITY 0x02
#define GW_PP2_TYPE_SSL 0x20
#define GW_PP2_SUBTYPE_SSL_VERSION 0x21
#define GW_PP2_SUBTYPE_SSL_CN 0x22
#define GW_PP2_SUBTYPE_SSL_CIPHER 0x23
#define GW_PP2_CLIENT_SSL 0x01
#define GW_PP2_CLIENT_CERT_CONN 0x02
#define GW_PP2_CLIENT_CERT_SESS 0x04
/* eku-specific TLVs in the custom range 0xE0-0xEF. */
#define GW_PP2_TYPE_EKU_ALLOWED_BY 0xE0  /* allow-list entry that admitted the peer */
#define GW_PP2_TYPE_EKU_SPKI 0xE1        /* SHA-256 of the peer's SPKI, 32 bytes */
#define GW_PP2_TYPE_EKU_CLASS 0xE2       /* eku_class name ("server_only") */
#define GW_PP2_TYPE_EKU_POLICY 0xE3      /* policy that admitted the peer */

#define GW_PP2_MAX 1024                   /* we never write more than this */

struct gw_proxy_info {
	struct sockaddr_storage src, dst;  /* AF_INET / AF_INET6; else UNSPEC (LOCAL-less) */
	const char *authority;             /* SNI, may be NULL */
	bool tls;
	bool cert_present;                 /* the TLS session carries a client certificate */
	bool resumed;                      /* ... from an earlier connection (not sent on this one) */
	bool verified;                     /* verified here and admitted cleanly by its policy */
	const char *tls_version, *cipher, *cn;  /* may be NULL */
	const char *allowed_by, *eku_class, *policy;  /* may be NULL */
	bool has_spki;
	uint8_t spki[32];
};

/* Sets the peer fields of pi from the gateway's record of the peer. The
 * identity is claimed (verified) only for a certificate that was verified on
 * this connection and admitted by its policy with no check failing: never
 * under off (nothing is checked), never for a certificate permissive let
 * through although it fails, never on a resumed session (no verification
 * ran). The strings point into p and policy names; p must outlive pi. */
void gw_proxy_info_set_peer(struct gw_proxy_info *pi, const struct gw_peer_result *p,
	enum eku_verify_policy policy, bool resumed);

/* Writes the header into out (capacity cap). String fields are truncated to
 * 255 bytes. PP2_TYPE_SSL's verify field is 0, and the CN sub-TLV and the
 * 0xE0-0xE3 TLVs are present, only when pi->verified (and cert_present):
 * an upstream that trusts the header must not see an unchecked identity.
 * Returns the length, or -1 when cap is too small. */
int gw_proxy_v2_write(const struct gw_proxy_info *pi, uint8_t *out, size_t cap);

/* Parsed view of a header (strings point into the caller's buffer copy). */
struct gw_proxy_parsed {
	int family;                        /* AF_INET, AF_INET6, AF_UNSPEC */
	uint8_t src_addr[16], dst_addr[16];
	uint16_t src_port, dst_port;
	size_t header_len;
	uint8_t ssl_client;
	uint32_t ssl_verify;
	char authority[256], tls_version[256], cipher[256], cn[256];
	char allowed_by[256], eku_class[256], policy[256];
	bool has_spki;
	uint8_t spki[32];
};
/* Parses a v2 header at the start of buf through the bounded cursor.
 * Returns 0, or -1 on a malformed or truncated header. */
int gw_proxy_v2_parse(const uint8_t *buf, size_t len, struct gw_proxy_parsed *out);

#endif
