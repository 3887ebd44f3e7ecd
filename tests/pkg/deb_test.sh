#!/bin/sh
# deb_test.sh SRCDIR: builds the Debian packages from a copy of the source
# tree (dpkg-buildpackage -us -uc -b, so nothing lands next to the checkout),
# checks them with lintian (no error or warning; overrides are justified in
# debian/*.lintian-overrides), unpacks them into a scratch root (dpkg -x)
# and uses that root: eku --version and the example plan, the man pages and
# completions in place, and a program built with `pkg-config --cflags --libs
# libeku` against the unpacked libeku-dev and run against libeku0.
# Slow (a full build): suite 'slow', run once by tools/test-all.sh.
set -eu
src=$(cd "$1" && pwd)
for t in dpkg-buildpackage dh dpkg-checkbuilddeps; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed (Debian packages dpkg-dev, debhelper)"; exit 77; }
done
(cd "$src" && dpkg-checkbuilddeps) || { echo "SKIP: build dependencies of debian/control missing"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eku-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir "$tmp/eku"
tar -C "$src" --exclude='./build*' --exclude=./.git --exclude=./obj-\* --exclude=./examples/gateway/pki \
	--exclude=__pycache__ --exclude='./debian/.debhelper' -cf - . | tar -C "$tmp/eku" -xf -
# nocheck: the unit tests run on their own in the same test run (debian/rules
# runs them in a real package build).
(cd "$tmp/eku" && DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b) \
	> "$tmp/build.log" 2>&1 || {
	tail -60 "$tmp/build.log"; fail "dpkg-buildpackage"; }
ls "$tmp"/*.deb
# The symbols file lists the ABI: a new or lost EKU_API function must show
# there (docs/packaging.md says how to regenerate it).
if grep -q "dpkg-gensymbols: warning" "$tmp/build.log"; then
	grep -A30 "dpkg-gensymbols: warning" "$tmp/build.log" | head -40
	fail "debian/libeku0.symbols does not match libeku.so's exports"
fi
for p in eku eku-data libeku0 libeku-dev; do
	ls "$tmp/${p}_"*.deb >/dev/null 2>&1 || fail "package $p not built"
done

if command -v lintian >/dev/null; then
	lintian --fail-on error,warning "$tmp"/eku_*.changes > "$tmp/lintian.log" 2>&1 || {
		cat "$tmp/lintian.log"; fail "lintian"; }
	cat "$tmp/lintian.log"
else
	echo "lintian not installed: package check skipped"
fi

root=$tmp/root
for d in "$tmp"/*.deb; do
	case $d in *-dbgsym_*) continue ;; esac
	dpkg -x "$d" "$root"
done
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=$root/usr/lib/$multiarch
export LD_LIBRARY_PATH="$libdir"
"$root/usr/bin/eku" --version | grep -q '^eku 0\.' || fail "eku --version from the package"
"$root/usr/bin/eku" plan --fail-on never "$root/usr/share/doc/eku/examples/expressway/inventory.yaml" \
	> "$tmp/plan.txt" || fail "example plan from the package"
grep -q "broken\|at_risk" "$tmp/plan.txt" || fail "example plan printed no findings"
# The packaged binary reads eku-data's files (src/lib/data.c; unit test data_sysdir).
"$root/usr/bin/eku" data --help | grep -q "installed copy (/usr/share/eku)" ||
	fail "eku does not look for its data in /usr/share/eku"
for f in usr/share/man/man1/eku.1.gz usr/share/man/man1/eku-gateway.1.gz usr/share/man/man5/eku-inventory.5.gz \
	usr/share/bash-completion/completions/eku.bash usr/share/zsh/vendor-completions/_eku \
	usr/share/fish/vendor_completions.d/eku.fish lib/systemd/system/eku-gateway@.service \
	lib/systemd/system/eku-serve.service usr/lib/sysusers.d/eku.conf usr/share/eku/timeline.json \
	usr/include/eku/version.h; do
	[ -e "$root/$f" ] || fail "$f not in the packages"
done
man -l "$root/usr/share/man/man1/eku.1.gz" > /dev/null 2>&1 || fail "man -l eku.1.gz"

export PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
${CC:-cc} -Wall -Werror -o "$tmp/consumer" "$src/tests/pkg/consumer.c" $(pkg-config --cflags --libs libeku)
ldd "$tmp/consumer" | grep -q "libeku.so.0 => $libdir/" || fail "consumer does not load the packaged libeku"
"$tmp/consumer" "$src/tests/data/leaf-dual.pem" || fail "consumer against the packaged libeku"
echo "deb OK"
