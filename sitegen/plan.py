"""Pages + contacts -> the list of outputs (where each goes, which template, what context). Pure: no I/O."""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from urllib.parse import urlsplit

from .contacts import Comune, Consortium, Contacts, Desk, Mode, SharedCap
from .content import LINK_ATTR_RE, Asset, Page, resolve
from .errors import Report
from .markup import active_scheme
from .output import parent_folders
from .settings import Accessibility, Settings

FINDER_DIR = "sportelli"
SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class NavItem:
    title: str
    target: str   # a path from the site's top, as the url() helper takes it


@dataclass(frozen=True)
class Shared:
    """What every page shows around its content (header, menu, footer): "site" in the templates.
    Every output is made from it."""

    name: str
    base_url: str | None
    preview: bool             # built with --anteprima: every page says noindex
    nav: tuple[NavItem, ...]
    feed: str | None          # the notices' Atom feed, published only with a base URL (ids are URLs)
    finder: str               # the finder page's path
    consortium: Consortium
    updated_on: date          # when the contacts were last checked against their sources

    def comune_page(self, comune: Comune) -> str:
        """Where a comune's desk page is: beside the finder, in a folder named by its slug."""
        return comune_dest(self.finder, comune)


@dataclass(frozen=True)
class Site:
    """The planned site as a whole: what rendering needs beyond each output's own inputs."""

    shared: Shared
    today: date
    contacts: Contacts
    notices: tuple["Notice", ...]
    paths: frozenset[str]   # every path a link may lead to
    dests: dict[str, str]   # where each page of content/ is written, by source ("progetto.md")

    @property
    def base_url(self) -> str | None:
        return self.shared.base_url

    @property
    def finder(self) -> str:
        return self.shared.finder

    @property
    def feed(self) -> str | None:
        return self.shared.feed


@dataclass(frozen=True)
class Notice:
    title: str
    description: str
    date: date
    target: str


# What each kind of output is made from, besides its page and the shared parts. A template gets
# these records by name and nothing else: what it can read is what its output's key is made of.

@dataclass(frozen=True)
class NoInputs:
    """A plain page: its content and the shared parts only."""


@dataclass(frozen=True)
class ComuneInputs:
    """A comune's desk page."""

    comune: Comune
    desk: Desk
    neighbours: tuple[str, ...]        # the names of every comune the desk serves, this one included
    mode: Mode | None                  # how the desks work on the day of the build
    shared_caps: tuple[SharedCap, ...]   # this comune's CAPs that comuni outside the project use too
    vcard: str                         # the desk's contact card


@dataclass(frozen=True)
class HomeInputs:
    """The home page: the grid of every comune."""

    comuni: tuple[Comune, ...]


@dataclass(frozen=True)
class FinderInputs:
    """"Trova il tuo sportello": every comune, desk and place its search index knows."""

    contacts: Contacts

    @property
    def comuni(self) -> tuple[Comune, ...]:
        return self.contacts.comuni


@dataclass(frozen=True)
class NoticesInputs:
    """The list of notices."""

    notices: tuple[Notice, ...]


@dataclass(frozen=True)
class AccessibilityInputs:
    """The accessibility statement: what sito.yaml says of it."""

    statement: Accessibility


NO_INPUTS = NoInputs()   # one record for every plain page: fingerprinted once a build

Inputs = NoInputs | ComuneInputs | HomeInputs | FinderInputs | NoticesInputs | AccessibilityInputs


@dataclass(frozen=True)
class Output:
    """One page of the site: where it goes, which template renders it, and what it is made from."""

    dest: str                       # "sportelli/gussola/index.html"
    template: str
    source: str                     # what to name in an error message
    title: str
    description: str
    inputs: Inputs = NO_INPUTS
    page: Page | None = None        # the page of content/ it shows (its body is added when rendered)

    @property
    def canonical_path(self) -> str:
        return canonical_path(self.dest)


def canonical_path(dest: str) -> str:
    """The address people share: "sportelli/gussola/" rather than ".../index.html"."""
    return dest[: -len("index.html")] if dest.endswith("index.html") else dest


def page_dest(page: Page) -> str:
    """Where a page is written: content/progetto.md -> progetto/index.html (or its slug)."""
    folder, name = posixpath.split(page.source)
    stem = name[: -len(".md")]
    if page.source == "404.md":
        return "404.html"   # web servers look for it at the top, under this exact name
    if stem == "index" and not page.slug:
        return posixpath.join(folder, "index.html")
    return posixpath.join(folder, page.slug or stem, "index.html")


