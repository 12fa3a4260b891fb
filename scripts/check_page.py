#!/usr/bin/env python3
"""Checks a civicrawl release's download page (index.html) in a real, headless Chromium.

usage: scripts/check_page.py RELEASE_DIR [SCREENSHOT_DIR]

Loads RELEASE_DIR/index.html from file:// in Debian's `chromium` (or $CHROMIUM), driven over
the DevTools protocol (Python package websocket-client), and checks that:
  * no console error, no uncaught exception, no Content-Security-Policy violation is reported,
    and no request leaves file:// (every request the page makes is listed);
  * every file of the release is listed once, with its size in bytes (datapackage.json and
    SHA256SUMS, written after the page, without one), and the row counts match the CSV files;
  * every chart's bars and its table hold the numbers counted from tools.csv (licence
    families through the page's own licence -> family table);
  * typing in the search box (real key events) narrows the tools table to the rows holding
    the text, and clearing it brings every row back; the Stars header button, pressed with
    the keyboard, sorts the rows;
  * at 320 px wide nothing makes the page scroll sideways (wide tables scroll in their box).
It writes SCREENSHOT_DIR/page-screenshot.png (1280 px wide, whole page),
page-screenshot-320.png (320 px) and page.pdf (print media) to look at; SCREENSHOT_DIR
defaults to target/. Exits 1 on any failed check, 2 on usage errors or a missing browser.
"""

import base64
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.request

import websocket

TABLES = ["tools", "source_records", "sources", "organisations", "tool_organisations", "use_cases"]
TOP_COUNTRIES = 20
MAX_MONTHS = 240
failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL {message}", file=sys.stderr)


def check(cond, message):
    if not cond:
        fail(message)
    return cond


