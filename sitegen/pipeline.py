"""The build as a recipe of five stages: load, read, plan, render, write."""

from __future__ import annotations

import os
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import jinja2

from . import extras
from .cache import BuildCache
from .contacts import Contacts, load_contacts
from .depends import Entry, Fingerprints, Reads, Untrackable, data_key, follow, watching
from .content import Asset, Page, Read, read_page, read_pages, stamp_of, walk
from .digest import code_key, digest
from .claims import check_templates
from .errors import BuildFailed, Report
from .markup import new_markdown
from .output import SiteWriter, build_lock, check_out_dir
from .parallel import few_collections, run_chunks
from .plan import Output, Site, plan_site, relink
from .render import make_environment, render_output
from .settings import Settings, load_settings


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


FINDER_MINIFIED = "finder.min.js"


def static_files(options: Options) -> dict[str, Path]:
    """static/ is published as static/ in the site, in sorted order."""
    if not options.static.is_dir():
        return {}
    return {f"static/{p.relative_to(options.static).as_posix()}": p
            for p in sorted(options.static.rglob("*"))
            if p.is_file() and not p.name.startswith(".") and p.name != FINDER_MINIFIED}   # served as finder.js


@dataclass(frozen=True)
class Readability:
    source: str        # "content/progetto.md"
    index: int | None  # Gulpease, 0-100; None for a page without words
    minimum: int


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


@dataclass
class Prepared:
    """Stages 1-3 done: the site planned and every source checked."""

    readings: list[Read]
    data_stamp: tuple[int, ...]
    assets: list[Asset]
    statics: dict[str, Path]
    site: Site
    outputs: list[Output]


def prepare(options: Options, report: Report, cache: BuildCache | None = None,
            jobs: int = 1) -> tuple[Prepared | None, list[Readability]]:
    """Stages 1-3 (load, read, plan): everything that can be checked without writing."""
    data_stamp = stamp_of(options.data) if options.data.is_file() else ()
    contacts = read_contacts(options, data_stamp, report, cache)
    readings, assets = read_pages(options.content, report, options.display(options.content), cache, jobs)
    pages = [r.page for r in readings if r.page]
    check_templates(options.templates, options.display(options.templates), report)
    settings = load_settings(options.settings, options.display(options.settings), report)
    scores = readability(options, pages, settings, report)
    if contacts is None:
        return None, scores
    statics = static_files(options)
    site, outputs = plan_site(pages, assets, contacts, options.today, options.base_url, sorted(statics), report,
                              options.display(options.content), settings, preview=options.preview)
    return Prepared(readings, data_stamp, assets, statics, site, outputs), scores


def read_contacts(options: Options, data_stamp: tuple[int, ...], report: Report,
                  cache: BuildCache | None) -> Contacts | None:
    """Stage 1: the contacts file, read again only when its stamp changed (8,000 comuni take a
    quarter of a second); its warnings are repeated from the cache like a page's."""
    display = options.display(options.data)
    known = cache.contacts_for(data_stamp, display) if cache is not None and data_stamp else None
    if known is not None:
        contacts, problems = known
        report.problems.extend(problems)
        return contacts
    found = Report()
    contacts = load_contacts(options.data, display, found)
    report.problems.extend(found.problems)
    if cache is not None and contacts is not None and data_stamp:
        cache.keep_contacts(data_stamp, display, contacts, tuple(found.problems))
    return contacts


def site_key(site: Site, templates: str) -> str:
    """Everything outside a page and the data that may change how it renders: the code, the
    templates, the whole site's paths and navigation, the date and the address. A page is
    rendered again when this or its own file changed; what it read of the data is checked
    apart (Renderer.still_current)."""
    return digest(code_key(), templates, repr(site.base_url), repr(site.settings), repr(site.preview),
                  site.today.isoformat(), site.finder, repr(site.feed), repr(site.nav), repr(site.notices),
                  repr(sorted(site.paths)), repr(sorted(site.dests.items())))


def templates_fingerprint(options: Options) -> str:
    parts = []
    for relative, path in walk(options.templates, options.display(options.templates)):   # hidden files (editors' swap files) left out
        parts += [relative, Path(path).read_bytes()]
    return digest(*parts)


def output_key(key: str, output: Output) -> str:
    """The site's key and the page's digest, side by side: records are kept by the output's
    path, and joining two digests costs nothing, where a digest of them took 25 ms a rebuild
    at 10,000 pages."""
    return f"{key}:{output.page.digest if output.page else ''}"


