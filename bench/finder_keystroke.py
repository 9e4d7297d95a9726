"""Per-keystroke time of the finder with 8,000 made-up comuni, in headless Chromium.

    python bench/finder_keystroke.py [--comuni 8000] [--frazioni 0.5]

Builds a page like the finder page (A-Z list, index, static/finder.js, static/style.css) in a
temporary folder, types queries one key at a time and times each update: search, DOM update,
style and layout (not paint). Run it on an idle machine: another busy process shows up as spikes."""

from __future__ import annotations

import argparse
import gzip
import html
import json
import statistics
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "bench")]

from sitegen.finder import finder_index  # noqa: E402
from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from corpus import synthetic_contacts  # noqa: E402

QUERIES = ["vicobelignano", "san martino d/l", "26030", "casalmaggiore (cr)", "zzzzqqqq", "s giov in c",
           "ca de", "motta", "bellignanno", "pieve d'olmi"]


def page(contacts, script: str, style: str) -> tuple[str, int]:
    index = json.dumps(finder_index(contacts, lambda c: f"{c.slug}/index.html"), ensure_ascii=False,
                       sort_keys=True, separators=(",", ":")).replace("</", "<\\/")
    items = "".join(f'<li><a href="{html.escape(c.slug)}/index.html">{html.escape(c.name)}</a>'
                    f"<p>CAP {' '.join(c.caps)}</p></li>" for c in contacts.comuni)
    return (f'<!doctype html><html lang="it"><head><meta charset="utf-8"><title>bench</title><style>{style}</style></head><body><main>'
            f'<h1>Trova</h1><h2 id="t">Comuni</h2><ul class="elenco-comuni" id="elenco-comuni" aria-labelledby="t">{items}</ul>'
            f'<script type="application/json" id="indice-sportelli">{index}</script>'
            f"<script>{script}</script></main></body></html>"), len(gzip.compress(index.encode(), 9))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comuni", type=int, default=8000)
    parser.add_argument("--frazioni", type=float, default=0.5)
    parser.add_argument("--rounds", type=int, default=3, help="times each query is typed")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    script = (PROJECT / "static" / "finder.min.js").read_text(encoding="utf-8")   # as the site serves it
    style = (PROJECT / "static" / "style.css").read_text(encoding="utf-8")
    text, size = page(synthetic_contacts(args.comuni, args.frazioni), script, style)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "finder.html"
        path.write_text(text, encoding="utf-8")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page()
        tab.goto(path.as_uri())
        load = tab.evaluate("""() => { const t = performance.now();
            document.querySelector('.finder').remove();
            window.trovaSportello = null;
            return performance.now() - t; }""")
        tab.reload()
        times = []
        for query in QUERIES * args.rounds:
            times += tab.evaluate("""(q) => {
                const input = document.getElementById('finder-q'), out = [];
                for (let i = 1; i <= q.length; i++) {
                    const t = performance.now();
                    input.value = q.slice(0, i);
                    input.dispatchEvent(new Event('input'));
                    document.body.offsetHeight;   // include style and layout
                    out.push(performance.now() - t);
                }
                input.value = ''; input.dispatchEvent(new Event('input'));
                return out; }""", query)
        start = tab.evaluate("""() => { const t = performance.now();
            JSON.parse(document.getElementById('indice-sportelli').textContent); return performance.now() - t; }""")
        browser.close()
    del load
    times.sort()
    print(f"{args.comuni} comuni, {args.frazioni} frazioni each on average; index {size / 1024:.1f} KiB gzip")
    print(f"{len(times)} keystrokes: median {statistics.median(times):.2f} ms, "
          f"p95 {times[int(len(times) * 0.95)]:.2f} ms, p99 {times[int(len(times) * 0.99)]:.2f} ms, "
          f"max {times[-1]:.2f} ms (budget 16 ms)")
    print(f"JSON.parse of the index: {start:.1f} ms")


if __name__ == "__main__":
    main()
