/* libFuzzer target: `eku report --from plan.json`, `--scan FILE` and
 * `--census FILE` on arbitrary bytes. Whatever jansson parses goes through
 * the plan, scan and census checks; a document the checks accept must
 * render (a plan as HTML and as an iCalendar file, a census as its page),
 * with no crash and no NULL without an error, and whatever they refuse must
 * say why. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include <eku/calendar.h>
#include <eku/html_report.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *doc = json_loadb((const char *)data, size, 0, &jerr);
	eku_error err = { 0 };
	char *out;

	if (doc == NULL)
		return 0;
	if (eku_report_check_plan(doc, &err) != 0) {
		if (err.message[0] == '\0')
			abort();
	} else {
		if ((out = eku_html_report(doc, NULL, &err)) == NULL && err.code != EKU_E_NOMEM)
			abort();
		free(out);
		if ((out = eku_ics_calendar(doc, 1796083200, &err)) == NULL && err.code != EKU_E_NOMEM)
			abort();
		free(out);
	}
	eku_error_clear(&err);
	/* The same bytes as a --scan document. */
	if (eku_report_check_scan(doc, &err) != 0 && err.message[0] == '\0')
		abort();
	eku_error_clear(&err);
	/* ... and as a --census document. */
	if (eku_report_check_census(doc, &err) != 0) {
		if (err.message[0] == '\0')
			abort();
	} else {
		const struct eku_html_inputs in = { .census = doc };
		if ((out = eku_html_report_page(&in, &err)) == NULL && err.code != EKU_E_NOMEM)
			abort();
		free(out);
	}
	json_decref(doc);
	return 0;
}
