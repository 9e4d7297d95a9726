"""content/**/*.md -> Page records: front matter checked line by line, Markdown converted once."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import errno
import html
import os

import markdown

from .claims import report_claims
from .digest import code_key, digest
from .errors import Problem, Report, decode_utf8, fail, line_and_column
from .markup import Active, active_content, new_markdown
from .readability import gulpease
from .yamlnodes import Where, compose, position

KINDS = ("home", "pagina", "sportelli", "avvisi", "accessibilita")
FIELDS = ("titolo", "descrizione", "menu", "tipo", "data", "slug")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NOTICES_DIR = "avvisi"
LINK_ATTR_RE = re.compile(r'(?P<attr>href|src)="(?P<value>[^"]*)"')
ID_ATTR_RE = re.compile(r'id="([^"]*)"')


@dataclass(frozen=True)
class Page:
    """One Markdown page as read from disk, without its body: the body is kept apart, by digest,
    so that a rebuild can plan the whole site from a cache without holding every body."""

    source: str              # path inside content/, with "/" ("avvisi/index.md")
    title: str
    description: str
    kind: str
    menu: int | None
    date: date | None
    slug: str | None
    body_line: int           # line of the file where the body starts
    text_line: int           # line of the body's first text
    digest: str              # of the file and of the code that converts it: the key to its body
    links: tuple[tuple[str, int], ...]   # every href and src of the body, with the line it is written on
    anchors: frozenset[str]  # the ids of the body, which links may point at ("#chi-puo")
    readability: int | None  # Gulpease index of the body
    date_line: int = 0       # the line of its "data:", for messages about the date

    @property
    def is_notice(self) -> bool:
        return is_notice_source(self.source)


def is_notice_source(source: str) -> bool:
    """Notices are the pages in avvisi/, except the list itself (avvisi/index.md)."""
    return source.startswith(NOTICES_DIR + "/") and source != NOTICES_DIR + "/index.md"


@dataclass(frozen=True)
class Asset:
    """A file in content/ that is not Markdown (an image, a PDF): copied as it is."""

    source: str
    path: Path


@dataclass(frozen=True)
class Read:
    """What reading one file gave: the page and its body (None after an error), and the problems."""

    source: str
    display: str                  # how messages name the file
    stamp: tuple[int, ...]        # taken before reading: a save during the build changes it
    page: Page | None
    body: str | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class SourceFile:
    """A Markdown file to read."""

    source: str     # path inside content/, with "/"
    path: str       # where it is on disk
    display: str    # how messages name it ("content/progetto.md")


def find_sources(content_dir: Path, display_root: str = "content") -> tuple[list[SourceFile], list[Asset]]:
    """Every Markdown file and every other file (asset) under content_dir, in a stable (sorted) order."""
    files, assets = [], []
    for source, path in walk(content_dir, display_root):
        if source.endswith(".md"):
            files.append(SourceFile(source, path, f"{display_root}/{source}"))
        else:
            assets.append(Asset(source, Path(path)))
    return files, assets


def read_files(files: list[SourceFile]) -> list[Read]:
    """Read and convert each file, with one Markdown converter for them all (making one is the
    expensive part). Safe in a worker process."""
    if not files:
        return []
    converter = new_markdown()
    readings = []
    for file in files:
        report = Report()
        stamp = stamp_of(file.path)   # before reading: a save while reading is seen by the next build
        found = read_page(Path(file.path), file.source, file.display, converter, report)
        page, body = found if found else (None, None)
        readings.append(Read(file.source, file.display, stamp, page, body, tuple(report.problems)))
    return readings


def walk(top: Path, display_root: str = "content") -> list[tuple[str, str]]:
    """Every file under `top` as (path from top with "/", path), sorted; hidden names skipped.
    os.scandir: a site of 10,000 pages is listed in milliseconds. A symbolic link is followed
    only inside `top`: one that leads out would publish a file from outside the project, one
    that leads back to a folder above it would never end."""
    found: list[tuple[str, str]] = []
    root = os.path.realpath(top)

    def visit(folder: str, prefix: str, above: frozenset[str]) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                relative = prefix + entry.name
                if entry.is_symlink():
                    check_link(entry.path, f"{display_root}/{relative}", root, display_root)
                if entry.is_dir():
                    real = os.path.realpath(entry.path)
                    if real in above:
                        raise fail(f"{display_root}/{relative}", 0, 0, LINK_LOOP)
                    visit(entry.path, f"{relative}/", above | {real})
                elif entry.is_file():
                    found.append((relative, entry.path))

    if top.is_dir():
        visit(str(top), "", frozenset({root}))
    return sorted(found, key=lambda item: item[0].split("/"))   # folder by folder, as paths sort


LINK_LOOP = ("questo collegamento (symlink) rimanda a una cartella che lo contiene, o a sé stesso: "
             "leggerlo non finirebbe mai. Toglilo")


def check_link(path: str, display: str, root: str, display_root: str) -> None:
    """Refuse a symbolic link that is broken, goes round in a circle or leads out of `root`."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise fail(display, 0, 0, LINK_LOOP) from None
        raise fail(display, 0, 0, "questo collegamento (symlink) porta a un file che non esiste: "
                   "correggilo o toglilo") from None
    target = os.path.realpath(path)
    if os.path.commonpath([root, target]) != root:
        raise fail(display, 0, 0, f"questo collegamento (symlink) porta a {target}, fuori dalla cartella "
                   f"{display_root}/: il sito pubblicherebbe un file che non fa parte del progetto. "
                   f"Copia il file dentro {display_root}/ oppure togli il collegamento")


