"""Python-Markdown, set up once per process, with shortcuts that leave its output unchanged.

Python-Markdown tries each of its inline patterns (code, escapes, links, images, autolinks, raw
HTML, entities, emphasis) on every piece of text, one regular expression after another, and each
block processor (tables, headings, rules, references) on every block. Most pieces hold
none of the characters a match must contain: a link needs "[", emphasis "*" or "_", a table "|",
a heading "#". The shortcuts here skip a pattern or a block processor for a piece that lacks all
of them, and the whole-text stages (raw HTML, escapes) for a page that has none of what they act
on. A pattern is skipped only when its regular expression is the one
written below: should an upgrade change it, it simply runs every time.

Only Python-Markdown's public extension points are used: each shortcut is a processor of our own
that takes a stock one's place in its registry (same name, same priority, checked to keep the
order) and hands it the work it cannot skip. Headings get their ids from a small processor of our
own (HeadingIdsExtension), not from the toc extension, which also builds a table of contents no
page shows. tests/test_markup.py converts the same texts with and without the shortcuts and
compares, and compares the ids with toc's."""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
from markdown import util
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.extensions.toc import slugify
from markdown.inlinepatterns import HTML_RE, InlineProcessor, Pattern
from markdown.preprocessors import HtmlBlockPreprocessor, Preprocessor
from markdown.treeprocessors import Treeprocessor, UnescapeTreeprocessor

# Pinned so that an upgrade of Python-Markdown cannot change the output by itself; the headings'
# ids come from HeadingIdsExtension, below.
MARKDOWN_EXTENSIONS = ("tables", "sane_lists")

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

# The priorities Python-Markdown registers its own stages with (markdown/inlinepatterns.py,
# blockprocessors.py, treeprocessors.py, preprocessors.py and the tables extension). A registry
# has no public way to read a priority back: a replacement is registered with these, and kept
# only if the registry's order is then the same as before (else the stock stage runs).
INLINE_PRIORITIES = {"backtick": 190, "escape": 180, "reference": 170, "link": 160, "image_link": 150,
                     "image_reference": 140, "short_reference": 130, "short_image_ref": 125, "autolink": 120,
                     "automail": 110, "linebreak": 100, "html": 90, "entity": 80, "em_strong": 60}
BLOCK_PRIORITIES = {"table": 75, "hashheader": 70, "setextheader": 60, "hr": 50, "reference": 15}
HTML_BLOCK_PRIORITY = 20    # preprocessors
UNESCAPE_PRIORITY = 0       # treeprocessors
HEADING_IDS_PRIORITY = 5    # treeprocessors: after the inline stage (20) and prettify (10), as toc's
PLAIN_TEXT_PRIORITY = 25    # treeprocessors: just before the inline stage
FORGET_ANSWERS_PRIORITY = 100   # preprocessors: before all of them (the first stock one is at 30)

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
    refused: set[str] = set()
    while True:   # a replacement that moved a stage is left out, and the converter made again
        converter = QuickMarkdown(extensions=extensions(), output_format="html")
        moved = add_shortcuts(converter, refused)
        if not moved:
            return converter
        refused |= moved


def stock_markdown() -> markdown.Markdown:
    """The same converter without the shortcuts: what tests compare against."""
    return markdown.Markdown(extensions=extensions(), output_format="html")


def extensions() -> list:
    return [HeadingIdsExtension(), *MARKDOWN_EXTENSIONS]


