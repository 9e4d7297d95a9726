"""The build as a recipe of five stages: load, read, plan, render, write."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .cache import OutputRecord
from .claims import check_templates
from .contacts import Contacts
from .content import Asset, Page, Read, find_sources, read_files, walk
from .digest import digest
from .errors import BuildFailed, Report
from .incremental import Bodies, Incremental, output_keys, site_key, to_render
from .output import SiteWriter, build_lock, check_out_dir
from .parallel import few_collections
from .plan import Output, Site, plan_site
from .publish import record_publishable
from .render import Renderer
from .settings import Settings, load_settings
from .sitefiles import site_files


@dataclass(frozen=True)
class Options:
    project: Path
    content: Path
    data: Path
    templates: Path
    static: Path
    out: Path
    today: date
    base_url: str | None = None
    settings: Path = Path("sito.yaml")   # missing: the defaults
    preview: bool = False                # a proposal's preview: pages ask search engines not to index them

    def display(self, path: Path) -> str:
        """A path as editors know it: relative to where they are, or to the project."""
        for base in (Path.cwd(), self.project):
            try:
                return path.resolve().relative_to(base.resolve()).as_posix()
            except ValueError:
                continue
        return str(path)


@dataclass(frozen=True)
class Readability:
    source: str        # "content/progetto.md"
    index: int | None  # Gulpease, 0-100; None for a page without words
    minimum: int


@dataclass(frozen=True)
class Loaded:
    """Stage 1: the data and the settings."""

    contacts: Contacts | None   # None: the contacts file has errors (reported)
    settings: Settings


@dataclass(frozen=True)
class Sources:
    """Stage 2: every page read, and the files of content/ copied as they are."""

    readings: list[Read]
    assets: list[Asset]
    statics: dict[str, Path]   # static/ files by their path in the site

    @property
    def pages(self) -> list[Page]:
        return [r.page for r in self.readings if r.page]


@dataclass(frozen=True)
class Staged:
    """Stage 4: the new version's files, those that changed written beside the site."""

    records: dict[str, OutputRecord]   # every file of the new version
    changed: set[str]                  # those staged, which replace the live ones


def build(options: Options, report: Report, write: bool = True, strict: bool = False,
          memo: Incremental | None = None) -> list[Readability]:
    """The whole build; returns the readability of every page. Raises BuildFailed carrying
    `report`, having written nothing, when any stage found an error (or, with `strict`, a
    warning). With a `memo` that remembers, only what changed since the last build is converted,
    rendered and written; the files are the same as without it."""
    memo = memo if memo is not None else Incremental()
    try:
        if write:   # before the lock, whose file goes beside the folder: a folder refused gets nothing
            check_output(options)
        # One build at a time into one folder: two would share the next tree and the cache.
        with few_collections(), build_lock(options.out) if write else nullcontext():
            return run_stages(options, report, write, strict, memo)
    except BuildFailed as failed:
        if failed.report is not report:  # a problem that stopped a stage at once
            report.problems.extend(failed.report.problems)
        raise BuildFailed(report) from None


def run_stages(options: Options, report: Report, write: bool, strict: bool, memo: Incremental) -> list[Readability]:
    memo.start()
    if write:   # again, now that the lock is held: the folder may have changed while this build waited
        check_output(options)
    loaded = load(options, report, memo)
    sources = read(options, report, memo)
    scores = readability(options, sources.pages, loaded.settings, report)
    planned = plan(options, loaded, sources, report)
    report.fail_if_errors()
    if strict and report.warnings:   # rendering finds errors only: every warning is known by now
        raise BuildFailed(report)
    site, outputs = planned
    templates = templates_fingerprint(options)
    bodies = memo.bodies(sources.readings, options.content)
    renderer = Renderer(memo.environment(options.templates.resolve(), templates), site, bodies,
                        options.display(options.templates))
    if not write:   # check: render everything all the same, for the templates' mistakes
        memo.map(lambda chunk: [len(renderer.render(o)) for o in chunk], outputs)
        return scores
    writer = SiteWriter(options.out, memo.last_manifest())
    writer.start()
    try:
        staged = render(options, site, outputs, sources, renderer, bodies, writer, memo, templates)
        write_site(options, writer, staged, report)
    except BaseException:
        writer.abort()
        raise
    # Still under the folder's lock: the record is about this version, not one that a build
    # started meanwhile put in its place.
    record_publishable(options.out, options.base_url, strict)
    memo.remember(sources.readings, staged.records)
    return scores


def check_output(options: Options) -> None:
    check_out_dir(options.out, options.project, [options.content, options.templates, options.static,
                                                 options.data.parent])


# -- 1. load ---------------------------------------------------------------------------------

def load(options: Options, report: Report, memo: Incremental) -> Loaded:
    """The contacts file, the settings file, and a look at the templates' wording."""
    contacts = memo.contacts(options.data, options.display(options.data), report)
    settings = load_settings(options.settings, options.display(options.settings), report)
    check_templates(options.templates, options.display(options.templates), report)
    return Loaded(contacts, settings)


