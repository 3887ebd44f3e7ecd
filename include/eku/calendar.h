/* eku/calendar.h - the dated actions and break dates of a plan document as
 * an iCalendar file (RFC 5545): one all-day VEVENT per dated action (its
 * findings in the description) and one per dated break. UIDs are derived
 * from what an event is about, not from its text or date, so importing a
 * later export updates the same events (docs/report.md, "Calendar").
 * Thread-safe: no state besides the arguments.
 */
#ifndef EKU_CALENDAR_H
#define EKU_CALENDAR_H

#include <eku/api.h>

#include <stdint.h>

#include <jansson.h>

#include <eku/error.h>

/* The calendar for plan document doc (checked with eku_report_check_plan()).
 * dtstamp: the export instant (Unix seconds), written as every event's
 * DTSTAMP. Returns a NUL-terminated string (CRLF line ends) the caller
 * frees, or NULL with err set (EKU_E_BAD_DATA, EKU_E_NOMEM). */
EKU_API char *eku_ics_calendar(const json_t *doc, int64_t dtstamp, eku_error *err);

/* RFC 5545 3.3.11: s as a TEXT value: backslash, ';' and ',' escaped with a
 * backslash, a newline (LF, CRLF or CR) as "\n", other control characters
 * dropped. A string the caller frees, or NULL on allocation failure. */
EKU_API char *eku_ics_escape_text(const char *s);

/* RFC 5545 3.1: one content line folded so that no line exceeds 75 octets
 * (CRLF not counted), each continuation starting with one space, never
 * splitting a UTF-8 sequence, every line ending in CRLF. A string the
 * caller frees, or NULL on allocation failure. */
EKU_API char *eku_ics_fold(const char *line);

#endif
