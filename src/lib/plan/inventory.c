/* The deployment inventory (YAML via libfyaml): the top level, the entry
 * point and the host:port endpoints `eku scan --inventory` probes. Nodes
 * and links are read in inventory_nodes.c and inventory_links.c; YAML is
 * loaded and walked by the shared walker (src/lib/yaml/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_int.h"

/* --- top level --------------------------------------------------------------- */

struct top_raw {
	struct fy_node *nodes, *links;
	struct eku_pos nodes_at, links_at;
};

static void k_deployment(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	free(c->p->deployment);
	c->p->deployment = eku_yaml_dup(&c->y, v, at, "deployment");
}

static void k_at(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	const char *s = eku_yaml_scalar(&c->y, v, at, "at");

	if (s == NULL)
		return;
	if (eku_time_parse(s, &c->p->inv_at) != 0)
		DIAG(c, eku_yaml_pos(v, at), EKU_E_BAD_CONFIG, "at: '%s' is " EKU_TIME_FORMAT_HELP, s);
	else
		c->p->inv_at_set = true;
}

struct root_raw {
	char *file, *vendor;
	struct eku_pos file_at, vendor_at;
};

static void k_root_file(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct root_raw *r = o;
	r->file_at = eku_yaml_pos(v, at);
	r->file = eku_yaml_dup(&c->y, v, at, "file");
}

static void k_root_vendor(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct root_raw *r = o;
	r->vendor_at = eku_yaml_pos(v, at);
	r->vendor = eku_yaml_dup(&c->y, v, at, "ca_vendor");
}

static const struct key_def root_keys[] = {
	{ "file", k_root_file },
	{ "ca_vendor", k_root_vendor },
};

static bool root_file_ok(struct ctx *c, const char *file, struct eku_pos at)
{
	bool remote = false;
	eku_certlist *l = inv_load_certs(c, file, at, "root", &remote);
	bool ok = l != NULL;

	eku_certlist_free(l);
	return ok;
}

static void k_public_roots(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct fy_node *item;
	void *it = NULL;

	if (v == NULL || !fy_node_is_sequence(v)) {
		DIAG(c, eku_yaml_pos(v, at), EKU_E_BAD_CONFIG, "public_roots: expected a list of {file, ca_vendor}");
		return;
	}
	while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
		struct root_raw r = { 0 };
		struct inv_root *nv;
		inv_walk_map(c, item, at, "public_roots entry", root_keys, 2, &r);
		if (r.file == NULL)
			DIAG(c, eku_yaml_pos(item, at), EKU_E_BAD_CONFIG, "public_roots entry: 'file' is required");
		inv_check_vendor(c, r.vendor_at, "ca_vendor", r.vendor);
		if (r.file != NULL && root_file_ok(c, r.file, r.file_at) &&
		    (nv = realloc(c->p->public_roots, (c->p->n_public_roots + 1) * sizeof(*nv))) != NULL) {
			c->p->public_roots = nv;
			nv[c->p->n_public_roots].file = r.file;
			nv[c->p->n_public_roots++].vendor = r.vendor;
			continue;
		}
		free(r.file);
		free(r.vendor);
	}
}

static void k_private_roots(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct fy_node *item;
	void *it = NULL;

	if (v == NULL || !fy_node_is_sequence(v)) {
		DIAG(c, eku_yaml_pos(v, at), EKU_E_BAD_CONFIG, "private_roots: expected a list of files");
		return;
	}
	while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
		const char *s = eku_yaml_scalar(&c->y, item, at, "private_roots entry");
		if (s != NULL && root_file_ok(c, s, eku_yaml_pos(item, at)) && eku_strv_push(&c->p->private_roots, s) != 0)
			c->nomem = 1;
	}
}

static void k_nodes(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct top_raw *t = o;
	t->nodes = v;
	t->nodes_at = at;
}

static void k_links(struct ctx *c, void *o, struct fy_node *v, struct eku_pos at)
{
	struct top_raw *t = o;
	t->links = v;
	t->links_at = at;
}

static const struct key_def top_keys[] = {
	{ "deployment", k_deployment },
	{ "at", k_at },
	{ "public_roots", k_public_roots },
	{ "private_roots", k_private_roots },
	{ "nodes", k_nodes },
	{ "links", k_links },
};

