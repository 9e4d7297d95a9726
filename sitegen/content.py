"""content/**/*.md -> Page records: front matter checked line by line, Markdown converted once."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import markdown

from .errors import Report
from .yamlnodes import Where, compose

KINDS = ("home", "pagina", "sportelli", "avvisi")
FIELDS = ("titolo", "descrizione", "menu", "tipo", "data", "slug")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Pinned so that an upgrade of Python-Markdown cannot change the output by itself.
MARKDOWN_EXTENSIONS = ("toc", "tables", "sane_lists")
NOTICES_DIR = "avvisi"


@dataclass(frozen=True)
class Page:
    """One Markdown page, as read from disk; where it goes is decided by the plan."""

    source: str              # path inside content/, with "/" ("avvisi/index.md")
    title: str
    description: str
    kind: str
    menu: int | None
    date: date | None
    slug: str | None
    body_html: str
    text: str                # the Markdown body, for readability checks
    body_line: int           # line of the file where the body starts
    raw: str                 # the whole file, to find the line of a link

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


def new_markdown() -> markdown.Markdown:
    """One converter to reuse for every page (building it is the expensive part)."""
    return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")


def read_pages(content_dir: Path, report: Report, display_root: str = "content") -> tuple[list[Page], list[Asset]]:
    """Every page and asset under content_dir, in a stable (sorted) order."""
    pages, assets = [], []
    converter = new_markdown()
    for path in sorted(content_dir.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(content_dir).parts):
            continue
        source = path.relative_to(content_dir).as_posix()
        if path.suffix == ".md":
            page = read_page(path, source, f"{display_root}/{source}", converter, report)
            if page:
                pages.append(page)
        else:
            assets.append(Asset(source, path))
    return pages, assets


def read_page(path: Path, source: str, display: str, converter: markdown.Markdown, report: Report) -> Page | None:
    data = path.read_bytes()
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        report.error(display, line, 0, "il file contiene caratteri non validi: salvalo con codifica UTF-8")
        return None
    raw = raw.replace("\r\n", "\n").lstrip("\ufeff")
    split = split_front_matter(raw, display, report)
    if split is None:
        return None
    front, body, body_line = split
    fields = read_front_matter(front, source, display, report)
    if fields is None:
        return None
    converter.reset()
    body_html = converter.convert(body)
    return Page(source=source, body_html=body_html, text=body, body_line=body_line, raw=raw, **fields)


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
        "kind": "pagina", "menu": None, "date": None, "slug": None,
    }
    if "tipo" in fields:
        kind = where.text(fields["tipo"], "il tipo")
        if kind and kind not in KINDS:
            where.error(fields["tipo"], f"il tipo \"{kind}\" non esiste: usa uno di " + ", ".join(KINDS))
        result["kind"] = kind
    if "menu" in fields:
        menu = where.text(fields["menu"], "la posizione nel menu")
        if menu and not menu.isdigit():
            where.error(fields["menu"], f"\"menu\" deve essere un numero intero (1, 2, 3...), non \"{menu}\"")
        result["menu"] = int(menu) if menu and menu.isdigit() else None
    if "data" in fields:
        result["date"] = where.date(fields["data"], "la data")
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


def link_line(page: Page, target: str) -> int:
    """The line of the file where a link to `target` is written (the body's first line if not found)."""
    for number, line in enumerate(page.raw.split("\n"), start=1):
        if number >= page.body_line and f"({target}" in line:
            return number
    return page.body_line


def resolve(source: str, target: str) -> str:
    """A link target written in `source` as a path from the top of the content folder."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))
