"""Build time of our generator against Pelican, MkDocs and Hugo on the same synthetic pages.

    python bench/peers.py [--sizes 100,1000,10000] [--only ours,floor1,floor2,pelican,mkdocs,hugo]
                          [--repeat K] [--what cold,warm,data] [--warm-size 10000] [--comuni 8000]
                          [--seed 1] [--quick] [--keep] [--no-install] [--markdown]

For each size N the corpus (bench/corpus.py) is written once into a temporary folder and converted
to each peer's own layout; then the generators are run in turn (ours, floor, pelican, mkdocs, hugo,
ours, ...) so that a slow phase of the machine hits all of them alike. Every run is a fresh process
into an empty output folder (the last run's is moved aside, and everything is deleted at the end:
see set_aside), timed from outside; its peak memory is the ru_maxrss that os.wait4 reports for it
(the largest single process, not a sum over workers).

- cold: build from scratch, median of --repeat runs (default 5 at N<=100, 3 at N<=1000, else 1).
- warm: at --warm-size, build once; then change one page and time the next build, --repeat rounds
  (default 3), alternating the generators (ours: the same command; MkDocs: --dirty; Pelican: with
  its content cache; Hugo: its CLI has no incremental build, so it is a full build).
- data: a contacts file with --comuni comuni builds that many desk pages; Hugo builds the same
  number of pages from content files made from the same contacts. Also the finder index's size.
  "data edit": one desk's phone number changes and each builds again into its folder as it is
  (ours with its cache; Hugo with the changed content files), median of at least 3 rounds.

Pelican and MkDocs are installed from PyPI into a virtual environment in the user's cache folder
(not the project's environment); Hugo comes from Debian (`apt-get install hugo`). Timings are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import CORPUS_DIR, DEFAULT_SEED, SyntheticPage, corpus_pages, slug_of, write_corpus  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "activitycr-bench"
VENV = CACHE / "venv"
TODAY = "2026-11-25"
ALL = ("ours", "floor1", "floor2", "pelican", "mkdocs", "mkdocs-default", "hugo")
DEFAULT_ONLY = ("ours", "floor1", "floor2", "pelican", "mkdocs", "hugo")
PEER_PACKAGES = ("pelican>=4,<5", "markdown", "mkdocs>=1.6,<1.7")
TRIVIAL_PAGE = ('<!doctype html><html lang="it"><head><meta charset="utf-8"><title>{title}</title></head>'
                "<body><main><h1>{title}</h1>{content}</main></body></html>\n")


class BuildError(RuntimeError):
    pass


# -- running and timing ----------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    wall: float      # seconds
    peak_kb: int     # ru_maxrss of the process (kilobytes on Linux)


def timed(argv: list[str], cwd: Path, log: Path, env: dict | None = None) -> Run:
    """Run a build as a child process; its own rusage (os.wait4) gives the peak memory of this run
    alone, which resource.getrusage(RUSAGE_CHILDREN) could not (it keeps the maximum of all)."""
    with open(log, "ab") as out:
        start = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                 env={**RUN_ENV, **(env or {})})
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise BuildError(f"{' '.join(map(str, argv))} exited {child.returncode}:\n{tail}")
    return Run(wall, usage.ru_maxrss)


# Python as a user has it: this machine's environment turns off writing bytecode caches, which
# left our modules, run from the source tree, compiled again on every run (20 ms), while the
# peers, installed with pip, come with theirs.
RUN_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def settle() -> None:
    """Flush what earlier runs wrote or deleted, so that no run pays for the disk work of another
    (deleting a 10,000-page site and writing the next one otherwise overlap, and vary by seconds)."""
    os.sync()
    time.sleep(0.5)


def remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


_set_aside = 0


def set_aside(*paths: Path) -> None:
    """Move what an earlier run wrote out of the way (a rename) instead of deleting it: on ext4
    without a journal, as here, creating a file skips, one by one, every inode freed in the last
    minute, so a run right after the deletion of a 10,000-page site paid 7-14 s of kernel time
    instead of 1.2 s, more with each round, whichever generator it was. What is set aside is
    deleted with the harness's folder at the end."""
    global _set_aside
    for path in paths:
        if path.exists():
            _set_aside += 1
            trash = path.parent / ".set-aside"
            trash.mkdir(exist_ok=True)
            path.rename(trash / f"{_set_aside}-{path.name}")


