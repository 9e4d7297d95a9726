"""Rebuilds that reuse the last build (cache) and builds split over processes give exactly the
files of a plain, cold, one-process build; and a rebuild writes only what changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import build
from support import BASE_URL, edit, files_of, run, source_args
from sitegen import parallel

MARKER = ".activitycr-site"


def cold(root: Path, out: Path, capsys, *extra: str) -> dict[str, bytes]:
    """The reference: no cache, one process, into a new folder."""
    status, _, err = run(["build", "--out", str(out), "--no-cache", "--jobs", "1", *extra] + source_args(root), capsys)
    assert status == 0, err
    return files_of(out)


def warm(root: Path, out: Path, capsys, *extra: str) -> dict[str, bytes]:
    status, _, err = run(["build", "--out", str(out), *extra] + source_args(root), capsys)
    assert status == 0, err
    return files_of(out)


@pytest.fixture
def forked(monkeypatch):
    """Split even the small real site over two processes."""
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)


def test_two_processes_build_the_same_files_as_one(sources, tmp_path, capsys, forked):
    reference = cold(sources, tmp_path / "one", capsys)
    status, _, _ = run(["build", "--out", str(tmp_path / "two"), "--no-cache", "--jobs", "2"] + source_args(sources), capsys)
    assert status == 0
    assert files_of(tmp_path / "two") == reference


def test_a_failure_in_a_worker_is_reported_like_any_other(sources, tmp_path, capsys, forked):
    (sources / "content" / "rotta.md").write_text("---\ntitolo: Rotta\ndescrizione: x\nmenu: tre\n---\nTesto.\n",
                                                   encoding="utf-8")
    status, _, err = run(["build", "--out", str(tmp_path / "s"), "--jobs", "2"] + source_args(sources), capsys)
    assert status == 1 and "Traceback" not in err
    assert 'content/rotta.md:4:7: errore: "menu" deve essere un numero intero (1, 2, 3...), non "tre"' in err


CHANGES = {
    # what an editor changes -> (file, old text, new text)
    "a page's text": ("content/progetto.md", "ACTIVITY.CR", "ACTIVITY.CR (progetto)"),
    "a page's title, shown in other pages' menus": ("content/progetto.md", "titolo: ", "titolo: Nuovo "),
    "a page leaving the menu": ("content/partner.md", "menu: ", "# menu: "),
    "a phone number in the data": ("data/contacts.yaml", 'telefono: "0375 40200"', 'telefono: "0375 40201"'),
    "a notice's date": ("content/avvisi/sportelli-in-presenza.md", "data: 2021-01-11", "data: 2021-01-12"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_rebuild_after_a_change_equals_a_cold_build(sources, tmp_path, capsys, change, forked):
    out = tmp_path / "site"
    warm(sources, out, capsys)
    relative, old, new = CHANGES[change]
    edit(sources / relative, old, new)
    assert warm(sources, out, capsys) == cold(sources, tmp_path / "reference", capsys)


def test_a_rebuild_after_a_template_change_equals_a_cold_build(project_copy, tmp_path, capsys):
    out = tmp_path / "site"
    warm(project_copy, out, capsys)
    edit(project_copy / "templates" / "base.html", "Vai al contenuto", "Salta al contenuto")
    rebuilt = warm(project_copy, out, capsys)
    assert rebuilt == cold(project_copy, tmp_path / "reference", capsys)
    assert b"Salta al contenuto" in rebuilt["sportelli/gussola/index.html"]


def test_a_new_address_or_day_rebuilds_what_depends_on_it(sources, tmp_path, capsys):
    out = tmp_path / "site"
    warm(sources, out, capsys)
    assert warm(sources, out, capsys, "--base-url", BASE_URL) == \
        cold(sources, tmp_path / "with-address", capsys, "--base-url", BASE_URL)
    assert warm(sources, out, capsys, "--today", "2021-01-10") == \
        cold(sources, tmp_path / "earlier", capsys, "--today", "2021-01-10")


def test_added_and_removed_pages(sources, tmp_path, capsys):
    out = tmp_path / "site"
    warm(sources, out, capsys)
    (sources / "content" / "nuova.md").write_text("---\ntitolo: Nuova\ndescrizione: Una pagina nuova.\n---\n"
                                                  "Vedi [il progetto](progetto.md).\n", encoding="utf-8")
    assert "nuova/index.html" in warm(sources, out, capsys)
    (sources / "content" / "nuova.md").unlink()
    (sources / "content" / "scuola-e-lavoro.md").unlink()
    rebuilt = warm(sources, out, capsys)
    assert "nuova/index.html" not in rebuilt and "scuola-e-lavoro/index.html" not in rebuilt
    assert not (out / "nuova").exists()
    assert rebuilt == cold(sources, tmp_path / "reference", capsys)


def test_only_changed_files_are_written(sources, tmp_path, capsys):
    out = tmp_path / "site"
    before = warm(sources, out, capsys)
    stamps = {name: os.stat(out / name).st_mtime_ns for name in before}
    inodes = {name: os.stat(out / name).st_ino for name in before}
    edit(sources / "content" / "progetto.md", "ACTIVITY.CR", "ACTIVITY.CR (progetto)")
    after = warm(sources, out, capsys)
    rewritten = {name for name in after if name != MARKER and (os.stat(out / name).st_mtime_ns != stamps[name]
                                                                or os.stat(out / name).st_ino != inodes[name])}
    assert rewritten == {name for name in after if name != MARKER and after[name] != before[name]}
    assert rewritten == {"progetto/index.html"}


def test_problems_of_unchanged_pages_are_reported_again(sources, tmp_path, capsys):
    """A warning read from the cache is still shown: the cache must not hide a mistake."""
    edit(sources / "content" / "partner.md", "titolo:", "colore: blu\ntitolo:")
    out = tmp_path / "site"
    for _ in range(2):
        status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
        assert status == 0
        assert 'content/partner.md:2:1: avviso: campo sconosciuto "colore" (l\'intestazione): viene ignorato' in err


def test_a_broken_anchor_is_found_when_only_the_linked_page_changed(sources, tmp_path, capsys):
    """Page A (unchanged, from the cache) links to a heading of page B; B renames the heading."""
    (sources / "content" / "a.md").write_text("---\ntitolo: A\ndescrizione: A.\n---\n"
                                              "Vedi [come si fa](b.md#come-si-fa).\n", encoding="utf-8")
    page_b = sources / "content" / "b.md"
    page_b.write_text("---\ntitolo: B\ndescrizione: B.\n---\n## Come si fa\n\nCosì.\n", encoding="utf-8")
    out = tmp_path / "site"
    warm(sources, out, capsys)
    before = files_of(out)
    edit(page_b, "## Come si fa", "## Che cosa fare")
    status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
    assert status == 1
    assert "content/a.md:5: errore: nella pagina collegata non c'è il punto \"#come-si-fa\"" in err
    assert files_of(out) == before   # a failed rebuild changes nothing


def test_a_damaged_cache_means_a_full_build(sources, tmp_path, capsys):
    out = tmp_path / "site"
    warm(sources, out, capsys)
    cache = tmp_path / ".site.cache.sqlite"
    assert cache.is_file()
    cache.write_bytes(b"not a database")
    edit(sources / "content" / "progetto.md", "ACTIVITY.CR", "ACTIVITY.CR (progetto)")
    assert warm(sources, out, capsys) == cold(sources, tmp_path / "reference", capsys)


def test_a_file_deleted_from_the_site_comes_back(sources, tmp_path, capsys):
    out = tmp_path / "site"
    built = warm(sources, out, capsys)
    (out / "privacy" / "index.html").unlink()
    assert warm(sources, out, capsys) == built


def test_a_build_without_the_cache_does_not_fool_the_next_one(sources, tmp_path, capsys):
    """The folder's marker names the build that wrote it: a --no-cache build in between makes the
    cache's record of the folder stale, and the next build must notice."""
    out = tmp_path / "site"
    warm(sources, out, capsys)
    page = sources / "content" / "privacy.md"
    original = page.read_text(encoding="utf-8")
    edit(page, "cookie", "biscotti")
    status, _, _ = run(["build", "--out", str(out), "--no-cache"] + source_args(sources), capsys)
    assert status == 0
    page.write_text(original, encoding="utf-8")
    assert warm(sources, out, capsys) == cold(sources, tmp_path / "reference", capsys)


