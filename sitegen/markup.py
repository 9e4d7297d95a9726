"""Python-Markdown, set up once per process, with shortcuts that leave its output unchanged.

Python-Markdown tries each of its inline patterns (code, escapes, links, images, autolinks, raw
HTML, entities, emphasis) on every piece of text, one regular expression after another, and each
block processor (tables, headings, rules, references) on every block. Most pieces hold
none of the characters a match must contain: a link needs "[", emphasis "*" or "_", a table "|",
a heading "#". The shortcuts here skip a pattern or a block processor for a piece that lacks all
of them, and the whole-text stages (raw HTML, escapes) for a page that has none of what they act
on. A pattern is skipped only when its regular expression is the one
written below: should an upgrade change it, it simply runs every time. The toc extension gives
headings their ids here without building a table of contents no page shows. Together they take
about half off a page's conversion; tests/test_markup.py converts the same texts with and without
them and compares."""

from __future__ import annotations

import html
import inspect
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
from markdown import util
from markdown.extensions.toc import TocExtension, TocTreeprocessor, remove_fnrefs, render_inner_html, strip_tags, unique
from markdown.preprocessors import HtmlBlockPreprocessor
from markdown.treeprocessors import InlineProcessor, PrettifyTreeprocessor, UnescapeTreeprocessor

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


# Block processor name -> (the attribute holding its regular expression, that expression in
# Python-Markdown 3.x, strings one of which every block it takes contains). A block without them
# goes on to the next processor, as it does when the test fails. Not the quotes: their test stops
# nesting near Python's recursion limit, and one more frame under it would change where.
BLOCK_NEEDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # The tables test splits the first two rows on "|"; one cell and no border is not a table.
    "table": ("RE_END_BORDER", r"(?<!\\)(?:\\\\)*\|$", ("|",)),
    "hashheader": ("RE", r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)", ("#",)),
    "setextheader": ("RE", r"^.*?\n(?:=+|-+)[ ]*(\n|$)", ("\n=", "\n-")),
    "hr": ("SEARCH_RE", r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))"
           r"(?P=atomicgroup)[ ]*$", ("-", "_", "*")),
    # Its test takes every block; its run gives back a block where this finds no definition.
    "reference": ("RE", r"^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?"
                  r"""((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$""", ("]:",)),
}


def new_markdown() -> markdown.Markdown:
    """One converter to reuse for every page (building it is the expensive part)."""
    converter = _converter(HeadingIdsExtension() if heading_ids_fit() else "toc")
    # The priorities Python-Markdown gives its own stages; the same name replaces each.
    converter.preprocessors.register(QuickHtmlBlockPreprocessor(converter), "html_block", 20)
    converter.treeprocessors.register(QuickInlineProcessor(converter), "inline", 20)
    converter.treeprocessors.register(QuickPrettifyTreeprocessor(converter), "prettify", 10)
    if QuickUnescapeTreeprocessor.RE.pattern == ESCAPED:
        converter.treeprocessors.register(QuickUnescapeTreeprocessor(converter), "unescape", 0)
    guard_block_tests(converter.parser.blockprocessors)
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


def block_needs_of(name: str, processor) -> tuple[str, ...] | None:
    """What every block this processor takes contains; None when unknown (then it always runs)."""
    known = BLOCK_NEEDS.get(name)
    if known is None:
        return None
    attribute, expression, needs = known
    return needs if getattr(getattr(processor, attribute, None), "pattern", None) == expression else None


def guard_block_tests(registry) -> None:
    """Each known block processor's test, made to answer "no" at once for a block that lacks
    what it looks for. The processors are the converter's own: one registered later runs as it is."""
    for name in BLOCK_NEEDS:
        if name in registry:
            processor = registry[name]
            needs = block_needs_of(name, processor)
            if needs is not None:
                processor.test = guarded_test(processor.test, needs)


def guarded_test(test, needs: tuple[str, ...]):
    def quick_test(parent, block: str) -> bool:
        for literal in needs:
            if literal in block:
                return test(parent, block)
        return False
    return quick_test


