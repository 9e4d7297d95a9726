"""The Gulpease readability index of a page, the index made for Italian (Lucisano and Piemontese,
1988): 89 + (300 * sentences - 10 * letters) / words, from 0 (hard) to 100 (easy). Around 60
and above, a text reads easily for someone with a lower-secondary education."""

from __future__ import annotations

import html
import re

WORD = re.compile(r"[^\W_]+")
SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)")
# Each of these ends a unit of text even without a full stop: a heading, a list item, a cell.
BLOCK_TAG = re.compile(r"</?(?:p|li|h[1-6]|td|th|dt|dd|blockquote|pre)\b[^>]*>", re.IGNORECASE)
TAG = re.compile(r"<[^>]*>")


def gulpease(body_html: str) -> int | None:
    """The index of a page's HTML body, rounded and kept within 0-100 (very short sentences
    would push the formula past 100); None for a page with no words."""
    words = sentences = letters = 0
    for block in BLOCK_TAG.split(body_html):
        text = html.unescape(TAG.sub("", block))
        found = WORD.findall(text)
        if not found:
            continue
        words += len(found)
        letters += sum(map(len, found))
        sentences += max(1, len(SENTENCE_END.findall(text.strip() + " ")))
    if not words:
        return None
    return min(100, max(0, round(89 + (300 * sentences - 10 * letters) / words)))
