"""eku plan as the README's main job runs it, and inventory errors as users make them."""
import json
import re

from conftest import ROOT, run

EXAMPLE = ROOT / "examples" / "expressway" / "inventory.yaml"


def plan(eku_bin, *args):
    return run([eku_bin, "plan", *map(str, args)])


def test_readme_main_job(eku_bin):
    r = plan(eku_bin, "--fail-on", "never", EXAMPLE)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    # The summary line: "3 links broken, 2 at risk (first on 2027-01-09), 4 ok".
    assert re.fullmatch(r"\d+ links? broken, \d+ at risk( \(first on \d{4}-\d\d-\d\d\))?, \d+ ok"
                        r"(, \d+ not affected)?(, \d+ unknown)?", lines[1]), lines[1]
    assert lines[1] == "3 links broken, 10 at risk (first on 2027-02-15), 2 ok"
    assert lines[2].startswith("nodes: ")
    # 80 columns, except the source list (URLs do not wrap).
    wide = [l for l in lines if len(l) > 80 and not re.match(r"  ref \d+ ", l)]
    assert not wide, wide
    assert "ref 1" in r.stdout and "https://" not in r.stdout.split("\nSources\n")[0]
    # One upgrade for the E/C pair: X15.5 covers X15.4's fixes.
    doc = json.loads(plan(eku_bin, "--format", "json", EXAMPLE).stdout)
    ups = [a for a in doc["actions"] if a["action"].startswith("Upgrade ")]
    assert len(ups) == 1 and "X15.5 covers X15.4's fixes" in ups[0]["action"], ups
    assert ups[0]["by"] == "2026-11-27" and "link:mra-sip:expc1->expe1" in ups[0]["finding_ids"]
    # Exit status follows --fail-on: findings at or above at_risk -> 1.
    assert plan(eku_bin, EXAMPLE).returncode == 1


def test_json_shape_and_ordering(eku_bin):
    r = plan(eku_bin, "--format", "json", "--at", "2026-11-27", EXAMPLE)
    doc = json.loads(r.stdout)
    assert doc["schema"] == "eku/1" and doc["at"].startswith("2026-11-27")
    for f in doc["findings"]:
        assert {"id", "kind", "subject", "severity", "breaks_on", "reasons", "explanation",
                "options"} <= f.keys()
        assert f["kind"] in ("link", "node")
        assert f["severity"] in ("broken", "at_risk", "ok", "not_affected", "unknown")
        assert [o["id"] for o in f["options"]] in ([], ["A", "B", "C", "D"])
    # at_risk findings with a date come in date order.
    dates = [f["breaks_on"] for f in doc["findings"] if f["severity"] == "at_risk" and f["breaks_on"]]
    assert dates == sorted(dates)
    s = doc["summary"]
    assert s["broken"] == sum(f["severity"] == "broken" for f in doc["findings"])
    assert all(a["finding_ids"] for a in doc["actions"])


def test_later_date_breaks_more(eku_bin):
    now = json.loads(plan(eku_bin, "--format", "json", "--at", "2026-11-27", EXAMPLE).stdout)
    later = json.loads(plan(eku_bin, "--format", "json", "--at", "2027-10-01", EXAMPLE).stdout)
    assert later["summary"]["broken"] > now["summary"]["broken"]


def test_markdown(eku_bin):
    r = plan(eku_bin, "--format", "md", "--fail-on", "never", EXAMPLE)
    assert r.returncode == 0 and r.stdout.startswith("# eku plan: Example Corp edge\n")
    assert "\n- 3 links broken, 10 at risk (first on 2027-02-15), 2 ok\n" in r.stdout
    assert "\n## Findings\n" in r.stdout and "\n## Actions\n" in r.stdout
    # Every table row has the header's number of cells.
    for line in r.stdout.splitlines():
        if line.startswith("| severity"):
            cells = 4
        elif line.startswith("| by |"):
            cells = 3
        if line.startswith("|"):
            assert line.replace("\\|", "").count("|") == cells + 1, line


