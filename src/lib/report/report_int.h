/* Internal to src/lib/report/: the page writer's shared pieces. Every
 * function writes to a memory stream the caller opened; a stream error is
 * noticed once, when the caller closes it. */
#ifndef EKU_REPORT_INT_H
#define EKU_REPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* Escaped text (escape.c): & < > " ' as entities, invisible controls as
 * "[U+XXXX]". */
void html_put(FILE *f, const char *s);
/* The same, with every http(s) URL made a link to itself. */
void html_put_linked(FILE *f, const char *s);

/* A severity or verdict ("at_risk") as a span of class sev-at_risk reading
 * "at risk": the stylesheet adds its shape (✕ ▲ ? ✓ –). */
void html_sev(FILE *f, const char *sev);

/* A member as a string, "" when missing or not a string. */
const char *rep_str(const json_t *o, const char *key);
/* "YYYY-MM-DD" (or an ISO instant) as a UTC midnight instant, 0 when
 * missing or null. */
int64_t rep_day(const json_t *o, const char *key);

/* The page's stylesheet (style.c). */
extern const char report_css[];

/* The SVG timeline (svg.c) of plan document doc. */
void svg_chart(FILE *f, const json_t *doc);

/* The certificates table (certs.c) from inspect / scan JSON. */
void html_certificates(FILE *f, const json_t *scan);

#endif
