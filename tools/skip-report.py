#!/usr/bin/env python3
"""Closing lines of tools/test-all.sh: every test that did not run, and why.

Arguments: meson testlog.json files (JSON lines, one per test) and pytest
logs run with -rs ("SKIPPED [n] file:line: reason"). A skip reported by
several builds or runs (plain, ASan, TSan) is listed once, with where it
was seen.
"""
import json
import re
import sys

PYTEST_SKIP = re.compile(r"^SKIPPED \[\d+\] (\S+?:\d+): (.*)$")


CMOCKA_SKIPPED = re.compile(r"^\[  SKIPPED \] (\S+)$")


def cmocka_skips(t):
    """Cases a cmocka binary skipped while the binary itself passed: cmocka
    lists each as "[  SKIPPED ] name" on stdout (twice); our tests print
    "SKIP: why" on stderr just before skip(), one per skipped case, so the
    n-th reason belongs to the n-th case (all reasons when the counts differ)."""
    names, reasons = [], []
    for l in (t.get("stdout") or "").splitlines():
        m = CMOCKA_SKIPPED.match(l)
        if m and m.group(1) not in names:
            names.append(m.group(1))
    reasons = [l[6:] for l in ((t.get("stderr") or "") or (t.get("stdout") or "")).splitlines()
               if l.startswith("SKIP: ")]
    for i, name in enumerate(names):
        why = reasons[i] if len(reasons) == len(names) else "; ".join(reasons) or "skipped without a reason"
        yield f"meson test {t['name']} / {name}", why


def meson_skips(path):
    for line in open(path, encoding="utf-8", errors="replace"):
        t = json.loads(line)
        if t.get("result") != "SKIP":
            yield from cmocka_skips(t)
            continue
        said = [l for l in (t.get("stdout") or "").splitlines() if l.strip()]
        why = said[-1] if said else "exit 77 without a reason"
        yield f"meson test {t['name']}", re.sub(r"^SKIP \S+: ", "", why)


def pytest_skips(path):
    for line in open(path, encoding="utf-8", errors="replace"):
        m = PYTEST_SKIP.match(line.rstrip("\n"))
        if m:
            yield f"pytest {m.group(1)}", m.group(2)


def main(paths):
    seen = {}
    for p in paths:
        try:
            found = meson_skips(p) if p.endswith(".json") else pytest_skips(p)
            for what, why in found:
                seen.setdefault((what, why), []).append(p)
        except FileNotFoundError:
            print(f"skip report: {p} missing")
    print(f"\n=== skipped: {len(seen)} distinct test(s) did not run")
    for (what, why), where in sorted(seen.items()):
        print(f"SKIPPED {what}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
