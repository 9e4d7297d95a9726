"""Python-Markdown, set up once per process, with a shortcut that leaves its output unchanged.

Python-Markdown tries each of its inline patterns (code, escapes, links, images, autolinks, raw
HTML, entities, emphasis) on every piece of text, one regular expression after another. Most
pieces hold none of the characters a match must contain: a link needs "[", emphasis "*" or "_".
The inline stage here skips a pattern for a piece of text that lacks all of them, which takes
about 40 % off a page's conversion. A pattern is skipped only when its regular expression is
the one written below: should an upgrade change a pattern, that pattern simply runs every time.
The toc extension gives headings their ids here without building a table of contents no page
shows (7 % more). tests/test_markup.py converts the same texts with and without these shortcuts
and compares."""

from __future__ import annotations

import html
import inspect

import markdown
from markdown import util
from markdown.extensions.toc import TocExtension, TocTreeprocessor, remove_fnrefs, render_inner_html, strip_tags, unique
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
    "html": (   # raw HTML: a tag, a comment, a processing instruction, CDATA; each opens with "<"
        r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?|"""
        r"!--(?:(?!<!--|-->).)*--|"
        r"[?](?:(?!<[?]|[?]>).)*[?]|"
        r"!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\]"
        r")>)",
        ("<",)),
}


def new_markdown() -> markdown.Markdown:
    """One converter to reuse for every page (building it is the expensive part)."""
    converter = _converter(HeadingIdsExtension() if heading_ids_fit() else "toc")
    # 20 is the priority Python-Markdown gives its own inline stage; the same name replaces it.
    converter.treeprocessors.register(QuickInlineProcessor(converter), "inline", 20)
    return converter


def stock_markdown() -> markdown.Markdown:
    """The same converter without the shortcuts: what tests compare against."""
    return _converter("toc")


def _converter(toc: str | TocExtension) -> markdown.Markdown:
    extensions = [toc if name == "toc" else name for name in MARKDOWN_EXTENSIONS]
    return markdown.Markdown(extensions=extensions, output_format="html")


def needs_of(name: str, pattern) -> tuple[str, ...] | None:
    """What a match of this pattern must contain; None when unknown (then it always runs)."""
    expression = getattr(getattr(pattern, "compiled_re", None), "pattern", None)
    known = NEEDS.get(name)
    return known[1] if known and known[0] == expression else None


def quick_patterns(registry) -> list[tuple[object, tuple[str, ...] | None]]:
    """The inline patterns in their order, each with what its matches need."""
    names = {registry.get_index_for_name(name): name for name in NEEDS if name in registry}
    return [(registry[i], needs_of(names[i], registry[i]) if i in names else None) for i in range(len(registry))]


class QuickInlineProcessor(InlineProcessor):
    """Python-Markdown's inline stage, skipping the patterns a piece of text cannot match."""

    def run(self, tree, ancestors=None):
        # Looked at again for every page (a few microseconds): a pattern registered, or an
        # emphasis character added, after the converter was made is then seen as stock does.
        self.patterns = quick_patterns(self.inlinePatterns)
        return super().run(tree, ancestors)

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


def heading_ids_fit() -> bool:
    """HeadingIdsProcessor follows toc as of Python-Markdown 3.11, whose unique() also takes the
    counters; with another toc, toc runs as it is."""
    return list(inspect.signature(unique).parameters) == ["id", "ids", "counters"]


class HeadingIdsProcessor(TocTreeprocessor):
    """toc's ids for the headings, the links' anchors, without the table of contents that toc
    also builds, serialises and searches the page for on every page, which no page shows: that
    took as long again as the ids. A page that asks for a table ([TOC]), or settings that add to
    the headings, get toc's own run."""

    def run(self, doc) -> None:
        if self.use_anchors or self.use_permalinks not in (False, None):
            return super().run(doc)
        used = set()
        for el in doc.iter():
            if (self.marker and el.text and self.marker in el.text) or "data-toc-label" in el.attrib:
                return super().run(doc)
            if "id" in el.attrib:
                used.add(el.attrib["id"])
        counters: dict[str, int] = {}
        for el in doc.iter():
            if isinstance(el.tag, str) and self.header_rgx.match(el.tag):
                self.set_level(el)
                if "id" not in el.attrib:   # the same name and the same unique id as toc's
                    name = strip_tags(render_inner_html(remove_fnrefs(el), self.md))
                    el.attrib["id"] = unique(self.slugify(html.unescape(name), self.sep), used, counters)


class HeadingIdsExtension(TocExtension):
    TreeProcessorClass = HeadingIdsProcessor
