#!/bin/sh
# localize-static.sh IN.a OUT.a: the installed static libeku. Links every
# object of IN.a into one relocatable object and turns its hidden symbols
# (everything not marked EKU_API) into local ones, so a program linking
# libeku.a sees exactly the API the shared library exports and cannot clash
# with, or come to depend on, libeku's internal names.
set -eu
in=$1
out=$2
tmp=$out.d
rm -rf "$tmp" "$out"
mkdir -p "$tmp"
${LD:-ld} -r --whole-archive "$in" -o "$tmp/libeku.o"
${OBJCOPY:-objcopy} --localize-hidden "$tmp/libeku.o"
${AR:-ar} rcs "$out" "$tmp/libeku.o"
rm -rf "$tmp"
