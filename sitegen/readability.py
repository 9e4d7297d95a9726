"""The Gulpease readability index of a page, the index made for Italian (Lucisano and Piemontese,
1988): 89 + (300 * sentences - 10 * letters) / words, from 0 (hard) to 100 (easy). Around 60
and above, a text reads easily for someone with a lower-secondary education."""

from __future__ import annotations

import re
from html.parser import HTMLParser

WORD = re.compile(r"[^\W_]+")
SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)")
# Each of these ends a unit of text even without a full stop: a heading, a list item, a cell.
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "blockquote", "pre"}


def gulpease(html: str) -> int | None:
    """The index of a page's HTML body, rounded and kept within 0-100 (very short sentences
    would push the formula past 100); None for a page with no words."""
    units = [u for u in _TextBlocks.of(html) if WORD.search(u)]
    words = [w for unit in units for w in WORD.findall(unit)]
    if not words:
        return None
    sentences = sum(max(1, len(SENTENCE_END.findall(unit.strip() + " "))) for unit in units)
    letters = sum(len(w) for w in words)
    return min(100, max(0, round(89 + (300 * sentences - 10 * letters) / len(words))))


class _TextBlocks(HTMLParser):
    """The text of an HTML fragment, one string per block (paragraph, heading, list item...)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []

    @classmethod
    def of(cls, html: str) -> list[str]:
        parser = cls()
        parser.feed(html)
        parser.close()
        parser.flush()
        return parser.blocks

    def flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.flush()

    def handle_data(self, data):
        self.current.append(data)
