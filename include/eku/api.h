/* eku/api.h - EKU_API marks the functions libeku exports.
 *
 * libeku is compiled with -fvisibility=hidden, so only declarations in the
 * public headers carrying EKU_API are visible to programs linking the shared
 * library; everything else (the YAML walker, hash maps, plan internals) stays
 * private and can change without an ABI break. For callers the attribute is
 * harmless: it only restates the default visibility.
 */
#ifndef EKU_API_H
#define EKU_API_H

#if defined(__GNUC__) || defined(__clang__)
#define EKU_API __attribute__((visibility("default")))
#else
#define EKU_API
#endif

#endif