def test_a_file_where_a_folder_was_and_back(sources, tmp_path, capsys):
    """content/zeta (a file) is published as zeta; then content/zeta.md makes zeta/index.html."""
    out = tmp_path / "site"
    (sources / "content" / "zeta").write_bytes(b"un file senza estensione\n")
    warm(sources, out, capsys)
    (sources / "content" / "zeta").unlink()
    (sources / "content" / "zeta.md").write_text("---\ntitolo: Zeta\ndescrizione: Zeta.\n---\nTesto.\n",
                                                 encoding="utf-8")
    assert warm(sources, out, capsys) == cold(sources, tmp_path / "reference", capsys)
    (sources / "content" / "zeta.md").unlink()
    (sources / "content" / "zeta").write_bytes(b"di nuovo un file\n")
    assert warm(sources, out, capsys) == cold(sources, tmp_path / "reference-2", capsys)


def test_a_template_changed_with_its_old_time_is_seen(project_copy, tmp_path, capsys):
    """Jinja reloads a template when its time changes; a copy that keeps times must not fool the
    preview, whose Jinja environment lives from one save to the next."""
    from sitegen.errors import Report
    from sitegen.incremental import Incremental
    from sitegen.pipeline import build as build_site

    options = build.options_from(build.parse_args(["build", "--out", str(tmp_path / "preview")]
                                                  + source_args(project_copy)))
    memo = Incremental.in_memory()
    build_site(options, Report(), memo=memo)
    template = project_copy / "templates" / "base.html"
    times = os.stat(template)
    edit(template, "Vai al contenuto", "Salta al contenuto")
    os.utime(template, ns=(times.st_atime_ns, times.st_mtime_ns))
    build_site(options, Report(), memo=memo)
    assert files_of(tmp_path / "preview") == cold(project_copy, tmp_path / "reference", capsys)


