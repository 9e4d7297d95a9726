"""Redo only what changed since the last build of an output folder.

Three steps are remembered, each under a key that holds everything its result is made of:
- reading the contacts file, and converting a page: by the file's stamp (size, times, inode);
- rendering an output: by the digest of the records plan_site says it is made from (its inputs,
  its page, the shared parts), of every path of the site (links are checked against them), of
  the templates and of the code. An output whose key is the one its file was last made with is
  not rendered again: after one desk's phone changes, that desk's comune pages, the home page
  and the finder are rendered, and nothing else.
What is remembered lives in a BuildCache (a SQLite file beside the output folder, or memory for
the preview). This is also the one place that decides how many processes work.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

import jinja2
import markdown

from .cache import BuildCache, OutputRecord
from .contacts import Contacts, load_contacts
from .content import Page, Read, SourceFile, read_page, stamp_of
from .digest import code_key, digest
from .errors import Report
from .markup import new_markdown
from .parallel import run_chunks
from .plan import Output, Site
from .render import make_environment

Item = TypeVar("Item")
Result = TypeVar("Result")


class Incremental:
    """What earlier builds of one output folder learned, and the work split over `jobs` processes.
    Without a cache nothing is remembered: every step is done (a check, a build with --no-cache)."""

    def __init__(self, cache: BuildCache | None = None, jobs: int = 1):
        self.cache = cache
        self.jobs = jobs
        self.templates: tuple[str, jinja2.Environment] | None = None   # (their fingerprint, compiled)

    @classmethod
    def beside(cls, out_dir: Path, jobs: int) -> "Incremental":
        """Remembered in a file beside the output folder, from one run of the program to the next."""
        return cls(BuildCache.beside(out_dir), jobs)

    @classmethod
    def in_memory(cls) -> "Incremental":
        """Remembered while the program runs (the preview, which builds again on every save)."""
        return cls(BuildCache())

    def map(self, task: Callable[[list[Item]], list[Result]], items: Sequence[Item]) -> list[Result]:
        """task(chunk) over consecutive chunks of items, in this build's processes; results in order."""
        return run_chunks(task, items, self.jobs)

    def start(self) -> None:
        """Once the build holds the output's lock: a build that ran meanwhile may have saved more."""
        if self.cache is not None:
            self.cache.load_again_if_changed()

    # -- stage 1: the contacts ------------------------------------------------------------------

    def contacts(self, path: Path, display: str, report: Report) -> Contacts | None:
        """The contacts file, read again only when its stamp changed (8,000 comuni take a quarter
        of a second); its warnings are repeated like a page's."""
        stamp = stamp_of(path) if path.is_file() else ()
        known = self.cache.contacts_for(stamp, display) if self.cache is not None and stamp else None
        if known is not None:
            contacts, problems = known
            report.problems.extend(problems)
            return contacts
        found = Report()
        contacts = load_contacts(path, display, found)
        report.problems.extend(found.problems)
        if self.cache is not None and contacts is not None and stamp:
            self.cache.keep_contacts(stamp, display, contacts, tuple(found.problems))
        return contacts

    # -- stage 2: the pages ---------------------------------------------------------------------

    def read(self, files: list[SourceFile], read_files: Callable[[list[SourceFile]], list[Read]]) -> list[Read]:
        """Each file's reading: the last one if the file's stamp is unchanged, else read_files'."""
        readings: dict[str, Read] = {}
        todo = []
        for file in files:
            previous = self.cache.reading(file.source) if self.cache is not None else None
            if previous is not None and previous.stamp == stamp_of(file.path) and previous.display == file.display:
                readings[file.source] = previous
            else:
                todo.append(file)
        for read in self.map(read_files, todo):
            readings[read.source] = read
        return [readings[file.source] for file in files]

    def bodies(self, readings: list[Read], content: Path) -> "Bodies":
        return Bodies(readings, self.cache, content)

    # -- stage 4: rendering ---------------------------------------------------------------------

    def environment(self, templates_dir: Path, fingerprint: str) -> jinja2.Environment:
        """The compiled templates, kept from the last build while the files are the same."""
        if self.templates is None or self.templates[0] != fingerprint:
            self.templates = (fingerprint, make_environment(templates_dir))
        return self.templates[1]

    def last_manifest(self) -> dict[str, str] | None:
        """Every file the last build wrote, with the digest of its bytes; None if not remembered."""
        if self.cache is None:
            return None
        return {dest: record.fingerprint for dest, record in self.cache.outputs.items()}

    def last_records(self, manifest_is_current: bool) -> dict[str, OutputRecord]:
        """What the last build made, if the output folder is the one it made."""
        return self.cache.outputs if self.cache is not None and manifest_is_current else {}   # read only

    def remember(self, readings: list[Read], records: dict[str, OutputRecord]) -> None:
        if self.cache is not None:
            self.cache.remember(readings, records)


