"""What templates need beyond the page itself, and the files made from the site as a whole
(sitemap, robots.txt, the notices' Atom feed, the desks' vCards). Pure functions of the plan."""

from __future__ import annotations

import html
import posixpath

from .contacts import Comune, Desk
from .finder import finder_index
from .plan import Output, Site, canonical_path, url_between, vcard_path


def escape(text: str) -> str:
    """&, < and > for XML text (what xml.sax.saxutils.escape does, without importing half of
    urllib and email with it)."""
    return html.escape(text, quote=False)


def template_context(site: Site, output: Output) -> dict:
    """The explicit extra context of each kind of page (nothing else reaches the templates)."""
    if output.comune is not None:
        comune = output.comune
        return {"comune": comune, "desk": comune.desk, "vcard": vcard_path(site.finder, comune.desk),
                "neighbours": site.contacts.comuni_of(comune.desk),
                "neighbour_names": site.contacts.names_served_by(comune.desk),
                "json_ld": comune_json_ld(site, output, comune)}
    if output.page is not None and output.page.kind == "sportelli":
        index = finder_index(site.contacts, lambda c: url_between(output.dest, site.comune_page(c)))
        return {"finder_index": index}
    return {}


def comune_json_ld(site: Site, output: Output, comune: Comune) -> dict:
    """schema.org description of the service, built from the same records as the visible text."""
    desk = comune.desk
    channels = [{"@type": "ServiceChannel", "name": "Telefono ed email",
                 "servicePhone": [{"@type": "ContactPoint", "telephone": p.international_with_extension,
                                   "contactType": "cellulare" if p.mobile else "telefono",
                                   **({"description": f"interno {p.extension}"} if p.extension else {})}
                                  for p in desk.phones],
                 "availableLanguage": "it"}]
    start = site.contacts.first_in_person()
    if start:
        channels.append({"@type": "ServiceChannel", "name": "Di persona, solo su appuntamento",
                         "startDate": start.isoformat()})
    data = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": f"Sportello lavoro ACTIVITY.CR per {comune.name}",
        "serviceOperator": {"@type": "Organization", "name": desk.operator.name, "email": desk.email},
        "provider": {"@type": "GovernmentOrganization", "name": site.contacts.consortium.name,
                     "url": site.contacts.consortium.website},
        "areaServed": {"@type": "AdministrativeArea", "name": comune.name,
                       "identifier": comune.istat, "postalCode": list(comune.caps)},
        "availableChannel": channels,
        "isAccessibleForFree": True,
    }
    if site.base_url:
        data["url"] = site.base_url + output.canonical_path
    return data


def site_files(site: Site, outputs: list[Output]) -> dict[str, bytes]:
    files = {vcard_path(site.finder, desk): vcard(desk) for desk in site.contacts.desks}
    files["robots.txt"] = robots(site)
    if site.base_url:
        files["sitemap.xml"] = sitemap(site, outputs)
    if site.feed:
        files[site.feed] = atom_feed(site)
    return files


def vcard(desk: Desk) -> bytes:
    """A contact card to save in the phone's address book (RFC 6350), lines ending in CRLF."""
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"FN:{desk.name}", f"ORG:{desk.operator.name}"]
    for phone in desk.phones:
        kind = "cell" if phone.mobile else '"work,voice"'
        extension = f";ext={phone.extension}" if phone.extension else ""   # RFC 3966, as RFC 6350 shows
        lines.append(f"TEL;VALUE=uri;TYPE={kind}:{phone.tel_uri}{extension}")
    lines += [f"EMAIL;TYPE=work:{desk.email}", "END:VCARD"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def robots(site: Site) -> bytes:
    text = "User-agent: *\nAllow: /\n"
    if site.base_url:
        text += f"Sitemap: {site.base_url}sitemap.xml\n"
    return text.encode()


def sitemap(site: Site, outputs: list[Output]) -> bytes:
    urls = sorted(site.base_url + o.canonical_path for o in outputs if o.dest != "404.html")
    body = "".join(f"  <url><loc>{escape(u)}</loc></url>\n" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "</urlset>\n").encode()


def atom_feed(site: Site) -> bytes:
    """The notices as an Atom feed (RFC 4287), for feed readers and the consortium's own site.
    Dates come from the notices' front matter (the build day only when there is no notice), so
    two builds of the same sources are equal."""
    base, listing = site.base_url, canonical_path(posixpath.join(posixpath.dirname(site.feed), "index.html"))
    updated = max((n.date for n in site.notices), default=site.today)
    entries = "".join(
        "  <entry>\n"
        f"    <title>{escape(n.title)}</title>\n"
        f"    <id>{escape(base + canonical_path(n.target))}</id>\n"
        f'    <link rel="alternate" type="text/html" href="{escape(base + canonical_path(n.target))}"/>\n'
        f"    <updated>{n.date.isoformat()}T00:00:00Z</updated>\n"
        f"    <summary>{escape(n.description)}</summary>\n"
        "  </entry>\n" for n in site.notices)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="it">\n'
            f"  <title>Avvisi di {escape(site.name)}</title>\n"
            f"  <id>{escape(base + listing)}</id>\n"
            f'  <link rel="self" type="application/atom+xml" href="{escape(base + site.feed)}"/>\n'
            f'  <link rel="alternate" type="text/html" href="{escape(base + listing)}"/>\n'
            f"  <updated>{updated.isoformat()}T00:00:00Z</updated>\n"
            f"  <author><name>{escape(site.contacts.consortium.name)}</name></author>\n"
            + entries + "</feed>\n").encode("utf-8")
