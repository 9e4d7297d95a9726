"""What an output's rendering read of the data, so that after a data edit only the outputs that
read something that changed are rendered again.

Templates reach the data through `site` (site.contacts.consortium.name, site.mode,
site.contacts.shared_cap(cap)) and through the values each kind of page gets (the comune, its
desk, the other comuni of the desk...). The environment (render.py) notes every step a template
takes from `site`: an attribute, an item, a call of a method with plain arguments. The values it
reached, and every other value the template was given, are fingerprinted whole. After a data
edit the same steps are taken again on the new site: an output whose fingerprints all match
would render to the same bytes, since a template's output depends only on what it was given and
what it read. Any other use of `site` or of the contacts (printed, passed to a filter, a test or
a macro, a method called with a record) cannot be followed: the output then counts as reading
everything, and is rendered again after any data edit.
"""

from __future__ import annotations

import dataclasses
import marshal
from contextlib import contextmanager
from datetime import date
from typing import Any

from .digest import digest

Step = tuple   # (".", name) | ("[]", key) | ("()", method name, plain arguments)
Entry = tuple  # the steps from `site` to a value


class WalkedThrough:
    """Base of the records templates walk through step by step: the site and the contacts. Turned
    into text whole (printed inside a list, joined with ~, formatted with %), one of them gives
    all the data: the page being noted then counts as reading everything. (Printed directly, or
    given to a filter, a test or a call, the environment sees it without this.)"""

    def __repr__(self) -> str:
        if _watched:
            _watched[-1].opaque = True
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self) if f.repr)
        return f"{type(self).__qualname__}({shown})"   # as @dataclass would write it


_watched: list[Reads] = []   # the notes of the page this process is rendering, if any


@contextmanager
def watching(reads: Reads):
    _watched.append(reads)
    try:
        yield reads
    finally:
        _watched.pop()


class Untrackable(Exception):
    """A value with no stable fingerprint (a function, an object of an unknown kind)."""


class Fingerprints:
    """Stable fingerprints of values: equal values give the same text in every process and every
    build. Values do not change during a build: a record, or a long tuple (the comuni of a desk,
    given to each of their pages), is fingerprinted once, by identity, as a digest."""

    def __init__(self) -> None:
        self.known: dict[int, tuple[Any, str]] = {}   # id -> (the value, kept alive; its fingerprint)
        self.fields: dict[type, tuple[str, ...]] = {}   # the field names of each kind of record

    def of(self, value: Any) -> str:
        if value is None or isinstance(value, (str, bool, int, float, date)):
            return repr(value)
        if isinstance(value, (tuple, list)) and len(value) <= SHORT:
            return "(" + ",".join(map(self.of, value)) + ")"
        if isinstance(value, dict):   # made for each page (its JSON-LD): not worth remembering
            return self._dict(value)
        known = self.known.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        if isinstance(value, (tuple, list)):
            text = "(" + ",".join(map(self.of, value)) + ")"
        elif isinstance(value, (set, frozenset)):
            text = "{" + ",".join(sorted(map(self.of, value))) + "}"
        else:
            names = self.fields.get(type(value))
            if names is None:
                if not dataclasses.is_dataclass(value) or isinstance(value, type):
                    raise Untrackable(type(value).__name__)
                names = self.fields[type(value)] = tuple(f.name for f in dataclasses.fields(value))
            text = type(value).__qualname__ + "(" + ",".join(self.of(getattr(value, name)) for name in names) + ")"
        result = "#" + digest(text)
        self.known[id(value)] = (value, result)
        return result

    def _dict(self, value: dict) -> str:
        try:   # plain data, as JSON-LD is: written by marshal in one go, types and all
            return "#" + digest(marshal.dumps(value, 2))
        except ValueError:   # records inside; in its order: the build makes its dicts the same way each time
            return "{" + ",".join(f"{self.of(k)}:{self.of(v)}" for k, v in value.items()) + "}"


SHORT = 8   # tuples up to this long are written out: remembering them would cost more


PLAIN = (str, int, float, bool, type(None))   # exactly these: a str subclass (Markup) cannot be saved


def plain(value: Any) -> bool:
    return type(value) in PLAIN


class Reads:
    """What one rendering took from `site`: entries and the values they led to. The site and the
    contacts (WalkedThrough) are walked through, step by step; everything reached from them that
    is not one of them is a value, fingerprinted whole."""

    def __init__(self, site: Any):
        self.paths: dict[int, tuple[Any, Entry]] = {id(site): (site, ())}   # walked objects
        self.methods: dict[int, tuple[Any, Entry, str]] = {}
        self.values: dict[Entry, Any] = {}
        self.opaque = False

    def step(self, obj: Any, step: Step, value: Any) -> None:
        """`value` was reached from `obj` by `step` (an attribute or an item)."""
        known = self.paths.get(id(obj))
        if known is None or known[0] is not obj:
            return   # not reached from site: a value already fingerprinted whole
        entry = known[1] + (step,)
        if isinstance(value, WalkedThrough):
            self.paths[id(value)] = (value, entry)
        elif callable(value) and getattr(value, "__self__", None) is obj:
            self.methods[id(value)] = (value, known[1], step[1])
        else:
            self.values[entry] = value

    def call(self, function: Any, args: tuple, kwargs: dict) -> bool:
        """Whether this call of a method reached from site could be noted (then the caller
        notes its result with `called`)."""
        known = self.methods.get(id(function))
        return (known is not None and known[0] is function and not kwargs
                and all(map(plain, args)))

    def called(self, function: Any, args: tuple, result: Any) -> None:
        _, path, name = self.methods[id(function)]
        self.values[path + (("()", name, args),)] = result

    def used_whole(self, value: Any) -> None:
        """`value` is printed, filtered, tested or passed on: if it is the site, the contacts or
        one of their methods, what it gives can no longer be followed."""
        if isinstance(value, WalkedThrough):
            self.opaque = True
        else:
            method = self.methods.get(id(value))
            if method is not None and method[0] is value:
                self.opaque = True


def data_key(fingerprints: Fingerprints, context: dict, values: dict[Entry, Any]) -> str:
    """One digest of what an output was given and what it read."""
    parts = [f"{name}={fingerprints.of(value)}" for name, value in sorted(context.items())]
    parts += sorted(f"{entry!r}={fingerprints.of(value)}" for entry, value in values.items())
    return digest("\n".join(parts))   # reprs and digests hold no line break


def follow(site: Any, entry: Entry, getattr_, getitem) -> Any:
    """The value an entry leads to on this site, the way a template reaches it."""
    value = site
    for step in entry:
        if step[0] == ".":
            value = getattr_(value, step[1])
        elif step[0] == "[]":
            value = getitem(value, step[1])
        else:
            value = getattr_(value, step[1])(*step[2])
    return value