/* Node names are the link ends: the first definition wins, a second one is
 * an error naming both lines. */
static void index_node(struct ctx *c, const struct inv_node *n, size_t i)
{
	struct eku_pos np = { n->line, n->col };
	long first;

	if (n->name == NULL)
		return;
	first = inv_node_index(c, n->name);
	if (first >= 0)
		DIAG(c, np, EKU_E_BAD_CONFIG, "node '%s' is defined twice (first at line %d); rename one", n->name,
			c->p->nodes[first].line);
	else if (eku_hmap_puts(c->p->node_idx, n->name, i) != 0)
		c->nomem = 1;
}

static void parse_nodes(struct ctx *c, struct top_raw *t, struct node_raw **raws)
{
	struct eku_plan *p = c->p;
	struct fy_node *item;
	void *it = NULL;
	size_t n;

	if (t->nodes == NULL || !fy_node_is_sequence(t->nodes)) {
		DIAG(c, eku_yaml_pos(t->nodes, t->nodes_at), EKU_E_BAD_CONFIG,
			t->nodes ? "nodes: expected a list of nodes" : "inventory: 'nodes' is required");
		return;
	}
	n = (size_t)fy_node_sequence_item_count(t->nodes);
	if (n == 0) {
		DIAG(c, t->nodes_at, EKU_E_EMPTY, "nodes: the list is empty; add a node "
			"(- { name: expe1, product: expressway-e, version: X15.5.0 })");
		return;
	}
	p->nodes = calloc(n + 1, sizeof(*p->nodes));
	*raws = calloc(n + 1, sizeof(**raws));
	p->node_idx = eku_hmap_new();
	if (p->nodes == NULL || *raws == NULL || p->node_idx == NULL) {
		c->nomem = 1;
		return;
	}
	while ((item = fy_node_sequence_iterate(t->nodes, &it)) != NULL && !c->nomem) {
		struct node_raw *r = &(*raws)[p->n_nodes];
		r->n = &p->nodes[p->n_nodes];
		r->n->band = -1;
		inv_parse_node(c, item, t->nodes_at, r);
		index_node(c, r->n, p->n_nodes);
		p->n_nodes++;
	}
}

/* Only blanks and comments: libfyaml sees no document at all, which would
 * read as a syntax error; say what it is instead. */
static bool only_comments(const char *yaml, size_t len, bool *blank)
{
	bool line_start = true, in_comment = false;

	*blank = true;
	for (size_t i = 0; i < len; i++) {
		char ch = yaml[i];
		if (ch == '\n') {
			line_start = true;
			in_comment = false;
		} else if (in_comment || ch == ' ' || ch == '\t' || ch == '\r') {
			continue;
		} else if (ch == '#' && line_start) {
			in_comment = true;
			*blank = false;
		} else {
			*blank = false;
			return false;
		}
	}
	return true;
}

/* The top level must be a mapping; a list or a single value gets its own
 * message, since "unknown key" or "nodes is required" would mislead. */
static bool top_is_mapping(struct ctx *c, struct fy_node *root)
{
	struct eku_pos origin = { 1, 1 }, at = eku_yaml_pos(root, origin);

	if (fy_node_is_mapping(root))
		return true;
	if (fy_node_is_sequence(root))
		DIAG(c, at, EKU_E_BAD_CONFIG, "inventory: the top level is a list; it must be a mapping with "
			"'nodes:' (and 'links:'), e.g. examples/expressway/inventory.yaml");
	else
		DIAG(c, at, EKU_E_BAD_CONFIG, "inventory: the top level is a single value ('%.40s'); it must be a "
			"mapping with 'nodes:' (and 'links:'), e.g. examples/expressway/inventory.yaml",
			fy_node_is_scalar(root) ? fy_node_get_scalar0(root) ?: "" : "");
	return false;
}

static void parse_root(struct ctx *c, struct fy_node *root, struct node_raw **raws)
{
	struct eku_pos origin = { 1, 1 };
	struct top_raw t = { 0 };

	if (!top_is_mapping(c, root))
		return;
	inv_walk_map(c, root, origin, "inventory", top_keys, sizeof(top_keys) / sizeof(top_keys[0]), &t);
	parse_nodes(c, &t, raws);
	if (c->nomem)
		return;
	inv_parse_links(c, t.links, t.links_at);
	if (!c->nomem)
		inv_imply_cluster_links(c, *raws);
}

