/* Error records: names, classes and the "first specific message wins" rule. */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include <eku/error.h>

#define X_NAME(code, cls, name, msg) [code] = name,
static const char *const names[] = { EKU_ERROR_LIST(X_NAME) };
#define X_CLASS(code, cls, name, msg) [code] = EKU_ERRCLASS_##cls,
static const enum eku_errclass classes[] = { EKU_ERROR_LIST(X_CLASS) };

const char *eku_errcode_name(enum eku_errcode code)
{
	if ((unsigned)code >= EKU_E__COUNT)
		return "internal";
	return names[code];
}

enum eku_errclass eku_errcode_class(enum eku_errcode code)
{
	if ((unsigned)code >= EKU_E__COUNT)
		return EKU_ERRCLASS_INTERNAL;
	return classes[code];
}

const char *eku_errclass_name(enum eku_errclass cls)
{
	static const char *const cn[] = { "none", "usage", "io", "parse", "policy", "network",
		"internal" };
	if ((unsigned)cls >= sizeof(cn) / sizeof(cn[0]))
		return "internal";
	return cn[cls];
}

void eku_error_clear(eku_error *e)
{
	if (e == NULL)
		return;
	e->code = EKU_E_OK;
	e->message[0] = '\0';
}

__attribute__((format(printf, 3, 0)))
static void vset(eku_error *e, enum eku_errcode code, const char *fmt, va_list ap)
{
	e->code = code;
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
}

void eku_error_set(eku_error *e, enum eku_errcode code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vset(e, code, fmt, ap);
	va_end(ap);
}

void eku_error_setx(eku_error *e, enum eku_errcode code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->code != EKU_E_OK)
		return;
	va_start(ap, fmt);
	vset(e, code, fmt, ap);
	va_end(ap);
}

void eku_error_set_openssl(eku_error *e, enum eku_errcode code, const char *fmt, ...)
{
	va_list ap;
	unsigned long ossl = ERR_peek_error();
	const char *reason;
	size_t used;

	if (e == NULL || e->code != EKU_E_OK) {
		ERR_clear_error();
		return;
	}
	va_start(ap, fmt);
	vset(e, code, fmt, ap);
	va_end(ap);
	reason = ossl != 0 ? ERR_reason_error_string(ossl) : NULL;
	used = strlen(e->message);
	if (reason != NULL && used + 3 < sizeof(e->message))
		snprintf(e->message + used, sizeof(e->message) - used, " (%s)", reason);
	ERR_clear_error();
}
