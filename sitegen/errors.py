"""Problems found in the sources, and how they are shown to the people who edit them."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "errore"
WARNING = "avviso"
NOTE = "nota"   # something to complete some day: never fails a build, not even --strict


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a source file, at a 1-based line and column (0 when unknown)."""

    path: str
    line: int
    col: int
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class Report:
    """Collects problems instead of stopping at the first, so an editor sees them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int, col: int, message: str) -> None:
        self.problems.append(Problem(path, line, col, message, ERROR))

    def warning(self, path: str, line: int, col: int, message: str) -> None:
        self.problems.append(Problem(path, line, col, message, WARNING))

    def note(self, path: str, line: int, col: int, message: str) -> None:
        self.problems.append(Problem(path, line, col, message, NOTE))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def sorted(self) -> list[Problem]:
        """Problems by file, then line: the order in which an editor fixes them."""
        return sorted(set(self.problems), key=lambda p: (p.severity == NOTE, p))   # notes after what to fix

    def fail_if_errors(self) -> None:
        if self.errors:
            raise BuildFailed(self)


class BuildFailed(Exception):
    """Raised when a stage found errors; carries the report so that all of them are printed."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.errors)} errori")
        self.report = report

    def __reduce__(self):   # raised in a worker process, re-raised in the parent
        return BuildFailed, (self.report,)


def fail(path: str, line: int, col: int, message: str) -> BuildFailed:
    """A BuildFailed holding one error, for problems that stop a stage at once."""
    report = Report()
    report.error(path, line, col, message)
    return BuildFailed(report)


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """Where a position of a text is, as editors count: line and column from 1."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def decode_utf8(data: bytes, path: str, report: Report) -> str | None:
    """A file's text; None, with an error at the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.error(path, data[: exc.start].count(b"\n") + 1, 0,
                     "il file contiene caratteri non validi: salvalo con codifica UTF-8")
        return None


def github_annotation(problem: Problem) -> str:
    """The problem as a GitHub Actions workflow command, which the Git host shows on the line it names:
    ::error file=content/x.md,line=3,col=7::message (escaped as the runner expects)."""
    kind = {ERROR: "error", WARNING: "warning"}.get(problem.severity, "notice")   # a note never blocks
    properties = [f"file={_escape_property(problem.path)}"]
    if problem.line:
        properties.append(f"line={problem.line}")
        if problem.col:
            properties.append(f"col={problem.col}")
    return f"::{kind} {','.join(properties)}::{_escape_data(problem.message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def summary(report: Report) -> str:
    """The closing line of a build or a check, in Italian: '0 errori, 2 avvisi'."""
    n_err, n_warn = len(report.errors), len(report.warnings)
    errors = "1 errore" if n_err == 1 else f"{n_err} errori"
    warnings = "1 avviso" if n_warn == 1 else f"{n_warn} avvisi"
    return f"{errors}, {warnings}"
