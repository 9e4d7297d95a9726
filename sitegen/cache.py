"""What the last build of an output folder learned, so that the next one redoes only what changed.

Kept in one SQLite file beside the output folder (".site.cache.sqlite" for site/): every page's
last reading (by source, with the file's stamp), every page body (by digest, loaded only when a
page must be rendered again), the contacts as last read (with the data file's stamp), and every
output's input key and digest. The cache is an optimisation only: a missing, old or unreadable
cache means a full build, never an error.
"""

from __future__ import annotations

import dataclasses
import io
import marshal
import os
import pickle
import sqlite3
import sys
from contextlib import contextmanager
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import NamedTuple

from .contacts import Contacts
from .content import Page, Read
from .digest import code_key
from .errors import Problem

PAGE_FIELDS = [f.name for f in fields(Page)]
DATE_AT = PAGE_FIELDS.index("date")

class OutputRecord(NamedTuple):
    """What the cache knows of one file of the site."""

    key: str           # the digest of what it was made from ("" for a file compared by its bytes)
    fingerprint: str   # the digest of its bytes, as the output folder's marker lists it


SCHEMA = """
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (digest TEXT PRIMARY KEY, html TEXT NOT NULL);
"""


class BuildCache:
    """In memory for the preview (path None), or saved to `path` after each successful build."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self._reset()
        if path is not None:
            self._load()

    def _reset(self) -> None:
        self.readings: dict[str, Read] = {}           # by source; bodies dropped, see `bodies`
        self.packed: dict[str, tuple] = {}            # the same as saved, not packed again if unchanged
        # dest -> (key of what it was made from, digest of its bytes): see sitegen.incremental
        self.outputs: dict[str, OutputRecord] = {}
        self.bodies: dict[str, str] = {}               # by digest: loaded, or new since the last save
        self.saved_bodies: set[str] = set()
        # (stamp of the data file, how messages name it, the records, the warnings)
        self.contacts: tuple[tuple[int, ...], str, Contacts, tuple[Problem, ...]] | None = None
        self.saved_contacts: bytes | None = None   # as saved; unpickled only when the stamp matches
        self.contacts_changed = False
        self._reading: tuple[int, sqlite3.Connection] | None = None
        self.loaded_stamp: tuple[int, ...] | None = None   # of the file as loaded

    def load_again_if_changed(self) -> None:
        """Once the build holds the output's lock: a build that ran meanwhile (and held it) may
        have saved a newer cache than the one read at the start."""
        if self.path is not None and self.loaded_stamp != file_stamp(self.path):
            self._reset()
            self._load()

    @classmethod
    def beside(cls, out_dir: Path) -> "BuildCache":
        out = out_dir.resolve()
        return cls(out.parent / f".{out.name}.cache.sqlite")

    def reading(self, source: str) -> Read | None:
        return self.readings.get(source)

    def contacts_for(self, stamp: tuple[int, ...], display: str) -> tuple[Contacts, tuple[Problem, ...]] | None:
        """The contacts as last read, if the data file still has this stamp."""
        if self.contacts is None and self.saved_contacts is not None:
            try:
                self.contacts = unpickle_contacts(self.saved_contacts)
            except Exception:   # a damaged or foreign cache: read the file again
                self.saved_contacts = None
        if self.contacts is not None and self.contacts[:2] == (stamp, display):
            return self.contacts[2], self.contacts[3]
        return None

    def keep_contacts(self, stamp: tuple[int, ...], display: str, contacts: Contacts,
                      problems: tuple[Problem, ...]) -> None:
        self.contacts = (stamp, display, contacts, problems)
        self.contacts_changed = True

    def body(self, page_digest: str) -> str | None:
        if page_digest not in self.bodies and self.path is not None and page_digest in self.saved_bodies:
            try:
                row = self._reader().execute("SELECT html FROM bodies WHERE digest = ?", (page_digest,)).fetchone()
            except sqlite3.Error:
                return None
            if row:
                self.bodies[page_digest] = row[0]
        return self.bodies.get(page_digest)

    def _reader(self) -> sqlite3.Connection:
        """One connection for reading bodies one at a time, per process: a worker process, which
        must not use its parent's, opens its own (after a data edit, pages ask for their bodies)."""
        if self._reading is None or self._reading[0] != os.getpid():
            self._reading = (os.getpid(), sqlite3.connect(self.path))
        return self._reading[1]

    def bodies_for(self, digests: set[str]) -> None:
        """Load many bodies in one query (a template change re-renders every page)."""
        wanted = [d for d in digests if d not in self.bodies and d in self.saved_bodies]
        if not wanted or self.path is None:
            return
        try:
            with self._connect() as db:
                db.execute("CREATE TEMP TABLE wanted (digest TEXT PRIMARY KEY)")
                db.executemany("INSERT INTO wanted VALUES (?)", ((d,) for d in wanted))
                rows = db.execute("SELECT b.digest, b.html FROM bodies b JOIN wanted USING (digest)").fetchall()
        except sqlite3.Error:
            return
        self.bodies.update(rows)

    def remember(self, readings: list[Read], outputs: dict[str, OutputRecord]) -> None:
        """After a successful build: what it read and what it wrote."""
        for read in readings:
            if read.body is not None and read.page is not None:
                self.bodies[read.page.digest] = read.body
        kept = {r.source: r for r in readings if self.readings.get(r.source) is r}   # read from here, unchanged
        if self.path is not None:
            self.packed = {r.source: self.packed[r.source] if r.source in kept and r.source in self.packed
                           else pack(r) for r in readings}
        self.readings = {r.source: kept.get(r.source) or Read(r.source, r.display, r.stamp, r.page, None, r.problems)
                         for r in readings}
        self.outputs = dict(outputs)
        if self.path is None:   # in memory: keep only the bodies of the pages that exist
            live = {r.page.digest for r in readings if r.page}
            self.bodies = {d: html for d, html in self.bodies.items() if d in live}
        else:
            self._save({r.page.digest for r in readings if r.page})

    # -- the file ---------------------------------------------------------------------------

    @contextmanager
    def _connect(self):
        """One transaction: committed when the block ends, rolled back on an error; then closed."""
        db = sqlite3.connect(self.path)
        # No fsync: the cache is only an optimisation (a damaged one means a full build), and an
        # fsync would force the whole file system to write out the thousands of pages just built.
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA journal_mode = MEMORY")
        try:
            with db:
                yield db
        finally:
            db.close()

    def _load(self) -> None:
        self.loaded_stamp = file_stamp(self.path)
        if self.loaded_stamp is None:
            return
        try:
            with self._connect() as db:
                state = dict(db.execute("SELECT name, value FROM state").fetchall())
                if state.get("code") != code_key().encode():
                    return   # another version of the generator: its results may differ
                self.packed = {packed[0]: packed for packed in marshal.loads(state["readings"])}
                self.readings = {source: unpack(packed) for source, packed in self.packed.items()}
                outputs = marshal.loads(state["outputs"])
                self.saved_bodies = set(marshal.loads(state["bodies"]))
                self.saved_contacts = state.get("contacts")
                if not well_formed(outputs, self.saved_bodies, self.readings):
                    raise TypeError("a cache of another shape")   # edited, or written by hand
                self.outputs = {dest: OutputRecord(*record) for dest, record in outputs.items()}
        except (sqlite3.Error, KeyError, ValueError, EOFError, TypeError, AttributeError, IndexError):
            self.readings, self.packed, self.outputs, self.saved_bodies = {}, {}, {}, set()
            self.saved_contacts = None

    def _save(self, live: set[str]) -> None:
        if self._reading is not None and self._reading[0] == os.getpid():
            self._reading[1].close()
        self._reading = None
        try:
            self._write(live)
            self.loaded_stamp = file_stamp(self.path)   # what this object holds is what the file holds
        except (sqlite3.Error, OSError, ValueError):   # a full or read-only folder, a value marshal
            # cannot write: the next build is a full one
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                pass

    def _write(self, live: set[str]) -> None:
        with self._connect() as db:
            db.executescript(SCHEMA)
            new = [(d, html) for d, html in self.bodies.items() if d in live and d not in self.saved_bodies]
            db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)", new)
            self.saved_bodies |= {d for d, _ in new}
            if len(self.saved_bodies) > 2 * len(live) + 100:   # old bodies: pruned now and then
                db.execute("CREATE TEMP TABLE live (digest TEXT PRIMARY KEY)")
                db.executemany("INSERT INTO live VALUES (?)", ((d,) for d in live))
                db.execute("DELETE FROM bodies WHERE digest NOT IN (SELECT digest FROM live)")
                self.saved_bodies &= live
            state = {"code": code_key().encode(),
                     "readings": marshal.dumps(list(self.packed.values())),
                     "outputs": marshal.dumps({dest: tuple(record) for dest, record in self.outputs.items()}),
                     "bodies": marshal.dumps(sorted(self.saved_bodies))}
            if self.contacts_changed and self.contacts is not None:
                # pickle: the records are nested dataclasses; ContactsUnpickler loads nothing else
                state["contacts"] = pickle.dumps(self.contacts, protocol=pickle.HIGHEST_PROTOCOL)
            db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)", state.items())
        self.bodies = {}
        self.contacts_changed = False


