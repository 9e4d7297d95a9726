"""The README's promises under attack: values that try to leave a <script> block, rebuilds killed
or interrupted while the new site is switched in, two builds at once, colliding output paths,
files of other people in the output folder, active content in pages, a worker that dies."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from support import files_of, run, source_args

DATA = "data/contacts.yaml"


def problems(err: str) -> list[str]:
    """What a build printed, less the notes on sito.yaml's fields still to fill in: they come with
    every build of the real settings and say nothing of the case tested."""
    return [line for line in err.splitlines() if not (line.startswith("sito.yaml:") and ": nota: " in line)]


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drift: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


class Elements(HTMLParser):
    """The elements of a page as a browser's tokenizer sees them: scripts with their text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def elements(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


# Values that try to end the script element, open a comment that keeps it open, or start a new one.
BREAKOUTS = ["Mestieri Lombardia <!--<script>", "Mestieri </script><script>alert(1)</script>",
             "Mestieri <script>x", "Mestieri & <b>co</b> \u2028\u2029 -->"]


@pytest.mark.parametrize("value", BREAKOUTS)
def test_a_value_never_leaves_its_script_block(sources, tmp_path, capsys, value):
    quoted = json.dumps(value)
    edit(sources / DATA, "    nome: Mestieri Lombardia\n", f"    nome: {quoted}\n")
    edit(sources / DATA, "      - Agoiolo\n", f"      - {quoted}\n")
    out = tmp_path / "site"
    status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
    assert status == 0, err
    gussola = elements(out / "sportelli" / "gussola" / "index.html")
    (ld_attrs, ld_text), = gussola.scripts
    assert ld_attrs == {"type": "application/ld+json"}
    assert value in json.dumps(json.loads(ld_text), ensure_ascii=False)
    assert "footer" in gussola.tags   # the page goes on after the block
    # A browser's tokenizer treats "<!--" and "<script" inside a script as a nested state that
    # Python's parser does not follow: the promise is that no "<" is left to start one.
    assert not any(c in ld_text for c in "<>\u2028\u2029")
    finder = elements(out / "sportelli" / "index.html")
    assert [attrs.get("id") or attrs.get("src") for attrs, _ in finder.scripts] == \
        ["indice-sportelli", "../static/finder.js"]
    assert value in json.dumps(json.loads(finder.scripts[0][1]), ensure_ascii=False)
    assert "footer" in finder.tags
    assert not any(c in finder.scripts[0][1] for c in "<>\u2028\u2029")


# --- Rebuilds stopped at any moment: the whole old site or the whole new one ---------------------

PROJECT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-25"


def add_pages(root: Path, count: int) -> None:
    """Enough pages that the switch of a version takes a while."""
    for number in range(count):
        (root / "content" / f"pagina-{number:03}.md").write_text(
            f"---\ntitolo: Pagina {number}\ndescrizione: Una pagina di prova.\n---\n"
            + "Una frase breve per la prova. " * 20 + "\n", encoding="utf-8")


def build_process(root: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "build", "--out", str(out), "--jobs", "1",
                             "--content", str(root / "content"), "--data", str(root / DATA), "--today", TODAY],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def two_versions(root: Path, tmp_path: Path, capsys) -> tuple[list[str], list[dict[str, bytes]]]:
    """The data file in two versions that change every page, and the site each one gives."""
    data = (root / DATA).read_text(encoding="utf-8")
    texts = [data, data.replace("nome: Consorzio Casalasco Servizi Sociali", "nome: Consorzio Casalasco")]
    assert texts[0] != texts[1]
    sites = []
    for number, text in enumerate(texts):
        (root / DATA).write_text(text, encoding="utf-8")
        status, _, err = run(["build", "--out", str(tmp_path / f"riferimento-{number}"), "--no-cache"]
                             + source_args(root), capsys)
        assert status == 0, err
        sites.append(files_of(tmp_path / f"riferimento-{number}"))
    assert sites[0] != sites[1]
    return texts, sites


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl+C"])
def test_a_rebuild_stopped_at_any_moment_leaves_a_whole_site(sources, tmp_path, capsys, how):
    add_pages(sources, 150)
    texts, sites = two_versions(sources, tmp_path, capsys)
    out = tmp_path / "site"
    (sources / DATA).write_text(texts[0], encoding="utf-8")
    started = time.monotonic()
    first = build_process(sources, out)
    assert first.wait() == 0, first.stderr.read()
    took = time.monotonic() - started
    randomness = random.Random(12)
    for attempt in range(8):
        (sources / DATA).write_text(texts[(attempt + 1) % 2], encoding="utf-8")
        process = build_process(sources, out)
        time.sleep(randomness.uniform(0.5 * took, 1.1 * took))   # after start-up: rendering, then the switch
        process.send_signal(how)
        status = process.wait()
        _, err = process.communicate()
        assert "Traceback" not in err and "errore interno" not in err
        # 130: stopped by Ctrl+C; -SIGINT: it came as the interpreter was closing, the build done
        assert status in (0, 130, -signal.SIGINT, -signal.SIGKILL), err
        now = files_of(out)
        assert now in sites, f"a mixed site after a stop at attempt {attempt}"
    (sources / DATA).write_text(texts[1], encoding="utf-8")
    last = build_process(sources, out)
    assert last.wait() == 0, last.stderr.read()
    assert files_of(out) == sites[1]
    # Beside the output: the cache, the lock and the tree set aside by the exchange, kept whole
    # to be brought up to date by the next build; no staging folder, no unfinished tree.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == \
        [".site.cache.sqlite", ".site.lock", ".site.nuovo"]
    assert spare_is_whole(tmp_path / ".site.nuovo")


