"""tools/skip-report.py, the closing lines of tools/test-all.sh: every test
that did not run is listed with its reason, including a case a cmocka binary
skipped while the binary as a whole passed (it would otherwise show as
passed)."""
import json
import subprocess
import sys

from conftest import ROOT


def test_skips_of_whole_tests_and_of_cmocka_cases_are_listed(tmp_path):
    log = tmp_path / "testlog.json"
    tests = [
        {"name": "eku / whole", "result": "SKIP", "stdout": "SKIP whole: corpus X absent\n", "stderr": ""},
        {"name": "eku / cases", "result": "OK",
         "stdout": "[ RUN      ] a\n[  SKIPPED ] a\n[ RUN      ] b\n[       OK ] b\n"
                   "[  SKIPPED ] 1 test(s), listed below:\n[  SKIPPED ] a\n",
         "stderr": "progress line\nSKIP: corpus Y absent\n"},
        {"name": "eku / fine", "result": "OK", "stdout": "[  PASSED  ] 2 test(s).\n", "stderr": ""},
    ]
    log.write_text("".join(json.dumps(t) + "\n" for t in tests))
    pytest_log = tmp_path / "pytest.log"
    pytest_log.write_text("SKIPPED [1] tests/integration/x_test.py:12: peer Z missing\n")
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "skip-report.py"), str(log), str(pytest_log)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = [l for l in r.stdout.splitlines() if l.startswith("SKIPPED ")]
    assert "=== skipped: 3 distinct test(s) did not run" in r.stdout
    assert "SKIPPED meson test eku / whole: corpus X absent" in lines
    assert "SKIPPED meson test eku / cases / a: corpus Y absent" in lines
    assert "SKIPPED pytest tests/integration/x_test.py:12: peer Z missing" in lines
    assert not any("fine" in l or "/ b" in l for l in lines)
