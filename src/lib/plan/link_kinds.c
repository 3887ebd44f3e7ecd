/* Link kinds as typed rules: which products may sit at the client
 * (initiating) and server (accepting) end of each kind. The knowledge is
 * data (link_kinds in data/products/generic.json), so a new kind or product
 * needs no code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_int.h"

static int load_list(eku_strv *sv, json_t *arr)
{
	json_t *x;
	size_t i;

	json_array_foreach(arr, i, x)
		if (json_is_string(x) && eku_strv_push(sv, json_string_value(x)) != 0)
			return -1;
	return 0;
}

int link_kinds_load(struct link_kinds *lk, json_t *link_kinds)
{
	const char *id;
	json_t *k;

	link_kinds_clear(lk);
	lk->v = calloc(json_object_size(link_kinds) + 1, sizeof(*lk->v));
	if (lk->v == NULL)
		return -1;
	json_object_foreach(link_kinds, id, k) {
		struct kind_rule *r = &lk->v[lk->n++];
		r->id = id;
		r->same_product = json_is_true(json_object_get(k, "same_product"));
		if (load_list(&r->clients, json_object_get(k, "client_products")) != 0 ||
		    load_list(&r->servers, json_object_get(k, "server_products")) != 0)
			return -1;
	}
	return 0;
}

void link_kinds_clear(struct link_kinds *lk)
{
	for (size_t i = 0; i < lk->n; i++) {
		eku_strv_clear(&lk->v[i].clients);
		eku_strv_clear(&lk->v[i].servers);
	}
	free(lk->v);
	memset(lk, 0, sizeof(*lk));
}

const struct kind_rule *link_kind_find(const struct link_kinds *lk, const char *id)
{
	for (size_t i = 0; id != NULL && i < lk->n; i++)
		if (strcmp(lk->v[i].id, id) == 0)
			return &lk->v[i];
	return NULL;
}

static bool admits(const eku_strv *sv, const struct product *p)
{
	return sv->n == 0 || eku_strv_contains(sv, p->id);
}

bool link_kind_fits(const struct kind_rule *k, const struct product *cp, const struct product *sp)
{
	return admits(&k->clients, cp) && admits(&k->servers, sp) && (!k->same_product || cp == sp);
}

static void join_or_any(char *buf, size_t len, const eku_strv *sv)
{
	if (sv->n == 0)
		snprintf(buf, len, "any product");
	else
		eku_join(buf, len, (const char *const *)sv->v, sv->n);
}

void link_kind_describe(const struct kind_rule *k, char *buf, size_t len)
{
	char cl[128] = "", sv[128] = "";

	join_or_any(cl, sizeof(cl), &k->clients);
	join_or_any(sv, sizeof(sv), &k->servers);
	if (k->same_product)
		snprintf(buf, len, "peers of one product");
	else
		snprintf(buf, len, "%s (client, initiates) -> %s (server, accepts)", cl, sv);
}

void link_kinds_fitting(const struct link_kinds *lk, const struct product *cp, const struct product *sp, char *buf,
	size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < lk->n; i++)
		if (link_kind_fits(&lk->v[i], cp, sp))
			eku_join(buf, len, &lk->v[i].id, 1);
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
}
