/* Loading libpq on first use (pq_load.h). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "pq_load.h"

static struct sv_pq pq;
static const struct sv_pq *loaded;
static char load_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define SYM(field, name)                                                         \
	do {                                                                     \
		*(void **)&pq.field = dlsym(h, name);                            \
		if (pq.field == NULL) {                                          \
			snprintf(load_error, sizeof(load_error),                 \
				"libpq.so.5 has no %s (too old a libpq)", name); \
			return;                                                  \
		}                                                                \
	} while (0)

static void load(void)
{
	void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		snprintf(load_error, sizeof(load_error),
			"PostgreSQL history needs libpq (Debian package libpq5): %s", dlerror());
		return;
	}
	SYM(connectdbParams, "PQconnectdbParams");
	SYM(status, "PQstatus");
	SYM(errorMessage, "PQerrorMessage");
	SYM(finish, "PQfinish");
	SYM(exec, "PQexec");
	SYM(execParams, "PQexecParams");
	SYM(resultStatus, "PQresultStatus");
	SYM(ntuples, "PQntuples");
	SYM(getvalue, "PQgetvalue");
	SYM(getisnull, "PQgetisnull");
	SYM(cmdTuples, "PQcmdTuples");
	SYM(clear, "PQclear");
	loaded = &pq; /* the library stays loaded for the process */
}

const struct sv_pq *sv_pq_load(char *why, size_t whylen)
{
	pthread_once(&once, load);
	if (loaded == NULL && why != NULL)
		snprintf(why, whylen, "%s", load_error);
	return loaded;
}
