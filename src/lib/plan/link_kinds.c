/* Link kinds in inventory messages: which products a kind admits at each
 * end and which kinds fit a pair of products. The knowledge is data
 * (link_kinds in data/products/generic.json, typed in products.h), so a new
 * kind or product needs no code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_int.h"

static void join_or_any(char *buf, size_t len, const char **names, size_t n)
{
	if (n == 0)
		snprintf(buf, len, "any product");
	else
		eku_join(buf, len, names, n);
}

void link_kind_describe(const struct link_kind *k, char *buf, size_t len)
{
	char cl[128] = "", sv[128] = "";

	join_or_any(cl, sizeof(cl), k->client_names, k->n_clients);
	join_or_any(sv, sizeof(sv), k->server_names, k->n_servers);
	if (k->same_product)
		snprintf(buf, len, "peers of one product");
	else
		snprintf(buf, len, "%s (client, initiates) -> %s (server, accepts)", cl, sv);
}

void link_kinds_fitting(const struct products *pr, const struct product *cp, const struct product *sp, char *buf,
	size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < pr->n_kinds; i++)
		if (plan_link_kind_fits(&pr->kinds[i], cp, sp))
			eku_join(buf, len, &pr->kinds[i].id, 1);
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
}
