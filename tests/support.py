"""What the tests share, as plain functions: the project's paths and build day, running the
command line, editing a scratch copy of the sources, reading a built site, the real contacts,
pages planned in memory, and publishing. Fixtures stay in conftest.py; the headless browser
(browser.py) and the servers that publishing is tried against (servers.py) are apart because
they start programs of their own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

import build  # noqa: E402  (the command line, called in-process)
from sitegen.contacts import Contacts, load_contacts  # noqa: E402
from sitegen.content import Asset, Page  # noqa: E402
from sitegen.errors import Report  # noqa: E402
from sitegen.plan import plan_site  # noqa: E402

TODAY = "2026-11-25"
BASE_URL = "https://www.example.org/activity-cr/"
DAY = date.fromisoformat(TODAY)
DATA = "data/contacts.yaml"


def require(condition: bool, why: str) -> None:
    """Skip when a program a test needs is missing here; under CI that is a failure, so that
    no test is silently left out where it must run."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"{why} (CI must run this test)")
        pytest.skip(why)


# -- the command line --------------------------------------------------------------------------

def run(args: list[str], capsys) -> tuple[int, str, str]:
    """Run the command line in-process; returns (exit status, stdout, stderr)."""
    try:
        status = build.main(args)
    except SystemExit as exc:   # argparse exits on bad usage
        status = exc.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def source_args(root: Path) -> list[str]:
    """The options that point the command at a copy of content/ and data/, on the tests' day."""
    return ["--content", str(root / "content"), "--data", str(root / DATA), "--today", TODAY]


def build_site(root: Path, out: Path, capsys, *extra: str) -> Path:
    """Build the sources under `root` into `out`; the build must succeed."""
    status, _, err = run(["build", "--out", str(out), *source_args(root), *extra], capsys)
    assert status == 0, err
    return out


def problems(err: str, severity: str) -> list[str]:
    """The lines of one severity ("errore", "avviso", "nota") that the command printed."""
    return [line for line in err.splitlines() if f": {severity}: " in line]


# -- a scratch copy of the sources -------------------------------------------------------------

def copy_sources(tmp_path: Path) -> Path:
    """A copy of the project's pages and data, to make versions of the site from."""
    root = tmp_path / "progetto"
    for folder in ("content", "data"):
        shutil.copytree(PROJECT / folder, root / folder)
    return root


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a file; a test whose text is no longer there fails loudly
    instead of testing an unchanged file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drift: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The number of the first line of a file that contains `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


# -- a built site ------------------------------------------------------------------------------

def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (through a symlinked top), by relative path."""
    top = folder.resolve()
    return {p.relative_to(top).as_posix(): p.read_bytes() for p in sorted(top.rglob("*")) if p.is_file()}


def comune_page(site: Path, slug: str) -> str:
    return (site / "sportelli" / slug / "index.html").read_text(encoding="utf-8")


# -- records in memory -------------------------------------------------------------------------

@cache
def real_contacts() -> Contacts:
    """The project's data/contacts.yaml as the loader reads it (it only reads the file)."""
    report = Report()
    loaded = load_contacts(PROJECT / DATA, DATA, report)
    assert loaded is not None and not report.errors, report.sorted()
    return loaded


def page(source: str, title: str | None = None, *, kind: str = "pagina", links: tuple[str, ...] = (),
         anchors: tuple[str, ...] = (), **fields) -> Page:
    """A page as reading content/`source` would give it, without a body: `links` are the body's
    hrefs and srcs, written on lines 10, 11, ... in order; other fields as given."""
    record = Page(source=source, title=title or source, description=f"Descrizione di {source}.", kind=kind,
                  menu=None, date=None, slug=None, body_line=5, text_line=6, digest=f"digest-{source}",
                  links=tuple((value, 10 + n) for n, value in enumerate(links)), anchors=frozenset(anchors),
                  readability=None)
    return replace(record, **fields)


def finder_page(source: str = "sportelli.md", **fields) -> Page:
    return page(source, "Trova il tuo sportello", kind="sportelli", **fields)


def planned(pages, assets=(), static=(), base_url=None, today=DAY, contacts=None, content="content"):
    """plan_site on records made in memory, with the real contacts unless others are given;
    `assets` are paths inside content/, never read. Returns (site, outputs by destination,
    problems as printed)."""
    report = Report()
    site, outputs = plan_site(list(pages), [Asset(a, Path("mai-letto") / a) for a in assets],
                              contacts or real_contacts(), today, base_url, list(static), report, content)
    return site, {o.dest: o for o in outputs}, [str(p) for p in report.sorted()]


# -- publishing --------------------------------------------------------------------------------

NEW_PAGE = """---
titolo: Orari di dicembre
descrizione: Gli orari degli sportelli nel mese di dicembre.
---

Gli sportelli sono aperti anche a dicembre. Gli orari sono quelli di sempre.
Per un appuntamento telefona allo sportello del tuo comune.
"""


def publishable(root: Path, out: Path, capsys) -> Path:
    return build_site(root, out, capsys, "--strict", "--base-url", BASE_URL)


def publish(args: list[str], capsys) -> tuple[int, str, str]:
    return run(["publish", *args], capsys)


def refusal(args: list[str], capsys) -> str:
    """The first line of a refused publish, which must leave the live site as it was."""
    status, _, err = publish(args, capsys)
    assert status == 1
    assert "Traceback" not in err
    assert err.endswith("Pubblicazione NON fatta: il sito online è rimasto com'era.\n")
    return err.splitlines()[0]


def start_publish(out: Path, to: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "publish", "--out", str(out), "--to", to],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)   # its own group: killed with ssh and rsync, as CI cancels