def test_far_ahead_renews_instead_of_expiring(eku_bin):
    doc = json.loads(plan(eku_bin, "--format", "json", "--at", "2027-10-01", EXAMPLE).stdout)
    reasons = [r for f in doc["findings"] for r in f["reasons"]]
    assert "EXPIRED" not in reasons and "RENEWAL_DUE" in reasons
    mra = next(f for f in doc["findings"] if f["id"] == "link:mra-sip:expc1->expe1")
    assert mra["severity"] == "broken" and "judged as its owner will hold it then" in mra["explanation"]


def test_inventory_errors_all_at_once(eku_bin, tmp_path):
    inv = tmp_path / "inv.yaml"
    # certificates are optional since issue 8, so the third problem is a date.
    inv.write_text("deployment: x\nnodez: []\nnodes:\n  - name: a\n    product: expresway-e\nat: 1969-07-20\n")
    r = plan(eku_bin, inv)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert f"{inv}:2:1:" in lines[0] and "did you mean 'nodes'" in lines[0]
    assert any(f"{inv}:5:14:" in l and "did you mean 'expressway-e'" in l for l in lines)
    assert any(f"{inv}:6:5: at: '1969-07-20' is not a date between 1970-01-01" in l for l in lines)
    assert len(lines) >= 3


def test_missing_inventory(eku_bin, tmp_path):
    r = plan(eku_bin, tmp_path / "nope.yaml")
    assert r.returncode == 2 and "nope.yaml" in r.stderr


def test_at_outside_1970_9999_refused(eku_bin):
    # Issue 8: "--at 0000-01-01" used to print "at 0-01-01" and judge.
    for at in ("0000-01-01", "1969-12-31", "+202-01-01"):
        r = plan(eku_bin, "--at", at, EXAMPLE)
        assert r.returncode == 2, (at, r.stdout)
        assert r.stdout == "" and f"--at {at}: not a date between 1970-01-01 and 9999-12-31" in r.stderr


def test_reversed_and_duplicate_links_refused(eku_bin, tmp_path):
    # Issue 8: a C -> E kind written E -> C, and the same link twice, are
    # inventory errors (exit 2, nothing judged), each at its file:line:column.
    inv = tmp_path / "inv.yaml"
    inv.write_text(
        "nodes:\n"
        "  - { name: expe1, product: expressway-e, version: X15.5.0 }\n"
        "  - { name: expc1, product: expressway-c, version: X15.5.0 }\n"
        "links:\n"
        "  - { kind: mra-sip, client: expe1, server: expc1 }\n"
        "  - { kind: sip-neighbor, client: expc1, server: expe1 }\n"
        "  - { kind: sip-neighbor, client: expc1, server: expe1 }\n")
    r = plan(eku_bin, "--no-system", inv)
    assert r.returncode == 2 and r.stdout == "", r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert f"{inv}:5:30: link mra-sip is reversed" in lines[0] and "swap client and server" in lines[0]
    assert f"{inv}:7:7: link sip-neighbor expc1 -> expe1 is listed twice (first at line 6)" in lines[1]


def test_node_without_certificate(eku_bin, tmp_path):
    # Issue 8: a partner's node may come without certificates; the links that
    # need its certificate are unknown (CERT_UNKNOWN), listed as not read.
    inv = tmp_path / "inv.yaml"
    inv.write_text(
        "at: 2026-11-27\n"
        "nodes:\n"
        "  - { name: partner-sbc, product: generic-openssl }\n"
        "  - { name: expe1, product: expressway-e, version: X15.5.0 }\n"
        "links:\n"
        "  - { kind: b2b-sip, client: partner-sbc, server: expe1 }\n")
    r = plan(eku_bin, "--no-system", "--format", "json", inv)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    f = {x["id"]: x for x in doc["findings"]}
    link = f["link:b2b-sip:partner-sbc->expe1"]
    assert link["severity"] == "unknown" and "CERT_UNKNOWN" in link["reasons"]
    assert "eku scan" in link["explanation"] and "certificates.server" in link["explanation"]
