/* HTML escaping for every string that comes from certificates and
 * inventories. Markup characters become entities; characters that change
 * how text is displayed without being seen (C0/C1 controls, Unicode bidi
 * embeddings, overrides and isolates, zero-width marks) are written as
 * visible "[U+XXXX]", so "gnp.exe" spelled with U+202E cannot pose as
 * something else (Trojan Source, CVE-2021-42574). */
#include <stdlib.h>
#include <string.h>

#include <eku/html_report.h>
#include <eku/util.h>

#include "report_int.h"

/* Decodes one UTF-8 sequence at s (jansson strings are valid UTF-8);
 * returns its length and the code point. */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0 && s[1] != 0) {
		*cp = (s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu);
		return 2;
	}
	if ((s[0] & 0xF0) == 0xE0 && s[1] != 0 && s[2] != 0) {
		*cp = (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
		return 3;
	}
	if ((s[0] & 0xF8) == 0xF0 && s[1] != 0 && s[2] != 0 && s[3] != 0) {
		*cp = (s[0] & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
		return 4;
	}
	*cp = 0xFFFD; /* not UTF-8: shown, not passed through */
	return 1;
}

static int invisible(unsigned cp)
{
	return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp < 0xA0) || cp == 0x061C ||
		(cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
		(cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

static void put_span(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end && *p != 0) {
		unsigned cp;
		size_t n = utf8_next(p, &cp);
		switch (cp) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (invisible(cp) || cp == 0xFFFD)
				fprintf(f, "[U+%04X]", cp);
			else
				fwrite(p, 1, n, f);
		}
		p += n;
	}
}

void html_put(FILE *f, const char *s)
{
	if (s != NULL)
		put_span(f, s, strlen(s));
}

void html_put_linked(FILE *f, const char *s)
{
	const char *p = s != NULL ? s : "";

	while (*p != '\0') {
		const char *u = strstr(p, "https://"), *h = strstr(p, "http://"), *end;
		if (h != NULL && (u == NULL || h < u))
			u = h;
		if (u == NULL) {
			html_put(f, p);
			return;
		}
		put_span(f, p, (size_t)(u - p));
		end = u + strcspn(u, " \t\n<>\"'");
		while (end > u && strchr("]).,;", end[-1]) != NULL)
			end--;
		fputs("<a href=\"", f);
		put_span(f, u, (size_t)(end - u));
		fputs("\">", f);
		put_span(f, u, (size_t)(end - u));
		fputs("</a>", f);
		p = end;
	}
}

void html_sev(FILE *f, const char *sev)
{
	fputs("<span class=\"sev sev-", f);
	html_put(f, sev);
	fputs("\">", f);
	for (const char *p = sev; *p; p += strcspn(p, "_")) {
		if (*p == '_') {
			fputc(' ', f);
			p++;
		}
		put_span(f, p, strcspn(p, "_"));
	}
	fputs("</span>", f);
}

char *eku_html_escape(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (f == NULL)
		return NULL;
	html_put(f, s);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

const char *rep_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

int64_t rep_day(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	char d[11];
	int64_t t = 0;

	if (s == NULL || strlen(s) < 10)
		return 0;
	memcpy(d, s, 10);
	d[10] = '\0';
	return eku_time_parse(d, &t) == 0 ? t : 0;
}