int plan_inventory_parse(struct eku_plan *p, const char *source, const char *yaml, size_t len)
{
	struct ctx c = { .p = p };
	struct fy_node *root = NULL;
	struct node_raw *raws = NULL;
	struct eku_pos origin = { 1, 1 };
	bool blank;

	c.y.diags = &p->diags;
	if (eku_diaglist_set_source(&p->diags, source != NULL ? source : "-") != 0)
		goto nomem;
	if (only_comments(yaml, len, &blank)) {
		DIAG(&c, origin, EKU_E_EMPTY, blank ? "inventory is empty; start from "
			"examples/expressway/inventory.yaml or 'eku plan --help'" : "inventory has only comments, "
			"no 'nodes:'; start from examples/expressway/inventory.yaml or 'eku plan --help'");
		goto out;
	}
	if (eku_yaml_load(&c.y, &p->diags, yaml, len, &root) != 0)
		goto out;
	if (root == NULL) {
		DIAG(&c, origin, EKU_E_BAD_CONFIG, "YAML syntax error: cannot parse");
		goto out;
	}
	parse_root(&c, root, &raws);
	goto out;
nomem:
	c.nomem = 1;
out:
	eku_hmap_free(c.links);
	free(raws);
	eku_yaml_close(&c.y);
	if (c.nomem || c.y.nomem) {
		eku_error_set(&p->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	return p->diags.n > 0 ? -1 : 0;
}

void plan_inventory_clear(struct eku_plan *p)
{
	for (size_t i = 0; i < p->n_nodes; i++) {
		struct inv_node *n = &p->nodes[i];
		free(n->name);
		free(n->version);
		json_decref(n->settings);
		eku_strv_clear(&n->cluster);
		free(n->server_spec);
		free(n->client_spec);
		free(n->acme_ca);
		free(n->acme_profile);
	}
	free(p->nodes);
	for (size_t i = 0; i < p->n_certfiles; i++)
		eku_certlist_free(p->certfiles[i]);
	free(p->certfiles);
	eku_hmap_free(p->certfile_idx);
	eku_hmap_free(p->node_idx);
	p->certfiles = NULL;
	p->n_certfiles = 0;
	p->certfile_idx = p->node_idx = NULL;
	for (size_t i = 0; i < p->n_links; i++) {
		free(p->links[i].kind);
		free(p->links[i].tls_verify);
	}
	free(p->links);
	for (size_t i = 0; i < p->n_public_roots; i++) {
		free(p->public_roots[i].file);
		free(p->public_roots[i].vendor);
	}
	free(p->public_roots);
	eku_strv_clear(&p->private_roots);
	free(p->eku_ca_dir);
	p->eku_ca_dir = NULL;
	eku_diaglist_clear(&p->diags);
	free(p->deployment);
	p->nodes = NULL;
	p->links = NULL;
	p->public_roots = NULL;
	p->deployment = NULL;
	p->n_nodes = p->n_links = p->n_public_roots = 0;
	p->inv_at_set = false;
}

/* ---- host:port inputs, for eku scan --inventory ----------------------------- */

static size_t node_endpoints(const struct inv_node *n, struct eku_plan_endpoint out[2])
{
	size_t k = 0;

	if (n->server_remote && n->server_spec != NULL)
		out[k++] = (struct eku_plan_endpoint){ n->name, "server", n->server_spec };
	if (n->client_remote && n->client_spec != NULL)
		out[k++] = (struct eku_plan_endpoint){ n->name, "client", n->client_spec };
	return k;
}

size_t eku_plan_endpoint_count(const eku_plan *p)
{
	struct eku_plan_endpoint tmp[2];
	size_t total = 0;

	for (size_t i = 0; i < p->n_nodes; i++)
		total += node_endpoints(&p->nodes[i], tmp);
	return total;
}

int eku_plan_endpoint_get(const eku_plan *p, size_t i, struct eku_plan_endpoint *out)
{
	struct eku_plan_endpoint tmp[2];
	size_t k;

	for (size_t n = 0; n < p->n_nodes; n++) {
		k = node_endpoints(&p->nodes[n], tmp);
		if (i < k) {
			*out = tmp[i];
			return 0;
		}
		i -= k;
	}
	return -1;
}
