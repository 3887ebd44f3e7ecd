"""The published contracts of eku plan: docs/schema/inventory.schema.json and
docs/schema/plan.schema.json.

Every inventory the plan scenarios use (the shipped example, the ones
50_plan_cli_test.py writes, and the cases below) is validated against the
inventory schema, and eku plan's JSON for each of them, on several dates and
with --assume-renewed, against the plan schema. Inventories eku rejects for a
key or a value must be rejected by the schema too, and the negative cases show
the schemas can fail.
"""
import copy
import importlib
import inspect
import json
from pathlib import Path

import pytest

from conftest import ROOT, run

yaml = pytest.importorskip("yaml", reason="python3-yaml not installed (tools/install-deps.sh)")
jsonschema = pytest.importorskip("jsonschema", reason="python3-jsonschema not installed")

SCHEMA_DIR = ROOT / "docs" / "schema"
EXAMPLE = ROOT / "examples" / "expressway" / "inventory.yaml"
CERTS = ROOT / "examples" / "expressway"
DATA = ROOT / "data"
# Dates either side of the cut-offs in data/timeline.json, and far ahead.
PLAN_ARGS = [
    (),
    ("--at", "2026-03-01"),
    ("--at", "2027-03-15"),
    ("--at", "2029-06-01"),
    ("--assume-renewed",),
    ("--assume-renewed", "--at", "2027-10-01"),
]