def spare_is_whole(spare: Path) -> bool:
    """The set-aside tree holds exactly the files its marker lists, with those bytes."""
    from sitegen.digest import digest
    from sitegen.output import read_marker

    listed = read_marker(spare)
    held = {name: digest(data) for name, data in files_of(spare).items() if name != ".activitycr-site"}
    return listed is not None and held == listed


def test_a_permission_error_while_switching_leaves_the_old_site(sources, tmp_path, capsys, monkeypatch):
    texts, sites = two_versions(sources, tmp_path, capsys)
    out = tmp_path / "site"
    (sources / DATA).write_text(texts[0], encoding="utf-8")
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    real_link = os.link
    unchanged = sum(1 for name, data in sites[1].items() if sites[0].get(name) == data) - 1   # the marker differs
    assert unchanged > 2
    for fail_at in sorted({1, unchanged // 2, unchanged}):   # each linked into the next version
        calls = []

        def link(*args, **kwargs):
            calls.append(args)
            if len(calls) == fail_at:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), args[1])
            return real_link(*args, **kwargs)

        monkeypatch.setattr(os, "link", link)
        (sources / DATA).write_text(texts[1], encoding="utf-8")
        status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
        assert len(calls) >= fail_at   # the error did happen, while the next version was being made
        assert status == 1
        assert problems(err) == [
            f"{out}: errore: non riesco ad aggiornare la cartella del sito (Permission denied): il sito è rimasto "
            "com'era. Controlla lo spazio libero e i permessi, poi rilancia",
            "Sito NON aggiornato: 1 errore, 0 avvisi."]
        assert files_of(out) == sites[0]
        assert not (tmp_path / ".site.cambiati").exists()
    monkeypatch.setattr(os, "link", real_link)
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    assert files_of(out) == sites[1]


# --- One build at a time ----------------------------------------------------------------------------

def test_a_second_build_waits_then_says_another_one_is_running(sources, tmp_path, capsys, monkeypatch):
    from sitegen import output

    out = tmp_path / "site"
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    before = files_of(out)
    (sources / "content" / "privacy.md").write_text("---\ntitolo: Nuova\ndescrizione: Nuova.\n---\nTesto.\n",
                                                    encoding="utf-8")
    monkeypatch.setattr(output, "LOCK_WAIT", 0.5)
    with output.build_lock(out):
        started = time.monotonic()
        status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
        waited = time.monotonic() - started
    assert status == 1 and waited >= 0.5
    assert problems(err) == [
        f"{out}: errore: un'altra creazione del sito sta scrivendo in questa cartella (un'anteprima, un altro "
        "terminale o un altro lavoro automatico): aspetta che finisca, poi rilancia",
        "Sito NON aggiornato: 1 errore, 0 avvisi."]
    assert files_of(out) == before
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0   # the lock is gone with it
    assert files_of(out) != before


def test_two_builds_at_once_give_one_whole_site(sources, tmp_path, capsys):
    add_pages(sources, 60)
    status, _, err = run(["build", "--out", str(tmp_path / "riferimento"), "--no-cache"] + source_args(sources), capsys)
    assert status == 0, err
    out = tmp_path / "site"
    for _ in range(3):
        builds = [build_process(sources, out) for _ in range(2)]
        results = [(b.wait(), b.communicate()[1]) for b in builds]
        for status, err in results:
            assert "Traceback" not in err and "errore interno" not in err
            assert status == 0 or "un'altra creazione del sito sta scrivendo in questa cartella" in err, err
        assert any(status == 0 for status, _ in results)
        assert files_of(out) == files_of(tmp_path / "riferimento")