# -- 2. read ---------------------------------------------------------------------------------

def read(options: Options, report: Report, memo: Incremental) -> Sources:
    """Every page of content/, checked and converted; every other file there, and static/."""
    files, assets = find_sources(options.content, options.display(options.content))
    readings = memo.read(files, read_files)
    for reading in readings:
        report.problems.extend(reading.problems)
    return Sources(readings, assets, static_files(options))


FINDER_MINIFIED = "finder.min.js"


def static_files(options: Options) -> dict[str, Path]:
    """static/ is published as static/ in the site, in sorted order."""
    if not options.static.is_dir():
        return {}
    return {f"static/{p.relative_to(options.static).as_posix()}": p
            for p in sorted(options.static.rglob("*"))
            if p.is_file() and not p.name.startswith(".") and p.name != FINDER_MINIFIED}   # served as finder.js


def readability(options: Options, pages: list[Page], settings: Settings, report: Report) -> list[Readability]:
    """The Gulpease index of every page; a warning for each one below the settings' minimum."""
    content = options.display(options.content)
    scores = [Readability(f"{content}/{page.source}", page.readability, settings.readability_min) for page in pages]
    for score, page in zip(scores, pages):
        if score.index is not None and score.index < score.minimum:
            report.warning(score.source, page.text_line, 0,
                           f"testo difficile da leggere: indice Gulpease {score.index}, sotto {score.minimum} "
                           "(la soglia in sito.yaml). Scrivi frasi più brevi, una idea per frase, "
                           "e usa parole di tutti i giorni")
    return scores


# -- 3. plan ---------------------------------------------------------------------------------

def plan(options: Options, loaded: Loaded, sources: Sources, report: Report) -> tuple[Site, list[Output]]:
    """Where every output goes and what it is made from (sitegen.plan). Without contacts (their
    errors are reported) there is nothing to plan."""
    if loaded.contacts is None:   # its errors are in the report
        raise BuildFailed(report)
    return plan_site(sources.pages, sources.assets, loaded.contacts, options.today, options.base_url,
                     sorted(sources.statics), report, options.display(options.content), loaded.settings,
                     preview=options.preview)


# -- 4. render -------------------------------------------------------------------------------

def templates_fingerprint(options: Options) -> str:
    parts = []
    for relative, path in walk(options.templates, options.display(options.templates)):   # hidden files (editors' swap files) left out
        parts += [relative, Path(path).read_bytes()]
    return digest(*parts)


def render(options: Options, site: Site, outputs: list[Output], sources: Sources, renderer: Renderer,
           bodies: Bodies, writer: SiteWriter, memo: Incremental, templates: str) -> Staged:
    """Render the outputs whose inputs changed since the last build, and every file made from the
    site as a whole; stage beside the site those that differ from the live ones."""
    last = memo.last_records(writer.trusted)
    keys = output_keys(outputs, site_key(site, templates))
    todo = to_render(outputs, keys, last, writer.out)
    bodies.preload([o.page for o in todo if o.page])
    staged = memo.map(lambda chunk: [writer.stage(o.dest, renderer.render(o)) for o in chunk], todo)
    records = {o.dest: last[o.dest] for o in outputs if o.dest in last}
    changed = set()
    for output, (fingerprint, differs) in zip(todo, staged):
        records[output.dest] = OutputRecord(keys[output.dest], fingerprint)
        if differs:
            changed.add(output.dest)
    for relative, data in whole_site_files(options, site, outputs, sources).items():
        fingerprint, differs = writer.stage(relative, data)
        records[relative] = OutputRecord("", fingerprint)
        if differs:
            changed.add(relative)
    return Staged(records, changed)


def whole_site_files(options: Options, site: Site, outputs: list[Output], sources: Sources) -> dict[str, bytes]:
    """vCards, robots.txt, sitemap, feed; the finder's script; the files copied as they are.
    Made every time, and compared with the live ones by their bytes."""
    files = site_files(site, outputs)
    # The finder's script is kept readable in static/finder.js and served minified (size budget):
    # static/finder.min.js, made by scripts/minify-finder.sh and checked by the tests.
    minified = options.static / FINDER_MINIFIED
    if minified.is_file():
        files["static/finder.js"] = minified.read_bytes()
    copies = {**{a.source: a.path for a in sources.assets}, **sources.statics}
    for relative, path in sorted(copies.items()):
        if relative not in files:
            files[relative] = path.read_bytes()
    return files


# -- 5. write --------------------------------------------------------------------------------

def write_site(options: Options, writer: SiteWriter, staged: Staged, report: Report) -> None:
    """Switch the new version in, in one step."""
    writer.commit({relative: record.fingerprint for relative, record in staged.records.items()}, staged.changed)
    note = writer.kept_note()
    if note:   # not a warning: a .htaccess kept must not fail a --strict build
        report.note(options.display(options.out), 0, 0, note)
