"""Change events for the preview, from Linux's inotify, so that a save is seen at once.

livereload looks for changes by polling every 800 ms unless pyinotify (unmaintained, and gone
with Python 3.12's asyncore) is installed. Its Server accepts any watcher object: this one asks
the kernel through ctypes and wakes the server's event loop as soon as a file is saved. Where
inotify is missing (macOS, Windows) it is livereload's own polling watcher, unchanged."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
import sys
from pathlib import Path

from livereload.watcher import Watcher

IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_ISDIR, IN_Q_OVERFLOW = 0x400, 0x800, 0x40000000, 0x4000
# A save: the file closed after writing, or renamed into place (editors that write a copy first).
MASK = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF
EVENT = struct.Struct("iIII")


def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.inotify_init1, libc.inotify_add_watch   # noqa: B018 (present on Linux only)
        return libc
    except (OSError, AttributeError):
        return None


class EventWatcher(Watcher):
    """A livereload watcher driven by inotify events instead of polling."""

    def __init__(self):
        super().__init__()
        self.libc = _libc()
        self.fd = -1
        # watch descriptor -> (folder, the path given to watch, the one name to heed when that is a file)
        # (one folder may serve several watched paths: a folder and a file in it)
        self.folders: dict[int, list[tuple[Path, Path, str | None]]] = {}
        self.callback = None

    @property
    def available(self) -> bool:
        return self.libc is not None

    def watch(self, path, func=None, delay=None, ignore=None):
        super().watch(path, func, delay, ignore)
        if self.available:
            self._open()
            self._add(Path(path), Path(path))
            if Path(path).is_dir():   # a folder deleted and made again is watched again
                self._add_one(Path(path).parent, Path(path), Path(path).name)

    def start(self, callback) -> bool:
        """Called by livereload's server; False means "poll me instead"."""
        if not self.available or self.fd < 0:
            return False
        from tornado import ioloop
        self.callback = callback
        ioloop.IOLoop.current().add_handler(self.fd, self._on_events, ioloop.IOLoop.READ)
        return True

    def pending(self) -> list[Path]:
        """The watched paths (as given to watch) touched by the events waiting now; none if nothing."""
        touched: list[Path] = []
        while True:
            try:
                data = os.read(self.fd, 64 * 1024)
            except BlockingIOError:
                return touched
            for wd, mask, name in self._events(data):
                if mask & IN_Q_OVERFLOW:   # too many events to list: assume everything changed
                    entries = [entry for listed in self.folders.values() for entry in listed]
                else:
                    entries = self.folders.get(wd, [])
                for folder, watched, only in entries:
                    if only is not None and name != only and not mask & IN_Q_OVERFLOW:
                        continue
                    if mask & IN_ISDIR and mask & (IN_CREATE | IN_MOVED_TO):
                        self._add(folder / name, watched)   # a new folder: watch it too
                    if not name.startswith(".") and watched not in touched:   # not editors' swap files
                        touched.append(watched)

    def run_tasks(self, touched: list[Path]) -> None:
        """The tasks of the watched paths that changed, each once, in the order they were added."""
        for path, task in self._tasks.items():
            if Path(path) in touched and task["func"]:
                task["func"]()

    # -- internals --------------------------------------------------------------------------

    def _on_events(self, fd, events) -> None:
        touched = self.pending()
        if not touched:
            return
        self.run_tasks(touched)
        self._changes.append((str(touched[0]), None))   # what examine() reports: reload the browser
        if self.callback:
            self.callback()

    def _open(self) -> None:
        if self.fd < 0:
            fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
            if fd < 0:
                self.libc = None
                return
            self.fd = fd

    def _add(self, path: Path, watched: Path) -> None:
        if self.fd < 0:
            return
        only = None if path.is_dir() else path.name   # a file is watched through its folder
        folders = [path] if path.is_dir() else [path.parent]
        if path.is_dir():
            folders += [p for p in sorted(path.rglob("*")) if p.is_dir() and not p.name.startswith(".")]
        for folder in folders:
            self._add_one(folder, watched, only)

    def _add_one(self, folder: Path, watched: Path, only: str | None) -> None:
        wd = self.libc.inotify_add_watch(self.fd, os.fsencode(folder), MASK)
        if wd < 0:
            print(f"attenzione: non riesco a seguire le modifiche in {folder}: salva di nuovo un file "
                  "per aggiornare l'anteprima", file=sys.stderr)
        elif (folder, watched, only) not in self.folders.setdefault(wd, []):
            self.folders[wd].append((folder, watched, only))

    @staticmethod
    def _events(data: bytes):
        offset = 0
        while offset + EVENT.size <= len(data):
            wd, mask, _cookie, length = EVENT.unpack_from(data, offset)
            raw = data[offset + EVENT.size: offset + EVENT.size + length]
            offset += EVENT.size + length
            yield wd, mask, os.fsdecode(raw.rstrip(b"\0"))