def add_shortcuts(converter: markdown.Markdown, refused: set[str]) -> set[str]:
    """Put each shortcut in its stage's place; the names (registry/name) of those that would
    change the order of a registry, and so must be left out."""
    moved: set[str] = set()

    def replace(registry, kind: str, name: str, priority: int, make) -> None:
        key = f"{kind}/{name}"
        if key in refused or name not in registry:
            return
        stock = registry[name]
        quick = make(stock)
        if quick is None:
            return
        before = list(registry)
        registry.deregister(name)
        registry.register(quick, name, priority)
        after = list(registry)
        if len(after) != len(before) or any(a is not (stock if b is quick else b) for a, b in zip(before, after)):
            moved.add(key)

    replace(converter.preprocessors, "pre", "html_block", HTML_BLOCK_PRIORITY,
            lambda stock: QuickHtmlBlockPreprocessor(converter) if type(stock) is HtmlBlockPreprocessor else None)
    replace(converter.treeprocessors, "tree", "unescape", UNESCAPE_PRIORITY,
            lambda stock: QuickUnescapeTreeprocessor(converter)
            if type(stock) is UnescapeTreeprocessor and QuickUnescapeTreeprocessor.RE.pattern == ESCAPED else None)
    for name, priority in INLINE_PRIORITIES.items():
        replace(converter.inlinePatterns, "inline", name, priority,
                lambda stock, name=name: None if stock is getattr(converter, "delimiters", None)
                else guarded_pattern(name, stock))
    for name, priority in BLOCK_PRIORITIES.items():
        replace(converter.parser.blockprocessors, "block", name, priority,
                lambda stock, name=name: guarded_block_processor(name, stock))
    if "tree/plain_text" not in refused and "inline" in converter.treeprocessors:
        converter.treeprocessors.register(PlainTextTreeprocessor(converter), "plain_text", PLAIN_TEXT_PRIORITY)
        index = converter.treeprocessors.get_index_for_name
        if index("plain_text") + 1 != index("inline"):
            moved.add("tree/plain_text")
    return moved


class QuickMarkdown(markdown.Markdown):
    """Python-Markdown asks is_block_level() about every element, its children and every stashed
    piece of HTML: a lower-cased search of a list of some fifty names each time. A page has a few
    tags: the answers are kept for the page (the list does not change while a page converts)."""

    def __init__(self, **kwargs):
        self.block_level_answers: dict = {}
        super().__init__(**kwargs)
        # Forgotten as each page begins (block_level_elements may change between pages): by a
        # first preprocessor rather than in convert(), which would put one more frame under the
        # whole conversion, and quotes stop nesting near the recursion limit.
        self.preprocessors.register(ForgetAnswers(self), "forget_block_level_answers", FORGET_ANSWERS_PRIORITY)

    def is_block_level(self, tag) -> bool:
        try:
            return self.block_level_answers[tag]
        except KeyError:
            self.block_level_answers[tag] = answer = super().is_block_level(tag)
            return answer