class Renderer:
    """Stage 4, one output at a time; built before the workers fork, so they share it."""

    def __init__(self, options: Options, site: Site, bodies: BodySource, templates: str):
        folder = options.templates.resolve()
        self.plain_env = up_to_date(make_environment(folder), templates)
        self.noting_env = up_to_date(make_environment(folder, noting=True), templates)
        self.templates_display = options.display(options.templates)
        self.site = site
        self.bodies = bodies
        self.fingerprints = Fingerprints()
        self.followed: dict[Entry, object] = {}
        # Noting what each output reads costs a third of its rendering (0.03-0.07 ms): a build
        # from nothing skips it, and the first data edit after it renders every page again and
        # notes it. A publishing job that starts from a clean folder has nothing to reuse anyway.
        self.note_reads = True

    def render(self, output: Output) -> Rendered:
        """The output's bytes, with what its rendering read of the data (None: it cannot say)."""
        planned = output
        if output.page is not None:
            output = relink(output, self.bodies(output.page), self.site)
        context = extras.template_context(self.site, output)
        if not self.note_reads:
            return Rendered(render_output(self.plain_env, self.site, output, self.templates_display, context),
                            None, ())
        reads = self.noting_env.reads = Reads(self.site)
        try:
            with watching(reads):
                data = render_output(self.noting_env, self.site, output, self.templates_display, context)
        finally:
            self.noting_env.reads = None
        key = None if reads.opaque else self.key_of(context, planned, reads.values)
        return Rendered(data, key, tuple(sorted(reads.values, key=repr)) if key else ())

    def still_current(self, output: Output, key: str | None, entries: tuple[Entry, ...]) -> bool:
        """After a data edit: whether the output would read the same as when it was rendered."""
        if key is None:
            return False
        try:
            values = {entry: self.follow(entry) for entry in entries}
            return self.key_of(extras.template_context(self.site, output), output, values) == key
        except Exception:   # a step that fails now (a record gone): render it, and meet the error there
            return False

    def key_of(self, context: dict, planned: Output, values: dict) -> str | None:
        """The data key of what an output was given (its planned form: its body follows from its
        page's file, in its input key already) and what it read; None if a value has no fingerprint."""
        try:
            return data_key(self.fingerprints, {**context, "page": from_data(planned)}, values)
        except Untrackable:
            return None

    def follow(self, entry: Entry):
        if entry not in self.followed:
            self.followed[entry] = follow(self.site, entry, self.plain_env.getattr, self.plain_env.getitem)
        return self.followed[entry]


def up_to_date(env: jinja2.Environment, templates: str) -> jinja2.Environment:
    """An environment outlives a build (preview). Its compiled templates are dropped when the
    contents change; from the second build on, Jinja also follows the files' times (a template
    saved during a build, then put back, has the old contents but a new time)."""
    if hasattr(env, "fingerprint"):
        env.auto_reload = True
    if getattr(env, "fingerprint", None) != templates:
        if env.cache is not None:
            env.cache.clear()
        env.fingerprint = templates
    return env


def from_data(output: Output) -> tuple:
    """What of an output as planned may come from the data (a desk page's comune, its title).
    The rest, its place and its page's file, is in its input key already; its body follows from
    them."""
    return output.title, output.description, output.comune, output.template, output.source


@dataclass(frozen=True)
class Rendered:
    data: bytes
    data_key: str | None          # what it was given and read of the data (sitegen.depends)
    entries: tuple[Entry, ...]    # the steps it took from the site


def site_files(options: Options, prepared: Prepared) -> dict[str, bytes]:
    """The files made from the site as a whole: vCards, robots.txt, sitemap, feed, finder.js."""
    files = extras.site_files(prepared.site, prepared.outputs)
    # The finder's script is kept readable in static/finder.js and served minified (size budget):
    # static/finder.min.js, made by scripts/minify-finder.sh and checked by the tests.
    minified = options.static / FINDER_MINIFIED
    if minified.is_file():
        files["static/finder.js"] = minified.read_bytes()
    return files


def build(options: Options, report: Report, write: bool = True, strict: bool = False,
          cache: BuildCache | None = None, jobs: int = 1) -> list[Readability]:
    """The whole build; returns the readability of every page. Raises BuildFailed carrying
    `report`, having written nothing, when any stage found an error (or, with `strict`, a
    warning). With a `cache`, only what changed since the last build is converted, rendered
    and written; the files are the same as without it."""
    try:
        if write:   # before the lock, whose file goes beside the folder: a folder refused gets nothing
            check_output(options)
        # One build at a time into one folder: two would share the next tree and the cache.
        with few_collections(), build_lock(options.out) if write else nullcontext():
            return _build(options, report, write, strict, cache, jobs)
    except BuildFailed as failed:
        if failed.report is not report:  # a problem that stopped a stage at once
            report.problems.extend(failed.report.problems)
        raise BuildFailed(report) from None


def check_output(options: Options) -> None:
    check_out_dir(options.out, options.project, [options.content, options.templates, options.static,
                                                 options.data.parent])


