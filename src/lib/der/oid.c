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

static struct entry *table;
static size_t table_n;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static int cmp_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c != 0 ? c : (an > bn) - (an < bn);
}

static int by_bytes(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return cmp_bytes(x->p, x->n, y->p, y->n);
}

static void build(void)
{
	int max = OBJ_new_nid(0); /* the next free nid: every built-in one is below */
	struct entry *t = calloc((size_t)(max > 0 ? max : 1), sizeof(*t));
	size_t n = 0;

	if (t == NULL)
		return;
	ERR_set_mark();
	for (int nid = 1; nid < max; nid++) {
		const ASN1_OBJECT *o = OBJ_nid2obj(nid);
		if (o == NULL || OBJ_length(o) == 0 || OBJ_get0_data(o) == NULL)
			continue;
		t[n].p = OBJ_get0_data(o);
		t[n].n = OBJ_length(o);
		t[n].nid = nid;
		t[n].sn = OBJ_nid2sn(nid);
		t[n].ln = OBJ_nid2ln(nid);
		n++;
	}
	ERR_pop_to_mark();
	qsort(t, n, sizeof(*t), by_bytes);
	table = t;
	table_n = n;
}

void eku_oid_lookup(const uint8_t *p, size_t n, struct eku_oid_info *out)
{
	size_t lo = 0, hi;

	pthread_once(&table_once, build);
	hi = table_n;
	out->nid = 0;
	out->sn = out->ln = NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_bytes(table[mid].p, table[mid].n, p, n);
		if (c == 0) {
			out->nid = table[mid].nid;
			out->sn = table[mid].sn;
			out->ln = table[mid].ln;
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
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
