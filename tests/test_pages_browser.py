"""What only a browser shows: accessibility of every page, layout at 320 and 360 px, touch targets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import axe_violations


def all_pages(site):
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


@pytest.mark.parametrize("width", [360, 1280])
def test_every_page_has_no_axe_violations(browser, built_site, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    found = {}
    for name in all_pages(built_site):
        page.goto((built_site / name).as_uri())
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    page.close()
    assert found == {}


def scrolling_sideways(page, site) -> list[str]:
    """The pages wider than the window, so that reading them needs scrolling left and right."""
    wide = []
    for name in all_pages(site):
        page.goto((site / name).as_uri())
        if page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"):
            wide.append(name)
    return wide


def test_text_reflows_at_320_px_without_horizontal_scrolling(browser, built_site):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    wide = scrolling_sideways(page, built_site)
    page.close()
    assert wide == []


def test_phone_and_email_links_are_large_touch_targets(browser, built_site):
    page = browser.new_page(viewport={"width": 360, "height": 780})
    page.goto((built_site / "sportelli" / "gussola" / "index.html").as_uri())
    boxes = page.eval_on_selector_all("a[href^='tel:'], a[href^='mailto:']",
                                      "links => links.map(a => a.getBoundingClientRect().height)")
    page.close()
    assert len(boxes) == 3
    assert min(boxes) >= 44


def test_first_phone_is_visible_without_scrolling_on_a_phone(browser, built_site):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto((built_site / "sportelli" / "casalmaggiore" / "index.html").as_uri())
    bottom = page.eval_on_selector("a[href^='tel:']", "a => a.getBoundingClientRect().bottom")
    funding = page.eval_on_selector(".fondi", "p => p.getBoundingClientRect().bottom")
    page.close()
    assert bottom <= 740 and funding <= 740


def test_home_to_phone_in_two_taps(browser, built_site):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto((built_site / "index.html").as_uri())
    page.get_by_role("link", name="Gussola", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("Gussola")
    assert page.get_by_role("link", name="Telefono 0372 1786314").get_attribute("href") == "tel:+3903721786314"
    page.close()


def test_pages_show_without_javascript(browser, built_site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto((built_site / "sportelli" / "voltido" / "index.html").as_uri())
    assert page.get_by_role("link", name="Cellulare 340 4691081").is_visible()
    context.close()


# -- what automatic checkers miss ----------------------------------------------------------------

def test_landmarks_and_headings_in_order(browser, built_site):
    """One banner, navigation, main and footer per page (on a phone the menu is at the foot, on a
    wide screen in the header: one of the two is shown); one h1, then no level skipped."""
    page = browser.new_page(viewport={"width": 360, "height": 740})
    problems = {}
    for name in all_pages(built_site):
        page.goto((built_site / name).as_uri())
        found = page.evaluate("""() => ({
            landmarks: ['body > header', 'nav', 'main', 'body > footer'].map(s =>
                [...document.querySelectorAll(s)].filter(e => e.getClientRects().length).length),
            levels: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]),
        })""")
        levels = found["levels"]
        skipped = [b for a, b in zip(levels, levels[1:]) if b > a + 1]
        if found["landmarks"] != [1, 1, 1, 1] or levels[:1] != [1] or levels.count(1) != 1 or skipped:
            problems[name] = found
    page.close()
    assert problems == {}


def test_skip_link_is_first_shows_on_focus_and_reaches_the_content(browser, built_site):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto((built_site / "sportelli" / "gussola" / "index.html").as_uri())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Vai al contenuto"
    box = page.evaluate("(() => { const r = document.activeElement.getBoundingClientRect(); "
                        "return [r.top, r.bottom, r.width]; })()")
    assert box[0] >= 0 and box[1] <= 740 and box[2] > 0   # on screen while focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenuto"
    page.close()


def test_every_control_shows_where_the_focus_is(browser, built_site):
    """Each link, field and button gets a visible outline when reached with the keyboard."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    unmarked = {}
    for name in ("index.html", "sportelli/index.html", "sportelli/gussola/index.html"):
        page.goto((built_site / name).as_uri())
        count = page.evaluate("[...document.querySelectorAll('a[href], input, button')]"
                              ".filter(e => e.getClientRects().length).length")
        seen = []
        for _ in range(count):
            page.keyboard.press("Tab")
            seen.append(page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
                const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
                return [e.outerHTML.slice(0, 60), ring || s.boxShadow !== 'none'];
            }"""))
        unmarked[name] = [html for html, visible in seen if not visible]
        assert len(seen) == count
    page.close()
    assert unmarked == {name: [] for name in unmarked}


def test_text_reflows_at_200_percent_zoom(browser, built_site):
    """A 1280 px window at 200 % zoom: 640 CSS px wide, everything twice as large, no sideways scroll."""
    context = browser.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    wide = scrolling_sideways(context.new_page(), built_site)
    context.close()
    assert wide == []


def contrast(fg: list[float], bg: list[float]) -> float:
    def luminance(rgb):
        channels = [c / 255 for c in rgb[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_body_text_reaches_aaa_contrast(browser, built_site):
    """Paragraphs and list items of the content: at least 7:1 (WCAG AAA), not only AA's 4.5:1."""
    page = browser.new_page(viewport={"width": 360, "height": 740})
    weak = []
    for name in all_pages(built_site):
        page.goto((built_site / name).as_uri())
        pairs = page.evaluate("""() => {
            const rgb = c => c.match(/[\\d.]+/g).map(Number);
            const background = e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
                if (rgb(c).length < 4 || rgb(c)[3] > 0) return rgb(c); } return [255, 255, 255]; };
            return [...document.querySelectorAll('main p, main li')].filter(e => e.textContent.trim())
                .map(e => [e.textContent.trim().slice(0, 40), rgb(getComputedStyle(e).color), background(e)]);
        }""")
        weak += [(name, text, round(contrast(fg, bg), 1)) for text, fg, bg in pairs if contrast(fg, bg) < 7]
    page.close()
    assert weak == []


