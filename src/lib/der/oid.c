/* OBJECT IDENTIFIERs (X.690 8.19): one table, built once from OpenSSL's own
 * object database, so names are OpenSSL's names by construction. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>

#include "der.h"

struct entry {
	const uint8_t *p; /* OpenSSL's static encoding */
	size_t n;
	int nid;
	const char *sn, *ln;
};

/* Open addressing over OpenSSL's ~1,200 OIDs, at most half full: a
 * certificate looks up a dozen OIDs, and a binary search of memcmp calls
 * cost a tenth of the walk. */
static struct entry *table;
static size_t table_mask;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static size_t hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3u;
	return (size_t)(h ^ (h >> 29));
}

static void build(void)
{
	int max = OBJ_new_nid(0); /* the next free nid: every built-in one is below */
	size_t cap = 64;
	struct entry *t;

	while (cap < (size_t)(max > 0 ? max : 1) * 2)
		cap *= 2;
	if ((t = calloc(cap, sizeof(*t))) == NULL)
		return;
	ERR_set_mark();
	for (int nid = 1; nid < max; nid++) {
		const ASN1_OBJECT *o = OBJ_nid2obj(nid);
		const uint8_t *p;
		char txt[256];
		size_t n, i;
		if (o == NULL || OBJ_length(o) == 0 || (p = OBJ_get0_data(o)) == NULL)
			continue;
		/* An encoding with two nids: the one c2i_ASN1_OBJECT finds, which
		 * is what OpenSSL makes of it in a certificate. */
		if (OBJ_obj2txt(txt, sizeof(txt), o, 1) <= 0 || OBJ_txt2nid(txt) != nid)
			continue;
		n = OBJ_length(o);
		for (i = hash_bytes(p, n) & (cap - 1); t[i].p != NULL; i = (i + 1) & (cap - 1))
			;
		t[i] = (struct entry){ .p = p, .n = n, .nid = nid, .sn = OBJ_nid2sn(nid),
			.ln = OBJ_nid2ln(nid) };
	}
	ERR_pop_to_mark();
	table = t;
	table_mask = cap - 1;
}

void eku_oid_lookup(const uint8_t *p, size_t n, struct eku_oid_info *out)
{
	pthread_once(&table_once, build);
	out->nid = 0;
	out->sn = out->ln = NULL;
	if (table == NULL)
		return;
	for (size_t i = hash_bytes(p, n) & table_mask; table[i].p != NULL; i = (i + 1) & table_mask) {
		if (table[i].n == n && memcmp(table[i].p, p, n) == 0) {
			out->nid = table[i].nid;
			out->sn = table[i].sn;
			out->ln = table[i].ln;
			return;
		}
	}
}

bool eku_oid_valid(const uint8_t *p, size_t n)
{
	if (n == 0 || (p[n - 1] & 0x80) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] == 0x80 && (i == 0 || (p[i - 1] & 0x80) == 0))
			return false; /* a sub-identifier with a leading 0x80 */
	return true;
}

/* Decimal digits of v at out (no NUL); their count. */
static size_t put_u64(char *out, uint64_t v)
{
	char rev[20];
	size_t n = 0;

	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (size_t i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}

/* Arcs by hand, not snprintf: every certificate has a dozen OIDs to print
 * and the format machinery cost more than the walk. */
int eku_oid_dotted(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t used = 0;
	uint64_t v = 0;
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		char arc[48];
		size_t w = 0;
		if (v > (UINT64_MAX >> 7))
			return -1;
		v = (v << 7) | (p[i] & 0x7f);
		if (p[i] & 0x80)
			continue;
		if (first) {
			unsigned top = v < 40 ? 0 : v < 80 ? 1 : 2;
			arc[w++] = (char)('0' + top);
			arc[w++] = '.';
			w += put_u64(arc + w, v - 40u * top);
			first = false;
		} else {
			arc[w++] = '.';
			w += put_u64(arc + w, v);
		}
		if (w >= cap - used)
			return -1;
		memcpy(out + used, arc, w);
		used += w;
		out[used] = '\0';
		v = 0;
	}
	return first ? -1 : 0;
}
