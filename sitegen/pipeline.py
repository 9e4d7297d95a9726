"""The build as a recipe of five stages: load, read, plan, render, write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import extras
from .contacts import load_contacts
from .content import read_pages
from .errors import BuildFailed, Report
from .finder import finder_script
from .output import check_out_dir, write_site
from .plan import plan_site
from .readability import gulpease
from .render import make_environment, render_output
from .settings import load_settings


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

    def display(self, path: Path) -> str:
        """A path as editors know it: relative to where they are, or to the project."""
        for base in (Path.cwd(), self.project):
            try:
                return path.resolve().relative_to(base.resolve()).as_posix()
            except ValueError:
                continue
        return str(path)


def static_files(options: Options) -> dict[str, Path]:
    """static/ is published as static/ in the site, in sorted order."""
    if not options.static.is_dir():
        return {}
    return {f"static/{p.relative_to(options.static).as_posix()}": p
            for p in sorted(options.static.rglob("*")) if p.is_file() and not p.name.startswith(".")}


@dataclass(frozen=True)
class Readability:
    source: str        # "content/progetto.md"
    index: int | None  # Gulpease, 0-100; None for a page without words
    minimum: int


def readability(options: Options, pages, report: Report) -> list[Readability]:
    """The Gulpease index of every page; a warning for each one below the settings' minimum."""
    settings = load_settings(options.settings, options.display(options.settings), report)
    content = options.display(options.content)
    scores = [Readability(f"{content}/{page.source}", gulpease(page.body_html), settings.readability_min)
              for page in pages]
    for score, page in zip(scores, pages):
        if score.index is not None and score.index < score.minimum:
            first_line = page.body_line + len(page.text) - len(page.text.lstrip("\n"))
            report.warning(score.source, first_line, 0,
                           f"testo difficile da leggere: indice Gulpease {score.index}, sotto {score.minimum} "
                           "(la soglia in sito.yaml). Scrivi frasi più brevi, una idea per frase, "
                           "e usa parole di tutti i giorni")
    return scores


def prepare(options: Options, report: Report):
    """Stages 1-3 (load, read, plan): everything that can be checked without writing."""
    contacts = load_contacts(options.data, options.display(options.data), report)
    pages, assets = read_pages(options.content, report, options.display(options.content))
    scores = readability(options, pages, report)
    if contacts is None:
        return None, scores
    statics = static_files(options)
    site, outputs = plan_site(pages, assets, contacts, options.today, options.base_url, sorted(statics), report)
    return (site, outputs, assets, statics), scores


def render_site(options: Options, site, outputs) -> dict[str, bytes]:
    """Stage 4: every output to bytes, plus the files made from the site as a whole."""
    env = make_environment(options.templates.resolve())
    templates_display = options.display(options.templates)
    files = {}
    for output in outputs:
        context = extras.template_context(site, output)
        files[output.dest] = render_output(env, site, output, templates_display, context)
    files.update(extras.site_files(site, outputs))
    # The finder's script is kept commented in static/ and served without comments (size budget).
    script = options.static / "finder.js"
    if script.is_file():
        files["static/finder.js"] = finder_script(script.read_text(encoding="utf-8")).encode("utf-8")
    return files


def build(options: Options, report: Report, write: bool = True, strict: bool = False) -> list[Readability]:
    """The whole build; returns the readability of every page. Raises BuildFailed carrying
    `report`, having written nothing, when any stage found an error (or, with `strict`, a warning)."""
    try:
        return _build(options, report, write, strict)
    except BuildFailed as failed:
        if failed.report is not report:  # a problem that stopped a stage at once
            report.problems.extend(failed.report.problems)
        raise BuildFailed(report) from None


def _build(options: Options, report: Report, write: bool, strict: bool) -> list[Readability]:
    if write:
        check_out_dir(options.out, options.project, [options.content, options.templates, options.static,
                                                     options.data.parent])
    prepared, scores = prepare(options, report)
    report.fail_if_errors()
    site, outputs, assets, statics = prepared
    files = render_site(options, site, outputs)
    if strict and report.warnings:
        raise BuildFailed(report)
    if write:
        copies = {**{a.source: a.path for a in assets}, **statics}
        copies = {path: source for path, source in copies.items() if path not in files}
        write_site(files, copies, options.out)
    return scores
