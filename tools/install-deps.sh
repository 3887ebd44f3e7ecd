#!/bin/sh
# Installs the Debian 12 packages eku needs.
#   tools/install-deps.sh          build dependencies only
#   tools/install-deps.sh --test   plus test peers, sanitizers and fuzzing tools
set -eu
BUILD="gcc meson ninja-build pkg-config openssl libssl-dev libevent-dev libjansson-dev publicsuffix
libfyaml-dev libsqlite3-dev libpq-dev libcmocka-dev python3 scdoc"
TEST="groff-base bash-completion zsh fish systemd dpkg-dev debhelper fakeroot lintian bc time valgrind clang libclang-rt-14-dev python3-pytest python3-yaml python3-cryptography python3-jsonschema python3-html5lib python3-icalendar chromium curl nginx-light haproxy stunnel4 prosody postfix postgresql prometheus sqlite3 ca-certificates easy-rsa"
pkgs=$BUILD
[ "${1:-}" = "--test" ] && pkgs="$BUILD $TEST"
# shellcheck disable=SC2086
missing=$(for p in $pkgs; do dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"; done)
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
