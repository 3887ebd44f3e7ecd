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


EXAMPLE = ROOT / "examples" / "expressway" / "inventory.yaml"


def export(eku_bin, tmp_path):
    out = tmp_path / "data"
    assert run([eku_bin, "data", "export", str(out)]).returncode == 0
    return out


def test_misspelt_rule_key_is_an_error_not_a_silent_ok(eku_bin, tmp_path):
    # Before product files were validated, "neds" was read as "needs nothing":
    # expe1 -> partner-sbc (b2b-sip, generic-openssl requires clientAuth) went
    # from broken to ok, and the plan exited as if the data were fine.
    data = export(eku_bin, tmp_path)
    path = data / "products" / "generic.json"
    doc = json.loads(path.read_text())
    rule = next(p for p in doc["products"] if p["id"] == "generic-openssl")["rules"][0]
    rule["neds"] = rule.pop("needs")
    path.write_text(json.dumps(doc, indent=1))
    # Positions as the file now has them: the key, and the rule object.
    lines = path.read_text().splitlines()
    key_line = next(i for i, l in enumerate(lines, 1) if '"neds"' in l)
    rule_line = next(i for i in range(key_line, 0, -1) if lines[i - 1].strip() == "{")
    key_col = lines[key_line - 1].index('"') + 1
    rule_col = lines[rule_line - 1].index("{") + 1
    for cmd in (["plan", "--at", "2026-11-27"], ["scan", "--inventory"]):
        r = run([eku_bin, cmd[0], "--data-dir", str(data), *cmd[1:], str(EXAMPLE)])
        assert r.returncode == 2, (cmd, r.stdout, r.stderr)
        assert r.stdout == ""
        assert (f"{path}:{key_line}:{key_col}: products[0].rules[0]: unknown key 'neds'; did you mean 'needs'?"
                in r.stderr), r.stderr
        assert f"{path}:{rule_line}:{rule_col}: products[0].rules[0]: 'needs' is required" in r.stderr
    # The same copy, unedited, plans as the embedded data does.
    path.write_text((ROOT / "data" / "products" / "generic.json").read_text())
    assert run([eku_bin, "data", "--data-dir", str(data)]).returncode == 0
    ours = run([eku_bin, "plan", "--at", "2026-11-27", "--data-dir", str(data), str(EXAMPLE)])
    embedded = run([eku_bin, "plan", "--at", "2026-11-27", str(EXAMPLE)])
    assert ours.returncode == embedded.returncode == 1 and ours.stdout == embedded.stdout


def test_missing_data_dir_is_an_error_for_every_command(eku_bin, tmp_path):
    # A mistyped --data-dir used to fall back to the embedded files silently.
    missing = tmp_path / "no-such-dir"
    for cmd in (["plan", str(EXAMPLE)], ["data", "list"], ["inspect", str(DATA / "leaf-dual.pem")],
                ["scan", "127.0.0.1:1"], ["verify", str(DATA / "leaf-dual.pem")]):
        r = run([eku_bin, cmd[0], "--data-dir", str(missing), *cmd[1:]])
        assert r.returncode == 2, (cmd, r.stderr)
        assert f"--data-dir {missing}: not a directory; create it with 'eku data export {missing}'" in r.stderr


def test_data_list_names_a_broken_timeline(eku_bin, tmp_path):
    # It used to list the file with "0 entries" and exit 0.
    (tmp_path / "timeline.json").write_text('{"rules": 5}')
    r = run([eku_bin, "data", "list", "--data-dir", str(tmp_path)])
    assert r.returncode == 2
    assert f'{tmp_path}/timeline.json: no "rules" array' in r.stderr
    (tmp_path / "timeline.json").write_text('{"rules": [')
    r = run([eku_bin, "data", "list", "--data-dir", str(tmp_path)])
    assert r.returncode == 2 and f"{tmp_path}/timeline.json:1:11: ']' expected" in r.stderr
