"""The search index of the "Trova il tuo sportello" finder, embedded in the finder page as JSON.

The index holds only what static/finder.js needs, in display form; the script normalises the
names itself (one normalisation, used for the index and for what the citizen types).

Shape (keys are short because the index is sent to every visitor of the finder page):

    {
      "v": 1,                                  # format version
      "consorzio": {"nome": ..., "sito": ...},  # where else to ask (from the data, never invented)
      "sportelli": ["Sportello ...", ...],      # desk names, referenced by index
      "url": "{}/index.html",                   # comune link: "{}" is the comune's slug
      "comuni": [                               # A-Z, the order used to break ties
        {"n": name, "c": "26040", "s": desk index,
         "u": url        (only when it does not follow "url"),
         "a": article name (only when it differs from the name),
         "o": [other names], "f": ["Frazione", ["Frazione", "variant", ...]], "x": [former comuni]},
      ],
      "cap": [["26030", ["Cicognolo", ...]], ...]   # CAPs shared with comuni outside the consortium
    }
"""

from __future__ import annotations

from typing import Callable

from .contacts import Comune, Contacts, Frazione, slugify

FORMAT_VERSION = 1
SLUG_MARK = "{}"


def finder_index(contacts: Contacts, comune_url: Callable[[Comune], str]) -> dict:
    """The finder's search index for `contacts`; the same input always gives the same dict."""
    comuni = sorted(contacts.comuni, key=lambda c: (slugify(c.name), c.name, c.istat))
    desks = _desk_names(comuni)
    urls = [comune_url(c) for c in comuni]
    template = _url_template(comuni, urls)
    index = {
        "v": FORMAT_VERSION,
        "consorzio": {"nome": contacts.consortium.name, "sito": contacts.consortium.website},
        "sportelli": desks,
        "url": template,
        "comuni": [_comune_entry(c, url, template, desks) for c, url in zip(comuni, urls)],
        "cap": [[s.cap, list(s.outside)] for s in sorted(contacts.shared_caps, key=lambda s: s.cap)],
    }
    return index


def _desk_names(comuni: list[Comune]) -> list[str]:
    """Desk names in order of first use, so that each comune can point at one by number."""
    names: list[str] = []
    for comune in comuni:
        if comune.desk.name not in names:
            names.append(comune.desk.name)
    return names


def _url_template(comuni: list[Comune], urls: list[str]) -> str:
    """The pattern most comune links follow, with "{}" for the slug ("{}/index.html")."""
    counts: dict[str, int] = {}
    for comune, url in zip(comuni, urls):
        if comune.slug and comune.slug in url and SLUG_MARK not in url:
            template = url.replace(comune.slug, SLUG_MARK, 1)
            counts[template] = counts.get(template, 0) + 1
    if not counts:
        return ""
    return max(sorted(counts), key=lambda t: counts[t])


def _comune_entry(comune: Comune, url: str, template: str, desks: list[str]) -> dict:
    entry: dict = {"n": comune.name, "c": " ".join(comune.caps), "s": desks.index(comune.desk.name)}
    if not template or template.replace(SLUG_MARK, comune.slug, 1) != url:
        entry["u"] = url
    if comune.article_name and comune.article_name != comune.name:
        entry["a"] = comune.article_name
    if comune.other_names:
        entry["o"] = list(comune.other_names)
    if comune.frazioni:
        entry["f"] = [_frazione_entry(f) for f in comune.frazioni]
    if comune.former_comuni:
        entry["x"] = list(comune.former_comuni)
    return entry


def _frazione_entry(frazione: Frazione) -> str | list[str]:
    return [frazione.name, *frazione.variants] if frazione.variants else frazione.name
