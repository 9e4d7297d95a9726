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
    text = TAG.sub("", BLOCK_TAG.sub("\0", body_html))
    if "&" in text:
        text = html.unescape(text)
    words = WORD.findall(text)
    if not words:
        return None
    letters = sum(map(len, words))
    sentences = sum(max(1, len(SENTENCE_END.findall(block.strip() + " ")))
                    for block in text.split("\0") if WORD.search(block))
    return min(100, max(0, round(89 + (300 * sentences - 10 * letters) / len(words))))
