"""Lighthouse scores (mobile) of the home page, the finder and a comune page, served on loopback.

    python bench/lighthouse.py [--pages index.html sportelli/index.html ...] [--json DIR]

Builds the site into a temporary folder with --base-url http://127.0.0.1:PORT/, serves it with
Python's http.server on 127.0.0.1 in a thread and runs npm's lighthouse@12.2.3 (Lighthouse 13 needs
Node 22) with Debian's Chromium (CHROME_PATH, default /usr/bin/chromium), a fresh profile for each
page. Lighthouse is installed on first use into ~/.cache/activitycr-bench/ (or $XDG_CACHE_HOME),
outside the project. Categories: performance, accessibility, best-practices, seo; throttling is
simulated, so nothing but the local server is contacted.

Prints a table of scores (0-100) per page and category, then every failed audit of a category
that scored under 100. Exit status 1 when Lighthouse could not run on a page."""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "bench"))

from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

LIGHTHOUSE = "lighthouse@12.2.3"
TODAY = "2026-11-25"
PAGES = ["index.html", "sportelli/index.html", "sportelli/gussola/index.html"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
NOT_SCORED = {"manual", "notApplicable", "informative", "error"}


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "activitycr-bench"


def lighthouse_cli() -> Path:
    """The pinned Lighthouse command line, installed into the cache folder when missing."""
    prefix = cache_dir()
    cli = prefix / "node_modules" / ".bin" / "lighthouse"
    package = prefix / "node_modules" / "lighthouse" / "package.json"
    installed = json.loads(package.read_text(encoding="utf-8"))["version"] if package.exists() else None
    if not cli.exists() or installed != LIGHTHOUSE.split("@")[1]:
        prefix.mkdir(parents=True, exist_ok=True)
        print(f"installing {LIGHTHOUSE} into {prefix}", file=sys.stderr)
        subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-save", "--no-audit", "--no-fund",
                        "--silent", LIGHTHOUSE], check=True)
    return cli


def build_site(out: Path, base_url: str) -> None:
    subprocess.run([sys.executable, str(PROJECT / "build.py"), "build", "--out", str(out), "--today", TODAY,
                    "--base-url", base_url], check=True, stdout=subprocess.DEVNULL)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):   # noqa: A002  (the signature of the base class)
        pass


@contextmanager
def loopback_server(directory: Path):
    """An http.server on 127.0.0.1 (a free port) serving `directory`, in a thread; yields its port."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def run_lighthouse(cli: Path, url: str, work: Path) -> dict:
    """One Lighthouse run on `url` with a fresh Chromium profile; returns the JSON report."""
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=work))
    report = profile.with_suffix(".json")
    flags = " ".join([*CHROMIUM_ARGS, f"--user-data-dir={profile}"])
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", CHROMIUM)}
    command = [str(cli), url, "--quiet", "--output=json", f"--output-path={report}",
               f"--only-categories={','.join(CATEGORIES)}", "--form-factor=mobile",
               "--throttling-method=simulate", "--disable-full-page-screenshot",
               f"--chrome-flags={flags}"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not report.exists():
        raise RuntimeError(f"lighthouse failed on {url} (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def scores(report: dict) -> dict[str, int | None]:
    result = {}
    for name in CATEGORIES:
        score = report["categories"].get(name, {}).get("score")
        result[name] = None if score is None else round(score * 100)
    return result


def item_text(item: dict) -> str:
    """A short description of one thing an audit found (a console message, an element, a URL)."""
    node = item.get("node") if isinstance(item.get("node"), dict) else {}
    source = item.get("sourceLocation") if isinstance(item.get("sourceLocation"), dict) else {}
    parts = [item.get("description"), node.get("snippet"), item.get("url") or source.get("url")]
    return " ".join(str(part) for part in parts if part)[:200]


def failed_audits(report: dict, category: str) -> list[str]:
    """The scored audits of `category` that did not get full marks, with what Lighthouse found."""
    lines = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if audit["scoreDisplayMode"] in NOT_SCORED or audit["score"] is None or audit["score"] >= 1:
            continue
        detail = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
        lines.append(f"{audit['id']}: {audit['title']}{detail} [score {audit['score']:.2f}, weight {ref['weight']}]")
        if audit.get("explanation"):
            lines.append(f"    {audit['explanation']}")
        items = (audit.get("details") or {}).get("items") or []
        lines.extend(f"    - {item_text(item)}" for item in items[:5] if isinstance(item, dict) and item_text(item))
    return lines


def problems(report: dict) -> list[str]:
    """Run-time warnings and audits that could not run: a score is only as good as its run."""
    found = [f"warning: {text}" for text in report.get("runWarnings", [])]
    if report.get("runtimeError"):
        found.append(f"runtime error: {report['runtimeError'].get('message')}")
    for audit in report["audits"].values():
        if audit["scoreDisplayMode"] == "error":
            found.append(f"audit not run: {audit['id']}: {audit.get('errorMessage', '')}")
    return found


def print_table(results: dict[str, dict[str, int | None]]) -> None:
    width = max(len(page) for page in results)
    print(f"{'page':<{width}}  " + "  ".join(f"{name:>14}" for name in CATEGORIES))
    for page, row in results.items():
        cells = ("-" if row[name] is None else str(row[name]) for name in CATEGORIES)
        print(f"{page:<{width}}  " + "  ".join(f"{cell:>14}" for cell in cells))


def print_details(reports: dict[str, dict], results: dict[str, dict[str, int | None]]) -> None:
    for page, row in results.items():
        for name in CATEGORIES:
            if row[name] is not None and row[name] < 100:
                print(f"\n{page} - {name} {row[name]}:")
                for line in failed_audits(reports[page], name):
                    print(f"  {line}")
    pages_by_problem: dict[str, list[str]] = {}
    for page in results:
        for problem in problems(reports[page]):
            pages_by_problem.setdefault(problem, []).append(page)
    if pages_by_problem:
        print("\nNot measured (scores leave these out):")
        for problem, pages in pages_by_problem.items():
            print(f"  {problem}\n      on {', '.join(pages)}")


def page_url(base_url: str, page: str) -> str:
    """The address a visitor uses: a folder's index.html is asked for as the folder."""
    return base_url + (page[:-len("index.html")] if page.endswith("index.html") else page)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", default=PAGES, help="paths inside the built site")
    parser.add_argument("--json", type=Path, help="also save each page's Lighthouse report in this folder")
    args = parser.parse_args()
    cli = lighthouse_cli()
    results, reports, status = {}, {}, 0
    with tempfile.TemporaryDirectory(prefix="activitycr-lighthouse-") as tmp:
        work = Path(tmp)
        with loopback_server(work / "site") as port:
            base_url = f"http://127.0.0.1:{port}/"
            build_site(work / "site", base_url)
            for page in args.pages:
                if not (work / "site" / page).is_file():
                    print(f"{page}: not in the built site", file=sys.stderr)
                    status = 1
                    continue
                try:
                    reports[page] = run_lighthouse(cli, page_url(base_url, page), work)
                except RuntimeError as exc:
                    print(exc, file=sys.stderr)
                    status = 1
                    continue
                results[page] = scores(reports[page])
    if args.json:
        args.json.mkdir(parents=True, exist_ok=True)
        for page, report in reports.items():
            (args.json / (page.replace("/", "_") + ".json")).write_text(json.dumps(report), encoding="utf-8")
    if results:
        print(f"Lighthouse {LIGHTHOUSE.split('@')[1]}, mobile, simulated throttling\n")
        print_table(results)
        print_details(reports, results)
    return status


if __name__ == "__main__":
    sys.exit(main())
