"""Write the site: changed files are staged beside the output and moved in only when the build is complete."""

from __future__ import annotations

import os
import posixpath
import shutil
from pathlib import Path

from .digest import digest
from .errors import fail

MARKER = ".activitycr-site"   # proves that a folder was written by this generator
MARKER_TEXT = ("Cartella creata da build.py di ACTIVITY.CR: la aggiorna a ogni pubblicazione. "
               "Non metterci altri file.\n").encode("utf-8")


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
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise fail(shown, 0, 0, "la cartella contiene file che non sono stati creati da build.py: "
                   "per sicurezza non la sostituisco. Scegli una cartella vuota o nuova, "
                   "oppure svuotala tu se sei sicuro")


def safe_target(root: Path, relative: str) -> Path:
    """The path of an output file, refusing one that would land outside the output folder.
    Checked on the text of the path: every path is made by the build, never by a symlink."""
    normal = posixpath.normpath(relative)
    if normal.startswith(("../", "/")) or normal in ("..", "."):
        raise fail(relative, 0, 0, "questo file finirebbe fuori dalla cartella del sito: controlla lo slug")
    return root / normal


class SiteWriter:
    """Writes a build into `out_dir`, touching only the files whose bytes changed.

    Changed files are first written into a staging folder beside the output. Only when the
    whole build has succeeded does `commit` move them in, one atomic rename each, and delete
    the files that no page makes any more; `abort` (or any failure before) leaves `out_dir`
    exactly as it was. Unchanged files are never rewritten, so a rebuild costs what changed.
    """

    def __init__(self, out_dir: Path, manifest: dict[str, str] | None):
        self.out = out_dir.resolve()
        self.staging = self.out.parent / f".{self.out.name}.nuovo"
        # A first build stages the whole tree and renames it into place at once; a rebuild
        # stages each changed file flat, by a digest of its path: no folders to make in the
        # staging area and remove again (on a slow disk, that doubled the cost of a change).
        self.first = not self.out.exists()
        # The digest of every file of the last build, when known; otherwise files are compared.
        # Trusted only if the folder's marker names that very build: not after a build without
        # the cache, nor one that stopped between writing the folder and saving the cache.
        self.manifest = manifest if manifest is not None and self.marked(manifest) else None
        self.made: set[Path] = set()

    def marked(self, manifest: dict[str, str]) -> bool:
        try:
            return (self.out / MARKER).read_bytes() == marker_text(manifest)
        except OSError:
            return False

    def make_folder(self, folder: Path) -> None:
        """mkdir -p, once per folder: a site of 10,000 pages has 10,000 folders."""
        if folder not in self.made:
            folder.mkdir(parents=True, exist_ok=True)
            self.made.add(folder)

    def start(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        # What an interrupted build left (".vecchio": the folder swap of earlier versions).
        for leftover in (self.staging, self.out.parent / f".{self.out.name}.vecchio"):
            if leftover.exists():
                shutil.rmtree(leftover)
        self.staging.mkdir()

    def stage(self, relative: str, data: bytes) -> tuple[str, bool]:
        """(digest of `data`, whether it differs from what `out_dir` has). Safe in worker processes."""
        fingerprint = digest(data)
        current = safe_target(self.out, relative)
        if not self.first and self.unchanged(relative, current, data, fingerprint):   # first: nothing to compare
            return fingerprint, False
        staged = self.staged(relative)
        if self.first:
            self.make_folder(staged.parent)
        staged.write_bytes(data)
        return fingerprint, True

    def staged(self, relative: str) -> Path:
        if self.first:
            return safe_target(self.staging, relative)
        return self.staging / digest(relative)

    def unchanged(self, relative: str, current: Path, data: bytes, fingerprint: str) -> bool:
        try:
            if self.manifest is not None:
                return self.manifest.get(relative) == fingerprint and current.stat().st_size == len(data)
            return current.read_bytes() == data
        except OSError:
            return False

    def commit(self, manifest: dict[str, str], changed: set[str]) -> None:
        """Move the changed files in and remove the files of the last build that are not in
        `manifest` (every file of this build, with its digest)."""
        try:
            if self.first:   # the staging folder becomes the site, in one rename
                (self.staging / MARKER).write_bytes(marker_text(manifest))
                os.replace(self.staging, self.out)   # fails if the folder appeared meanwhile
                return
            old = set(self.manifest) if self.manifest is not None else self.existing()
            # Old files go first: a page may now be where a file was, or a file where a folder was.
            for relative in sorted(old - set(manifest), reverse=True):
                gone = self.out / relative
                if gone.is_file():
                    gone.unlink()
                    remove_empty_folders(gone.parent, self.out)
            self.made.clear()
            for relative in sorted(changed):
                target = self.out / relative
                self.clear_way(target)
                self.make_folder(target.parent)
                os.replace(self.staged(relative), target)
            (self.out / MARKER).write_bytes(marker_text(manifest))
        except OSError as exc:
            raise fail(str(self.out), 0, 0, f"non riesco ad aggiornare la cartella del sito ({exc.strerror}): "
                       "controlla lo spazio libero e i permessi, poi rilancia con --no-cache") from None
        shutil.rmtree(self.staging, ignore_errors=True)

    def clear_way(self, target: Path) -> None:
        """A folder where the new file goes, or a file where one of its folders goes: not ours any more."""
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        for folder in target.relative_to(self.out).parents:
            path = self.out / folder
            if folder != Path(".") and path.is_file():
                path.unlink()

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def existing(self) -> set[str]:
        return {p.relative_to(self.out).as_posix() for p in self.out.rglob("*")
                if p.is_file() and p.name != MARKER}   # hidden files too: a build never makes one


def marker_text(manifest: dict[str, str]) -> bytes:
    """The marker names the build that wrote the folder by a fingerprint of all its files."""
    return MARKER_TEXT + f"impronta: {digest(*sorted(f'{k} {v}' for k, v in manifest.items()))}\n".encode()


def remove_empty_folders(folder: Path, top: Path) -> None:
    while folder != top and top in folder.parents and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
