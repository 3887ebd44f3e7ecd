/* The plan's dated actions and break dates as iCalendar (RFC 5545): CRLF
 * line ends and lines folded at 75 octets (3.1), TEXT escaping (3.3.11),
 * all-day events as DTSTART;VALUE=DATE with the next day as DTEND (3.6.1),
 * DTSTAMP on every event (3.8.7.2). UIDs (3.8.4.7) hash what an event is
 * about — the deployment and, for an action, its kind (its first word) and
 * the findings it settles; for a break, the finding id — so a later export
 * with other dates or wording updates the same events. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <eku/calendar.h>
#include <eku/html_report.h>
#include <eku/util.h>

#include "report_int.h"
#include "../hash.h"

#define FOLD 75

static int cmp_str(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	return strcmp(x != NULL ? x : "", y != NULL ? y : "");
}

char *eku_ics_escape_text(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (f == NULL)
		return NULL;
	for (const char *p = s != NULL ? s : ""; *p; p++) {
		if (*p == '\\' || *p == ';' || *p == ',')
			fprintf(f, "\\%c", *p);
		else if (*p == '\r' && p[1] == '\n')
			continue; /* the \n that follows writes it */
		else if (*p == '\n' || *p == '\r')
			fputs("\\n", f);
		else if ((unsigned char)*p < 0x20 || *p == 0x7F)
			continue; /* no control characters in TEXT */
		else
			fputc(*p, f);
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *eku_ics_fold(const char *line)
{
	char *out = NULL;
	size_t len = 0, n = strlen(line), i = 0, room = FOLD;
	FILE *f = open_memstream(&out, &len);

	if (f == NULL)
		return NULL;
	while (n - i > room) {
		size_t cut = i + room;
		/* Never inside a UTF-8 sequence: back up to its lead byte. */
		while (cut > i && ((unsigned char)line[cut] & 0xC0) == 0x80)
			cut--;
		fwrite(line + i, 1, cut - i, f);
		fputs("\r\n ", f);
		i = cut;
		room = FOLD - 1; /* the leading space counts */
	}
	fputs(line + i, f);
	fputs("\r\n", f);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

struct cal {
	FILE *f;
	bool failed;
	const char *deployment;
	int64_t dtstamp;
	eku_hmap *seen;    /* identity -> times used: a repeat gets "#2", "#3" */
};

/* NAME:value (value already escaped or not TEXT), folded. */
static void prop(struct cal *c, const char *name, const char *value)
{
	char *line = NULL, *folded;
	size_t n = strlen(name) + strlen(value) + 2;

	if ((line = malloc(n)) == NULL) {
		c->failed = true;
		return;
	}
	snprintf(line, n, "%s:%s", name, value);
	if ((folded = eku_ics_fold(line)) == NULL)
		c->failed = true;
	else
		fputs(folded, c->f);
	free(folded);
	free(line);
}

static void text_prop(struct cal *c, const char *name, const char *value)
{
	char *esc = eku_ics_escape_text(value);

	if (esc == NULL)
		c->failed = true;
	else
		prop(c, name, esc);
	free(esc);
}

/* 32 hex digits of SHA-256 over the event's identity. */
static void uid(struct cal *c, const char *identity, char out[64])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *key = NULL;
	size_t len = 0, n_seen;
	FILE *f = open_memstream(&key, &len);

	out[0] = '\0';
	if (f == NULL) {
		c->failed = true;
		return;
	}
	if (!eku_hmap_gets(c->seen, identity, &n_seen))
		n_seen = 0;
	if (eku_hmap_puts(c->seen, identity, ++n_seen) != 0)
		c->failed = true;
	/* Two events about the same thing in one export (two actions of one
	 * kind for the same findings) stay distinct, in plan order. */
	fprintf(f, "%s\n%s", c->deployment, identity);
	if (n_seen > 1)
		fprintf(f, "#%zu", n_seen);
	if (fclose(f) != 0 || EVP_Digest(key, len, md, &n, EVP_sha256(), NULL) != 1)
		c->failed = true;
	for (unsigned int i = 0; !c->failed && i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	strcat(out, "@eku");
	free(key);
}

/* RFC 5545 3.3.4 / 3.3.5: 20270215, or 20261127T000000Z with the time. */
static const char *basic(int64_t t, bool time, char out[24])
{
	char iso[32];
	size_t k = 0;

	eku_time_iso(t, iso, sizeof(iso));
	for (const char *p = iso; *p && k < 23; p++) {
		if (!time && *p == 'T')
			break;
		if (*p != '-' && *p != ':')
			out[k++] = *p;
	}
	out[k] = '\0';
	return out;
}

static void event(struct cal *c, const char *identity, int64_t day, const char *category, const char *summary,
	const char *desc)
{
	char id[64], d[24];

	uid(c, identity, id);
	fputs("BEGIN:VEVENT\r\n", c->f);
	prop(c, "UID", id);
	prop(c, "DTSTAMP", basic(c->dtstamp, true, d));
	prop(c, "DTSTART;VALUE=DATE", basic(day, false, d));
	prop(c, "DTEND;VALUE=DATE", basic(day + 86400, false, d));
	text_prop(c, "SUMMARY", summary);
	text_prop(c, "DESCRIPTION", desc);
	prop(c, "CATEGORIES", category);
	prop(c, "TRANSP", "TRANSPARENT");
	fputs("END:VEVENT\r\n", c->f);
}

/* An action's description: the action, then each finding it settles with
 * its explanation (findings looked up by id once, through an index). */
static char *action_desc(const json_t *a, const json_t *by_id)
{
	char *out = NULL;
	size_t len = 0, i;
	const json_t *id;
	FILE *f = open_memstream(&out, &len);

	if (f == NULL)
		return NULL;
	fprintf(f, "%s\n", rep_str(a, "action"));
	json_array_foreach(json_object_get(a, "finding_ids"), i, id) {
		const json_t *fi = json_object_get(by_id, json_string_value(id));
		fprintf(f, "\n%s (%s): %s\n", json_string_value(id), rep_str(fi, "severity"), rep_str(fi, "explanation"));
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* The action's identity: its kind (first word: Upgrade, Renew, Once, Give,
 * Replace) and its sorted finding ids; the date and wording may change. */
static char *action_identity(const json_t *a)
{
	size_t n = json_array_size(json_object_get(a, "finding_ids")), len = 0;
	const char **ids = calloc(n + 1, sizeof(*ids));
	const char *text = rep_str(a, "action");
	char *out = NULL;
	FILE *f;

	if (ids == NULL || (f = open_memstream(&out, &len)) == NULL) {
		free(ids);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = json_string_value(json_array_get(json_object_get(a, "finding_ids"), i));
	qsort(ids, n, sizeof(*ids), cmp_str);
	fprintf(f, "action\n%.*s", (int)strcspn(text, " "), text);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\n%s", ids[i] != NULL ? ids[i] : "");
	free(ids);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static void actions(struct cal *c, const json_t *doc, const json_t *by_id)
{
	const json_t *a;
	size_t i;

	json_array_foreach(json_object_get(doc, "actions"), i, a) {
		char *ident, *desc;
		if (rep_day(a, "by") == 0)
			continue; /* no date, no event */
		ident = action_identity(a);
		desc = action_desc(a, by_id);
		if (ident == NULL || desc == NULL)
			c->failed = true;
		else
			event(c, ident, rep_day(a, "by"), "eku,action", rep_str(a, "action"), desc);
		free(ident);
		free(desc);
	}
}

static void breaks(struct cal *c, const json_t *doc)
{
	const json_t *fi;
	size_t i;

	json_array_foreach(json_object_get(doc, "findings"), i, fi) {
		char summary[512], ident[512];
		if (rep_day(fi, "breaks_on") == 0)
			continue;
		snprintf(summary, sizeof(summary), "breaks: %s", rep_str(fi, "subject"));
		snprintf(ident, sizeof(ident), "break\n%s", rep_str(fi, "id"));
		event(c, ident, rep_day(fi, "breaks_on"), "eku,break", summary, rep_str(fi, "explanation"));
	}
}

char *eku_ics_calendar(const json_t *doc, int64_t dtstamp, eku_error *err)
{
	struct cal c = { NULL, false, "", dtstamp, NULL };
	json_t *by_id = NULL;
	const json_t *fi;
	char *out = NULL, name[512];
	size_t len = 0, i;

	if (eku_report_check_plan(doc, err) != 0)
		return NULL;
	c.deployment = rep_str(doc, "deployment");
	if ((by_id = json_object()) == NULL || (c.seen = eku_hmap_new()) == NULL ||
	    (c.f = open_memstream(&out, &len)) == NULL)
		goto nomem;
	json_array_foreach(json_object_get(doc, "findings"), i, fi)
		json_object_set(by_id, rep_str(fi, "id"), (json_t *)fi);
	fputs("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//eku//eku report//EN\r\nCALSCALE:GREGORIAN\r\n"
		"METHOD:PUBLISH\r\n", c.f);
	snprintf(name, sizeof(name), "eku plan: %s", *c.deployment ? c.deployment : "deployment");
	text_prop(&c, "X-WR-CALNAME", name);
	actions(&c, doc, by_id);
	breaks(&c, doc);
	fputs("END:VCALENDAR\r\n", c.f);
	if (fclose(c.f) != 0 || c.failed)
		goto nomem;
	json_decref(by_id);
	eku_hmap_free(c.seen);
	return out;
nomem:
	json_decref(by_id);
	eku_hmap_free(c.seen);
	free(out);
	eku_error_set(err, EKU_E_NOMEM, "out of memory");
	return NULL;
}
