"""Publishing to a host that offers only FTP (over TLS, or plain with --insecure), through lftp.

FTP cannot switch a whole folder in one step, so the order does the work: assets first (styles,
scripts, vCards: new pages may need them), pages next, deletions last, so that a link never
points at a missing file; each file is sent under a temporary name and renamed into place
(lftp's xfer:use-temp-file), so a visitor never reads half a file. A list of every published
file with its digest (".activitycr-manifest") is sent last: the next publish compares against
it and sends only what changed. Before anything else, the list is sent with the files about to
change marked unknown, so that a publish stopped part-way is completed by the next, whichever
version that one sends.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from .errors import fail
from .output import MARKER, parent_folders
from .publish import PASSWORD_ENV, BuiltSite, Changes, Destination, plural, tell_changes, tell_foreign

MANIFEST = ".activitycr-manifest"
UNKNOWN = "-"   # in the list: a file a stopped publish may have left half-changed
TEMP_PREFIX = ".in."   # a file on its way is named so until it is whole
PAGE_SUFFIXES = (".html", ".xml", ".txt")   # pages and what points at pages (sitemap, feed, robots)


def lftp_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def session_commands(destination: Destination) -> list[str]:
    """Settings and login: TLS required and its certificate checked, unless plain ftp:// was allowed."""
    commands = ["set cmd:fail-exit yes", "set net:max-retries 2", "set net:timeout 30",
                "set xfer:use-temp-file yes", f"set xfer:temp-file-name {TEMP_PREFIX}*", "set cmd:trace no"]
    if destination.kind == "ftps":   # explicit TLS (AUTH TLS), the form most hosts offer on port 21
        commands += ["set ftp:ssl-force yes", "set ftp:ssl-protect-data yes", "set ftp:ssl-protect-list yes",
                     "set ssl:verify-certificate yes"]
    else:
        commands += ["set ftp:ssl-allow no"]
    port = f" -p {destination.port}" if destination.port else ""
    user = f" -u {lftp_quote(destination.user)} --env-password" if destination.user else ""
    commands.append(f"open{user}{port} {lftp_quote('ftp://' + destination.host)}")
    return commands


def run_lftp(destination: Destination, commands: list[str]) -> str:
    """Run lftp with `commands`; the password reaches it through the environment only."""
    if shutil.which("lftp") is None:
        raise fail(str(destination), 0, 0, "per pubblicare via FTP serve il programma lftp, che qui manca: "
                   "installalo (su Debian/Ubuntu: apt-get install lftp)")
    password = os.environ.get(PASSWORD_ENV)
    if destination.user and not password:
        raise fail(str(destination), 0, 0, f"manca la password FTP: mettila nella variabile d'ambiente "
                   f"{PASSWORD_ENV} (in GitHub: un secret), mai nel comando")
    environment = {**os.environ, "LFTP_PASSWORD": password or ""}
    with tempfile.NamedTemporaryFile("w", suffix=".lftp", encoding="utf-8") as script:
        script.write("\n".join(session_commands(destination) + commands) + "\n")
        script.flush()
        result = subprocess.run(["lftp", "-f", script.name], capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["nessun dettaglio"])[-1]
        if "certificate" in detail.lower():
            raise fail(str(destination), 0, 0, f"il certificato TLS del server non è valido ({detail}): "
                       "non pubblico su un server che non posso riconoscere")
        if "Login" in detail or "530" in detail:
            raise fail(str(destination), 0, 0, f"il server FTP ha rifiutato l'accesso ({detail}): controlla "
                       f"l'utente e la password in {PASSWORD_ENV}")
        raise fail(str(destination), 0, 0, f"la pubblicazione FTP si è fermata ({detail}): rilancia; la "
                   "prossima pubblicazione completa il lavoro")
    return result.stdout


def read_remote_manifest(destination: Destination) -> dict[str, str] | None:
    """The files published last time, with their digests; None if DEST is empty or new.
    Refuses a DEST that holds files this program did not publish."""
    folder = lftp_quote(destination.path)
    listing = run_lftp(destination, [f"mkdir -p -f {folder}", f"cd {folder}", "cls -1a"]).split()
    names = [PurePosixPath(name.rstrip("/")).name for name in listing]
    names = [n for n in names if n not in (".", "..")]
    if MANIFEST not in names:
        if names:
            raise fail(str(destination), 0, 0, "la destinazione esiste e contiene file che non sono stati "
                       "pubblicati da build.py: per sicurezza non la tocco. Scegli un'altra cartella, "
                       "oppure svuotala tu se sei sicuro")
        return None
    text = run_lftp(destination, [f"cd {folder}", f"cat {MANIFEST}"])
    return dict(reversed(line.split(" ", 1)) for line in text.splitlines() if " " in line)


