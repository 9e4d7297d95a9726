"""The built site: one page per comune with its desk's contacts, the finder, dates, determinism."""

from __future__ import annotations

import html
import json
import re
from datetime import date

import yaml

from bench.corpus import contacts_yaml
from sitegen.render import of_date, since_date, to_date
from support import PROJECT, TODAY, comune_page, run, source_args

DATA = yaml.safe_load((PROJECT / "data" / "contacts.yaml").read_text(encoding="utf-8"))
MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
          "ottobre", "novembre", "dicembre")
ARTICLE_DESKS = {
    # Contacts exactly as the source article publishes them, independent of the data file.
    "Casalmaggiore": ("Energheia Impresa Sociale", ["tel:+3903754020", "tel:+393247480228"],
                      "casalmaggiore@energheiaimpresa.it"),
    "other": ("Mestieri Lombardia", ["tel:+3903721786314", "tel:+393404691081"], "cremona@mestierilombardia.it"),
}


def test_every_comune_page_carries_its_desks_contacts(built_site):
    assert len(DATA["comuni"]) == 17
    for comune in DATA["comuni"]:
        slug = re.sub(r"[^a-z0-9]+", "-", comune["nome"].lower().replace("'", " ")).strip("-")
        page = comune_page(built_site, slug)
        operator, phones, email = ARTICLE_DESKS.get(comune["nome"], ARTICLE_DESKS["other"])
        h1 = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
        assert comune["nome"].replace("'", "&#39;") in h1
        assert operator in page
        for tel in phones:
            assert f'href="{tel}' in page, (slug, tel)
        assert f'href="mailto:{email}"' in page
        assert "gratuito" in page


def test_extension_is_said_inside_the_link_that_calls(built_site):
    """The instruction is part of the tap target, so it is read (and heard) before the call."""
    page = comune_page(built_site, "gussola")
    link = re.search(r'<a class="contatto" href="tel:\+3903721786314">(.*?)</a>', page, re.S).group(1)
    assert "poi chiedi l'interno 1" in link
    assert "interno" not in comune_page(built_site, "casalmaggiore")


def test_casalmaggiore_is_served_by_energheia_only(built_site):
    page = comune_page(built_site, "casalmaggiore")
    assert "energheiaimpresa.it" in page
    assert "mestierilombardia.it" not in page


def test_slugs_follow_the_official_names(built_site):
    folders = sorted(p.name for p in (built_site / "sportelli").iterdir() if p.is_dir())
    assert "cingia-de-botti" in folders and "rivarolo-del-re-ed-uniti" in folders
    assert len(folders) == 17


def test_no_page_for_a_comune_outside_the_consortium(built_site):
    for outside in ("cremona", "viadana", "cicognolo", "bonemerse"):
        assert not (built_site / "sportelli" / outside).exists()


def test_finder_lists_all_17_comuni_a_to_z_without_javascript(built_site):
    page = (built_site / "sportelli" / "index.html").read_text(encoding="utf-8")
    listing = re.search(r'<ul class="elenco-comuni".*?</ul>', page, re.S).group(0)
    links = re.findall(r'<a href="([a-z0-9-]+)/index.html" translate="no">([^<]+)</a>', listing)
    assert len(links) == 17
    assert [slug for slug, _ in links] == sorted(slug for slug, _ in links)
    text = re.sub(r"<[^>]+>", "", listing)
    assert "Frazioni: Agoiolo" in text and "CAP 26041" in text
    for slug, _ in links:
        assert (built_site / "sportelli" / slug / "index.html").is_file()


