"""What a proposed change does to the site, in Italian, for the summary of a pull request's checks.

    python -m sitegen.changes OLD_SITE NEW_SITE      Markdown on stdout

Two builds are compared file by file: a page is added, changed or removed when its HTML is.
Both builds must be dated the same day, so that only the proposal's own changes show."""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from . import publish

TITLE = re.compile(rb"<title>(.*?)</title>", re.DOTALL)


@dataclass(frozen=True)
class SiteChanges:
    added: tuple[str, ...]     # pages by address ("progetto/"), in order
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    other_files: int           # files that are not pages (styles, vCards, feed) that differ


def site_files(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {name: (folder / name).read_bytes() for name in publish.site_files(folder)}


def address(path: str) -> str:
    return path.removesuffix("index.html") or "/"


def compare_sites(old_folder: Path, new_folder: Path) -> SiteChanges:
    old, new = site_files(old_folder), site_files(new_folder)
    pages = {p for p in old.keys() | new.keys() if p.endswith(".html")}
    added = sorted(address(p) for p in pages if p not in old)
    removed = sorted(address(p) for p in pages if p not in new)
    changed = sorted(address(p) for p in pages if p in old and p in new and old[p] != new[p])
    others = sum(1 for p in old.keys() | new.keys() if p not in pages and old.get(p) != new.get(p))
    return SiteChanges(tuple(added), tuple(changed), tuple(removed), others)


def page_title(folder: Path, page_address: str) -> str:
    path = folder / (page_address.lstrip("/") + "index.html" if page_address.endswith("/") else page_address)
    try:
        found = TITLE.search(path.read_bytes())
    except OSError:
        return ""
    return html.unescape(found.group(1).decode("utf-8")).strip() if found else ""


def summary_markdown(changes: SiteChanges, old_folder: Path, new_folder: Path) -> str:
    lines = ["## Cosa cambia nel sito", ""]
    if not (changes.added or changes.changed or changes.removed or changes.other_files):
        return "\n".join(lines + ["Nessuna pagina cambia con questa proposta.", ""])
    sections = (("Pagine nuove", changes.added, new_folder), ("Pagine modificate", changes.changed, new_folder),
                ("Pagine tolte", changes.removed, old_folder))
    for heading, pages, folder in sections:
        if pages:
            lines += [f"### {heading}: {len(pages)}", ""]
            lines += [f"- `{page}` {page_title(folder, page)}".rstrip() for page in pages]
            lines.append("")
    if changes.other_files:
        lines += [f"Altri file cambiati (stili, schede contatto, feed): {changes.other_files}.", ""]
    how_to_see = ("Per vedere le pagine: in fondo a questa pagina, sotto *Artifacts*, scarica "
                  "**anteprima-del-sito**, estrai il file e apri `sito/index.html`.")
    lines += [how_to_see, ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("uso: python -m sitegen.changes CARTELLA_PRIMA CARTELLA_DOPO", file=sys.stderr)
        return 2
    old, new = Path(argv[0]), Path(argv[1])
    print(summary_markdown(compare_sites(old, new), old, new), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
