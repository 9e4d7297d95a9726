"""The site's settings file (sito.yaml): the few choices that are not content or contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from .contacts import EMAIL_RE, URL_RE
from .errors import Report, decode_utf8
from .yamlnodes import Where, compose, position

DEFAULT_READABILITY_MIN = 60
CONFORMITY = ("conforme", "parzialmente conforme", "non conforme")   # AgID's model, nothing else
ACCESSIBILITY_KEY = "accessibilita"


@dataclass(frozen=True)
class Accessibility:
    """What the accessibility statement needs and the sources do not say. Empty: not known yet
    (the page then tells whom to ask; `check` lists it as a note, "da completare")."""

    date: date | None = None            # when the statement was written or last reviewed
    status: str = "parzialmente conforme"
    publisher: str = ""                 # who publishes the site
    data_controller: str = ""           # who is responsible for personal data
    feedback: str = ""                  # where to report a problem: an e-mail or a web address

    @property
    def feedback_is_email(self) -> bool:
        return bool(EMAIL_RE.match(self.feedback))


ASK_CONSORTIUM = "la dichiarazione di accessibilità dice di chiedere al consorzio"
# key in sito.yaml -> (field, what it is, what the page does while it is empty)
ACCESSIBILITY_FIELDS = {
    "data": ("date", "la data della dichiarazione", "la dichiarazione non ha una data"),
    "stato": ("status", "lo stato di conformità", "la dichiarazione dice \"parzialmente conforme\""),
    "editore": ("publisher", "chi pubblica il sito", ASK_CONSORTIUM),
    "titolare_dati": ("data_controller", "il titolare del trattamento dei dati", ASK_CONSORTIUM),
    "segnalazioni": ("feedback", "l'email o la pagina web dove segnalare un problema di accessibilità",
                     ASK_CONSORTIUM),
}


@dataclass(frozen=True)
class Settings:
    readability_min: int = DEFAULT_READABILITY_MIN   # Gulpease index below which a page gets a warning
    accessibility: Accessibility = Accessibility()


def load_settings(path: Path, display: str, report: Report) -> Settings:
    """The settings in `path`; the defaults when there is no such file."""
    if not path.is_file():
        return Settings(accessibility=_accessibility(Where(display, report), None, None))
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.error(display, 0, 0, f"non riesco a leggere il file ({exc.strerror}): controlla che chi crea il "
                     "sito abbia il permesso di leggerlo")
        return Settings()
    text = decode_utf8(data, display, report)
    if text is None:
        return Settings()
    root = compose(text, display, report)
    where = Where(display, report)
    fields = (where.mapping(root, "il file", ("leggibilita_minima", ACCESSIBILITY_KEY)) or {}) if root else {}
    return Settings(readability_min=_readability_min(where, fields.get("leggibilita_minima")),
                    accessibility=_accessibility(where, fields.get(ACCESSIBILITY_KEY), root))


def _readability_min(where: Where, node) -> int:
    value = where.text(node, "leggibilita_minima")
    if value is None:
        return DEFAULT_READABILITY_MIN
    if not (value.isascii() and value.isdigit()) or int(value) > 100:   # "²".isdigit() is true
        where.error(node, f"leggibilita_minima deve essere un numero intero da 0 a 100, non \"{value}\" "
                    f"(l'indice Gulpease va da 0, difficilissimo, a 100, facilissimo; consigliato {DEFAULT_READABILITY_MIN})")
        return DEFAULT_READABILITY_MIN
    return int(value)


def _accessibility(where: Where, node, root) -> Accessibility:
    """The statement's settings; every empty one is noted, never an error, so publishing goes on."""
    if isinstance(node, yaml.ScalarNode) and not _optional_text(where, node, ACCESSIBILITY_KEY):
        node = None   # "accessibilita:" written with nothing under it yet: every field to complete
    fields = (where.mapping(node, f"\"{ACCESSIBILITY_KEY}\"", tuple(ACCESSIBILITY_FIELDS)) or {}) if node else {}
    values = {}
    for key, (name, what, meanwhile) in ACCESSIBILITY_FIELDS.items():
        text = _optional_text(where, fields.get(key), key)
        if not text:
            at = fields.get(key) or node or root
            line, col = position(at) if at is not None else (0, 0)
            where.report.note(where.path, line, col, f"da completare in \"{ACCESSIBILITY_KEY}\": manca \"{key}\" "
                              f"({what}). Finché manca, {meanwhile}")
            continue
        value = _checked(where, fields[key], key, text)
        if value is not None:
            values[name] = value
    return Accessibility(**values)


def _optional_text(where: Where, node, key: str) -> str:
    """The value as typed; "" for a missing or empty one (allowed here: "da completare")."""
    if node is None:
        return ""
    if not isinstance(node, yaml.ScalarNode):
        where.error(node, f"\"{key}\" deve essere un valore semplice, non un elenco")
        return ""
    return "" if node.tag.endswith(":null") and node.style is None else node.value.strip()


def _checked(where: Where, node, key: str, text: str):
    """The value of one field, checked; None (reported) when it is wrong."""
    if key == "data":
        return where.date(node, "la data della dichiarazione")
    if key == "stato" and text not in CONFORMITY:
        where.error(node, f"lo stato \"{text}\" non esiste: scrivi " + ", oppure ".join(f"\"{c}\"" for c in CONFORMITY)
                    + " (come nel modello di AgID)")
        return None
    if key == "segnalazioni" and not (EMAIL_RE.match(text) or URL_RE.match(text)):
        where.error(node, f"\"{text}\" non è un'email né un indirizzo web: scrivi per esempio "
                    "nome@dominio.it oppure https://www.example.org/segnalazioni")
        return None
    return text
