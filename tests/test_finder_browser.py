"""The finder in real headless Chromium (the shared `browser` fixture of tests/browser.py):
matching, keyboard, the no-JS list and an axe check. Skipped locally without a browser; under CI
(env CI set) a missing browser, driver or axe-core is a failure."""

from __future__ import annotations

import json

import pytest

from browser import axe_violations

NOT_FOUND = "Nessun comune trovato"

# query -> the first result's comune, or ("msg", text the status must contain)
QUERIES = [
    # official names, case, accents, apostrophes, punctuation, spaces
    ("Gussola", "Gussola"),
    ("gussola", "Gussola"),
    ("  GUSSOLA  ", "Gussola"),
    ("Cingia de' Botti", "Cingia de' Botti"),
    ("cingia de botti", "Cingia de' Botti"),
    ("Cingia dè Botti", "Cingia de' Botti"),
    ("Cingia dei Botti", "Cingia de' Botti"),
    ("cingia-de-botti", "Cingia de' Botti"),
    ("Piadena-Drizzona", "Piadena Drizzona"),
    ("Martignana di Po", "Martignana di Po"),
    ("San Martino del Lago", "San Martino del Lago"),
    ("sanmartino", "San Martino del Lago"),
    # the article's spellings and abbreviations, San / S.
    ("S. Martino d/L.", "San Martino del Lago"),
    ("S Martino del Lago", "San Martino del Lago"),
    ("S. Giovanni in C.", "San Giovanni in Croce"),
    ("s giovanni in croce", "San Giovanni in Croce"),
    ("Rivarolo del Re e U.", "Rivarolo del Re ed Uniti"),
    ("Rivarolo del Re ed Uniti", "Rivarolo del Re ed Uniti"),
    ("Torricella del P.", "Torricella del Pizzo"),
    ("Rivarolo Cremonese", "Rivarolo del Re ed Uniti"),
    # prefixes
    ("piaden", "Piadena Drizzona"),
    ("casalm", "Casalmaggiore"),
    ("scando", "Scandolara Ravara"),
    ("tor", "Tornata"),
    ("Motta", "Motta Baluffi"),
    ("baluffi", "Motta Baluffi"),
    # typos: wrong, missing, extra, swapped letters (5 letters or more)
    ("gusola", "Gussola"),
    ("Gussolla", "Gussola"),
    ("Gsusola", "Gussola"),
    ("voltdio", "Voltido"),
    ("Spinedaa", "Spineda"),
    ("Calvaton", "Calvatone"),
    ("Casalmagiore", "Casalmaggiore"),
    ("Casalmaggore", "Casalmaggiore"),
    ("Scandolara Ravera", "Scandolara Ravara"),
    ("Tornatta", "Tornata"),
    ("Casteldidon", "Casteldidone"),
    # frazioni and their variants
    ("Vicobellignano", "Casalmaggiore"),
    ("vicobelignano", "Casalmaggiore"),
    ("vicobeli", "Casalmaggiore"),
    ("Caminata", "Casalmaggiore"),
    ("Casal Bellotto", "Casalmaggiore"),
    ("Fossa Caprara", "Casalmaggiore"),
    ("quattro case", "Casalmaggiore"),
    ("Blena", "Gussola"),
    ("Borgolieto", "Gussola"),
    ("Bosco Piazza", "Torricella del Pizzo"),
    ("Villa Nova", "Rivarolo del Re ed Uniti"),
    ("Brugnolo", "Rivarolo del Re ed Uniti"),
    ("Recorfano", "Voltido"),
    ("Solarolo Monasterolo", "Motta Baluffi"),
    ("Cà de Soresini", "San Martino del Lago"),
    ("Ca de Corti", "Cingia de' Botti"),
    ("Castelfranco d'Oglio", "Piadena Drizzona"),
    ("castelfranco doglio", "Piadena Drizzona"),
    ("Pontirolo", "Piadena Drizzona"),
    ("Vho", "Piadena Drizzona"),
    ("romprezagno", "Tornata"),
    # former comuni and other names
    ("Drizzona", "Piadena Drizzona"),
    ("Piadena", "Piadena Drizzona"),
    ("Castelletto Ponzoni", "Scandolara Ravara"),
    ("San Lorenzo Aroldo", "Solarolo Rainerio"),
    ("Palvareto", "San Giovanni in Croce"),
    # CAP
    ("26041", "Casalmaggiore"),
    ("26042", "Cingia de' Botti"),
    ("26030", "Calvatone"),
    ("26036", "Rivarolo del Re ed Uniti"),
    ("26045", "Motta Baluffi"),
    # trailing province, "comune di", "frazione, comune"
    ("Gussola (CR)", "Gussola"),
    ("Casalmaggiore, Cremona", "Casalmaggiore"),
    ("Tornata CR", "Tornata"),
    ("Spineda (Cremona)", "Spineda"),
    ("Comune di Voltido", "Voltido"),
    ("26041 Casalmaggiore", "Casalmaggiore"),
    ("Vicobellignano, Casalmaggiore (CR)", "Casalmaggiore"),
    # a name inside an address or a longer text: street, number, CAP, province, region, country
    ("via Roma 5, 26041 Casalmaggiore (CR)", "Casalmaggiore"),
    ("Via Cavour 12 Gussola CR Italia", "Gussola"),
    ("Piazza Garibaldi 1, 26041 Casalmaggiore CR", "Casalmaggiore"),
    ("loc. Blena, Gussola (CR), Lombardia, Italia", "Gussola"),
    ("Torricella del Pizzo, Italia", "Torricella del Pizzo"),
    ("Scandolara Ravara Lombardia", "Scandolara Ravara"),
    ("S. Giovanni in Croce, provincia di Cremona", "San Giovanni in Croce"),
    ("via Roma 5, 26037 San Giovanni", "San Giovanni in Croce"),
    ("via Cremona 5, Gussola", "Gussola"),   # a street named after a city is a street
    ("Via Casalmaggiore, Gussola", "Gussola"),   # ... with or without a house number, in any order
    ("Gussola, via Casalmaggiore", "Gussola"),
    ("Via Casalmaggiore Gussola", "Gussola"),
    ("via Roma 3, Martignana di Po (CR)", "Martignana di Po"),
    ("Cingia de Botti, Lombardia", "Cingia de' Botti"),
    # a comune with its frazione, in either order
    ("Vicobellignano Casalmaggiore", "Casalmaggiore"),
    ("Casalmaggiore fraz. Vicobellignano", "Casalmaggiore"),
    ("Tornata Romprezzagno", "Tornata"),
    ("frazione Romprezzagno di Tornata", "Tornata"),
    ("Ca de Soresini San Martino del Lago", "San Martino del Lago"),
    # two typos in a long name, one in a shorter one, typos inside a text
    ("Casalmagiorre", "Casalmaggiore"),
    ("Casalmaggre", "Casalmaggiore"),
    ("vicobelignano casalmagiore", "Casalmaggiore"),
    ("via roma 3 casalmagiorre cr", "Casalmaggiore"),
    ("Tornada", "Tornata"),
    # names typed without spaces
    ("sangiovanniincroce", "San Giovanni in Croce"),
    ("mottabaluffi", "Motta Baluffi"),
    ("martignanadipo", "Martignana di Po"),
    ("rivarolodelre", "Rivarolo del Re ed Uniti"),
    # a CAP beside a name shared by two comuni picks the one with that CAP
    ("26037 Palvareto", "San Giovanni in Croce"),
    ("Palvareto 26030", "Solarolo Rainerio"),
    # outside the project: said plainly, never routed to a desk
    ("Cremona", ("msg", "Cremona non è tra i 17 comuni del progetto")),
    ("Viadana", ("msg", "Viadana non è tra i 17 comuni del progetto")),
    ("Sabbioneta (MN)", ("msg", "Sabbioneta non è tra i 17 comuni del progetto")),
    ("via Gussola 3, Viadana", ("msg", "Viadana non è tra i 17 comuni del progetto")),
    ("Cremona, via Gussola 5", ("msg", "Cremona non è tra i 17 comuni del progetto")),
    ("Cicognolo", ("msg", "Cicognolo non è tra i 17 comuni del progetto")),
    ("26040 Cella Dati", ("msg", "Cella Dati non è tra i 17 comuni del progetto")),
    ("Pieve d'Olmi", ("msg", "Pieve d'Olmi non è tra i 17 comuni del progetto")),
    ("provincia di Cremona", ("msg", "Cremona non è tra i 17 comuni del progetto")),
    ("26100", ("msg", "Il CAP 26100 non è di nessuno")),
    # a text like no known name: the spelling hint
    ("xyzzy", ("msg", "Controlla come hai scritto il nome")),
    ("qwertyuiop", ("msg", "Controlla come hai scritto il nome")),
]