def url_between(from_dest: str, target: str) -> str:
    """A relative link from one output to a path of the site; folders get an explicit index.html,
    so that the same files work at a domain root, under a sub-path and opened from disk."""
    target, fragment = file_target(target)
    return relative_path(target, posixpath.dirname(from_dest)) + fragment


@lru_cache(maxsize=65536)
def relative_path(target: str, folder: str) -> str:
    """posixpath.relpath for the site's own paths (normalised, relative, no ".."), several
    times faster: every page links the menu, and a big site has many pages."""
    to, start = target.split("/"), folder.split("/") if folder else []
    common = 0
    while common < len(start) and common < len(to) - 1 and start[common] == to[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + to[common:])


def file_target(target: str) -> tuple[str, str]:
    """("privacy/index.html", "#fragment") for "privacy/#fragment": a file, never a folder."""
    target, hash_, fragment = target.partition("#")
    if target == "" or target.endswith("/"):
        target += "index.html"
    return target, hash_ + fragment


def link_from(dest: str, target: str, base_url: str | None) -> str:
    """The one way the site links to itself. The 404 page is served at any depth, so its links
    start from the site's root path when the address is known."""
    if dest == "404.html" and base_url:
        return urlsplit(base_url).path + "".join(file_target(target))
    return url_between(dest, target)


def comune_dest(finder: str, comune: Comune) -> str:
    return posixpath.join(posixpath.dirname(finder), comune.slug, "index.html")


def vcard_path(finder: str, desk) -> str:
    """The desk's contact card sits beside the finder page."""
    return posixpath.join(posixpath.dirname(finder), f"{desk.key}.vcf")


def plan_site(pages: list[Page], assets: list[Asset], contacts: Contacts, today: date,
              base_url: str | None, static_files: list[str], report: Report,
              content: str = "content", settings: Settings = Settings(),
              preview: bool = False) -> tuple[Site, list[Output]]:
    """Every output of the site and what each is made from, with the links of every page checked
    (made relative when the page is rendered: see relinked_body)."""
    dests = {page.source: page_dest(page) for page in pages}
    finder = finder_dest(pages, dests, report, content)
    mode = contacts.mode_on(today)
    if mode is None:
        report.warning(contacts.source, 0, 0, f"nessun periodo di \"modalita\" copre la data {today}: "
                       "le pagine dei comuni non sapranno dire come si accede agli sportelli. "
                       "Aggiungi un periodo o togli la data \"al\" dall'ultimo")
    listed = notices(pages, dests)
    outputs = [page_output(p, dests[p.source], content, contacts, listed, settings) for p in pages]
    outputs += comune_outputs(contacts, finder, mode)
    check_unique_dests(outputs, report)
    check_notice_dates(pages, today, report, content)
    feed = feed_path(pages, dests) if base_url else None
    cards = {vcard_path(finder, desk) for desk in contacts.desks}
    made = cards | {"robots.txt", "sitemap.xml"} | ({feed} if feed else set())
    check_output_paths(path_claims(outputs, assets, static_files, made, content), report)
    known = {o.dest for o in outputs} | {a.source for a in assets} | set(static_files) | cards | ({feed} if feed else set())
    anchors = {o.dest: o.page.anchors for o in outputs if o.page}
    for output in outputs:
        if output.page:
            for value, line in output.page.links:
                link_target(output.page, output.dest, value, line, dests, known, anchors, report, content)
    shared = Shared(name=SITE_NAME, base_url=base_url, preview=preview, nav=navigation(pages, dests), feed=feed,
                    finder=finder, consortium=contacts.consortium, updated_on=contacts.updated_on)
    site = Site(shared=shared, today=today, contacts=contacts, notices=listed, paths=frozenset(known), dests=dests)
    return site, outputs


SITE_NAME = "ACTIVITY.CR"


def finder_dest(pages: list[Page], dests: dict[str, str], report: Report, content: str) -> str:
    finder_pages = [p for p in pages if p.kind == "sportelli"]
    if len(finder_pages) != 1:
        report.error(content, 0, 0, "serve una e una sola pagina con \"tipo: sportelli\" (la pagina "
                     f"\"Trova il tuo sportello\"); ora ce ne sono {len(finder_pages)}")
    return dests[finder_pages[0].source] if finder_pages else FINDER_DIR + "/index.html"


def page_output(page: Page, dest: str, content: str, contacts: Contacts, listed: tuple[Notice, ...],
                settings: Settings) -> Output:
    """A page of content/, with what its kind of page shows besides its text."""
    inputs: Inputs = NO_INPUTS
    if page.kind == "home":
        inputs = HomeInputs(contacts.comuni)
    elif page.kind == "sportelli":
        inputs = FinderInputs(contacts)
    elif page.kind == "avvisi":
        inputs = NoticesInputs(listed)
    elif page.kind == "accessibilita":
        inputs = AccessibilityInputs(settings.accessibility)
    return Output(dest=dest, template=f"{page.kind}.html", source=f"{content}/{page.source}",
                  title=page.title, description=page.description, inputs=inputs, page=page)