def file_stamp(path: Path) -> tuple[int, ...] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ino


def well_formed(outputs, bodies, readings) -> bool:
    """Whether what the cache holds has the shape this version writes: a file with the right
    version key may still have been edited, and a wrong shape would stop the build."""
    def record(value) -> bool:
        return isinstance(value, tuple) and len(value) == 2 and all(isinstance(part, str) for part in value)

    def reading(read) -> bool:
        page = read.page
        return (isinstance(read.display, str) and all(isinstance(n, int) for n in read.stamp)
                and (page is None or (all(isinstance(getattr(page, name), str) for name in TEXT_FIELDS)
                                      and isinstance(page.links, tuple) and isinstance(page.body_line, int))))

    return (isinstance(outputs, dict) and all(isinstance(k, str) and record(v) for k, v in outputs.items())
            and all(isinstance(d, str) for d in bodies)
            and all(isinstance(s, str) and reading(r) for s, r in readings.items()))


TEXT_FIELDS = ("source", "title", "description", "kind", "digest")


class ContactsUnpickler(pickle.Unpickler):
    """Loads the records of the contacts and nothing else: a cache file written by someone else
    (the output folder may sit in a shared place) must not be able to run code."""

    ALLOWED = {("datetime", "date"), (Problem.__module__, "Problem")}

    def find_class(self, module, name):
        if module == Contacts.__module__:
            found = getattr(sys.modules[module], name, None)
            if isinstance(found, type) and dataclasses.is_dataclass(found) and found.__module__ == module:
                return found
        elif (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} does not belong in the contacts")