# --- Files that no build wrote are never touched ---------------------------------------------------

def foreign(out: Path) -> dict[str, bytes]:
    """What a web master adds by hand: server rules, a site-verification file, a blog."""
    files = {".htaccess": b"Options -Indexes\n", "google1234abcd.html": b"google-site-verification\n",
             "blog/index.html": b"<p>il blog</p>\n", "blog/.nascosto": b"x"}
    for relative, data in files.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(data)
    return files


KEPT_NOTE = "nota: file non creati dal sito, lasciati dove sono: .htaccess, blog/.nascosto, blog/index.html, " \
            "google1234abcd.html"


@pytest.mark.parametrize("extra", [[], ["--no-cache"], ["--strict"]], ids=["rebuild", "--no-cache", "--strict"])
def test_files_added_by_hand_to_the_site_are_kept(sources, tmp_path, capsys, extra):
    out = tmp_path / "site"
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    added = foreign(out)
    (sources / "content" / "scuola-e-lavoro.md").unlink()
    for _ in range(2):
        status, _, err = run(["build", "--out", str(out), *extra] + source_args(sources), capsys)
        assert status == 0, err
        assert problems(err) == [f"site: {KEPT_NOTE}"]   # the folder as the editor names it
        assert {relative: (out / relative).read_bytes() for relative in added} == added
        assert not (out / "scuola-e-lavoro").exists()


def test_a_copied_marker_never_makes_other_files_ours(sources, tmp_path, capsys):
    """cp -a and rsync -a carry the marker: the folder it lands in keeps what it had."""
    import shutil

    site = tmp_path / "site"
    assert run(["build", "--out", str(site)] + source_args(sources), capsys)[0] == 0
    elsewhere = tmp_path / "www"
    elsewhere.mkdir()
    added = foreign(elsewhere)
    shutil.copytree(site, elsewhere, dirs_exist_ok=True)
    (sources / "content" / "scuola-e-lavoro.md").unlink()
    status, _, err = run(["build", "--out", str(elsewhere), "--no-cache"] + source_args(sources), capsys)
    assert status == 0, err
    assert {relative: (elsewhere / relative).read_bytes() for relative in added} == added
    assert not (elsewhere / "scuola-e-lavoro").exists()
    assert run(["build", "--out", str(tmp_path / "riferimento")] + source_args(sources), capsys)[0] == 0
    assert {k: v for k, v in files_of(elsewhere).items() if k not in added} == files_of(tmp_path / "riferimento")


def test_a_file_of_someone_else_where_the_site_now_writes_is_not_replaced(sources, tmp_path, capsys):
    out = tmp_path / "site"
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    (out / "nuova").mkdir()
    (out / "nuova" / "index.html").write_bytes(b"di qualcun altro")
    before = files_of(out)
    (sources / "content" / "nuova.md").write_text("---\ntitolo: Nuova\ndescrizione: Nuova.\n---\nTesto.\n",
                                                  encoding="utf-8")
    status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
    assert status == 1
    assert problems(err)[0] == (f"{out}/nuova/index.html: errore: questo file non è stato creato dal programma, "
                                   "ma ora il sito ha bisogno del suo posto: spostalo o cancellalo tu, poi rilancia")
    assert files_of(out) == before


def earlier_marker(out: Path) -> bytes:
    """The marker that earlier versions wrote: a fingerprint of every file, no list."""
    from sitegen.digest import digest

    files = {name: digest(data) for name, data in files_of(out).items() if name != ".activitycr-site"}
    return ("Cartella creata da build.py di ACTIVITY.CR: la aggiorna a ogni pubblicazione. Non metterci altri "
            f"file.\nimpronta: {digest(*sorted(f'{k} {v}' for k, v in files.items()))}\n").encode()


def test_a_folder_of_an_earlier_version_is_taken_over_once(sources, tmp_path, capsys):
    out = tmp_path / "site"
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    (out / ".activitycr-site").write_bytes(earlier_marker(out))
    (sources / "content" / "scuola-e-lavoro.md").unlink()
    status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
    assert status == 0 and problems(err) == [], err   # every file was the build's: no note, no error
    assert run(["build", "--out", str(tmp_path / "riferimento"), "--no-cache"] + source_args(sources), capsys)[0] == 0
    assert files_of(out) == files_of(tmp_path / "riferimento")


