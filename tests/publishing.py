"""Helpers shared by the publishing tests: versions of the real site to publish, and the command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import BASE_URL, PROJECT, run, source_args

NEW_PAGE = """---
titolo: Orari di dicembre
descrizione: Gli orari degli sportelli nel mese di dicembre.
---

Gli sportelli sono aperti anche a dicembre. Gli orari sono quelli di sempre.
Per un appuntamento telefona allo sportello del tuo comune.
"""


def copy_sources(tmp_path: Path) -> Path:
    """A copy of the project's pages and data, to make versions of the site from."""
    root = tmp_path / "progetto"
    for folder in ("content", "data"):
        shutil.copytree(PROJECT / folder, root / folder)
    return root


def build_site(root: Path, out: Path, capsys, *extra: str) -> Path:
    status, _, err = run(["build", "--out", str(out), *source_args(root), *extra], capsys)
    assert status == 0, err
    return out


def publishable(root: Path, out: Path, capsys) -> Path:
    return build_site(root, out, capsys, "--strict", "--base-url", BASE_URL)


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (through a symlinked top), by relative path."""
    top = folder.resolve()
    return {p.relative_to(top).as_posix(): p.read_bytes() for p in sorted(top.rglob("*")) if p.is_file()}


def publish(args: list[str], capsys) -> tuple[int, str, str]:
    return run(["publish", *args], capsys)


def refusal(args: list[str], capsys) -> str:
    status, _, err = publish(args, capsys)
    assert status == 1
    assert "Traceback" not in err
    assert err.endswith("Pubblicazione NON fatta: il sito online è rimasto com'era.\n")
    return err.splitlines()[0]


def start_publish(out: Path, to: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "publish", "--out", str(out), "--to", to],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)   # its own group: killed with ssh and rsync, as CI cancels
