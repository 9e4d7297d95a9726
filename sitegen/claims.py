"""Phrases the site must not say, each with the reason, in Italian, for the editor who wrote it.

Everything the site states about the desks comes from one article, written before the desks
opened: it speaks of plans, and it gives phones and e-mails "per informazioni". Pages had drifted
into promises the article never made (someone will tell you where and when; an online channel;
advice to ask the school). This list keeps them out, together with the jargon a resident should
never meet. A phrase matches whatever its case, its line breaks and its kind of apostrophe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import Report, line_and_column

TEMPLATE_SUFFIX = ".html"


@dataclass(frozen=True)
class Claim:
    phrase: str   # as an editor would write it
    reason: str   # why it must not appear: "perché ..."
    fix: str      # what to write instead


SOURCE = "l'articolo sul progetto, la nostra unica fonte,"
NO_PROMISE = f"{SOURCE} non promette né un luogo né un orario, dice solo che di persona si va su appuntamento"
ONLY_DESKS = "indica solo i contatti degli sportelli e il sito del consorzio"
JARGON = "è linguaggio da addetti ai lavori, che chi cerca aiuto non usa"

CLAIMS = (
    Claim("ti diranno dove andare", NO_PROMISE, "scrivi solo che di persona si va su appuntamento"),
    Claim("dove e quando", NO_PROMISE, "scrivi solo che di persona si va su appuntamento"),
    *(Claim(f"per prendere {what}appuntamento", "l'articolo dà telefoni ed email \"per informazioni\", "
            "non dice che servono a prendere l'appuntamento",
            "scrivi \"per avere informazioni\" o \"chiedi come avere un appuntamento\"")
      for what in ("", "l'", "un ")),
    Claim("come prendere appuntamento", "l'articolo dà telefoni ed email \"per informazioni\", "
          "non dice come si prende l'appuntamento", "scrivi \"per informazioni\""),
    Claim("oppure online", "l'articolo non nomina nessun canale online che un cittadino possa usare",
          "nomina solo telefono ed email, che l'articolo dà \"per informazioni\""),
    Claim("ospitano gli sportelli", "l'articolo dice che i comuni hanno dato la disponibilità a ospitarli, "
          "non che li ospitano", "scrivi \"hanno dato la disponibilità a ospitare gli sportelli\""),
    Claim("ora c'è anche un posto dove andare", "l'articolo annuncia la sede fisica come un piano, "
          "non dice che oggi c'è", "scrivi che cosa prevedeva l'articolo, con la sua data"),
    Claim("chiedi ai servizi sociali", f"{SOURCE} non dà questo consiglio", ONLY_DESKS),
    Claim("chiedi informazioni a scuola", f"{SOURCE} non dice che le scuole danno informazioni sugli sportelli",
          ONLY_DESKS),
    Claim("ricerca attiva del lavoro e della formazione", JARGON,
          "scrivi per esempio \"sportelli per il lavoro\" o \"ti aiutano a cercare lavoro\""),
    Claim("enti accreditati", JARGON, "scrivi per esempio \"enti che lavorano da tempo nei servizi per il lavoro\""),
    Claim("ente di riferimento", JARGON, "scrivi per esempio \"lo sportello che ti segue\""),
    Claim("JavaScript", "chi legge il sito non deve sapere che cos'è",
          "di' che cosa funziona, per esempio \"anche su un telefono vecchio\""),
)


@lru_cache(maxsize=None)
def claim_pattern(phrase: str) -> re.Pattern:
    """The phrase as a pattern: any case, any run of spaces or line breaks between words, either
    apostrophe, and whole words only ("dove e quando", not "dove e quandoo")."""
    words = [re.escape(word).replace("'", "['’]") for word in phrase.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=None)
def claim_words(phrase: str) -> tuple[str, ...]:
    """The phrase's words in lower case: a text lacking one of them cannot hold the phrase."""
    return tuple(phrase.lower().split())


@dataclass(frozen=True)
class Found:
    line: int
    col: int
    text: str      # as written in the file
    claim: Claim


def find_claims(text: str) -> list[Found]:
    """Every forbidden phrase in `text`, with its 1-based line and column. Each phrase's pattern
    runs only on a text that holds all its words (a plain substring search): most pages hold
    none of the phrases, and a pattern that ignores case is slow to run over a whole page."""
    lowered = text.lower().replace("’", "'")
    found = []
    for claim in CLAIMS:
        if not all(word in lowered for word in claim_words(claim.phrase)):
            continue
        for match in claim_pattern(claim.phrase).finditer(text):
            if is_scheme(text, match.end()):
                continue   # "javascript:alert(1)" is a link's scheme, refused as active content, not prose
            found.append(Found(*line_and_column(text, match.start()), " ".join(match[0].split()), claim))
    return sorted(found, key=lambda f: (f.line, f.col))


def is_scheme(text: str, end: int) -> bool:
    """A word glued to ":" and then to more text, as in a web address ("javascript:…")."""
    return text[end:end + 1] == ":" and text[end + 1:end + 2] not in ("", " ", "\t", "\n")


def report_claims(text: str, display: str, report: Report) -> None:
    """One error per forbidden phrase in a file's text."""
    for found in find_claims(text):
        report.error(display, found.line, found.col,
                     f"la frase \"{found.text}\" non va usata perché {found.claim.reason}; {found.claim.fix}")


def check_templates(folder: Path, display: str, report: Report) -> None:
    """The templates' own text is read by citizens as much as the pages: the same phrases apply."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*" + TEMPLATE_SUFFIX)):
        if path.is_file() and not path.name.startswith("."):
            relative = path.relative_to(folder).as_posix()
            report_claims(path.read_text(encoding="utf-8"), f"{display}/{relative}", report)
