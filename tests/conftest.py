"""Shared fixtures: the real site built once per run, and scratch copies of the project to break."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

import build  # noqa: E402  (the command line, called in-process)

pytest_plugins = ["browser"]   # the `browser` fixture (headless Chromium) for the browser tests

TODAY = "2026-11-25"
BASE_URL = "https://www.example.org/activity-cr/"


def run(args: list[str], capsys) -> tuple[int, str, str]:
    """Run the command line in-process; returns (exit status, stdout, stderr)."""
    try:
        status = build.main(args)
    except SystemExit as exc:   # argparse exits on bad usage
        status = exc.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real project built once, without a base URL (as when opened from disk)."""
    out = tmp_path_factory.mktemp("real") / "site"
    assert build.main(["build", "--out", str(out), "--today", TODAY]) == 0
    return out


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> Path:
    """The real project built as for publishing under a sub-path."""
    out = tmp_path_factory.mktemp("published") / "site"
    assert build.main(["build", "--out", str(out), "--today", TODAY, "--base-url", BASE_URL]) == 0
    return out


@pytest.fixture
def sources(tmp_path, monkeypatch) -> Path:
    """A copy of the real content/ and data/ in tmp_path, to change freely; the working
    directory is its top, as for an editor working in the project."""
    for folder in ("content", "data"):
        shutil.copytree(PROJECT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def project_copy(sources, monkeypatch) -> Path:
    """A whole copy of the project, templates and static files included, that build.py uses
    as its own: for breaking what only developers edit."""
    for folder in ("templates", "static"):
        shutil.copytree(PROJECT / folder, sources / folder)
    monkeypatch.setattr(build, "PROJECT", sources)
    return sources


def source_args(root: Path) -> list[str]:
    return ["--content", str(root / "content"), "--data", str(root / "data" / "contacts.yaml"),
            "--today", TODAY]
