"""The converter's shortcuts skip work, never change a byte of Python-Markdown's output."""

from __future__ import annotations

import re
from importlib.metadata import version
from types import SimpleNamespace

import markdown
import pytest
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import LinkInlineProcessor

from bench.corpus import corpus_pages
from support import PROJECT
from sitegen import markup
from sitegen.markup import (BLOCK_NEEDS, BLOCK_PRIORITIES, INLINE_PRIORITIES, NEEDS, Guard, GuardedBlockProcessor,
                            GuardedPattern, HeadingIdsProcessor, PlainTextTreeprocessor, QuickMarkdown,
                            block_needs_of, guarded_block_processor, guarded_pattern, needs_of, new_markdown,
                            stock_markdown)

# Every inline pattern, alone, mixed, nested, escaped, at the edges of a text and broken.
TRICKY = [
    "Testo semplice, senza nulla di speciale.",
    "Chiama lo `0375 40200` o scrivi a <info@esempio.it>.",
    "Un \\*asterisco\\* scritto e un \\` accento grave, \\[non un link\\].",
    "Un [link](pagina.md \"titolo\"), un [riferimento][rif] e uno [breve].\n\n[rif]: https://esempio.it\n[breve]: b.md",
    "Un'immagine ![logo](logo.png) e ![rif img][rif]\n\n[rif]: logo.png",
    "Indirizzi: <https://www.concass.it> e <mailto:a@b.it>, e uno sbagliato < https://x >.",
    "Fine riga con due spazi  \nnuova riga, e uno solo \nstessa riga.",
    "HTML: <span class=\"x\">dentro</span>, <!-- commento -->, <br/> e 3 < 4 > 2.",
    "Entità: &amp; &copy; &#169; &#xA9; & da sola, &nonesiste; &#;",
    "*corsivo*, **grassetto**, ***entrambi***, _sotto_, __doppio__, un_nome_con_trattini, 2 * 3 * 4, * solo.",
    "**[link in grassetto](a.md)** e [*corsivo nel link*](b.md) e `codice con *stelle* e [parentesi]`.",
    "``doppio `accento` grave`` e \\\\`codice dopo barra`",
    "Lista:\n\n- voce *uno*\n- voce [due](d.md)\n\n1. primo\n2. secondo `x`",
    "| a | b |\n|---|---|\n| *c* | [d](d.md) |\n| `e` | &amp; |",
    "## Titolo con *enfasi* e `codice`\n\nTesto.\n\n## Titolo con *enfasi* e `codice`",
    "[TOC]\n\n# Uno\n\n## Due &amp; tre\n\n## Due &amp; tre\n\nUn paragrafo.",
    "Titolo sottolineato\n===================\n\n### <b>HTML</b> nel titolo\n\n#### Città d'Italia",
    "> citazione con **forza** e <em>html</em>\n>\n> seconda riga",
    "    codice indentato *non enfasi* [non link](x)",
    "Parola\\_con\\_escape e C:\\\\percorso\\\\file",
    "<div>blocco html *non toccato*</div>\n\nDopo il blocco, *sì*.",
    "Un [link con `codice`](a.md) e ![immagine *strana*](i.png \"t\").",
    # each pattern alone, with none of the other patterns' characters around it
    "a `b` c", "a \\* b", "[breve]\n\n[breve]: b", "[rif][r]\n\n[r]: x", "![img][r]\n\n[r]: i",
    "[a](b)", "![a](b)", "<https://x.it>", "<a@b.it>", "riga  \naltra", "<b>x</b>", "&copy;", "*x*", "_x_",
    "",
    "*",
    "[",
    "<",
    "&",
    "`",
    # each block processor, with and without what it looks for, and its look-alikes
    "a | b\n--|--\nc | d", "| sola |\n|---|\n| cella |", "| a |\n| b |", "a | b\nnon separatore",
    "tubo | solo in una riga", "| x", "x |\n|-",
    "# uno #\n## due ##\n#senza spazio\n####### sette", "testo #non titolo", "\\# non titolo",
    "Titolo\n---", "Titolo\n= = =", "Titolo\n===\naltro", "a\n-\nb\n=",
    "---", "- - -", "***", "* * *", "___", "--", "  ---  ", "    ---", "a\n\n-- -\n\nb",
    "> uno\n> due", "a > b", ">", "   > tre spazi", "    > codice",
    "[x]: http://a.it \"t\"\n[y]: <b.it>\n\n[x] e [y]", "[x]:", "a [b]: c", "[x]:\n  http://a.it\n  'titolo'",
    # the whole-text stages: raw HTML and references, blank lines with spaces, escapes
    "a &amp b &#x41 c", "a < b", "   \n\t\n  a  \n \n", "\t- voce\n\n\tcodice",
    "\\* \\_ \\` \\\\ \\# \\. \\! \\[x\\] \\{ \\}", "<div>\n\\*x\\*\n</div>",
    # headings, plain and not, as toc names them
    "# Spazi   e\ttab\n## Non\u00a0interruzione\n### Città, perché?\n#### A & B\n##### x < y > z\n###### `c`",
    "# Uguale\n# Uguale\n# Uguale_1\n# \n#",
    "# Con \\* escape\n## Con <!-- commento --> dentro\n### *enfasi* sola",
]


