"""The preview shows a bad save as an error page, keeps serving, and recovers on the next good save."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from urllib.parse import quote


import build
from bench.preview_server import BROWSER_CONNECTED, ServerLines, free_port
from sitegen.pipeline import Options
from sitegen.serve import Preview, file_for, make_app, rebuild
from support import PROJECT, source_args


def get(app, path: str) -> tuple[str, bytes]:
    seen = {}
    body = b"".join(app({"PATH_INFO": path}, lambda status, headers: seen.update(status=status)))
    return seen["status"], body


def preview_of(sources, tmp_path) -> Preview:
    options = Options(project=PROJECT, content=sources / "content", data=sources / "data" / "contacts.yaml",
                      templates=PROJECT / "templates", static=PROJECT / "static", out=tmp_path / "anteprima",
                      today=date(2026, 11, 25))
    return Preview(options, [])


def test_bad_save_shows_the_error_and_a_good_save_recovers(sources, tmp_path, capsys):
    preview = preview_of(sources, tmp_path)
    app = make_app(preview)
    assert rebuild(preview)
    status, body = get(app, "/sportelli/gussola/")
    assert status == "200 OK" and b"cremona@mestierilombardia.it" in body

    data = sources / "data" / "contacts.yaml"
    good = data.read_text(encoding="utf-8")
    data.write_text(good.replace("email: cremona@mestierilombardia.it", "email: cremona"), encoding="utf-8")
    assert not rebuild(preview)
    status, body = get(app, "/sportelli/gussola/")
    assert status == "200 OK"
    assert "Il sito non si può aggiornare".encode() in body
    assert 'data/contacts.yaml:50:12: errore: l&#x27;email &quot;cremona&quot; non è valida'.encode() in body
    assert "Anteprima NON aggiornata" in capsys.readouterr().err

    data.write_text(good, encoding="utf-8")
    assert rebuild(preview)
    status, body = get(app, "/sportelli/gussola/")
    assert b"cremona@mestierilombardia.it" in body and "non si può aggiornare".encode() not in body


def test_file_for_never_names_a_file_outside_the_site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("ok")
    (tmp_path / "segreto.txt").write_text("no")
    assert file_for(root, "/") == (root / "index.html").resolve()
    assert file_for(root, "/../segreto.txt") is None
    assert file_for(root, "/manca.html") is None


@contextmanager
def running_preview(sources):
    """`build.py serve` in its own process, as an editor starts it; yields its port."""
    port = free_port()
    server = subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "serve", "--port", str(port)]
                              + source_args(sources), cwd=sources, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    lines = ServerLines(server)
    try:
        lines.wait_for("Anteprima su")   # printed just before the server starts listening
        wait_for_port(port)
        yield port, lines
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def raw_get(port: int, path: str) -> tuple[int, bytes]:
    """GET `path` exactly as written, percent escapes and dots included: what an attacker
    sends, not what a browser would tidy up first."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_running_preview_never_serves_a_file_outside_the_site(sources, tmp_path):
    """Through the real server, which decodes the address before the app sees it: every way of
    writing ".." and "/" leads to the 404 page, never to a file elsewhere on the computer."""
    secret = tmp_path / "segreto.txt"
    secret.write_text("contenuto riservato", encoding="utf-8")
    absolute = secret.resolve().as_posix().lstrip("/")   # far enough up, any path is reached from "/"
    up = 40
    attempts = ["/" + "../" * up + absolute,
                "/" + "%2e%2e/" * up + absolute,
                "/" + "%2E%2E%2F" * up + absolute.replace("/", "%2F"),
                "/" + ".%2e/" * up + quote(absolute),
                "/" + "%252e%252e/" * up + absolute]     # encoded twice
    with running_preview(sources) as (port, _):
        assert raw_get(port, "/%70rogetto/")[0] == 200   # the escapes are decoded: the attempts mean something
        for path in attempts:
            status, body = raw_get(port, path)
            assert status == 404 and b"contenuto riservato" not in body, path


def test_the_preview_serves_files_by_the_addresses_a_browser_sends(sources):
    """A file is reached at the address a browser makes of its name: "città.txt" as
    /citt%C3%A0.txt, "100%41.txt" as /100%2541.txt; and /%2570rogetto/ names a file "%70rogetto",
    not the page progetto/."""
    (sources / "content" / "città.txt").write_text("con accento", encoding="utf-8")
    (sources / "content" / "100%41.txt").write_text("con percento", encoding="utf-8")
    with running_preview(sources) as (port, _):
        assert raw_get(port, "/citt%C3%A0.txt") == (200, "con accento".encode())
        assert raw_get(port, "/100%2541.txt") == (200, b"con percento")
        assert raw_get(port, "/%2570rogetto/")[0] == 404


def test_unknown_path_gets_the_404_page(sources, tmp_path):
    preview = preview_of(sources, tmp_path)
    assert rebuild(preview)
    status, body = get(make_app(preview), "/non-esiste/")
    assert status == "404 Not Found" and "Pagina non trovata".encode() in body


# -- seeing saves at once ------------------------------------------------------------------------

def test_the_watcher_hears_saves_new_folders_and_only_the_watched_file(tmp_path):
    from sitegen.watch import EventWatcher

    content, other = tmp_path / "content", tmp_path / "altro"
    content.mkdir()
    other.mkdir()
    settings = other / "sito.yaml"
    settings.write_text("a: 1\n")
    watcher = EventWatcher()
    watcher.watch(str(content))
    watcher.watch(str(settings))
    woken = []
    watcher.begin(lambda: woken.append(True))
    try:
        quiet = 0.5   # long enough for an event to arrive, were there one
        time.sleep(quiet)
        assert watcher.pending(quiet) == []
        (content / "pagina.md").write_text("x")
        assert watcher.pending(5) == [content] and woken
        (other / "appunti.txt").write_text("not watched")
        (content / ".pagina.md.swp").write_text("an editor's swap file")
        assert watcher.pending(quiet) == []
        settings.write_text("a: 2\n")
        assert watcher.pending(5) == [settings]
        (content / "avvisi").mkdir()
        watcher.pending(quiet)
        (content / "avvisi" / "nuovo.md").write_text("x")   # inside a folder made after the start
        assert watcher.pending(5) == [content]
        shutil.rmtree(content)   # the whole folder deleted and made again (a checkout, a restore)
        watcher.pending(quiet)
        content.mkdir()
        watcher.pending(quiet)
        (content / "pagina.md").write_text("y")
        assert watcher.pending(5) == [content]
    finally:
        watcher.close()


def test_a_save_shows_in_the_open_browser(browser, sources):
    """The real preview: `serve` in its own process, a page open in Chromium, an editor saves."""
    with running_preview(sources) as (port, lines):
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/progetto/index.html")
        lines.wait_for(BROWSER_CONNECTED)   # only then does a save reload this page
        source = sources / "content" / "progetto.md"
        with page.expect_navigation(timeout=10_000):   # the reload the save causes
            source.write_text(source.read_text(encoding="utf-8") + "\nUna frase appena salvata.\n",
                              encoding="utf-8")
        assert "Una frase appena salvata." in page.inner_text("body")
        page.close()


def test_a_port_already_in_use_gets_a_message_not_an_internal_error(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = build.main(["serve", "--port", str(port)])
    err = capsys.readouterr().err
    assert status == 1
    assert err.strip() == (f"errore: la porta {port} è già usata da un altro programma (forse un'anteprima "
                           f"già aperta in un'altra finestra): chiudilo, oppure scegli un'altra porta, "
                           f"per esempio python build.py serve --port {port + 1}")
