"""Python-Markdown, set up once per process, with a shortcut that leaves its output unchanged.

Python-Markdown tries each of its inline patterns (code, escapes, links, images, autolinks, raw
HTML, entities, emphasis) on every piece of text, one regular expression after another. Most
pieces hold none of the characters a match must contain: a link needs "[", emphasis "*" or "_".
The inline stage here skips a pattern for a piece of text that lacks all of them, which takes
about 40 % off a page's conversion. A pattern is skipped only when its regular expression is
the one written below: should an upgrade change a pattern, that pattern simply runs every time.
tests/test_markup.py converts the same texts with and without the shortcut and compares."""

from __future__ import annotations

import markdown
from markdown import util
from markdown.treeprocessors import InlineProcessor

# Pinned so that an upgrade of Python-Markdown cannot change the output by itself.
MARKDOWN_EXTENSIONS = ("toc", "tables", "sane_lists")

# Inline pattern name -> (its regular expression in Python-Markdown 3.x, strings one of which
# every match contains). Checked against each regular expression by hand: a literal the
# expression cannot match without.
NEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "backtick": (r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)", ("`",)),
    "escape": (r"\\(.)", ("\\",)),
    "reference": (r"(?<!\!)\[", ("[",)),
    "link": (r"(?<!\!)\[", ("[",)),
    "image_link": (r"\!\[", ("![",)),
    "image_reference": (r"\!\[", ("![",)),
    "short_reference": (r"(?<!\!)\[", ("[",)),
    "short_image_ref": (r"\!\[", ("![",)),
    "autolink": (r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>", ("<",)),
    "automail": (r"<([^<> !]+@[^@<> ]+)>", ("<",)),
    "linebreak": (r"  \n", ("  \n",)),
    "entity": (r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)", ("&",)),
    "em_strong": (r"\*|_", ("*", "_")),
}
# Raw HTML: a long expression, but it opens with "<" whatever follows.
HTML_PATTERN_START = "(<"
HTML_NEEDS = ("<",)


def new_markdown() -> markdown.Markdown:
    """One converter to reuse for every page (building it is the expensive part)."""
    converter = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
    # 20 is the priority Python-Markdown gives its own inline stage; the same name replaces it.
    converter.treeprocessors.register(QuickInlineProcessor(converter), "inline", 20)
    return converter


def stock_markdown() -> markdown.Markdown:
    """The same converter without the shortcut: what tests and benchmarks compare against."""
    return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")


def needs_of(name: str, pattern) -> tuple[str, ...] | None:
    """What a match of this pattern must contain; None when unknown (then it always runs)."""
    expression = getattr(getattr(pattern, "compiled_re", None), "pattern", None)
    if name == "html" and isinstance(expression, str) and expression.startswith(HTML_PATTERN_START):
        return HTML_NEEDS
    known = NEEDS.get(name)
    return known[1] if known and known[0] == expression else None


class QuickInlineProcessor(InlineProcessor):
    """Python-Markdown's inline stage, skipping the patterns a piece of text cannot match."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        patterns = md.inlinePatterns
        names = {patterns.get_index_for_name(name): name for name in (*NEEDS, "html") if name in patterns}
        self.patterns = [(patterns[i], needs_of(names[i], patterns[i]) if i in names else None)
                         for i in range(len(patterns))]

    # Replaces InlineProcessor.__handleInline (name-mangled), which __applyPattern calls back for
    # the text inside a match: the same loop, with the skip added.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern
        patterns = self.patterns
        start = 0
        while patternIndex < len(patterns):
            pattern, needs = patterns[patternIndex]
            if needs is not None:
                for literal in needs:   # a plain loop: any() with a generator costs more than the test
                    if literal in data:
                        break
                else:
                    patternIndex, start = patternIndex + 1, 0   # what a pattern that found nothing returns
                    continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data