def convert_both(text: str) -> tuple[str, str]:
    quick, stock = new_markdown(), stock_markdown()
    return quick.convert(text), stock.convert(text)


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_convert_as_python_markdown_does(text):
    quick, stock = convert_both(text)
    assert quick == stock


def test_every_content_page_and_a_synthetic_corpus_convert_as_python_markdown_does():
    quick, stock = new_markdown(), stock_markdown()
    texts = [p.read_text(encoding="utf-8") for p in sorted((PROJECT / "content").rglob("*.md"))]
    texts += [page.body for page in corpus_pages(40, seed=7)]
    assert len(texts) > 40
    for text in texts:
        quick.reset()
        stock.reset()
        assert quick.convert(text) == stock.convert(text)


NEEDS_WRITTEN_FOR = (3, 11)   # the Python-Markdown whose expressions NEEDS and BLOCK_NEEDS copy


def markdown_version() -> tuple[int, ...]:
    return tuple(int(part) for part in version("markdown").split(".")[:2])


class CountingExpression:
    """A compiled expression that counts the searches made with it."""

    def __init__(self, compiled: re.Pattern):
        self.compiled = compiled
        self.pattern = compiled.pattern
        self.searched: list[str] = []

    def finditer(self, text, *args):
        self.searched.append(text)
        return self.compiled.finditer(text, *args)


class CountingLink(LinkInlineProcessor):
    """The stock link pattern, with its searches counted."""

    def __init__(self, md):
        super().__init__(NEEDS["link"][0], md)
        self.compiled_re = CountingExpression(self.compiled_re)


