"""`build.py publish`: to a local folder and over SSH (rsync to a real sshd on 127.0.0.1), with the
site switched live in one step, the version before kept for --rollback, and every refusal."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import time
from pathlib import Path

import pytest

from servers import HOST_ALIAS, start_sshd
from support import (BASE_URL, NEW_PAGE, build_site, copy_sources, files_of, publish, publishable, refusal, run,
                     source_args, start_publish)


@pytest.fixture
def editable(tmp_path) -> Path:
    return copy_sources(tmp_path)


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    yield from start_sshd(tmp_path_factory.mktemp("sshd"))


@pytest.fixture(params=["local", "ssh"])
def target(request, tmp_path, monkeypatch):
    """(the --to argument, the folder it names on this machine) for a local folder and for sshd."""
    www = tmp_path / "www"
    www.mkdir()
    (www / "altro-sito").mkdir()
    (www / "altro-sito" / "index.html").write_text("un altro sito, da non toccare")
    if request.param == "local":
        return str(www / "activity-cr"), www / "activity-cr"
    server = request.getfixturevalue("sshd")
    monkeypatch.setenv("SITE_PUBLISH_SSH", server.ssh_command())
    return f"sftp://{HOST_ALIAS}{www / 'activity-cr'}", www / "activity-cr"


def test_publish_edit_removal_and_rollback(target, editable, tmp_path, capsys):
    to, dest = target
    out = tmp_path / "build" / "site"
    beside = files_of(dest.parent / "altro-sito")

    first = files_of(publishable(editable, out, capsys))
    status, said, err = publish(["--out", str(out), "--to", to], capsys)
    assert status == 0, err
    assert dest.is_symlink() and files_of(dest) == first
    assert f"File inviati: {len(first) - 1} ({len(first) - 1} nuovi, 0 modificati)" in said   # all but the marker

    (editable / "content" / "orari.md").write_text(NEW_PAGE, encoding="utf-8")
    privacy = editable / "content" / "privacy.md"
    privacy.write_text(privacy.read_text(encoding="utf-8").replace("dati", "dati personali", 1), encoding="utf-8")
    second = files_of(publishable(editable, out, capsys))
    status, said, err = publish(["--out", str(out), "--to", to], capsys)
    assert status == 0, err
    assert files_of(dest) == second
    assert "  + orari/index.html" in said and "  * privacy/index.html" in said
    unchanged = dest / "sportelli" / "gussola" / "index.html"
    assert unchanged.stat().st_nlink == 2   # a hard link to the version before, not a second copy

    (editable / "content" / "orari.md").unlink()
    third = files_of(publishable(editable, out, capsys))
    status, said, err = publish(["--out", str(out), "--to", to], capsys)
    assert status == 0, err
    assert files_of(dest) == third and "orari/index.html" not in third
    assert "File cancellati: 1\n  - orari/index.html" in said
    versions = dest.parent / ".activity-cr.versioni"
    assert len([v for v in versions.iterdir() if not v.is_symlink()]) == 2   # live and previous only

    status, said, err = publish(["--to", to, "--rollback"], capsys)
    assert status == 0, err
    assert files_of(dest) == second and "Ripristinata la versione" in said
    status, _, err = publish(["--to", to, "--rollback"], capsys)   # and back again
    assert status == 0, err
    assert files_of(dest) == third
    assert files_of(dest.parent / "altro-sito") == beside
    assert sorted(p.name for p in dest.parent.iterdir()) == [".activity-cr.versioni", "activity-cr", "altro-sito"]


def test_dry_run_says_what_it_would_do_and_does_nothing(editable, tmp_path, capsys):
    out = tmp_path / "build" / "site"
    dest = tmp_path / "www" / "activity-cr"
    publishable(editable, out, capsys)
    assert publish(["--out", str(out), "--to", str(dest)], capsys)[0] == 0
    before = files_of(dest)
    (editable / "content" / "orari.md").write_text(NEW_PAGE, encoding="utf-8")
    publishable(editable, out, capsys)
    status, said, err = publish(["--out", str(out), "--to", str(dest), "--dry-run"], capsys)
    assert status == 0, err
    assert "File da inviare: 2 (1 nuovo, 1 modificato)\n  + orari/index.html\n  * sitemap.xml\n" in said
    assert "Prova (--dry-run): non ho inviato né cancellato niente." in said
    assert files_of(dest) == before
    assert len(list((tmp_path / "www" / ".activity-cr.versioni").iterdir())) == 1


def test_an_unchanged_site_is_not_sent_again(editable, tmp_path, capsys):
    out = tmp_path / "build" / "site"
    dest = tmp_path / "www" / "activity-cr"
    publishable(editable, out, capsys)
    assert publish(["--out", str(out), "--to", str(dest)], capsys)[0] == 0
    shutil.rmtree(out)
    publishable(editable, out, capsys)   # built again from nothing: new files, same bytes
    status, said, _ = publish(["--out", str(out), "--to", str(dest)], capsys)
    assert status == 0
    assert said.startswith("Niente da inviare:")


def test_a_plain_folder_published_by_hand_becomes_the_previous_version(editable, tmp_path, capsys):
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    dest = tmp_path / "www" / "activity-cr"
    shutil.copytree(out, dest)   # as the old workflow's artifact, copied by FTP
    (dest / "index.html").write_text("vecchio")
    status, said, err = publish(["--out", str(out), "--to", str(dest)], capsys)
    assert status == 0, err
    assert "File inviati: 1 (0 nuovi, 1 modificato)\n  * index.html" in said
    assert files_of(dest) == files_of(out)
    assert publish(["--to", str(dest), "--rollback"], capsys)[0] == 0
    assert (dest / "index.html").read_text() == "vecchio"


# -- refusals --------------------------------------------------------------------------------------

def test_refuses_a_build_without_strict(editable, tmp_path, capsys):
    out = build_site(editable, tmp_path / "build" / "site", capsys, "--base-url", BASE_URL)
    dest = tmp_path / "www" / "activity-cr"
    assert refusal(["--out", str(out), "--to", str(dest)], capsys) == (
        f"{out}: errore: il sito in questa cartella non viene da un build riuscito con --strict e --base-url: "
        "rifallo con python build.py build --strict --base-url https://... e poi pubblica")
    assert not dest.parent.exists()


def test_refuses_a_build_without_base_url_even_after_a_strict_one(editable, tmp_path, capsys):
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    build_site(editable, out, capsys, "--strict")
    assert "non viene da un build riuscito con --strict e --base-url" in refusal(
        ["--out", str(out), "--to", str(tmp_path / "www")], capsys)


def test_refuses_a_folder_not_built_by_the_generator(tmp_path, capsys):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("fatto a mano")
    assert refusal(["--out", str(tmp_path / "site"), "--to", str(tmp_path / "www")], capsys) == (
        f"{tmp_path / 'site'}: errore: questa cartella non è un sito creato da build.py: crealo prima con "
        "python build.py build --strict --base-url https://...")


def test_refuses_a_folder_changed_after_the_build(editable, tmp_path, capsys):
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    (out / "index.html").write_bytes((out / "index.html").read_bytes() + b"<!-- a mano -->")
    changed = "qualcuno ha cambiato o tolto file del sito nella cartella dopo il build"
    assert changed in refusal(["--out", str(out), "--to", str(tmp_path / "www")], capsys)
    out = publishable(editable, tmp_path / "build2" / "site", capsys)
    (out / "progetto" / "index.html").unlink()
    assert changed in refusal(["--out", str(out), "--to", str(tmp_path / "www")], capsys)


def test_a_file_put_in_the_site_by_hand_is_kept_by_builds_and_published_by_name(editable, tmp_path, capsys):
    """The build keeps a .htaccess put in site/ (it is not its file to delete); publishing sends
    it as it is and says so, instead of refusing the folder until someone deletes it."""
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    (out / ".htaccess").write_text("Header set X-Content-Type-Options nosniff\n")
    publishable(editable, out, capsys)   # a rebuild keeps it
    dest = tmp_path / "www" / "activity-cr"
    status, said, err = publish(["--out", str(out), "--to", str(dest)], capsys)
    assert status == 0, err
    assert "File messi a mano nella cartella del sito, inviati così come sono: .htaccess" in said
    assert (dest / ".htaccess").read_text() == "Header set X-Content-Type-Options nosniff\n"


def test_refuses_a_plain_folder_of_ours_that_holds_a_file_put_there_by_hand(editable, tmp_path, capsys):
    """A folder once copied from site/ (it has the marker) and then given a .htaccess on the
    server: switching would take the .htaccess off the live site, so the folder is not touched."""
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    dest = tmp_path / "www" / "activity-cr"
    shutil.copytree(out, dest)
    (dest / ".htaccess").write_text("Options -Indexes\n")
    before = files_of(dest)
    assert "la destinazione esiste e contiene file che non sono stati pubblicati da build.py" in refusal(
        ["--out", str(out), "--to", str(dest)], capsys)
    assert files_of(dest) == before and not dest.is_symlink()


def test_a_publish_waits_for_a_build_writing_the_same_folder(editable, tmp_path, capsys):
    from sitegen.output import build_lock
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    dest = tmp_path / "www" / "activity-cr"
    with build_lock(out):   # a build (or another publish) is at work on this folder
        line = refusal(["--out", str(out), "--to", str(dest)], capsys)
    assert line.startswith(f"{out}: errore: un'altra creazione del sito sta scrivendo in questa cartella")
    assert not dest.exists()


def test_refuses_another_address(editable, tmp_path, capsys):
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    line = refusal(["--out", str(out), "--to", str(tmp_path / "www"), "--expect-url", "https://altro.example/"],
                   capsys)
    assert line == (f"{out}: errore: il sito è stato creato per l'indirizzo {BASE_URL}, non per "
                    "https://altro.example/: rifai il build con il --base-url giusto")
    status, _, err = publish(["--out", str(out), "--to", str(tmp_path / "www" / "x"), "--expect-url",
                              BASE_URL.rstrip("/")], capsys)
    assert status == 0, err


def test_refuses_a_destination_holding_other_files(editable, tmp_path, capsys):
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    dest = tmp_path / "www" / "activity-cr"
    dest.mkdir(parents=True)
    (dest / "index.php").write_text("<?php // another site")
    assert "la destinazione esiste e contiene file che non sono stati pubblicati da build.py" in refusal(
        ["--out", str(out), "--to", str(dest)], capsys)
    assert [p.name for p in dest.iterdir()] == ["index.php"]


def test_refuses_plain_ftp_without_insecure_and_passwords_in_the_address(tmp_path, capsys):
    assert "ftp:// manda la password e i file in chiaro" in refusal(
        ["--out", str(tmp_path), "--to", "ftp://utente@127.0.0.1/sito"], capsys)
    assert "non scrivere la password nell'indirizzo: mettila nella variabile d'ambiente SITE_PUBLISH_PASSWORD" in \
        refusal(["--out", str(tmp_path), "--to", "ftps://utente:segreta@127.0.0.1/sito"], capsys)
    assert "dopo il nome del server serve il percorso completo" in refusal(
        ["--out", str(tmp_path), "--to", "sftp://server"], capsys)


def test_refuses_the_built_folder_itself_as_destination(editable, tmp_path, capsys):
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    for dest in (out, out / "dentro", tmp_path / "build"):
        assert refusal(["--out", str(out), "--to", str(dest)], capsys) == (
            f"{dest}: errore: la destinazione non può essere la cartella del sito creato (--out), né stare "
            "dentro o sopra di essa: scegli la cartella del server web")
    assert not out.is_symlink() and (out / "index.html").is_file()


def test_rollback_dry_run_says_which_version_and_changes_nothing(editable, tmp_path, capsys):
    out = tmp_path / "build" / "site"
    dest = tmp_path / "www" / "activity-cr"
    publishable(editable, out, capsys)
    assert publish(["--out", str(out), "--to", str(dest)], capsys)[0] == 0
    first = dest.resolve().name
    (editable / "content" / "orari.md").write_text(NEW_PAGE, encoding="utf-8")
    publishable(editable, out, capsys)
    assert publish(["--out", str(out), "--to", str(dest)], capsys)[0] == 0
    second = dest.resolve().name
    status, said, err = publish(["--to", str(dest), "--rollback", "--dry-run"], capsys)
    assert status == 0, err
    assert said == f"Prova (--dry-run): rimetterei online la versione {first[:12]} al posto di {second[:12]}.\n"
    assert dest.resolve().name == second


def test_rollback_without_a_previous_version(editable, tmp_path, capsys):
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    dest = tmp_path / "www" / "activity-cr"
    assert publish(["--out", str(out), "--to", str(dest)], capsys)[0] == 0
    assert refusal(["--to", str(dest), "--rollback"], capsys) == (
        f"{dest}: errore: non c'è una versione precedente da rimettere online")


def test_refuses_a_server_whose_host_key_is_unknown(sshd, editable, tmp_path, capsys, monkeypatch):
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    monkeypatch.setenv("SITE_PUBLISH_SSH", f"ssh -F {sshd.empty_known_hosts}")
    dest = tmp_path / "www" / "activity-cr"
    assert "il server non è tra quelli conosciuti (known_hosts)" in refusal(
        ["--out", str(out), "--to", f"sftp://{HOST_ALIAS}{dest}"], capsys)
    assert not dest.parent.exists()


# -- a publish killed part-way -------------------------------------------------------------------

def mark_leftover(incoming: Path) -> None:
    """Tag what a killed publish left, to tell it from the folder the next one makes."""
    if incoming.is_dir():
        (incoming / "lasciato.txt").write_text("left by a killed publish")


def caught(condition, process) -> bool:
    """Wait until `condition` holds while the publish runs: True; False if it ended first."""
    deadline = time.monotonic() + 30
    while not condition():
        if process.poll() is not None:
            return False
        assert time.monotonic() < deadline, "the publish never got there"
        time.sleep(0.002)
    return True


def sending_again(incoming: Path) -> bool:
    """This publish's folder of files on their way (not one a killed publish left) has pages in it."""
    try:
        return not (incoming / "lasciato.txt").exists() and any(incoming.rglob("*.html"))
    except FileNotFoundError:
        return False