def rewrite_links(page: SyntheticPage, pattern: str) -> str:
    """The corpus links pages as `](pagina-00012.md)`; `pattern` gives each peer's own form."""
    parts = page.body.split("](pagina-")
    out = [parts[0]]
    for part in parts[1:]:
        number, rest = part.split(".md)", 1)
        out.append("](" + pattern.format(name=f"pagina-{number}") + ")" + rest)
    return "".join(out)


# -- the generators --------------------------------------------------------------------------

@dataclass
class Generator:
    """One way of building the corpus. `prepare` writes its project into `home`; `cold` and `warm`
    give the command lines; `page` is the file changed for the warm build."""

    name: str
    home: Path = field(default=Path("."))

    def prepare(self, corpus: "Corpus") -> None:
        self.home = corpus.root / self.name
        self.home.mkdir(parents=True, exist_ok=True)

    def cold(self) -> list[str]:
        raise NotImplementedError

    def warm(self) -> list[str] | None:
        return None

    def env(self, warm: bool) -> dict:
        # Any user-level cache a generator keeps goes into its own folder, emptied by clean().
        return {"XDG_CACHE_HOME": str(self.home / "xdg-cache")}

    def cwd(self) -> Path:
        return self.home

    def clean(self) -> None:
        set_aside(self.home / "out", self.home / "cache", self.home / "xdg-cache")

    def page(self) -> Path:
        raise NotImplementedError

    def version(self) -> str:
        return ""


class Ours(Generator):
    def prepare(self, corpus: "Corpus") -> None:
        super().prepare(corpus)
        self.content, self.data = corpus.content, corpus.data

    def cold(self) -> list[str]:
        return [sys.executable, str(PROJECT / "build.py"), "build", "--content", str(self.content),
                "--data", str(self.data), "--out", str(self.home / "out"), "--today", TODAY]

    def warm(self) -> list[str]:
        return self.cold()

    def cwd(self) -> Path:
        return PROJECT

    def clean(self) -> None:
        # The build's cache sits beside its output folder: a cold run starts without it.
        super().clean()
        set_aside(self.home / ".out.cache.sqlite", self.home / ".out.nuovo")

    def page(self) -> Path:
        return self.content / CORPUS_DIR / "pagina-00000.md"

    def version(self) -> str:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "sitegen", "templates", "build.py"],
                               cwd=PROJECT, capture_output=True, text=True).stdout.strip()
        return rev.stdout.strip() + (" + uncommitted changes" if dirty else "")


class Floor(Generator):
    def __init__(self, name: str, jobs: int):
        super().__init__(name)
        self.jobs = jobs

    def prepare(self, corpus: "Corpus") -> None:
        super().prepare(corpus)
        self.content = corpus.content

    def cold(self) -> list[str]:
        return [sys.executable, str(PROJECT / "bench" / "floor.py"), str(self.content), str(self.home / "out"),
                "--jobs", str(self.jobs)]


PELICAN_CONF = """\
import os

SITENAME = "bench"
SITEURL = ""
PATH = "content"
PAGE_PATHS = ["pages"]
ARTICLE_PATHS = []
STATIC_PATHS = []
THEME = "theme"
TIMEZONE = "Europe/Rome"
DEFAULT_LANG = "it"
RELATIVE_URLS = True
DIRECT_TEMPLATES = ["index"]
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DISPLAY_PAGES_ON_MENU = False
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
MARKDOWN = {"extension_configs": {"markdown.extensions.toc": {}, "markdown.extensions.tables": {},
                                  "markdown.extensions.sane_lists": {}, "markdown.extensions.meta": {}},
            "output_format": "html5"}
# The warm run uses Pelican's content cache; cold runs neither read nor write it.
CACHE_CONTENT = LOAD_CONTENT_CACHE = os.environ.get("BENCH_PELICAN_CACHE") == "1"
CACHE_PATH = "cache"
"""


