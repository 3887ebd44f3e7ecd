"""eku data: list, export, and file-by-file overrides with --data-dir."""
import json

from conftest import ROOT, run

DATA = ROOT / "tests" / "data"


def test_list_names_every_embedded_file(eku_bin):
    r = run([eku_bin, "data", "--format", "json"])
    assert r.returncode == 0, r.stderr
    files = {f["name"]: f for f in json.loads(r.stdout)["files"]}
    for name in ("chrome-root-store.csv", "ca-vendors.json", "alt-roots.json"):
        assert files[name]["origin"] == "embedded"
    # The Chrome snapshot holds every root of the shared CSV.
    assert files["chrome-root-store.csv"]["entries"] == 104


def test_export_then_override_one_file(eku_bin, tmp_path):
    out = tmp_path / "data"
    r = run([eku_bin, "data", "export", str(out)])
    assert r.returncode == 0, r.stderr
    assert (out / "ca-vendors.json").read_bytes() == (ROOT / "data" / "ca-vendors.json").read_bytes()
    # Exporting again refuses to overwrite without --force.
    r = run([eku_bin, "data", "export", str(out)])
    assert r.returncode == 2 and "--force" in r.stderr
    assert run([eku_bin, "data", "export", "--force", str(out)]).returncode == 0

    # Only the vendor table overridden: Let's Encrypt renamed; the rest embedded.
    only = tmp_path / "only"
    only.mkdir()
    vendors = json.loads((out / "ca-vendors.json").read_text())
    for v in vendors["vendors"]:
        if v["id"] == "letsencrypt":
            v["name"] = "ISRG Let's Encrypt (edited)"
    (only / "ca-vendors.json").write_text(json.dumps(vendors))
    r = run([eku_bin, "data", "--data-dir", str(only), "--format", "json"])
    origins = {f["name"]: f["origin"] for f in json.loads(r.stdout)["files"]}
    assert origins["ca-vendors.json"].endswith("only/ca-vendors.json")
    assert origins["chrome-root-store.csv"] == "embedded"
    r = run([eku_bin, "inspect", "--no-system", "--data-dir", str(only), "--format", "jsonl",
             str(DATA / "leaf-fake-le-server.pem")])
    assert json.loads(r.stdout)["ca_vendor_name"] == "ISRG Let's Encrypt (edited)"


def test_broken_override_names_the_file_and_line(eku_bin, tmp_path):
    (tmp_path / "ca-vendors.json").write_text('{"vendors": [ {"id": "x",, } ]}')
    r = run([eku_bin, "inspect", "--no-system", "--data-dir", str(tmp_path), str(DATA / "leaf-dual.pem")])
    assert r.returncode == 2
    assert f"{tmp_path}/ca-vendors.json:1:" in r.stderr
