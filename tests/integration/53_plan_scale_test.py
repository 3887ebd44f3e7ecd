"""eku plan output stays linear in the inventory (issue 8).

Option D and the upgrade actions used to list every Expressway of the
inventory in every finding, so output grew with the square of the node count.
Now they name the finding's upgrade group (the nodes that must share a
version) and the JSON lists each group once under upgrade_groups.
"""
import json
import re

from conftest import ROOT, run

LAB = ROOT / "examples" / "expressway"
E_CERT = LAB / "certs" / "expe1.pem"   # Let's Encrypt lab root, serverAuth only
C_CERT = LAB / "certs" / "cucm1.pem"   # corporate root, both EKUs
HEAD = f"""at: 2026-11-27
public_roots:
  - {{ file: {LAB}/lab/fake-le-root.pem, ca_vendor: letsencrypt }}
private_roots:
  - {LAB}/lab/corp-root.pem
"""
NAME = re.compile(r"\bexp[ce]\d+[ab]?\b")


def pairs_inventory(path, n):
    """n independent Expressway-C/E pairs, each joined by an MRA link that is
    broken today (E's serverAuth-only certificate, C before X15.4)."""
    nodes, links = [], []
    for i in range(n):
        for side, prod, cert in (("e", "expressway-e", E_CERT), ("c", "expressway-c", C_CERT)):
            nodes.append(f"  - {{ name: exp{side}{i}, product: {prod}, version: X15.3.2, "
                         f"certificates: {{ server: {cert} }} }}")
        links.append(f"  - {{ kind: mra-sip, client: expc{i}, server: expe{i} }}")
    path.write_text(HEAD + "nodes:\n" + "\n".join(nodes) + "\nlinks:\n" + "\n".join(links) + "\n")
    return path


def plan(eku_bin, *args):
    r = run([eku_bin, "plan", *map(str, args)])
    assert r.returncode in (0, 1), r.stderr
    return r.stdout


def test_output_linear_in_pairs(eku_bin, tmp_path):
    small = pairs_inventory(tmp_path / "small.yaml", 200)
    large = pairs_inventory(tmp_path / "large.yaml", 2000)
    for fmt in ("text", "json"):
        a = len(plan(eku_bin, "--format", fmt, small))
        b = len(plan(eku_bin, "--format", fmt, large))
        # 10x the nodes: ~10x the output; quadratic output would be ~100x
        assert b / a < 15, (fmt, a, b)


def test_nothing_lists_more_than_its_group(eku_bin, tmp_path):
    inv = pairs_inventory(tmp_path / "inv.yaml", 300)
    # no text line names more than one pair's nodes
    for line in plan(eku_bin, "--fail-on", "never", inv).splitlines():
        assert len(set(NAME.findall(line))) <= 2, line
    doc = json.loads(plan(eku_bin, "--format", "json", inv))
    assert len(doc["upgrade_groups"]) == 300
    assert all(len(g["members"]) == 2 for g in doc["upgrade_groups"]), "each pair is its own group"
    group_of = {n: set(g["members"]) for g in doc["upgrade_groups"] for n in g["members"]}
    for f in doc["findings"]:
        pair = set().union(*(group_of[n] for n in NAME.findall(f["id"])))
        for o in f["options"]:
            assert set(NAME.findall(o["why"])) <= pair, (f["id"], o["id"], o["why"])
    ups = [a for a in doc["actions"] if a["action"].startswith("Upgrade ")]
    # two independent pairs upgrade independently: one upgrade per pair
    assert len(ups) == 300
    for a in ups:
        names = set(NAME.findall(a["action"]))
        assert len(names) == 2 and names == {n for i in a["finding_ids"] for n in NAME.findall(i)}, a


def test_large_group_named_by_id_and_listed_once(eku_bin, tmp_path):
    # Four clustered Expressway-C and four clustered Expressway-E, linked
    # C->E: eight nodes that must share a version. A second, independent pair.
    cs = [f"expc{i}a" for i in range(4)]
    es = [f"expe{i}a" for i in range(4)]
    nodes = []
    for names, prod, cert in ((es, "expressway-e", E_CERT), (cs, "expressway-c", C_CERT)):
        for n in names:
            peers = ", ".join(x for x in names if x != n)
            nodes.append(f"  - {{ name: {n}, product: {prod}, version: X15.3.2, cluster: [{peers}], "
                         f"settings: {{ cluster_tls_verify: permissive }}, certificates: {{ server: {cert} }} }}")
    nodes += [f"  - {{ name: expe9b, product: expressway-e, version: X15.3.2, certificates: {{ server: {E_CERT} }} }}",
              f"  - {{ name: expc9b, product: expressway-c, version: X15.3.2, certificates: {{ server: {C_CERT} }} }}"]
    links = ["  - { kind: mra-sip, client: expc0a, server: expe0a }",
             "  - { kind: uc-traversal, client: expc1a, server: expe1a }",
             "  - { kind: mra-sip, client: expc9b, server: expe9b }"]
    inv = tmp_path / "inv.yaml"
    inv.write_text(HEAD + "nodes:\n" + "\n".join(nodes) + "\nlinks:\n" + "\n".join(links) + "\n")
    doc = json.loads(plan(eku_bin, "--format", "json", inv))
    assert doc["upgrade_groups"] == [
        {"id": "G1", "name": "the 8 nodes of upgrade group G1", "members": sorted(es + cs)},
        {"id": "G2", "name": "expc9b, expe9b", "members": ["expc9b", "expe9b"]}]
    mra = next(f for f in doc["findings"] if f["id"] == "link:mra-sip:expc0a->expe0a")
    d = mra["options"][3]["why"]
    assert "so the 8 nodes of upgrade group G1 upgrade together" in d and "expc1a" not in d, d
    ups = sorted(a["action"] for a in doc["actions"] if a["action"].startswith("Upgrade "))
    assert len(ups) == 2 and ups[0].startswith("Upgrade expc9b, expe9b to ") and \
        ups[1].startswith("Upgrade the 8 nodes of upgrade group G1 to "), ups
    text = plan(eku_bin, "--fail-on", "never", inv)
    listed = text.split("\nUpgrade groups")[1]
    assert "G1" in listed and all(n in listed for n in es + cs) and "G2" not in listed
