/* libFuzzer target: the PROXY v2 writer and parser. The input both drives the
 * writer (addresses, flags, TLV strings cut from the bytes) -- whose output
 * must parse back to the same values -- and is fed raw to the parser. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/gateway/gw_proxy.h"

static const char *take(const uint8_t **p, size_t *left, char *buf, size_t cap)
{
	size_t n = *left ? (size_t)(**p) % cap : 0;

	if (n > *left - (*left ? 1 : 0))
		n = *left ? *left - 1 : 0;
	if (*left) {
		(*p)++;
		(*left)--;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)((*p)[i] ? (*p)[i] : 'x'); /* TLV strings carry no NUL */
	buf[n] = '\0';
	*p += n;
	*left -= n;
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_proxy_info pi = { 0 };
	struct gw_proxy_parsed out;
	uint8_t hdr[GW_PP2_MAX];
	char s[7][300];
	const uint8_t *p = data;
	size_t left = size;
	int n;

	(void)gw_proxy_v2_parse(data, size, &out);
	if (size < 38)
		return 0;
	uint8_t flags = *p++;
	left--;
	pi.src.ss_family = pi.dst.ss_family = (flags & 1) ? AF_INET6 : AF_INET;
	memcpy(&((struct sockaddr_in6 *)&pi.src)->sin6_addr, p, 16);
	memcpy(&((struct sockaddr_in6 *)&pi.dst)->sin6_addr, p + 16, 16);
	memcpy(pi.spki, p, 32);
	p += 32;
	left -= 32;
	pi.tls = flags & 2;
	pi.cert_present = flags & 4;
	pi.verified = flags & 8;
	pi.has_spki = flags & 16;
	pi.resumed = flags & 32;
	pi.authority = take(&p, &left, s[0], 256);
	pi.tls_version = take(&p, &left, s[1], 256);
	pi.cipher = take(&p, &left, s[2], 256);
	pi.cn = take(&p, &left, s[3], 256);
	pi.allowed_by = take(&p, &left, s[4], 256);
	pi.eku_class = take(&p, &left, s[5], 256);
	pi.policy = take(&p, &left, s[6], 256);
	n = gw_proxy_v2_write(&pi, hdr, sizeof(hdr));
	if (n < 0)
		return 0;
	if (gw_proxy_v2_parse(hdr, (size_t)n, &out) != 0 || out.header_len != (size_t)n)
		abort();
	if (strcmp(out.authority, pi.authority) != 0)
		abort();
	if (pi.tls && pi.cert_present && pi.verified && strcmp(out.cn, pi.cn) != 0)
		abort();
	if (pi.cert_present && pi.verified && strcmp(out.policy, pi.policy) != 0)
		abort();
	/* An unverified peer's header never claims an identity. */
	if (!(pi.cert_present && pi.verified) &&
	    ((pi.tls && out.ssl_verify == 0) || out.cn[0] != '\0' || out.allowed_by[0] != '\0' ||
		    out.eku_class[0] != '\0' || out.policy[0] != '\0' || out.has_spki))
		abort();
	return 0;
}
