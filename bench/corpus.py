"""Synthetic inputs for the benchmarks: Markdown pages and a contacts file, the same for a given seed.

    python bench/corpus.py OUT_DIR [--pages 100] [--comuni 17] [--seed 1]

writes OUT_DIR/content/ (a copy of the project's content/ plus `--pages` pages under corpus/) and
OUT_DIR/data/contacts.yaml (`--comuni` made-up comuni, their desks and frazioni). Pages are
Italian-like text of about 600 words with headings, lists, a table and links to other pages, so
that Markdown conversion and link checking do realistic work. The generator is independent of the
site's engine: peers get the same pages through `corpus_pages()`, each in its own front matter.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CORPUS_DIR = "corpus"
DEFAULT_SEED = 1

# -- names -----------------------------------------------------------------------------------

SYLLABLES = ("ca", "sa", "le", "mo", "ri", "va", "to", "ne", "gu", "so", "la", "pi", "a", "de", "na",
             "dro", "bel", "vi", "co", "mar", "ti", "gna", "no", "ro", "tor", "ri", "cel", "pon", "zo",
             "ghe", "sca", "ver", "bra", "mon", "te", "lu", "fio", "ren", "za", "sto", "gli", "ber")
LINKS = ("di", "de'", "del", "in", "sul", "d'", "ed", "San", "Santa", "Ca'", "Borgo", "Castel", "Villa")


def synthetic_name(rng: random.Random) -> str:
    """A place name shaped like Italy's (one word, "X di Y", "San X", "X Y"), so that the finder's
    index compresses and searches as it would with real names."""
    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()

    shape = rng.random()
    if shape < 0.55:
        return word()
    if shape < 0.75:
        return f"{word()} {rng.choice(LINKS[:7])} {word()}"
    if shape < 0.9:
        return f"{rng.choice(LINKS[7:])} {word()}"
    return f"{word()} {word()}"


def slug_of(name: str) -> str:
    """The same rule as the site's slugs, repeated here so the generator needs nothing from the
    engine: two comuni with one slug would be a data error, not a benchmark."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML): apostrophes and accents are safe."""
    return json.dumps(text, ensure_ascii=False)


# -- contacts --------------------------------------------------------------------------------

CONTACTS_HEADER = """\
# Synthetic contacts for benchmarks: {count} made-up comuni (seed {seed}). Not real data.
aggiornato_al: 2026-11-25
consorzio:
  nome: Consorzio di prova
  sigla: C.P.
  sito: https://www.example.org/
  fonte: SINTETICO

modalita:
  - al: 2021-01-10
    online: sì
    in_presenza: no
    fonte: SINTETICO
  - dal: 2021-01-11
    online: sì
    in_presenza: su appuntamento
    fonte: SINTETICO
"""

CONTACTS_FOOTER = """
fonti:
  SINTETICO:
    descrizione: "Dati inventati per le prove di velocità."
"""