def test_in_person_mode_starts_on_11_january_2021(sources, tmp_path, capsys):
    def mode_text(day: str) -> str:
        out = tmp_path / f"site-{day}"
        args = ["build", "--out", str(out)] + source_args(sources)[:-2] + ["--today", day]
        assert run(args, capsys)[0] == 0
        return html.unescape(re.search(r"<main.*</main>", comune_page(out, "gussola"), re.S).group(0))

    before, on_the_day = mode_text("2021-01-10"), mode_text("2021-01-11")
    assert "solo online" in before and "solo su appuntamento" not in before
    assert ("avrebbero lavorato online e, dall'11 gennaio 2021, anche in una sede, dove si va "
            "<strong>solo su appuntamento</strong>") in on_the_day
    assert "solo online" not in on_the_day


def test_two_builds_are_byte_identical(sources, tmp_path, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_source_date_epoch_sets_the_build_day(sources, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1610236800")   # 2021-01-10 00:00 UTC
    args = ["build", "--out", str(tmp_path / "s"), "--content", str(sources / "content"),
            "--data", str(sources / "data" / "contacts.yaml")]
    assert run(args, capsys)[0] == 0
    assert "solo online" in comune_page(tmp_path / "s", "gussola")


def test_links_between_pages_become_relative_urls(built_site):
    notice = (built_site / "avvisi" / "sportelli-in-presenza" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../sportelli/index.html"' in notice
    assert ".md\"" not in notice


def test_every_internal_link_resolves_in_the_built_site(built_site):
    for page in built_site.rglob("*.html"):
        for target in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            resolved = (page.parent / target.split("#")[0]).resolve()
            assert resolved.is_file(), f"{page.relative_to(built_site)} -> {target}"


def test_published_site_has_canonical_urls_and_sitemap(published_site):
    page = comune_page(published_site, "gussola")
    assert '<link rel="canonical" href="https://www.example.org/activity-cr/sportelli/gussola/">' in page
    sitemap = (published_site / "sitemap.xml").read_text()
    assert sitemap.count("<loc>") == len(list(published_site.rglob("index.html")))
    assert "404" not in sitemap
    not_found = (published_site / "404.html").read_text(encoding="utf-8")
    assert 'href="/activity-cr/sportelli/index.html"' in not_found


def test_vcard_of_each_desk(built_site):
    card = (built_site / "sportelli" / "mestieri-cremona.vcf").read_bytes().decode()
    assert 'TEL;VALUE=uri;TYPE="work,voice":tel:+3903721786314;ext=1\r\n' in card   # RFC 6350 / 3966
    assert "TEL;VALUE=uri;TYPE=cell:tel:+393404691081\r\n" in card
    assert "EMAIL;TYPE=work:cremona@mestierilombardia.it" in card
    assert 'href="../mestieri-cremona.vcf"' in comune_page(built_site, "gussola")


def test_every_page_has_the_shell(built_site):
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert text.startswith('<!doctype html>\n<html lang="it">'), page
        assert 'class="salta" href="#contenuto"' in text
        assert "Fondo sociale europeo" in text and "Regione Lombardia" in text and "Unione europea" in text
        assert "Dichiarazione di accessibilità</a>" in text and "https://www.concass.it/" in text
        assert "http://" not in text.replace("http://www.sitemaps.org", "")


def test_a_desk_with_many_comuni_points_to_the_finder_instead_of_listing_them(sources, tmp_path, capsys):
    """Up to 30 comuni are named on each desk page; a desk of hundreds (a province) links the finder."""
    data = tmp_path / "dati" / "grande.yaml"
    data.parent.mkdir()
    data.write_text(contacts_yaml(700), encoding="utf-8")
    out = tmp_path / "s"
    args = ["build", "--out", str(out), "--content", str(sources / "content"), "--data", str(data), "--today", TODAY]
    assert run(args, capsys)[0] == 0
    page = next((out / "sportelli").glob("*/index.html")).read_text(encoding="utf-8")
    assert re.search(r"segue i cittadini di \d+ comuni: li trovi nella pagina "
                     r'<a href="../index.html">Trova il tuo sportello</a>', page)


def test_a_desk_with_few_comuni_names_them_all(built_site):
    page = comune_page(built_site, "gussola")
    text = re.sub(r"<[^>]+>", "", page)
    assert "Mestieri Lombardia segue i cittadini di 16 comuni: Casteldidone, Spineda" in text


def test_json_ld_keeps_the_extension(built_site):
    page = comune_page(built_site, "gussola")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    phones = [p["telephone"] for p in data["availableChannel"][0]["servicePhone"]]
    assert phones == ["+39 0372 1786314 int. 1", "+39 340 4691081"]


def test_numbers_emails_and_names_are_not_translated(built_site):
    """A browser's automatic translation (what many foreign residents use) must leave them intact."""
    page = comune_page(built_site, "gussola")
    for text in ("0372 1786314", "340 4691081", "Mestieri Lombardia", "Gussola"):
        assert re.search(r'<(span|strong)[^>]* translate="no">' + re.escape(text) + "</", page), text
    assert 'translate="no">cremona@<wbr>mestierilombardia<wbr>.it' in page


def test_dates_elide_the_article_before_a_vowel():
    assert of_date(date(2021, 1, 11)) == "dell'11 gennaio 2021"
    assert of_date(date(2021, 1, 2)) == "del 2 gennaio 2021"
    assert since_date(date(2021, 3, 8)) == "dall'8 marzo 2021"
    assert to_date(date(2021, 5, 1)) == "all'1 maggio 2021"
    assert to_date(date(2021, 5, 21)) == "al 21 maggio 2021"


def test_desk_pages_and_the_finder_say_how_old_the_information_is(built_site):
    """The date staff last checked the contacts (aggiornato_al), the source, and where news are."""
    day = DATA["aggiornato_al"]
    written = ("all'" if day.day in (1, 8, 11) else "al ") + f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    for page in [comune_page(built_site, "gussola"), comune_page(built_site, "casalmaggiore"),
                 (built_site / "sportelli" / "index.html").read_text(encoding="utf-8")]:
        found = re.search(r'<p class="fonte">Informazioni aggiornate <time datetime="([0-9-]+)">(.*?)</time>(.*?)</p>',
                          page, re.S)
        assert found and found.group(1) == day.isoformat(), found
        assert html.unescape(found.group(2)) == written   # "all'8 gennaio", the article elided before a vowel
        assert "articolo" in found.group(3) and 'href="https://www.concass.it/"' in found.group(3)


def test_a_notice_is_dated_with_the_elided_article(built_site):
    page = (built_site / "avvisi" / "sportelli-in-presenza" / "index.html").read_text(encoding="utf-8")
    assert html.unescape(re.search(r'<p class="data">(.*?)</p>', page).group(1)) == \
        'Avviso <time datetime="2021-01-11">dell\'11 gennaio 2021</time>'


def test_a_preview_asks_search_engines_not_to_index_it(sources, tmp_path, capsys):
    """--anteprima (a proposal's preview): every page says noindex; a normal build never does;
    a preview has no address of its own, so it can be neither in a sitemap nor published."""
    preview, normal = tmp_path / "anteprima", tmp_path / "normale"
    assert run(["build", "--anteprima", "--out", str(preview)] + source_args(sources), capsys)[0] == 0
    assert run(["build", "--out", str(normal)] + source_args(sources), capsys)[0] == 0
    pages = sorted(p.relative_to(preview) for p in preview.rglob("*.html"))
    assert pages and pages == sorted(p.relative_to(normal) for p in normal.rglob("*.html"))
    for page in pages:
        assert '<meta name="robots" content="noindex">' in (preview / page).read_text(encoding="utf-8")
        assert 'name="robots"' not in (normal / page).read_text(encoding="utf-8")
    assert not (preview / "sitemap.xml").exists()
    status, _, err = run(["build", "--anteprima", "--base-url", "https://www.example.org/",
                          "--out", str(tmp_path / "x")] + source_args(sources), capsys)
    assert status == 2 and "--anteprima non va con --base-url" in err