class ForgetAnswers(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        self.md.block_level_answers.clear()
        return lines


# --- Inline patterns ---------------------------------------------------------------------------

def needs_of(name: str, pattern) -> tuple[str, ...] | None:
    """What a match of this pattern must contain; None when unknown (then it always runs)."""
    expression = getattr(getattr(pattern, "compiled_re", None), "pattern", None)
    known = NEEDS.get(name)
    return known[1] if known and known[0] == expression else None


# Python-Markdown 3.8 and later keep the emphasis pattern as the converter's `delimiters` too, and
# forget it at reset() once it is not in the registry: that one stays as it is (its search is a
# single character class; the plain-text stage below still knows what it needs).


def guarded_pattern(name: str, pattern) -> GuardedPattern | None:
    """The pattern behind a guard, or None to leave it as it is: a pattern of another kind than
    the stock ones, or one whose expression is not the one known here."""
    if not isinstance(pattern, InlineProcessor) or type(pattern).getCompiledRegExp is not Pattern.getCompiledRegExp:
        return None
    needs = needs_of(name, pattern)
    return None if needs is None else GuardedPattern(pattern, NEEDS[name][0], needs)


class GuardedPattern(InlineProcessor):
    """Stands in a converter's inline patterns for a stock pattern. Python-Markdown's inline stage
    reads a pattern's ANCESTOR_EXCLUDES, searches the text with getCompiledRegExp().finditer() and
    hands each match to handleMatch(): here the search ends at once, with no match, for a text
    without any of the strings every match contains, and the rest is the stock pattern's own.
    Its expression is looked at again whenever it is another object (emphasis characters can be
    added to a converter): one that is no longer the known one is searched with every time."""

    def __init__(self, pattern: InlineProcessor, expression: str, needs: tuple[str, ...]):
        super().__init__(expression, pattern.md)
        self.stock = pattern
        self.expression = expression
        self.needs = needs
        self.ANCESTOR_EXCLUDES = pattern.ANCESTOR_EXCLUDES
        self.handleMatch = pattern.handleMatch   # the stock pattern's method itself: no frame added
        self.seen = None                         # the stock expression the guard was made for
        self.guard: Guard | re.Pattern | None = None

    def getCompiledRegExp(self):  # noqa: N802 (Python-Markdown's name)
        compiled = self.stock.compiled_re
        if compiled is not self.seen:
            self.seen = compiled
            self.guard = Guard(compiled, self.needs) if compiled.pattern == self.expression else compiled
        return self.guard

    def type(self) -> str:
        return self.stock.type()


class Guard:
    """A compiled expression's search methods, answering "no match" at once for a text that lacks
    every string a match contains."""

    __slots__ = ("compiled", "needs", "pattern")

    def __init__(self, compiled: re.Pattern, needs: tuple[str, ...]):
        self.compiled = compiled
        self.needs = needs
        self.pattern = compiled.pattern

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        for literal in self.needs:   # a plain loop: any() with a generator costs more than the test
            if literal in text:
                return self.compiled.finditer(text, pos, endpos)
        return ()

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        for literal in self.needs:
            if literal in text:
                return self.compiled.search(text, pos, endpos)
        return None

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        for literal in self.needs:
            if literal in text:
                return self.compiled.match(text, pos, endpos)
        return None


KNOWN_EXPRESSIONS = {expression: needs for expression, needs in NEEDS.values()}


def pattern_needs(pattern) -> tuple[str, ...] | None:
    """What a match of a registered pattern must contain, when known: a guarded one's needs, or a
    stock pattern's (left unguarded) whose expression is one of those written here."""
    if isinstance(pattern, GuardedPattern):
        return pattern.needs if isinstance(pattern.getCompiledRegExp(), Guard) else None
    if isinstance(pattern, InlineProcessor) and type(pattern).getCompiledRegExp is Pattern.getCompiledRegExp:
        return KNOWN_EXPRESSIONS.get(getattr(pattern.compiled_re, "pattern", None))
    return None


class PlainTextTreeprocessor(Treeprocessor):
    """Runs just before the inline stage and marks as AtomicString (Python-Markdown's documented
    way to keep a text from the inline patterns) every text that lacks all that any pattern's
    match contains: the inline stage then leaves it as it is, which is what its patterns would do
    one by one. Only while every inline pattern's needs are known: a pattern of any other kind,
    or one whose expression changed, could match anything."""

    def run(self, root) -> None:
        needs = {util.STX: None}   # not a text with placeholders, whatever made them; in order
        for pattern in self.md.inlinePatterns:
            known = pattern_needs(pattern)
            if known is None:
                return
            needs.update(dict.fromkeys(known))
        for el in root.iter():
            el.text = plain_as_atomic(el.text, needs)
            el.tail = plain_as_atomic(el.tail, needs)


def plain_as_atomic(text: str | None, needs: dict[str, None]) -> str | None:
    """The text as an AtomicString when it holds none of `needs`; otherwise as it was."""
    if not text or isinstance(text, util.AtomicString):
        return text
    for literal in needs:   # a plain loop: any() with a generator costs more than the test
        if literal in text:
            return text
    return util.AtomicString(text)


# --- Block processors ---------------------------------------------------------------------------

def block_needs_of(name: str, processor) -> tuple[str, ...] | None:
    """What every block this processor takes contains; None when unknown (then it always runs)."""
    known = BLOCK_NEEDS.get(name)
    if known is None:
        return None
    attribute, expression, needs = known
    return needs if getattr(getattr(processor, attribute, None), "pattern", None) == expression else None


def guarded_block_processor(name: str, processor) -> GuardedBlockProcessor | None:
    needs = block_needs_of(name, processor)
    return None if needs is None else GuardedBlockProcessor(processor, needs)


class GuardedBlockProcessor(BlockProcessor):
    """Stands in the block parser for a stock processor: its test answers "no" at once for a block
    that lacks what the processor looks for, and asks the stock test otherwise; the run is the
    stock processor's own."""

    def __init__(self, processor: BlockProcessor, needs: tuple[str, ...]):
        super().__init__(processor.parser)
        self.stock = processor
        self.needs = needs
        self.stock_test = processor.test
        # The stock method itself, not a method calling it: a run that parses nested blocks would
        # otherwise put one more frame under them, and quotes stop nesting near the recursion limit.
        self.run = processor.run

    def test(self, parent, block: str) -> bool:
        for literal in self.needs:
            if literal in block:
                return self.stock_test(parent, block)
        return False


# --- Whole-text stages ----------------------------------------------------------------------------

class QuickHtmlBlockPreprocessor(HtmlBlockPreprocessor):
    """Raw HTML blocks are found by running an HTML parser over the whole text; a text without
    "<" has no tag and, without "&", no character reference for the parser to rewrite."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines)
        if "<" in source or "&" in source:
            return super().run(lines)
        return lines


ESCAPED = rf"{util.STX}(\d+){util.ETX}"   # how the inline stage keeps a backslash-escaped character
ESCAPED_RE = re.compile(ESCAPED)


class QuickUnescapeTreeprocessor(UnescapeTreeprocessor):
    """Backslash escapes are kept as STX number ETX until this stage puts the characters back;
    a text without STX has none (most texts of most pages)."""

    def unescape(self, text: str) -> str:
        return super().unescape(text) if util.STX in text else text


# --- Headings' ids ----------------------------------------------------------------------------------

class HeadingIdsExtension(Extension):
    """Gives every heading an id made from its words, as the toc extension does ("Chi può
    partecipare" -> "chi-puo-partecipare", then "chi-puo-partecipare_1" for the second one), for
    links such as pagina.md#chi-puo-partecipare. toc would also build, serialise and search the
    page for a table of contents that no page shows: that took as long again as the ids."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(HeadingIdsProcessor(md), "heading_ids", HEADING_IDS_PRIORITY)


HEADING_TAG_RE = re.compile("[Hh][123456]")   # toc's
ID_COUNT_RE = re.compile(r"^(.*)_([0-9]+)$")    # an id that ends in a count: "titolo_2"
ID_SEPARATOR = "-"


class HeadingIdsProcessor(Treeprocessor):
    def run(self, root) -> None:
        used: set[str] = set()
        headings = []
        for el in root.iter():
            if "id" in el.attrib:
                used.add(el.attrib["id"])
            elif isinstance(el.tag, str) and HEADING_TAG_RE.match(el.tag):
                headings.append(el)
        counters: dict[str, int] = {}
        for el in headings:
            el.set("id", unique_id(slugify(heading_name(el, self.md), ID_SEPARATOR), used, counters))


def heading_name(heading, md: markdown.Markdown) -> str:
    """A heading's words as toc reads them: its HTML as it will be written, without the tags and
    with character references decoded. For a heading of plain text (no markup, no "<", ">", "&"
    or placeholder between STX and ETX) that is its text."""
    text = heading.text
    if not len(heading) and text:
        for special in PLAIN_TEXT_BREAKERS:
            if special in text:
                break
        else:
            return text
    written = md.serializer(heading)
    inner = ESCAPED_RE.sub(lambda m: chr(int(m[1])), written[written.index(">") + 1:written.rindex("<")].strip())
    for postprocessor in md.postprocessors:   # puts back stashed raw HTML
        inner = postprocessor.run(inner)
    return html.unescape(strip_tags(inner.strip()))


PLAIN_TEXT_BREAKERS = ("<", ">", "&", util.STX, util.ETX)


def strip_tags(text: str) -> str:
    """Text without HTML comments and tags (quoted attribute values respected), spaces collapsed."""
    while (start := text.find("<!--")) != -1 and (end := text.find("-->", start)) != -1:
        text = text[:start] + text[end + 3:]
    return " ".join(re.sub(HTML_RE, "", text, flags=re.DOTALL).split())


def unique_id(wanted: str, used: set[str], counters: dict[str, int]) -> str:
    """`wanted`, or when it is taken or empty the first of wanted_1, wanted_2, ... that is free
    (from wanted_3 on when `wanted` is itself "x_2"): toc's rule. `counters` remembers, for each
    base, how many suffixes from _1 on are known to be taken, so that many equal headings do not
    try every suffix again."""
    if wanted in used or not wanted:
        m = ID_COUNT_RE.match(wanted)
        base, count = (m[1], int(m[2])) if m else (wanted, 0)
        known = counters.get(base, 0)
        contiguous = count <= known + 1 and (count == 0 or wanted == f"{base}_{count}")
        count = max(count, known) + 1
        while f"{base}_{count}" in used:
            count += 1
        wanted = f"{base}_{count}"
        if contiguous:
            counters[base] = count
    used.add(wanted)
    return wanted


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


def active_content(body_html: str, has_raw_html: bool, links: list[str]) -> list[Active]:
    """Elements, attributes and links of a converted body that would run code or style. A body
    whose source has no "<" has no HTML of its own: only its links (every href and src, as
    written) can be active."""
    if not has_raw_html:
        found = []
        for value in links:
            scheme = active_scheme(value)
            if scheme:
                found.append(Active((value,), active_link_message(value, scheme)))
        return found
    finder = ActiveContentFinder()
    finder.feed(body_html)
    finder.close()
    return finder.found


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