class Pelican(Generator):
    def prepare(self, corpus: "Corpus") -> None:
        super().prepare(corpus)
        pages = self.home / "content" / "pages"
        pages.mkdir(parents=True, exist_ok=True)
        for page in corpus.pages:
            (pages / f"{page.name}.md").write_text(
                f"Title: {page.title}\nSlug: {page.name}\nSummary: {page.description}\n\n"
                + rewrite_links(page, "{{filename}}{name}.md"), encoding="utf-8")
        templates = self.home / "theme" / "templates"
        templates.mkdir(parents=True, exist_ok=True)
        (self.home / "theme" / "static").mkdir(exist_ok=True)
        (templates / "page.html").write_text(TRIVIAL_PAGE.format(title="{{ page.title }}",
                                                                 content="{{ page.content }}"), encoding="utf-8")
        (templates / "index.html").write_text(TRIVIAL_PAGE.format(title="{{ SITENAME }}", content=""),
                                              encoding="utf-8")
        (self.home / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")

    def cold(self) -> list[str]:
        return [str(VENV / "bin" / "pelican"), "content", "-s", "pelicanconf.py", "-o", "out", "-q"]

    def warm(self) -> list[str]:
        return self.cold()

    def env(self, warm: bool) -> dict:
        return {**super().env(warm), "BENCH_PELICAN_CACHE": "1" if warm else "0"}

    def page(self) -> Path:
        return self.home / "content" / "pages" / "pagina-00000.md"

    def version(self) -> str:
        return "Pelican " + tool_version([str(VENV / "bin" / "pelican"), "--version"])


MKDOCS_CONF = """\
site_name: bench
docs_dir: docs
site_dir: {out}
use_directory_urls: true
theme:
{theme}
markdown_extensions: [toc, tables, sane_lists]
"""


class MkDocs(Generator):
    """theme None: MkDocs with no theme but one page template (custom_dir), the minimal setup;
    theme "mkdocs": its default theme, which renders the whole navigation on every page."""

    def __init__(self, name: str, theme: str | None):
        super().__init__(name)
        self.theme = theme

    def prepare(self, corpus: "Corpus") -> None:
        super().prepare(corpus)
        docs = self.home / "docs"
        (docs / CORPUS_DIR).mkdir(parents=True, exist_ok=True)
        (docs / "index.md").write_text("---\ntitle: bench\n---\n\n"
                                       f"[Le pagine]({CORPUS_DIR}/pagina-00000.md)\n", encoding="utf-8")
        for page in corpus.pages:
            (docs / CORPUS_DIR / f"{page.name}.md").write_text(
                f"---\ntitle: {json.dumps(page.title, ensure_ascii=False)}\n"
                f"description: {json.dumps(page.description, ensure_ascii=False)}\n---\n\n{page.body}",
                encoding="utf-8")
        if self.theme is None:
            (self.home / "theme").mkdir(exist_ok=True)
            (self.home / "theme" / "main.html").write_text(
                TRIVIAL_PAGE.format(title="{{ page.title }}", content="{{ page.content }}"), encoding="utf-8")
            theme = "  name: null\n  custom_dir: theme"
        else:
            theme = f"  name: {self.theme}"
        (self.home / "mkdocs.yml").write_text(MKDOCS_CONF.format(out="out", theme=theme), encoding="utf-8")

    def cold(self) -> list[str]:
        return [str(VENV / "bin" / "mkdocs"), "build", "-q", "-f", "mkdocs.yml"]

    def warm(self) -> list[str]:
        return self.cold() + ["--dirty"]

    def page(self) -> Path:
        return self.home / "docs" / CORPUS_DIR / "pagina-00000.md"

    def version(self) -> str:
        return tool_version([str(VENV / "bin" / "mkdocs"), "--version"]).split(" from ")[0]


HUGO_CONF = """\
baseURL = "https://www.example.org/"
languageCode = "it"
title = "bench"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""


class Hugo(Generator):
    """Hugo with one trivial layout. Hugo does not resolve links to .md files by itself, so links
    are written as the URLs they become."""

    def prepare(self, corpus: "Corpus") -> None:
        super().prepare(corpus)
        self.write_project()
        self.write_pages(corpus.pages)

    def write_project(self) -> None:
        layouts = self.home / "layouts" / "_default"
        layouts.mkdir(parents=True, exist_ok=True)
        single = TRIVIAL_PAGE.format(title="{{ .Title }}", content="{{ .Content }}")
        for name in ("single.html", "list.html"):
            (layouts / name).write_text(single, encoding="utf-8")
        (self.home / "layouts" / "index.html").write_text(single, encoding="utf-8")
        (self.home / "hugo.toml").write_text(HUGO_CONF, encoding="utf-8")
        (self.home / "content").mkdir(exist_ok=True)
        (self.home / "content" / "_index.md").write_text("---\ntitle: bench\n---\n\nbench\n", encoding="utf-8")

    def write_pages(self, pages: list[SyntheticPage], folder: str = CORPUS_DIR) -> None:
        target = self.home / "content" / folder
        target.mkdir(parents=True, exist_ok=True)
        for page in pages:
            (target / f"{page.name}.md").write_text(
                f"---\ntitle: {json.dumps(page.title, ensure_ascii=False)}\n"
                f"description: {json.dumps(page.description, ensure_ascii=False)}\n---\n\n"
                + rewrite_links(page, "../{name}/"), encoding="utf-8")

    def cold(self) -> list[str]:
        return ["hugo", "--source", str(self.home), "--destination", "out", "--cacheDir",
                str(self.home / "cache"), "--quiet"]

    def warm(self) -> list[str]:
        return self.cold()

    def clean(self) -> None:
        super().clean()
        set_aside(self.home / "resources")

    def page(self) -> Path:
        return self.home / "content" / CORPUS_DIR / "pagina-00000.md"

    def version(self) -> str:
        return tool_version(["hugo", "version"]).split(" BuildDate")[0]


def make_generators(names: list[str]) -> list[Generator]:
    known = {"ours": lambda: Ours("ours"), "floor1": lambda: Floor("floor1", 1),
             "floor2": lambda: Floor("floor2", 2), "pelican": lambda: Pelican("pelican"),
             "mkdocs": lambda: MkDocs("mkdocs", None), "mkdocs-default": lambda: MkDocs("mkdocs-default", "mkdocs"),
             "hugo": lambda: Hugo("hugo")}
    return [known[name]() for name in names]


LABELS = {"floor1": "floor (1 proc)", "floor2": "floor (2 proc)", "mkdocs": "mkdocs (minimal theme)",
          "mkdocs-default": "mkdocs (default theme)"}


def tool_version(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not installed"


# -- installing the peers --------------------------------------------------------------------

def ensure_peers(names: list[str]) -> None:
    """Pelican and MkDocs go into their own virtual environment so that their dependencies never
    change the project's; Hugo is Debian's package."""
    if {"pelican", "mkdocs", "mkdocs-default"} & set(names):
        missing = [tool for tool in ("pelican", "mkdocs") if not (VENV / "bin" / tool).exists()]
        if missing:
            print(f"installing {', '.join(PEER_PACKAGES)} into {VENV}", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
            subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", *PEER_PACKAGES], check=True)
    if "hugo" in names and shutil.which("hugo") is None:
        print("installing Debian's hugo", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "hugo"], check=True, stdout=subprocess.DEVNULL)


# -- the corpus ------------------------------------------------------------------------------

@dataclass
class Corpus:
    root: Path
    pages: list[SyntheticPage]
    content: Path
    data: Path


def make_corpus(root: Path, pages: int, comuni: int, seed: int) -> Corpus:
    content, data = write_corpus(root / "input", pages, comuni, seed)
    return Corpus(root, corpus_pages(pages, seed), content, data)


# -- the three measurements ------------------------------------------------------------------

@dataclass
class Row:
    generator: str
    pages: int
    runs: list[Run]
    what: str = "cold"
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_kb for r in self.runs) / 1024


def cold_runs(generators: list[Generator], corpus: Corpus, repeat: int, logs: Path) -> list[Row]:
    """Alternate the generators run by run, each from an empty output folder."""
    rows = {g.name: Row(g.name, len(corpus.pages), []) for g in generators}
    failed: set[str] = set()
    for number in range(repeat):
        for gen in generators:
            if gen.name in failed:
                continue
            gen.clean()
            settle()
            try:
                run = timed(gen.cold(), gen.cwd(), logs / f"{gen.name}-{len(corpus.pages)}.log", gen.env(False))
            except BuildError as exc:
                failed.add(gen.name)
                rows[gen.name].note = "failed"
                print(f"{gen.name} failed at N={len(corpus.pages)}: {exc}", file=sys.stderr)
                continue
            rows[gen.name].runs.append(run)
            print(f"  N={len(corpus.pages)} run {number + 1}/{repeat} {gen.name}: {run.wall:.2f} s, "
                  f"{run.peak_kb / 1024:.0f} MB", file=sys.stderr)
    return [row for row in rows.values() if row.runs or row.note]


def warm_runs(generators: list[Generator], corpus: Corpus, repeat: int, logs: Path) -> list[Row]:
    """Build once (not timed); then, round after round, change one page and time the next build,
    alternating the generators (one run is at the mercy of a slow moment of the disk)."""
    rows = {}
    for gen in generators:
        if gen.warm() is None:
            continue
        gen.clean()
        try:
            timed(gen.warm(), gen.cwd(), logs / f"{gen.name}-warm.log", gen.env(True))
        except BuildError as exc:
            print(f"{gen.name} warm build failed: {exc}", file=sys.stderr)
            continue
        rows[gen.name] = Row(gen.name, len(corpus.pages), [], "warm")
    for number in range(repeat):
        for gen in generators:
            row = rows.get(gen.name)
            if row is None or row.note == "failed":
                continue
            page = gen.page()
            page.write_text(page.read_text(encoding="utf-8") + f"\nUna riga cambiata per la prova {number}.\n",
                            encoding="utf-8")
            settle()
            try:
                run = timed(gen.warm(), gen.cwd(), logs / f"{gen.name}-warm.log", gen.env(True))
            except BuildError as exc:
                print(f"{gen.name} warm build failed: {exc}", file=sys.stderr)
                row.note = "failed"
                continue
            row.runs.append(run)
            print(f"  warm N={len(corpus.pages)} run {number + 1}/{repeat} {gen.name}: {run.wall:.2f} s",
                  file=sys.stderr)
    return [row for row in rows.values() if row.runs or row.note]


def comune_pages(data: Path) -> list[SyntheticPage]:
    """What our desk page says about each comune, as Markdown, for Hugo to build the same count."""
    raw = yaml.load(data.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    desks = raw["sportelli"]
    pages = []
    for comune in raw["comuni"]:
        desk = desks[comune["sportello"]]
        frazioni = [f if isinstance(f, str) else f["nome"] for f in comune.get("frazioni") or []]
        body = (f"## Il tuo sportello\n\n{desk['nome']}\n\n- Telefono: {desk['telefono']}\n"
                f"- Email: {desk['email']}\n\nCAP {comune['cap']}, codice ISTAT {comune['istat']}.\n")
        if frazioni:
            body += "\n## Frazioni\n\n" + "\n".join(f"- {f}" for f in frazioni) + "\n"
        pages.append(SyntheticPage(slug_of(comune["nome"]), comune["nome"],
                                   f"Lo sportello di {comune['nome']}", body))
    return pages


def finder_index_gzip(data: Path) -> tuple[int, int]:
    """Bytes of the finder's index as the build embeds it, raw and gzip -9."""
    sys.path.insert(0, str(PROJECT))
    from sitegen.contacts import load_contacts
    from sitegen.errors import Report
    from sitegen.finder import finder_index

    contacts = load_contacts(data, "contacts.yaml", Report())
    text = json.dumps(finder_index(contacts, lambda c: f"{c.slug}/index.html"), ensure_ascii=False,
                      sort_keys=True, separators=(",", ":")).encode("utf-8")
    return len(text), len(gzip.compress(text, 9))


def data_runs(names: list[str], root: Path, comuni: int, seed: int, repeat: int, logs: Path) -> list[Row]:
    """Our build with no corpus pages and `comuni` comuni, against Hugo on as many content files."""
    corpus = make_corpus(root, 0, comuni, seed)
    generators = make_generators([n for n in names if n in ("ours", "hugo")])
    for gen in generators:
        gen.prepare(corpus)
        if isinstance(gen, Hugo):
            gen.write_pages(comune_pages(corpus.data), folder="sportelli")
    rows = cold_runs(generators, corpus, repeat, logs)
    for row in rows:
        row.what = "data"
    rows += data_edit_runs(generators, corpus, max(repeat, 3), logs)
    raw, packed = finder_index_gzip(corpus.data)
    for row in rows:
        row.pages = comuni
    note = f"finder index {raw / 1024:.0f} KiB, {packed / 1024:.1f} KiB gzip"
    for row in rows:
        if row.what == "data edit":   # round by round: ours renders every page in the first one
            row.note = "rounds: " + ", ".join(f"{run.wall:.2f}" for run in row.runs) + " s"
        elif row.generator == "ours":
            row.note = note
    print(f"  {comuni} comuni: {note}", file=sys.stderr)
    return rows


def data_edit_runs(generators: list[Generator], corpus: Corpus, repeat: int, logs: Path) -> list[Row]:
    """An editor changes one desk's phone number and the site is built again into the same folder,
    as a publishing job does: never emptied. Hugo gets the changed content files; ours renders the
    outputs made from that desk (its comuni's pages, the home page, the finder)."""
    rows = {g.name: Row(g.name, 0, [], "data edit") for g in generators}
    for gen in generators:   # the first build of the folder, not timed
        gen.clean()
        timed(gen.warm(), gen.cwd(), logs / f"{gen.name}-data-edit.log", gen.env(True))
    pages = comune_pages(corpus.data)
    for number in range(repeat):
        change_a_phone(corpus.data)
        new_pages = comune_pages(corpus.data)
        changed = [new for old, new in zip(pages, new_pages) if old != new]
        pages = new_pages
        for gen in generators:
            if isinstance(gen, Hugo):
                gen.write_pages(changed, folder="sportelli")
            settle()
            run = timed(gen.warm(), gen.cwd(), logs / f"{gen.name}-data-edit.log", gen.env(True))
            rows[gen.name].runs.append(run)
            print(f"  data edit run {number + 1}/{repeat} {gen.name}: {run.wall:.2f} s "
                  f"({len(changed)} comuni changed)", file=sys.stderr)
    return list(rows.values())


def change_a_phone(data: Path) -> None:
    """The last digit of the first desk's phone number, plus one."""
    text = data.read_text(encoding="utf-8")
    match = re.search(r'telefono: "[^"]*?(\d)"', text)
    assert match, "the contacts file has no phone number to change"
    digit = str((int(match[1]) + 1) % 10)
    data.write_text(text[:match.start(1)] + digit + text[match.end(1):], encoding="utf-8")


# -- report ----------------------------------------------------------------------------------

def machine() -> list[str]:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return [f"date {time.strftime('%Y-%m-%d')}", f"nproc {os.cpu_count()}", f"CPU {model}",
            f"Python {platform.python_version()} ({platform.system()} {platform.release()})"]


def table(rows: list[Row], markdown: bool) -> str:
    head = ["generator", "build", "N", "median wall s", "ms/page", "peak MB", "ratio to ours", "note"]
    ours = {(r.what, r.pages): r.median for r in rows if r.generator == "ours" and r.runs}
    lines = []
    for row in rows:
        if not row.runs:
            lines.append([LABELS.get(row.generator, row.generator), row.what, f"{row.pages:,}", "-", "-", "-", "-",
                          row.note])
            continue
        base = ours.get((row.what, row.pages))
        ratio = f"{row.median / base:.2f}" if base else "-"
        lines.append([LABELS.get(row.generator, row.generator), row.what, f"{row.pages:,}",
                      f"{row.median:.3f}", f"{row.median * 1000 / max(1, row.pages):.2f}", f"{row.peak_mb:.0f}",
                      ratio, row.note + (f" ({len(row.runs)} runs)" if len(row.runs) > 1 else "")])
    if markdown:
        return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
                         + ["| " + " | ".join(line) + " |" for line in lines])
    widths = [max(len(x) for x in column) for column in zip(head, *lines)]
    return "\n".join("  ".join(x.ljust(w) for x, w in zip(line, widths)).rstrip() for line in [head, *lines])


