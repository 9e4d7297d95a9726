"""What publishing needs beyond the pages: the notices' Atom feed, the readability check, and a
site that works wherever it is put (domain root, sub-path, opened from disk), proven by crawling."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.request import urlopen

import pytest

from support import BASE_URL, run, source_args
from sitegen.readability import gulpease

ATOM = "{http://www.w3.org/2005/Atom}"


# -- Atom feed ---------------------------------------------------------------------------------

def test_feed_lists_the_notices_with_absolute_ids(published_site):
    feed = ET.parse(published_site / "avvisi" / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):   # RFC 4287, 4.1.1
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.findtext(f"{ATOM}id") == BASE_URL + "avvisi/"
    self_link = [link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link == [BASE_URL + "avvisi/feed.xml"]
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Dall'11 gennaio 2021 gli sportelli anche in presenza"]
    entry = entries[0]
    assert entry.findtext(f"{ATOM}id") == BASE_URL + "avvisi/sportelli-in-presenza/"
    assert entry.findtext(f"{ATOM}updated") == "2021-01-11T00:00:00Z"   # the notice's date, not the clock
    assert feed.findtext(f"{ATOM}updated") == "2021-01-11T00:00:00Z"
    assert entry.findtext(f"{ATOM}summary").startswith("L'articolo sul progetto annunciava")


def test_feed_is_announced_on_every_page_and_offered_on_the_notices_page(published_site):
    for page in published_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        announced = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]* href="([^"]+)"', text)
        assert announced, page
        if page.name != "404.html":
            assert (page.parent / announced.group(1)).resolve() == (published_site / "avvisi" / "feed.xml")
    notices = (published_site / "avvisi" / "index.html").read_text(encoding="utf-8")
    assert 'href="feed.xml">feed degli avvisi (formato Atom)</a>' in notices


def test_no_feed_without_a_base_url(built_site):
    """Atom ids must be permanent addresses: without --base-url there is no feed, nor a link to it."""
    assert not (built_site / "avvisi" / "feed.xml").exists()
    assert "application/atom+xml" not in (built_site / "index.html").read_text(encoding="utf-8")


def test_a_new_notice_leads_the_feed(sources, tmp_path, capsys):
    (sources / "content" / "avvisi" / "nuovo.md").write_text(
        "---\ntitolo: Un avviso di prova\ndescrizione: Solo per la prova.\ndata: 2022-03-04\n---\nTesto.\n",
        encoding="utf-8")
    out = tmp_path / "s"
    assert run(["build", "--out", str(out), "--base-url", BASE_URL] + source_args(sources), capsys)[0] == 0
    feed = ET.parse(out / "avvisi" / "feed.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles[0] == "Un avviso di prova" and len(titles) == 2
    assert feed.findtext(f"{ATOM}updated") == "2022-03-04T00:00:00Z"


# -- readability -------------------------------------------------------------------------------

def test_gulpease_follows_its_formula():
    # 2 sentences, 13 words, 84 letters: 89 + (300 * 2 - 10 * 84) / 13 = 70.54
    text = ("<p>Questa frase contiene parole abbastanza lunghe davvero.</p>"
            "<p>Anche questa seconda frase porta qualcosa!</p>")
    assert gulpease(text) == 71
    # Long words in one sentence: hard. 1 sentence, 8 words ("sull'" is one), 97 letters:
    # 89 + (300 - 970) / 8 = 5.25
    hard = "<p>Considerazioni amministrative sull'interoperabilità documentale intercomunale precedentemente menzionata.</p>"
    assert gulpease(hard) == 5
    assert gulpease("<p>Sì. No. Sì.</p>") == 100   # the formula gives more; the scale stops at 100
    assert gulpease("<p>   </p>") is None


def test_headings_and_list_items_count_as_sentences():
    items = "<ul><li>Gussola</li><li>Casalmaggiore</li></ul>"
    assert gulpease(items) == gulpease("<p>Gussola. Casalmaggiore.</p>")


def test_check_reports_the_index_of_every_page(sources, capsys):
    status, out, _ = run(["check"] + source_args(sources), capsys)
    assert status == 0
    pages = sorted(p.relative_to(sources).as_posix() for p in (sources / "content").rglob("*.md"))
    listed = re.findall(r"^\s+(\d+|senza testo)  (\S+)", out, re.MULTILINE)
    assert sorted(source for _, source in listed) == pages
    assert all(int(value) >= 60 for value, _ in listed if value.isdigit())   # the real pages read easily


def test_a_hard_page_gets_a_warning_and_fails_strict(sources, capsys):
    page = sources / "content" / "difficile.md"
    page.write_text("---\ntitolo: Difficile\ndescrizione: Una prova.\n---\n\nLe considerazioni amministrative sull'interoperabilità "
                    "documentale intercomunale precedentemente menzionata costituiscono presupposto "
                    "imprescindibile dell'organizzazione.\n", encoding="utf-8")
    status, out, err = run(["check"] + source_args(sources), capsys)
    assert status == 0
    assert ("content/difficile.md:6: avviso: testo difficile da leggere: indice Gulpease 0, sotto 60 "
            "(la soglia in sito.yaml). Scrivi frasi più brevi, una idea per frase, e usa parole di tutti "
            "i giorni") in err.splitlines()
    assert "content/difficile.md  <- da semplificare" in out
    assert run(["check", "--strict"] + source_args(sources), capsys)[0] == 1


def test_the_threshold_comes_from_the_settings(sources, capsys):
    settings = sources / "sito.yaml"
    settings.write_text("leggibilita_minima: 95\n", encoding="utf-8")
    status, out, err = run(["check", "--settings", str(settings)] + source_args(sources), capsys)
    assert status == 0
    assert "sotto 95 è difficile" in out
    warned = re.findall(r"^(content/\S+):\d+: avviso: testo difficile", err, re.MULTILINE)
    shown = re.findall(r"^\s+(\d+)  (\S+)", out, re.MULTILINE)
    assert sorted(warned) == sorted(source for value, source in shown if int(value) < 95) != []


def test_a_wrong_threshold_is_an_error_with_its_line(sources, capsys):
    settings = sources / "sito.yaml"
    settings.write_text("# impostazioni\nleggibilita_minima: tanta\n", encoding="utf-8")
    status, _, err = run(["check", "--settings", str(settings)] + source_args(sources), capsys)
    assert status == 1
    assert ('sito.yaml:2:21: errore: leggibilita_minima deve essere un numero intero da 0 a 100, non "tanta" '
            "(l'indice Gulpease va da 0, difficilissimo, a 100, facilissimo; consigliato 60)") in err.splitlines()


# -- crawling the site where it will live --------------------------------------------------------

class _Links(HTMLParser):
    """Every address a page leads to or loads, and every id it has."""

    def __init__(self):
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "link" and attrs.get("rel") == "canonical":
            return   # the public address, not a file of this copy
        for name in ("href", "src"):
            if attrs.get(name):
                self.targets.append(attrs[name])


def parse(body: bytes) -> _Links:
    links = _Links()
    links.feed(body.decode("utf-8"))
    return links


def crawl(start: str, top: str) -> set[str]:
    """Follows every link under `top` from `start`; fails on anything that doesn't load, on a
    folder address (it shows a file listing on disk) and on a missing #anchor. Returns the
    addresses visited."""
    seen: set[str] = set()
    todo = [start]
    pages: dict[str, _Links] = {}
    anchors: list[tuple[str, str, str]] = []
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        assert not url.endswith("/"), f"link to a folder, not a file: {url}"
        try:
            with urlopen(url) as response:
                body = response.read()
        except (HTTPError, OSError) as exc:
            raise AssertionError(f"{url}: {exc}") from None
        if not url.endswith(".html"):
            continue
        pages[url] = parse(body)
        for target in pages[url].targets:
            absolute, fragment = urldefrag(urljoin(url, target))
            if not absolute.startswith(top):
                assert urlsplit(absolute).scheme in ("mailto", "tel", "https"), f"{url} -> {target}"
                continue
            if fragment:
                anchors.append((url, absolute, fragment))
            todo.append(absolute)
    for url, absolute, fragment in anchors:
        assert fragment in pages[absolute].ids, f"{url} -> #{fragment}"
    return seen


def site_files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}


def reachable(site: Path) -> set[str]:
    """Every file a visitor can reach: all but the 404 page, the files for robots,
    and the marker that tells the build the folder is its own."""
    return site_files(site) - {"404.html", "robots.txt", "sitemap.xml", ".activitycr-site"}


def test_crawl_at_a_domain_root(built_site, http_root):
    top = http_root(built_site)
    visited = crawl(top + "index.html", top)
    assert {u[len(top):] for u in visited} == reachable(built_site)


def test_crawl_under_a_sub_path(published_site, http_root, tmp_path):
    host = tmp_path / "concass"
    shutil.copytree(published_site, host / "activity-cr")
    top = http_root(host) + "activity-cr/"
    visited = crawl(top + "index.html", top)
    assert {u[len(top):] for u in visited} == reachable(published_site)
    # The 404 page is served for any missing address, at any depth: its links start from the sub-path.
    crawl(top + "404.html", top)
    crawl(top + "avvisi/feed.xml", top)


def test_crawl_from_disk(built_site):
    top = built_site.resolve().as_uri() + "/"
    visited = crawl(top + "index.html", top)
    assert {u[len(top):] for u in visited} == reachable(built_site)


def test_the_crawler_sees_a_broken_link(built_site, tmp_path):
    """The crawl tests can fail: a page pointing at a missing file, or at a folder, is caught."""
    copy = tmp_path / "site"
    shutil.copytree(built_site, copy)
    page = copy / "progetto" / "index.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</main>", '<a href="../manca.html">x</a></main>', 1), encoding="utf-8")
    top = copy.resolve().as_uri() + "/"
    with pytest.raises(AssertionError, match="manca.html"):
        crawl(top + "index.html", top)
    page.write_text(text.replace("</main>", '<a href="../sportelli/">x</a></main>', 1), encoding="utf-8")
    with pytest.raises(AssertionError, match="link to a folder"):
        crawl(top + "index.html", top)
