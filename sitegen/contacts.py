"""data/contacts.yaml -> validated, frozen records of the consortium, its desks and comuni."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import yaml

from .errors import Report, decode_utf8
from .yamlnodes import Where, closest, compose, position

IN_PERSON_CHOICES = {"no": None, "su appuntamento": "su appuntamento"}


@dataclass(frozen=True)
class Source:
    key: str
    description: str
    url: str | None


@dataclass(frozen=True)
class Consortium:
    name: str
    acronym: str
    website: str


@dataclass(frozen=True)
class Operator:
    key: str
    name: str


@dataclass(frozen=True)
class Phone:
    """A phone number as published, plus what a `tel:` link and a screen reader need."""

    published: str          # "0372 1786314 int. 1", exactly as in the source
    number: str             # "0372 1786314"
    extension: str | None   # "1"
    mobile: bool

    @property
    def digits(self) -> str:
        return self.number.replace(" ", "")

    @property
    def tel_uri(self) -> str:
        return "tel:+39" + self.digits

    @property
    def international(self) -> str:
        return "+39 " + self.number

    @property
    def international_with_extension(self) -> str:
        """"+39 0372 1786314 int. 1": the extension kept with the number, as it is published."""
        return self.international + (f" int. {self.extension}" if self.extension else "")


@dataclass(frozen=True)
class Desk:
    key: str
    name: str
    operator: Operator
    phones: tuple[Phone, ...]
    email: str


@dataclass(frozen=True)
class Mode:
    """How citizens reach the desks during one period (either end may be open)."""

    start: date | None
    end: date | None
    online: bool
    in_person: str | None   # None, or "su appuntamento"

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Frazione:
    name: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Comune:
    name: str
    slug: str
    article_name: str
    istat: str
    caps: tuple[str, ...]
    desk: Desk
    frazioni: tuple[Frazione, ...]
    former_comuni: tuple[str, ...]
    other_names: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class SharedCap:
    cap: str
    outside: tuple[str, ...]


@dataclass(frozen=True)
class Contacts:
    source: str             # the file's path as editors know it, for messages about it
    consortium: Consortium
    desks: tuple[Desk, ...]
    modes: tuple[Mode, ...]
    comuni: tuple[Comune, ...]
    shared_caps: tuple[SharedCap, ...]
    sources: tuple[Source, ...]
    updated_on: date        # when staff last checked the contacts against their sources
    outside: tuple[str, ...] = ()   # comuni nearby that the project does not serve (for the finder's message)

    def mode_on(self, day: date) -> Mode | None:
        """The access mode in force on `day`, or None before the first period."""
        for mode in self.modes:
            if mode.covers(day):
                return mode
        return None

    def comuni_of(self, desk: Desk) -> tuple[Comune, ...]:
        return self._by_desk.get(desk.key, ())

    @cached_property
    def _by_desk(self) -> dict[str, tuple[Comune, ...]]:
        """Comuni grouped by desk once: every comune page lists its desk's other comuni."""
        groups: dict[str, list[Comune]] = {}
        for comune in self.comuni:
            groups.setdefault(comune.desk.key, []).append(comune)
        return {key: tuple(found) for key, found in groups.items()}

    def shared_cap(self, cap: str) -> SharedCap | None:
        return next((s for s in self.shared_caps if s.cap == cap), None)


