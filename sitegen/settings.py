"""The site's settings file (sito.yaml): the few choices that are not content or contacts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Report
from .yamlnodes import Where, compose

DEFAULT_READABILITY_MIN = 60


@dataclass(frozen=True)
class Settings:
    readability_min: int = DEFAULT_READABILITY_MIN   # Gulpease index below which a page gets a warning


def load_settings(path: Path, display: str, report: Report) -> Settings:
    """The settings in `path`; the defaults when there is no such file."""
    if not path.is_file():
        return Settings()
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.error(display, 0, 0, f"non riesco a leggere il file ({exc.strerror}): controlla che chi crea il "
                     "sito abbia il permesso di leggerlo")
        return Settings()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.error(display, data[: exc.start].count(b"\n") + 1, 0,
                     "il file contiene caratteri non validi: salvalo con codifica UTF-8")
        return Settings()
    root = compose(text, display, report)
    if root is None:
        return Settings()
    where = Where(display, report)
    fields = where.mapping(root, "il file", ("leggibilita_minima",)) or {}
    return Settings(readability_min=_readability_min(where, fields.get("leggibilita_minima")))


def _readability_min(where: Where, node) -> int:
    value = where.text(node, "leggibilita_minima")
    if value is None:
        return DEFAULT_READABILITY_MIN
    if not (value.isascii() and value.isdigit()) or int(value) > 100:   # "²".isdigit() is true
        where.error(node, f"leggibilita_minima deve essere un numero intero da 0 a 100, non \"{value}\" "
                    f"(l'indice Gulpease va da 0, difficilissimo, a 100, facilissimo; consigliato {DEFAULT_READABILITY_MIN})")
        return DEFAULT_READABILITY_MIN
    return int(value)
