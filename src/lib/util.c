/* String vectors, UTC dates, hex and wiping. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eku/util.h>

int eku_strv_push0(eku_strv *sv, char *s)
{
	char **nv;

	if (s == NULL)
		return -1;
	/* Geometric growth without a capacity field (the struct is public and
	 * zero-initialised): the array is full exactly when n is 0 or a power
	 * of two, and then doubles. */
	if ((sv->n & (sv->n - 1)) == 0) {
		if (sv->n > SIZE_MAX / 2 / sizeof(*nv)) {
			free(s);
			return -1;
		}
		nv = realloc(sv->v, (sv->n ? sv->n * 2 : 1) * sizeof(*nv));
		if (nv == NULL) {
			free(s);
			return -1;
		}
		sv->v = nv;
	}
	sv->v[sv->n++] = s;
	return 0;
}

int eku_strv_push(eku_strv *sv, const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		return -1;
	return eku_strv_push0(sv, copy);
}

bool eku_strv_contains(const eku_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

void eku_strv_clear(eku_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

char *eku_time_iso(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
	return buf;
}

char *eku_time_date(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "?");
	return buf;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so we never depend on the process time zone. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int eku_time_parse(const char *s, int64_t *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, tzh = 0, tzm = 0;
	const char *p;
	int sign = 0;
	int64_t t;

	if (strcmp(s, "now") == 0) {
		*out = (int64_t)time(NULL);
		return 0;
	}
	/* Digits only: sscanf alone takes "+202-01-01" or " 202-01-01" as years. */
	for (int i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return -1;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	/* Certificates and the timeline live between these years; "0000-01-01"
	 * would otherwise print as "0-01-01" and negative instants break the
	 * date formatting of every report. */
	if (y < EKU_TIME_MIN_YEAR || y > EKU_TIME_MAX_YEAR)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return -1;
	p = s + n;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return -1;
		p += 1 + n;
		if (*p == ':') {
			n = 0;
			if (sscanf(p + 1, "%2d%n", &sec, &n) != 1 || n != 2)
				return -1;
			p += 1 + n;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p == '+' ? 1 : -1;
			n = 0;
			if (sscanf(p + 1, "%2d:%2d%n", &tzh, &tzm, &n) != 2 || n != 5 || tzh > 23 ||
			    tzm > 59)
				return -1;
			p += 1 + n;
		}
	}
	if (*p != '\0')
		return -1;
	t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec -
	    sign * (tzh * 3600 + tzm * 60);
	/* An offset can push the first or last day across the range's edge. */
	if (t < 0 || t >= days_from_civil(EKU_TIME_MAX_YEAR + 1, 1, 1) * 86400)
		return -1;
	*out = t;
	return 0;
}

int64_t eku_days_between(int64_t a, int64_t b)
{
	int64_t diff = b - a;

	return diff >= 0 ? diff / 86400 : -((-diff + 86399) / 86400);
}

char *eku_hex(const uint8_t *buf, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 15];
	}
	out[2 * len] = '\0';
	return out;
}

void eku_wipe(void *p, size_t len)
{
	volatile unsigned char *v = p;

	while (len--)
		*v++ = 0;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f))
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

char *eku_utf8_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;

	if (s == NULL)
		return NULL;
	while (*p != '\0') {
		size_t n;
		if (*p >= 0x20 && *p < 0x7f) { /* printable ASCII: most of every name */
			p++;
			continue;
		}
		n = utf8_seq(p);
		if (n == 0 || (n == 1 && ((*p < 0x20 && *p != '\t') || *p == 0x7f))) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
	return s;
}

static uint32_t utf8_cp(const unsigned char *p, size_t n)
{
	uint32_t cp = n == 1 ? p[0] : n == 2 ? p[0] & 0x1Fu : n == 3 ? p[0] & 0x0Fu : p[0] & 0x07u;

	for (size_t k = 1; k < n; k++)
		cp = (cp << 6) | (p[k] & 0x3Fu);
	return cp;
}

/* Code points a reader must see rather than have acted upon: controls
 * (terminal escapes, fake line breaks) and the Unicode bidi controls and
 * separators (UTS #9 / CVE-2021-42574 "Trojan Source") that reorder or
 * break the rest of the line. */
static bool cp_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C ||
	       cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

char *eku_utf8_escape(const char *s, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t j = 0;
	char esc[8];

	if (cap == 0)
		return out;
	while (*p != '\0') {
		size_t n = utf8_seq(p), m;
		const char *piece = (const char *)p;

		if (n == 0) {
			m = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", p[0]);
			piece = esc;
			n = 1;
		} else if (cp_unsafe(utf8_cp(p, n))) {
			m = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)utf8_cp(p, n));
			piece = esc;
		} else if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			m = 2;
			piece = esc;
		} else {
			m = n;
		}
		if (m >= cap - j)
			break;   /* never half a character or half an escape */
		memcpy(out + j, piece, m);
		j += m;
		p += n;
	}
	out[j] = '\0';
	return out;
}

int eku_utf8_check(const char *text, size_t len, int *line, int *col)
{
	const unsigned char *s = (const unsigned char *)text;
	int ln = 1, cl = 1;

	for (size_t i = 0; i < len; cl++) {
		unsigned char ch = s[i];
		size_t n = ch < 0x80 ? 1 : (ch & 0xE0) == 0xC0 ? 2 : (ch & 0xF0) == 0xE0 ? 3 : (ch & 0xF8) == 0xF0 ? 4 : 0;
		uint32_t cp = n == 1 ? ch : n == 2 ? ch & 0x1Fu : n == 3 ? ch & 0x0Fu : ch & 0x07u;

		if (n == 0 || ch == 0 || n > len - i)
			goto bad;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (s[i + k] & 0x3Fu);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		if (ch == '\n')
			ln++, cl = 0;
		i += n;
	}
	return 0;
bad:
	*line = ln;
	*col = cl;
	return -1;
}

void eku_csv_field(FILE *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}