def test_a_failure_in_parallel_names_the_same_page_as_one_process(project_copy, tmp_path, capsys, forked):
    edit(project_copy / "templates" / "pagina.html", "{{ page.title }}", "{{ page.title.nope() }}")
    messages = set()
    for jobs in ("1", "2", "2", "2"):
        status, _, err = run(["build", "--out", str(tmp_path / "s"), "--jobs", jobs] + source_args(project_copy),
                             capsys)
        assert status == 1 and "Traceback" not in err
        messages.add(err)
    assert len(messages) == 1, "\n---\n".join(messages)


def test_the_preview_cache_gives_the_same_site(sources, tmp_path, capsys):
    """serve keeps its cache in memory between saves."""
    from sitegen.errors import Report
    from sitegen.incremental import Incremental
    from sitegen.pipeline import build as build_site

    options = build.options_from(build.parse_args(["build", "--out", str(tmp_path / "preview")]
                                                  + source_args(sources)))
    memo = Incremental.in_memory()
    build_site(options, Report(), memo=memo)
    edit(sources / "content" / "progetto.md", "ACTIVITY.CR", "ACTIVITY.CR (progetto)")
    build_site(options, Report(), memo=memo)
    assert files_of(tmp_path / "preview") == cold(sources, tmp_path / "reference", capsys)


def test_a_deleted_site_folder_is_built_whole_again(sources, tmp_path, capsys):
    """The cache remembers the last build, but the folder it describes is gone."""
    import shutil

    out = tmp_path / "site"
    built = warm(sources, out, capsys)
    shutil.rmtree(out)
    assert warm(sources, out, capsys) == built


def test_unchanged_contacts_are_not_read_again_and_their_warnings_still_show(sources, tmp_path, capsys,
                                                                             monkeypatch):
    """A big contacts file takes a second to parse: a rebuild reuses it while its stamp holds."""
    from sitegen import incremental

    edit(sources / "data" / "contacts.yaml", "    ente: energheia\n", "    ente: energheia\n    colore: blu\n")
    reads = []
    real = incremental.load_contacts
    monkeypatch.setattr(incremental, "load_contacts", lambda *args: reads.append(args[0]) or real(*args))
    out = tmp_path / "site"
    warning = 'data/contacts.yaml:41:5: avviso: campo sconosciuto "colore"'
    for _ in range(2):
        status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
        assert status == 0 and warning in err
    assert len(reads) == 1
    edit(sources / "data" / "contacts.yaml", '"0375 40200"', '"0375 40201"')
    built = warm(sources, out, capsys)
    assert len(reads) == 2
    assert built == cold(sources, tmp_path / "reference", capsys)