def _build(options: Options, report: Report, write: bool, strict: bool, cache: BuildCache | None,
           jobs: int) -> list[Readability]:
    if cache is not None:
        cache.load_again_if_changed()
    if write:   # again, now that the lock is held: the folder may have changed while this build waited
        check_output(options)
    prepared, scores = prepare(options, report, cache, jobs)
    report.fail_if_errors()
    if strict and report.warnings:   # rendering finds errors only: every warning is known by now
        raise BuildFailed(report)
    assert prepared is not None
    bodies = BodySource(options, prepared.readings, cache)
    templates = templates_fingerprint(options)   # read once: for the keys and for Jinja's cache
    renderer = Renderer(options, prepared.site, bodies, templates)
    if not write:   # check: render everything all the same, for the templates' mistakes
        renderer.note_reads = False
        run_chunks(lambda chunk: [len(renderer.render(o).data) for o in chunk], prepared.outputs, jobs)
        return scores
    written = write_outputs(options, prepared, renderer, cache, jobs, templates, report)
    if cache is not None:
        cache.remember(prepared.readings, written, prepared.data_stamp)
    return scores


def write_outputs(options: Options, prepared: Prepared, renderer: Renderer, cache: BuildCache | None,
                  jobs: int, templates: str, report: Report) -> dict[str, OutputRecord]:
    """Stages 4 and 5: render what changed, stage what differs, then switch the new version in.
    Returns every file's record for the next build."""
    previous = cache.outputs if cache is not None else {}
    writer = SiteWriter(options.out, {dest: r[1] for dest, r in previous.items()} if cache is not None else None)
    if writer.manifest is None:   # the output folder is not the one the cache describes (deleted, new)
        previous = {}
    key = site_key(prepared.site, templates)
    keys = {o.dest: output_key(key, o) for o in prepared.outputs}
    data_changed = cache is None or cache.data_stamp != prepared.data_stamp
    out = str(writer.out)

    def same_inputs(output: Output) -> bool:
        record = previous.get(output.dest)
        return (record is not None and record[0] == keys[output.dest]
                and os.path.isfile(os.path.join(out, output.dest)))   # a file deleted by hand comes back

    must = [o for o in prepared.outputs if not same_inputs(o)]
    renderer.note_reads = bool(previous)
    renderer.bodies.preload(o.page for o in must if o.page)
    # After a data edit every other output is asked, in the workers, whether what it read changed
    # (0.05 ms each); a page body it then needs comes from the cache.
    todo = prepared.outputs if data_changed else must
    rendered_anyway = {o.dest for o in must}
    writer.start()
    try:
        def render_and_stage(chunk: list[Output]) -> list[tuple[tuple[str, bool], Rendered] | None]:
            results = []
            for output in chunk:
                if (data_changed and output.dest not in rendered_anyway
                        and renderer.still_current(output, *previous[output.dest][2:])):
                    results.append(None)   # it reads what it read: its file stays
                    continue
                rendered = renderer.render(output)
                results.append((writer.stage(output.dest, rendered.data), replace(rendered, data=b"")))
            return results

        rendered = {o.dest: result for o, result in zip(todo, run_chunks(render_and_stage, todo, jobs)) if result}
        results = {dest: staged for dest, (staged, _) in rendered.items()}
        for relative, data in site_files(options, prepared).items():
            results[relative] = writer.stage(relative, data)
        copies = {**{a.source: a.path for a in prepared.assets}, **prepared.statics}
        for relative, source in sorted(copies.items()):
            if relative not in results:
                results[relative] = writer.stage(relative, source.read_bytes())
        manifest = {o.dest: previous[o.dest][1] for o in prepared.outputs if o.dest in previous}
        manifest.update({relative: fingerprint for relative, (fingerprint, _) in results.items()})
        writer.commit(manifest, {relative for relative, (_, changed) in results.items() if changed})
    except BaseException:
        writer.abort()
        raise
    note = writer.kept_note()
    if note:   # not a warning: a .htaccess kept must not fail a --strict build
        report.note(options.display(options.out), 0, 0, note)
    records = {}
    for relative, fingerprint in manifest.items():
        if relative in rendered:
            made = rendered[relative][1]
            records[relative] = (keys[relative], fingerprint, made.data_key, made.entries)
        elif relative in keys:   # not rendered again: what it read is what it read before
            records[relative] = (keys[relative], fingerprint, *previous[relative][2:])
        else:   # a file made from the whole site or copied: compared by its bytes
            records[relative] = ("", fingerprint, None, ())
    return records


# An output file's record: (input key, digest of its bytes, data key, the steps it took from the site)
OutputRecord = tuple[str, str, "str | None", tuple]


class BodySource:
    """Page bodies by digest: just converted, from the cache, or converted again when the
    cache has lost one (never an error)."""

    def __init__(self, options: Options, readings: list[Read], cache: BuildCache | None):
        self.fresh = {r.page.digest: r.body for r in readings if r.page and r.body is not None}
        self.cache = cache
        self.content = options.content
        self.display = options.display(options.content)

    def preload(self, pages) -> None:
        if self.cache is not None:
            self.cache.bodies_for({p.digest for p in pages if p.digest not in self.fresh})

    def __call__(self, page: Page) -> str:
        body = self.fresh.get(page.digest) or (self.cache.body(page.digest) if self.cache else None)
        if body is None:
            found = read_page(self.content / page.source, page.source, f"{self.display}/{page.source}",
                              new_markdown(), Report())
            body = found[1] if found else ""
            self.fresh[page.digest] = body
        return body
