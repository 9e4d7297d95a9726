"""Fingerprints: of file contents, and of the code that turns them into a site. A cached result
is reused only when both are the same, so a cached build equals a cold one."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import jinja2
import markdown
import yaml

PACKAGE = Path(__file__).resolve().parent


def digest(*parts: bytes | str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_key() -> str:
    """The generator's own sources and the versions of the libraries that shape the output."""
    sources = [p.read_bytes() for p in sorted(PACKAGE.glob("*.py"))]
    return digest(markdown.__version__, jinja2.__version__, yaml.__version__, *sources)