class RunsCode:
    """What a hostile cache entry could hold: unpickling it would call os.mkdir."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return os.mkdir, (str(self.path),)


@pytest.mark.parametrize("entry", ["code", "wrong type"])
def test_a_cache_entry_that_is_not_contacts_is_never_run_nor_trusted(sources, tmp_path, capsys, entry):
    import pickle
    import sqlite3

    out = tmp_path / "site"
    built = warm(sources, out, capsys)
    marker = tmp_path / "eseguito"
    payload = ((1,), "data/contacts.yaml", RunsCode(marker), ()) if entry == "code" else 42
    with sqlite3.connect(tmp_path / ".site.cache.sqlite") as db:
        db.execute("UPDATE state SET value = ? WHERE name = 'contacts'", (pickle.dumps(payload),))
        assert db.total_changes == 1
    (sources / "content" / "progetto.md").touch()   # a rebuild that reads the cache
    assert warm(sources, out, capsys) == built
    assert not marker.exists()


def test_a_site_folder_made_by_someone_else_during_a_first_build_is_a_clear_error(tmp_path):
    """The first build renames its staging folder into place; a folder that appeared meanwhile
    (another build, a copy) is neither overwritten nor a crash."""
    from sitegen.errors import BuildFailed
    from sitegen.output import SiteWriter

    out = tmp_path / "site"
    writer = SiteWriter(out, None)
    writer.start()
    writer.stage("index.html", b"nuovo")
    out.mkdir()
    (out / "altro.html").write_text("di qualcun altro", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        writer.commit({"index.html": "x"}, {"index.html"})
    message = str(failed.value.report.problems[0])
    assert "non riesco ad aggiornare la cartella del sito" in message
    assert (out / "altro.html").read_text(encoding="utf-8") == "di qualcun altro"
    assert not (out / "index.html").exists()


# Data edits made one after another on the same site folder: after each, the rebuild (which
# renders only the outputs that read something that changed) must equal a cold build.
DATA_EDITS = [
    ("a desk's phone", 'telefono: "0375 40200"', 'telefono: "0375 40201"'),
    ("a desk's e-mail", "cremona@mestierilombardia.it", "cremona2@mestierilombardia.it"),
    ("an operator's name", "nome: Energheia Impresa Sociale", "nome: Energheia Impresa Sociale Onlus"),
    ("a frazione", "      - Agoiolo\n", "      - Agoiolo\n      - Nuova Frazione\n"),
    ("a comune moving desk", "    cap: \"26030\"\n    sportello: mestieri-cremona",
     "    cap: \"26030\"\n    sportello: energheia-casalmaggiore"),
    ("a shared CAP's comuni", "Cicognolo, ", ""),
    ("a CAP no longer shared", '  "26040":\n    fuori_consorzio: [Bonemerse, Cella Dati, Derovere, "Gerre de\' Caprioli", "Pieve d\'Olmi"]\n'
     "    fonti: [GARDA, CJ2020]\n", ""),
    ("the in-person start", "dal: 2021-01-11", "dal: 2021-01-12"),
    ("the consortium's name", "nome: Consorzio Casalasco Servizi Sociali", "nome: Consorzio Casalasco"),
    ("a comune's name", "  - nome: Spineda\n", "  - nome: Spineda Cremonese\n"),
]


def test_data_edits_one_after_another_rebuild_what_is_made_from_them(sources, tmp_path, capsys, forked):
    out = tmp_path / "site"
    warm(sources, out, capsys)
    for number, (what, old, new) in enumerate(DATA_EDITS):
        edit(sources / "data" / "contacts.yaml", old, new)
        assert warm(sources, out, capsys) == cold(sources, tmp_path / f"reference-{number}", capsys), what


def planned_keys(root: Path, out: Path) -> dict[str, str]:
    """Each output's key, as a build of `root` would compute it (stages 1-3, nothing written)."""
    from sitegen import pipeline
    from sitegen.errors import Report
    from sitegen.incremental import Incremental, output_keys, site_key

    options = build.options_from(build.parse_args(["build", "--out", str(out)] + source_args(root)))
    report, memo = Report(), Incremental()
    loaded = pipeline.load(options, report, memo)
    site, outputs = pipeline.plan(options, loaded, pipeline.read(options, report, memo), report)
    assert not report.errors
    return output_keys(outputs, site_key(site, pipeline.templates_fingerprint(options)))


