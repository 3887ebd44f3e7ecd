/* eku/error.h - error codes, classes and the per-object error record.
 *
 * Errors live in the object that failed (libtls style), never in a global.
 * Every code has a stable name (used in JSON output) and one of a few classes
 * callers branch on. The list below is the single source of truth.
 */
#ifndef EKU_ERROR_H
#define EKU_ERROR_H

#include <eku/api.h>

#include <stdarg.h>
#include <stddef.h>

enum eku_errclass {
	EKU_ERRCLASS_NONE = 0,
	EKU_ERRCLASS_USAGE,
	EKU_ERRCLASS_IO,
	EKU_ERRCLASS_PARSE,
	EKU_ERRCLASS_POLICY,
	EKU_ERRCLASS_NETWORK,
	EKU_ERRCLASS_INTERNAL,
};

/* X(code, class, stable-name, default message) */
#define EKU_ERROR_LIST(X)                                                              \
	X(EKU_E_OK, NONE, "ok", "no error")                                            \
	X(EKU_E_USAGE, USAGE, "usage", "invalid argument")                             \
	X(EKU_E_NOMEM, INTERNAL, "nomem", "out of memory")                             \
	X(EKU_E_INTERNAL, INTERNAL, "internal", "internal error")                      \
	X(EKU_E_IO, IO, "io", "cannot read input")                                     \
	X(EKU_E_TOO_LARGE, IO, "too_large", "input exceeds the size limit")            \
	X(EKU_E_TOO_COSTLY, IO, "too_costly", "input asks for more work than allowed") \
	X(EKU_E_EMPTY, PARSE, "empty", "input is empty")                               \
	X(EKU_E_NO_CERT, PARSE, "no_certificate", "no certificate found")              \
	X(EKU_E_BAD_PEM, PARSE, "bad_pem", "malformed PEM block")                      \
	X(EKU_E_BAD_DER, PARSE, "bad_der", "malformed DER certificate")                \
	X(EKU_E_BAD_PKCS7, PARSE, "bad_pkcs7", "malformed PKCS#7 bundle")              \
	X(EKU_E_BAD_PKCS12, PARSE, "bad_pkcs12", "malformed PKCS#12 file")             \
	X(EKU_E_PKCS12_PASSWORD, USAGE, "pkcs12_password", "wrong PKCS#12 password")   \
	X(EKU_E_BAD_DATA, PARSE, "bad_data", "malformed data file")                    \
	X(EKU_E_BAD_CONFIG, PARSE, "bad_config", "invalid configuration")              \
	X(EKU_E_TRUST, POLICY, "trust", "trust store error")                           \
	X(EKU_E_POLICY, POLICY, "policy", "policy violation")                          \
	X(EKU_E_NETWORK, NETWORK, "network", "network failure")                        \
	X(EKU_E_OPENSSL, INTERNAL, "openssl", "OpenSSL failure")

#define EKU_X_ENUM(code, cls, name, msg) code,
enum eku_errcode { EKU_ERROR_LIST(EKU_X_ENUM) EKU_E__COUNT };
#undef EKU_X_ENUM

#define EKU_ERRMSG_MAX 512

/* An error record embedded in objects (and passed to free functions). */
typedef struct eku_error {
	enum eku_errcode code;
	char message[EKU_ERRMSG_MAX];
} eku_error;

/* Stable lower-case name of a code ("bad_der"), never NULL. */
EKU_API const char *eku_errcode_name(enum eku_errcode code);
/* Class of a code. */
EKU_API enum eku_errclass eku_errcode_class(enum eku_errcode code);
/* Stable name of a class ("parse"), never NULL. */
EKU_API const char *eku_errclass_name(enum eku_errclass cls);

EKU_API void eku_error_clear(eku_error *e);
/* Sets code and message (printf format); always overwrites. */
EKU_API void eku_error_set(eku_error *e, enum eku_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets code and message only when no error is recorded yet, so a generic
 * failure reported late never hides the specific one reported first. */
EKU_API void eku_error_setx(eku_error *e, enum eku_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like eku_error_setx, appending the first queued OpenSSL error reason;
 * drains the OpenSSL error queue. */
EKU_API void eku_error_set_openssl(eku_error *e, enum eku_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