def test_a_killed_publish_leaves_a_whole_site_and_the_next_one_recovers(sshd, editable, tmp_path, capsys):
    old_out = publishable(editable, tmp_path / "vecchio" / "site", capsys)
    (editable / "content" / "orari.md").write_text(NEW_PAGE, encoding="utf-8")
    shutil.rmtree(editable / "content" / "avvisi")   # many files change: the notices go, every menu changes
    status, _, err = run(["build", "--out", str(tmp_path / "nuovo" / "site"), *source_args(editable), "--strict",
                          "--base-url", BASE_URL], capsys)
    assert status == 0, err
    new_out = tmp_path / "nuovo" / "site"
    old, new = files_of(old_out), files_of(new_out)
    assert old != new
    dest = tmp_path / "www" / "activity-cr"
    to = f"sftp://{HOST_ALIAS}{dest}"
    env = {**os.environ, "SITE_PUBLISH_SSH": sshd.ssh_command()}

    assert start_publish(old_out, to, env).wait() == 0
    started = time.monotonic()
    assert start_publish(new_out, to, env).wait() == 0   # how long a publish of a change takes
    whole_run = time.monotonic() - started
    chance = random.Random(13)   # fixed delays: a failure is seen again on the next run
    incoming = dest.parent / ".activity-cr.versioni" / ".in-arrivo"
    moments = [
        *(lambda process: time.sleep(chance.uniform(0, 1.5 * whole_run)) or True for _ in range(10)),
        lambda process: caught(lambda: sending_again(incoming), process),   # files on their way
        lambda process: caught(lambda: files_of(dest) != before, process),   # just after the switch, before the cleaning
    ]
    live, outcomes = new, []
    for attempt, moment in enumerate(moments):
        for _ in range(20):   # a publish may end before a moment is seen: then it switched; try again
            out, other = (new_out, new) if live == old else (old_out, old)
            before = live
            mark_leftover(incoming)
            process = start_publish(out, to, env)
            seen = moment(process)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            now = files_of(dest)
            assert now in (live, other), f"attempt {attempt}: a half site is online"
            if seen:
                break
            live = now
        else:
            pytest.fail(f"attempt {attempt}: the publish always ended before the moment to stop it")
        outcomes.append("switched" if now == other else "kept")
        live = now
    assert outcomes[-2:] == ["kept", "switched"], outcomes
    assert start_publish(new_out, to, env).wait() == 0
    assert files_of(dest) == new
    versions = dest.parent / ".activity-cr.versioni"
    kept = {p.name for p in versions.iterdir()}   # the live one, the one before and the link to it: no leftovers
    assert kept == {dest.resolve().name, (versions / "precedente").resolve().name, "precedente"}
