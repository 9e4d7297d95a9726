"""The site says only what its source says, as it says it: the phrases `check` refuses, the date
the contacts were last checked, and the accessibility statement's settings and page."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bench.corpus import corpus_pages
from sitegen.claims import CLAIMS, check_templates, find_claims
from sitegen.errors import Report
from support import DATA, PROJECT, edit, line_of, problems, real_contacts, run, source_args

ARTICLE_ERROR = ('la frase "{text}" non va usata perché l\'articolo sul progetto, la nostra unica fonte, '
                 'non promette né un luogo né un orario, dice solo che di persona si va su appuntamento; '
                 'scrivi solo che di persona si va su appuntamento')


# -- the phrases that must not appear ------------------------------------------------------------

def test_a_forbidden_phrase_in_a_page_stops_check_and_build_with_its_place_and_reason(sources, tmp_path, capsys):
    page = sources / "content" / "come-funziona.md"
    edit(page, "Il servizio è gratuito.\n", "Il servizio è gratuito.\nChiama: ti diranno dove andare.\n")
    line = line_of(page, "ti diranno")
    expected = f"content/come-funziona.md:{line}:9: errore: " + ARTICLE_ERROR.format(text="ti diranno dove andare")
    for command in (["check"], ["build", "--out", str(tmp_path / "site")]):
        status, _, err = run(command + source_args(sources), capsys)
        assert status == 1
        assert problems(err, "errore") == [expected]
    assert not (tmp_path / "site").exists()


def test_phrases_match_across_case_line_breaks_and_apostrophes():
    text = "Prima riga.\nOra c’è anche\nun POSTO dove andare.\n"
    found = find_claims(text)
    assert [(f.line, f.col, f.text, f.claim.phrase) for f in found] == [
        (2, 1, "Ora c’è anche un POSTO dove andare", "ora c'è anche un posto dove andare")]


def test_phrases_match_whole_words_only():
    assert find_claims("Sappiamo dove e quandoo. Gli enti accreditatissimi. SottoJavaScript.") == []
    assert [f.text for f in find_claims("Chiedi dove e quando.")] == ["dove e quando"]


def test_every_phrase_is_found_with_its_own_reason():
    for claim in CLAIMS:
        found = find_claims(f"Testo prima. {claim.phrase.upper()}. Testo dopo.")
        assert [f.claim for f in found] == [claim]
        assert claim.reason and claim.fix and "perché" not in claim.reason


def test_a_scratch_template_with_a_forbidden_phrase_is_reported(tmp_path):
    folder = tmp_path / "templates"
    (folder / "parti").mkdir(parents=True)
    (folder / "pulito.html").write_text("<p>Telefona per informazioni.</p>\n", encoding="utf-8")
    (folder / "parti" / "contatti.html").write_text(
        "{% if x %}\n<p>Per telefono, per email oppure\n  online.</p>\n{% endif %}\n", encoding="utf-8")
    (folder / "note.txt").write_text("oppure online", encoding="utf-8")   # not a template
    report = Report()
    check_templates(folder, "templates", report)
    assert [str(p) for p in report.sorted()] == [
        'templates/parti/contatti.html:2:28: errore: la frase "oppure online" non va usata perché l\'articolo '
        'non nomina nessun canale online che un cittadino possa usare; nomina solo telefono ed email, '
        'che l\'articolo dà "per informazioni"']


def test_the_real_pages_say_only_what_the_article_says():
    found = {path.relative_to(PROJECT).as_posix(): [(f.line, f.text) for f in find_claims(path.read_text("utf-8"))]
             for path in sorted((PROJECT / "content").rglob("*.md"))}
    assert len(found) >= 10
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_real_templates_say_only_what_the_article_says():
    report = Report()
    check_templates(PROJECT / "templates", "templates", report)
    assert [str(p) for p in report.sorted()] == []


def test_a_forbidden_phrase_in_a_template_stops_the_check(project_copy, capsys):
    template = project_copy / "templates" / "pagina.html"
    edit(template, "{% endblock %}", "<p>Scrivi oppure online.</p>\n{% endblock %}")
    status, _, err = run(["check"] + source_args(project_copy), capsys)
    assert status == 1
    assert problems(err, "errore") == [
        f'templates/pagina.html:{line_of(template, "oppure online")}:11: errore: la frase "oppure online" non va '
        'usata perché l\'articolo non nomina nessun canale online che un cittadino possa usare; nomina solo '
        'telefono ed email, che l\'articolo dà "per informazioni"']


# -- when the contacts were last checked -------------------------------------------------------

def test_contacts_carry_the_date_they_were_last_checked():
    text = (PROJECT / DATA).read_text(encoding="utf-8")
    written = re.search(r"^aggiornato_al: (\d{4}-\d{2}-\d{2})$", text, re.MULTILINE)[1]
    contacts = real_contacts()
    assert contacts.updated_on == date.fromisoformat(written)


@pytest.mark.parametrize("value, message", [
    ("25/11/2026", 'aggiornato_al "25/11/2026" non è una data valida: scrivila come AAAA-MM-GG, per esempio 2021-01-11'),
    ('""', "manca il valore (aggiornato_al): scrivilo dopo i due punti, oppure togli il campo"),
])
def test_a_wrong_check_date_is_an_error_with_its_line(sources, capsys, value, message):
    data = sources / DATA
    old = re.search(r"^aggiornato_al: .*$", data.read_text(encoding="utf-8"), re.MULTILINE)[0]
    edit(data, old, f"aggiornato_al: {value}")
    status, _, err = run(["check"] + source_args(sources), capsys)
    assert status == 1
    assert problems(err, "errore") == [f"{DATA}:{line_of(data, 'aggiornato_al: ')}:16: errore: {message}"]


def test_the_check_date_is_required(sources, capsys):
    data = sources / DATA
    old = re.search(r"^aggiornato_al: .*\n", data.read_text(encoding="utf-8"), re.MULTILINE)[0]
    edit(data, old, "")
    status, _, err = run(["check"] + source_args(sources), capsys)
    assert status == 1
    assert [p.split(": errore: ")[1] for p in problems(err, "errore")] == [
        'manca il campo obbligatorio "aggiornato_al" (il file)']


# -- the accessibility statement's settings ------------------------------------------------------

SETTINGS = """\
leggibilita_minima: 60
accessibilita:
  data: 2026-11-29
  stato: {stato}
  editore: {editore}
  titolare_dati: {titolare}
  segnalazioni: {segnalazioni}
