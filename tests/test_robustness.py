"""The README's promises under attack: values that try to leave a <script> block, rebuilds killed
or interrupted while the new site is switched in, two builds at once, colliding output paths,
files of other people in the output folder, active content in pages, a worker that dies."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import run, source_args

DATA = "data/contacts.yaml"


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drift: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


class Elements(HTMLParser):
    """The elements of a page as a browser's tokenizer sees them: scripts with their text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def elements(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


# Values that try to end the script element, open a comment that keeps it open, or start a new one.
BREAKOUTS = ["Mestieri Lombardia <!--<script>", "Mestieri </script><script>alert(1)</script>",
             "Mestieri <script>x", "Mestieri & <b>co</b> \u2028\u2029 -->"]


@pytest.mark.parametrize("value", BREAKOUTS)
def test_a_value_never_leaves_its_script_block(sources, tmp_path, capsys, value):
    quoted = json.dumps(value)
    edit(sources / DATA, "    nome: Mestieri Lombardia\n", f"    nome: {quoted}\n")
    edit(sources / DATA, "      - Agoiolo\n", f"      - {quoted}\n")
    out = tmp_path / "site"
    status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
    assert status == 0, err
    gussola = elements(out / "sportelli" / "gussola" / "index.html")
    (ld_attrs, ld_text), = gussola.scripts
    assert ld_attrs == {"type": "application/ld+json"}
    assert value in json.dumps(json.loads(ld_text), ensure_ascii=False)
    assert "footer" in gussola.tags   # the page goes on after the block
    # A browser's tokenizer treats "<!--" and "<script" inside a script as a nested state that
    # Python's parser does not follow: the promise is that no "<" is left to start one.
    assert not any(c in ld_text for c in "<>\u2028\u2029")
    finder = elements(out / "sportelli" / "index.html")
    assert [attrs.get("id") or attrs.get("src") for attrs, _ in finder.scripts] == \
        ["indice-sportelli", "../static/finder.js"]
    assert value in json.dumps(json.loads(finder.scripts[0][1]), ensure_ascii=False)
    assert "footer" in finder.tags
    assert not any(c in finder.scripts[0][1] for c in "<>\u2028\u2029")