def test_the_shortcuts_are_in_place_in_the_stock_order():
    quick, stock = new_markdown(), stock_markdown()
    assert isinstance(quick, QuickMarkdown) and type(stock) is markdown.Markdown
    emphasis = getattr(quick, "delimiters", None)   # Python-Markdown's own reference to it stays good
    assert emphasis is None or emphasis in quick.inlinePatterns
    for pattern in quick.inlinePatterns:   # guarded, or a stock one of another expression, left as it is
        assert isinstance(pattern, GuardedPattern) or pattern is emphasis or needs_of("", pattern) is None
    if markdown_version() >= NEEDS_WRITTEN_FOR:   # and with the newest, every stock expression is known
        assert all(markup.pattern_needs(pattern) is not None for pattern in quick.inlinePatterns)
        for name in BLOCK_NEEDS:
            guarded = quick.parser.blockprocessors[name]
            assert isinstance(guarded, GuardedBlockProcessor) and block_needs_of(name, guarded.stock) is not None
    assert isinstance(quick.treeprocessors["heading_ids"], HeadingIdsProcessor)
    assert isinstance(quick.treeprocessors["plain_text"], PlainTextTreeprocessor)
    assert type(quick.preprocessors["html_block"]).__name__ == "QuickHtmlBlockPreprocessor"
    assert type(quick.treeprocessors["unescape"]).__name__ == "QuickUnescapeTreeprocessor"
    added = {"preprocessors": 1, "treeprocessors": 1}   # the stage that forgets answers, the plain-text one
    for kind in ("preprocessors", "inlinePatterns", "treeprocessors", "postprocessors"):
        names = [name for name in (*INLINE_PRIORITIES, "html_block", "normalize_whitespace", "inline", "prettify",
                                   "heading_ids", "unescape", "raw_html", "amp_substitute")
                 if name in getattr(stock, kind)]
        assert [getattr(quick, kind).get_index_for_name(n) for n in names] == [
            getattr(stock, kind).get_index_for_name(n) + added.get(kind, 0) for n in names], kind
    blocks = quick.parser.blockprocessors, stock.parser.blockprocessors
    assert len(blocks[0]) == len(blocks[1])
    assert all(blocks[0].get_index_for_name(n) == blocks[1].get_index_for_name(n) for n in BLOCK_PRIORITIES)


def test_a_guard_skips_the_search_for_a_text_without_what_a_match_needs():
    converter = new_markdown()
    counting = CountingLink(converter)
    converter.inlinePatterns.deregister("link")
    converter.inlinePatterns.register(guarded_pattern("link", counting), "link", INLINE_PRIORITIES["link"])
    searched = counting.compiled_re.searched
    plain = "Testo semplice, senza nulla di speciale."
    assert converter.convert(plain) == f"<p>{plain}</p>"
    assert converter.convert("Testo *con enfasi*, senza collegamenti.").count("<em>") == 1
    assert searched == []
    assert '<a href="a.md">link</a>' in converter.convert("Un [link](a.md).")
    assert searched == ["Un [link](a.md)."]


def test_a_guard_answers_no_match_without_searching():
    counting = CountingExpression(re.compile(r"\[(\w+)\]"))
    guard = Guard(counting, ("[",))
    assert list(guard.finditer("niente")) == [] and guard.search("niente") is None and guard.match("niente") is None
    assert counting.searched == []
    assert [m[1] for m in guard.finditer("a [b] [c]")] == ["b", "c"]
    assert counting.searched == ["a [b] [c]"]


def test_a_shortcut_that_would_move_a_stage_is_left_out(monkeypatch):
    """The stock priorities are written here: a wrong one must leave the stock stage in place."""
    monkeypatch.setitem(INLINE_PRIORITIES, "link", 175)   # above "reference"
    monkeypatch.setitem(BLOCK_PRIORITIES, "hr", 65)   # above "setextheader"
    quick, stock = new_markdown(), stock_markdown()
    assert type(quick.inlinePatterns["link"]) is LinkInlineProcessor
    assert isinstance(quick.inlinePatterns["reference"], GuardedPattern)
    assert type(quick.parser.blockprocessors["hr"]).__name__ == "HRProcessor"
    for name in ("reference", "link", "image_link"):
        assert quick.inlinePatterns.get_index_for_name(name) == stock.inlinePatterns.get_index_for_name(name)
    text = "Un [link](a.md), *enfasi*, e una riga:\n\n---\n\n## Titolo"
    assert quick.convert(text) == stock.convert(text)


def test_a_pattern_whose_expression_changed_always_runs():
    assert needs_of("link", SimpleNamespace(compiled_re=re.compile(r"(?<!\!)\["))) == ("[",)
    assert needs_of("link", SimpleNamespace(compiled_re=re.compile(r"\[|\("))) is None
    assert needs_of("a_new_pattern", SimpleNamespace(compiled_re=re.compile("x"))) is None


