/* eku/diag.h - one problem with one input, and the list that collects them.
 *
 * The single diagnostic type of libeku: the certificate loader (one per input
 * it could not read, with the PEM block), the plan inventory and the gateway
 * configuration (file:line:column, errors and warnings) all report through
 * it, so every caller prints and counts problems the same way. Readers
 * report every problem in one go (STYLE.md 7), so a list collects them; a
 * cap keeps a hostile input from growing it without bound.
 *
 * Not locked: one thread per list.
 */
#ifndef EKU_DIAG_H
#define EKU_DIAG_H

#include <eku/api.h>

#include <stdarg.h>
#include <stddef.h>

#include <eku/error.h>

enum eku_diag_severity { EKU_DIAG_ERROR = 0, EKU_DIAG_WARNING };

struct eku_diag {
	char *source;          /* file name */
	int line;              /* 1-based; 0 when not applicable */
	int column;            /* 1-based; 0 when not applicable */
	int block;             /* certificate loader: the PEM block; 0 otherwise */
	enum eku_errcode code;
	enum eku_diag_severity severity;
	char *message;         /* never contains key material or passwords */
};

/* Owning, growable list. Zero-initialised is empty, uncapped, without a
 * default source. */
typedef struct eku_diaglist {
	size_t n;
	struct eku_diag *v;
	size_t max;            /* 0: no cap; else diags past max are counted, not kept */
	size_t errors;         /* error-severity diags added, kept or not */
	char *source;          /* default source of diags added without one */
} eku_diaglist;

/* The cap the YAML readers set on a list that has none. */
#define EKU_DIAGLIST_YAML_MAX 200

/* Sets the default source (copied). Returns 0, or -1 on allocation failure. */
EKU_API int eku_diaglist_set_source(eku_diaglist *d, const char *source) __attribute__((warn_unused_result));
/* An error at line and PEM block of source (NULL: the list's default).
 * Messages are made printable (eku_utf8_sanitize): they quote the input.
 * Returns 0 (also when the cap drops it), or -1 on allocation failure. */
EKU_API int eku_diaglist_add(eku_diaglist *d, const char *source, int line, int block,
	enum eku_errcode code, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A diag of the list's default source at line:column. Same returns. */
EKU_API int eku_diaglist_add_at(eku_diaglist *d, enum eku_diag_severity sev, enum eku_errcode code, int line,
	int column, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The general form: proto gives everything but the message (its source NULL:
 * the list's default; its message is ignored). */
EKU_API int eku_diaglist_vadd(eku_diaglist *d, const struct eku_diag *proto, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* The same with the message's arguments inline: a diag like proto (e.g. a
 * source:line:column taken apart from another error) with this message. */
EKU_API int eku_diaglist_add_like(eku_diaglist *d, const struct eku_diag *proto, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A copy of src (another list's diag). Same returns. */
EKU_API int eku_diaglist_add_copy(eku_diaglist *d, const struct eku_diag *src) __attribute__((warn_unused_result));
/* Errors added so far, including those the cap dropped. */
EKU_API size_t eku_diaglist_errors(const eku_diaglist *d);
/* Frees every diag and the default source; the cap is kept. */
EKU_API void eku_diaglist_clear(eku_diaglist *d);

#endif