def plan_changes(remote: dict[str, str], local: dict[str, str]) -> Changes:
    added = sorted(p for p in local if p not in remote)
    changed = sorted(p for p in local if p in remote and remote[p] != local[p])
    deleted = sorted(p for p in remote if p not in local)
    return Changes(tuple(added), tuple(changed), tuple(deleted), len(local) - len(added) - len(changed))


def interim_manifest(remote: dict[str, str], changes: Changes) -> dict[str, str]:
    """The list sent before anything else: every file this publish touches is marked unknown, so
    that a publish stopped part-way leaves nothing that the next one would take as up to date."""
    touched = {*changes.added, *changes.changed, *changes.deleted}
    return {**remote, **dict.fromkeys(touched, UNKNOWN)}


def manifest_text(manifest: dict[str, str]) -> str:
    return "".join(f"{value} {path}\n" for path, value in sorted(manifest.items()))


def transfer_commands(site: BuiltSite, changes: Changes, interim: Path, final: Path,
                      unfinished: list[str]) -> list[str]:
    """The list marking what changes, assets, pages, deletions, then the list of what is online now."""
    sent = [*changes.added, *changes.changed]
    assets = [p for p in sent if not p.endswith(PAGE_SUFFIXES)]
    pages = [p for p in sent if p.endswith(PAGE_SUFFIXES)]
    commands = [f"put {lftp_quote(str(interim))} -o {MANIFEST}"]
    made: set[str] = set()
    for path in sorted(assets) + sorted(pages, key=lambda p: (p == "index.html", p)):   # the home page last
        folder = str(PurePosixPath(path).parent)
        if folder != "." and folder not in made:
            commands.append(f"mkdir -p -f {lftp_quote(folder)}")
            made.add(folder)
        target = f" -O {lftp_quote(folder)}" if folder != "." else ""
        commands.append(f"put{target} {lftp_quote(str(site.folder / path))}")
    for path in unfinished:   # what a stopped publish was sending: its half-sent copy, if any
        commands.append(f"rm -f {lftp_quote(temporary_name(path))}")
    for path in changes.deleted:
        commands.append(f"rm -f {lftp_quote(path)}")
    for folder in emptied_folders(changes.deleted, site.files):
        commands.append(f"rmdir -f {lftp_quote(folder)}")
    commands.append(f"put {lftp_quote(str(site.folder / MARKER))} -o {MARKER}")
    commands.append(f"put {lftp_quote(str(final))} -o {MANIFEST}")
    return commands


def temporary_name(path: str) -> str:
    posix = PurePosixPath(path)
    return str(posix.with_name(TEMP_PREFIX + posix.name))


def emptied_folders(deleted: tuple[str, ...], kept: tuple[str, ...]) -> list[str]:
    """Folders that held only deleted files, deepest first."""
    still_used = {folder for path in kept for folder in parent_folders(path)}
    gone = {folder for path in deleted for folder in parent_folders(path)}
    return sorted(gone - still_used, key=lambda f: (-f.count("/"), f))


def publish_ftp(site: BuiltSite, destination: Destination, dry_run: bool, say) -> None:
    remote = read_remote_manifest(destination) or {}
    local = site.digests   # hashed once, when the folder was checked
    changes = plan_changes(remote, local)
    if remote == local:
        say(f"Niente da inviare: {destination} ha già questa versione del sito ({len(local)} file).")
        return
    tell_foreign(site, say)
    tell_changes(changes, dry_run, say)
    if dry_run:
        say("Prova (--dry-run): non ho inviato né cancellato niente.")
        return
    unfinished = sorted(path for path, value in remote.items() if value == UNKNOWN)
    with tempfile.TemporaryDirectory() as scratch:
        interim, final = Path(scratch) / "prima", Path(scratch) / "dopo"
        interim.write_text(manifest_text(interim_manifest(remote, changes)), encoding="utf-8")
        final.write_text(manifest_text(local), encoding="utf-8")
        run_lftp(destination, [f"cd {lftp_quote(destination.path)}",
                               *transfer_commands(site, changes, interim, final, unfinished)])
    say(f"Pubblicato su {destination} via FTP: {plural(len(changes.added) + len(changes.changed), 'file inviato', 'file inviati')}, "
        f"{plural(len(changes.deleted), 'cancellato', 'cancellati')}.")
