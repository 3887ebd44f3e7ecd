#!/bin/sh
# install_test.sh SRCDIR BUILDDIR: `meson install` into a scratch DESTDIR, then
# use what was installed as a user and a third-party developer would: the
# installed eku (--version, the example plan from the installed examples), a
# program built against the installed libeku with `pkg-config --cflags --libs
# libeku` (shared, then static), and every public header compiled from the
# installed include directory alone.
set -eu
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
dest=$(mktemp -d "${TMPDIR:-/tmp}/eku-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null
option() {
	meson introspect "$build" --buildoptions |
		python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == sys.argv[1]))' "$1"
}
prefix=$(option prefix)
root=$dest$prefix
pc=$(find "$root" -name libeku.pc)
[ -n "$pc" ] || fail "libeku.pc not installed"
libdir=$(dirname "$(dirname "$pc")")
for f in bin/eku include/eku/version.h include/eku/api.h share/eku/timeline.json \
	share/eku/products/index.json share/doc/eku/LICENSE share/doc/eku/CHANGELOG.md \
	share/doc/eku/examples/expressway/inventory.yaml; do
	[ -e "$root/$f" ] || fail "$f not installed"
done
for f in libeku.so libeku.a; do [ -e "$libdir/$f" ] || fail "$f not installed"; done
for f in share/bash-completion/completions/eku.bash share/fish/vendor_completions.d/eku.fish; do
	[ -e "$root/$f" ] || fail "$f not installed"
done
if [ "$(option systemd)" = True ] && [ -z "$(option systemdunitdir)" ]; then
	for f in lib/systemd/system/eku-gateway@.service lib/systemd/system/eku-serve.service lib/sysusers.d/eku.conf; do
		[ -e "$root/$f" ] || fail "$f not installed"
	done
	grep -q "^ExecStart=$prefix/bin/eku gateway " "$root/lib/systemd/system/eku-gateway@.service" ||
		fail "eku-gateway@.service does not run $prefix/bin/eku"
fi
if [ -d "$build/man" ]; then
	for f in share/man/man1/eku.1 share/man/man1/eku-inspect.1 share/man/man5/eku-inventory.5 \
		share/man/man5/eku-gateway.yaml.5; do
		[ -e "$root/$f" ] || fail "$f not installed"
	done
fi
[ -e "$root/share/doc/eku/examples/gateway/pki" ] && fail "demo keys (examples/gateway/pki) installed"

# The installed binary.
"$root/bin/eku" --version | grep -q "eku $(meson introspect "$build" --projectinfo |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')" || fail "eku --version"
"$root/bin/eku" plan --fail-on never "$root/share/doc/eku/examples/expressway/inventory.yaml" \
	> "$dest/plan.txt" || fail "example plan from the installed examples"
grep -q "broken\|at_risk" "$dest/plan.txt" || fail "example plan printed no findings"
"$root/bin/eku" data --help | grep -q "installed copy ($prefix/share/eku)" ||
	fail "eku does not look for its data in $prefix/share/eku"

# pkg-config against the DESTDIR: the sysroot prefix rewrites -I and -L.
export PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
cflags=$(pkg-config --cflags libeku)
libs=$(pkg-config --libs libeku)
case "$cflags $libs" in *"$dest"*) ;; *) fail "pkg-config does not point into DESTDIR: $cflags $libs";; esac
cc=${CC:-cc}
$cc -Wall -Werror -o "$dest/consumer" "$src/tests/pkg/consumer.c" $cflags $libs
LD_LIBRARY_PATH="$libdir" ldd "$dest/consumer" | grep -q "libeku.so.0 => $libdir/" ||
	fail "consumer does not load the installed libeku.so"
LD_LIBRARY_PATH="$libdir" "$dest/consumer" "$src/tests/data/leaf-dual.pem" | tee "$dest/out.txt"
grep -q "server_client\|serverAuth" "$dest/out.txt" || fail "consumer output"

# Static libeku: the localized archive, its Requires.private linked shared
# (Debian ships no complete static libpq: pkg-config --static would name
# libpgcommon and libgssapi_krb5 archives that are not installed).
private=$(pkg-config --print-requires-private libeku | awk '{print $1}')
$cc -Wall -Werror -o "$dest/consumer-static" "$src/tests/pkg/consumer.c" $cflags \
	"$libdir/libeku.a" $(pkg-config --libs libeku | sed 's/-leku//') $(pkg-config --libs $private) -pthread
"$dest/consumer-static" "$src/tests/data/leaf-dual.pem" >/dev/null || fail "static consumer"

# Every public header of the source tree is installed and stands on its own.
for h in "$src"/include/eku/*.h; do
	printf '#include <eku/%s>\nint main(void) { return 0; }\n' "$(basename "$h")" > "$dest/h.c"
	$cc -Wall -Werror -c -o "$dest/h.o" "$dest/h.c" $cflags || fail "eku/$(basename "$h") from the installed headers"
done
echo "install OK: $root"