def test_motion_is_off_for_people_who_ask(browser, built_site):
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto((built_site / "sportelli" / "index.html").as_uri())
    moving = page.evaluate("""() => [...document.querySelectorAll('*')].filter(e => {
        const s = getComputedStyle(e);
        return s.animationName !== 'none' || parseFloat(s.transitionDuration) > 0 || s.scrollBehavior === 'smooth';
    }).length""")
    context.close()
    assert moving == 0


def test_link_texts_make_sense_alone(built_site):
    """No "clicca qui", "qui" or "leggi" links: a screen reader's list of links must say where each goes."""
    vague = {"qui", "clicca qui", "leggi", "leggi tutto", "di più", "link", "questo", "vai", "scopri di più"}
    found = []
    for name in all_pages(built_site):
        text = (built_site / name).read_text(encoding="utf-8")
        for link in re.findall(r"<a\b[^>]*>(.*?)</a>", text, re.DOTALL):
            words = re.sub(r"<[^>]+>", "", link).strip().lower()
            if words in vague or not words:
                found.append((name, link))
    assert found == []


@pytest.mark.parametrize("width", [320, 360])
def test_comune_names_are_never_cut_in_the_middle(browser, built_site, width):
    """On the home page's grid, "Casalmaggiore" must not become "Casalmaggior / e"."""
    page = browser.new_page(viewport={"width": width, "height": 740})
    page.goto((built_site / "index.html").as_uri())
    cut = page.evaluate("""() => [...document.querySelectorAll('.griglia-comuni a')].flatMap(a => {
        const text = a.firstChild, words = [], range = document.createRange();
        for (const m of text.data.matchAll(/\\S+/g)) {
            range.setStart(text, m.index); range.setEnd(text, m.index + m[0].length);
            if (range.getClientRects().length > 1) words.push(m[0]);
        }
        return words;
    })""")
    page.close()
    assert cut == []


def test_funding_statement_is_above_the_fold_on_every_page(browser, built_site):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    low = []
    for name in all_pages(built_site):
        page.goto((built_site / name).as_uri())
        box = page.eval_on_selector(".fondi", "p => p.getBoundingClientRect().bottom")
        emblem = page.eval_on_selector(".fondi img", "i => [i.getBoundingClientRect().bottom, i.naturalWidth]")
        text = page.inner_text(".fondi")
        if box > 740 or emblem[0] > 740 or not emblem[1] or any(
                words not in text for words in ("Unione europea", "Fondo sociale europeo", "Regione Lombardia")):
            low.append((name, box))
    page.close()
    assert low == []


CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; base-uri 'none'; "
       "form-action 'none'; frame-ancestors 'none'")


def test_the_site_works_under_the_recommended_security_policy(browser, built_site, http_root):
    """The README's Content-Security-Policy, sent by a local server: nothing is blocked, and the
    finder (script, embedded index, styles) still works."""
    top = http_root(built_site, {"Content-Security-Policy": CSP})
    blocked = []
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None)
    for name in ("index.html", "sportelli/gussola/index.html", "sportelli/index.html"):
        page.goto(top + name)
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"   # the stylesheet applied
    page.fill("#finder-q", "vicobelignano")
    assert page.locator("[data-results] a").first.inner_text() == "Casalmaggiore"
    page.close()
    assert blocked == []