def test_patterns_and_emphasis_characters_added_later_are_seen():
    """Extensions may add to a converter after it is made; the shortcut must not hide them."""
    from markdown.inlinepatterns import SimpleTagInlineProcessor

    quick, stock = new_markdown(), stock_markdown()
    for converter in (quick, stock):
        converter.convert("Una pagina prima.")
        converter.reset()
        if hasattr(converter, "delimiters"):   # the emphasis characters' registry, newer Python-Markdown
            converter.delimiters.add("~", "del")
        converter.inlinePatterns.register(SimpleTagInlineProcessor(r"()\+\+(.+?)\+\+", "ins"), "ins", 5)
    text = "a ~~b~~ c ++d++ e"
    assert quick.convert(text) == stock.convert(text)
    assert "<ins>d</ins>" in quick.convert(text)


def test_random_texts_of_markdown_characters_convert_as_python_markdown_does():
    """A fixed-seed fuzz over the characters the patterns care about (a reviewer ran 210,000)."""
    import random

    rng = random.Random(12)
    alphabet = ["*", "_", "[", "]", "(", ")", "!", "<", ">", "&", ";", "`", "\\", " ", "  \n", "\n", "#",
                "|", "-", "a", "b", "x.it", "@", ":", "/", "1.", "amp", "\n\n", "=", "]:", "\t", " \n", "\u00a0",
                "\"", "---", "\n# ", "> ", "    "]
    quick, stock = new_markdown(), stock_markdown()
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        quick.reset()
        stock.reset()
        assert quick.convert(text) == stock.convert(text), repr(text)


class CountingTable(TableProcessor):
    def __init__(self, parser, seen: list[str]):
        super().__init__(parser, {"use_align_attribute": False})
        self.seen = seen

    def test(self, parent, block):
        self.seen.append(block)
        return super().test(parent, block)


def test_every_stock_block_processor_that_looks_for_characters_is_guarded():
    """A block without "|" never reaches the tables test; one with it does, and still makes a table."""
    converter = new_markdown()
    assert isinstance(converter.parser.blockprocessors["table"], GuardedBlockProcessor)
    seen: list[str] = []
    blocks = converter.parser.blockprocessors
    blocks.deregister("table")
    blocks.register(guarded_block_processor("table", CountingTable(converter.parser, seen)), "table",
                    BLOCK_PRIORITIES["table"])
    html = converter.convert("Un paragrafo senza tubi.\n\n| a | b |\n|---|---|\n| c | d |")
    assert seen == ["| a | b |\n|---|---|\n| c | d |"]
    assert "<table>" in html


def test_a_block_processor_whose_expression_changed_always_runs():
    assert block_needs_of("setextheader", SimpleNamespace(RE=re.compile(r"^.*?\n(?:=+|-+)[ ]*(\n|$)"))) == ("\n=", "\n-")
    assert block_needs_of("setextheader", SimpleNamespace(RE=re.compile(r"^.*?\n(?:=+|-+|~+)[ ]*(\n|$)"))) is None
    assert block_needs_of("table", SimpleNamespace()) is None
    assert block_needs_of("a_new_block", SimpleNamespace(RE=re.compile("x"))) is None


def test_block_level_answers_are_kept_for_one_page_only():
    """The converter keeps is_block_level()'s answers while a page converts; a tag made block
    level between pages is seen on the next page, as stock Python-Markdown sees it."""
    quick, stock = new_markdown(), stock_markdown()
    text = "Prima <x-voce>dentro</x-voce> dopo\n\n<x-voce>\nda sola\n</x-voce>\n\n# Titolo"
    assert quick.convert(text) == stock.convert(text)
    for converter in (quick, stock):
        converter.reset()
        converter.block_level_elements.append("x-voce")
    assert quick.convert(text) == stock.convert(text)
    assert not any(name.startswith("block_level_answers") for name in vars(stock))


# Heading ids: ours, not toc's, but the same for every heading of plain text.
TOC_EXTENSIONS = ["toc", *markup.MARKDOWN_EXTENSIONS]