class Browser:
    """One headless Chromium with one page, driven over the DevTools protocol."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="check-page-")
        args = [
            binary, "--headless=new", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-dev-shm-usage", "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
            "--window-size=1280,900", "about:blank",
        ]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read().count("\n") >= 1:
                break
            time.sleep(0.1)
        port = open(port_file).read().split("\n")[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(e.get("method") == method for e in self.events):
                return
            self.events.append(json.loads(self.ws.recv()))
        raise RuntimeError(f"no {method} within {timeout} s")

    def eval(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def key(self, key, text=None, code=None, keycode=0):
        down = {"type": "keyDown", "key": key, "code": code or key, "windowsVirtualKeyCode": keycode}
        if text:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", **down)
        self.send("Input.dispatchKeyEvent", type="keyUp", key=key, code=code or key, windowsVirtualKeyCode=keycode)

    def type(self, text):
        for ch in text:
            self.key(ch, text=ch, code=f"Key{ch.upper()}" if ch.isalpha() else "", keycode=ord(ch.upper()))

    def screenshot(self, path, width):
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False)
        height = self.eval("document.documentElement.scrollHeight")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        shot = self.send("Page.captureScreenshot", format="png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False)

    def close(self):
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


def read_csv(release, table):
    with open(os.path.join(release, f"{table}.csv"), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def ranked(counts, none, top=None, more=""):
    """Rows as the page draws them: largest first, ties by label; the rest summed; none stated."""
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if top is not None and len(rows) > top:
        rest = rows[top:]
        rows = rows[:top] + [(f"{len(rest)} {more}", sum(n for _, n in rest))]
    if none:
        rows.append(("none stated", none))
    return rows


def list_chart(tools, column, top=None, more=""):
    counts, none = {}, 0
    for t in tools:
        values = [v for v in t[column].split(";") if v]
        none += not values
        for v in values:
            counts[v] = counts.get(v, 0) + 1
    return ranked(counts, none, top, more)


def month_chart(tools):
    months, none = {}, 0
    for t in tools:
        if t["first_seen_at"]:
            key = (int(t["first_seen_at"][:4]), int(t["first_seen_at"][5:7]))
            months[key] = months.get(key, 0) + 1
        else:
            none += 1
    rows = []
    if months:
        (y, m), last = min(months), max(months)
        span = (last[0] - y) * 12 + last[1] - m + 1
        if span <= MAX_MONTHS:
            while (y, m) <= last:
                rows.append((f"{y:04d}-{m:02d}", months.get((y, m), 0)))
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        else:
            for year in range(y, last[0] + 1):
                rows.append((f"{year:04d}", sum(n for (yy, _), n in months.items() if yy == year)))
    if none:
        rows.append(("none stated", none))
    return rows


def licence_chart(tools, families):
    order = ["copyleft", "weak copyleft", "permissive", "public domain", "other"]
    counts, none = {}, 0
    for t in tools:
        if not t["license"]:
            none += 1
            continue
        family = families.get(t["license"])
        if not check(family is not None, f"licence {t['license']!r} is not in the page's licence table"):
            continue
        counts[family] = counts.get(family, 0) + 1
    rows = [(f, counts[f]) for f in order if f in counts]
    if none:
        rows.append(("none stated", none))
    return rows


PAGE_STATE = """(() => {
  const pairs = (nodes) => Array.from(nodes).map(n => [n.dataset.label, Number(n.dataset.value)]);
  const charts = {};
  document.querySelectorAll("figure[data-chart]").forEach(f => {
    charts[f.dataset.chart] = {bars: pairs(f.querySelectorAll("svg g.bar")), table: pairs(f.querySelectorAll("td[data-value]"))};
  });
  const families = {};
  document.querySelectorAll("tr[data-licence]").forEach(r => { families[r.dataset.licence] = r.dataset.family; });
  const files = Array.from(document.querySelectorAll("tr[data-file]")).map(r => [r.dataset.file, r.dataset.bytes]);
  const rows = {};
  document.querySelectorAll("[data-table]").forEach(d => { rows[d.dataset.table] = Number(d.dataset.rows); });
  return {charts, families, files, rows, tools: document.querySelectorAll("#tools tbody tr").length,
          scripts: document.scripts.length,
          resources: performance.getEntriesByType("resource").map(e => e.name)};
})()"""

VISIBLE = """(() => Array.from(document.querySelectorAll("#tools tbody tr"))
  .filter(r => !r.hidden).map(r => r.textContent))()"""


def fold(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def check_page(browser, release):
    state = browser.eval(PAGE_STATE)
    tools = read_csv(release, "tools")

    # Files: every one listed once, sizes in bytes.
    listed = [f for f, _ in state["files"]]
    on_disk = sorted(n for n in os.listdir(release) if os.path.isfile(os.path.join(release, n)) and n != "index.html")
    check(sorted(listed) == on_disk, f"the page lists {sorted(listed)}, the release holds {on_disk}")
    for name, size in state["files"]:
        if name in ("datapackage.json", "SHA256SUMS"):
            check(size == "", f"{name} is written after the page and has no size on it")
        elif os.path.exists(os.path.join(release, name)):
            real = os.path.getsize(os.path.join(release, name))
            check(size == str(real), f"{name}: the page says {size} bytes, the file has {real}")
    for table in TABLES:
        n = len(read_csv(release, table))
        check(state["rows"].get(table) == n, f"{table}: the page says {state['rows'].get(table)} rows, {table}.csv has {n}")
    if not failures:
        print(f"ok   files: {len(listed)} listed with their sizes; rows of {len(TABLES)} tables")
    before = len(failures)

    # Charts: bars, tables and tools.csv agree.
    expected = {
        "category": list_chart(tools, "categories"),
        "country": list_chart(tools, "countries", TOP_COUNTRIES, "more countries"),
        "source": list_chart(tools, "sources"),
        "licence": licence_chart(tools, state["families"]),
        "first-seen": month_chart(tools),
    }
    check(sorted(state["charts"]) == sorted(expected), f"charts on the page: {sorted(state['charts'])}")
    for key, rows in expected.items():
        chart = state["charts"].get(key, {"bars": [], "table": []})
        want = [[label, n] for label, n in rows]
        check(chart["table"] == want, f"chart {key}: table {chart['table']} != tools.csv {want}")
        drawn = [r for r in want if not (key == "first-seen" and r[0] == "none stated")]
        check(chart["bars"] == drawn, f"chart {key}: bars {chart['bars']} != tools.csv {drawn}")
    if len(failures) == before:
        print(f"ok   charts: {', '.join(expected)} match tools.csv ({len(tools)} tools)")

    # Search with real key presses narrows the table; clearing it restores every row.
    total = state["tools"]
    check(total == min(len(tools), 1000), f"tools table has {total} rows for {len(tools)} tools")
    names = sorted((t["name"] for t in tools if len(t["name"]) >= 4), key=fold)
    query = fold(names[-1])[:4] if names else "zzzz"
    browser.eval("document.getElementById('tool-search').focus()")
    browser.type(query)
    visible = browser.eval(VISIBLE)
    check(0 < len(visible) < total, f"search {query!r} shows {len(visible)} of {total} rows")
    check(all(query in fold(v) for v in visible), f"search {query!r} shows rows without it")
    status = browser.eval("document.getElementById('tool-count').textContent")
    check(str(len(visible)) in status, f"search status {status!r} does not say {len(visible)}")
    for _ in query:
        browser.key("Backspace", keycode=8)
    check(len(browser.eval(VISIBLE)) == total, "clearing the search does not bring every row back")
    print(f"ok   search: typing {query!r} shows {len(visible)} of {total} rows; clearing it, all")

    # Sort by stars from the keyboard.
    browser.eval("Array.from(document.querySelectorAll('#tools th button')).find(b => b.textContent === 'Stars').focus()")
    browser.key("Enter", code="Enter", keycode=13, text="\r")
    stars = browser.eval("""Array.from(document.querySelectorAll('#tools tbody tr'))
        .map(r => r.cells[5].dataset.sort).filter(s => s !== '').map(Number)""")
    sort = browser.eval("document.querySelector('#tools th[aria-sort]')?.getAttribute('aria-sort')")
    check(sort == "ascending" and stars == sorted(stars), f"Enter on Stars: aria-sort {sort}, stars {stars}")
    print(f"ok   sort: Enter on the Stars button sorts {len(stars)} starred rows ascending")
    return state


def problems(browser, state):
    """Console errors, exceptions, CSP reports and requests outside file://."""
    found = []
    for e in browser.events:
        method, p = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
            found.append(f"console {p['type']}: {[a.get('value', a.get('description')) for a in p.get('args', [])]}")
        elif method == "Runtime.exceptionThrown":
            found.append(f"exception: {p['exceptionDetails'].get('text')} {p['exceptionDetails'].get('exception', {}).get('description', '')}")
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            found.append(f"{p['entry']['source']} {p['entry']['level']}: {p['entry']['text']}")
        elif method == "Network.requestWillBeSent" and not p["request"]["url"].startswith("file://"):
            found.append(f"request leaves file://: {p['request']['url']}")
    found += [f"resource loaded: {r}" for r in state["resources"] if not r.startswith("file://")]
    return found


