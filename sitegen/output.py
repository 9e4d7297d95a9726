"""Write the site: the next version is made whole beside the output, then exchanged with it in one step.

A reader of the output folder sees the whole old site or the whole new one, never a mix: the
next tree is made beside it, and only then swapped with the live one by a single rename. The
next tree is the one the last exchange set aside (the version before last), brought up to date:
changed files moved in, unchanged ones hard-linked from the live tree, which costs no copy.
Whatever stops the build before the exchange (an error, a full disk, Ctrl+C, SIGKILL) leaves the
live folder untouched; whatever stops it after leaves the new site whole. A tree beside the
output that its marker does not prove whole is cleared by the next build. Files in the folder
that no build wrote are carried into every next version.
"""

from __future__ import annotations

import ctypes
import errno
import os
import posixpath
import shutil
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from .digest import digest
from .errors import fail

MARKER = ".activitycr-site"   # proves that a folder was written by this generator, and lists what it wrote
MARKER_TEXT = ("Cartella creata da build.py di ACTIVITY.CR: la aggiorna a ogni pubblicazione. "
               "Non cancellare né modificare questo file: elenca i file creati dal programma, "
               "gli unici che una pubblicazione cambia o cancella.\n").encode("utf-8")
FINGERPRINT = b"impronta: "
LOCK_WAIT = 5.0   # seconds a second build waits for the first before giving up
SHOWN_FOREIGN = 5   # foreign files named in the note; the others are counted


def check_out_dir(out_dir: Path, project: Path, protected: list[Path]) -> None:
    """Refuse an output folder whose replacement would destroy something that is not ours."""
    out = out_dir.resolve()
    shown = str(out_dir)
    if out.exists() and not out.is_dir():
        raise fail(shown, 0, 0, "--out indica un file, non una cartella: scegli una cartella")
    if out == project.resolve() or out in project.resolve().parents:
        raise fail(shown, 0, 0, "--out non può essere la cartella del progetto (o una che la contiene): "
                   "scegli una cartella nuova, per esempio site/")
    for source in protected:
        source = source.resolve()
        if out == source or source in out.parents or out in source.parents:
            raise fail(shown, 0, 0, f"--out non può stare dentro o sopra la cartella dei sorgenti {source.name}/: "
                       "scegli una cartella nuova, per esempio site/")
    if out.is_dir() and any(out.iterdir()) and read_marker(out) is None:
        what = ("il file .activitycr-site della cartella è rovinato o di una versione precedente del programma"
                if (out / MARKER).exists() else "la cartella contiene file che non sono stati creati da build.py")
        raise fail(shown, 0, 0, f"{what}: per sicurezza non la sostituisco. Scegli una cartella vuota o nuova, "
                   "oppure svuotala tu se sei sicuro")


def safe_target(root: Path, relative: str) -> Path:
    """The path of an output file, refusing one that would land outside the output folder.
    Checked on the text of the path: every path is made by the build, never by a symlink."""
    normal = posixpath.normpath(relative)
    if normal.startswith(("../", "/")) or normal in ("..", "."):
        raise fail(relative, 0, 0, "questo file finirebbe fuori dalla cartella del sito: controlla lo slug")
    return root / normal


@contextmanager
def build_lock(out_dir: Path):
    """One build at a time into one output folder: a lock file beside it, held for the whole
    build. Two builds sharing the next tree and the cache would mix their sites. The operating
    system drops the lock when a build dies, however it dies."""
    out = out_dir.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}.lock", "a+b") as handle:
        deadline = time.monotonic() + LOCK_WAIT
        while not try_lock(handle):
            if time.monotonic() >= deadline:
                raise fail(str(out_dir), 0, 0, "un'altra creazione del sito sta scrivendo in questa cartella "
                           "(un'anteprima, un altro terminale o un altro lavoro automatico): aspetta che "
                           "finisca, poi rilancia")
            time.sleep(0.1)
        try:
            yield
        finally:
            unlock(handle)


def try_lock(handle) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:   # held by another build
        return False