def heading_ids(body: str) -> list[tuple[str, str]]:
    return re.findall(r'<h[1-6] id="([^"]*)">(.*?)</h[1-6]>', body)


def test_plain_headings_get_the_ids_toc_gives_them():
    texts = [p.read_text(encoding="utf-8") for p in sorted((PROJECT / "content").rglob("*.md"))]
    texts += [page.body for page in corpus_pages(20, seed=3)]
    texts += [text for text in TRICKY if "[TOC]" not in text]
    texts += ["# Chi può partecipare\n## Chi può partecipare\n### Chi   può\tpartecipare?\n# Uguale_1\n# Uguale\n"
              "# Uguale\n# Uguale_1\n# 2024: novità!\n# Ça va — l'Œuvre\n# \u00a0\n# -\n# _\n# x_0\n# x_0"]
    ours, toc = stock_markdown(), markdown.Markdown(extensions=TOC_EXTENSIONS, output_format="html")
    compared = 0
    for text in texts:
        ours.reset()
        toc.reset()
        mine, theirs = heading_ids(ours.convert(text)), heading_ids(toc.convert(text))
        assert [inner for _, inner in mine] == [inner for _, inner in theirs]
        for (id_, inner), (toc_id, _) in zip(mine, theirs):
            if not re.search(r"[<>&]", inner):
                assert id_ == toc_id, (text, inner)
                compared += 1
    assert compared > 100


@pytest.mark.parametrize("text,ids", [
    ("# Chi può partecipare\n## Chi può partecipare", ["chi-puo-partecipare", "chi-puo-partecipare_1"]),
    ("# Uguale\n# Uguale\n# Uguale_1\n# \n#", ["uguale", "uguale_1", "uguale_2", "_1", "_2"]),
    ("### <b>HTML</b> nel titolo", ["html-nel-titolo"]),
    ("## Titolo con *enfasi* e `codice`", ["titolo-con-enfasi-e-codice"]),
    ("# Con \\* escape\n## Con <!-- commento --> dentro\n#### A & B\n##### x < y > z", [
        "con-escape", "con-dentro", "a-b", "x-y-z"]),
])
def test_heading_ids(text, ids):
    assert [id_ for id_, _ in re.findall(r'<h[1-6] id="([^"]*)"()', new_markdown().convert(text))] == ids


def test_a_table_of_contents_marker_stays_text():
    """No page shows a table of contents: [TOC] is not special (toc is not used)."""
    assert new_markdown().convert("[TOC]\n\n# Uno") == '<p>[TOC]</p>\n<h1 id="uno">Uno</h1>'


def test_anchors_are_what_a_word_bounded_id_expression_finds():
    """anchors_of() checks the word boundary by hand; here against the expression itself."""
    import random

    from sitegen.content import anchors_of

    expression = re.compile(r'\bid="([^"]*)"')
    rng = random.Random(5)
    pieces = ['id="', "id=", '"', "x", "_", " ", "-", "é", "<h2 ", ">", 'grid="', "\n", 'a id="b"', "\u0663"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert anchors_of(text) == frozenset(expression.findall(text)), repr(text)
    assert anchors_of('<h2 id="uno">x</h2><div data-id="sì" grid="no"\nid="due">') == {"uno", "sì", "due"}


def test_quotes_nested_near_the_recursion_limit_stop_where_python_markdown_stops():
    """Python-Markdown stops nesting quotes near the recursion limit, so its output depends on
    how deep the stack is: a shortcut that added a frame changed it one time in three."""
    text = "> " * 400 + "x"

    def convert(converter, frames):   # converts from `frames` more frames down the stack
        return convert(converter, frames - 1) if frames else converter.convert(text)

    for frames in range(4):
        quick, stock = convert(new_markdown(), frames), convert(stock_markdown(), frames)
        assert quick == stock and quick.count("<blockquote>") > 100