def comune_outputs(contacts: Contacts, finder: str, mode: Mode | None) -> list[Output]:
    """One desk page per comune. The records a desk's pages share (its comuni's names, its
    vCard) are made once per desk: a change to them is one change, and a key of 8,000 pages
    fingerprints each of them once."""
    by_desk: dict[str, tuple[tuple[str, ...], str]] = {}
    for desk in contacts.desks:
        by_desk[desk.key] = (tuple(c.name for c in contacts.comuni_of(desk)), vcard_path(finder, desk))
    outputs = []
    for comune in contacts.comuni:
        neighbours, vcard = by_desk[comune.desk.key]
        shared_caps = tuple(s for s in (contacts.shared_cap(cap) for cap in comune.caps) if s is not None)
        inputs = ComuneInputs(comune=comune, desk=comune.desk, neighbours=neighbours, mode=mode,
                              shared_caps=shared_caps, vcard=vcard)
        outputs.append(Output(
            dest=comune_dest(finder, comune), template="comune.html", source=contacts.source, inputs=inputs,
            title=f"Sportello lavoro per {comune.name}",
            description=f"Chi cerca lavoro a {comune.name} può chiedere aiuto gratis allo {comune.desk.name}: "
                        f"telefono ed email per informazioni."))
    return outputs


def navigation(pages: list[Page], dests: dict[str, str]) -> tuple[NavItem, ...]:
    in_menu = sorted((p for p in pages if p.menu is not None), key=lambda p: (p.menu, p.source))
    return tuple(NavItem(p.title if p.kind != "home" else "Home", dests[p.source]) for p in in_menu)


def feed_path(pages: list[Page], dests: dict[str, str]) -> str | None:
    """The Atom feed sits beside the notices page ("avvisi/feed.xml"); no notices page, no feed."""
    listing = [p for p in pages if p.kind == "avvisi"]
    return posixpath.join(posixpath.dirname(dests[listing[0].source]), "feed.xml") if listing else None


def notices(pages: list[Page], dests: dict[str, str]) -> tuple[Notice, ...]:
    """Notices, newest first; equal dates in file order so the list never shuffles."""
    found = [p for p in pages if p.is_notice and p.date]
    found.sort(key=lambda p: p.source)
    found.sort(key=lambda p: p.date, reverse=True)
    return tuple(Notice(p.title, p.description, p.date, dests[p.source]) for p in found)


def check_notice_dates(pages: list[Page], today: date, report: Report, content: str) -> None:
    """A notice dated after the day of the build is most likely a wrong year: it would lead the
    list and the feed until that day comes."""
    for page in pages:
        if page.is_notice and page.date and page.date > today:
            report.warning(f"{content}/{page.source}", page.date_line, 1, f"la data dell'avviso, {page.date}, viene "
                           f"dopo il giorno della pubblicazione ({today}): controlla l'anno. Per annunciare "
                           "qualcosa che succederà, metti la data di oggi e scrivi nel testo quando succede")


def check_unique_dests(outputs: list[Output], report: Report) -> None:
    """Two sources on one path would silently overwrite each other: refuse before rendering. The
    comune pages' places come first: a page of content/ that takes one is the page's mistake."""
    first: dict[str, Output] = {}
    for output in sorted(outputs, key=lambda o: o.page is not None):   # stable: the comuni, then the pages
        if output.dest in first:
            other = first[output.dest]
            named = f"di {other.source}" if other.page else f"della pagina del comune {comune_name(other)}"
            report.error(output.source, 1, 0, f"questa pagina finirebbe nello stesso indirizzo "
                         f"\"{output.canonical_path}\" {named}: cambia il nome del file o lo \"slug\"")
        else:
            first[output.dest] = output


@dataclass(frozen=True)
class PathClaim:
    """An output path and who makes it, as an error names it."""

    path: str
    source: str     # the file to name in the error ("content/progetto.md")
    line: int
    what: str       # "la pagina content/progetto.md"
    fix: str
    page: bool = False


