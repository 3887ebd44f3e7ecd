/* libpq, loaded when a PostgreSQL history is first opened (dlopen), not at
 * start: linking it pulls some twenty libraries (Kerberos, LDAP, GnuTLS)
 * into every eku run and triples the start-up of `eku inspect cert.pem`.
 * The names below stand for libpq's functions everywhere in src/serve/. */
#ifndef EKU_SERVE_PQ_LOAD_H
#define EKU_SERVE_PQ_LOAD_H

#include <stddef.h>

#include <libpq-fe.h>

struct sv_pq {
	PGconn *(*connectdbParams)(const char *const *, const char *const *, int);
	ConnStatusType (*status)(const PGconn *);
	char *(*errorMessage)(const PGconn *);
	void (*finish)(PGconn *);
	PGresult *(*exec)(PGconn *, const char *);
	PGresult *(*execParams)(PGconn *, const char *, int, const Oid *, const char *const *,
		const int *, const int *, int);
	ExecStatusType (*resultStatus)(const PGresult *);
	int (*ntuples)(const PGresult *);
	char *(*getvalue)(const PGresult *, int, int);
	int (*getisnull)(const PGresult *, int, int);
	char *(*cmdTuples)(PGresult *);
	void (*clear)(PGresult *);
};

/* The table, loaded once (thread-safe); NULL with why filled when libpq
 * cannot be loaded (package libpq5 missing). */
const struct sv_pq *sv_pq_load(char *why, size_t whylen);

#endif
