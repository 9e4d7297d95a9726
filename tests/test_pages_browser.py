"""What only a browser shows: accessibility of every page, layout at 320 and 360 px, touch targets."""

from __future__ import annotations

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


def test_text_reflows_at_320_px_without_horizontal_scrolling(browser, built_site):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    wide = []
    for name in all_pages(built_site):
        page.goto((built_site / name).as_uri())
        if page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"):
            wide.append(name)
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