def keys_changed_by(root: Path, out: Path, relative: str, old: str, new: str) -> set[str]:
    before = planned_keys(root, out)
    edit(root / relative, old, new)
    after = planned_keys(root, out)
    assert before.keys() == after.keys()
    return {dest for dest in after if after[dest] != before[dest]}


EVERY_COMUNE_LISTED = {"index.html", "sportelli/index.html"}   # the home page's grid and the finder
CONTACTS = "data/contacts.yaml"


@pytest.mark.parametrize("relative,old,new,expected", [
    (CONTACTS, '"0375 40200".', '"0375 40200" (esempio).', set()),   # a comment
    (CONTACTS, 'telefono: "0375 40200"', 'telefono: "0375 40201"',   # Casalmaggiore's desk
     {"sportelli/casalmaggiore/index.html"} | EVERY_COMUNE_LISTED),
    (CONTACTS, "      - Agoiolo\n", "      - Agoiolo\n      - Nuova Frazione\n",   # a frazione of Casalmaggiore
     {"sportelli/casalmaggiore/index.html"} | EVERY_COMUNE_LISTED),
    ("content/progetto.md", "ACTIVITY.CR", "ACTIVITY.CR (progetto)", {"progetto/index.html"}),
    ("content/avvisi/sportelli-in-presenza.md", "data: 2021-01-11", "data: 2021-01-12",
     {"avvisi/sportelli-in-presenza/index.html", "avvisi/index.html"}),
], ids=["a comment in the data", "a desk's phone", "a frazione", "a page's text", "a notice's date"])
def test_an_edit_changes_the_keys_of_exactly_the_outputs_made_from_it(sources, tmp_path, relative, old, new, expected):
    assert keys_changed_by(sources, tmp_path / "site", relative, old, new) == expected


def test_the_desks_operator_changes_every_page_of_that_desk(sources, tmp_path):
    changed = keys_changed_by(sources, tmp_path / "site", CONTACTS, "nome: Mestieri Lombardia", "nome: Mestieri")
    assert "sportelli/casalmaggiore/index.html" not in changed
    assert {"sportelli/gussola/index.html", "sportelli/spineda/index.html"} <= changed
    assert len(changed - EVERY_COMUNE_LISTED) == 16   # the other 16 comuni, served by Mestieri Lombardia


def test_what_every_page_shows_changes_every_key(sources, tmp_path):
    """The menu (a page's title) and the consortium (the footer) are shared parts."""
    every = set(planned_keys(sources, tmp_path / "site"))
    assert keys_changed_by(sources, tmp_path / "site", "content/progetto.md", "titolo: ", "titolo: Nuovo ") == every
    assert keys_changed_by(sources, tmp_path / "site", CONTACTS, "nome: Consorzio Casalasco Servizi Sociali",
                           "nome: Consorzio Casalasco") == every


def test_a_template_cannot_read_what_its_output_is_not_made_from(project_copy, tmp_path, capsys):
    """A plain page is made from its text and the shared parts: a template that reaches for the
    contacts there gets a clear error, not a page that a later data edit would leave stale."""
    edit(project_copy / "templates" / "pagina.html", "{% block main %}", "{% block main %}<p>{{ comuni|length }}</p>")
    status, _, err = run(["build", "--out", str(tmp_path / "site")] + source_args(project_copy), capsys)
    assert status == 1 and "Traceback" not in err
    assert "templates/pagina.html:" in err
    assert "il modello usa un valore che non esiste ('comuni' is undefined)" in err