def unpickle_contacts(data: bytes) -> tuple[tuple[int, ...], str, Contacts, tuple[Problem, ...]]:
    stamp, display, contacts, problems = ContactsUnpickler(io.BytesIO(data)).load()
    if not (isinstance(contacts, Contacts) and isinstance(display, str)
            and all(isinstance(p, Problem) for p in problems)):
        raise TypeError("not the contacts")
    return tuple(stamp), display, contacts, tuple(problems)


# marshal, not pickle: plain tuples of strings and numbers load several times faster, and a
# rebuild of a large site loads every page's reading.

def pack(read: Read) -> tuple:
    page = None
    if read.page is not None:
        page = tuple(value.isoformat() if isinstance(value, date) else value
                     for value in (getattr(read.page, name) for name in PAGE_FIELDS))
    problems = tuple((p.path, p.line, p.col, p.message, p.severity) for p in read.problems)
    return read.source, read.display, read.stamp, page, problems


def unpack(packed: tuple) -> Read:
    source, display, stamp, page, problems = packed
    if page is not None:   # the fields in their order (pack's), given by position: 10,000 pages a rebuild
        if page[DATE_AT] is not None:
            page = page[:DATE_AT] + (date.fromisoformat(page[DATE_AT]),) + page[DATE_AT + 1:]
        page = Page(*page)
    return Read(source, display, tuple(stamp), page, None, tuple(Problem(*p) for p in problems) if problems else ())