# query -> all results, in order: ambiguity is shown, not guessed
AMBIGUOUS = [
    ("Palvareto", ["San Giovanni in Croce", "Solarolo Rainerio"]),
    ("Motta", ["Motta Baluffi", "Casalmaggiore", "Cingia de' Botti"]),
    ("San Lorenzo", ["Piadena Drizzona", "Solarolo Rainerio"]),
    ("Drizzona", ["Piadena Drizzona"]),
    ("26040", ["Gussola", "Martignana di Po", "San Martino del Lago", "Scandolara Ravara",
               "Torricella del Pizzo"]),
]


@pytest.fixture(scope="module")
def finder_url(built_site) -> str:
    return (built_site / "sportelli" / "index.html").as_uri()


def open_finder(browser, finder_url):
    """The finder in a new tab; fails the test if the script raised an error meanwhile."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(finder_url)
    yield page
    assert not errors, errors
    page.close()


@pytest.fixture(scope="module")
def shared_page(browser, finder_url):
    """One page for the query table: typing replaces the query each time."""
    yield from open_finder(browser, finder_url)


@pytest.fixture
def page(browser, finder_url):
    yield from open_finder(browser, finder_url)


def results(page) -> list[str]:
    return page.locator("[data-results] a.finder-link").all_inner_texts()


def status(page) -> str:
    return page.locator("[role=status]").inner_text()


def search(page, query: str) -> None:
    page.fill("#finder-q", query)


@pytest.mark.parametrize("query,expected", QUERIES, ids=[q for q, _ in QUERIES])
def test_query_table(shared_page, query, expected):
    search(shared_page, query)
    if isinstance(expected, tuple):
        assert results(shared_page) == []
        said = status(shared_page)
        assert NOT_FOUND in said and expected[1] in said
        assert shared_page.locator("#elenco-comuni").is_visible()   # the list of the 17
        note = shared_page.locator(".finder-note").inner_text()
        assert expected[1] not in note and "non è tra" not in note   # the message appears once
        assert ("Controlla" in said) == ("non è" not in said)      # a place outside is not a spelling mistake
        assert shared_page.locator(".finder-note a[href='https://www.concass.it/']").count() == 1
    else:
        found = results(shared_page)
        assert found and found[0] == expected, (found, status(shared_page))
        n = len(found)
        assert status(shared_page).startswith("1 risultato" if n == 1 else f"{n} risultati")
        assert shared_page.locator("#elenco-comuni").is_hidden()


@pytest.mark.parametrize("query,expected", AMBIGUOUS, ids=[q for q, _ in AMBIGUOUS])
def test_ambiguity_is_shown(shared_page, query, expected):
    search(shared_page, query)
    assert results(shared_page) == expected


def test_result_says_why_and_where(shared_page):
    search(shared_page, "vicobelignano")
    item = shared_page.locator("[data-results] li").first
    assert "Vicobellignano, frazione di Casalmaggiore" in item.inner_text()
    assert "Sportello Energheia Impresa Sociale" in item.inner_text()
    assert item.locator("a.finder-link").get_attribute("href") == "casalmaggiore/index.html"
    described = item.locator("a.finder-link").get_attribute("aria-describedby").split()
    assert "Vicobellignano" in shared_page.locator(f"#{described[0]}").inner_text()
    search(shared_page, "S. Giovanni in C.")
    assert "nome nell’articolo" in shared_page.locator("[data-results] li").first.inner_text()
    search(shared_page, "Piadena")
    assert "ex comune" in shared_page.locator("[data-results] li").first.inner_text()
    search(shared_page, "26041")
    assert "CAP 26041" in shared_page.locator("[data-results] li").first.inner_text()


def test_shared_cap_says_other_comuni_use_it(shared_page):
    search(shared_page, "26030")
    assert "usato anche da comuni fuori dal consorzio" in status(shared_page)
    assert "Cicognolo" in shared_page.locator(".finder-note").inner_text()
    search(shared_page, "26041")
    assert shared_page.locator(".finder-note").is_hidden()


def test_every_link_matches_the_a_to_z_list(shared_page, built_site):
    search(shared_page, "")
    az = {a.text_content().strip(): a.get_attribute("href") for a in shared_page.locator("#elenco-comuni a").all()}
    assert len(az) == 17   # else the loop below checks nothing
    for name, href in az.items():
        search(shared_page, name)
        first = shared_page.locator("[data-results] a.finder-link").first
        assert first.inner_text() == name
        target = first.get_attribute("href")
        assert (built_site / "sportelli" / target).resolve() == \
            (built_site / "sportelli" / href / ("index.html" if href.endswith("/") else "")).resolve()
        assert (built_site / "sportelli" / target).is_file()


def test_empty_query_shows_the_a_to_z_list_again(page):
    assert page.locator("#elenco-comuni").is_visible()
    search(page, "gussola")
    assert page.locator("#elenco-comuni").is_hidden()
    search(page, "   ")
    assert page.locator("#elenco-comuni").is_visible()
    assert page.locator("[data-results]").is_hidden()
    assert status(page) == ""


def test_the_folded_list_is_neither_read_nor_reached_by_tab(page):
    """While results show, the A-Z list is kept laid out for speed (content-visibility), but
    screen readers and the Tab key must skip it as if it were gone."""
    search(page, "motta")
    cdp = page.context.new_cdp_session(page)   # Chromium's own accessibility tree, as screen readers get it
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    read = [(n["role"]["value"], n.get("name", {}).get("value", "")) for n in nodes if not n.get("ignored")]
    assert read.count(("link", "Motta Baluffi")) == 1, read   # the result, not the A-Z link too
    assert ("link", "Torricella del Pizzo") not in read
    assert not [name for role, name in read if "dalla A alla Z" in name], read
    page.focus("#finder-q")
    reached = []
    for _ in range(6):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.closest('#elenco-comuni') !== null"))
    assert not any(reached)


def test_enhancement_order_and_hooks(page):
    assert page.locator("[data-results]").count() == 1
    assert page.locator("[role=status]").get_attribute("aria-live") == "polite"
    field = page.locator("input[type=search]")
    assert field.get_attribute("autocomplete") == "off"
    assert page.locator("label[for=finder-q]").inner_text().startswith("Cerca il tuo comune")
    order = page.evaluate("""() => {
        const box = document.querySelector('.finder'), list = document.getElementById('elenco-comuni');
        return !!(box.compareDocumentPosition(list) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    assert order


def test_keyboard(page):
    page.focus("#finder-q")
    page.keyboard.type("motta")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "Motta Baluffi"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "Casalmaggiore"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")   # stays on the last
    assert page.evaluate("document.activeElement.textContent") == "Cingia de' Botti"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")   # back to the field
    assert page.evaluate("document.activeElement.id") == "finder-q"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")   # clears and returns to the field
    assert page.evaluate("document.activeElement.id") == "finder-q"
    assert page.input_value("#finder-q") == ""
    assert page.locator("#elenco-comuni").is_visible()
    page.keyboard.type("vicobelignano")
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")   # a link: Enter follows it
    assert page.url.endswith("/sportelli/casalmaggiore/index.html")


def test_enter_with_one_result_opens_it(page):
    page.fill("#finder-q", "Gusola")
    with page.expect_navigation():
        page.press("#finder-q", "Enter")
    assert page.url.endswith("/sportelli/gussola/index.html")


def test_enter_with_several_results_never_opens_one(page):
    """"motta": Motta Baluffi (Mestieri) and Motta San Fermo, in Casalmaggiore (Energheia).
    Enter goes to the first result and says how many there are; no page opens."""
    page.fill("#finder-q", "motta")
    page.press("#finder-q", "Enter")
    page.wait_for_timeout(300)
    assert page.url.endswith("/sportelli/index.html")
    assert page.evaluate("document.activeElement.textContent") == "Motta Baluffi"
    assert status(page) == "3 risultati: scegline uno."


def test_each_result_calls_its_desk(shared_page):
    search(shared_page, "motta")
    items = shared_page.locator("[data-results] li")
    calls = [items.nth(i).locator("a.finder-tel") for i in range(items.count())]
    assert [c.get_attribute("href") for c in calls] == ["tel:+3903721786314", "tel:+39037540200",
                                                        "tel:+3903721786314"]
    assert calls[0].inner_text() == "Telefono 0372 1786314 — poi chiedi l’interno 1"
    assert calls[1].inner_text() == "Telefono 0375 40200"


def test_the_field_is_whole_in_the_first_screen(browser, finder_url):
    for width, height in ((360, 740), (320, 640)):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(finder_url)
        box = page.locator("#finder-q").bounding_box()
        explanation = page.locator("main .testo").bounding_box()
        page.close()
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (width, box)
        assert explanation["y"] > box["y"] + box["height"]   # the explanation comes after the field


def test_escape_in_the_field_clears_it(page):
    page.fill("#finder-q", "26030")
    page.press("#finder-q", "Escape")
    assert page.input_value("#finder-q") == ""
    assert page.locator("#elenco-comuni").is_visible()


def test_focus_is_visible(page):
    page.fill("#finder-q", "motta")
    page.press("#finder-q", "ArrowDown")
    outline = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }""")
    assert outline[0] != "none" or outline[2] != "none", outline


def test_works_at_320_px(browser, finder_url):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(finder_url)
    page.fill("#finder-q", "Ca de Soresini")
    assert results(page)[0] == "San Martino del Lago"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    box = page.locator("#finder-q").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    page.close()


def test_without_javascript_the_a_to_z_list_works(browser, finder_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(finder_url)
    links = page.locator("#elenco-comuni > li > a")
    assert links.count() == 17
    assert page.locator("input[type=search]").count() == 0
    assert page.locator("[data-results]").count() == 0
    assert "Frazioni: Blena, Borgolieto" in page.locator("#elenco-comuni").inner_text()
    index = json.loads(page.locator("#indice-sportelli").text_content())
    assert len(index["nomi"]) == 17
    context.close()


# -- axe ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["", "motta", "26030", "Viadana", "xyzzy"])
def test_axe(page, query):
    if query:
        page.fill("#finder-q", query)
    violations = axe_violations(page)
    for v in violations:
        print(json.dumps(v, ensure_ascii=False, indent=1))
    assert violations == []


def test_nothing_moves_when_the_search_box_appears(browser, finder_url):
    """The box is added by the script under the title; its place is kept from the first paint
    (Lighthouse's cumulative layout shift), on a phone and on a wide screen."""
    for width, height in ((360, 740), (320, 640), (1280, 800)):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.add_init_script("""window.shifts = 0; new PerformanceObserver(list => {
            for (const e of list.getEntries()) window.shifts += e.value; })
            .observe({ type: 'layout-shift', buffered: true });""")
        page.goto(finder_url)
        page.wait_for_selector("#finder-q")
        page.wait_for_timeout(300)
        shifted = page.evaluate("window.shifts")
        page.close()
        assert shifted < 0.01, (width, shifted)