class QuickHtmlBlockPreprocessor(HtmlBlockPreprocessor):
    """Raw HTML blocks are found by running an HTML parser over the whole text; a text without
    "<" has no tag and, without "&", no character reference for the parser to rewrite."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        if "<" in source or "&" in source:
            return super().run(lines)
        return lines


class QuickPrettifyTreeprocessor(PrettifyTreeprocessor):
    """Prettify asks the converter's is_block_level() about every element and child: a lower-cased
    search of a list of some fifty names each time. A page has a few tags: the answers are kept
    for the page (the list does not change while a page converts)."""

    def run(self, root) -> None:
        converter = self.md
        known: dict = {}
        ask = converter.is_block_level

        def is_block_level(tag) -> bool:
            try:
                return known[tag]
            except KeyError:
                known[tag] = answer = ask(tag)
                return answer

        own = vars(converter).get("is_block_level")   # set on the converter itself, if ever
        converter.is_block_level = is_block_level
        try:
            super().run(root)
        finally:
            if own is None:
                del converter.is_block_level   # the method again
            else:
                converter.is_block_level = own


ESCAPED = rf"{util.STX}(\d+){util.ETX}"   # how the inline stage keeps a backslash-escaped character


class QuickUnescapeTreeprocessor(UnescapeTreeprocessor):
    """Backslash escapes are kept as STX number ETX until this stage puts the characters back;
    a text without STX has none (most texts of most pages)."""

    def unescape(self, text: str) -> str:
        return super().unescape(text) if util.STX in text else text


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
                    name = plain_text(el)
                    if name is None:
                        name = html.unescape(strip_tags(render_inner_html(remove_fnrefs(el), self.md)))
                    el.attrib["id"] = unique(self.slugify(name, self.sep), used, counters)


def plain_text(heading) -> str | None:
    """A heading's name as toc finds it, when the heading is plain text: toc serialises it, puts
    back escapes and stashed HTML, cuts the tags and unescapes, which for text without markup, "<",
    ">", "&" or a placeholder (between STX and ETX) leaves its words. None for anything else."""
    text = heading.text
    if len(heading) or not text:
        return None
    for special in PLAIN_TEXT_BREAKERS:
        if special in text:
            return None
    return " ".join(text.split())


PLAIN_TEXT_BREAKERS = ("<", ">", "&", util.STX, util.ETX)


class HeadingIdsExtension(TocExtension):
    TreeProcessorClass = HeadingIdsProcessor


# --- Active content: what a page may not publish ----------------------------------------------------
# The site promises a strict Content-Security-Policy (no script, no style written in a page): a
# page body that carries either would break under it, and run where the policy is missing.

ACTIVE_TAGS = frozenset({"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
                         "form", "meta", "link", "svg", "math", "template", "noscript"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "background", "cite", "data",
                            "xlink:href", "srcset"})
ACTIVE_SCHEMES = ("javascript:", "data:", "vbscript:")
PLAIN_MARKDOWN = "scrivi il contenuto in Markdown semplice"


@dataclass(frozen=True)
class Active:
    """Something active in a page body: how to find it in the page's source, and what to say."""

    needles: tuple[str, ...]   # the first one found in the source gives the line and column
    message: str


def active_content(body_html: str, has_raw_html: bool) -> list[Active]:
    """Elements, attributes and links of a converted body that would run code or style. A body
    whose source has no "<" has no HTML of its own: only its links can be active."""
    if not has_raw_html:
        found = []
        for match in LINK_VALUE_RE.finditer(body_html):
            value = html.unescape(match[2])
            scheme = active_scheme(value)
            if scheme:
                found.append(Active((value,), active_link_message(value, scheme)))
        return found
    finder = ActiveContentFinder()
    finder.feed(body_html)
    finder.close()
    return finder.found


LINK_VALUE_RE = re.compile(r'(href|src)="([^"]*)"')


def active_scheme(value: str) -> str | None:
    """The scheme of a link that runs code or carries its own content, as a browser reads it:
    tabs and line breaks inside are ignored, and so are spaces and control characters before."""
    if ":" not in value:   # every such scheme ends in ":"; most links are to pages (a build checks 30,000)
        return None
    cleaned = "".join(ch for ch in value if ch not in "\t\n\r").lstrip("".join(map(chr, range(33)))).lower()
    return next((scheme for scheme in ACTIVE_SCHEMES if cleaned.startswith(scheme)), None)


def active_link_message(value: str, scheme: str) -> str:
    shown = value if len(value) <= 60 else value[:57] + "..."
    return (f"il collegamento \"{shown}\" inizia con \"{scheme}\", che il sito non pubblica: scrivi un indirizzo "
            "che inizia con https://, mailto: o tel:, oppure il nome di una pagina .md")


class ActiveContentFinder(HTMLParser):
    """Reads a body's HTML as the standard library's parser does (entities decoded, names in
    lower case) and notes every active element, attribute and link."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[Active] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        written = self.get_starttag_text() or f"<{tag}"
        if tag in ACTIVE_TAGS:
            self.found.append(Active((written, f"<{tag}"), f"la pagina contiene l'elemento HTML <{tag}>, che il "
                                     "sito non pubblica: le pagine non possono eseguire codice né cambiare lo stile "
                                     f"(le regole di sicurezza del sito lo bloccano). Toglilo e {PLAIN_MARKDOWN}"))
            return
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(Active((written, name), f"l'attributo HTML \"{name}\" fa eseguire codice, che il "
                                         "sito non pubblica: toglilo; per un collegamento scrivi [testo](https://...)"))
            elif name in ("style", "srcdoc"):
                self.found.append(Active((written, name), f"l'attributo HTML \"{name}\" non è permesso: l'aspetto "
                                         f"delle pagine viene dal foglio di stile del sito. Toglilo e {PLAIN_MARKDOWN}"))
            elif name in URL_ATTRIBUTES and value and (scheme := active_scheme(value)):
                self.found.append(Active((written, value), active_link_message(value, scheme)))

    handle_startendtag = handle_starttag