def stamp_of(path: str | Path) -> tuple[int, int, int, int]:
    """Size, modification and change times, inode: a save changes it (ctime can't be set back)."""
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def read_page(path: Path, source: str, display: str, converter: markdown.Markdown,
              report: Report) -> tuple[Page, str] | None:
    try:
        data = path.read_bytes()
    except OSError as exc:   # removed while the build ran, or not readable by whoever builds
        report.error(display, 0, 0, f"non riesco a leggere il file ({exc.strerror}): controlla che esista "
                     "e che chi crea il sito abbia il permesso di leggerlo")
        return None
    raw = decode_utf8(data, display, report)
    if raw is None:
        return None
    raw = raw.replace("\r\n", "\n").lstrip("\ufeff")
    report_claims(raw, display, report)   # kept with the reading: a cached page repeats its errors
    split = split_front_matter(raw, display, report)
    if split is None:
        return None
    front, body, body_line = split
    fields = read_front_matter(front, source, display, report)
    if fields is None:
        return None
    long_block = first_long_paragraph(body)
    if long_block is not None:
        limit = f"{MAX_PARAGRAPH:_}".replace("_", ".")   # Italian thousands
        report.error(display, body_line + long_block, 1, f"questo paragrafo è lunghissimo (più di {limit} "
                     "caratteri senza una riga vuota): dividilo in paragrafi più brevi, separati da una riga vuota")
        return None
    converter.reset()
    try:
        body_html = converter.convert(body)
    except RecursionError:   # Python-Markdown nests a call per level of list or quote
        report.error(display, body_line, 1, "il testo ha troppi livelli uno dentro l'altro (elenchi o citazioni "
                     "con rientri sempre più profondi): usa al massimo pochi livelli")
        return None
    values = [html.unescape(m["value"]) for m in LINK_ATTR_RE.finditer(body_html)]   # every href and src
    body_start = len(raw) - len(body)   # the body is the text's tail
    report_active_content(raw, body_start, body_line, active_content(body_html, "<" in body, values), display, report)
    links = tuple((value, link_line(raw, body_start, body_line, value)) for value in values)
    if not body.strip():
        report.warning(display, body_line - 1, 1, "la pagina non ha testo dopo l'intestazione: scrivilo sotto "
                       "la seconda riga '---'")
    page = Page(source=source, body_line=body_line, text_line=body_line + len(body) - len(body.lstrip("\n")),
                digest=digest(code_key(), display, data), links=links,
                anchors=anchors_of(body_html), readability=gulpease(body_html), **fields)
    return page, body_html


# Python-Markdown rebuilds a paragraph's text once per link or emphasis in it: the time grows with
# the square of its length (50,000 links in one paragraph took 15 s, 5,000 take a tenth of one).
# A table's rows are handled one by one, so a long table stays linear and is not limited.
MAX_PARAGRAPH = 100_000


def first_long_paragraph(body: str) -> int | None:
    """The line (from the body's first, counted from 0) of the first paragraph longer than
    MAX_PARAGRAPH characters that is not a table; None if there is none."""
    if len(body) <= MAX_PARAGRAPH:
        return None
    start, size, table = 0, 0, True
    for number, line in enumerate(body.split("\n")):
        text = line.strip()   # indentation is taken off before the inline stage
        if not text:
            start, size, table = number + 1, 0, True
            continue
        size += len(text) + 1
        table = table and text.startswith("|")
        if size > MAX_PARAGRAPH and not table:
            return start
    return None


MAX_ACTIVE_REPORTED = 20   # a pasted web page may hold hundreds: the first ones tell what to do


def report_active_content(raw: str, start: int, body_line: int, found: list[Active], display: str,
                          report: Report) -> None:
    """An error for each active thing of the body, at the line and column where it is written
    (searched in the source in order; the body's first line when the Markdown made it)."""
    if not found:
        return
    lowered = raw.lower()
    cursor = start   # where the body begins
    for item in found[:MAX_ACTIVE_REPORTED]:
        position = find_first(lowered, item.needles, cursor, start)
        if position < 0:
            report.error(display, body_line, 1, item.message)
            continue
        report.error(display, *line_and_column(lowered, position), item.message)
        cursor = position + 1


