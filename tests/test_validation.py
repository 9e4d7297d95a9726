"""The W3C Nu HTML Checker (vnu.jar, run with the machine's Java) finds no error in the built site:
every HTML page, the CSS as served and any SVG. One Java start per test, over all files at once.

vnu.jar comes from the npm package `vnu-jar` (installed by scripts/test.sh, or point VNU_JAR at it).
The tests skip locally when Java or vnu.jar is missing and fail under CI (`CI` set)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from support import PROJECT, require

BROKEN = {   # a deliberately broken file of each kind, and the line of its first error
    "html": ('<!doctype html>\n<html lang="it">\n<head><meta charset="utf-8"><title>rotta</title></head>\n'
             "<body>\n<p>Un paragrafo</span>\n</body>\n</html>\n", 5),
    "css": ("a {\n  color: red;\n  colr: blue;\n}\n", 3),
    "svg": ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">\n<nonsense/>\n</svg>\n', 2),
}


def vnu_jar() -> Path | None:
    for candidate in (os.environ.get("VNU_JAR"), PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def run_vnu(files: list[Path], mode: str) -> list[dict]:
    """Check `files` as `mode` ("html", "css" or "svg") in one run; returns vnu's error messages."""
    java = shutil.which("java")
    require(java is not None, "Java is not installed (apt-get install default-jre-headless)")
    jar = vnu_jar()
    require(jar is not None, "vnu.jar is not installed (npm install --ignore-scripts vnu-jar)")
    assert files, f"no {mode} files to check"
    command = [java, "-jar", str(jar), "--errors-only", "--format", "json", "--stdout", f"--{mode}",
               *map(str, files)]
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", timeout=300)
    try:
        messages = json.loads(done.stdout)["messages"]
    except (ValueError, KeyError) as exc:
        pytest.fail(f"vnu gave no JSON report ({exc}); exit status {done.returncode}\n"
                    f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    errors = [m for m in messages if m.get("type") != "info"]   # "error" and "non-document-error"
    assert (done.returncode != 0) == bool(errors), f"vnu exit status {done.returncode} with {len(errors)} errors"
    return errors


def where(message: dict, roots: dict[Path, str]) -> str:
    """file:line:col of a vnu message, the file named from its site's label."""
    path = Path(unquote(urlparse(message.get("url", "")).path)) if message.get("url") else None
    name = str(path) if path else "(vnu)"
    for root, label in roots.items():
        if path and path.is_relative_to(root):
            name = f"{label}/{path.relative_to(root).as_posix()}"
    line = message.get("firstLine", message.get("lastLine", "?"))
    column = message.get("firstColumn", message.get("lastColumn", "?"))
    return f"{name}:{line}:{column}"


def report(errors: list[dict], roots: dict[Path, str]) -> str:
    return "\n".join(f"{where(m, roots)}: {m.get('message', '').strip()}" for m in errors)


def site_files(roots: dict[Path, str], suffix: str) -> list[Path]:
    return sorted(path for root in roots for path in root.rglob(f"*{suffix}"))


@pytest.fixture(scope="module")
def sites(built_site, published_site) -> dict[Path, str]:
    """Both builds: opened from disk (relative links only) and published under a sub-path."""
    return {built_site.resolve(): "site", published_site.resolve(): "published"}


def test_every_html_page_has_no_vnu_errors(sites):
    pages = site_files(sites, ".html")
    for root in sites:   # the pages that matter most are in the run
        for name in ("index.html", "404.html", "sportelli/index.html", "sportelli/gussola/index.html"):
            assert root / name in pages
    errors = run_vnu(pages, "html")
    assert not errors, f"{len(errors)} HTML errors:\n{report(errors, sites)}"


def test_css_as_served_has_no_vnu_errors(sites):
    sheets = site_files(sites, ".css")
    for root in sites:
        assert root / "static" / "style.css" in sheets
    errors = run_vnu(sheets, "css")
    assert not errors, f"{len(errors)} CSS errors:\n{report(errors, sites)}"


def test_svg_files_have_no_vnu_errors(sites):
    images = site_files(sites, ".svg")
    if not images:
        pytest.skip("the site has no SVG files (inline SVG is checked with the HTML)")
    errors = run_vnu(images, "svg")
    assert not errors, f"{len(errors)} SVG errors:\n{report(errors, sites)}"


@pytest.mark.parametrize("mode", sorted(BROKEN))
def test_the_check_reports_a_broken_file_with_its_line(tmp_path, mode):
    """The harness reads vnu's report: a deliberately broken file gives file:line:col: message."""
    text, line = BROKEN[mode]
    broken = tmp_path / f"broken.{mode}"
    broken.write_text(text, encoding="utf-8")
    errors = run_vnu([broken], mode)
    assert errors
    lines = report(errors, {tmp_path.resolve(): "tmp"}).splitlines()
    assert any(entry.startswith(f"tmp/broken.{mode}:{line}:") for entry in lines), lines
