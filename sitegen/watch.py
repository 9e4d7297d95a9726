"""Change events for the preview, from the operating system, so that a save is seen at once.

livereload looks for changes by polling every 800 ms. watchfiles (maintained, with wheels for
Linux, macOS and Windows) asks the system itself: inotify, FSEvents, ReadDirectoryChangesW.
This watcher is a livereload Watcher that runs one watchfiles loop per watched path in a thread
and wakes the server's event loop when a file is saved."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import watchfiles
from livereload.watcher import Watcher

WATCH_OPTIONS = {
    "debounce": 50,        # ms: a save often writes twice (a copy, then a rename): one rebuild for both
    "step": 20,            # ms
    "rust_timeout": 500,   # ms: how soon a watch notices that it must stop, or that nothing happened
    "ignore_permission_denied": True,
}
MISSING_FOLDER_WAIT = 0.5   # seconds between looks for a watched folder's parent that is gone
# What examine() names as changed. livereload ignores a change within 3 s of the last reload
# (an editor who fixes a mistake quickly would keep seeing the error page although the rebuild
# succeeded), except for this name: the one its own server gives at start, for "reload now".
RELOAD_NOW = "__livereload__"


def identity(path: Path) -> tuple[int, int] | None:
    """Which folder is at `path` now (device and inode), or None when there is none."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_dev, status.st_ino


class EventWatcher(Watcher):
    """A livereload watcher driven by the system's change events instead of polling."""

    def __init__(self):
        super().__init__()
        self.funcs: dict[Path, object] = {}           # the watched paths, in the order given, with their tasks
        self.touched: queue.SimpleQueue[Path] = queue.SimpleQueue()   # filled by the watching threads
        self.stop = threading.Event()
        self.reloads = 0                              # rebuilds that examine() has not yet told livereload of
        self.default_filter = watchfiles.DefaultFilter()   # compiled once: it is asked about every event
        self.threads: list[threading.Thread] = []
        self.wake = None                              # called (from a thread) when something changed

    def watch(self, path, func=None, delay=None, ignore=None):
        super().watch(path, func, delay, ignore)      # livereload checks that something is watched
        self.funcs[Path(path)] = func   # a path watched again keeps its place

    def start(self, callback) -> bool:
        """Called by livereload's server on its event loop; True: no polling needed."""
        from tornado import ioloop
        loop = ioloop.IOLoop.current()
        self.begin(lambda: loop.add_callback(self.on_changes, callback))
        return True

    def begin(self, wake) -> None:
        """Start one watching thread per path; `wake` is called from them after each change."""
        self.wake = wake
        for path in self.funcs:
            thread = threading.Thread(target=self.follow, args=(path,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=5)

    def examine(self):
        """livereload's question after a change: what changed, and after what delay to reload.
        Every rebuild reloads the browser at once (the page reloaded is the one open)."""
        if self.reloads:
            self.reloads -= 1
            return RELOAD_NOW, None
        return None, None

    def pending(self, timeout: float) -> list[Path]:
        """The watched paths touched since the last call, in the order they were watched; waits up
        to `timeout` seconds for the first change."""
        touched: set[Path] = set()
        try:
            touched.add(self.touched.get(timeout=timeout))
            while True:
                touched.add(self.touched.get_nowait())
        except queue.Empty:
            pass
        return [path for path in self.funcs if path in touched]

    def run_tasks(self, touched: list[Path]) -> None:
        for path in touched:
            if self.funcs.get(path):
                self.funcs[path]()

    # -- on the server's event loop ---------------------------------------------------------------

    def on_changes(self, callback) -> None:
        touched = self.pending(timeout=0)
        if not touched:
            return
        self.run_tasks(touched)
        self.reloads += 1
        callback()

    # -- in the watching threads ---------------------------------------------------------------

    def is_ours(self, change: watchfiles.Change, path: str) -> bool:
        """Not editors' swap and backup files, nor version control (watchfiles' defaults), nor hidden files."""
        return self.default_filter(change, path) and not Path(path).name.startswith(".")

    def report(self, path: Path) -> None:
        self.touched.put(path)
        if self.wake is not None:
            self.wake()

    def follow(self, path: Path) -> None:
        """Report every change of `path` (a folder and all inside it, or one file) until stopped.
        A folder deleted and made again (a checkout, a restore) is followed again."""
        came_back = False
        while not self.stop.is_set():
            try:
                if path.is_dir():
                    self.follow_folder(path, came_back)
                    came_back = True
                    continue
                if path.parent.is_dir():
                    self.follow_name(path)
                    continue
            except FileNotFoundError:   # gone between the look and the watch: look again
                pass
            self.stop.wait(MISSING_FOLDER_WAIT)

    def follow_folder(self, path: Path, came_back: bool) -> None:
        """Until the folder is deleted. A folder that came back may have been written before its
        watch began: its first report comes once the watch is running (watchfiles yields an empty
        set when nothing happened for a while)."""
        watched = identity(path)
        for changes in watchfiles.watch(path, watch_filter=self.is_ours, stop_event=self.stop, yield_on_timeout=True,
                                        **WATCH_OPTIONS):
            if changes or came_back:
                self.report(path)
                came_back = False
            # Deleted, or deleted and made again while this watch still held the old folder (whose
            # events are over; the new one may even reuse its inode number): look again by name.
            if identity(path) != watched or (watchfiles.Change.deleted, str(path)) in changes:
                return

    def follow_name(self, path: Path) -> None:
        """A file, or a folder not there now: watch its parent folder for that one name."""
        def named(change: watchfiles.Change, changed: str) -> bool:
            return Path(changed).name == path.name

        # yield_on_timeout: a folder made again before this watch began sends no event here;
        # looking again after each quiet spell finds it all the same.
        for changes in watchfiles.watch(path.parent, watch_filter=named, recursive=False, stop_event=self.stop,
                                        yield_on_timeout=True, **WATCH_OPTIONS):
            if changes:
                self.report(path)
            if path.is_dir():   # the folder is back: watch inside it (follow_folder reports it)
                return
