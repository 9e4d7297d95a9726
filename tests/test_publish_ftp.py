"""`build.py publish` to FTP hosts, through lftp against pyftpdlib on 127.0.0.1: over TLS with the
certificate checked, assets before pages and deletions last, only what changed sent."""

from __future__ import annotations

import os
import random
import shutil
import signal
import time
from pathlib import PurePosixPath

import pytest

from servers import start_ftpd
from support import NEW_PAGE, copy_sources, files_of, publish, publishable, refusal, run, start_publish

MANIFEST = ".activitycr-manifest"


@pytest.fixture
def editable(tmp_path):
    return copy_sources(tmp_path)


@pytest.fixture
def ftps(tmp_path_factory, monkeypatch):
    for server in start_ftpd(tmp_path_factory.mktemp("ftps")):
        monkeypatch.setenv("SITE_PUBLISH_PASSWORD", server.password)
        monkeypatch.setenv("LFTP_HOME", str(server.lftp_home))
        yield server


def published(server, name: str = "sito") -> dict[str, bytes]:
    files = files_of(server.root / name)
    files.pop(MANIFEST)
    return files


def test_publish_edit_and_removal_over_ftps(ftps, editable, tmp_path, capsys):
    out = tmp_path / "build" / "site"
    (ftps.root / "altro-sito").mkdir()
    (ftps.root / "altro-sito" / "index.html").write_text("un altro sito, da non toccare")
    to = ftps.url("sito")

    first = files_of(publishable(editable, out, capsys))
    status, said, err = publish(["--out", str(out), "--to", to], capsys)
    assert status == 0, err
    assert published(ftps) == first
    assert "Pubblicato su" in said and "via FTP" in said

    ftps.received.clear()
    (editable / "content" / "orari.md").write_text(NEW_PAGE, encoding="utf-8")
    style = editable / "data" / "contacts.yaml"   # a phone edit: a vCard (asset) and desk pages change
    style.write_text(style.read_text(encoding="utf-8").replace('telefono: "0375 40200"', 'telefono: "0375 40201"', 1),
                     encoding="utf-8")
    second = files_of(publishable(editable, out, capsys))
    status, said, err = publish(["--out", str(out), "--to", to], capsys)
    assert status == 0, err
    assert published(ftps) == second
    stored = [PurePosixPath(path.removeprefix("sito/")) for path in ftps.received]
    assert all(p.name.startswith(".in.") for p in stored)   # under a temporary name, renamed when whole
    sent = [str(p.with_name(p.name.removeprefix(".in."))) for p in stored]
    changed = {p for p in second if second[p] != first.get(p)}
    assert set(sent) == changed | {MANIFEST}   # only what changed, then the list of files
    assets = [i for i, p in enumerate(sent) if p.endswith(".vcf")]
    pages = [i for i, p in enumerate(sent) if p.endswith(".html")]
    assert assets and pages and max(assets) < min(pages)   # assets first, pages next
    assert sent[-2:] == [".activitycr-site", MANIFEST]

    (editable / "content" / "orari.md").unlink()
    third = files_of(publishable(editable, out, capsys))
    status, said, err = publish(["--out", str(out), "--to", to], capsys)
    assert status == 0, err
    assert published(ftps) == third
    assert not (ftps.root / "sito" / "orari").exists()   # the emptied folder goes too
    assert "File cancellati: 1\n  - orari/index.html" in said
    assert (ftps.root / "altro-sito" / "index.html").read_text() == "un altro sito, da non toccare"

    ftps.received.clear()
    status, said, _ = publish(["--out", str(out), "--to", to], capsys)
    assert status == 0 and said.startswith("Niente da inviare:") and ftps.received == []


def test_dry_run_over_ftps_sends_nothing(ftps, editable, tmp_path, capsys):
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    status, said, err = publish(["--out", str(out), "--to", ftps.url("sito"), "--dry-run"], capsys)
    assert status == 0, err
    assert "Prova (--dry-run): non ho inviato né cancellato niente." in said
    assert "  + index.html" in said
    assert ftps.received == []


def test_a_certificate_that_cannot_be_checked_is_refused(ftps, editable, tmp_path, capsys, monkeypatch):
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    monkeypatch.setenv("LFTP_HOME", str(tmp_path / "nessuna-configurazione"))
    assert "il certificato TLS del server non è valido" in refusal(["--out", str(out), "--to", ftps.url("sito")],
                                                                  capsys)
    assert ftps.received == []


def test_a_wrong_password_is_refused(ftps, editable, tmp_path, capsys, monkeypatch):
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    monkeypatch.setenv("SITE_PUBLISH_PASSWORD", "sbagliata")
    status, _, err = publish(["--out", str(out), "--to", ftps.url("sito")], capsys)
    assert status == 1 and "il server FTP ha rifiutato l'accesso" in err
    assert "sbagliata" not in err


def test_a_folder_with_other_files_is_refused(ftps, editable, tmp_path, capsys):
    out = publishable(editable, tmp_path / "build" / "site", capsys)
    (ftps.root / "sito").mkdir()
    (ftps.root / "sito" / "index.php").write_text("<?php // another site")
    assert "contiene file che non sono stati pubblicati da build.py" in refusal(
        ["--out", str(out), "--to", ftps.url("sito")], capsys)
    assert [p.name for p in (ftps.root / "sito").iterdir()] == ["index.php"]


