"""eku gateway --check on the shipped sample, from another working directory:
relative file names in a config are relative to the config's folder."""
import shutil

from conftest import ROOT, run


def test_sample_config_checks_from_anywhere(eku_bin, tmp_path):
    sample = tmp_path / "gateway"
    shutil.copytree(ROOT / "examples" / "gateway", sample, ignore=shutil.ignore_patterns("pki"))
    r = run(["sh", str(sample / "make-pki.sh")])
    assert r.returncode == 0, r.stderr
    r = run([eku_bin, "gateway", "--check", str(sample / "gateway.yaml")], cwd="/")
    assert r.returncode == 0, r.stderr
    assert "ok (2 route(s)" in r.stdout + r.stderr
    # A missing file is reported with its resolved path and the config position.
    (sample / "pki" / "partners-ca.pem").unlink()
    r = run([eku_bin, "gateway", "--check", str(sample / "gateway.yaml")], cwd="/")
    assert r.returncode == 2
    assert f"{sample}/pki/partners-ca.pem: cannot open" in r.stderr
    assert "gateway.yaml:" in r.stderr
