/* eku_ca_init: a root and an issuing CA (pathlen 0, EKU limited to what it
 * may issue, optional DNS name constraints) plus the database; eku_ca_open.
 * The database is created last, so a directory without a complete ca.db is
 * never mistaken for a CA. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca_int.h"

static const char *const created_files[] = {
	"ca.db", "ca.db-wal", "ca.db-shm", "chain.pem", "root-crl.pem", "issuing.crt", "root.crt",
	"private/issuing.key", "private/root.key",
};

static int dir_prepare(const char *dir, eku_error *err)
{
	DIR *d;
	struct dirent *e;
	int n = 0;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST || (d = opendir(dir)) == NULL) {
		eku_error_set(err, EKU_E_IO, "%s: cannot create the directory: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	if (n > 0) {
		eku_error_set(err, EKU_E_USAGE,
			"%s: the directory is not empty; eku ca init needs a new or empty directory", dir);
		return -1;
	}
	return 0;
}

static void dir_cleanup(const char *dir)
{
	char p[CA_PATH_MAX];

	for (size_t i = 0; i < sizeof(created_files) / sizeof(created_files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, created_files[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/private", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/issued", dir);
	rmdir(p);
}

static X509_NAME *ca_name(const char *name, const char *suffix)
{
	X509_NAME *n = X509_NAME_new();
	char cn[256];

	snprintf(cn, sizeof(cn), "%s %s", name, suffix);
	if (n == NULL || !X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)name,
				 -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0)) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

struct init_state {
	EVP_PKEY *root_key, *iss_key;
	X509 *root, *iss;
	X509_NAME *root_name, *iss_name;
	eku_strv permit;
};

static int make_certs(struct init_state *s, const struct eku_ca_init_opts *o, eku_error *err)
{
	const char *name = o->name ? o->name : "eku private CA";
	uint8_t serial[16];
	char hex[40];
	struct ca_cert_spec spec = { 0 };

	if ((s->root_key = ca_key_generate(o->alg, err)) == NULL ||
	    (s->iss_key = ca_key_generate(o->alg, err)) == NULL)
		return -1;
	if ((s->root_name = ca_name(name, "Root")) == NULL ||
	    (s->iss_name = ca_name(name, "Issuing CA")) == NULL) {
		eku_error_set(err, EKU_E_USAGE, "--name %s: not a usable name", name);
		return -1;
	}
	for (size_t i = 0; i < o->n_permit_dns; i++)
		if (eku_strv_push(&s->permit, o->permit_dns[i]) != 0)
			return -1;
	if (ca_serial_random(serial, hex, err) != 0)
		return -1;
	spec = (struct ca_cert_spec){ .subject = s->root_name, .pubkey = s->root_key,
		.serial = serial, .serial_len = 16, .not_before = o->now - 300,
		.not_after = o->now + 86400LL * (o->root_days ? o->root_days : 3650),
		.is_ca = true, .pathlen = -1 };
	if ((s->root = ca_cert_build(&spec, NULL, s->root_key, err)) == NULL)
		return -1;
	if (ca_serial_random(serial, hex, err) != 0)
		return -1;
	spec = (struct ca_cert_spec){ .subject = s->iss_name, .pubkey = s->iss_key,
		.serial = serial, .serial_len = 16, .not_before = o->now - 300,
		.not_after = o->now + 86400LL * (o->issuing_days ? o->issuing_days : 1825),
		.is_ca = true, .pathlen = 0,
		.eku = o->eku ? o->eku : (EKU_CA_EKU_CLIENT | EKU_CA_EKU_SERVER),
		.permit_dns = &s->permit };
	s->iss = ca_cert_build(&spec, s->root, s->root_key, err);
	return s->iss != NULL ? 0 : -1;
}

static int write_pem(const char *dir, const char *rel, X509 *a, X509 *b, eku_error *err)
{
	char path[CA_PATH_MAX], *pa = NULL, *pb = NULL, *all = NULL;
	size_t la = 0, lb = 0;
	int rc = -1;

	if (ca_path(path, sizeof(path), dir, rel, err) != 0 || ca_cert_pem(a, &pa, &la, err) != 0 ||
	    (b != NULL && ca_cert_pem(b, &pb, &lb, err) != 0))
		goto out;
	if ((all = malloc(la + lb + 1)) == NULL)
		goto out;
	memcpy(all, pa, la);
	if (pb != NULL)
		memcpy(all + la, pb, lb);
	rc = ca_write_atomic(path, all, la + lb, 0644, err);
out:
	free(pa);
	free(pb);
	free(all);
	return rc;
}

static int write_files(struct init_state *s, const char *dir, const char *pass, int64_t now,
	eku_error *err)
{
	char p[CA_PATH_MAX];

	if (ca_path(p, sizeof(p), dir, "private", err) != 0 || mkdir(p, 0700) != 0)
		goto io;
	if (ca_path(p, sizeof(p), dir, "issued", err) != 0 || mkdir(p, 0755) != 0)
		goto io;
	if (ca_path(p, sizeof(p), dir, "private/root.key", err) != 0 ||
	    ca_key_write(p, s->root_key, pass, true, err) != 0)
		return -1;
	if (ca_path(p, sizeof(p), dir, "private/issuing.key", err) != 0 ||
	    ca_key_write(p, s->iss_key, pass, true, err) != 0)
		return -1;
	if (write_pem(dir, "root.crt", s->root, NULL, err) != 0 ||
	    write_pem(dir, "issuing.crt", s->iss, NULL, err) != 0 ||
	    write_pem(dir, "chain.pem", s->iss, s->root, err) != 0)
		return -1;
	return ca_root_crl_write(dir, s->root, s->root_key, 1, CA_ROOT_CRL_DAYS, now, err);
io:
	eku_error_setx(err, EKU_E_IO, "%s: %s", p, strerror(errno));
	return -1;
}

static char *join(const eku_strv *v)
{
	size_t n = 1;
	char *s;

	for (size_t i = 0; i < v->n; i++)
		n += strlen(v->v[i]) + 1;
	if ((s = calloc(1, n)) == NULL)
		return NULL;
	for (size_t i = 0; i < v->n; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, v->v[i]);
	}
	return s;
}

static int write_db(struct init_state *s, const char *dir, const struct eku_ca_init_opts *o,
	eku_error *err)
{
	char p[CA_PATH_MAX], eku[16], detail[512];
	char *permit = join(&s->permit);
	sqlite3 *db = NULL;
	int rc = -1;

	snprintf(eku, sizeof(eku), "%u", o->eku ? o->eku : (EKU_CA_EKU_CLIENT | EKU_CA_EKU_SERVER));
	snprintf(detail, sizeof(detail), "alg=%s permit_dns=%s encrypted=%d",
		eku_ca_keyalg_name(o->alg), permit ? permit : "", o->passphrase != NULL);
	if (permit == NULL || ca_path(p, sizeof(p), dir, CA_DB_NAME, err) != 0 ||
	    ca_db_open(p, true, &db, err) != 0)
		goto out;
	if (ca_db_exec(db, "BEGIN IMMEDIATE", err) != 0 || ca_db_schema(db, err) != 0 ||
	    ca_db_meta_set(db, "alg", eku_ca_keyalg_name(o->alg), err) != 0 ||
	    ca_db_meta_set(db, "eku", eku, err) != 0 ||
	    ca_db_meta_set(db, "permit_dns", permit, err) != 0 ||
	    ca_db_meta_set(db, "encrypted", o->passphrase ? "1" : "0", err) != 0 ||
	    ca_db_meta_set(db, "crl_number", "0", err) != 0 ||
	    ca_db_meta_set(db, "root_crl_number", "1", err) != 0 ||
	    ca_db_audit(db, o->now, "init", NULL, detail, err) != 0 ||
	    /* format last: its presence marks a complete CA */
	    ca_db_meta_set(db, "format", CA_FORMAT, err) != 0 || ca_db_exec(db, "COMMIT", err) != 0)
		goto out;
	rc = 0;