def main():
    if len(sys.argv) not in (2, 3) or not os.path.isfile(os.path.join(sys.argv[1], "index.html")):
        print(__doc__, file=sys.stderr)
        return 2
    release = os.path.realpath(sys.argv[1])
    out = sys.argv[2] if len(sys.argv) == 3 else "target"
    os.makedirs(out, exist_ok=True)
    binary = os.environ.get("CHROMIUM") or next(
        (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
    if not binary:
        print("no Chromium found (install Debian's `chromium`, or set CHROMIUM)", file=sys.stderr)
        return 2
    browser = Browser(binary)
    try:
        for domain in ("Runtime", "Log", "Network", "Page"):
            browser.send(f"{domain}.enable")
        browser.send("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        url = "file://" + release + "/index.html"
        browser.send("Page.navigate", url=url)
        browser.wait_for("Page.loadEventFired")
        state = check_page(browser, release)
        browser.eval("document.activeElement.blur()")
        shot = os.path.join(out, "page-screenshot.png")
        browser.screenshot(shot, 1280)
        narrow = os.path.join(out, "page-screenshot-320.png")
        browser.screenshot(narrow, 320)
        browser.send("Emulation.setDeviceMetricsOverride", width=320, height=900, deviceScaleFactor=1, mobile=True)
        wide = browser.eval("document.documentElement.scrollWidth")
        check(wide <= 320, f"at 320 px the page is {wide} px wide: it scrolls sideways")
        browser.send("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        pdf = browser.send("Page.printToPDF", printBackground=False)
        with open(os.path.join(out, "page.pdf"), "wb") as f:
            f.write(base64.b64decode(pdf["data"]))
        time.sleep(0.2)
        browser.eval("0")  # collect events sent meanwhile
        found = problems(browser, state)
        for p in found:
            fail(p)
        requests = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
        if not found:
            print(f"ok   no console error, no CSP report; {len(requests)} request(s), all file://")
        print(f"ok   screenshots {shot} (1280 px), {narrow} (320 px, no sideways scroll); print {out}/page.pdf")
    finally:
        browser.close()
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("all page checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
