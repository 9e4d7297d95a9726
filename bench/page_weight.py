"""Weight of every page of the built site against a 14 KB budget, and zero requests to other hosts.

    python bench/page_weight.py [--budget 14336] [--base-url https://www.example.org/activity-cr/]

Builds the site into a temporary folder as for publishing and, for every HTML page, adds up the
gzip size (level 9, each file compressed on its own, as a server would send it) of the page itself
(inline scripts, the finder's inline JSON index and inline styles included) and of every resource
it loads: stylesheets, scripts, images, icons, preloads, media, and what the stylesheets load with
url() or @import. A resource loaded by several pages counts in full for each of them.

Prints a table sorted by weight with PASS/FAIL per page against the budget (14 * 1024 bytes), then
every loaded resource that points to another host (http://, https:// or //) or is missing. Exit
status 1 when a page is over budget, loads from another host or loads a missing file."""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

PROJECT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-25"
BUDGET = 14 * 1024
GZIP_LEVEL = 9
LOADING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "mask-icon", "manifest", "preload",
                "modulepreload", "prefetch"}
SRC_TAGS = {"script", "img", "iframe", "embed", "audio", "video", "source", "track", "input"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


class LoadedResources(HTMLParser):
    """The URLs a page makes the browser load, plus its inline CSS (which may load more)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.inline_css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "link" and LOADING_RELS & set(attrs.get("rel", "").lower().split()):
            self.urls.append(attrs.get("href", ""))
        if tag in SRC_TAGS and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag in {"img", "source"} and attrs.get("srcset"):
            self.urls.extend(part.split()[0] for part in attrs["srcset"].split(",") if part.strip())
        if tag == "video" and attrs.get("poster"):
            self.urls.append(attrs["poster"])
        if tag == "object" and attrs.get("data"):
            self.urls.append(attrs["data"])
        if attrs.get("style"):
            self.inline_css.append(attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.inline_css.append(data)


def build_site(out: Path, base_url: str) -> None:
    subprocess.run([sys.executable, str(PROJECT / "build.py"), "build", "--out", str(out), "--today", TODAY,
                    "--base-url", base_url], check=True, stdout=subprocess.DEVNULL)


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def css_urls(text: str) -> list[str]:
    return [match.group(2) or match.group(4) for match in CSS_URL.finditer(text)]


def is_other_host(url: str) -> bool:
    return bool(urlsplit(url).scheme in {"http", "https"} or url.startswith("//"))


def resolve(site: Path, site_path: str, referrer: Path, url: str) -> Path | None:
    """The file in `site` (published at the path `site_path`, such as /activity-cr/) that `url`,
    written in `referrer`, loads; None for data: URLs and fragments."""
    parts = urlsplit(url)
    if parts.scheme or not parts.path:
        return None
    if parts.path.startswith("/"):   # the 404 page links from the root: it is served at any address
        if not parts.path.startswith(site_path):
            return site / ".outside-the-site" / parts.path.lstrip("/")   # never a file: reported missing
        target = PurePosixPath(unquote(parts.path[len(site_path):]))
    else:
        target = PurePosixPath(referrer.relative_to(site).parent.as_posix()) / unquote(parts.path)
    path = (site / target).resolve()
    if path.is_dir():
        path = path / "index.html"
    return path


def resources(site: Path, site_path: str, page: Path) -> tuple[set[Path], list[str], list[str]]:
    """Files the page loads (and what its stylesheets load), references to other hosts, missing files."""
    parser = LoadedResources()
    parser.feed(page.read_text(encoding="utf-8"))
    queue = [(page, url) for url in parser.urls]
    queue += [(page, url) for css in parser.inline_css for url in css_urls(css)]
    loaded, foreign, missing = set(), [], []
    while queue:
        referrer, url = queue.pop()
        url = url.strip()
        if is_other_host(url):
            foreign.append(url)
            continue
        path = resolve(site, site_path, referrer, url)
        if path is None or path in loaded:
            continue
        if not path.is_file() or not path.is_relative_to(site):
            missing.append(url)
            continue
        loaded.add(path)
        if path.suffix == ".css":
            queue += [(path, inner) for inner in css_urls(path.read_text(encoding="utf-8"))]
    return loaded, foreign, missing


def measure(site: Path, base_url: str) -> list[dict]:
    rows = []
    site_path = urlsplit(base_url).path.rstrip("/") + "/"
    for page in sorted(site.rglob("*.html")):
        loaded, foreign, missing = resources(site, site_path, page)
        own = gzip_size(page.read_bytes())
        extra = sum(gzip_size(path.read_bytes()) for path in loaded)
        rows.append({"page": page.relative_to(site).as_posix(), "html": own, "resources": extra,
                     "total": own + extra, "files": sorted(p.relative_to(site).as_posix() for p in loaded),
                     "foreign": foreign, "missing": missing})
    return sorted(rows, key=lambda row: (-row["total"], row["page"]))


def print_report(rows: list[dict], budget: int, site: Path) -> bool:
    """Prints the table and the problems; True when every page passes."""
    width = max(len(row["page"]) for row in rows)
    print(f"gzip -{GZIP_LEVEL} sizes in bytes; budget per page with what it loads: {budget} bytes "
          f"({budget / 1024:g} KB)\n")
    print(f"{'page':<{width}}  {'html':>6}  {'loaded':>6}  {'total':>6}  {'budget %':>8}  result  loads")
    ok = True
    for row in rows:
        passed = row["total"] <= budget and not row["foreign"] and not row["missing"]
        ok &= passed
        print(f"{row['page']:<{width}}  {row['html']:>6}  {row['resources']:>6}  {row['total']:>6}  "
              f"{100 * row['total'] / budget:>7.0f}%  {'PASS' if passed else 'FAIL':<6}  {', '.join(row['files'])}")
    shared = sorted({name for row in rows for name in row["files"]})
    if shared:
        print("\nloaded files: " + ", ".join(f"{name} {gzip_size((site / name).read_bytes())}" for name in shared))
    foreign = [(row["page"], url) for row in rows for url in row["foreign"]]
    missing = [(row["page"], url) for row in rows for url in row["missing"]]
    print(f"\nrequests to other hosts: {len(foreign)}" + "".join(f"\n  FAIL {page}: {url}" for page, url in foreign))
    if missing:
        print("missing files:" + "".join(f"\n  FAIL {page}: {url}" for page, url in missing))
    over = [row["page"] for row in rows if row["total"] > budget]
    print(f"pages over budget: {len(over)} of {len(rows)}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=BUDGET, help="bytes per page, gzipped (default 14 KB)")
    parser.add_argument("--base-url", default="https://www.example.org/activity-cr/",
                        help="where the site is published (absolute links must not load anything)")
    parser.add_argument("--site", type=Path, help="measure this built site instead of building one "
                        "(it must have been built with the same --base-url)")
    args = parser.parse_args()
    if args.site:
        return 0 if print_report(measure(args.site.resolve(), args.base_url), args.budget, args.site.resolve()) else 1
    with tempfile.TemporaryDirectory(prefix="activitycr-weight-") as tmp:
        site = Path(tmp).resolve() / "site"
        build_site(site, args.base_url)
        ok = print_report(measure(site, args.base_url), args.budget, site)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