def find_first(text: str, needles: tuple[str, ...], cursor: int, start: int) -> int:
    """Where the first of `needles` that the text holds is, after `cursor` if it is there, else
    anywhere after `start`; -1 if none is."""
    for needle in needles:
        needle = needle.lower()
        position = text.find(needle, cursor)
        if position < 0:
            position = text.find(needle, start)
        if position >= 0:
            return position
    return -1


def anchors_of(body_html: str) -> frozenset[str]:
    """The values of the body's id="..." attributes: what r'\bid="([^"]*)"' finds, ten times
    faster. A pattern that opens with a literal is searched for as a string; one that opens with
    \b is tried at every position. So the word boundary is checked here, by hand."""
    found = set()
    position = 0
    while match := ID_ATTR_RE.search(body_html, position):
        start = match.start()
        if start and (body_html[start - 1].isalnum() or body_html[start - 1] == "_"):   # "grid=", "my_id="
            position = start + 1   # where the regular expression would try next
            continue
        found.add(match[1])
        position = match.end()
    return frozenset(found)


def split_front_matter(raw: str, display: str, report: Report) -> tuple[str, str, int] | None:
    """(front matter, body, first line of body); the front matter sits between two '---' lines."""
    lines = raw.split("\n")
    if not lines or lines[0].strip() != "---":
        report.error(display, 1, 1, "la pagina deve iniziare con una riga '---', poi titolo e descrizione, "
                     "poi un'altra riga '---'")
        return None
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return "\n".join(lines[1:number - 1]), "\n".join(lines[number:]), number + 1
    report.error(display, 1, 1, "manca la riga '---' che chiude l'intestazione (titolo, descrizione...): "
                 "aggiungila prima del testo della pagina")
    return None


def read_front_matter(front: str, source: str, display: str, report: Report) -> dict | None:
    # A leading newline makes the YAML line numbers those of the file (line 1 is the '---').
    errors_before = len(report.errors)
    root = compose("\n" + front, display, report)
    where = Where(display, report)
    if root is None:
        if len(report.errors) == errors_before:
            report.error(display, 1, 1, "l'intestazione è vuota: scrivi almeno \"titolo:\" e \"descrizione:\"")
        return None
    fields = where.mapping(root, "l'intestazione", FIELDS, required=("titolo", "descrizione"))
    if fields is None:
        return None
    result = {
        "title": where.text(fields.get("titolo"), "il titolo"),
        "description": where.text(fields.get("descrizione"), "la descrizione"),
        "kind": "pagina", "menu": None, "date": None, "slug": None, "date_line": 0,
    }
    if "tipo" in fields:
        kind = where.text(fields["tipo"], "il tipo")
        if kind and kind not in KINDS:
            where.error(fields["tipo"], f"il tipo \"{kind}\" non esiste: usa uno di " + ", ".join(KINDS))
        result["kind"] = kind
    if "menu" in fields:
        menu = where.text(fields["menu"], "la posizione nel menu")
        whole = bool(menu) and menu.isascii() and menu.isdigit()   # "²" and "٣" are digits to str.isdigit
        if menu and not whole:
            where.error(fields["menu"], f"\"menu\" deve essere un numero intero (1, 2, 3...), non \"{menu}\"")
        result["menu"] = int(menu) if whole else None
    if "data" in fields:
        result["date"] = where.date(fields["data"], "la data")
        result["date_line"] = position(fields["data"])[0]
    elif is_notice_source(source):
        report.error(display, 1, 1, "un avviso deve avere la \"data:\" nell'intestazione (per esempio data: 2021-01-11)")
    if "slug" in fields:
        slug = where.text(fields["slug"], "lo slug")
        if slug and not SLUG_RE.match(slug):
            where.error(fields["slug"], f"lo slug \"{slug}\" può contenere solo lettere minuscole senza accenti, "
                        "numeri e trattini (per esempio: orari-sportello)")
            slug = None
        result["slug"] = slug
    if len(report.errors) > errors_before:
        return None
    return result


def link_line(raw: str, body_start: int, body_line: int, target: str) -> int:
    """The line of the file where a link to `target` is first written (the body's first line if
    not found). One search through the text per form, not one per line."""
    # As Markdown writes it "(target", as a reference "]: target", as HTML "=\"target\"" or "='target'"
    forms = (f"({target}", f"]: {target}", f"\"{target}\"", f"'{target}'", f"<{target}>")
    found = [at for at in (raw.find(form, body_start) for form in forms) if at >= 0]
    return raw.count("\n", 0, min(found)) + 1 if found else body_line


def resolve(source: str, target: str) -> str:
    """A link target written in `source` as a path from the top of the content folder."""
    folder = source.rpartition("/")[0]
    if "/" not in target and target not in (".", "..", ""):   # a page beside this one: most links
        return f"{folder}/{target}" if folder else target
    return posixpath.normpath(posixpath.join(folder, target))
