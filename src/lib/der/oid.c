/* OBJECT IDENTIFIERs (X.690 8.19): one table, built once from OpenSSL's own
 * object database, so names are OpenSSL's names by construction. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>

#include "../hash.h"
#include "der.h"

struct entry {
	int nid;
	const char *sn, *ln;
};

/* The built-in objects, and an index from their encodings (eku_hmap: the
 * project's byte-key table) to them: a certificate looks up a dozen OIDs,
 * and a binary search of memcmp calls cost a tenth of the walk. Built once;
 * read-only afterwards, so every thread may look up. */
static struct entry *table;
static eku_hmap *by_encoding;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build(void)
{
	int max = OBJ_new_nid(0); /* the next free nid: every built-in one is below */
	struct entry *t = calloc((size_t)(max > 0 ? max : 1), sizeof(*t));
	eku_hmap *ix = eku_hmap_new();
	size_t n = 0;

	if (t == NULL || ix == NULL)
		goto fail;
	ERR_set_mark();
	for (int nid = 1; nid < max; nid++) {
		const ASN1_OBJECT *o = OBJ_nid2obj(nid);
		char txt[256];
		if (o == NULL || OBJ_length(o) == 0 || OBJ_get0_data(o) == NULL)
			continue;
		/* An encoding with two nids: the one c2i_ASN1_OBJECT finds, which
		 * is what OpenSSL makes of it in a certificate. */
		if (OBJ_obj2txt(txt, sizeof(txt), o, 1) <= 0 || OBJ_txt2nid(txt) != nid)
			continue;
		t[n] = (struct entry){ .nid = nid, .sn = OBJ_nid2sn(nid), .ln = OBJ_nid2ln(nid) };
		if (eku_hmap_add(ix, OBJ_get0_data(o), (size_t)OBJ_length(o), n) < 0) {
			ERR_pop_to_mark();
			goto fail;
		}
		n++;
	}
	ERR_pop_to_mark();
	table = t;
	by_encoding = ix;
	return;
fail:
	/* Out of memory (some 40 KiB, at the first lookup): every OID then
	 * reads as unknown, as the sorted table before this one did. */
	free(t);
	eku_hmap_free(ix);
}

void eku_oid_lookup(const uint8_t *p, size_t n, struct eku_oid_info *out)
{
	size_t i;

	pthread_once(&table_once, build);
	out->nid = 0;
	out->sn = out->ln = NULL;
	if (by_encoding == NULL || !eku_hmap_get(by_encoding, p, n, &i))
		return;
	out->nid = table[i].nid;
	out->sn = table[i].sn;
	out->ln = table[i].ln;
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