def desk_count(comuni: int) -> int:
    """2 desks for the real-like 17 comuni, up to 20 for thousands: every desk serves at least one
    comune (an unused desk is a warning)."""
    return max(1, min(20, comuni // 8))


def comune_entry(rng: random.Random, index: int, count: int, name: str, desks: int, frazioni: float) -> str:
    """One item of "comuni": 15 % of frazioni have a variant, 20 % are former comuni, 5 % of comuni
    have another name; neighbours share CAPs as in the real data."""
    lines = [f"  - nome: {quoted(name)}",
             f'    istat: "{index:06d}"',
             f'    cap: "{10000 + (index * 9) // 16:05d}"',
             f"    sportello: sportello-{index * desks // count}"]
    places = []
    for _ in range(int(frazioni * rng.choice((0, 0, 1, 1, 2, 2, 3, 4, 5)) / 2 + rng.random())):
        variant = synthetic_name(rng) if rng.random() < 0.15 else None
        places.append((synthetic_name(rng), variant))
    if places:
        lines.append("    frazioni:")
        for place, variant in places:
            if variant:
                lines += [f"      - nome: {quoted(place)}", f"        varianti: [{quoted(variant)}]"]
            else:
                lines.append(f"      - {quoted(place)}")
    former = [place for place, _ in places if rng.random() < 0.2]
    if former:
        lines.append(f"    ex_comuni: [{', '.join(quoted(f) for f in former)}]")
    if rng.random() < 0.05:
        lines.append(f"    altri_nomi: [{quoted(synthetic_name(rng))}]")
    lines.append("    fonti: [SINTETICO]")
    return "\n".join(lines)


def contacts_yaml(count: int = 17, frazioni: float = 0.5, seed: int = DEFAULT_SEED) -> str:
    """A contacts file in the shape of data/contacts.yaml with `count` made-up comuni and
    `frazioni` frazioni per comune on average. Same arguments, same text."""
    rng = random.Random(seed)
    desks = desk_count(count)
    parts = [CONTACTS_HEADER.format(count=count, seed=seed), "enti:"]
    parts += [f"  ente-{d}:\n    nome: Ente di prova {d}\n    fonte: SINTETICO" for d in range(desks)]
    parts.append("\nsportelli:")
    parts += [f"  sportello-{d}:\n    nome: Sportello di prova {d}\n    ente: ente-{d}\n"
              f'    telefono: "0375 {40200 + d}"\n    email: sportello{d}@example.org\n    fonte: SINTETICO'
              for d in range(desks)]
    parts.append("\ncomuni:")
    slugs: set[str] = set()
    for index in range(count):
        name = synthetic_name(rng)
        while slug_of(name) in slugs:
            name = synthetic_name(rng)
        slugs.add(slug_of(name))
        parts.append(comune_entry(rng, index, count, name, desks, frazioni))
    parts.append("\ncap_condivisi:")
    for k in range(min(60, max(1, count // 8))):
        outside = ", ".join(quoted(synthetic_name(rng)) for _ in range(2))
        parts.append(f'  "{10000 + k * 50:05d}":\n    fuori_consorzio: [{outside}]\n    fonti: [SINTETICO]')
    return "\n".join(parts) + "\n" + CONTACTS_FOOTER


def synthetic_contacts(count: int = 8000, frazioni: float = 0.5, seed: int = 3):
    """The generated file read by the site's own loader, for benchmarks that need `Contacts`
    records (the finder's index): one generator, checked by the real rules."""
    sys.path.insert(0, str(PROJECT))
    from sitegen.contacts import load_contacts
    from sitegen.errors import Report

    report = Report()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contacts.yaml"
        path.write_text(contacts_yaml(count, frazioni, seed), encoding="utf-8")
        contacts = load_contacts(path, "synthetic.yaml", report)
    if contacts is None or report.errors:
        raise ValueError("synthetic contacts rejected: " + "; ".join(map(str, report.sorted())))
    return contacts


# -- pages -----------------------------------------------------------------------------------

WORDS = ("il", "la", "lo", "un", "una", "di", "del", "della", "per", "con", "che", "non", "e", "a", "in",
         "lavoro", "sportello", "persone", "famiglie", "comune", "progetto", "servizio", "aiuto", "percorso",
         "formazione", "colloquio", "appuntamento", "territorio", "consorzio", "operatore", "domanda",
         "cercare", "trovare", "chiedere", "parlare", "scrivere", "telefonare", "preparare", "capire",
         "gratuito", "semplice", "difficile", "nuovo", "utile", "insieme", "sempre", "anche", "ogni",
         "giorno", "settimana", "mese", "anno", "casa", "scuola", "azienda", "curriculum", "offerta",
         "contratto", "tirocinio", "corso", "orario", "documento", "modulo", "ufficio", "sede", "paese",
         "frazione", "strada", "piazza", "regione", "fondo", "sociale", "europeo", "attiva", "inclusione",
         "possibile", "importante", "prima", "dopo", "mentre", "dove", "come", "perché", "molto", "poco",
         "può", "deve", "vuole", "sono", "ha", "hanno", "fa", "va", "viene", "resta", "serve", "basta")
HEADINGS = ("Che cosa serve", "Come funziona", "Chi può chiedere", "Dove andare", "Quando", "I documenti",
            "Le domande frequenti", "Dopo il colloquio", "Per saperne di più", "Gli orari")


@dataclass(frozen=True)
class SyntheticPage:
    """One generated page, independent of any generator's front matter. Links in `body` point to
    other pages as `[text](pagina-00012.md)`; each generator's writer rewrites them its own way."""

    name: str           # "pagina-00012" (file stem, also the slug)
    title: str
    description: str
    body: str


def sentence(rng: random.Random, low: int = 8, high: int = 16) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + rng.choice((".", ".", ".", "?"))


def paragraph(rng: random.Random, sentences: int) -> str:
    """Short sentences, one per line: the site's content style (easy-to-read Italian)."""
    return "\n".join(sentence(rng) for _ in range(sentences))


def page_name(index: int) -> str:
    return f"pagina-{index:05d}"


def link_targets(rng: random.Random, index: int, count: int) -> list[int]:
    """Three other pages: the next one (every page is reachable), a far one and a random one."""
    if count < 2:
        return []
    targets = [(index + 1) % count, (index * 7 + 3) % count, rng.randrange(count)]
    return [t if t != index else (t + 1) % count for t in targets]


def table(rng: random.Random) -> str:
    rows = ["| Giorno | Orario | Dove |", "| --- | --- | --- |"]
    for day in rng.sample(("Lunedì", "Martedì", "Mercoledì", "Giovedì", "Venerdì"), 4):
        rows.append(f"| {day} | {rng.randint(8, 12)}:00 - {rng.randint(13, 18)}:00 | "
                    f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} |")
    return "\n".join(rows)


def page_body(rng: random.Random, index: int, count: int) -> str:
    """About 600 words: 5 sections of text, a bullet list, a numbered list with links, a table."""
    sections = rng.sample(HEADINGS, 5)
    links = link_targets(rng, index, count)
    parts = [paragraph(rng, 4)]
    for number, heading in enumerate(sections):
        parts.append(f"## {heading}")
        parts.append(paragraph(rng, rng.randint(6, 8)))
        if number == 1:
            parts.append("\n".join(f"- {sentence(rng, 3, 7)}" for _ in range(5)))
        if number == 2:
            parts.append(table(rng))
        if number == 3 and links:
            parts.append("\n".join(f"{k}. [{sentence(rng, 2, 4).rstrip('.?')}]({page_name(t)}.md)"
                                   for k, t in enumerate(links, start=1)))
    return "\n\n".join(parts) + "\n"


def corpus_pages(count: int, seed: int = DEFAULT_SEED) -> list[SyntheticPage]:
    """`count` pages; page i is the same for every count and seed pair (one generator per page)."""
    pages = []
    for index in range(count):
        rng = random.Random(f"{seed}:{index}:{count}")
        title = f"{sentence(rng, 3, 6).rstrip('.?')} ({index})"
        description = sentence(rng, 12, 20)
        pages.append(SyntheticPage(page_name(index), title, description, page_body(rng, index, count)))
    return pages


# -- our content folder ----------------------------------------------------------------------

def front_matter(title: str, description: str) -> str:
    return f"---\ntitolo: {quoted(title)}\ndescrizione: {quoted(description)}\n---\n\n"


def write_our_content(content: Path, pages: list[SyntheticPage]) -> None:
    """The site's content folder: a copy of the project's own pages (home, finder, 404, notices and
    the pages the templates link to, so the plan's rules hold whatever the templates need) plus the
    synthetic pages under corpus/."""
    shutil.copytree(PROJECT / "content", content, ignore=shutil.ignore_patterns(".*"), dirs_exist_ok=True)
    folder = content / CORPUS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for page in pages:
        (folder / f"{page.name}.md").write_text(front_matter(page.title, page.description) + page.body,
                                                encoding="utf-8")


def write_corpus(root: Path, pages: int, comuni: int = 17, seed: int = DEFAULT_SEED,
                 frazioni: float = 0.5) -> tuple[Path, Path]:
    """root/content and root/data/contacts.yaml; returns (content dir, contacts file)."""
    content, data = root / "content", root / "data" / "contacts.yaml"
    write_our_content(content, corpus_pages(pages, seed))
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text(contacts_yaml(comuni, frazioni, seed), encoding="utf-8")
    return content, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write content/ and data/ into")
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--comuni", type=int, default=17)
    parser.add_argument("--frazioni", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    content, data = write_corpus(args.out, args.pages, args.comuni, args.seed, args.frazioni)
    words = sum(len(p.body.split()) for p in corpus_pages(min(args.pages, 50), args.seed))
    print(f"{content}: {args.pages} pages (about {words // max(1, min(args.pages, 50))} words each); "
          f"{data}: {args.comuni} comuni")


if __name__ == "__main__":
    main()
