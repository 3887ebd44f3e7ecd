/* The diagnostic list every reader reports into (eku/diag.h): growth, the
 * cap, the error count that survives the cap, printable messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/diag.h>
#include <eku/util.h>

int eku_diaglist_set_source(eku_diaglist *d, const char *source)
{
	char *s = source != NULL ? strdup(source) : NULL;

	if (source != NULL && s == NULL)
		return -1;
	free(d->source);
	d->source = s;
	return 0;
}

int eku_diaglist_vadd(eku_diaglist *d, const struct eku_diag *proto, const char *fmt, va_list ap)
{
	const char *src = proto->source != NULL ? proto->source : d->source;
	struct eku_diag *nv, e = *proto;
	int rc = -1;

	/* A list that drops diags must still fail the input: count first. */
	if (proto->severity == EKU_DIAG_ERROR)
		d->errors++;
	if (d->max != 0 && d->n >= d->max)
		return 0;
	e.message = NULL;
	e.source = strdup(src != NULL ? src : "");
	if (e.source == NULL || vasprintf(&e.message, fmt, ap) < 0) {
		e.message = NULL;
		goto out;
	}
	/* Geometric growth without a capacity field: the array is full exactly
	 * when n is 0 or a power of two. */
	if ((d->n & (d->n - 1)) == 0) {
		if ((nv = realloc(d->v, (d->n ? d->n * 2 : 4) * sizeof(*nv))) == NULL)
			goto out;
		d->v = nv;
	}
	/* Labels, keys and names come from the input: keep them printable. */
	eku_utf8_sanitize(e.message);
	eku_utf8_sanitize(e.source);
	d->v[d->n++] = e;
	e.source = e.message = NULL;
	rc = 0;
out:
	free(e.source);
	free(e.message);
	return rc;
}

int eku_diaglist_add(eku_diaglist *d, const char *source, int line, int block,
	enum eku_errcode code, const char *fmt, ...)
{
	struct eku_diag proto = { .source = (char *)source, .line = line, .block = block, .code = code };
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = eku_diaglist_vadd(d, &proto, fmt, ap);
	va_end(ap);
	return rc;
}

int eku_diaglist_add_at(eku_diaglist *d, enum eku_diag_severity sev, enum eku_errcode code, int line,
	int column, const char *fmt, ...)
{
	struct eku_diag proto = { .line = line, .column = column, .code = code, .severity = sev };
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = eku_diaglist_vadd(d, &proto, fmt, ap);
	va_end(ap);
	return rc;
}

size_t eku_diaglist_errors(const eku_diaglist *d)
{
	return d->errors;
}

void eku_diaglist_clear(eku_diaglist *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].source);
		free(d->v[i].message);
	}
	free(d->v);
	free(d->source);
	d->v = NULL;
	d->source = NULL;
	d->n = 0;
	d->errors = 0;
}

int eku_diaglist_add_like(eku_diaglist *d, const struct eku_diag *proto, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = eku_diaglist_vadd(d, proto, fmt, ap);
	va_end(ap);
	return rc;
}

int eku_diaglist_add_copy(eku_diaglist *d, const struct eku_diag *src)
{
	return eku_diaglist_add_like(d, src, "%s", src->message != NULL ? src->message : "");
}