def default_repeat(size: int) -> int:
    return 5 if size <= 100 else 3 if size <= 1000 else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="page counts N, comma-separated")
    parser.add_argument("--only", default=",".join(DEFAULT_ONLY), help="generators: " + ",".join(ALL))
    parser.add_argument("--repeat", type=int, help="runs per generator and size (default 5/3/1 by size)")
    parser.add_argument("--what", default="cold,warm,data", help="cold, warm, data (comma-separated)")
    parser.add_argument("--warm-size", type=int, default=10000, help="N for the warm rebuild")
    parser.add_argument("--comuni", type=int, default=8000, help="comuni for the data-scale build")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--quick", action="store_true", help="N=100, one run, warm at 100, data at 200 comuni")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print where it is")
    parser.add_argument("--no-install", action="store_true", help="do not install missing peers")
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    args.only = [n for n in args.only.split(",") if n]
    args.what = [w for w in args.what.split(",") if w]
    unknown = [n for n in args.only if n not in ALL]
    if unknown:
        parser.error(f"unknown generator(s) {', '.join(unknown)}; choose from {', '.join(ALL)}")
    if args.quick:
        args.sizes, args.repeat, args.warm_size, args.comuni = [100], args.repeat or 1, 100, 200
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.no_install:
        ensure_peers(args.only)
    generators = make_generators(args.only)
    # Recorded before the runs: the engine may change under a long run (another checkout, an edit).
    versions = "; ".join(f"{LABELS.get(g.name, g.name)}: {g.version()}" for g in generators if g.version())
    root = Path(tempfile.mkdtemp(prefix="activitycr-bench-"))
    logs = root / "logs"
    logs.mkdir()
    rows: list[Row] = []
    try:
        if "cold" in args.what:
            for size in args.sizes:
                corpus = make_corpus(root / f"n{size}", size, 17, args.seed)
                for gen in generators:
                    gen.prepare(corpus)
                rows += cold_runs(generators, corpus, args.repeat or default_repeat(size), logs)
        if "warm" in args.what:
            corpus = make_corpus(root / "warm", args.warm_size, 17, args.seed)
            for gen in generators:
                gen.prepare(corpus)
            rows += warm_runs(generators, corpus, max(args.repeat or 3, 1), logs)
        if "data" in args.what and {"ours", "hugo"} & set(args.only):
            rows += data_runs(args.only, root / "data", args.comuni, args.seed, args.repeat or 1, logs)
    finally:
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            remove(root)
    print("; ".join(machine()))
    print(versions)
    print(f"command: python bench/peers.py {' '.join(sys.argv[1:] if argv is None else argv)}")
    print(table(rows, args.markdown))
    return 1 if any(r.note == "failed" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
