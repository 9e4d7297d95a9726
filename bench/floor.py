"""The floor of our stack: the least any build of these pages can cost with Python-Markdown.

    python bench/floor.py CONTENT_DIR OUT_DIR [--jobs 1]

Reads every .md under CONTENT_DIR, splits the front matter and parses it with yaml's CSafeLoader,
converts the body with one reused markdown.Markdown (the site's extensions), wraps it in an
f-string page and writes it to OUT_DIR/<path>/index.html. No checks, no links, no templates: the
gap between this and a real build is what the generator itself costs. With --jobs 2 the files are
split into that many chunks, one process each.
"""

from __future__ import annotations

import argparse
import html
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import markdown
import yaml

# The site's extensions (sitegen/markup.py); the headings' ids from toc, as a plain stack would
# give them (the site has a lighter processor of its own for them).
EXTENSIONS = ["toc", "tables", "sane_lists"]
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split(text: str) -> tuple[dict, str]:
    """Front matter between the first two '---' lines, and the body after them."""
    _, front, body = text.split("---\n", 2)
    return yaml.load(front, Loader=LOADER) or {}, body


def page(meta: dict, body_html: str) -> str:
    title = html.escape(str(meta.get("titolo", "")))
    return (f'<!doctype html><html lang="it"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><main><h1>{title}</h1>{body_html}</main></body></html>")


def build_chunk(job: tuple[str, str, list[str]]) -> int:
    """Convert one list of files; returns how many it wrote. Top-level so a Pool can pickle it."""
    content, out, sources = job
    converter = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    for source in sources:
        meta, body = split((Path(content) / source).read_text(encoding="utf-8"))
        converter.reset()
        dest = Path(out) / source[: -len(".md")] / "index.html"
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(page(meta, converter.convert(body)), encoding="utf-8")
    return len(sources)


def sources_of(content: Path) -> list[str]:
    return sorted(p.relative_to(content).as_posix() for p in content.rglob("*.md"))


def build(content: Path, out: Path, jobs: int = 1) -> int:
    sources = sources_of(content)
    if jobs <= 1:
        return build_chunk((str(content), str(out), sources))
    chunks = [(str(content), str(out), sources[k::jobs]) for k in range(jobs)]
    with Pool(jobs) as pool:
        return sum(pool.map(build_chunk, chunks))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    count = build(args.content, args.out, args.jobs)
    print(f"{count} pages in {time.perf_counter() - start:.3f} s ({args.jobs} process(es))", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
