"""From saving a file to seeing it in the browser, with the live preview of a large site.

    python bench/preview_latency.py [--pages 1000] [--saves 10]

Writes a synthetic site (bench/corpus.py), starts `python build.py serve` on it, opens a page in
headless Chromium and saves files as an editor would: a page's Markdown, then the contacts file
(which every page depends on). For each save it reports, measured on one clock (the browser's
performance.timeOrigin is wall-clock time, like the moment of the save):

- reload: from the save to the browser starting to load the new page (event, rebuild, notice);
- paint: from the save to the first paint of the new page, which shows the change.

Three saves: a page's Markdown; a desk's e-mail in the contacts (what depends on it: the pages of
the comuni that desk serves); the consortium's name, shown in every page's footer (all change).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "bench"))

from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from corpus import CORPUS_DIR, write_corpus  # noqa: E402
from preview_server import BROWSER_CONNECTED, ServerLines, free_port  # noqa: E402

TIMING = """() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return [performance.timeOrigin, paint ? paint.startTime : performance.now()];
}"""


def start_preview(content: Path, data: Path, port: int) -> tuple[subprocess.Popen, ServerLines]:
    server = subprocess.Popen([sys.executable, "-u", str(PROJECT / "build.py"), "serve", "--content", str(content),
                               "--data", str(data), "--port", str(port), "--today", "2026-11-25"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = ServerLines(server)
    lines.wait_for("Anteprima su", timeout=600)
    return server, lines


def measure(page, path: Path, marker: str, change) -> tuple[float, float]:
    """Save `path` (change(text, marker) gives the new text), wait until the page shows `marker`;
    returns (ms to the new page's start, ms to its first paint)."""
    text = path.read_text(encoding="utf-8")
    saved = time.time() * 1000
    path.write_text(change(text, marker), encoding="utf-8")
    page.wait_for_function(f"document.body && document.body.innerText.includes({marker!r})", timeout=20_000)
    origin, paint = page.evaluate(TIMING)
    return origin - saved, origin + paint - saved


def run(pages: int, saves: int) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="activitycr-preview-") as tmp:
        content, data = write_corpus(Path(tmp), pages)
        port = free_port()
        started = time.perf_counter()
        server, lines = start_preview(content, data, port)
        print(f"{pages} pages; first build and start of the preview: {time.perf_counter() - started:.1f} s")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                tab = browser.new_page()
                cases = [
                    ("a page's Markdown", f"{CORPUS_DIR}/pagina-00007/index.html",
                     content / CORPUS_DIR / "pagina-00007.md", lambda text, marker: f"{text}\n\n{marker}\n"),
                    ("a desk's e-mail in the contacts (its comuni's pages change)", "sportelli/belne/index.html",
                     data, lambda text, marker: text.replace("email: sportello0@", f"email: {marker}@", 1)),
                    ("the consortium's name in the contacts (every page changes)", "index.html",
                     data, lambda text, marker: text.replace("consorzio:\n  nome: ", f"consorzio:\n  nome: {marker} ", 1)),
                ]
                for name, url, path, change in cases:
                    lines.forget()   # the reloads of the last case connected too
                    tab.goto(f"http://127.0.0.1:{port}/{url}")
                    lines.wait_for(BROWSER_CONNECTED)   # a save before it would not reload the page
                    original = path.read_text(encoding="utf-8")
                    results = []
                    for number in range(saves):
                        results.append(measure(tab, path, f"salvataggio{number}x{time.time_ns()}", change))
                        path.write_text(original, encoding="utf-8")
                        tab.wait_for_timeout(400)   # let the restoring save settle
                    report(name, results)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


def report(name: str, results: list[tuple[float, float]]) -> None:
    reload = [r for r, _ in results]
    paint = [p for _, p in results]
    print(f"save of {name}: new page starts after median {statistics.median(reload):.0f} ms "
          f"(max {max(reload):.0f}); shows the change after median {statistics.median(paint):.0f} ms "
          f"(max {max(paint):.0f}), {len(results)} saves")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()
    run(args.pages, args.saves)


if __name__ == "__main__":
    main()