@pytest.mark.parametrize("damage", ["a file added to the list", "an earlier marker, a file added since"])
def test_a_marker_whose_list_does_not_hold_is_not_trusted(sources, tmp_path, capsys, damage):
    out = tmp_path / "site"
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    (out / "mio.html").write_bytes(b"mio")
    marker = out / ".activitycr-site"
    text = marker.read_bytes()
    if damage == "a file added to the list":
        marker.write_bytes(text + b"0123 mio.html\n")
    else:
        (out / "mio.html").unlink()
        marker.write_bytes(earlier_marker(out))
        (out / "mio.html").write_bytes(b"mio")
    before = files_of(out)
    status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
    assert status == 1
    assert problems(err)[0] == (
        f"{out}: errore: il file .activitycr-site della cartella è rovinato o di una versione precedente del "
        "programma: per sicurezza non la sostituisco. Scegli una cartella vuota o nuova, oppure svuotala tu se "
        "sei sicuro")
    assert files_of(out) == before


# --- A worker process that dies ----------------------------------------------------------------------

WORKER_DIED = ("build.py: errore: un processo di lavoro è terminato in modo inatteso (forse la memoria non bastava, "
               "o è stato fermato da fuori): il sito è rimasto com'era. Rilancia; se succede ancora, rilancia con "
               "--jobs 1")


def test_a_killed_worker_stops_the_build_with_a_message(sources, tmp_path, capsys, monkeypatch):
    """As the kernel's OOM killer would: SIGKILL to a worker in the middle of rendering."""
    from sitegen import parallel, render

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    out = tmp_path / "site"
    assert run(["build", "--out", str(out), "--jobs", "2"] + source_args(sources), capsys)[0] == 0
    before = files_of(out)
    parent = os.getpid()
    real_render = render.render_output

    def render_or_die(env, site, output, *args):
        if output.dest == "privacy/index.html" and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_render(env, site, output, *args)

    monkeypatch.setattr(render, "render_output", render_or_die)
    edit(sources / DATA, "nome: Consorzio Casalasco Servizi Sociali", "nome: Consorzio Casalasco")
    started = time.monotonic()
    status, _, err = run(["build", "--out", str(out), "--jobs", "2"] + source_args(sources), capsys)
    assert time.monotonic() - started < 60   # no hang
    assert status == 1
    assert problems(err) == [WORKER_DIED, "Sito NON aggiornato: 1 errore, 0 avvisi."]
    assert files_of(out) == before


# --- A cache of another shape, a full disk ---------------------------------------------------------

@pytest.mark.parametrize("name,value", [
    ("outputs", {"index.html": ("chiave",)}),
    ("outputs", ["index.html"]),
    ("outputs", {"index.html": (1, 2)}),
    ("readings", [("privacy.md", "content/privacy.md", (1, 2), ("privacy.md",) + (None,) * 13, ())]),
    ("bodies", [1, 2, 3]),
], ids=["short record", "a list of outputs", "a record of numbers", "a page of nothing", "numbered bodies"])
def test_a_well_formed_cache_of_another_shape_means_a_full_build(sources, tmp_path, capsys, name, value):
    import marshal
    import sqlite3

    out = tmp_path / "site"
    status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
    assert status == 0, err
    with sqlite3.connect(tmp_path / ".site.cache.sqlite") as db:
        db.execute("UPDATE state SET value = ? WHERE name = ?", (marshal.dumps(value), name))
        assert db.total_changes == 1
    edit(sources / "content" / "privacy.md", "cookie", "biscotti")
    status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
    assert status == 0, err
    reference = tmp_path / "riferimento"
    assert run(["build", "--out", str(reference), "--no-cache"] + source_args(sources), capsys)[0] == 0
    assert files_of(out) == files_of(reference)


def test_a_full_disk_while_writing_the_next_version(sources, tmp_path, capsys, monkeypatch):
    out = tmp_path / "site"
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    before = files_of(out)
    real = Path.write_bytes

    def write_bytes(path, data):
        if ".site.cambiati" in path.parts:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    edit(sources / "content" / "privacy.md", "cookie", "biscotti")
    status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
    assert status == 1
    assert problems(err) == [
        f"{out}: errore: non riesco ad aggiornare la cartella del sito (No space left on device): il sito è rimasto "
        "com'era. Controlla lo spazio libero e i permessi, poi rilancia",
        "Sito NON aggiornato: 1 errore, 0 avvisi."]
    assert files_of(out) == before


# --- Where the system cannot exchange two folders ----------------------------------------------------

def test_without_an_atomic_exchange_two_renames_give_the_same_site(sources, tmp_path, capsys, monkeypatch):
    """Other systems and some network disks have no renameat2: the fallback must give the same files."""
    from sitegen import output

    monkeypatch.setattr(output, "exchange", lambda first, second: False)
    out = tmp_path / "site"
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    edit(sources / "content" / "privacy.md", "cookie", "biscotti")
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    assert run(["build", "--out", str(tmp_path / "riferimento"), "--no-cache"] + source_args(sources), capsys)[0] == 0
    assert files_of(out) == files_of(tmp_path / "riferimento")
    assert not (tmp_path / ".site.vecchio").exists() and not (tmp_path / ".site.cambiati").exists()


