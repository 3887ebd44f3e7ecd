#!/bin/sh
# systemd_test.sh SRCDIR BUILDDIR: the units pass `systemd-analyze verify`
# (unit syntax, executables, and the man pages of Documentation= when they
# were built), each scores below 2.0 with `systemd-analyze security` (the
# figures recorded in docs/packaging.md), and the sysusers.d line parses.
# Needs no running systemd: units are given by path. Skips (77) when
# systemd-analyze is missing.
set -eu
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed (Debian package systemd)"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eku-units.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The units as installed, except that eku is the one just built (verify
# checks ExecStart= exists); a template is verified through an instance.
for u in "$build"/systemd/*.service; do
	name=$(basename "$u")
	case $name in *@.service) name=${name%@.service}@sample.service ;; esac
	sed "s|^\(Exec[A-Za-z]*=\)[^ ]*/eku |\1$build/eku |" "$u" > "$tmp/$name"
	grep -q "$build/eku" "$tmp/$name" || fail "$name: no ExecStart=.../eku to point at the build"
done
man=--man=no
if [ -d "$build/man" ] && ls "$build"/man/*.1 >/dev/null 2>&1; then
	mkdir -p "$tmp/man/man1" "$tmp/man/man5"
	cp "$build"/man/*.1 "$tmp/man/man1/"
	cp "$build"/man/*.5 "$tmp/man/man5/"
	export MANPATH="$tmp/man"
	man=--man=yes
fi
(cd "$tmp" && systemd-analyze verify $man ./*.service) > "$tmp/verify.log" 2>&1 || {
	cat "$tmp/verify.log"; fail "systemd-analyze verify"; }
[ -s "$tmp/verify.log" ] && { cat "$tmp/verify.log"; fail "systemd-analyze verify printed warnings"; }

for u in "$tmp"/*.service; do
	grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$u" || fail "$(basename "$u"): ExecReload is not SIGHUP"
	for k in NoNewPrivileges=yes ProtectSystem=strict CapabilityBoundingSet=CAP_NET_BIND_SERVICE \
		ReadWritePaths=/var/lib/eku User=eku; do
		grep -q "^$k\$" "$u" || fail "$(basename "$u"): no $k"
	done
	if systemd-analyze security --offline=yes "$u" > "$tmp/sec.log" 2>&1; then :; fi
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/sec.log")
	[ -n "$score" ] || { cat "$tmp/sec.log"; fail "$(basename "$u"): no security score"; }
	echo "$(basename "$u"): exposure $score"
	awk "BEGIN { exit !($score < 2.0) }" || fail "$(basename "$u"): exposure $score, want < 2.0"
done

# sysusers.d: one 'u eku' line that systemd-sysusers accepts (--dry-run
# reads it without touching /etc/passwd).
grep -q '^u eku ' "$src/systemd/eku.sysusers" || fail "eku.sysusers: no 'u eku' line"
if command -v systemd-sysusers >/dev/null; then
	systemd-sysusers --dry-run "$src/systemd/eku.sysusers" > "$tmp/sysusers.log" 2>&1 || {
		cat "$tmp/sysusers.log"; fail "systemd-sysusers rejects eku.sysusers"; }
fi
echo "units OK"
