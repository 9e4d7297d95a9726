"""Write the site into a staging folder beside the output, and swap it in only when complete."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import fail

MARKER = ".activitycr-site"   # proves that a folder was written by this generator
MARKER_TEXT = b"Cartella creata da build.py di ACTIVITY.CR: viene sostituita a ogni pubblicazione.\n"


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
    """The path of an output file, refusing one that would land outside the output folder."""
    target = (root / relative).resolve()
    if root.resolve() not in target.parents:
        raise fail(relative, 0, 0, "questo file finirebbe fuori dalla cartella del sito: controlla lo slug")
    return target


def write_site(files: dict[str, bytes], copies: dict[str, Path], out_dir: Path) -> None:
    """Write every file into a staging folder, then swap it in place of `out_dir`.

    A failure at any point before the swap leaves `out_dir` exactly as it was; files of
    removed pages disappear because the new folder only holds what this build made.
    """
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{out_dir.name}.nuovo"
    retired = parent / f".{out_dir.name}.vecchio"
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    staging.mkdir()
    try:
        for relative, data in sorted(files.items()):
            target = safe_target(staging, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for relative, source in sorted(copies.items()):
            target = safe_target(staging, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        (staging / MARKER).write_bytes(MARKER_TEXT)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap(staging, out_dir.resolve(), retired)


def swap(staging: Path, out: Path, retired: Path) -> None:
    """Two renames: the window in which `out` is missing is as short as the file system allows."""
    if out.exists():
        os.replace(out, retired)
    os.replace(staging, out)
    if retired.exists():
        shutil.rmtree(retired)