def test_a_build_killed_between_the_two_renames_is_put_back_by_the_next(sources, tmp_path, capsys):
    out = tmp_path / "site"
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    built = files_of(out)
    out.rename(tmp_path / ".site.vecchio")   # where the fallback leaves it, killed between its renames
    (tmp_path / ".site.nuovo").mkdir()
    (tmp_path / ".site.nuovo" / "mezzo.html").write_bytes(b"a meta")
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    assert files_of(out) == built
    assert not (tmp_path / ".site.vecchio").exists() and not (tmp_path / ".site.cambiati").exists()


def test_the_folders_permissions_survive_a_rebuild(sources, tmp_path, capsys):
    out = tmp_path / "site"
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    out.chmod(0o750)
    edit(sources / "content" / "privacy.md", "cookie", "biscotti")
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    assert out.stat().st_mode & 0o777 == 0o750


def test_the_tree_set_aside_is_brought_up_to_date_without_touching_the_live_one(sources, tmp_path, capsys,
                                                                               monkeypatch):
    """Its unchanged files are hard links to the live ones: a build that fails at the very switch,
    after bringing it up to date, must not have written through them."""
    from sitegen import output

    out = tmp_path / "site"
    page = sources / "content" / "privacy.md"
    for text in ("biscotti", "dolcetti"):   # two rebuilds: the second one sets a tree aside
        edit(page, "cookie" if text == "biscotti" else "biscotti", text)
        assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    live = files_of(out)
    shared = [name for name in live if name != ".activitycr-site"
              and (out / name).stat().st_ino == (tmp_path / ".site.nuovo" / name).stat().st_ino]
    assert "progetto/index.html" in shared

    def broken_exchange(first, second):
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(second))

    monkeypatch.setattr(output, "exchange", broken_exchange)
    (sources / "content" / "progetto.md").write_text("---\ntitolo: Nuovo\ndescrizione: Nuovo.\n---\nTesto.\n",
                                                    encoding="utf-8")
    status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
    assert status == 1 and "Input/output error" in err
    assert files_of(out) == live
    monkeypatch.undo()
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    assert run(["build", "--out", str(tmp_path / "riferimento"), "--no-cache"] + source_args(sources), capsys)[0] == 0
    assert files_of(out) == files_of(tmp_path / "riferimento")
    assert spare_is_whole(tmp_path / ".site.nuovo")


# --- Values that end up inside markup of another kind ------------------------------------------

def test_an_address_with_quotes_still_makes_valid_xml(sources, tmp_path, capsys):
    """--base-url is written into the feed's and the sitemap's attributes and text: a quote or an
    ampersand in it must not end an attribute or break the XML."""
    import xml.etree.ElementTree as ElementTree

    base = 'https://example.org/a"b&c\'d/'
    out = tmp_path / "site"
    status, _, err = run(["build", "--out", str(out), "--base-url", base] + source_args(sources), capsys)
    assert status == 0, err
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(out / "avvisi" / "feed.xml").getroot()
    assert feed.find(f"{atom}link[@rel='self']").get("href") == base + "avvisi/feed.xml"
    assert feed.find(f"{atom}id").text == base + "avvisi/"
    entries = feed.findall(f"{atom}entry")
    assert entries and all(e.find(f"{atom}link").get("href").startswith(base) for e in entries)
    sitemap = ElementTree.parse(out / "sitemap.xml").getroot()
    assert base + "sportelli/gussola/" in {loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}


def test_a_hidden_template_is_never_included(project_copy, tmp_path, capsys):
    """The outputs' keys are made from the visible templates only (an editor's swap files come
    and go): a hidden one cannot be part of a page."""
    (project_copy / "templates" / ".nascosto.html").write_text("<p>nascosto</p>\n", encoding="utf-8")
    page = project_copy / "templates" / "pagina.html"
    page.write_text(page.read_text(encoding="utf-8").replace("{% block main %}", '{% block main %}{% include ".nascosto.html" %}', 1),
                    encoding="utf-8")
    status, _, err = run(["build", "--out", str(tmp_path / "site")] + source_args(project_copy), capsys)
    assert status == 1 and "Traceback" not in err
    assert 'templates/pagina.html:2: errore: il modello ".nascosto.html" incluso qui non esiste in templates/' in err
