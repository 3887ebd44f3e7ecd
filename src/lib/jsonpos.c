/* Positions of the keys and values of a JSON text (see jsonpos.h). The text
 * has been parsed by jansson already, so this scanner trusts its shape and
 * only has to stay inside the buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonpos.h"

struct scan {
	const char *p, *end;
	int line, col;
	struct jsonpos *m;
	int nomem;
};

static void adv(struct scan *s)
{
	if (*s->p == '\n') {
		s->line++;
		s->col = 1;
	} else if (((unsigned char)*s->p & 0xc0) != 0x80) {
		/* UTF-8 continuation bytes do not start a character. */
		s->col++;
	}
	s->p++;
}

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
		adv(s);
}

static bool at(const struct scan *s, char c)
{
	return s->p < s->end && *s->p == c;
}

/* Skips a string at '"'; *raw (may be NULL) gets its bytes as written. */
static void string(struct scan *s, char **raw)
{
	const char *start;

	adv(s);
	start = s->p;
	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\' && s->p + 1 < s->end)
			adv(s);
		adv(s);
	}
	if (raw != NULL && (*raw = strndup(start, (size_t)(s->p - start))) == NULL)
		s->nomem = 1;
	if (s->p < s->end)
		adv(s);
}

static void add(struct scan *s, const char *path, int kl, int kc)
{
	struct jsonpos_entry *nv = realloc(s->m->v, (s->m->n + 1) * sizeof(*nv));

	if (nv == NULL) {
		s->nomem = 1;
		return;
	}
	s->m->v = nv;
	nv[s->m->n] = (struct jsonpos_entry){ strdup(path), kl, kc, s->line, s->col };
	if (nv[s->m->n].path == NULL)
		s->nomem = 1;
	else
		s->m->n++;
}

static void value(struct scan *s, const char *path, int kl, int kc);

static void members(struct scan *s, const char *path)
{
	adv(s);
	for (ws(s); s->p < s->end && !s->nomem && !at(s, '}'); ws(s)) {
		int kl = s->line, kc = s->col;
		char *key = NULL, *child = NULL;
		if (at(s, ',')) {
			adv(s);
			continue;
		}
		string(s, &key);
		ws(s);
		if (at(s, ':'))
			adv(s);
		ws(s);
		if (key != NULL && asprintf(&child, "%s%s%s", path, *path ? "." : "", key) < 0)
			child = NULL;
		if (child == NULL)
			s->nomem = 1;
		else
			value(s, child, kl, kc);
		free(key);
		free(child);
	}
	if (s->p < s->end)
		adv(s);
}

static void items(struct scan *s, const char *path)
{
	size_t i = 0;

	adv(s);
	for (ws(s); s->p < s->end && !s->nomem && !at(s, ']'); ws(s)) {
		char *child = NULL;
		if (at(s, ',')) {
			adv(s);
			continue;
		}
		if (asprintf(&child, "%s[%zu]", path, i++) < 0) {
			s->nomem = 1;
			break;
		}
		value(s, child, 0, 0);
		free(child);
	}
	if (s->p < s->end)
		adv(s);
}

static void value(struct scan *s, const char *path, int kl, int kc)
{
	add(s, path, kl, kc);
	if (at(s, '{'))
		members(s, path);
	else if (at(s, '['))
		items(s, path);
	else if (at(s, '"'))
		string(s, NULL);
	else
		while (s->p < s->end && strchr(",]} \t\r\n", *s->p) == NULL)
			adv(s);
}

int jsonpos_scan(struct jsonpos *m, const char *buf, size_t len)
{
	struct scan s = { buf, buf + len, 1, 1, m, 0 };

	jsonpos_clear(m);
	ws(&s);
	value(&s, "", 0, 0);
	if (s.nomem) {
		jsonpos_clear(m);
		return -1;
	}
	return 0;
}

bool jsonpos_find(const struct jsonpos *m, const char *path, bool key, int *line, int *col)
{
	*line = *col = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->v[i].path, path) != 0)
			continue;
		*line = key && m->v[i].key_line > 0 ? m->v[i].key_line : m->v[i].line;
		*col = key && m->v[i].key_line > 0 ? m->v[i].key_col : m->v[i].col;
		return true;
	}
	return false;
}

void jsonpos_clear(struct jsonpos *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}
