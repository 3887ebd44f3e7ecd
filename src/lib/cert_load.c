/* Loading certificates from files, directories, stdin and memory.
 *
 * Formats: PEM (RFC 7468) with any number of blocks and text around them,
 * TRUSTED CERTIFICATE (OpenSSL's certificate + trust settings), DER, PKCS#7
 * (RFC 2315 certs-only bundles, PEM or DER) and PKCS#12 (RFC 7292). Each input
 * that cannot be read gives exactly one diagnostic; PEM blocks fail one by one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "base64.h"
#include "cert_int.h"
#include "cert_load_int.h"
#include "der/der.h"
#include "digest.h"

#define DEFAULT_EXTENSIONS "pem,crt,cer,cert,der,p7b,p7c,p12,pfx,ca-bundle"

eku_loader *eku_loader_new(void)
{
	eku_loader *ld = calloc(1, sizeof(*ld));

	if (ld == NULL)
		return NULL;
	ld->max_bytes = EKU_LOADER_DEFAULT_MAX_BYTES;
	if (eku_loader_set_extensions(ld, NULL) != 0) {
		eku_loader_free(ld);
		return NULL;
	}
	return ld;
}

static void wipe_password(eku_loader *ld)
{
	if (ld->password != NULL) {
		eku_wipe(ld->password, strlen(ld->password));
		free(ld->password);
		ld->password = NULL;
	}
}

void eku_loader_free(eku_loader *ld)
{
	if (ld == NULL)
		return;
	wipe_password(ld);
	eku_strv_clear(&ld->extensions);
	free(ld);
}

void eku_loader_set_issuers_only(eku_loader *ld, bool on)
{
	ld->issuers_only = on;
}

void eku_loader_set_known(eku_loader *ld, const eku_certlist *known)
{
	ld->known = known;
}

void eku_loader_set_max_bytes(eku_loader *ld, size_t max)
{
	ld->max_bytes = max;
}

int eku_loader_set1_password(eku_loader *ld, const char *pw)
{
	wipe_password(ld);
	if (pw == NULL)
		return 0;
	ld->password = strdup(pw);
	return ld->password != NULL ? 0 : -1;
}

int eku_loader_set_extensions(eku_loader *ld, const char *csv)
{
	char *copy = strdup(csv != NULL ? csv : DEFAULT_EXTENSIONS), *save = NULL;
	int rc = -1;

	if (copy == NULL)
		return -1;
	eku_strv_clear(&ld->extensions);
	for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == '.' || *tok == ' ')
			tok++;
		if (*tok != '\0' && eku_strv_push(&ld->extensions, tok) != 0)
			goto out;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

int eku_read_file(const char *path, size_t max, uint8_t **bufp, size_t *lenp, eku_error *err)
{
	int fd = -1, rc = -1;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, first = 65536;
	bool fifo = false;

	/* O_NONBLOCK for the open only: a FIFO nobody writes to would block it
	 * forever. Reads block again, and a FIFO without a writer reads as
	 * the end of the file, so it is reported, not waited for; a pipe with
	 * a writer (a shell's <(command)) is read as usual. */
	fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		eku_error_set(err, EKU_E_IO, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fd != STDIN_FILENO) {
		struct stat st;
		int fl;
		if (fstat(fd, &st) != 0) {
			eku_error_set(err, EKU_E_IO, "cannot open: %s", strerror(errno));
			goto out;
		}
		/* O_NONBLOCK means nothing to a regular file's reads: two system
		 * calls fewer per file, for directories of many small ones. */
		if (!S_ISREG(st.st_mode) &&
		    ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0)) {
			eku_error_set(err, EKU_E_IO, "cannot open: %s", strerror(errno));
			goto out;
		}
		fifo = S_ISFIFO(st.st_mode);
		/* A regular file's size as the first buffer: one read, and the
		 * one that sees its end (it may have grown: reads go on). */
		if (S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size < max)
			first = (size_t)st.st_size + 1;
	}
	for (;;) {
		ssize_t n;
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : first;
			if (ncap > max + 1)
				ncap = max + 1;
			if (ncap <= len) {
				eku_error_set(err, EKU_E_TOO_LARGE,
					"larger than the %zu-byte limit", max);
				goto out;
			}
			uint8_t *nb = realloc(buf, ncap + 1);
			if (nb == NULL) {
				eku_error_set(err, EKU_E_NOMEM, "out of memory");
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			eku_error_set(err, EKU_E_IO, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		eku_error_set(err, EKU_E_TOO_LARGE, "larger than the %zu-byte limit",
			max);
		goto out;
	}
	if (len == 0 && fifo) {
		eku_error_set(err, EKU_E_IO, "a FIFO nobody wrote to: start the writer first, or give a file");
		goto out;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	rc = 0;
out:
	if (fd > STDIN_FILENO)
		close(fd);
	free(buf);
	return rc;
}

int eku_load_add_x509(X509 *x, const char *source, int index, int line, const char *container,
	eku_certlist *out, eku_diaglist *diags)
{
	eku_error err = { 0 };
	eku_cert *c = eku_cert_new_x509(x, source, index, line, &err);

	if (c == NULL) {
		eku_diaglist_add(diags, source, line, index, err.code, "%s", err.message);
		return -1;
	}
	eku_cert_set_container(c, container);
	if (eku_certlist_push0(out, c) != 0) {
		eku_diaglist_add(diags, source, line, index, EKU_E_NOMEM, "out of memory");
		return -1;
	}
	return 1;
}

int eku_load_add_stack(STACK_OF(X509) *sk, const char *source, int line, int first_index,
	const char *container, eku_certlist *out, eku_diaglist *diags)
{
	int added = 0;

	for (int i = 0; i < sk_X509_num(sk); i++)
		if (eku_load_add_x509(sk_X509_value(sk, i), source, first_index + i, line, container, out, diags) > 0)
			added++;
	return added;
}

static STACK_OF(X509) *pkcs7_certs(PKCS7 *p7)
{
	int nid = OBJ_obj2nid(p7->type);

	if (nid == NID_pkcs7_signed && p7->d.sign != NULL)
		return p7->d.sign->cert;
	if (nid == NID_pkcs7_signedAndEnveloped && p7->d.signed_and_enveloped != NULL)
		return p7->d.signed_and_enveloped->cert;
	return NULL;
}

/* Certificates of a PKCS#7 bundle; -1 with a diag when there are none. */
static int add_pkcs7(PKCS7 *p7, const char *source, int line, int index, eku_certlist *out,
	eku_diaglist *diags)
{
	STACK_OF(X509) *sk = pkcs7_certs(p7);

	if (sk == NULL || sk_X509_num(sk) == 0) {
		eku_diaglist_add(diags, source, line, index, EKU_E_NO_CERT,
			"PKCS#7 bundle holds no certificates");
		return -1;
	}
	return eku_load_add_stack(sk, source, line, index, "PKCS#7", out, diags);
}

/* Line number of at, counting on from a known (position, line) pair so a
 * bundle of N blocks is scanned once, not N times. */
static int line_from(const uint8_t **pos, int *line, const uint8_t *at)
{
	*line += (int)eku_pem_lines(*pos, (size_t)(at - *pos));
	*pos = at;
	return *line;
}

static bool is_cert_label(const char *label)
{
	return strcmp(label, "CERTIFICATE") == 0 || strcmp(label, "X509 CERTIFICATE") == 0 ||
	       strcmp(label, "TRUSTED CERTIFICATE") == 0;
}

static bool is_pkcs7_label(const char *label)
{
	return strcmp(label, "PKCS7") == 0 || strcmp(label, "PKCS #7 SIGNED DATA") == 0 ||
	       strcmp(label, "CMS") == 0;
}

/* One PEM CERTIFICATE's DER into out, without OpenSSL: skipped when the
 * loader keeps issuers only and it cannot issue, shared with the run's copy
 * when the loader knows one with the same bytes (an intermediate repeated in
 * every chain file), else read by the walker. 1 when taken (or skipped), -1
 * on a failure reported, 0 when the walker is not sure and OpenSSL must
 * decide. */
static int add_der(const eku_loader *ld, const uint8_t *der, size_t n, const char *source, int line,
	int block, eku_certlist *out, eku_diaglist *diags)
{
	uint8_t h[32];
	const uint8_t *hash = NULL;
	eku_cert *c = NULL, *same;

	if (ld->issuers_only && eku_der_may_issue(der, n) == 0)
		return 1; /* read, and not wanted */
	if (ld->known != NULL && eku_certlist_count(ld->known) > 0 && eku_sha256(der, n, h) == 0) {
		hash = h; /* the walker need not hash it again */
		if ((same = eku_certlist_find_sha256(ld->known, h)) != NULL &&
		    (c = eku_cert_new_alias(same, source, block, line, "PEM")) == NULL)
			goto nomem;
	}
	if (c == NULL && (c = eku_cert_new_der_fast(der, n, hash, source, block, line, "PEM")) == NULL)
		return 0;
	if (eku_certlist_push0(out, c) != 0)
		goto nomem;
	return 1;
nomem:
	eku_diaglist_add(diags, source, line, block, EKU_E_NOMEM, "out of memory");
	return -1;
}

/* A CERTIFICATE block through the DER walker: base64, then the walker; no
 * X509 until someone asks (eku_cert_get0_x509). Returns 1 when added, -1 on
 * a failure already reported, 0 when the OpenSSL path must decide
 * (encryption headers, trailing bytes PEM_read_bio_X509 tolerates, or
 * anything the walker is not sure of). */
static int load_pem_der(const eku_loader *ld, BIO *bio, const char *source, int line, int block,
	eku_certlist *out, eku_diaglist *diags)
{
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len = 0;
	int rc = 0;

	if (PEM_read_bio(bio, &name, &header, &data, &len) != 1 || header[0] != '\0')
		goto out;
	rc = add_der(ld, data, (size_t)len, source, line, block, out, diags);
out:
	ERR_clear_error();
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	return rc;
}

/* Base64 of a plain PEM block straight into out (RFC 7468 strict form: no
 * header lines, only base64 and line breaks, '=' padding at the end), with a
 * table instead of OpenSSL's BIO and decoder. Returns the decoded length, or
 * 0 when the block is not in that form (OpenSSL's reader decides then). out
 * has room for len * 3 / 4 bytes. Four characters at a time while they are
 * all plain base64 (the body of every line); one at a time around line
 * breaks and padding. */
static size_t pem_b64(const uint8_t *begin, size_t len, uint8_t *out)
{
	const uint8_t *p = memchr(begin, '\n', len), *end = begin + len;
	uint32_t acc = 0;
	size_t n = 0, pad = 0;
	int bits = 0;

	if (p == NULL)
		return 0;
	for (p++; p < end && *p != '-';) {
		int v;
		if (bits == 0 && pad == 0 && end - p >= 4) {
			size_t q = eku_b64_quads(p, (size_t)(end - p) / 4, out + n);
			n += 3 * q;
			p += 4 * q;
			if (q > 0)
				continue;
		}
		v = eku_b64_value[*p];
		if (*p == '\n' || *p == '\r') {
			p++;
			continue;
		}
		if (*p == '=') {
			pad++;
			p++;
			continue;
		}
		if (v < 0 || pad > 0)
			return 0; /* a header line, a stray character, data after '=' */
		acc = (acc << 6) | (uint32_t)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
		p++;
	}
	if (p == end || pad > 2 || (bits + 6 * (int)pad) % 8 != 0 || strncmp((const char *)p, "-----END ", 9) != 0)
		return 0;
	return n;
}

/* A CERTIFICATE block in the strict form, decoded by pem_b64 and read by the
 * walker: 1 added (or skipped for issuers_only), -1 on a failure reported,
 * 0 when OpenSSL's reader must decide. */
static int load_pem_fast(const eku_loader *ld, const char *source, const uint8_t *begin, size_t len,
	int line, int block, eku_certlist *out, eku_diaglist *diags)
{
	uint8_t stackbuf[8192], *der = len <= sizeof(stackbuf) ? stackbuf : malloc(len);
	size_t n;
	int rc = 0;

	if (der == NULL || (n = pem_b64(begin, len, der)) == 0)
		goto out;
	rc = add_der(ld, der, n, source, line, block, out, diags);
out:
	if (der != stackbuf)
		free(der);
	return rc;
}

/* Decodes one PEM block [begin, end_of_end_line) whose label is known. */
static int load_pem_block(const eku_loader *ld, const char *source, const uint8_t *begin, size_t len, const char *label,
	int line, int block, eku_certlist *out, eku_diaglist *diags)
{
	BIO *bio = NULL;
	X509 *x = NULL;
	PKCS7 *p7 = NULL;
	int rc = -1;

	if (strcmp(label, "CERTIFICATE") == 0 &&
	    (rc = load_pem_fast(ld, source, begin, len, line, block, out, diags)) != 0)
		return rc;
	if ((bio = BIO_new_mem_buf(begin, (int)len)) == NULL) {
		eku_diaglist_add(diags, source, line, block, EKU_E_NOMEM, "out of memory");
		goto out;
	}
	if (is_pkcs7_label(label)) {
		p7 = PEM_read_bio_PKCS7(bio, NULL, NULL, NULL);
		if (p7 == NULL) {
			eku_diaglist_add(diags, source, line, block, EKU_E_BAD_PKCS7,
				"block %d (%s): malformed PKCS#7: %s", block, label,
				ERR_reason_error_string(ERR_peek_last_error()) ?: "decode error");
			goto out;
		}
		rc = add_pkcs7(p7, source, line, block, out, diags);
		goto out;
	}
	if (strcmp(label, "TRUSTED CERTIFICATE") != 0 &&
	    (rc = load_pem_der(ld, bio, source, line, block, out, diags)) != 0)
		goto out;
	(void)BIO_reset(bio);
	x = strcmp(label, "TRUSTED CERTIFICATE") == 0 ? PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL)
						       : PEM_read_bio_X509(bio, NULL, NULL, NULL);
	if (x == NULL) {
		eku_diaglist_add(diags, source, line, block, EKU_E_BAD_PEM,
			"block %d (%s): not a valid certificate: %s", block, label,
			ERR_reason_error_string(ERR_peek_last_error()) ?: "decode error");
		goto out;
	}
	rc = eku_load_add_x509(x, source, block, line,
		strcmp(label, "TRUSTED CERTIFICATE") == 0 ? "TRUSTED CERTIFICATE" : "PEM", out, diags);
out:
	ERR_clear_error();
	PKCS7_free(p7);
	X509_free(x);
	BIO_free(bio);
	return rc;
}

/* Walks the PEM blocks of [buf, buf + len), numbering lines from line0 and
 * blocks after block0; counts go to *t. Text outside blocks (openssl -text
 * dumps, CSV after .crttest certificates) is ignored. */
static void load_pem_blocks(const eku_loader *ld, const char *source, const uint8_t *buf, size_t len,
	int line0, int block0, struct eku_pem_tally *t, eku_certlist *out, eku_diaglist *diags)
{
	const uint8_t *p = buf, *end = buf + len, *counted = buf;
	int block = block0, lines = line0;
	struct eku_pem_block blk;
	enum eku_pem_step step;

	while ((step = eku_pem_next(p, end, &blk)) != EKU_PEM_NONE) {
		int line = line_from(&counted, &lines, blk.begin);

		block++;
		if (step == EKU_PEM_BAD_BEGIN) {
			eku_diaglist_add(diags, source, line, block, EKU_E_BAD_PEM,
				"block %d: malformed BEGIN line", block);
			t->failed++;
			p = blk.next;
			continue;
		}
		if (step == EKU_PEM_NO_END) {
			eku_diaglist_add(diags, source, line, block, EKU_E_BAD_PEM,
				"block %d (%s): BEGIN without matching END (file truncated?)", block, blk.label);
			t->failed++;
			break;
		}
		if (is_cert_label(blk.label) || is_pkcs7_label(blk.label)) {
			int n = load_pem_block(ld, source, blk.begin, (size_t)(blk.next - blk.begin), blk.label, line,
				block, out, diags);
			if (n > 0)
				t->added += n;
			else
				t->failed++;
		} else {
			/* Keys, CSRs, CRLs, parameters: not certificates, never printed. */
			t->others++;
		}
		p = blk.next;
	}
}

int eku_loader_pem_finish(const char *source, const struct eku_pem_tally *t, eku_diaglist *diags)
{
	if (t->added == 0 && t->failed == 0) {
		eku_diaglist_add(diags, source, 0, 0, EKU_E_NO_CERT,
			t->others > 0 ? "no certificate among its %d PEM block(s) (keys, CSRs or CRLs only)"
				      : "no PEM block found and not DER, PKCS#7 or PKCS#12",
			t->others);
		return -1;
	}
	return t->added > 0 ? t->added : -1;
}

int eku_loader_load_pem_part(eku_loader *ld, const char *source, const struct eku_pem_part *part,
	struct eku_pem_tally *tally, eku_certlist *out, eku_diaglist *diags)
{
	int before = tally->added;

	load_pem_blocks(ld, source, part->buf, part->len, part->line0, part->block0, tally, out, diags);
	return tally->added - before;
}

static int load_pem(const eku_loader *ld, const char *source, const uint8_t *buf, size_t len,
	eku_certlist *out, eku_diaglist *diags)
{
	struct eku_pem_tally t = { 0 };

	load_pem_blocks(ld, source, buf, len, 1, 0, &t, out, diags);
	return eku_loader_pem_finish(source, &t, diags);
}

/* Binary input: DER certificate, DER PKCS#7 or PKCS#12, tried in that order. */
static int load_binary(eku_loader *ld, const char *source, const uint8_t *buf, size_t len,
	eku_certlist *out, eku_diaglist *diags)
{
	const unsigned char *p = buf;
	X509 *x = NULL;
	PKCS7 *p7 = NULL;
	PKCS12 *p12 = NULL;
	int rc = -1;

	if (len < 2 || buf[0] != 0x30) {
		eku_diaglist_add(diags, source, 0, 0, EKU_E_NO_CERT,
			"not a certificate: unrecognised format (expected PEM, DER, PKCS#7 or PKCS#12)");
		goto out;
	}
	if (ld->issuers_only && eku_der_may_issue(buf, len) == 0) {
		rc = 0;
		goto out;
	}
	x = d2i_X509(NULL, &p, (long)len);
	if (x != NULL) {
		if (p != buf + len) {
			eku_diaglist_add(diags, source, 0, 0, EKU_E_BAD_DER,
				"DER certificate followed by %zu unexpected bytes", (size_t)(buf + len - p));
			goto out;
		}
		rc = eku_load_add_x509(x, source, 1, 0, "DER", out, diags);
		goto out;
	}
	p = buf;
	if ((p7 = d2i_PKCS7(NULL, &p, (long)len)) != NULL) {
		rc = add_pkcs7(p7, source, 0, 1, out, diags);
		goto out;
	}
	p = buf;
	if ((p12 = d2i_PKCS12(NULL, &p, (long)len)) != NULL) {
		rc = eku_load_pkcs12(ld, source, p12, out, diags);
		goto out;
	}
	eku_diaglist_add(diags, source, 0, 0, EKU_E_BAD_DER,
		"malformed DER: truncated or not a certificate, PKCS#7 or PKCS#12 (%s)",
		ERR_reason_error_string(ERR_peek_last_error()) ?: "decode error");
out:
	ERR_clear_error();
	X509_free(x);
	PKCS7_free(p7);
	PKCS12_free(p12);
	return rc;
}

int eku_loader_load_mem(eku_loader *ld, const char *source, const uint8_t *buf, size_t len,
	eku_certlist *out, eku_diaglist *diags)
{
	size_t ws = 0;

	while (ws < len && (buf[ws] == ' ' || buf[ws] == '\n' || buf[ws] == '\r' || buf[ws] == '\t'))
		ws++;
	if (ws == len) {
		eku_diaglist_add(diags, source, 0, 0, EKU_E_EMPTY, "file is empty");
		return -1;
	}
	if (len > ld->max_bytes) {
		eku_diaglist_add(diags, source, 0, 0, EKU_E_TOO_LARGE,
			"larger than the %zu-byte limit", ld->max_bytes);
		return -1;
	}
	if (memmem(buf, len, "-----BEGIN ", 11) != NULL || buf[ws] != 0x30)
		return load_pem(ld, source, buf, len, out, diags);
	return load_binary(ld, source, buf, len, out, diags);
}

int eku_load_file(eku_loader *ld, const char *path, eku_certlist *out, eku_diaglist *diags)
{
	eku_error err = { 0 };
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (eku_read_file(path, ld->max_bytes, &buf, &len, &err) != 0) {
		eku_diaglist_add(diags, path, 0, 0, err.code, "%s", err.message);
		return -1;
	}
	rc = eku_loader_load_mem(ld, path, buf, len, out, diags);
	free(buf);
	return rc;
}

eku_certlist *eku_certlist_load_strict(const char *path, eku_error *err)
{
	eku_loader *ld = eku_loader_new();
	eku_certlist *l = eku_certlist_new();
	eku_diaglist diags = { 0 };
	const struct eku_diag *d = NULL;

	if (ld == NULL || l == NULL) {
		eku_error_set(err, EKU_E_NOMEM, "out of memory");
		goto fail;
	}
	eku_loader_load_path(ld, path, l, &diags);
	/* Warnings (a link read twice, skipped) do not spoil the input. */
	for (size_t i = 0; i < diags.n && d == NULL; i++)
		if (diags.v[i].severity == EKU_DIAG_ERROR)
			d = &diags.v[i];
	if (d != NULL) {
		if (d->line > 0)
			eku_error_set(err, d->code, "%s:%d: %s", d->source, d->line, d->message);
		else
			eku_error_set(err, d->code, "%s: %s", d->source, d->message);
		goto fail;
	}
	if (eku_certlist_count(l) == 0) {
		eku_error_set(err, EKU_E_NO_CERT, "%s: no certificate found", path);
		goto fail;
	}
	eku_diaglist_clear(&diags);
	eku_loader_free(ld);
	return l;
fail:
	eku_diaglist_clear(&diags);
	eku_loader_free(ld);
	eku_certlist_free(l);
	return NULL;
}
