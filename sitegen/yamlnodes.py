"""Read YAML as a node tree, so that every value keeps its line and stays exactly as typed.

`yaml.safe_load` would turn an unquoted `0372123456` into a number, `no` into False, and let
a repeated key silently replace the first one. Working on the composed nodes avoids all three
and gives each value the line and column an error message needs.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

import yaml

from .errors import Report, line_and_column

try:  # the C parser is several times faster; the pure-Python one behaves the same
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

YES = {"sì", "si", "yes", "true"}
NO = {"no", "false"}


def compose(text: str, path: str, report: Report) -> yaml.Node | None:
    """Parse `text` into a node tree; a syntax error becomes one problem with its line."""
    tab_line = _first_indenting_tab(text)
    if tab_line:
        report.error(path, tab_line, 1, "c'è un carattere Tab all'inizio della riga: "
                     "per i rientri usa solo spazi (2 per livello)")
        return None
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        report.error(path, line, col, f"il testo non è YAML valido ({_explain(exc)}): "
                     "controlla rientri, due punti e virgolette su questa riga e su quella prima")
        return None
    except yaml.reader.ReaderError as exc:   # a control character, pasted from another program
        report.error(path, *line_and_column(text, exc.position), f"c'è un carattere invisibile di controllo "
                     f"(codice {exc.character:#06x}) in questo punto: cancellalo, o riscrivi la riga a mano")
        return None
    except yaml.YAMLError as exc:
        report.error(path, 0, 0, f"il testo non è YAML valido ({exc})")
        return None


def _first_indenting_tab(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            return number
    return 0


def _explain(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip()
    known = {
        "mapping values are not allowed": "due punti ':' in un posto inatteso; "
        "se il testo contiene ':' mettilo tra virgolette",
        "could not find expected ':'": "manca ':' dopo il nome di un campo",
        "found character '\\t' that cannot start any token": "carattere Tab",
        "expected <block end>, but found '-'": "rientro sbagliato prima di '-'",
    }
    for english, italian in known.items():
        if problem.startswith(english):
            return italian
    if "expected" in problem and "end" in problem:
        return "rientro o virgolette non chiusi"
    return "struttura non riconosciuta"


@dataclass
class Where:
    """The file a node tree came from and the report its problems go to."""

    path: str
    report: Report

    def error(self, node: yaml.Node, message: str) -> None:
        self.report.error(self.path, *position(node), message)

    def warning(self, node: yaml.Node, message: str) -> None:
        self.report.warning(self.path, *position(node), message)

    def mapping(self, node: yaml.Node | None, what: str, allowed: tuple[str, ...] | None = None,
                required: tuple[str, ...] = ()) -> dict[str, yaml.Node] | None:
        """The children of a mapping by key; reports wrong type, repeated, unknown, missing keys."""
        if node is None:
            return None
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} deve essere un elenco di campi 'nome: valore'")
            return None
        children: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, f"il nome di un campo deve essere una parola, non un elenco ({what}): "
                           "scrivi 'nome: valore', e metti tra virgolette un valore che inizia con [ o {")
                continue
            key = key_node.value
            if key in children:
                self.error(key_node, f"il campo \"{key}\" è ripetuto ({what}; c'è già alla riga "
                           f"{position(children[key])[0]}): tienine uno solo")
                continue
            if allowed is not None and key not in allowed:
                self.warning(key_node, f"campo sconosciuto \"{key}\" ({what}): viene ignorato"
                             f"{_did_you_mean(key, allowed)}")
                continue
            children[key] = value_node
        for key in required:
            if key not in children:
                self.error(node, f"manca il campo obbligatorio \"{key}\" ({what})")
        return children

    def sequence(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        """The items of a list; a single value is read as a list of one."""
        if node is None:
            return []
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        if isinstance(node, yaml.ScalarNode) and node.value != "":
            return [node]
        if isinstance(node, yaml.ScalarNode):
            return []
        self.error(node, f"{what} deve essere un elenco (righe che iniziano con '- ')")
        return []

    def text(self, node: yaml.Node | None, what: str) -> str | None:
        """The value exactly as typed in the file, or None (reported) if it is not a plain value."""
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, f"{what} deve essere un valore semplice, non un elenco")
            return None
        value = node.value.strip()
        if value == "" or (node.tag.endswith(":null") and node.style is None and value in {"~", "null"}):
            self.error(node, f"manca il valore ({what}): scrivilo dopo i due punti, oppure togli il campo")
            return None
        return value

    def flag(self, node: yaml.Node | None, what: str) -> bool | None:
        value = self.text(node, what)
        if value is None:
            return None
        if value.lower() in YES:
            return True
        if value.lower() in NO:
            return False
        self.error(node, f"{what} deve essere \"sì\" oppure \"no\", non \"{value}\"")
        return None

    def date(self, node: yaml.Node | None, what: str) -> date | None:
        value = self.text(node, what)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.error(node, f"{what} \"{value}\" non è una data valida: "
                       "scrivila come AAAA-MM-GG, per esempio 2021-01-11")
            return None


def position(node: yaml.Node) -> tuple[int, int]:
    """1-based line and column where a node starts."""
    return node.start_mark.line + 1, node.start_mark.column + 1


def _did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = closest(word, choices)
    return f" (forse intendevi \"{close}\"?)" if close else ""


def closest(word: str, choices) -> str | None:
    """The choice most similar to a mistyped word, if any is similar enough."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None
