"""Shared fixtures: the real site built once per run, and scratch copies of the project to break."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

# support puts the project's top on sys.path, for `build`, `sitegen` and `bench`.
from support import BASE_URL, PROJECT, TODAY

import build  # noqa: E402  (the command line, called in-process)

pytest_plugins = ["browser"]   # the `browser` fixture (headless Chromium) for the browser tests


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


@pytest.fixture
def http_root():
    """A local web server over a folder: http_root(folder, headers) gives the folder's address;
    every response carries `headers` (a security policy, say)."""
    servers = []

    def serve(folder: Path, headers: dict[str, str] | None = None) -> str:
        handler = functools.partial(_QuietHandler, extra_headers=headers or {}, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, extra_headers: dict[str, str], **kwargs):
        self.extra_headers = extra_headers
        super().__init__(*args, **kwargs)

    def end_headers(self):
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format, *args):
        pass
