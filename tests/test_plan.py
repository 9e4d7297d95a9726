"""Planning the site (sitegen/plan.py) in memory: where each output goes, what each link leads
to and how it is written from each page, and the mistakes found before anything is rendered.
plan_site reads and writes no file: the pages are records made here, the contacts the real
data file as the loader reads it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sitegen.contacts import Mode
from sitegen.errors import Report
from sitegen.plan import (AccessibilityInputs, ComuneInputs, FinderInputs, HomeInputs, NoInputs, NoticesInputs,
                          link_from, link_target, page_dest, plan_site, relinked_body, url_between)
from sitegen.settings import Accessibility, Settings
from support import BASE_URL, DATA, DAY, finder_page, page, planned, real_contacts

HOME = page("index.md", "Attività", kind="home")
FINDER = finder_page()


def problems_of(pages, **options) -> list[str]:
    return planned(pages, **options)[2]


def test_planning_reads_and_writes_no_file(monkeypatch):
    contacts = real_contacts()   # read before the files are closed off

    def no_files(*args, **kwargs):
        raise AssertionError(f"plan_site touched a file: {args}")

    for module, name in [("builtins", "open"), ("io", "open"), ("os", "open"), ("os", "stat"), ("os", "scandir"),
                         ("os", "listdir")]:
        monkeypatch.setattr(f"{module}.{name}", no_files)
    site, outputs, problems = planned([HOME, FINDER, page("progetto.md", links=("index.md", "logo.png"))],
                                   assets=["logo.png"], static=["static/sito.css"], base_url=BASE_URL,
                                   contacts=contacts)
    monkeypatch.undo()
    assert problems == [] and "progetto/index.html" in outputs and site.feed is None


# -- where each page goes ------------------------------------------------------------------------

@pytest.mark.parametrize("source, fields, dest", [
    ("progetto.md", {}, "progetto/index.html"),
    ("index.md", {}, "index.html"),
    ("404.md", {}, "404.html"),                       # web servers look for it at the top, by this name
    ("avvisi/index.md", {}, "avvisi/index.html"),
    ("avvisi/404.md", {}, "avvisi/404/index.html"),   # only the top 404.md is the error page
    ("avvisi/2021/orari.md", {}, "avvisi/2021/orari/index.html"),
    ("chi-siamo.md", {"slug": "noi"}, "noi/index.html"),
    ("avvisi/orari.md", {"slug": "orari-di-dicembre"}, "avvisi/orari-di-dicembre/index.html"),
    ("index.md", {"slug": "casa"}, "casa/index.html"),
])
def test_page_dest(source, fields, dest):
    assert page_dest(page(source, **fields)) == dest


def test_each_page_is_one_output_with_its_template_source_and_title():
    _, outputs, problems = planned([HOME, FINDER, page("progetto.md", "Il progetto"),
                                 page("avvisi/index.md", "Avvisi", kind="avvisi")])
    assert problems == []
    assert [(o.template, o.source, o.title) for o in (outputs["index.html"], outputs["sportelli/index.html"],
                                                       outputs["progetto/index.html"], outputs["avvisi/index.html"])] == [
        ("home.html", "content/index.md", "Attività"),
        ("sportelli.html", "content/sportelli.md", "Trova il tuo sportello"),
        ("pagina.html", "content/progetto.md", "Il progetto"),
        ("avvisi.html", "content/avvisi/index.md", "Avvisi")]


def test_sources_are_named_from_the_content_folder_given():
    _, outputs, _ = planned([HOME, FINDER], content="pagine")
    assert outputs["index.html"].source == "pagine/index.md"


def test_every_comune_gets_a_page_beside_the_finder():
    contacts = real_contacts()
    site, outputs, problems = planned([HOME, FINDER])
    assert problems == []
    comuni = {dest: o for dest, o in outputs.items() if o.template == "comune.html"}
    assert sorted(comuni) == sorted(f"sportelli/{c.slug}/index.html" for c in contacts.comuni)
    gussola = outputs["sportelli/gussola/index.html"]
    assert (gussola.source, gussola.title) == (DATA, "Sportello lavoro per Gussola")
    assert site.finder == "sportelli/index.html"
    assert "sportelli/mestieri-cremona.vcf" in site.paths   # each desk's card, beside the finder


def test_the_comune_pages_follow_the_finder_where_it_goes():
    site, outputs, problems = planned([HOME, finder_page("servizi/trova.md")])
    assert problems == []
    assert site.finder == "servizi/trova/index.html"
    assert "servizi/trova/gussola/index.html" in outputs
    assert not any(dest.startswith("sportelli/") for dest in outputs)
    assert "servizi/trova/mestieri-cremona.vcf" in site.paths


def test_the_site_knows_every_path_a_link_may_lead_to():
    site, outputs, _ = planned([HOME, FINDER, page("progetto.md")], assets=["guida.pdf"], static=["static/sito.css"])
    assert set(outputs) | {"guida.pdf", "static/sito.css", "sportelli/mestieri-cremona.vcf",
                           "sportelli/energheia-casalmaggiore.vcf"} == set(site.paths)
    assert site.dests == {"index.md": "index.html", "sportelli.md": "sportelli/index.html",
                          "progetto.md": "progetto/index.html"}


def test_the_menu_is_in_the_order_given_then_by_file_and_the_home_is_called_home():
    pages = [replace(HOME, menu=1), FINDER, page("b.md", "B", menu=2), page("a.md", "A", menu=2),
             page("fuori.md", "Fuori")]
    site, _, _ = planned(pages)
    assert [(item.title, item.target) for item in site.shared.nav] == [
        ("Home", "index.html"), ("A", "a/index.html"), ("B", "b/index.html")]


def test_notices_are_newest_first_and_a_feed_needs_a_base_url():
    pages = [HOME, FINDER, page("avvisi/index.md", kind="avvisi"),
             page("avvisi/b.md", date=date(2021, 1, 11)), page("avvisi/a.md", date=date(2021, 1, 11)),
             page("avvisi/vecchio.md", date=date(2020, 5, 1)), page("progetto.md", date=date(2022, 1, 1))]
    site, _, _ = planned(pages)
    assert [n.target for n in site.notices] == ["avvisi/a/index.html", "avvisi/b/index.html",
                                                "avvisi/vecchio/index.html"]
    assert site.feed is None
    published, _, _ = planned(pages, base_url=BASE_URL)
    assert published.feed == "avvisi/feed.xml" and "avvisi/feed.xml" in published.paths


# -- what links lead to ----------------------------------------------------------------------------

PAGES = [HOME, FINDER, page("progetto.md", anchors=("chi-siamo",)), page("avvisi/index.md", kind="avvisi"),
         page("avvisi/orari.md", slug="orari-di-dicembre")]


def target(source: str, value: str, assets=("logo.png",), static=("static/sito.css",)) -> tuple[str | None, list[str]]:
    """What a link written in content/`source` leads to, and the problems it gives."""
    site, _, _ = planned(PAGES, assets=assets, static=static)
    written_in = next(p for p in PAGES if p.source == source)
    anchors = {site.dests[p.source]: p.anchors for p in PAGES}
    report = Report()
    found = link_target(written_in, site.dests[source], value, 7, site.dests, site.paths, anchors, report)
    return found, [str(p) for p in report.sorted()]


@pytest.mark.parametrize("source, value, expected", [
    ("index.md", "progetto.md", "progetto/index.html"),
    ("index.md", "progetto.md#chi-siamo", "progetto/index.html#chi-siamo"),
    ("index.md", "avvisi/orari.md", "avvisi/orari-di-dicembre/index.html"),   # by file, wherever its slug puts it
    ("avvisi/orari.md", "../progetto.md", "progetto/index.html"),
    ("avvisi/orari.md", "index.md", "avvisi/index.html"),                      # beside the page, not the top
    ("avvisi/orari.md", "../index.md", "index.html"),
    ("progetto.md", "#chi-siamo", "progetto/index.html#chi-siamo"),
    ("index.md", "logo.png", "logo.png"),
    ("avvisi/orari.md", "../logo.png", "logo.png"),
    ("index.md", "static/sito.css", "static/sito.css"),
    ("index.md", "sportelli/", "sportelli/index.html"),
    ("index.md", "progetto/", "progetto/index.html"),                          # a page's folder
    ("index.md", "sportelli/gussola/", "sportelli/gussola/index.html"),       # a comune page, from the data
    ("avvisi/orari.md", "../sportelli/mestieri-cremona.vcf", "sportelli/mestieri-cremona.vcf"),
    ("avvisi/orari.md", "./", "avvisi/index.html"),
])
def test_a_link_leads_to_a_path_of_the_site(source, value, expected):
    assert target(source, value) == (expected, [])


@pytest.mark.parametrize("value", ["https://www.concass.it/", "mailto:a@example.org", "tel:+3903721786314",
                                   "//example.org/x"])
def test_links_to_elsewhere_are_left_as_written(value):
    assert target("index.md", value) == (None, [])


@pytest.mark.parametrize("source, value, message", [
    ("index.md", "orari.md", 'il collegamento "orari.md" porta a una pagina che non esiste (content/orari.md): '
                             "correggi il nome del file"),
    ("avvisi/orari.md", "progetto.md", 'il collegamento "progetto.md" porta a una pagina che non esiste '
                                       "(content/avvisi/progetto.md): correggi il nome del file"),
    ("index.md", "foto.png", 'il collegamento "foto.png" porta a un file che non esiste: controlla il nome, '
                             "oppure collega la pagina .md"),
    ("index.md", "/progetto.md", "il collegamento \"/progetto.md\" inizia con '/': scrivilo relativo al file, "
                                 'per esempio "progetto.md" o "../sportelli.md"'),
])
def test_a_dead_link_is_reported_where_it_is_written(source, value, message):
    assert target(source, value) == (None, [f"content/{source}:7: errore: {message}"])


@pytest.mark.parametrize("source, value", [("index.md", "progetto.md#orari"), ("progetto.md", "#orari")])
def test_a_dead_anchor_is_reported_and_the_page_still_found(source, value):
    found, problems = target(source, value)
    assert found == "progetto/index.html#orari"
    assert problems == [f"content/{source}:7: errore: nella pagina collegata non c'è il punto \"#orari\": "
                        "controlla il titolo del paragrafo a cui vuoi arrivare"]


def test_plan_site_checks_every_link_of_every_page_with_its_line():
    pages = [HOME, FINDER, page("progetto.md", links=("index.md", "manca.md", "index.md#manca"))]
    assert problems_of(pages) == [
        'content/progetto.md:11: errore: il collegamento "manca.md" porta a una pagina che non esiste '
        "(content/manca.md): correggi il nome del file",
        "content/progetto.md:12: errore: nella pagina collegata non c'è il punto \"#manca\": controlla il titolo "
        "del paragrafo a cui vuoi arrivare"]


@pytest.mark.parametrize("source, value", [("index.md", "./"), ("avvisi/orari.md", "../")])
def test_a_link_to_the_top_folder_leads_to_the_home(source, value):
    assert target(source, value) == ("index.html", [])


# -- what each output is made from --------------------------------------------------------------------
# A template gets exactly these records (and the shared parts): they are what its output's key is made of.

def test_a_comune_page_is_made_from_its_comune_desk_and_the_desks_comuni():
    contacts = real_contacts()
    site, outputs, _ = planned([HOME, FINDER], contacts=contacts)
    gussola, casalmaggiore = outputs["sportelli/gussola/index.html"], outputs["sportelli/casalmaggiore/index.html"]
    assert isinstance(gussola.inputs, ComuneInputs) and gussola.page is None and gussola.template == "comune.html"
    assert gussola.inputs.comune.name == "Gussola" and gussola.inputs.desk is gussola.inputs.comune.desk
    assert gussola.inputs.desk.key == "mestieri-cremona" and gussola.inputs.vcard == "sportelli/mestieri-cremona.vcf"
    served = tuple(c.name for c in contacts.comuni if c.desk.key == "mestieri-cremona")
    assert gussola.inputs.neighbours == served and len(served) == 16 and "Casalmaggiore" not in served
    assert casalmaggiore.inputs.neighbours == ("Casalmaggiore",)
    assert casalmaggiore.inputs.vcard == "sportelli/energheia-casalmaggiore.vcf"
    assert [s.cap for s in gussola.inputs.shared_caps] == ["26040"]   # used by comuni outside the project too
    assert gussola.inputs.mode is contacts.mode_on(DAY) and gussola.inputs.mode is not None
    assert gussola.title == "Sportello lavoro per Gussola"


def test_the_home_and_the_finder_are_made_from_every_comune():
    contacts = real_contacts()
    _, outputs, _ = planned([HOME, FINDER], contacts=contacts)
    assert outputs["index.html"].inputs == HomeInputs(contacts.comuni)
    assert outputs["sportelli/index.html"].inputs == FinderInputs(contacts)


def test_the_notices_page_is_made_from_the_notices_and_a_plain_page_from_nothing_else():
    dated = [HOME, FINDER, page("progetto.md"), page("avvisi/index.md", kind="avvisi"),
             page("avvisi/orari.md", slug="orari-di-dicembre", date=date(2021, 1, 11))]
    site, outputs, _ = planned(dated)
    assert outputs["avvisi/index.html"].inputs == NoticesInputs(site.notices)
    assert [n.target for n in site.notices] == ["avvisi/orari-di-dicembre/index.html"]
    assert outputs["progetto/index.html"].inputs == NoInputs()
    assert outputs["avvisi/orari-di-dicembre/index.html"].inputs == NoInputs()


def test_the_accessibility_statement_is_made_from_its_settings():
    statement = Accessibility(status="conforme", publisher="Con.Ca.S.S.")
    report = Report()
    _, outputs = plan_site([HOME, FINDER, page("accessibilita.md", kind="accessibilita")], [], real_contacts(), DAY,
                           None, [], report, settings=Settings(accessibility=statement))
    assert {o.dest: o.inputs for o in outputs}["accessibilita/index.html"] == AccessibilityInputs(statement)


def test_the_shared_parts_come_from_the_pages_and_the_contacts():
    contacts = real_contacts()
    site, _, _ = planned(PAGES, contacts=contacts, base_url=BASE_URL)
    assert site.shared.consortium is contacts.consortium and site.shared.updated_on == contacts.updated_on
    assert site.shared.base_url == BASE_URL and site.shared.finder == "sportelli/index.html"
    assert site.shared.feed == "avvisi/feed.xml" and site.shared.name == "ACTIVITY.CR"


# -- how a link is written from each page ---------------------------------------------------------

@pytest.mark.parametrize("from_dest, to, url", [
    ("index.html", "progetto/index.html", "progetto/index.html"),
    ("index.html", "progetto/", "progetto/index.html"),          # a folder is written with its index.html
    ("index.html", "", "index.html"),
    ("progetto/index.html", "index.html", "../index.html"),
    ("progetto/index.html", "progetto/index.html#chi-siamo", "index.html#chi-siamo"),
    ("avvisi/orari/index.html", "sportelli/", "../../sportelli/index.html"),
    ("sportelli/gussola/index.html", "sportelli/mestieri-cremona.vcf", "../mestieri-cremona.vcf"),
    ("sportelli/gussola/index.html", "sportelli/gussolaccio/index.html", "../gussolaccio/index.html"),
    ("404.html", "static/sito.css", "static/sito.css"),
])
def test_url_between(from_dest, to, url):
    assert url_between(from_dest, to) == url


@pytest.mark.parametrize("dest, to, base_url, url", [
    ("404.html", "sportelli/", BASE_URL, "/activity-cr/sportelli/index.html"),   # served at any depth
    ("404.html", "index.html#menu", "https://www.example.org/", "/index.html#menu"),
    ("404.html", "sportelli/", None, "sportelli/index.html"),   # opened from disk: relative
    ("progetto/index.html", "sportelli/", BASE_URL, "../sportelli/index.html"),
])
def test_link_from(dest, to, base_url, url):
    assert link_from(dest, to, base_url) == url


def test_a_body_is_relinked_from_where_the_page_goes():
    site, outputs, _ = planned(PAGES + [page("404.md")], assets=["logo.png"], base_url=BASE_URL)
    body = ('<p><a href="../progetto.md#chi-siamo">progetto</a> <img src="../logo.png" alt="">'
            '<a href="https://www.concass.it/?a=1&amp;b=2">consorzio</a> <a href="manca.md">rotto</a></p>')
    notice = relinked_body(outputs["avvisi/orari-di-dicembre/index.html"], body, site)
    assert notice == (
        '<p><a href="../../progetto/index.html#chi-siamo">progetto</a> <img src="../../logo.png" alt="">'
        '<a href="https://www.concass.it/?a=1&amp;b=2">consorzio</a> <a href="manca.md">rotto</a></p>')
    missing = relinked_body(outputs["404.html"], '<a href="progetto.md">progetto</a>', site)
    assert missing == '<a href="/activity-cr/progetto/index.html">progetto</a>'


# -- mistakes found before rendering -----------------------------------------------------------------

def test_there_must_be_exactly_one_finder_page():
    message = ('content: errore: serve una e una sola pagina con "tipo: sportelli" (la pagina "Trova il tuo '
               'sportello"); ora ce ne sono {}')
    _, outputs, problems = planned([HOME])
    assert problems == [message.format(0)]
    assert "sportelli/gussola/index.html" in outputs   # the comuni still go where the finder usually is
    assert problems_of([HOME, FINDER, finder_page("trova.md")]) == [message.format(2)]


def test_two_pages_on_one_address():
    assert problems_of([HOME, FINDER, page("progetto.md"), page("chi-siamo.md", slug="progetto")]) == [
        'content/chi-siamo.md:1: errore: questa pagina finirebbe nello stesso indirizzo "progetto/" di '
        'content/progetto.md: cambia il nome del file o lo "slug"']


def test_a_page_on_a_comunes_address_is_the_pages_mistake():
    assert problems_of([HOME, FINDER, page("sportelli/gussola.md")]) == [
        'content/sportelli/gussola.md:1: errore: questa pagina finirebbe nello stesso indirizzo "sportelli/gussola/" '
        'della pagina del comune Gussola: cambia il nome del file o lo "slug"']


@pytest.mark.parametrize("pages, assets, static, problem", [
    ([page("progetto.md")], ["progetto"], [],
     'content/progetto: errore: questo file finirebbe nel sito in "progetto", ma lì serve la cartella che '
     'contiene la pagina content/progetto.md (progetto/index.html): cambia il nome del file'),
    ([], ["robots.txt"], [],
     'content/robots.txt: errore: questo file finirebbe nel sito in "robots.txt", ma lì c\'è già il file '
     'robots.txt creato dal programma: cambia il nome del file'),
    ([], ["sportelli/mestieri-cremona.vcf"], [],
     'content/sportelli/mestieri-cremona.vcf: errore: questo file finirebbe nel sito in '
     '"sportelli/mestieri-cremona.vcf", ma lì c\'è già il file sportelli/mestieri-cremona.vcf creato dal '
     'programma: cambia il nome del file'),
    ([], ["static/sito.css"], ["static/sito.css"],
     'content/static/sito.css: errore: questo file finirebbe nel sito in "static/sito.css", ma lì c\'è già il '
     'file static/sito.css della cartella static/: cambia il nome del file'),
    ([page("robots.txt.md")], [], [],
     'content/robots.txt.md:1:1: errore: questa pagina finirebbe nel sito in "robots.txt/index.html", dentro '
     '"robots.txt", che nel sito è già il file robots.txt creato dal programma: cambia il nome del file o lo '
     '"slug"'),
    ([page("static/sito.css.md")], [], ["static/sito.css"],
     'content/static/sito.css.md:1:1: errore: questa pagina finirebbe nel sito in "static/sito.css/index.html", '
     'dentro "static/sito.css", che nel sito è già il file static/sito.css della cartella static/: cambia il '
     'nome del file o lo "slug"'),
])
def test_two_files_on_one_path_or_a_file_where_a_folder_goes(pages, assets, static, problem):
    assert problems_of([HOME, FINDER, *pages], assets=assets, static=static) == [problem]


def test_the_feeds_path_is_taken_only_when_there_is_a_feed():
    pages = [HOME, FINDER, page("avvisi/index.md", kind="avvisi"), page("avvisi/feed.xml.md")]
    assert problems_of(pages) == []
    assert problems_of(pages, base_url=BASE_URL) == [
        'content/avvisi/feed.xml.md:1:1: errore: questa pagina finirebbe nel sito in "avvisi/feed.xml/index.html", '
        'dentro "avvisi/feed.xml", che nel sito è già il file avvisi/feed.xml creato dal programma: cambia il nome '
        'del file o lo "slug"']


def test_a_notice_dated_after_the_build_day_is_a_warning_on_its_date_line():
    later = date(2026, 11, 26)
    pages = [HOME, FINDER, page("avvisi/index.md", kind="avvisi", date=later),
             page("avvisi/oggi.md", date=DAY), page("avvisi/domani.md", date=later, date_line=4),
             page("progetto.md", date=later)]   # only notices are dated for the list and the feed
    assert problems_of(pages) == [
        "content/avvisi/domani.md:4:1: avviso: la data dell'avviso, 2026-11-26, viene dopo il giorno della "
        "pubblicazione (2026-11-25): controlla l'anno. Per annunciare qualcosa che succederà, metti la data di "
        "oggi e scrivi nel testo quando succede"]


def test_a_build_day_outside_every_access_period_is_a_warning():
    contacts = replace(real_contacts(), modes=(Mode(start=date(2021, 1, 11), end=None, online=True,
                                                    in_person="su appuntamento"),))
    _, outputs, problems = planned([HOME, FINDER], contacts=contacts, today=date(2021, 1, 10))
    assert {o.inputs.mode for o in outputs.values() if o.template == "comune.html"} == {None}
    assert problems == [
        'data/contacts.yaml: avviso: nessun periodo di "modalita" copre la data 2021-01-10: le pagine dei comuni '
        "non sapranno dire come si accede agli sportelli. Aggiungi un periodo o togli la data \"al\" dall'ultimo"]
    outputs = planned([HOME, FINDER], contacts=contacts, today=date(2021, 1, 11))[1]
    assert {o.inputs.mode for o in outputs.values() if o.template == "comune.html"} == {contacts.modes[0]}
