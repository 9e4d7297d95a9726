"""The converter's shortcuts skip work, never change a byte of Python-Markdown's output."""

from __future__ import annotations

import re
import sys
from types import SimpleNamespace

import pytest

from conftest import PROJECT
from sitegen.markup import (BLOCK_NEEDS, HeadingIdsProcessor, QuickInlineProcessor, block_needs_of, needs_of,
                            new_markdown, stock_markdown)

sys.path.insert(0, str(PROJECT / "bench"))
from corpus import corpus_pages  # noqa: E402

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


def test_the_shortcut_is_in_place_and_skips_patterns(monkeypatch):
    converter = new_markdown()
    inline = converter.treeprocessors["inline"]
    assert isinstance(inline, QuickInlineProcessor)
    assert isinstance(converter.treeprocessors["toc"], HeadingIdsProcessor)
    assert [type(converter.treeprocessors[name]).__name__ for name in ("prettify", "unescape")] == [
        "QuickPrettifyTreeprocessor", "QuickUnescapeTreeprocessor"]
    assert type(converter.preprocessors["html_block"]).__name__ == "QuickHtmlBlockPreprocessor"
    converter.convert("x")
    assert all(needs is not None for _, needs in inline.patterns)   # every stock pattern is known
    tried = []
    original = inline._InlineProcessor__applyPattern
    monkeypatch.setattr(inline, "_InlineProcessor__applyPattern",
                        lambda pattern, *args: tried.append(pattern) or original(pattern, *args))
    converter.convert("Testo semplice, senza nulla di speciale.")
    assert tried == []
    converter.convert("Un [link](a.md).")
    assert [type(p).__name__ for p in tried][:2] == ["ReferenceInlineProcessor", "LinkInlineProcessor"]


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


def test_with_another_toc_the_headings_go_through_toc_itself(monkeypatch):
    """The shortcut follows toc as of Python-Markdown 3.11; an older toc's unique() takes two arguments."""
    from markdown.extensions.toc import TocTreeprocessor

    from sitegen import markup

    monkeypatch.setattr(markup, "unique", lambda id, ids: id)
    assert type(new_markdown().treeprocessors["toc"]) is TocTreeprocessor


def test_every_stock_block_processor_that_looks_for_characters_is_guarded(monkeypatch):
    """A block without "|" never reaches the tables test; one with it does, and still makes a table."""
    from markdown.extensions.tables import TableProcessor

    seen = []
    original = TableProcessor.test
    monkeypatch.setattr(TableProcessor, "test", lambda self, parent, block: seen.append(block) or original(self, parent, block))
    converter = new_markdown()
    for name in BLOCK_NEEDS:
        assert block_needs_of(name, converter.parser.blockprocessors[name]) is not None, name
    html = converter.convert("Un paragrafo senza tubi.\n\n| a | b |\n|---|---|\n| c | d |")
    assert seen == ["| a | b |\n|---|---|\n| c | d |"]
    assert "<table>" in html


def test_a_block_processor_whose_expression_changed_always_runs():
    assert block_needs_of("setextheader", SimpleNamespace(RE=re.compile(r"^.*?\n(?:=+|-+)[ ]*(\n|$)"))) == ("\n=", "\n-")
    assert block_needs_of("setextheader", SimpleNamespace(RE=re.compile(r"^.*?\n(?:=+|-+|~+)[ ]*(\n|$)"))) is None
    assert block_needs_of("table", SimpleNamespace()) is None
    assert block_needs_of("a_new_block", SimpleNamespace(RE=re.compile("x"))) is None


def test_prettify_leaves_the_converter_as_it_found_it():
    converter = new_markdown()
    converter.convert("# Titolo\n\n- voce")
    assert "is_block_level" not in vars(converter)
    own = converter.is_block_level = lambda tag: False   # set on the converter by someone else
    converter.convert("# Titolo")
    assert converter.is_block_level is own


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
