"""eku report as a person sees it: the page of examples/expressway parsed by a
strict HTML parser, rendered by headless Chromium at 1280x800 and 390x844
(screenshots kept under build/test-artifacts/report/, no horizontal overflow
at either width), the chart's rows and today marker, every finding's text;
the calendar read by python3-icalendar; hostile strings shown as text; a bad
plan.json refused with the field's path."""
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, run

EXAMPLE = ROOT / "examples" / "expressway" / "inventory.yaml"
RLO = "\u202e"


def report(eku_bin, *args):
    return run([eku_bin, "report", *map(str, args)])


def artifacts(eku_bin):
    out = Path(eku_bin).parent / "test-artifacts" / "report"
    out.mkdir(parents=True, exist_ok=True)
    return out


def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    return path


def parse_strict(text):
    html5lib = pytest.importorskip("html5lib", reason="python3-html5lib not installed (tools/install-deps.sh --test)")
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(text)  # raises on the first parse error


def elements(tree, tag):
    """Elements named tag, in the HTML or the SVG namespace."""
    return [e for e in tree.iter() if isinstance(e.tag, str) and e.tag.split("}")[-1] == tag]


def text_of(tree):
    return re.sub(r"\s+", " ", "".join(tree.itertext()))


@pytest.fixture(scope="module")
def page(eku_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    r = report(eku_bin, EXAMPLE, "-o", out)
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def plan_doc(eku_bin):
    r = run([eku_bin, "plan", "--format", "json", EXAMPLE])
    return json.loads(r.stdout)


def test_strict_html_and_self_contained(page):
    text = page.read_text()
    tree = parse_strict(text)
    # One file: nothing loaded from anywhere, no script, no inline handlers.
    assert tree.find(".//script") is None
    assert not re.search(r"\son[a-z]+\s*=", text)
    assert not re.search(r"""(src|href)=["'](?!#|https?://)""", text.replace('href="#', ""))
    assert tree.find(".//link") is None and tree.find(".//img") is None
    csp = [m for m in elements(tree, "meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0].get("content")


def test_chart_rows_today_and_every_finding(page, plan_doc):
    tree = parse_strict(page.read_text())
    rows = [g for g in elements(tree, "g") if "cert-row" in (g.get("class") or "").split()]
    certs = plan_doc["chart"]["certificates"]
    assert len(rows) == len(certs) == 9
    assert [(g.get("data-node"), g.get("data-role")) for g in rows] == [(c["node"], c["role"]) for c in certs]
    today = [g for g in elements(tree, "g") if g.get("id") == "today-marker"]
    assert len(today) == 1 and "today 2026-11-27" in text_of(today[0])
    # The renewal that drops clientAuth is marked on expc1's row, on its break day.
    expc1 = next(g for g in rows if g.get("data-node") == "expc1")
    assert "drops clientAuth 2027-02-15" in text_of(expc1)
    body = text_of(tree)
    for f in plan_doc["findings"]:
        assert re.sub(r"\s+", " ", f["explanation"]) in body, f["id"]
        assert f["subject"] in body
        for o in f["options"]:
            assert re.sub(r"\s+", " ", o["why"]) in body
    for a in plan_doc["actions"]:
        assert a["action"] in body
    # Sources are links.
    hrefs = {a.get("href") for a in elements(tree, "a")}
    assert "https://letsencrypt.org/upcoming-features/" in hrefs
    assert plan_doc["data"]["timeline"]["as_of"] in body


def measure(chrome, page, width, height, tmp_path):
    """Loads the page in an iframe of the given size and records its document
    scroll width (the page itself runs no script: its CSP forbids it)."""
    wrap = tmp_path / f"wrap-{width}.html"
    wrap.write_text(f"""<!DOCTYPE html><html><body style="margin:0">
<iframe id="r" src="{page.as_uri()}" style="border:0;width:{width}px;height:{height}px"></iframe>
<script>document.getElementById("r").addEventListener("load", function () {{
  var d = this.contentDocument.documentElement;
  document.body.setAttribute("data-m", d.scrollWidth + " " + d.clientWidth);
}});</script></body></html>""")
    r = subprocess.run([chrome, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--allow-file-access-from-files", f"--window-size={width + 20},{height}",
                        "--virtual-time-budget=5000", "--dump-dom", wrap.as_uri()],
                       capture_output=True, text=True, timeout=120)
    m = re.search(r'data-m="(\d+) (\d+)"', r.stdout)
    assert m, r.stderr[-2000:]
    return int(m.group(1)), int(m.group(2))


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_rendered_no_horizontal_overflow(eku_bin, page, tmp_path, width, height):
    chrome = chromium()
    shot = artifacts(eku_bin) / f"report-{width}x{height}.png"
    shot.unlink(missing_ok=True)
    r = subprocess.run([chrome, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={shot}", f"--window-size={width},{height}", page.as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10000, r.stderr[-2000:]
    scroll, client = measure(chrome, page, width, height, tmp_path)
    assert client == width
    assert scroll <= client, f"{scroll} px of content in a {client} px window"


def test_overflow_measure_can_fail(eku_bin, page, tmp_path):
    """The measure sees overflow when there is some: a page with a wide box
    (an SVG width attribute: the page's CSP refuses inline style)."""
    chrome = chromium()
    wide = tmp_path / "wide.html"
    wide.write_text(page.read_text().replace("<body>", '<body><svg width="700" height="10"></svg>', 1))
    scroll, client = measure(chrome, wide, 390, 844, tmp_path)
    assert scroll >= 700 > client


def test_from_plan_json_is_the_same_page(eku_bin, page, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(run([eku_bin, "plan", "--format", "json", EXAMPLE]).stdout)
    out = tmp_path / "from.html"
    r = report(eku_bin, "--from", plan, "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.read_text() == page.read_text()
    # A plan.json from an eku without the chart still renders, and says so.
    doc = json.loads(plan.read_text())
    del doc["chart"]
    plan.write_text(json.dumps(doc))
    r = report(eku_bin, "--from", plan)
    assert r.returncode == 0 and "has no <code>chart</code>" in r.stdout and 'class="cert-row"' not in r.stdout


def test_bad_plan_json_names_the_field(eku_bin, plan_doc, tmp_path):
    bad = json.loads(json.dumps(plan_doc))
    del bad["findings"][2]["severity"]
    p = tmp_path / "plan.json"
    p.write_text(json.dumps(bad))
    r = report(eku_bin, "--from", p)
    assert r.returncode == 2 and r.stdout == ""
    assert f"{p}: findings[2].severity: missing" in r.stderr
    bad = json.loads(json.dumps(plan_doc))
    bad["actions"][0]["by"] = "next week"
    p.write_text(json.dumps(bad))
    r = report(eku_bin, "--from", p)
    assert r.returncode == 2 and 'actions[0].by: "next week" is not a date' in r.stderr
    p.write_text('{"schema": "eku/1",\n "findings": [}')
    r = report(eku_bin, "--from", p)
    assert r.returncode == 2 and re.search(rf"{re.escape(str(p))}:2:\d+: plan: ", r.stderr), r.stderr
    r = report(eku_bin, "--from", p, EXAMPLE)
    assert r.returncode == 2 and "not both" in r.stderr
    r = report(eku_bin, "--from", p, "--at", "2027-01-01")
    assert r.returncode == 2 and "--at, --data-dir and --no-system apply to an inventory" in r.stderr


def test_missing_json_input_named_once(eku_bin, tmp_path):
    """As every config reader says it: the file once, then why (no jansson
    "-1:-1" position for a file that could not be opened)."""
    p = tmp_path / "nope.json"
    for args in (["--from", p], ["--scan", p, EXAMPLE]):
        r = report(eku_bin, *args)
        assert r.returncode == 2, r.stderr
        first = r.stderr.splitlines()[0]
        assert first == f"eku report: error: {p}: cannot open: No such file or directory", first


def test_bad_scan_json_is_refused(eku_bin, tmp_path):
    scan = tmp_path / "scan.json"
    scan.write_text('[{"schema": "eku/1", "certificates": []}, {"schema": "eku/1"}]')
    r = report(eku_bin, EXAMPLE, "--scan", scan)
    assert r.returncode == 2 and r.stdout == ""
    assert f"{scan}: [1]: expected the JSON of 'eku inspect --format json'" in r.stderr


def test_hostile_strings_render_as_text(eku_bin, tmp_path):
    """A deployment name and a certificate subject carrying markup and U+202E
    show as text: no element injected, the override visible as [U+202E]."""
    hostile = f"<script>alert(1)</script>{RLO}exe.gnp \"' onload=x"
    shutil.copytree(EXAMPLE.parent, tmp_path / "ex")
    inv = tmp_path / "ex" / "inventory.yaml"
    inv.write_text(EXAMPLE.read_text().replace("deployment: Example Corp edge", "deployment: " + json.dumps(hostile)))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(tmp_path / "k.pem"), "-out", str(tmp_path / "c.pem"), "-utf8",
                    "-subj", f"/CN=<script>alert(2)<\\/script>{RLO}gnp.exe", "-days", "10"],
                   check=True, capture_output=True)
    scan = tmp_path / "scan.json"
    scan.write_text(run([eku_bin, "inspect", "--format", "json", tmp_path / "c.pem"]).stdout)
    out = tmp_path / "r.html"
    r = report(eku_bin, inv, "--scan", scan, "-o", out)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert RLO not in text
    tree = parse_strict(text)
    assert tree.find(".//script") is None
    body = text_of(tree)
    assert "<script>alert(1)</script>[U+202E]exe.gnp \"' onload=x" in body
    # inspect writes the subject RFC 2253-style: markup escaped, U+202E kept.
    assert "CN=\\<script\\>alert(2)\\</script\\>[U+202E]gnp.exe" in body
    assert tree.find(".//title").text.startswith("eku report: <script>alert(1)</script>")
    # The calendar carries the name escaped as TEXT, never raw markup issues.
    r = report(eku_bin, "--format", "ics", inv)
    assert r.returncode == 0 and "X-WR-CALNAME:eku plan: <script>" in r.stdout.replace("\r\n ", "")


def test_calendar_parses_and_matches_the_plan(eku_bin, plan_doc, tmp_path):
    icalendar = pytest.importorskip("icalendar", reason="python3-icalendar not installed (tools/install-deps.sh --test)")
    r = run([eku_bin, "report", "--format", "ics", EXAMPLE], text=False)
    assert r.returncode == 0, r.stderr
    data = r.stdout
    (artifacts(eku_bin) / "report.ics").write_bytes(data)
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in l and len(l) <= 75 for l in lines)
    cal = icalendar.Calendar.from_ical(data)
    events = [c for c in cal.walk("VEVENT")]
    dated_actions = [a for a in plan_doc["actions"] if a["by"]]
    breaks = [f for f in plan_doc["findings"] if f["breaks_on"]]
    assert len(events) == len(dated_actions) + len(breaks)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    for e, a in zip(events, dated_actions):
        assert str(e["SUMMARY"]) == a["action"]
        assert e["DTSTART"].dt.isoformat() == a["by"] and "DTSTAMP" in e
        assert e["DTSTART"].params.get("VALUE") == "DATE"
        for fid in a["finding_ids"]:
            assert fid in str(e["DESCRIPTION"])
    for e, f in zip(events[len(dated_actions):], breaks):
        assert str(e["SUMMARY"]) == "breaks: " + f["subject"] and e["DTSTART"].dt.isoformat() == f["breaks_on"]
        assert str(e["DESCRIPTION"]) == f["explanation"]
    # A later export (another date, so other dates and wording) keeps the UIDs
    # of the same actions and findings.
    later = run([eku_bin, "report", "--format", "ics", "--at", "2026-12-20", EXAMPLE], text=False).stdout
    later_uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(later).walk("VEVENT")}
    assert len(later_uids & set(uids)) >= len(uids) // 2


def test_help_has_an_example(eku_bin):
    r = report(eku_bin, "--help")
    assert r.returncode == 0 and "eku report examples/expressway/inventory.yaml -o report.html" in r.stdout
    r = report(eku_bin, "--format", "pdf", EXAMPLE)
    assert r.returncode == 2 and "--format pdf: use html or ics" in r.stderr


# ---------------------------------------------------------------- --census

LAB = EXAMPLE.parent / "lab"
CENSUS_ARGS = ["--at", "2026-11-30", "--no-system", "--public-root", f"letsencrypt={LAB / 'fake-le-root.pem'}",
               "--public-root", f"digicert={LAB / 'fake-digicert-root.pem'}", "--trust", LAB / "corp-root.pem",
               EXAMPLE.parent / "certs"]


@pytest.fixture(scope="module")
def census_json(eku_bin, tmp_path_factory):
    path = tmp_path_factory.mktemp("census") / "census.json"
    r = run([eku_bin, "census", "--format", "json", *map(str, CENSUS_ARGS)])
    assert r.returncode == 0, r.stderr
    path.write_text(r.stdout)
    return path


@pytest.fixture(scope="module")
def census_page(eku_bin, census_json):
    out = census_json.parent / "census.html"
    r = report(eku_bin, "--census", census_json, "-o", out)
    assert r.returncode == 0, r.stderr
    return out


def test_census_page_shows_the_census(eku_bin, census_json, census_page):
    """Every number of the section is one of eku census's own: the cards are
    its totals with the shares its text output prints, one line per issuer
    sums that issuer's rows, the months are those of both histograms."""
    doc = json.loads(census_json.read_text())
    t = doc["totals"]
    assert t["sunset"]["at_risk"] > 0 and t["sunset"]["broken"] > 0  # the example is not trivial
    tree = parse_strict(census_page.read_text())
    sec = [s for s in elements(tree, "section") if s.get("id") == "census"][0]
    cards = {}
    for li in sec.find(".//ul"):
        label = text_of(li).split(str(int(li.find("b").text)))[0].strip()
        cards[label] = (int(li.find("b").text), li.findall("span")[-1].text)
    text = run([eku_bin, "census", *map(str, CENSUS_ARGS)]).stdout
    for label, n in (("still carry clientAuth", t["clientauth"]), ("lose it at a renewal", t["sunset"]["at_risk"]),
                     ("cannot act as TLS client", t["sunset"]["broken"]), ("sunset ok", t["sunset"]["ok"]),
                     ("not affected", t["sunset"]["not_affected"]), ("issuer unknown", t["sunset"]["unknown"]),
                     ("expired", t["expired"])):
        got, share = cards[label]
        assert got == n, label
        # the same share as the text output's line for it
        m = re.search(rf"^  {re.escape(label)}\s+{n}\s+([0-9.]+%)", text, re.M)
        assert m and m.group(1) == share, (label, share, text)
    by_issuer = {}
    for row in doc["rows"]:
        key = row["issuer"] + ("" if row["issuer_kind"] == "vendor" else " (issuer class)")
        agg = by_issuer.setdefault(key, [0, 0, 0, 0, 0])
        for i, v in enumerate((row["certificates"], row["clientauth"], row["sunset"]["at_risk"],
                               row["sunset"]["broken"], row["expired"])):
            agg[i] += v
    tables = elements(sec, "table")
    got = {text_of(tr[0]).strip(): [int(td.text) for td in tr[1:]] for tr in tables[0].find("tbody")}
    assert got == by_issuer
    months = [tr[0].text for tr in tables[1].find("tbody")]
    assert months == sorted({m["month"] for m in doc["expiries"] + doc["clientauth_losses"]})
    losses = doc["clientauth_losses"]
    assert (f"The first renewals that drop clientAuth fall in {losses[0]['month']}" in text_of(sec))
    assert len(tables[2].find("tbody")) == len(doc["rows"])


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_census_page_rendered(eku_bin, census_page, tmp_path, width, height):
    chrome = chromium()
    shot = artifacts(eku_bin) / f"census-{width}x{height}.png"
    shot.unlink(missing_ok=True)
    subprocess.run([chrome, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", f"--window-size={width},{height}", census_page.as_uri()],
                   capture_output=True, text=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10000
    scroll, client = measure(chrome, census_page, width, height, tmp_path)
    assert scroll <= client == width, f"{scroll} px of content in a {client} px window"


def test_census_with_a_plan(eku_bin, census_json, tmp_path):
    out = tmp_path / "both.html"
    r = report(eku_bin, EXAMPLE, "--census", census_json, "-o", out)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    parse_strict(text)
    assert text.index('id="summary"') < text.index('id="data"') < text.index('id="census"')


def test_bad_census_json_is_refused(eku_bin, census_json, tmp_path):
    """Named as every reader names it: the file, the field's path, the fix."""
    bad = tmp_path / "census.json"
    doc = json.loads(census_json.read_text())
    doc["rows"].append(dict(doc["rows"][-1]))
    bad.write_text(json.dumps(doc))
    r = report(eku_bin, "--census", bad)
    assert r.returncode == 2 and r.stdout == ""
    n = len(doc["rows"]) - 1
    assert f"{bad}: rows[{n}]: the same key (issuer, issue_month, eku_class) as rows[{n - 1}]" in r.stderr
    doc = json.loads(census_json.read_text())
    del doc["rows"][0]
    bad.write_text(json.dumps(doc))
    r = report(eku_bin, "--census", bad)
    assert r.returncode == 2 and f"{bad}: rows: their certificates add up to " in r.stderr
    bad.write_text('{"schema": "eku/1",\n "rows": [}')
    r = report(eku_bin, "--census", bad)
    assert r.returncode == 2 and re.search(rf"{re.escape(str(bad))}:2:\d+: census: .*'eku census --format json'",
                                           r.stderr), r.stderr
    r = report(eku_bin, "--census", census_json.parent / "nope.json")
    assert r.returncode == 2
    assert r.stderr.splitlines()[0].endswith("nope.json: cannot open: No such file or directory")
    r = report(eku_bin, "--format", "ics", "--census", census_json, EXAMPLE)
    assert r.returncode == 2 and "--census adds a section to the HTML page" in r.stderr
    r = report(eku_bin, "--at", "2027-01-01", "--census", census_json)
    assert r.returncode == 2 and "a census was counted already (re-run eku census with them)" in r.stderr
    r = report(eku_bin)
    assert r.returncode == 2 and "give one inventory file" in r.stderr


def test_json_inputs_are_read_like_every_input(eku_bin, census_json, tmp_path):
    """--from, --scan and --census: a FIFO nobody writes to is reported, not
    waited for; a directory is named; '-' reads standard input, once."""
    import os
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for args in (["--from", fifo], ["--census", fifo], ["--scan", fifo, EXAMPLE]):
        r = report(eku_bin, *args)
        assert r.returncode == 2 and f"{fifo}: a FIFO nobody wrote to" in r.stderr, (args, r.stderr)
    r = report(eku_bin, "--census", tmp_path)
    assert r.returncode == 2 and f"{tmp_path}: cannot read: Is a directory" in r.stderr
    r = run([eku_bin, "report", "--census", "-"], input=census_json.read_text())
    assert r.returncode == 0 and 'id="census"' in r.stdout, r.stderr
    r = report(eku_bin, "--census", "-", "--from", "-")
    assert r.returncode == 2 and "standard input ('-') can be read once" in r.stderr
