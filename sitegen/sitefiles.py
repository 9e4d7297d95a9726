"""The files made from the site as a whole: the desks' vCards, robots.txt, the sitemap and the
notices' Atom feed. Pure functions of the plan."""

from __future__ import annotations

import html
import posixpath

from .contacts import Desk
from .plan import Output, Site, canonical_path, vcard_path


def xml_text(text: str) -> str:
    """&, < and > for XML text (what xml.sax.saxutils.escape does, without importing half of
    urllib and email with it)."""
    return html.escape(text, quote=False)


def xml_attribute(text: str) -> str:
    """The same, and both quotes, for a value between quotes: an address with '"' in it would
    otherwise end the attribute."""
    return html.escape(text, quote=True)


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
    body = "".join(f"  <url><loc>{xml_text(u)}</loc></url>\n" for u in urls)
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
        f"    <title>{xml_text(n.title)}</title>\n"
        f"    <id>{xml_text(base + canonical_path(n.target))}</id>\n"
        f'    <link rel="alternate" type="text/html" href="{xml_attribute(base + canonical_path(n.target))}"/>\n'
        f"    <updated>{n.date.isoformat()}T00:00:00Z</updated>\n"
        f"    <summary>{xml_text(n.description)}</summary>\n"
        "  </entry>\n" for n in site.notices)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="it">\n'
            f"  <title>Avvisi di {xml_text(site.shared.name)}</title>\n"
            f"  <id>{xml_text(base + listing)}</id>\n"
            f'  <link rel="self" type="application/atom+xml" href="{xml_attribute(base + site.feed)}"/>\n'
            f'  <link rel="alternate" type="text/html" href="{xml_attribute(base + listing)}"/>\n'
            f"  <updated>{updated.isoformat()}T00:00:00Z</updated>\n"
            f"  <author><name>{xml_text(site.shared.consortium.name)}</name></author>\n"
            + entries + "</feed>\n").encode("utf-8")