def slugify(name: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Cingia de' Botti" -> "cingia-de-botti"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


PHONE_RE = re.compile(r"^(?P<number>[0-9][0-9 ]*[0-9])(?:\s*int\.\s*(?P<ext>[0-9]{1,5}))?$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
CAP_RE = re.compile(r"^[0-9]{5}$")
ISTAT_RE = re.compile(r"^[0-9]{6}$")
URL_RE = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$")


def load_contacts(path: Path, display: str, report: Report) -> Contacts | None:
    """Read and validate the contacts file; every problem goes to `report` with its line."""
    try:
        data = path.read_bytes()
    except OSError:
        report.error(display, 0, 0, "il file non esiste o non si può leggere")
        return None
    text = decode_utf8(data, display, report)
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")   # line ends as text mode reads them (Windows editors)
    root = compose(text, display, report)
    if root is None:
        if not report.errors:
            report.error(display, 1, 1, "il file è vuoto")
        return None
    return _ContactsReader(Where(display, report)).read(root)


class _ContactsReader:
    """Turns the node tree into records; each method checks one section."""

    SECTIONS = ("aggiornato_al", "consorzio", "enti", "sportelli", "modalita", "comuni", "cap_condivisi",
                "comuni_fuori", "fonti")

    def __init__(self, where: Where):
        self.where = where
        self.cited: list[tuple[yaml.Node, str]] = []

    def read(self, root: yaml.Node) -> Contacts | None:
        sections = self.where.mapping(root, "il file", self.SECTIONS,
                                      required=("aggiornato_al", "consorzio", "enti", "sportelli", "modalita", "comuni",
                                                "fonti"))
        if sections is None:
            return None
        errors_before = len(self.where.report.errors)
        updated_on = self.where.date(sections.get("aggiornato_al"), "aggiornato_al")
        sources = self.sources(sections.get("fonti"))
        consortium = self.consortium(sections.get("consorzio"))
        operators = self.operators(sections.get("enti"))
        desks = self.desks(sections.get("sportelli"), operators)
        modes = self.modes(sections.get("modalita"))
        comuni = self.comuni(sections.get("comuni"), desks)
        shared = self.shared_caps(sections.get("cap_condivisi"), comuni)
        outside = self.outside(sections.get("comuni_fuori"), comuni)
        self.check_sources_cited(sources)
        self.check_desks_used(sections.get("sportelli"), desks, comuni)
        if len(self.where.report.errors) > errors_before or consortium is None or updated_on is None:
            return None
        return Contacts(self.where.path, consortium, tuple(desks.values()), modes, comuni, shared,
                        tuple(sources.values()), updated_on, outside)

    # -- sources -------------------------------------------------------------------------

    def sources(self, node) -> dict[str, Source]:
        found: dict[str, Source] = {}
        for key, value in (self.where.mapping(node, "\"fonti\"") or {}).items():
            fields = self.where.mapping(value, f"la fonte \"{key}\"", ("descrizione", "indirizzo"),
                                        required=("descrizione",))
            if fields is None:
                continue
            url = self.where.text(fields.get("indirizzo"), "l'indirizzo della fonte")
            found[key] = Source(key, self.where.text(fields.get("descrizione"), "la descrizione") or "", url)
        return found

    def cite(self, fields: dict[str, yaml.Node], required: bool = True) -> tuple[str, ...]:
        """Remember the sources a record cites, so that they can be checked against "fonti"."""
        node = fields.get("fonte") or fields.get("fonti")
        keys = []
        for item in self.where.sequence(node, "le fonti"):
            key = self.where.text(item, "la fonte")
            if key:
                self.cited.append((item, key))
                keys.append(key)
        return tuple(keys)

    def check_sources_cited(self, sources: dict[str, Source]) -> None:
        for node, key in self.cited:
            if key not in sources:
                self.where.error(node, f"la fonte \"{key}\" non è elencata in \"fonti\" in fondo al file: "
                                 f"aggiungila lì{_suggest(key, sources)}")

    # -- consortium, operators, desks ------------------------------------------------------

    def consortium(self, node) -> Consortium | None:
        fields = self.where.mapping(node, "\"consorzio\"", ("nome", "sigla", "sito", "fonte"),
                                    required=("nome", "sigla", "sito", "fonte"))
        if fields is None:
            return None
        self.cite(fields)
        website = self.where.text(fields.get("sito"), "il sito del consorzio")
        if website and not URL_RE.match(website):
            self.where.error(fields["sito"], f"\"{website}\" non è un indirizzo web valido: "
                             "scrivilo intero, per esempio https://www.concass.it/")
        name = self.where.text(fields.get("nome"), "il nome del consorzio")
        acronym = self.where.text(fields.get("sigla"), "la sigla del consorzio")
        if not (name and acronym and website):
            return None
        return Consortium(name, acronym, website)

    def operators(self, node) -> dict[str, Operator]:
        found = {}
        for key, value in (self.where.mapping(node, "\"enti\"") or {}).items():
            fields = self.where.mapping(value, f"l'ente \"{key}\"", ("nome", "fonte"), required=("nome", "fonte"))
            if fields is None:
                continue
            self.cite(fields)
            name = self.where.text(fields.get("nome"), "il nome dell'ente")
            if name:
                found[key] = Operator(key, name)
        return found

    def desks(self, node, operators: dict[str, Operator]) -> dict[str, Desk]:
        found = {}
        allowed = ("nome", "ente", "telefono", "cellulare", "email", "fonte")
        for key, value in (self.where.mapping(node, "\"sportelli\"") or {}).items():
            what = f"lo sportello \"{key}\""
            fields = self.where.mapping(value, what, allowed, required=("nome", "ente", "email", "fonte"))
            if fields is None:
                continue
            self.cite(fields)
            operator = self.reference(fields.get("ente"), operators, "l'ente", "enti")
            phones = tuple(p for p in (self.phone(fields.get("telefono"), mobile=False),
                                       self.phone(fields.get("cellulare"), mobile=True)) if p)
            if "telefono" not in fields and "cellulare" not in fields:
                self.where.error(value, f"{what} non ha né \"telefono\" né \"cellulare\": "
                                 "scrivi almeno un numero")
            email = self.email(fields.get("email"))
            name = self.where.text(fields.get("nome"), "il nome dello sportello")
            # Kept even when a field is wrong (already reported), so that the comuni that use
            # this desk do not each report a second, misleading error.
            found[key] = Desk(key, name or "", operator, phones, email or "")
        return found

    def reference(self, node, known: dict, what: str, section: str):
        """A key that must name a record of another section; suggests the closest on a typo."""
        key = self.where.text(node, what)
        if key is None:
            return None
        if key not in known:
            self.where.error(node, f"{what} \"{key}\" non esiste in \"{section}\"{_suggest(key, known)}")
            return None
        return known[key]

    def phone(self, node, mobile: bool) -> Phone | None:
        what = "il cellulare" if mobile else "il telefono"
        published = self.where.text(node, what)
        if published is None:
            return None
        match = PHONE_RE.match(published)
        digits = match["number"].replace(" ", "") if match else ""
        valid_mobile = re.fullmatch(r"3[0-9]{8,9}", digits)
        valid_fixed = re.fullmatch(r"0[0-9]{5,10}", digits)
        if not match or not (valid_mobile if mobile else (valid_fixed or valid_mobile)):
            kind = "un cellulare italiano (9 o 10 cifre che iniziano con 3, per esempio \"324 7480228\")" if mobile \
                else "un numero italiano (che inizia con 0, per esempio \"0375 40200\"; un interno si scrive \"int. 1\")"
            if any(letter in published for letter in "Oo") and PHONE_RE.match(published.replace("O", "0")
                                                                               .replace("o", "0")):
                kind += "; hai scritto la lettera O al posto dello zero?"
            self.where.error(node, f"{what} \"{published}\" non sembra {kind}")
            return None
        return Phone(published, match["number"], match["ext"], bool(valid_mobile))

    def email(self, node) -> str | None:
        email = self.where.text(node, "l'email")
        if email and not EMAIL_RE.match(email):
            self.where.error(node, f"l'email \"{email}\" non è valida: deve essere come nome@dominio.it, senza spazi")
            return None
        return email

    def check_desks_used(self, node, desks: dict[str, Desk], comuni: tuple[Comune, ...]) -> None:
        used = {c.desk.key for c in comuni}
        if not isinstance(node, yaml.MappingNode):
            return
        for key_node, _ in node.value:
            if key_node.value in desks and key_node.value not in used:
                self.where.warning(key_node, f"nessun comune usa lo sportello \"{key_node.value}\": "
                                   "collegalo a un comune o toglilo")

    # -- modes ---------------------------------------------------------------------------

    def modes(self, node) -> tuple[Mode, ...]:
        modes: list[tuple[yaml.Node, Mode]] = []
        for item in self.where.sequence(node, "\"modalita\""):
            fields = self.where.mapping(item, "un periodo di \"modalita\"",
                                        ("dal", "al", "online", "in_presenza", "fonte"),
                                        required=("online", "in_presenza", "fonte"))
            if fields is None:
                continue
            self.cite(fields)
            start = self.where.date(fields.get("dal"), "la data \"dal\"") if "dal" in fields else None
            end = self.where.date(fields.get("al"), "la data \"al\"") if "al" in fields else None
            online = self.where.flag(fields.get("online"), "\"online\"")
            in_person = self.in_person(fields.get("in_presenza"))
            if start and end and end < start:
                self.where.error(item, f"il periodo finisce ({end}) prima di iniziare ({start}): controlla le date")
            dates_valid = ("dal" not in fields or start) and ("al" not in fields or end)
            if online is not None and in_person is not False and dates_valid:
                modes.append((item, Mode(start, end, online, in_person or None)))
        self.check_mode_periods(modes)
        return tuple(m for _, m in modes)

    def in_person(self, node) -> str | None | bool:
        """None for no in-person access, the condition as text, or False when invalid."""
        value = self.where.text(node, "\"in_presenza\"")
        if value is None:
            return False
        if value.lower() not in IN_PERSON_CHOICES:
            self.where.error(node, f"\"in_presenza\" deve essere \"no\" oppure \"su appuntamento\", non \"{value}\"")
            return False
        return IN_PERSON_CHOICES[value.lower()]

    def check_mode_periods(self, modes: list[tuple[yaml.Node, Mode]]) -> None:
        for (_, before), (node, after) in zip(modes, modes[1:]):
            if before.end is None or after.start is None or after.start <= before.end:
                self.where.error(node, "questo periodo si sovrappone a quello prima: il periodo prima "
                                 "deve finire (\"al\") il giorno prima che questo inizi (\"dal\")")

    # -- comuni --------------------------------------------------------------------------

    def comuni(self, node, desks: dict[str, Desk]) -> tuple[Comune, ...]:
        found: list[Comune] = []
        seen: dict[tuple[str, str], int] = {}
        frazioni_seen: dict[str, tuple[str, int]] = {}
        allowed = ("nome", "nome_articolo", "istat", "cap", "sportello", "frazioni", "ex_comuni",
                   "altri_nomi", "fonti")
        for item in self.where.sequence(node, "\"comuni\""):
            fields = self.where.mapping(item, "un comune", allowed,
                                        required=("nome", "istat", "cap", "sportello", "fonti"))
            if fields is None:
                continue
            name = self.where.text(fields.get("nome"), "il nome del comune")
            comune = self.comune(fields, name, desks) if name else None
            if comune is None:
                continue
            for kind, value, label in (("nome", comune.name, "il comune"), ("slug", comune.slug, "l'indirizzo"),
                                       ("istat", comune.istat, "il codice ISTAT")):
                if not value:
                    continue
                if (kind, value) in seen:
                    self.where.error(fields["nome"] if kind != "istat" else fields["istat"],
                                     f"{label} \"{value}\" è già usato dal comune alla riga "
                                     f"{seen[(kind, value)]}: ogni comune deve comparire una volta sola")
                else:
                    seen[(kind, value)] = position(item)[0]
            found.append(comune)
            self.check_frazioni_once(fields.get("frazioni"), comune.name, frazioni_seen)
        return tuple(found)

    def check_frazioni_once(self, node, comune: str, seen: dict[str, tuple[str, int]]) -> None:
        """A frazione listed under two comuni: the finder could not say which desk serves it."""
        for name, name_node in frazione_names(node):
            key = name.casefold()
            if key in seen and seen[key][0] != comune:
                other, line = seen[key]
                self.where.warning(name_node, f"la frazione \"{name}\" è già elencata nel comune {other} "
                                   f"(riga {line}): chi la cerca troverebbe due comuni. Tienila in un comune solo")
            else:
                seen.setdefault(key, (comune, position(name_node)[0]))

    def comune(self, fields: dict, name: str, desks: dict[str, Desk]) -> Comune | None:
        istat = self.where.text(fields.get("istat"), "il codice ISTAT")
        if istat and not ISTAT_RE.match(istat):
            self.where.error(fields["istat"], f"il codice ISTAT \"{istat}\" deve avere 6 cifre, "
                             "tra virgolette, per esempio \"019021\"")
            istat = None
        caps = []
        for cap_node in self.where.sequence(fields.get("cap"), "il CAP"):
            cap = self.where.text(cap_node, "il CAP")
            if cap and not CAP_RE.match(cap):
                self.where.error(cap_node, f"il CAP \"{cap}\" deve avere 5 cifre, per esempio \"26041\"")
            elif cap:
                caps.append(cap)
        desk = self.reference(fields.get("sportello"), desks, "lo sportello", "sportelli")
        article = self.where.text(fields.get("nome_articolo"), "il nome nell'articolo") \
            if "nome_articolo" in fields else name
        sources = self.cite(fields)
        if not (desk and article):
            return None
        # A wrong ISTAT code or CAP is already reported; the comune stays, to check duplicates.
        return Comune(name=name, slug=slugify(name), article_name=article, istat=istat or "", caps=tuple(caps),
                      desk=desk, frazioni=self.frazioni(fields.get("frazioni")),
                      former_comuni=self.names(fields.get("ex_comuni"), "un ex comune"),
                      other_names=self.names(fields.get("altri_nomi"), "un altro nome"), sources=sources)

    def frazioni(self, node) -> tuple[Frazione, ...]:
        found = []
        for item in self.where.sequence(node, "\"frazioni\""):
            if isinstance(item, yaml.MappingNode):
                fields = self.where.mapping(item, "una frazione", ("nome", "varianti"), required=("nome",))
                name = self.where.text(fields.get("nome"), "il nome della frazione") if fields else None
                variants = self.names(fields.get("varianti"), "una variante") if fields else ()
            else:
                name, variants = self.where.text(item, "il nome della frazione"), ()
            if name:
                found.append(Frazione(name, variants))
        return tuple(found)

    def names(self, node, what: str) -> tuple[str, ...]:
        return tuple(n for n in (self.where.text(i, what) for i in self.where.sequence(node, what)) if n)

    def shared_caps(self, node, comuni: tuple[Comune, ...]) -> tuple[SharedCap, ...]:
        found = []
        for cap, value in (self.where.mapping(node, "\"cap_condivisi\"") or {}).items():
            fields = self.where.mapping(value, f"il CAP condiviso \"{cap}\"", ("fuori_consorzio", "fonti"),
                                        required=("fuori_consorzio", "fonti"))
            if fields is None:
                continue
            self.cite(fields)
            if not CAP_RE.match(cap):
                self.where.error(value, f"il CAP \"{cap}\" deve avere 5 cifre")
            found.append(SharedCap(cap, self.names(fields.get("fuori_consorzio"), "un comune")))
        return tuple(found)

    def outside(self, node, comuni: tuple[Comune, ...]) -> tuple[str, ...]:
        """Comuni the project does not serve: a name that is one of ours would send a resident away."""
        if node is None:
            return ()
        fields = self.where.mapping(node, "\"comuni_fuori\"", ("nomi", "fonti"), required=("nomi", "fonti"))
        if fields is None:
            return ()
        self.cite(fields)
        ours = {c.slug: c.name for c in comuni}
        names = []
        for item in self.where.sequence(fields.get("nomi"), "un comune"):
            name = self.where.text(item, "un comune")
            if name and slugify(name) in ours:
                self.where.error(item, f"\"{name}\" è un comune del progetto ({ours[slugify(name)]}): "
                                       f"toglilo da \"comuni_fuori\"")
            elif name:
                names.append(name)
        return tuple(names)


def frazione_names(node) -> list[tuple[str, yaml.Node]]:
    """The names in a "frazioni" list, written plain or as "nome:", with their nodes; what is not
    well formed is reported by Contacts' readers, not here."""
    found = []
    for item in node.value if isinstance(node, yaml.SequenceNode) else ():
        if isinstance(item, yaml.MappingNode):
            item = next((value for key, value in item.value if isinstance(key, yaml.ScalarNode) and key.value == "nome"),
                        None)
        if isinstance(item, yaml.ScalarNode) and item.value:
            found.append((item.value, item))
    return found


def _suggest(word: str, choices) -> str:
    close = closest(word, choices)
    if close:
        return f" (forse intendevi \"{close}\"?)"
    names = ", ".join(f"\"{c}\"" for c in sorted(choices))
    return f"; quelli che esistono sono: {names}" if names else ""
