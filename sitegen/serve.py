"""Live preview: rebuild on every change, show errors in the browser, never die on a bad save."""

from __future__ import annotations

import html
import mimetypes
import shutil
import socket
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from .incremental import Incremental
from .errors import BuildFailed, Report, summary
from .pipeline import Options, build


@dataclass
class Preview:
    """The folder being served and the problems of the last rebuild (empty when it worked)."""

    options: Options
    problems: list[str]
    memo: Incremental = field(default_factory=Incremental.in_memory)   # a save redoes only what changed

    @property
    def root(self) -> Path:
        return self.options.out


def rebuild(preview: Preview) -> bool:
    """Build into the preview folder; on failure keep the last good files and remember why."""
    report = Report()
    try:
        build(preview.options, report, memo=preview.memo)
    except BuildFailed:
        preview.problems = [str(p) for p in report.sorted()]
    except Exception as exc:  # a bug must not stop the preview: show it and keep serving
        preview.problems = [f"errore interno del programma: {exc!r}"]
    else:
        preview.problems = []
        for problem in report.sorted():
            print(problem, file=sys.stderr)
        print(f"Anteprima aggiornata: {summary(report)}.", flush=True)
        return True
    for line in preview.problems:
        print(line, file=sys.stderr)
    print("Anteprima NON aggiornata: correggi e salva di nuovo.", file=sys.stderr, flush=True)
    return False


def error_page(problems: list[str]) -> bytes:
    items = "\n".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems)
    return f"""<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Errore: il sito non si può aggiornare</title>
<style>body{{font:1.1rem/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}}
h1{{color:#8b0000}}code{{white-space:pre-wrap;overflow-wrap:anywhere;font-size:1rem}}li{{margin:.75rem 0}}</style>
</head>
<body>
<h1>Il sito non si può aggiornare</h1>
<p>Ci sono problemi nei file che hai modificato. Per ognuno trovi il file, la riga e cosa fare.</p>
<ul>
{items}
</ul>
<p>Correggi e salva: questa pagina si aggiorna da sola.</p>
</body>
</html>
""".encode("utf-8")


def make_app(preview: Preview):
    """A WSGI app that serves only files inside the preview folder, or the error page."""

    def app(environ, start_response):
        if preview.problems:
            return respond(start_response, "200 OK", "text/html; charset=utf-8", error_page(preview.problems))
        target = file_for(preview.root, path_of(environ))
        if target is None:
            not_found = preview.root / "404.html"
            body = not_found.read_bytes() if not_found.is_file() else b"Pagina non trovata"
            return respond(start_response, "404 Not Found", "text/html; charset=utf-8", body)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        return respond(start_response, "200 OK", kind, target.read_bytes())

    return app


def path_of(environ) -> str:
    """The path the browser asked for. The server has decoded it already (PEP 3333), and passes
    its bytes as Latin-1 characters: read back as the UTF-8 browsers send ("città.txt")."""
    return environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")


def file_for(root: Path, url_path: str) -> Path | None:
    """The file a URL path names, never one outside `root` (compares resolved paths)."""
    root = root.resolve()
    target = (root / url_path.lstrip("/")).resolve()
    if target != root and root not in target.parents:
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def respond(start_response, status: str, kind: str, body: bytes):
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
    return [body]


def port_free(host: str, port: int) -> bool:
    """Whether the preview can listen there: a port held by another program (often a preview
    left open in another window) would otherwise end in an internal error after the build."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as the server itself does
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def port_taken(port: int) -> str:
    return (f"errore: la porta {port} è già usata da un altro programma (forse un'anteprima già aperta "
            f"in un'altra finestra): chiudilo, oppure scegli un'altra porta, per esempio "
            f"python build.py serve --port {port + 1}")


def serve(options: Options, host: str, port: int) -> int:
    from livereload import Server  # imported here: only the preview needs it

    from .watch import EventWatcher

    if not port_free(host, port):
        print(port_taken(port), file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="activitycr-anteprima-"))
    preview = Preview(replace(options, out=workdir / "site", base_url=None), [])
    watcher = EventWatcher()
    try:
        rebuild(preview)
        server = Server(app=make_app(preview), watcher=watcher)
        for watched in (options.content, options.templates, options.static, options.data.parent, options.settings):
            server.watch(str(watched), lambda: rebuild(preview))
        print(f"Anteprima su http://{host}:{port}/ (Ctrl+C per uscire)", flush=True)
        server.serve(host=host, port=port, open_url_delay=None, debug=False)
    finally:
        watcher.close()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