def to_render(outputs: list[Output], keys: dict[str, str], last: dict[str, OutputRecord], out: Path) -> list[Output]:
    """The outputs whose key is not the one their file was made with (or whose file is gone:
    one deleted by hand comes back)."""
    folder = str(out)
    return [o for o in outputs
            if o.dest not in last or last[o.dest].key != keys[o.dest]
            or not os.path.isfile(os.path.join(folder, o.dest))]


class Bodies:
    """Page bodies by the page's digest: just converted, remembered, or converted again when the
    memory has lost one (never an error)."""

    def __init__(self, readings: list[Read], cache: BuildCache | None, content: Path):
        self.fresh = {r.page.digest: r.body for r in readings if r.page and r.body is not None}
        self.cache = cache
        self.content = content
        self.converter: markdown.Markdown | None = None   # made when a body must be converted again

    def preload(self, pages: list[Page]) -> None:
        """Load many remembered bodies at once (a template change renders every page again)."""
        if self.cache is not None:
            self.cache.bodies_for({p.digest for p in pages if p.digest not in self.fresh})

    def __call__(self, page: Page) -> str:
        body = self.fresh.get(page.digest)
        if body is None and self.cache is not None:
            body = self.cache.body(page.digest)
        if body is None:
            self.converter = self.converter or new_markdown()
            found = read_page(self.content / page.source, page.source, page.source, self.converter, Report())
            body = found[1] if found else ""
            self.fresh[page.digest] = body
        return body


# -- keys -------------------------------------------------------------------------------------

def site_key(site: Site, templates: str) -> str:
    """What every output is made from: the code, the templates, the shared parts, and every path
    of the site (a link to a page that is gone must be found, a page's links are rewritten
    against the others' places)."""
    return digest(code_key(), templates, Fingerprints().of(site.shared), "\n".join(sorted(site.paths)),
                  "\n".join(f"{source}\t{dest}" for source, dest in sorted(site.dests.items())))


def output_keys(outputs: list[Output], shared_key: str) -> dict[str, str]:
    """Each output's key: the site's, its template, its page (whose digest covers the file and
    the code that reads it: its title and description too) or its title and description, and the
    records it is made from. Digests side by side: a digest of them all cost a tenth of a second
    a rebuild at 10,000 pages. (Records are kept by the output's place, which is not repeated.)"""
    fingerprints = Fingerprints()
    return {o.dest: ":".join((shared_key, o.template, o.page.digest if o.page else digest(o.title, o.description),
                              fingerprints.of(o.inputs)))
            for o in outputs}


class Fingerprints:
    """Stable fingerprints of the records outputs are made from: equal values give the same text
    in every process and every build. A record shared by many outputs (a desk, the tuple of every
    comune) is fingerprinted once, by identity, during one build."""

    def __init__(self) -> None:
        self.known: dict[int, tuple[Any, str]] = {}   # id -> (the value, kept alive; its fingerprint)

    def of(self, value: Any) -> str:
        if value is None or isinstance(value, (str, bool, int, float, date)):
            return repr(value)
        if isinstance(value, Page):   # made from its file by the code: its digest covers both
            return f"Page({value.digest})"
        known = self.known.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        if isinstance(value, (tuple, list)):
            text = "(" + ",".join(map(self.of, value)) + ")"
        elif isinstance(value, (set, frozenset)):
            text = "{" + ",".join(sorted(map(self.of, value))) + "}"
        elif isinstance(value, dict):
            text = "{" + ",".join(f"{self.of(k)}:{self.of(v)}" for k, v in sorted(value.items())) + "}"
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            parts = (self.of(getattr(value, field.name)) for field in dataclasses.fields(value))
            text = type(value).__qualname__ + "(" + ",".join(parts) + ")"
        else:   # a value whose equality this cannot tell: a mistake in the code, not in the sources
            raise TypeError(f"no fingerprint for {type(value).__name__}")
        result = "#" + digest(text)
        self.known[id(value)] = (value, result)
        return result