def test_plain_ftp_only_with_insecure(tmp_path_factory, editable, tmp_path, capsys, monkeypatch):
    for server in start_ftpd(tmp_path_factory.mktemp("ftp"), plain=True):
        monkeypatch.setenv("SITE_PUBLISH_PASSWORD", server.password)
        out = publishable(editable, tmp_path / "build" / "site", capsys)
        assert "--insecure" in refusal(["--out", str(out), "--to", server.url("sito")], capsys)
        status, _, err = run(["publish", "--out", str(out), "--to", server.url("sito"), "--insecure"], capsys)
        assert status == 0, err
        assert published(server) == files_of(out)


def test_a_killed_ftp_publish_never_leaves_a_missing_file_and_the_next_one_finishes(ftps, editable, tmp_path,
                                                                                   capsys):
    old_out = publishable(editable, tmp_path / "vecchio" / "site", capsys)
    (editable / "content" / "orari.md").write_text(NEW_PAGE, encoding="utf-8")
    shutil.rmtree(editable / "content" / "avvisi")   # many files change, some go
    new_out = publishable(editable, tmp_path / "nuovo" / "site", capsys)
    old, new = files_of(old_out), files_of(new_out)
    to = ftps.url("sito")
    env = {**os.environ}
    assert start_publish(old_out, to, env).wait() == 0
    started = time.monotonic()
    assert start_publish(new_out, to, env).wait() == 0
    whole_run = time.monotonic() - started
    chance = random.Random(13)
    for attempt in range(10):
        process = start_publish(old_out if attempt % 2 else new_out, to, env)
        time.sleep(chance.uniform(0, whole_run))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        online = {p: data for p, data in published(ftps).items() if not PurePosixPath(p).name.startswith(".in.")}
        assert set(old) & set(new) <= set(online) <= set(old) | set(new), f"attempt {attempt}"
        assert all(data in (old.get(p), new.get(p)) for p, data in online.items()), f"attempt {attempt}"
        if attempt % 3 == 2:   # the next publish finishes the job, even of the other version
            out, files = (new_out, new) if attempt % 2 else (old_out, old)
            assert start_publish(out, to, env).wait() == 0
            assert published(ftps) == files, f"attempt {attempt}"
    for out, files in ((old_out, old), (new_out, new)):
        assert start_publish(out, to, env).wait() == 0
        assert published(ftps) == files


def test_a_publish_killed_mid_transfer_does_not_hide_its_files_from_the_next(ftps, editable, tmp_path, capsys):
    """Killed after some files of the old version went up: the live version, published again,
    must replace them, although the list on the server was never updated."""
    old_out = publishable(editable, tmp_path / "vecchio" / "site", capsys)
    shutil.rmtree(editable / "content" / "avvisi")
    new_out = publishable(editable, tmp_path / "nuovo" / "site", capsys)
    to = ftps.url("sito")
    env = {**os.environ}
    assert start_publish(new_out, to, env).wait() == 0
    ftps.received.clear()
    process = start_publish(old_out, to, env)
    deadline = time.monotonic() + 30
    while len(ftps.received) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    names = [PurePosixPath(p).name.removeprefix(".in.") for p in ftps.received]
    assert len(names) >= 3 and names[-1] != MANIFEST, names   # stopped before the list of what is online
    assert start_publish(new_out, to, env).wait() == 0
    assert published(ftps) == files_of(new_out)


def test_half_sent_copies_that_a_stopped_publish_left_are_removed(ftps, editable, tmp_path, capsys):
    """The state a publish killed while sending avvisi/feed.xml leaves (its list marks the file
    unknown; the copy on its way has lftp's temporary name), then a version without the notices."""
    old_out = publishable(editable, tmp_path / "vecchio" / "site", capsys)
    shutil.rmtree(editable / "content" / "avvisi")
    new_out = publishable(editable, tmp_path / "nuovo" / "site", capsys)
    to = ftps.url("sito")
    assert start_publish(old_out, to, dict(os.environ)).wait() == 0
    online = ftps.root / "sito"
    (online / "avvisi" / ".in.feed.xml").write_bytes((old_out / "avvisi" / "feed.xml").read_bytes()[:100])
    listed = (online / MANIFEST).read_text(encoding="utf-8").splitlines()
    assert sum(line.endswith(" avvisi/feed.xml") for line in listed) == 1
    (online / MANIFEST).write_text("".join(("- avvisi/feed.xml" if line.endswith(" avvisi/feed.xml") else line) + "\n"
                                           for line in listed), encoding="utf-8")
    assert start_publish(new_out, to, dict(os.environ)).wait() == 0
    assert published(ftps) == files_of(new_out)
    assert not (online / "avvisi").exists()


def test_rollback_over_ftp_points_to_the_revert(ftps, capsys):
    status, _, err = publish(["--to", ftps.url("sito"), "--rollback"], capsys)
    assert status == 1
    assert err.splitlines()[0] == (
        f"{ftps.url('sito')}: errore: con FTP non si può tornare indietro in un solo passo: pubblica di nuovo "
        "la versione giusta (per esempio dopo un revert)")
    assert ftps.received == []