def path_claims(outputs: list[Output], assets: list[Asset], static_files: list[str], made: set[str],
                content: str) -> list[PathClaim]:
    """Every file the site will have, the files the program makes first: when two collide, the
    error goes to the one an editor can rename."""
    rename = "cambia il nome del file"
    claims = [PathClaim(path, path, 0, f"il file {path} creato dal programma", rename) for path in sorted(made)]
    claims += [PathClaim(path, path, 0, f"il file {path} della cartella static/", rename) for path in static_files]
    claims += [PathClaim(o.dest, o.source, 1 if o.page else 0,
                     f"la pagina {o.source}" if o.page else f"la pagina del comune {comune_name(o)}",
                     f"{rename} o lo \"slug\"", page=True)
               for o in outputs]
    claims += [PathClaim(a.source, f"{content}/{a.source}", 0, f"il file {content}/{a.source}", rename)
               for a in assets]
    return claims


def comune_name(output: Output) -> str:
    return output.inputs.comune.name if isinstance(output.inputs, ComuneInputs) else output.title


def check_output_paths(claims: list[PathClaim], report: Report) -> None:
    """No two files of the site on one path, and no file where another needs a folder (a page
    "robots.txt/index.html" beside the file robots.txt): either would replace the other, and
    rebuilds would alternate between them. Two pages on one path are check_unique_dests' error."""
    taken: dict[str, PathClaim] = {}
    folders: dict[str, PathClaim] = {}   # every folder that a taken file needs, with the first file in it
    for claim in claims:
        problem = path_clash(claim, taken, folders)
        if problem is None:
            taken[claim.path] = claim
            for folder in parent_folders(claim.path):
                folders.setdefault(folder, claim)
        elif not (claim.path in taken and claim.page and taken[claim.path].page):   # check_unique_dests
            col = 1 if claim.line else 0
            report.error(claim.source, claim.line, col, f"{problem}: {claim.fix}")


def path_clash(claim: PathClaim, taken: dict[str, PathClaim], folders: dict[str, PathClaim]) -> str | None:
    """What is wrong with the path of `claim`, given the files already placed; None if nothing."""
    here = f"{'questa pagina' if claim.page else 'questo file'} finirebbe nel sito in \"{claim.path}\""
    if claim.path in taken:
        return f"{here}, ma lì c'è già {taken[claim.path].what}"
    for folder in parent_folders(claim.path):
        if folder in taken:
            return f"{here}, dentro \"{folder}\", che nel sito è già {taken[folder].what}"
    if claim.path in folders:
        other = folders[claim.path]
        return f"{here}, ma lì serve la cartella che contiene {other.what} ({other.path})"
    return None


def relinked_body(output: Output, body_html: str, site: Site) -> str:
    """A page's body with every link rewritten relative to where the page is written. The links
    were checked when the site was planned; nothing is reported twice."""
    unreported = Report()

    def replace_link(match: re.Match) -> str:
        value = html.unescape(match["value"])
        target = link_target(output.page, output.dest, value, 0, site.dests, site.paths, {}, unreported)
        new = value if target is None else link_from(output.dest, target, site.base_url)
        return f'{match["attr"]}="{html.escape(new, quote=True)}"'

    return LINK_ATTR_RE.sub(replace_link, body_html)


def link_target(page: Page, dest: str, value: str, line: int, dests: dict[str, str], known: set[str] | frozenset[str],
                anchors: dict[str, frozenset[str]], report: Report, content: str = "content") -> str | None:
    """The site path a link in a page body leads to; None for links to leave as written
    (other sites, e-mail, phone) and for broken ones, which are reported."""
    display = f"{content}/{page.source}"
    if SCHEME_RE.match(value) or value.startswith("//") or active_scheme(value):   # the last: reported when read
        return None
    if value.startswith("/"):
        report.error(display, line, 0, f"il collegamento \"{value}\" inizia con '/': "
                     "scrivilo relativo al file, per esempio \"progetto.md\" o \"../sportelli.md\"")
        return None
    path, _, fragment = value.partition("#")
    if not path:
        target_dest = dest
    elif path.endswith(".md"):
        target_dest = dests.get(resolve(page.source, path))
        if target_dest is None:
            report.error(display, line, 0, f"il collegamento \"{value}\" porta a una pagina "
                         f"che non esiste ({content}/{resolve(page.source, path)}): correggi il nome del file")
            return None
    else:
        target = resolve(page.source, path)
        folder_index = posixpath.normpath(posixpath.join(target, "index.html"))   # "." is the top: "index.html"
        target_dest = next((t for t in (target, folder_index) if t in known), None)
        if target_dest is None:
            report.error(display, line, 0, f"il collegamento \"{value}\" porta a un file "
                         "che non esiste: controlla il nome, oppure collega la pagina .md")
            return None
    if fragment and target_dest in anchors and fragment not in anchors[target_dest]:
        report.error(display, line, 0, f"nella pagina collegata non c'è il punto "
                     f"\"#{fragment}\": controlla il titolo del paragrafo a cui vuoi arrivare")
    return target_dest + (f"#{fragment}" if fragment else "")
