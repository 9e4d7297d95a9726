"""Fingerprints: of file contents, and of the code that turns them into a site. A cached result
is reused only when both are the same, so a cached build equals a cold one."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

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
    return digest(*(version(name) for name in OUTPUT_LIBRARIES), *sources)


# As their distributions are named (importlib.metadata); MarkupSafe escapes what Jinja writes.
OUTPUT_LIBRARIES = ("markdown", "jinja2", "markupsafe", "pyyaml")