out:
	free(permit);
	sqlite3_close(db);
	return rc;
}

int eku_ca_init(const char *dir, const struct eku_ca_init_opts *o, eku_error *err)
{
	struct init_state s = { 0 };
	int rc = -1;

	if (make_certs(&s, o, err) != 0 || dir_prepare(dir, err) != 0)
		goto out;
	if (write_files(&s, dir, o->passphrase, o->now, err) != 0 || write_db(&s, dir, o, err) != 0) {
		dir_cleanup(dir);
		goto out;
	}
	rc = 0;
out:
	EVP_PKEY_free(s.root_key);
	EVP_PKEY_free(s.iss_key);
	X509_free(s.root);
	X509_free(s.iss);
	X509_NAME_free(s.root_name);
	X509_NAME_free(s.iss_name);
	eku_strv_clear(&s.permit);
	return rc;
}

static int load_meta(eku_ca *ca)
{
	char *fmt = NULL, *alg = NULL, *eku = NULL, *permit = NULL, *enc = NULL, *tok, *save = NULL;
	int rc = -1;

	if ((fmt = ca_db_meta_get(ca->db, "format", &ca->err)) == NULL || strcmp(fmt, CA_FORMAT) != 0 ||
	    (alg = ca_db_meta_get(ca->db, "alg", &ca->err)) == NULL ||
	    eku_ca_keyalg_parse(alg, &ca->alg) != 0 ||
	    (eku = ca_db_meta_get(ca->db, "eku", &ca->err)) == NULL ||
	    (permit = ca_db_meta_get(ca->db, "permit_dns", &ca->err)) == NULL ||
	    (enc = ca_db_meta_get(ca->db, "encrypted", &ca->err)) == NULL) {
		eku_error_set(&ca->err, EKU_E_BAD_DATA,
			"%s: not an eku CA database (incomplete or other format); "
			"create a CA with 'eku ca init DIR'", ca->dir);
		goto out;
	}
	ca->eku = (unsigned)strtoul(eku, NULL, 10);
	ca->encrypted = strcmp(enc, "1") == 0;
	for (tok = strtok_r(permit, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (eku_strv_push(&ca->permit_dns, tok) != 0)
			goto out;
	rc = 0;
out:
	free(fmt);
	free(alg);
	free(eku);
	free(permit);
	free(enc);
	return rc;
}

eku_ca *eku_ca_open(const char *dir, eku_error *err)
{
	eku_ca *ca = calloc(1, sizeof(*ca));
	char p[CA_PATH_MAX];
	struct stat st;

	if (ca == NULL || (ca->dir = strdup(dir)) == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		goto fail;
	}
	if (ca_path(p, sizeof(p), dir, CA_DB_NAME, err) != 0)
		goto fail;
	/* Never create a database as a side effect of a typo. */
	if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
		eku_error_set(err, EKU_E_USAGE, "%s: not an eku CA (no %s); create one with 'eku ca init %s'",
			dir, CA_DB_NAME, dir);
		goto fail;
	}
	if (ca_db_open(p, false, &ca->db, err) != 0)
		goto fail;
	if (load_meta(ca) != 0) {
		*err = ca->err;
		goto fail;
	}
	return ca;
fail:
	eku_ca_free(ca);
	return NULL;
}

void eku_ca_free(eku_ca *ca)
{
	if (ca == NULL)
		return;
	sqlite3_close(ca->db);
	if (ca->pass != NULL) {
		eku_wipe(ca->pass, strlen(ca->pass));
		free(ca->pass);
	}
	eku_strv_clear(&ca->permit_dns);
	free(ca->dir);
	free(ca);
}

const eku_error *eku_ca_error(const eku_ca *ca)
{
	return &ca->err;
}

const char *eku_ca_dir(const eku_ca *ca)
{
	return ca->dir;
}

bool eku_ca_keys_encrypted(const eku_ca *ca)
{
	return ca->encrypted;
}

int eku_ca_set_passphrase(eku_ca *ca, const char *pw)
{
	if (ca->pass != NULL) {
		eku_wipe(ca->pass, strlen(ca->pass));
		free(ca->pass);
		ca->pass = NULL;
	}
	if (pw != NULL && (ca->pass = strdup(pw)) == NULL) {
		eku_error_set(&ca->err, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}
