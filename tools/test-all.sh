#!/bin/sh
# Installs what the tests need, builds with warnings as errors, and runs every
# test: unit tests (plain, ASan+UBSan, TSan), integration scenarios with real
# peers, and each fuzz target for a bounded time. This is what CI runs.
set -eu
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
# Sanitizer settings for every sanitizer step (third-party leaks: see the file).
export LSAN_OPTIONS="suppressions=$PWD/tools/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

tools/install-deps.sh --test

step() { printf '\n=== %s\n' "$*"; }
# pytest output is kept so the closing lines can list every skip and its reason.
logs=$(mktemp -d)
logged() {
	log=$1
	shift
	{ rc=0; "$@" || rc=$?; echo "$rc" > "$log.rc"; } 2>&1 | tee "$log"
	[ "$(cat "$log.rc")" = 0 ]
}

step "build (gcc, -Werror)"
[ -d build ] || meson setup build -Dwerror=true
meson configure build -Dwerror=true
ninja -C build

step "unit tests"
meson test -C build --print-errorlogs

step "unit tests under AddressSanitizer + UBSan"
[ -d build-asan ] || meson setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build-asan
meson test -C build-asan --print-errorlogs

step "every integration scenario with the ASan + UBSan binary"
# Reports from eku processes (the gateway and scanner run in the background)
# go to files, so a report from a process whose exit code no test reads is
# still a failure.
asan_dir=$(mktemp -d)
logged "$logs/pytest-asan" env EKU_BIN="$PWD/build-asan/eku" \
	ASAN_OPTIONS="detect_leaks=1:log_path=$asan_dir/asan" \
	UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$asan_dir/ubsan" \
	pytest-3 -q -rs tests/integration
if ls "$asan_dir"/* > /dev/null 2>&1; then
	cat "$asan_dir"/*
	echo "sanitizer reports above"
	exit 1
fi
rm -rf "$asan_dir"

step "ThreadSanitizer: unit tests, the gateway with workers: 4, inspect and census with --jobs"
# Shared read-only objects (eku_trust, eku_cert, verify configs) used from
# several threads: tests/unit/test_threads.c and the gateway scenarios with
# four worker loops. Third-party suppressions: see tools/tsan.supp.
[ -d build-tsan ] || meson setup build-tsan -Dwerror=true -Db_sanitize=thread -Db_lundef=false
ninja -C build-tsan
tsan_dir=$(mktemp -d)
export TSAN_OPTIONS="halt_on_error=1:suppressions=$PWD/tools/tsan.supp"
meson test -C build-tsan --print-errorlogs
logged "$logs/pytest-tsan" env EKU_BIN="$PWD/build-tsan/eku" EKU_GW_WORKERS=4 \
	TSAN_OPTIONS="$TSAN_OPTIONS:log_path=$tsan_dir/tsan" pytest-3 -q -rs tests/integration/30_gateway_mtls_test.py \
	tests/integration/36_gateway_workers_threads_test.py \
	tests/integration/16_inspect_stream_test.py::test_jobs_give_the_same_bytes \
	tests/integration/16_inspect_stream_test.py::test_a_large_file_read_in_parts_reads_as_the_whole_file \
	tests/integration/14_census_test.py::test_jobs_give_the_same_document
unset TSAN_OPTIONS
if ls "$tsan_dir"/* > /dev/null 2>&1; then
	cat "$tsan_dir"/*
	echo "ThreadSanitizer reports above"
	exit 1
fi
rm -rf "$tsan_dir"

step "valgrind memcheck sweep over every command (incl. a live gateway)"
[ -d build-vg ] || meson setup build-vg -Dbuildtype=debug -Dwerror=true
ninja -C build-vg
tools/valgrind-sweep.sh

step "integration scenarios (real peers on 127.0.0.1)"
logged "$logs/pytest" env EKU_BIN="$PWD/build/eku" pytest-3 -q -rs tests/integration

step "Debian packages: build, lintian, unpack into a scratch root and use it (slow, once)"
meson test -C build --setup full --suite slow --print-errorlogs

step "fuzz targets, ${FUZZ_SECONDS}s each (clang + libFuzzer)"
[ -d build-fuzz ] || CC=clang meson setup build-fuzz -Dfuzz=true -Db_lundef=false -Dtests=disabled -Dwerror=true
meson configure build-fuzz -Dwerror=true
ninja -C build-fuzz
for f in build-fuzz/fuzz/fuzz_*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	name=$(basename "$f" | sed 's/^fuzz_//')
	work=$(mktemp -d)
	"$f" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -print_final_stats=0 "$work" "fuzz/corpus/$name" \
		> "$work.log" 2>&1 || { tail -40 "$work.log"; echo "fuzz target $name found a problem"; exit 1; }
	echo "fuzz $name: $(grep -o 'Done [0-9]* runs' "$work.log" || echo ok)"
	rm -rf "$work" "$work.log"
done

step "all tests passed"
# What did not run, and why: corpus tests without ../shared/testdata, peers
# not installed, tests that need root.
python3 tools/skip-report.py build/meson-logs/testlog.json build/meson-logs/testlog-full.json \
	build-asan/meson-logs/testlog.json \
	build-tsan/meson-logs/testlog.json "$logs/pytest-asan" "$logs/pytest-tsan" "$logs/pytest"
rm -rf "$logs"