"""


def write_settings(root: Path, stato="parzialmente conforme", editore='""', titolare='""', segnalazioni='""') -> Path:
    path = root / "sito.yaml"
    path.write_text(SETTINGS.format(stato=stato, editore=editore, titolare=titolare, segnalazioni=segnalazioni),
                    encoding="utf-8")
    return path


def test_empty_statement_fields_are_notes_that_never_block_publishing(sources, capsys):
    settings = write_settings(sources)
    status, out, err = run(["check", "--strict", "--settings", str(settings)] + source_args(sources), capsys)
    assert status == 0
    ask = "Finché manca, la dichiarazione di accessibilità dice di chiedere al consorzio"
    assert problems(err, "nota") == [
        f'sito.yaml:5:12: nota: da completare in "accessibilita": manca "editore" (chi pubblica il sito). {ask}',
        f'sito.yaml:6:18: nota: da completare in "accessibilita": manca "titolare_dati" (il titolare del '
        f'trattamento dei dati). {ask}',
        f'sito.yaml:7:17: nota: da completare in "accessibilita": manca "segnalazioni" (l\'email o la pagina '
        f'web dove segnalare un problema di accessibilità). {ask}']
    assert out.strip().splitlines()[-1] == "Controllo completato: 0 errori, 0 avvisi."


def test_an_empty_statement_section_is_all_to_complete(sources, capsys):
    settings = sources / "sito.yaml"
    settings.write_text("accessibilita:\n", encoding="utf-8")
    status, _, err = run(["check", "--strict", "--settings", str(settings)] + source_args(sources), capsys)
    assert status == 0
    assert [line.split('manca "')[1].split('"')[0] for line in problems(err, "nota")] == [
        "data", "editore", "segnalazioni", "stato", "titolare_dati"]


def test_notes_come_after_errors_and_warnings(sources, capsys):
    settings = write_settings(sources)
    edit(sources / DATA, "    email: cremona@", "    emial: x\n    email: cremona@")
    status, _, err = run(["check", "--settings", str(settings)] + source_args(sources), capsys)
    assert status == 0
    kinds = [line.split(": ")[1] for line in err.splitlines() if line.startswith(("sito.yaml", DATA))]
    assert kinds == ["avviso", "nota", "nota", "nota"]


def test_filled_statement_fields_give_no_note(sources, capsys):
    settings = write_settings(sources, editore="Ente di prova", titolare="Ente di prova",
                              segnalazioni="https://www.example.org/segnalazioni")
    status, _, err = run(["check", "--settings", str(settings)] + source_args(sources), capsys)
    assert status == 0
    assert problems(err, "nota") == []


@pytest.mark.parametrize("field, message", [
    ({"stato": "quasi conforme"}, 'sito.yaml:4:10: errore: lo stato "quasi conforme" non esiste: scrivi "conforme", '
     'oppure "parzialmente conforme", oppure "non conforme" (come nel modello di AgID)'),
    ({"segnalazioni": "scrivete al comune"}, 'sito.yaml:7:17: errore: "scrivete al comune" non è un\'email né un '
     'indirizzo web: scrivi per esempio nome@dominio.it oppure https://www.example.org/segnalazioni'),
])
def test_a_wrong_statement_field_is_an_error_with_its_line(sources, capsys, field, message):
    settings = write_settings(sources, **field)
    status, _, err = run(["check", "--settings", str(settings)] + source_args(sources), capsys)
    assert status == 1
    assert problems(err, "errore") == [message]


# -- the accessibility statement's page -----------------------------------------------------------

def statement(root: Path, tmp_path: Path, capsys, **fields) -> str:
    settings = write_settings(root, **fields)
    out = tmp_path / "site"
    status, _, err = run(["build", "--out", str(out), "--settings", str(settings)] + source_args(root), capsys)
    assert status == 0, err
    return (out / "accessibilita" / "index.html").read_text(encoding="utf-8")


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_statement_follows_agids_model_and_invents_nothing_while_fields_are_empty(sources, tmp_path, capsys):
    html = statement(sources, tmp_path, capsys)
    text = text_of(html)
    assert "Questo sito è parzialmente conforme alle regole di accessibilità WCAG 2.1" in text
    assert '<time datetime="2026-11-29">29 novembre 2026</time>' in html
    assert '<a href="https://form.agid.gov.it/">' in html and "procedura di attuazione" in text
    assert ('<a href="https://www.concass.it/">sito del <span translate="no">Consorzio Casalasco Servizi Sociali'
            '</span></a>') in html
    assert "mailto:" not in html
    assert text.count("non è ancora scritto qui") == 2
    headings = re.findall(r"<h2 id=\"[^\"]+\">([^<]+)</h2>", html)
    for heading in ("Stato di conformità", "Come controlliamo il sito", "Come segnalare un problema",
                    "Se non ricevi risposta", "Chi pubblica il sito"):
        assert heading in headings


def test_the_statement_shows_the_settings_once_they_are_filled(sources, tmp_path, capsys):
    html = statement(sources, tmp_path, capsys, stato="conforme", editore="Ente di prova", titolare="Titolare di prova",
                     segnalazioni="accessibilita@example.org")
    text = text_of(html)
    assert "Questo sito è conforme alle regole" in text
    assert '<a href="mailto:accessibilita@example.org" translate="no">accessibilita@example.org</a>' in html
    assert 'Chi pubblica il sito: <span translate="no">Ente di prova</span>.' in html
    assert 'Titolare del trattamento dei dati: <span translate="no">Titolare di prova</span>.' in html
    assert "non è ancora scritto qui" not in text


def test_an_edit_of_the_settings_renders_the_statement_again(sources, tmp_path, capsys):
    first = statement(sources, tmp_path, capsys)
    second = statement(sources, tmp_path, capsys, editore="Ente di prova")   # same --out: the cache is used
    assert first != second and 'Chi pubblica il sito: <span translate="no">Ente di prova</span>.' in second


# -- plain Italian on the pages a resident reads first -----------------------------------------------

def test_how_to_start_comes_first_on_the_how_it_works_page(built_site):
    html = (built_site / "come-funziona" / "index.html").read_text(encoding="utf-8")
    body = html[html.index("<h1>"):]
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", body)[0] == "Come cominciare"


def test_the_consortium_is_named_in_full_before_its_acronym(built_site):
    late = []
    for page in sorted(built_site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        main = text_of(html[html.index("<main"):html.index("</main>")])
        acronym, full = main.find("Con.Ca.S.S."), main.find("Consorzio Casalasco Servizi Sociali")
        if acronym >= 0 and not 0 <= full < acronym:
            late.append(page.relative_to(built_site).as_posix())
    assert late == []


def test_the_benchmarks_corpus_says_nothing_the_check_refuses():
    """bench/peers.py builds 10,000 generated pages with this generator: a random phrase that the
    check refuses ("dove e quando") would stop the benchmark, not measure it."""
    refused = [(page.name, found.text) for page in corpus_pages(10000)
               for found in find_claims(page.title + "\n" + page.description + "\n" + page.body)]
    assert refused == []