def validator(name):
    schema = json.loads((SCHEMA_DIR / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


INVENTORY = validator("inventory.schema.json")
PLAN = validator("plan.schema.json")


def load_inventory(text):
    """The inventory as eku sees it: every scalar is text (libfyaml), so
    BaseLoader, not YAML 1.1's on/off booleans and date objects."""
    return yaml.load(text, Loader=yaml.BaseLoader)


def errors(v, doc):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(doc)]


def plan(eku_bin, *args):
    return run([eku_bin, "plan", "--no-system", "--fail-on", "never", *map(str, args)])


# --- inventories -------------------------------------------------------------

def cert(name):
    return str(CERTS / "certs" / name)


ROOTS = {
    "public_roots": [{"file": str(CERTS / "lab" / "fake-le-root.pem"), "ca_vendor": "letsencrypt"},
                     {"file": str(CERTS / "lab" / "fake-digicert-root.pem"), "ca_vendor": "digicert"}],
    "private_roots": [str(CERTS / "lab" / "corp-root.pem")],
}

# Named cases that reach the parts of the schema the example does not.
EXTRA = {
    "X15.5 pair, EKU checking off, separate client certificate, webrtc": {
        "at": "2026-11-27T12:00:00Z",
        "nodes": [
            {"name": "e", "product": "expressway-e", "version": "X15.5.1",
             "settings": {"eku_checking": "off", "server_eku_upload": "on", "cluster_tls_verify": "off"},
             "certificates": {"server": cert("expe1.pem"), "client": cert("expc2.pem")}},
            {"name": "c", "product": "expressway-c", "version": "X15.5.1",
             "settings": {"eku_checking": "off"},
             "certificates": {"server": cert("expc1.pem"), "client": cert("expc2.pem")}},
        ],
        "links": [{"kind": "webrtc", "client": "c", "server": "e"},
                  {"kind": "uc-traversal", "client": "c", "server": "e", "tls_verify": "on"},
                  {"kind": "ssh-tunnel", "client": "c", "server": "e"},
                  {"kind": "generic-mtls", "client": "e", "server": "c", "tls_verify": "permissive"}],
    },
    "X14 and X15.4 mismatch, cluster as a single name": {
        "nodes": [
            {"name": "e1", "product": "expressway-e", "version": "X15.4.0", "cluster": "e2",
             "settings": {"server_eku_upload": "on"}, "certificates": {"server": cert("expe1.pem")}},
            {"name": "e2", "product": "expressway-e", "version": "X15.4.0", "cluster": ["e1"],
             "certificates": {"server": cert("expe2.pem")}},
            {"name": "c1", "product": "expressway-c", "version": "X14.3.7",
             "certificates": {"server": cert("expc1.pem")}},
        ],
        "links": [{"kind": "mra-sip", "client": "c1", "server": "e1"},
                  {"kind": "uc-traversal", "client": "c1", "server": "e2", "tls_verify": "off"}],
    },
    "eku gateway policies, ACME profiles, host:port certificates": {
        "deployment": "gateway lab",
        "at": "2026-06-01",
        "nodes": [
            {"name": "gw1", "product": "eku-gateway",
             "settings": {"eku_policy": "ignore-client-eku", "allow_list": "on"},
             "certificates": {"server": cert("cms1.pem")}},
            {"name": "gw2", "product": "eku-gateway", "settings": {"eku_policy": "permissive"},
             "certificates": {"server": cert("cms1.pem")}},
            {"name": "gw3", "product": "eku-gateway", "settings": {"eku_policy": "off"},
             "certificates": {"server": cert("cms1.pem")}},
            {"name": "app", "product": "generic-openssl", "version": "nginx 1.22",
             "certificates": {"server": cert("partner-sbc.pem")},
             "acme": {"enabled": "true", "ca": "letsencrypt", "profile": "tlsclient"}},
            {"name": "far", "product": "other", "certificates": {"server": "far.example:5061"},
             "acme": {"enabled": "no"}},
            {"name": "uni", "product": "unity", "certificates": {"server": cert("cucm1.pem")},
             "acme": {"enabled": "yes", "ca": "digicert", "profile": "anything"}},
            {"name": "sbc", "product": "cube", "certificates": {"server": cert("partner-sbc.pem")}},
            {"name": "x", "product": "prosody", "certificates": {"server": cert("partner-xmpp.pem")}},
            {"name": "cloud", "product": "webex", "certificates": {"server": cert("partner-sbc.pem")}},
        ],
        "links": [{"kind": "generic-mtls", "client": "app", "server": "gw1"},
                  {"kind": "generic-mtls", "client": "app", "server": "gw2"},
                  {"kind": "generic-mtls", "client": "far", "server": "gw3"},
                  {"kind": "b2b-sip", "client": "uni", "server": "sbc"},
                  {"kind": "xmpp-federation", "client": "app", "server": "x"},
                  {"kind": "webex", "client": "app", "server": "cloud"},
                  {"kind": "b2b-sip", "client": "sbc", "server": "cloud"}],
    },
}


def write_inventory(tmp_path, name, doc):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def rebased(doc, base):
    """The inventory with its relative file names made absolute, so it can be
    written anywhere."""
    doc = copy.deepcopy(doc)

    def fix(s):
        return s if Path(s).is_absolute() or ":" in s and not (base / s).exists() else str(base / s)
    for r in doc.get("public_roots", []):
        r["file"] = fix(r["file"])
    doc["private_roots"] = [fix(s) for s in doc.get("private_roots", [])]
    for n in doc.get("nodes", []):
        for role, spec in n.get("certificates", {}).items():
            n["certificates"][role] = fix(spec)
    return doc


@pytest.fixture(scope="session")
def recorded_50(eku_bin, tmp_path_factory):
    """The inventories 50_plan_cli_test.py hands to eku plan, collected by
    running its tests with eku plan's invocations recorded: (text, path)
    pairs of every inventory file that existed when eku read it."""
    mod = importlib.import_module("50_plan_cli_test")
    seen = {}
    real_run = mod.run

    def recording_run(cmd, **kw):
        if len(cmd) > 2 and cmd[1] == "plan":
            path = Path(cmd[-1])
            if path.is_file():
                seen.setdefault(str(path), path.read_text())
        return real_run(cmd, **kw)

    mod.run = recording_run
    try:
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if not name.startswith("test_"):
                continue
            args = {"eku_bin": eku_bin, "tmp_path": tmp_path_factory.mktemp(name)}
            params = inspect.signature(fn).parameters
            if not set(params) <= set(args):
                continue
            try:
                fn(**{k: args[k] for k in params})
            except AssertionError:
                pass  # 50 reports its own failures; only its inventories matter here
    finally:
        mod.run = real_run
    assert str(EXAMPLE) in seen, "50_plan_cli_test.py no longer plans the example"
    return seen


@pytest.fixture(scope="session")
def inventories(recorded_50, tmp_path_factory):
    """Inventories eku plan accepts: {label: path}."""
    tmp = tmp_path_factory.mktemp("extra")
    out = {"example": EXAMPLE}
    for path in recorded_50:
        if Path(path) != EXAMPLE:
            out[f"50:{Path(path).name}"] = Path(path)
    for i, (name, doc) in enumerate(EXTRA.items()):
        out[name] = write_inventory(tmp, f"extra{i}", {**ROOTS, **doc})
    return out


def test_extra_cases_are_accepted_by_eku(eku_bin, inventories):
    for name in EXTRA:
        r = plan(eku_bin, inventories[name])
        assert r.returncode == 0, f"{name}: {r.stderr}"


def test_inventories_match_the_schema(eku_bin, inventories):
    checked = 0
    for label, path in inventories.items():
        r = plan(eku_bin, path)
        if r.returncode == 2:
            continue  # an inventory error case of 50: see the next test
        assert r.returncode == 0, f"{label}: {r.stderr}"
        assert errors(INVENTORY, load_inventory(path.read_text())) == [], label
        checked += 1
    assert checked >= 1 + len(EXTRA)


def test_schema_rejects_what_eku_rejects_for_keys_and_values(eku_bin, recorded_50):
    """50's broken inventories: when eku names an unknown key or value, the
    schema must fail too."""
    for path, text in recorded_50.items():
        r = plan(eku_bin, path)
        if r.returncode == 2 and ("unknown key" in r.stderr or "unknown value" in r.stderr):
            assert errors(INVENTORY, load_inventory(text)), f"{path} passes the schema:\n{r.stderr}"


def test_plan_json_matches_the_schema(eku_bin, inventories):
    for label, path in inventories.items():
        if plan(eku_bin, path).returncode == 2:
            continue
        for args in PLAN_ARGS:
            r = plan(eku_bin, "--format", "json", *args, path)
            assert r.returncode == 0, f"{label} {args}: {r.stderr}"
            doc = json.loads(r.stdout)
            assert errors(PLAN, doc) == [], f"{label} {args}"
            check_summary(doc, f"{label} {args}")


def check_summary(doc, what):
    """summary.links / .nodes count the findings of their kind; the totals
    are their sum (the text output prints the same two lines)."""
    s = doc["summary"]
    for sev in ("broken", "at_risk", "unknown", "ok", "not_affected"):
        for kind, key in (("link", "links"), ("node", "nodes")):
            n = sum(f["kind"] == kind and f["severity"] == sev for f in doc["findings"])
            assert s[key][sev] == n, f"{what}: summary.{key}.{sev}"
        assert s[sev] == s["links"][sev] + s["nodes"][sev], f"{what}: summary.{sev}"
    firsts = [x for x in (s["links"]["first_break"], s["nodes"]["first_break"]) if x]
    assert s["first_break"] == (min(firsts) if firsts else None), what


def test_text_summary_lines_match_json(eku_bin):
    text = plan(eku_bin, EXAMPLE).stdout.splitlines()
    s = json.loads(plan(eku_bin, "--format", "json", EXAMPLE).stdout)["summary"]
    assert text[1].startswith(f"{s['links']['broken']} links broken, {s['links']['at_risk']} at risk")
    assert text[2].startswith(f"nodes: {s['nodes']['broken']} broken, {s['nodes']['at_risk']} at risk")


def test_plan_json_names_its_data(eku_bin):
    doc = json.loads(plan(eku_bin, "--format", "json", EXAMPLE).stdout)
    timeline = json.loads((DATA / "timeline.json").read_text())
    assert doc["data"]["timeline"] == {"schema": timeline["schema"], "as_of": timeline["as_of"]}
    assert doc["data"]["products"]["schema"] == "eku-products/1"
    assert doc["data"]["dir"] is None


# --- the schemas follow the data --------------------------------------------

def products():
    out = []
    for f in json.loads((DATA / "products" / "index.json").read_text())["files"]:
        out += json.loads((DATA / f).read_text())["products"]
    return out


def test_inventory_schema_enums_follow_the_data():
    schema = INVENTORY.schema
    d = schema["$defs"]
    assert d["node"]["properties"]["product"]["enum"] == [p["id"] for p in products()]
    generic = json.loads((DATA / "products" / "generic.json").read_text())
    assert d["link"]["properties"]["kind"]["enum"] == list(generic["link_kinds"])
    vendors = json.loads((DATA / "ca-vendors.json").read_text())["vendors"]
    assert d["vendor"]["enum"] == [v["id"] for v in vendors]
    rules = json.loads((DATA / "timeline.json").read_text())["rules"]
    le = sorted({r["profile"] for r in rules if r.get("profile") and r["authority"] == "letsencrypt"})
    assert d["acme"]["allOf"][1]["then"]["properties"]["profile"]["enum"] == le
    by_product = {c["if"]["properties"]["product"]["const"]: c["then"] for c in d["node"]["allOf"]}
    for p in products():
        props = by_product[p["id"]]["properties"]["settings"]["properties"]
        want = p.get("settings") or {}
        assert list(props) == list(want), p["id"]
        for k, v in want.items():
            assert props[k]["enum"] == v["values"] and props[k]["default"] == v["default"], (p["id"], k)
        assert ("version" in by_product[p["id"]].get("required", [])) == ("family" in p), p["id"]


# --- negative cases: the schemas can fail -----------------------------------

def example():
    return rebased(load_inventory(EXAMPLE.read_text()), EXAMPLE.parent)


def node(doc, name):
    return next(n for n in doc["nodes"] if n["name"] == name)


# name -> mutation of the example; eku rejects each with exit status 2 too.
BAD_INVENTORIES = {
    "unknown top-level key": lambda d: d.update(nodez=[]),
    "unknown node key": lambda d: node(d, "expe1").update(role="edge"),
    "unknown product": lambda d: node(d, "cucm1").update(product="expresway-e"),
    "Expressway without a version": lambda d: node(d, "expc1").pop("version"),
    "setting of another product": lambda d: node(d, "expc1")["settings"].update(server_eku_upload="on"),
    "setting on a product without settings": lambda d: node(d, "cucm1").update(settings={"eku_checking": "off"}),
    "setting value": lambda d: node(d, "expe2")["settings"].update(cluster_tls_verify="strict"),
    "ignore-client-eku without an allow-list": lambda d: d["nodes"].append(
        {"name": "gw", "product": "eku-gateway", "settings": {"eku_policy": "ignore-client-eku"},
         "certificates": {"server": cert("cms1.pem")}}),
    "ACME enabled without a CA": lambda d: node(d, "expe1")["acme"].pop("ca"),
    "ACME CA unknown": lambda d: node(d, "expe1")["acme"].update(ca="lets-encrypt"),
    "Let's Encrypt profile unknown": lambda d: node(d, "expe1")["acme"].update(profile="shortlived"),
    "ACME enabled not a boolean": lambda d: node(d, "expe1")["acme"].update(enabled="maybe"),
    "certificate key": lambda d: node(d, "cms1")["certificates"].update(ca=cert("cms1.pem")),
    "link kind": lambda d: d["links"][0].update(kind="traversal"),
    "link tls_verify": lambda d: d["links"][0].update(tls_verify="strict"),
    "link key": lambda d: d["links"][0].update(port="7001"),
    "link without server": lambda d: d["links"][0].pop("server"),
    "public root vendor": lambda d: d["public_roots"][0].update(ca_vendor="isrg"),
    "public root key": lambda d: d["public_roots"][0].update(path="x.pem"),
    "at not a date": lambda d: d.update(at="27/11/2026"),
    "nodes missing": lambda d: d.pop("nodes"),
}


@pytest.mark.parametrize("name", BAD_INVENTORIES)
def test_inventory_schema_rejects(name, eku_bin, tmp_path):
    doc = example()
    assert errors(INVENTORY, doc) == []
    BAD_INVENTORIES[name](doc)
    assert errors(INVENTORY, doc), f"schema accepts: {name}"
    r = plan(eku_bin, write_inventory(tmp_path, "bad", doc))
    assert r.returncode == 2, f"eku accepts what the schema rejects ({name}): {r.stdout[:200]}"


def finding0(d):
    return d["findings"][0]


BAD_PLANS = {
    "unknown top-level key": lambda d: d.update(extra=1),
    "severity": lambda d: finding0(d).update(severity="critical"),
    "finding kind": lambda d: finding0(d).update(kind="cluster"),
    "unknown finding key": lambda d: finding0(d).update(note="x"),
    "reason code in lower case": lambda d: finding0(d)["reasons"].append("client_eku_missing"),
    "breaks_on as a time": lambda d: finding0(d).update(breaks_on="2027-03-01T00:00:00Z"),
    "three options": lambda d: finding0(d)["options"].pop(),
    "options out of order": lambda d: finding0(d)["options"].reverse(),
    "option date": lambda d: finding0(d)["options"][1].update(renew_by="soon"),
    "option without its dates": lambda d: finding0(d)["options"][0].pop("lasts_until"),
    "summary without nodes": lambda d: d["summary"].pop("nodes"),
    "negative count": lambda d: d["summary"]["links"].update(broken=-1),
    "action without findings": lambda d: d["actions"][0].update(finding_ids=[]),
    "schema version": lambda d: d.update(schema="eku/2"),
    "data as_of": lambda d: d["data"]["timeline"].update(as_of="November 2026"),
}


@pytest.mark.parametrize("name", BAD_PLANS)
def test_plan_schema_rejects(name, eku_bin):
    doc = json.loads(plan(eku_bin, "--format", "json", EXAMPLE).stdout)
    assert errors(PLAN, doc) == [] and finding0(doc)["options"]
    BAD_PLANS[name](doc)
    assert errors(PLAN, doc), f"schema accepts: {name}"