def unlock(handle) -> None:
    if sys.platform == "win32":
        import msvcrt
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class SiteWriter:
    """Writes a build into `out_dir` as a whole next version, exchanged with the live one in one step.

    `stage` writes a changed file into a flat staging folder (safe in worker processes); `commit`
    makes the next tree (the changed files moved in, the unchanged ones and the files that are
    not ours linked from the live folder) and exchanges it with the live one; `abort` (or any
    failure before the exchange) leaves `out_dir` exactly as it was.

    The tree that the exchange sets aside is the last version but one, with its marker: it is
    kept, and the next build brings it up to date instead of making every folder again (making
    10,000 folders took longer than the rest of a rebuild after one page changed).
    """

    def __init__(self, out_dir: Path, manifest: dict[str, str] | None):
        self.out = out_dir.resolve()
        self.next = self.out.parent / f".{self.out.name}.nuovo"          # the next version, being made
        self.staging = self.out.parent / f".{self.out.name}.cambiati"    # changed files, by digest of path
        self.old = self.out.parent / f".{self.out.name}.vecchio"         # the two-rename switch only
        self.put_back_after_a_stop()
        # Every file the last build of this folder wrote, with its digest (the marker's list).
        self.ours = read_marker(self.out) or {}
        # The cache's digests are trusted only if the marker names that very build: not after a
        # build without the cache, nor one that stopped between the switch and saving the cache.
        self.trusted = manifest == self.ours
        self.existed = self.out.exists()   # looked at again by start(): a folder may appear meanwhile
        self.made: set[Path] = set()
        self.kept: list[str] = []   # files no build wrote, carried into the new version
        self.spare: dict[str, str] | None = None   # the set-aside tree's files, as its marker lists them (start)

    def make_folder(self, folder: Path) -> None:
        """mkdir -p, once per folder: a site of 10,000 pages has 10,000 folders."""
        if folder not in self.made:
            folder.mkdir(parents=True, exist_ok=True)
            self.made.add(folder)

    def start(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.spare = read_spare(self.next)
        self.clear_leftovers()
        self.existed = self.out.exists()
        self.staging.mkdir()

    def put_back_after_a_stop(self) -> None:
        """A two-rename switch stopped between its renames left the live folder set aside."""
        if not self.out.exists() and self.old.is_dir() and not self.old.is_symlink():
            os.rename(self.old, self.out)

    def clear_leftovers(self) -> None:
        """What a build stopped by force left beside the output: changed files never moved in, an
        old tree not yet removed, a next tree whose marker does not prove what it holds."""
        for leftover in (self.staging, self.old) + (() if self.spare is not None else (self.next,)):
            remove(leftover)

    def stage(self, relative: str, data: bytes) -> tuple[str, bool]:
        """(digest of `data`, whether it differs from what `out_dir` has). Safe in worker processes."""
        fingerprint = digest(data)
        if self.unchanged(relative, safe_target(self.out, relative), data, fingerprint):
            return fingerprint, False
        try:
            (self.staging / digest(relative)).write_bytes(data)
        except OSError as exc:   # a full disk, most likely
            raise self.not_updated(exc) from None
        return fingerprint, True

    def not_updated(self, exc: OSError):
        return fail(str(self.out), 0, 0, f"non riesco ad aggiornare la cartella del sito ({exc.strerror}): "
                    "il sito è rimasto com'era. Controlla lo spazio libero e i permessi, poi rilancia")

    def unchanged(self, relative: str, current: Path, data: bytes, fingerprint: str) -> bool:
        if relative not in self.ours:
            return False
        try:
            if self.trusted:
                return self.ours.get(relative) == fingerprint and current.stat().st_size == len(data)
            return current.read_bytes() == data
        except OSError:
            return False

    def commit(self, manifest: dict[str, str], changed: set[str]) -> None:
        """Make the next tree (`manifest`: every file of this build, with its digest; `changed`:
        those staged) and switch it in. Files of the last build that are not in `manifest` stay
        behind in the old tree; files that no build wrote are carried over."""
        try:
            spare = self.spare or {}
            remove(self.next / MARKER)   # from now on the tree proves nothing, should the build stop
            self.next.mkdir(exist_ok=True)
            if self.existed:   # the folder's permissions, which a web server may rely on, go with it
                shutil.copymode(self.out, self.next)
            self.prune(spare, manifest)
            self.place(spare, manifest, changed)
            self.kept = self.carry_foreign(manifest)
            (self.next / MARKER).write_bytes(marker_text(manifest))
            self.switch()
        except OSError as exc:
            raise self.not_updated(exc) from None
        remove(self.staging)
        # The tree now beside the output is the last version, kept as the spare for the next build.

    def prune(self, spare: dict[str, str], manifest: dict[str, str]) -> None:
        """Take out of the spare tree what the new version does not have at the same path: the
        last build's files that are gone now, and every file no build wrote (carried again later)."""
        gone = [relative for relative in spare if relative not in manifest]
        gone += foreign_files(self.next, spare)
        for relative in sorted(gone, reverse=True):
            remove(self.next / relative)
            remove_empty_folders((self.next / relative).parent, self.next)

    def place(self, spare: dict[str, str], manifest: dict[str, str], changed: set[str]) -> None:
        """Every file of the new version at its place in the next tree: a changed one moved in from
        the staging folder, an unchanged one linked from the live folder, unless the spare tree
        holds those very bytes already. A path is cleared first: never written through, since a
        file of the spare tree may be a hard link to the live one."""
        for relative in sorted(manifest):
            target = self.next / relative
            if relative not in changed and spare.get(relative) == manifest[relative] and target.is_file():
                continue
            remove(target)
            # After prune() no file stands where a folder goes (the plan forbids a path that is
            # both); a tree edited by hand fails here, loses its marker and is made anew next time.
            self.make_folder(target.parent)
            if relative in changed:
                os.replace(self.staging / digest(relative), target)
            else:
                link_or_copy(self.out / relative, target)

    def carry_foreign(self, manifest: dict[str, str]) -> list[str]:
        """Link every file of the live folder that no build wrote (a .htaccess, a site-verification
        file, another program's folder) into the next tree; returns their paths. One that stands
        where this build writes is an error: it is not ours to replace."""
        if not self.existed:
            return []
        folders = {folder for path in manifest for folder in parent_folders(path)}
        kept = []
        for relative in foreign_files(self.out, self.ours):
            source, target = self.out / relative, self.next / relative
            empty_folder = source.is_dir() and not source.is_symlink()
            if relative in manifest or (relative in folders and not empty_folder) or any(
                    parent in manifest for parent in parent_folders(relative)):
                raise fail(str(source), 0, 0, "questo file non è stato creato dal programma, ma ora il sito "
                           "ha bisogno del suo posto: spostalo o cancellalo tu, poi rilancia") from None
            self.make_folder(target.parent)
            if empty_folder:
                target.mkdir(exist_ok=True)
            else:
                link_or_copy(source, target)
            kept.append(relative)
        return kept

    def switch(self) -> None:
        """The one step that changes what readers of the output folder see."""
        if not self.existed:   # a folder that appeared meanwhile is someone else's: never replaced
            rename_no_replace(self.next, self.out)
        elif not exchange(self.next, self.out):
            self.switch_by_two_renames()

    def switch_by_two_renames(self) -> None:
        """Where the system cannot exchange two folders: the live one is set aside, the next one
        renamed in, with signals held so that Ctrl+C cannot fall between; a kill between leaves the
        old folder set aside, and the next build puts it back (put_back_after_a_stop)."""
        with signals_held():
            os.rename(self.out, self.old)
            try:
                os.rename(self.next, self.out)
            except OSError:
                os.rename(self.old, self.out)
                raise
            os.rename(self.old, self.next)

    def abort(self) -> None:
        """Forget the changed files. Safe at any moment: the next tree either still holds its
        marker (the commit had not begun) or is cleared by the next build, before the switch it
        is an unfinished version, after it the old one."""
        remove(self.staging)

    def kept_note(self) -> str | None:
        """The one line that says which files of the folder were left alone, or None."""
        if not self.kept:
            return None
        shown = ", ".join(self.kept[:SHOWN_FOREIGN])
        more = f" e altri {len(self.kept) - SHOWN_FOREIGN}" if len(self.kept) > SHOWN_FOREIGN else ""
        return f"file non creati dal sito, lasciati dove sono: {shown}{more}"


def read_spare(tree: Path) -> dict[str, str] | None:
    """The files of the tree set aside by the last exchange, as its marker lists them."""
    return read_marker(tree) if tree.is_dir() and not tree.is_symlink() else None


def remove(path: Path) -> None:
    """Remove a file, a link or a whole folder, if there."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def remove_empty_folders(folder: Path, top: Path) -> None:
    while folder != top and top in folder.parents and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def foreign_files(top: Path, ours: dict[str, str]) -> list[str]:
    """Files (and empty folders, and links, not followed) under `top` that are not in `ours`,
    sorted. os.scandir, paths as strings: a site of 10,000 folders is listed in a few hundredths
    of a second."""
    found: list[str] = []

    def visit(folder: str, prefix: str) -> None:
        empty = True
        with os.scandir(folder) as entries:
            for entry in entries:
                empty = False
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    visit(entry.path, relative + "/")
                elif relative not in ours and relative != MARKER:
                    found.append(relative)
        if empty and prefix:
            found.append(prefix[:-1])

    visit(str(top), "")
    return sorted(found)


def parent_folders(path: str) -> list[str]:
    """"a/b/c.html" -> ["a", "a/b"]."""
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link costs no copy; where the file system has none (or the folders are on two
    disks), a copy. Links are linked as links, never followed."""
    try:
        os.link(source, target, follow_symlinks=False)
    except NotImplementedError:   # a system that cannot link a symbolic link as it is
        shutil.copy2(source, target, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        shutil.copy2(source, target, follow_symlinks=False)


RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2   # linux/fs.h


def renameat2(source: Path, target: Path, flags: int) -> bool:
    """Linux's renameat2 through the C library; False where it does not exist or the file
    system does not support the flag."""
    libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
    call = getattr(libc, "renameat2", None)
    if call is None:
        return False
    at_fdcwd = -100
    if call(at_fdcwd, os.fsencode(source), at_fdcwd, os.fsencode(target), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(target))


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically; False where the system cannot."""
    return renameat2(first, second, RENAME_EXCHANGE)


def rename_no_replace(source: Path, target: Path) -> None:
    if not renameat2(source, target, RENAME_NOREPLACE):
        if target.exists():
            raise OSError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))
        os.rename(source, target)


@contextmanager
def signals_held():
    """Ctrl+C (and a polite kill) delivered after the block, not inside it."""
    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def marker_text(manifest: dict[str, str]) -> bytes:
    """The marker lists every file the build wrote with its digest, after a fingerprint of the
    list that proves the list whole."""
    lines = "".join(sorted(f"{fingerprint} {path}\n" for path, fingerprint in manifest.items())).encode("utf-8")
    return MARKER_TEXT + FINGERPRINT + digest(lines).encode() + b"\n" + lines


# The marker of earlier versions: the text and a fingerprint of every file with its digest, no list.
EARLIER_MARKER_TEXT = ("Cartella creata da build.py di ACTIVITY.CR: la aggiorna a ogni pubblicazione. "
                       "Non metterci altri file.\n").encode("utf-8")


def read_marker(out: Path) -> dict[str, str] | None:
    """The files the last build of `out` wrote, by path; None if the marker is missing, damaged,
    edited, or from an earlier version of the program and the folder no longer as it wrote it."""
    try:
        data = (out / MARKER).read_bytes()
    except OSError:
        return None
    return parse_marker(out, data)


def parse_marker(out: Path, data: bytes) -> dict[str, str] | None:
    """read_marker for the marker's bytes, already read."""
    if data.startswith(EARLIER_MARKER_TEXT + FINGERPRINT):
        return read_earlier_marker(out, data)
    head, newline, rest = data.partition(b"\n" + FINGERPRINT)
    fingerprint, _, lines = rest.partition(b"\n")
    if not newline or head + b"\n" != MARKER_TEXT or fingerprint != digest(lines).encode():
        return None
    try:
        entries = [line.split(" ", 1) for line in lines.decode("utf-8").splitlines()]
    except UnicodeDecodeError:
        return None
    return {path: value for value, path in entries}


def read_earlier_marker(out: Path, data: bytes) -> dict[str, str] | None:
    """A folder written by an earlier version names no files, only a fingerprint of all of them:
    if the folder's files still give that fingerprint, every one of them is the build's (read
    once, on the first build after an upgrade)."""
    files = {}
    for relative in foreign_files(out, {}):
        path = out / relative
        if path.is_symlink() or not path.is_file():
            return None   # a build never made a link or an empty folder
        files[relative] = digest(path.read_bytes())
    fingerprint = digest(*sorted(f"{path} {value}" for path, value in files.items()))
    return files if data == EARLIER_MARKER_TEXT + FINGERPRINT + fingerprint.encode() + b"\n" else None
