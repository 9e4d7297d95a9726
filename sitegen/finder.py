"""The search index of the "Trova il tuo sportello" finder, embedded in the finder page as JSON.

The index holds only what static/finder.js needs, in display form; the script normalises the
names itself (one normalisation, used for the index and for what the citizen types).

Shape: one list per field, one item per comune in A-Z order (the order that breaks ties in the
results). Columns compress far better than one record per comune; the index goes to every visitor.

    {
      "v": 2,                                      # format version
      "consorzio": {"nome": ..., "sito": ...},      # where else to ask (from the data, never invented)
      "sportelli": ["Sportello ...", ...],          # desk names
      "telefoni": [["0372 1786314", "1"], ...],     # each desk's first phone, with its extension if any
      "url": "{}/index.html",                       # comune link, "{}" standing for the comune's slug
      "nomi": ["Calvatone", ...],                   # official names
      "cap": ["26030", ...],                        # CAPs of each comune, space-separated
      "sportello": [0, ...],                        # each comune's desk, as a position in "sportelli"
      "altro": [0, {"f": [...]}, ...],              # 0, or what else the comune is searched by:
          # "f": frazioni, each "Name" or ["Name", "variant", ...]; "e": the same for frazioni that
          # were comuni; "x": other former comuni; "o": other names; "a": the article's spelling;
          # "u": its link, when not like "url"
      "condivisi": [["26030", ["Cicognolo", ...]], ...],  # CAPs shared with comuni outside
      "fuori": ["Cremona", "Viadana", ...]          # other comuni nearby, outside the project
    }
"""

from __future__ import annotations

from typing import Callable

from .contacts import Comune, Contacts, Desk, Frazione, slugify

FORMAT_VERSION = 2
SLUG_MARK = "{}"


def finder_index(contacts: Contacts, comune_url: Callable[[Comune], str]) -> dict:
    """The finder's search index for `contacts`; the same input always gives the same dict."""
    comuni = sorted(contacts.comuni, key=lambda c: (slugify(c.name), c.name, c.istat))
    desks = _desks_in_order(comuni)
    names = [desk.name for desk in desks]
    urls = [comune_url(c) for c in comuni]
    template = _url_template(comuni, urls)
    index = {
        "v": FORMAT_VERSION,
        "consorzio": {"nome": contacts.consortium.name, "sito": contacts.consortium.website},
        "sportelli": names,
        "url": template,
        "nomi": [c.name for c in comuni],
        "cap": [" ".join(c.caps) for c in comuni],
        "sportello": [names.index(c.desk.name) for c in comuni],
        "altro": [_extras(c, url, template) for c, url in zip(comuni, urls)],
        "condivisi": [[s.cap, list(s.outside)] for s in sorted(contacts.shared_caps, key=lambda s: s.cap)],
        "telefoni": [_first_phone(desk) for desk in desks],
        "fuori": _outside_names(contacts),
    }
    return index


def _desks_in_order(comuni: list[Comune]) -> list[Desk]:
    """The desks in order of first use, so that each comune can point at one by number."""
    desks: dict[str, Desk] = {}
    for comune in comuni:
        desks.setdefault(comune.desk.name, comune.desk)
    return list(desks.values())


def _first_phone(desk: Desk) -> list[str]:
    """What a resident calls first, as published: ["0372 1786314", "1"] (number, extension)."""
    if not desk.phones:
        return []
    phone = desk.phones[0]
    return [phone.number, phone.extension] if phone.extension else [phone.number]


def _outside_names(contacts: Contacts) -> list[str]:
    """Comuni outside the project the finder recognises; those of a shared CAP are already listed."""
    shared = {name for s in contacts.shared_caps for name in s.outside}
    return [name for name in contacts.outside if name not in shared]


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


def _extras(comune: Comune, url: str, template: str) -> dict | int:
    """Everything else the comune can be found by; 0 when there is nothing (the usual case)."""
    extras: dict = {}
    if not template or template.replace(SLUG_MARK, comune.slug, 1) != url:
        extras["u"] = url
    if comune.article_name and comune.article_name != comune.name:
        extras["a"] = comune.article_name
    if comune.other_names:
        extras["o"] = list(comune.other_names)
    # A frazione that was a comune is listed once, under "e", not again under "x" (size at scale).
    former = set(comune.former_comuni)
    for key, frazioni in (("f", [f for f in comune.frazioni if f.name not in former]),
                          ("e", [f for f in comune.frazioni if f.name in former])):
        if frazioni:
            extras[key] = [_frazione_entry(f) for f in frazioni]
    places = {f.name for f in comune.frazioni}
    if former - places:
        extras["x"] = [name for name in comune.former_comuni if name not in places]
    return extras or 0


def _frazione_entry(frazione: Frazione) -> str | list[str]:
    return [frazione.name, *frazione.variants] if frazione.variants else frazione.name