# -- the first screen of a phone (issue: a resident sees the right number without scrolling) ------

PHONES = ((360, 740), (320, 640))


def comune_pages(site: Path) -> list[Path]:
    return sorted(p for p in (site / "sportelli").glob("*/index.html"))


def test_every_comune_page_shows_title_operator_and_first_phone_whole_in_the_first_screen(browser, built_site):
    late = []
    for width, height in PHONES:
        page = browser.new_page(viewport={"width": width, "height": height})
        for path in comune_pages(built_site):
            page.goto(path.as_uri())
            boxes = page.evaluate("""() => ['h1', '.chi strong', "a[href^='tel:']"].map(s => {
                const r = document.querySelector(s).getBoundingClientRect(); return [r.top, r.bottom]; })""")
            tel = page.locator("a[href^='tel:']").first.inner_text()
            if any(top < 0 or bottom > height for top, bottom in boxes):
                late.append((width, path.parent.name, boxes))
            if "1786314" in tel and "poi chiedi l’interno 1" not in tel.replace("'", "’"):
                late.append((width, path.parent.name, tel))
        page.close()
    assert late == []


def test_the_header_is_compact_on_a_phone_and_its_menu_works_without_javascript(browser, built_site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto((built_site / "sportelli" / "gussola" / "index.html").as_uri())
    header = page.locator("body > header").bounding_box()
    assert header["height"] <= 0.25 * 740, header
    assert page.locator(".menu-testata").is_hidden()
    page.get_by_role("link", name="Menu", exact=True).click()
    menu = page.get_by_role("navigation", name="Pagine del sito")
    assert menu.get_by_role("link", name="Trova il tuo sportello").is_visible()
    assert menu.bounding_box()["y"] < 740 and menu.bounding_box()["y"] >= 0   # scrolled to it
    context.close()
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto((built_site / "sportelli" / "gussola" / "index.html").as_uri())
    assert page.get_by_role("navigation", name="Menu principale").get_by_role("link").count() == 7
    assert page.locator(".apri-menu").is_hidden()
    page.close()


def test_header_content_and_footer_share_one_left_edge_on_a_wide_screen(browser, built_site):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    edges = {}
    for name in ("index.html", "sportelli/index.html", "sportelli/gussola/index.html", "progetto/index.html"):
        page.goto((built_site / name).as_uri())
        edges[name] = page.evaluate("""() => ['.fondi img', '.marchio', 'main h1', '.piede p',
            '.menu-testata a'].map(s => Math.round(document.querySelector(s).getBoundingClientRect().left
            + parseFloat(getComputedStyle(document.querySelector(s)).paddingLeft)))""")
    page.close()
    assert all(len(set(lefts)) == 1 for lefts in edges.values()), edges


BREAKS = """() => [...document.querySelectorAll('.contatto-email')].map(e => {
    const text = e.textContent, range = document.createRange(), tops = [];
    const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode())
        for (let i = 0; i < node.length; i++) {
            range.setStart(node, i); range.setEnd(node, i + 1);
            tops.push(Math.round(range.getBoundingClientRect().top));
        }
    const cuts = [];
    for (let i = 1; i < tops.length; i++) if (tops[i] > tops[i - 1]) cuts.push(text.slice(i - 1, i + 1));
    return [text, cuts, e.scrollWidth <= e.clientWidth + 1];
})"""


def test_email_addresses_wrap_only_at_at_sign_or_dot(browser, built_site):
    bad = []
    for width, height in PHONES:
        page = browser.new_page(viewport={"width": width, "height": height})
        for slug in ("casalmaggiore", "gussola"):
            page.goto((built_site / "sportelli" / slug / "index.html").as_uri())
            for text, cuts, fits in page.evaluate(BREAKS):
                if not fits or any(not (cut[0] == "@" or cut[1] == ".") for cut in cuts):
                    bad.append((width, text, cuts))
        page.close()
    assert bad == []


def test_links_in_running_text_are_at_least_24_px_tall(browser, built_site):
    """WCAG 2.2 target size (2.5.8): the inline links of every page, on a phone."""
    page = browser.new_page(viewport={"width": 360, "height": 740})
    small = []
    for name in all_pages(built_site):
        page.goto((built_site / name).as_uri())
        small += [(name, *found) for found in page.evaluate("""() => [...document.querySelectorAll('main a, footer a')]
            .filter(a => a.getClientRects().length)
            .map(a => [a.textContent.trim().slice(0, 40), Math.min(...[...a.getClientRects()].map(r => r.height))])
            .filter(([, h]) => h < 24)""")]
    page.close()
    assert small == []
