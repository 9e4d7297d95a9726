"""Every mistake an editor can make ends in one exact Italian message with file and line,
exit status 1, no traceback, and the last good site left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import DATA, PROJECT, edit, line_of, run, source_args


def check(root: Path, capsys) -> tuple[int, list[str]]:
    """The check's exit status and its lines, less the notes on sito.yaml's fields still to fill
    in (they come with every check of the real settings and say nothing of the mistake tested)."""
    status, _, err = run(["check"] + source_args(root), capsys)
    assert "Traceback" not in err
    return status, [line for line in err.strip().splitlines() if ": nota: " not in line]


DATA_CASES = [
    # (old text, new text, line to find after the edit, column, expected message)
    ('    sportello: mestieri-cremona\n    frazioni:\n      - Blena',
     '    sportello: mestieri-cremna\n    frazioni:\n      - Blena', "mestieri-cremna", 16,
     'lo sportello "mestieri-cremna" non esiste in "sportelli" (forse intendevi "mestieri-cremona"?)'),
    ('telefono: "0375 40200"', 'telefono: "0375 402A0"', '402A0', 15,
     'il telefono "0375 402A0" non sembra un numero italiano (che inizia con 0, per esempio "0375 40200"; '
     'un interno si scrive "int. 1")'),
    ('cellulare: "340 4691081"', 'cellulare: "0340 4691081"', '0340 4691081', 16,
     'il cellulare "0340 4691081" non sembra un cellulare italiano (9 o 10 cifre che iniziano con 3, '
     'per esempio "324 7480228")'),
    ("email: cremona@mestierilombardia.it", "email: cremona@mestierilombardia", "email: cremona@", 12,
     'l\'email "cremona@mestierilombardia" non è valida: deve essere come nome@dominio.it, senza spazi'),
    ('  - dal: 2021-01-11', '  - dal: 2021-13-11', 'dal: 2021-13-11', 10,
     'la data "dal" "2021-13-11" non è una data valida: scrivila come AAAA-MM-GG, per esempio 2021-01-11'),
    ('istat: "019052"', 'istat: "19052"', '"19052"', 12,
     'il codice ISTAT "19052" deve avere 6 cifre, tra virgolette, per esempio "019021"'),
    ('online: sì\n    in_presenza: su', 'online: forse\n    in_presenza: su', 'online: forse', 13,
     '"online" deve essere "sì" oppure "no", non "forse"'),
    ('in_presenza: su appuntamento', 'in_presenza: sempre', 'in_presenza: sempre', 18,
     '"in_presenza" deve essere "no" oppure "su appuntamento", non "sempre"'),
    ('    nome: Mestieri Lombardia\n    fonte: ARTICOLO', '    nome: Mestieri Lombardia\n    fonte: ARTICLO',
     'fonte: ARTICLO', 12,
     'la fonte "ARTICLO" non è elencata in "fonti" in fondo al file: aggiungila lì (forse intendevi "ARTICOLO"?)'),
]


@pytest.mark.parametrize("old,new,needle,col,message", DATA_CASES, ids=[c[2].strip() for c in DATA_CASES])
def test_contacts_error_messages(sources, capsys, old, new, needle, col, message):
    edit(sources / DATA, old, new)
    status, lines = check(sources, capsys)
    line = line_of(sources / DATA, needle.rstrip("\n"))
    assert status == 1
    assert lines[0] == f"{DATA}:{line}:{col}: errore: {message}"
    assert lines[-1] == "Controllo fallito: 1 errore, 0 avvisi."


def test_unquoted_numbers_and_no_stay_as_typed(sources, capsys):
    """safe_load would read 019021 as a number and `no` as False; the node tree keeps the text."""
    edit(sources / DATA, 'istat: "019021"', "istat: 019021")
    edit(sources / DATA, 'cap: "26041"', "cap: 26041")
    status, lines = check(sources, capsys)
    assert status == 0, lines


def test_repeated_key_is_an_error_not_a_silent_overwrite(sources, capsys):
    edit(sources / DATA, '    email: cremona@mestierilombardia.it\n',
         '    email: cremona@mestierilombardia.it\n    email: altro@example.org\n')
    status, lines = check(sources, capsys)
    first, repeated = line_of(sources / DATA, "cremona@mestierilombardia.it"), line_of(sources / DATA, "altro@")
    assert status == 1
    assert lines[0] == (f'{DATA}:{repeated}:5: errore: il campo "email" è ripetuto (lo sportello '
                        f'"mestieri-cremona"; c\'è già alla riga {first}): tienine uno solo')


def test_duplicate_comune(sources, capsys):
    edit(sources / DATA, "  - nome: Spineda\n", "  - nome: Gussola\n")
    status, lines = check(sources, capsys)
    assert status == 1
    gussola = [n for n, l in enumerate((sources / DATA).read_text().splitlines(), 1) if l == "  - nome: Gussola"]
    assert f'{DATA}:{gussola[1]}:11: errore: il comune "Gussola" è già usato dal comune alla riga {gussola[0]}: ' \
           "ogni comune deve comparire una volta sola" in lines


def test_tab_indentation(sources, capsys):
    edit(sources / DATA, "    nome: Mestieri Lombardia", "\tnome: Mestieri Lombardia")
    status, lines = check(sources, capsys)
    line = line_of(sources / DATA, "\tnome: Mestieri")
    assert status == 1
    assert lines[0] == (f"{DATA}:{line}:1: errore: c'è un carattere Tab all'inizio della riga: "
                        "per i rientri usa solo spazi (2 per livello)")


def test_broken_yaml_syntax(sources, capsys):
    edit(sources / DATA, "    nome: Mestieri Lombardia", "    nome: Mestieri: Lombardia")
    status, lines = check(sources, capsys)
    line = line_of(sources / DATA, "Mestieri: Lombardia")
    assert status == 1
    assert lines[0] == (f"{DATA}:{line}:19: errore: il testo non è YAML valido (due punti ':' in un posto "
                        "inatteso; se il testo contiene ':' mettilo tra virgolette): controlla rientri, "
                        "due punti e virgolette su questa riga e su quella prima")


def test_unknown_key_is_a_warning_that_strict_turns_into_failure(sources, capsys):
    edit(sources / DATA, "    email: cremona@", "    emial: x\n    email: cremona@")
    status, lines = check(sources, capsys)
    line = line_of(sources / DATA, "emial")
    assert status == 0
    assert lines[0] == (f'{DATA}:{line}:5: avviso: campo sconosciuto "emial" (lo sportello "mestieri-cremona"): '
                        'viene ignorato (forse intendevi "email"?)')
    status, _, err = run(["check", "--strict"] + source_args(sources), capsys)
    assert status == 1
    assert err.strip().splitlines()[-1] == "Controllo fallito: 0 errori, 1 avviso (con --strict anche gli avvisi bloccano)."


def test_all_problems_are_reported_together_sorted_by_line(sources, capsys):
    edit(sources / DATA, "email: cremona@mestierilombardia.it", "email: cremona")
    edit(sources / DATA, 'istat: "019052"', 'istat: "x"')
    status, lines = check(sources, capsys)
    assert status == 1
    assert len(lines) == 3
    assert int(lines[0].split(":")[1]) < int(lines[1].split(":")[1])


def test_page_without_front_matter(sources, capsys):
    (sources / "content" / "nuova.md").write_text("Ciao\n", encoding="utf-8")
    status, lines = check(sources, capsys)
    assert status == 1
    assert lines[0] == ("content/nuova.md:1:1: errore: la pagina deve iniziare con una riga '---', poi titolo "
                        "e descrizione, poi un'altra riga '---'")


def test_front_matter_errors_count_lines_from_the_top_of_the_file(sources, capsys):
    (sources / "content" / "nuova.md").write_text(
        "---\ntitolo: Nuova\ndescrizione: Una pagina\nmenu: primo\n---\nTesto\n", encoding="utf-8")
    status, lines = check(sources, capsys)
    assert status == 1
    assert lines[0] == ('content/nuova.md:4:7: errore: "menu" deve essere un numero intero (1, 2, 3...), '
                        'non "primo"')


def test_missing_title(sources, capsys):
    (sources / "content" / "nuova.md").write_text("---\ndescrizione: Una pagina\n---\nTesto\n", encoding="utf-8")
    status, lines = check(sources, capsys)
    assert status == 1
    assert lines[0] == 'content/nuova.md:2:1: errore: manca il campo obbligatorio "titolo" (l\'intestazione)'


def test_empty_value(sources, capsys):
    edit(sources / DATA, "    email: cremona@mestierilombardia.it", "    email:")
    status, lines = check(sources, capsys)
    line = (sources / DATA).read_text(encoding="utf-8").splitlines().index("    email:") + 1
    assert status == 1
    assert lines[0] == (f"{DATA}:{line}:11: errore: manca il valore (l'email): scrivilo dopo i due punti, "
                        "oppure togli il campo")


def test_invalid_utf8(sources, capsys):
    (sources / "content" / "nuova.md").write_bytes(b"---\ntitolo: Citt\xe0\n---\n")
    status, lines = check(sources, capsys)
    assert status == 1
    assert lines[0] == "content/nuova.md:2: errore: il file contiene caratteri non validi: salvalo con codifica UTF-8"


def test_dead_link_to_a_page(sources, capsys):
    edit(sources / "content/progetto.md", "\n## ", "\nVedi [gli orari](orari.md).\n\n## ")
    status, lines = check(sources, capsys)
    line = line_of(sources / "content/progetto.md", "orari.md")
    assert status == 1
    assert lines[0] == (f'content/progetto.md:{line}: errore: il collegamento "orari.md" porta a una pagina '
                        "che non esiste (content/orari.md): correggi il nome del file")


def test_dead_anchor(sources, capsys):
    edit(sources / "content/progetto.md", "\n## ", "\nVedi [sotto](come-funziona.md#orari).\n\n## ")
    status, lines = check(sources, capsys)
    assert status == 1
    assert lines[0].endswith('errore: nella pagina collegata non c\'è il punto "#orari": controlla il titolo '
                             "del paragrafo a cui vuoi arrivare")


def test_missing_image(sources, capsys):
    edit(sources / "content/progetto.md", "\n## ", "\n![Logo](logo.png)\n\n## ")
    status, lines = check(sources, capsys)
    assert status == 1
    assert lines[0].endswith('errore: il collegamento "logo.png" porta a un file che non esiste: '
                             "controlla il nome, oppure collega la pagina .md")


def test_two_pages_on_one_url(sources, capsys):
    (sources / "content" / "progetto").mkdir()
    (sources / "content" / "progetto" / "index.md").write_text("---\ntitolo: Doppio\ndescrizione: x\n---\n")
    status, lines = check(sources, capsys)
    assert status == 1
    assert 'content/progetto.md:1: errore: questa pagina finirebbe nello stesso indirizzo "progetto/" ' \
           "di content/progetto/index.md: cambia il nome del file o lo \"slug\"" in lines


def test_slug_that_would_leave_the_site(sources, capsys):
    (sources / "content" / "fuga.md").write_text("---\ntitolo: Fuga\ndescrizione: x\nslug: ../../etc\n---\n")
    status, lines = check(sources, capsys)
    assert status == 1
    assert lines[0] == ('content/fuga.md:4:7: errore: lo slug "../../etc" può contenere solo lettere minuscole '
                        "senza accenti, numeri e trattini (per esempio: orari-sportello)")


def test_template_error_names_template_and_line(project_copy, capsys):
    (project_copy / "templates" / "pagina.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{{ page.titolo }}\n{% endblock %}\n')
    status, _, err = run(["check", "--today", "2026-11-25"], capsys)
    assert status == 1
    assert err.splitlines()[0].startswith("templates/pagina.html:3: errore: il modello usa un valore che non esiste")


def test_failed_build_leaves_the_last_good_site_untouched(sources, tmp_path, capsys):
    out = tmp_path / "site"
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit(sources / DATA, "email: cremona@mestierilombardia.it", "email: rotta")
    status, _, err = run(["build", "--out", str(out)] + source_args(sources), capsys)
    assert status == 1 and "Sito NON aggiornato: 1 errore, 0 avvisi." in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_removed_page_disappears_from_the_site(sources, tmp_path, capsys):
    out = tmp_path / "site"
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    assert (out / "scuola-e-lavoro" / "index.html").exists()
    (sources / "content" / "scuola-e-lavoro.md").unlink()
    assert run(["build", "--out", str(out)] + source_args(sources), capsys)[0] == 0
    assert not (out / "scuola-e-lavoro").exists()


@pytest.mark.parametrize("where,message", [
    ("project", "--out non può essere la cartella del progetto (o una che la contiene): scegli una cartella "
                "nuova, per esempio site/"),
    ("content", "--out non può stare dentro o sopra la cartella dei sorgenti content/: scegli una cartella "
                "nuova, per esempio site/"),
    ("foreign", "la cartella contiene file che non sono stati creati da build.py: per sicurezza non la "
                "sostituisco. Scegli una cartella vuota o nuova, oppure svuotala tu se sei sicuro"),
    ("file", "--out indica un file, non una cartella: scegli una cartella"),
])
def test_refused_output_folders(sources, tmp_path, capsys, where, message):
    target = {"project": PROJECT, "content": sources / "content", "foreign": tmp_path / "foto",
              "file": tmp_path / "nota.txt"}[where]
    if where == "foreign":
        target.mkdir()
        (target / "vacanze.jpg").write_bytes(b"x")
    if where == "file":
        target.write_text("x")
    status, _, err = run(["build", "--out", str(target)] + source_args(sources), capsys)
    assert status == 1
    assert err.splitlines()[0] == f"{target}: errore: {message}"
    if where == "foreign":
        assert (target / "vacanze.jpg").read_bytes() == b"x"
    assert not (target.resolve().parent / f".{target.resolve().name}.lock").exists()   # nothing beside it either


def test_exit_statuses(sources, tmp_path, capsys):
    assert run(["build", "--out", str(tmp_path / "ok")] + source_args(sources), capsys)[0] == 0
    assert run(["check"] + source_args(sources), capsys)[0] == 0
    assert run(["pubblica"], capsys)[0] == 2
    assert run(["build", "--today", "ieri"], capsys)[0] == 2
    assert run(["build", "--base-url", "www.example.org"], capsys)[0] == 2
    edit(sources / DATA, "email: cremona@mestierilombardia.it", "email: rotta")
    assert run(["check"] + source_args(sources), capsys)[0] == 1


def test_check_writes_nothing(sources, tmp_path, capsys):
    status, out, _ = run(["check", "--out", str(tmp_path / "mai")] + source_args(sources), capsys)
    assert status == 0 and out.strip().splitlines()[-1] == "Controllo completato: 0 errori, 0 avvisi."
    assert not (tmp_path / "mai").exists()


def test_dead_link_in_a_template_names_that_template(project_copy, capsys):
    edit(project_copy / "templates/base.html", "url('privacy/')", "url('riservatezza/')")
    line = line_of(project_copy / "templates/base.html", "riservatezza")
    status, _, err = run(["check", "--today", "2026-11-25"], capsys)
    assert status == 1
    assert err.splitlines()[0] == (f'templates/base.html:{line}: errore: il modello collega "riservatezza/", '
                                   "che non esiste nel sito")


def test_no_access_mode_for_the_build_day_is_a_warning(sources, capsys):
    edit(sources / DATA, "  - dal: 2021-01-11\n", "  - dal: 2021-01-11\n    al: 2022-12-31\n")
    status, lines = check(sources, capsys)
    assert status == 0
    assert lines[0] == ('data/contacts.yaml: avviso: nessun periodo di "modalita" copre la data 2026-11-25: '
                        "le pagine dei comuni non sapranno dire come si accede agli sportelli. "
                        "Aggiungi un periodo o togli la data \"al\" dall'ultimo")


PAGE = "---\ntitolo: Prova\ndescrizione: Prova.\n---\nTesto.\n"
RENAME_PAGE = 'cambia il nome del file o lo "slug"'
COLLISIONS = [
    # (file added to content/, what it holds, the error)
    ("privacy/index.html", "x", 'content/privacy/index.html: errore: questo file finirebbe nel sito in '
     '"privacy/index.html", ma lì c\'è già la pagina content/privacy.md: cambia il nome del file'),
    ("robots.txt", "x", 'content/robots.txt: errore: questo file finirebbe nel sito in "robots.txt", ma lì c\'è già '
     'il file robots.txt creato dal programma: cambia il nome del file'),
    ("robots.txt.md", PAGE, 'content/robots.txt.md:1:1: errore: questa pagina finirebbe nel sito in '
     '"robots.txt/index.html", dentro "robots.txt", che nel sito è già il file robots.txt creato dal programma: '
     + RENAME_PAGE),
    ("static/style.css.md", PAGE, 'content/static/style.css.md:1:1: errore: questa pagina finirebbe nel sito in '
     '"static/style.css/index.html", dentro "static/style.css", che nel sito è già il file static/style.css '
     'della cartella static/: ' + RENAME_PAGE),
    ("static/finder.js", "x", 'content/static/finder.js: errore: questo file finirebbe nel sito in '
     '"static/finder.js", ma lì c\'è già il file static/finder.js della cartella static/: cambia il nome del file'),
    ("sportelli/mestieri-cremona.vcf.md", PAGE, 'content/sportelli/mestieri-cremona.vcf.md:1:1: errore: questa '
     'pagina finirebbe nel sito in "sportelli/mestieri-cremona.vcf/index.html", dentro "sportelli/mestieri-cremona.vcf", '
     'che nel sito è già il file sportelli/mestieri-cremona.vcf creato dal programma: ' + RENAME_PAGE),
    ("sitemap.xml/index.md", PAGE, 'content/sitemap.xml/index.md:1:1: errore: questa pagina finirebbe nel sito in '
     '"sitemap.xml/index.html", dentro "sitemap.xml", che nel sito è già il file sitemap.xml creato dal programma: '
     + RENAME_PAGE),
    ("avvisi/feed.xml", "x", 'content/avvisi/feed.xml: errore: questo file finirebbe nel sito in "avvisi/feed.xml", '
     'ma lì c\'è già il file avvisi/feed.xml creato dal programma: cambia il nome del file'),
    ("progetto", "x", 'content/progetto: errore: questo file finirebbe nel sito in "progetto", ma lì serve la '
     'cartella che contiene la pagina content/progetto.md (progetto/index.html): cambia il nome del file'),
    ("sportelli/gussola/index.html/foto.jpg", "x", 'content/sportelli/gussola/index.html/foto.jpg: errore: questo '
     'file finirebbe nel sito in "sportelli/gussola/index.html/foto.jpg", dentro "sportelli/gussola/index.html", '
     'che nel sito è già la pagina del comune Gussola: cambia il nome del file'),
]


@pytest.mark.parametrize("relative,text,message", COLLISIONS, ids=[c[0] for c in COLLISIONS])
def test_every_output_path_is_checked_against_every_other(sources, capsys, relative, text, message):
    """Pages, content files, static files and the files the program makes: as paths and as folders."""
    path = sources / "content" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    status, err = run(["check", "--base-url", "https://www.example.org/"] + source_args(sources), capsys)[::2]
    assert "Traceback" not in err
    assert status == 1
    assert err.splitlines()[0] == message


SCRIPT_TAG = ("la pagina contiene l'elemento HTML <{}>, che il sito non pubblica: le pagine non possono eseguire "
              "codice né cambiare lo stile (le regole di sicurezza del sito lo bloccano). Toglilo e scrivi il "
              "contenuto in Markdown semplice")
EVENT = ('l\'attributo HTML "{}" fa eseguire codice, che il sito non pubblica: toglilo; per un collegamento '
         "scrivi [testo](https://...)")
STYLE = ('l\'attributo HTML "{}" non è permesso: l\'aspetto delle pagine viene dal foglio di stile del sito. '
         "Toglilo e scrivi il contenuto in Markdown semplice")
SCHEME = ('il collegamento "{}" inizia con "{}", che il sito non pubblica: scrivi un indirizzo che inizia con '
          "https://, mailto: o tel:, oppure il nome di una pagina .md")
ACTIVE_CASES = [
    # (the body's second line, column, message)
    ("Testo <script>alert(1)</script>.", 7, SCRIPT_TAG.format("script")),
    ("<SCRIPT SRC=https://example.org/x.js></SCRIPT>", 1, SCRIPT_TAG.format("script")),
    ('<iframe src="https://example.org"></iframe>', 1, SCRIPT_TAG.format("iframe")),
    ("<style>body { display: none }</style>", 1, SCRIPT_TAG.format("style")),
    ('<object data="x.swf"></object>', 1, SCRIPT_TAG.format("object")),
    ('Un <svg onload="alert(1)"></svg>', 4, SCRIPT_TAG.format("svg")),
    ('Foto <img src="https://example.org/a.png" alt="a" OnError="alert(1)">', 6, EVENT.format("onerror")),
    ('<p onclick="alert(1)">clic</p>', 1, EVENT.format("onclick")),
    ('<span style="color: red">rosso</span>', 1, STYLE.format("style")),
    ("[clic](javascript:alert(1))", 8, SCHEME.format("javascript:alert(1)", "javascript:")),
    ("[clic](JaVaScRiPt:alert(1))", 8, SCHEME.format("JaVaScRiPt:alert(1)", "javascript:")),
    ("Vedi [qui](vbscript:msgbox) ora", 12, SCHEME.format("vbscript:msgbox", "vbscript:")),
    ("![x](data:image/png;base64,AAAA)", 6, SCHEME.format("data:image/png;base64,AAAA", "data:")),
    ('<a href="&#106;avascript:alert(1)">x</a>', 1, SCHEME.format("javascript:alert(1)", "javascript:")),
    ('<a href=" java&#x09;script:alert(1)">x</a>', 1, SCHEME.format(" java\tscript:alert(1)", "javascript:")),
]


@pytest.mark.parametrize("line,col,message", ACTIVE_CASES, ids=[c[0] for c in ACTIVE_CASES])
def test_active_content_is_refused_where_it_is_written(sources, capsys, line, col, message):
    (sources / "content" / "prova.md").write_text(f"---\ntitolo: Prova\ndescrizione: Prova.\n---\nTesto.\n{line}\n",
                                                  encoding="utf-8")
    status, lines = check(sources, capsys)
    assert status == 1
    assert lines == [f"content/prova.md:6:{col}: errore: {message}", "Controllo fallito: 1 errore, 0 avvisi."]


@pytest.mark.parametrize("line", ["`<script>alert(1)</script>` è codice, mostrato come testo.",
                                  "    <iframe src=x></iframe>", "[scrivici](mailto:a@b.it) o [chiama](tel:+39037540200)",
                                  "Una parola come onda o stile, e <https://example.org>."])
def test_code_and_plain_links_are_not_active_content(sources, capsys, line):
    (sources / "content" / "prova.md").write_text(f"---\ntitolo: Prova\ndescrizione: Prova.\n---\nTesto.\n\n{line}\n",
                                                  encoding="utf-8")
    status, lines = check(sources, capsys)
    assert status == 0, lines


LINK_LOOP = ("questo collegamento (symlink) rimanda a una cartella che lo contiene, o a sé stesso: leggerlo non "
             "finirebbe mai. Toglilo")


def outside_message(target: Path) -> str:
    return (f"questo collegamento (symlink) porta a {target}, fuori dalla cartella content/: il sito pubblicherebbe "
            "un file che non fa parte del progetto. Copia il file dentro content/ oppure togli il collegamento")


SYMLINKS = {
    # name in content/ -> (where it points, relative to the scratch project; the message)
    "segreto.txt": ("segreto.txt", lambda root: outside_message(root / "segreto.txt")),
    "dati": ("data", lambda root: outside_message(root / "data")),
    "pagina-fuori.md": ("fuori.md", lambda root: outside_message(root / "fuori.md")),
    "giro": ("content", lambda root: LINK_LOOP),
    "avvisi/ancora": ("content/avvisi", lambda root: LINK_LOOP),
    "se-stesso": ("content/se-stesso", lambda root: LINK_LOOP),
    "rotto.md": ("content/non-esiste.md", lambda root: "questo collegamento (symlink) porta a un file che non "
                 "esiste: correggilo o toglilo"),
}


@pytest.mark.parametrize("name", sorted(SYMLINKS))
def test_symlinks_out_of_content_and_loops_are_refused(sources, capsys, name):
    (sources / "segreto.txt").write_text("password", encoding="utf-8")
    (sources / "fuori.md").write_text("---\ntitolo: Fuori\ndescrizione: Fuori.\n---\nTesto.\n", encoding="utf-8")
    target, message = SYMLINKS[name]
    (sources / "content" / name).symlink_to(sources / target)
    status, lines = check(sources, capsys)
    assert status == 1
    assert lines == [f"content/{name}: errore: {message(sources)}", "Controllo fallito: 1 errore, 0 avvisi."]


def test_a_symlink_inside_content_is_followed(sources, tmp_path, capsys):
    (sources / "content" / "orari.txt").write_text("9-12", encoding="utf-8")
    (sources / "content" / "orari-copia.txt").symlink_to(sources / "content" / "orari.txt")
    status, _, err = run(["build", "--out", str(tmp_path / "site")] + source_args(sources), capsys)
    assert status == 0, err
    assert (tmp_path / "site" / "orari-copia.txt").read_text(encoding="utf-8") == "9-12"


def test_an_unreadable_page(sources, capsys, monkeypatch):
    """As for a file whose permissions keep the builder out (tests run as root, who reads anything)."""
    real = Path.read_bytes
    locked = sources / "content" / "privacy.md"

    def read_bytes(path):
        if path == locked:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    status, lines = check(sources, capsys)
    assert status == 1
    assert lines[0] == ("content/privacy.md: errore: non riesco a leggere il file (Permission denied): controlla "
                        "che esista e che chi crea il sito abbia il permesso di leggerlo")


# Mistakes that once ended in "errore interno", in English, without a line, or were accepted in
# silence: (file to write or edit, old text or None for a new file, new text, the first line printed).
HEAD = "---\ntitolo: Prova\ndescrizione: Prova.\n"
MINOR_CASES = {
    "superscript digits as the menu position": (
        "content/prova.md", None, HEAD + "menu: ²\n---\nTesto.\n",
        'content/prova.md:4:7: errore: "menu" deve essere un numero intero (1, 2, 3...), non "²"'),
    "a list as a field name in a page": (
        "content/prova.md", None, HEAD + "[a, b]: x\n---\nTesto.\n",
        "content/prova.md:4:1: errore: il nome di un campo deve essere una parola, non un elenco (l'intestazione): "
        "scrivi 'nome: valore', e metti tra virgolette un valore che inizia con [ o {"),
    "a list as a field name in the data": (
        DATA, "  nome: Consorzio Casalasco Servizi Sociali\n",
        "  nome: Consorzio Casalasco Servizi Sociali\n  ? [a, b]\n  : x\n",
        'data/contacts.yaml:19:5: errore: il nome di un campo deve essere una parola, non un elenco ("consorzio"): '
        "scrivi 'nome: valore', e metti tra virgolette un valore che inizia con [ o {"),
    "300 levels of nested lists": (
        "content/prova.md", None, HEAD + "---\n" + "".join("    " * i + "- x\n" for i in range(300)),
        "content/prova.md:5:1: errore: il testo ha troppi livelli uno dentro l'altro (elenchi o citazioni con "
        "rientri sempre più profondi): usa al massimo pochi livelli"),
    "300 levels of nested lists in the data": (
        DATA, "  nome: Consorzio Casalasco Servizi Sociali\n", "  nome: " + "[" * 300 + "]" * 300 + "\n",
        "data/contacts.yaml:18:9: errore: il nome del consorzio deve essere un valore semplice, non un elenco"),
    "a page without text": (
        "content/prova.md", None, HEAD + "---\n\n",
        "content/prova.md:4:1: avviso: la pagina non ha testo dopo l'intestazione: scrivilo sotto la seconda riga '---'"),
    "a notice dated in the future": (
        "content/avvisi/futuro.md", None, HEAD + "data: 2030-01-01\n---\nTesto.\n",
        "content/avvisi/futuro.md:4:1: avviso: la data dell'avviso, 2030-01-01, viene dopo il giorno della "
        "pubblicazione (2026-11-25): controlla l'anno. Per annunciare qualcosa che succederà, metti la data di "
        "oggi e scrivi nel testo quando succede"),
    "a phone written with the letter O": (
        DATA, 'telefono: "0375 40200"', 'telefono: "O375 4O200"',
        'data/contacts.yaml:41:15: errore: il telefono "O375 4O200" non sembra un numero italiano (che inizia con 0, '
        'per esempio "0375 40200"; un interno si scrive "int. 1"); hai scritto la lettera O al posto dello zero?'),
    "a control character pasted into the data": (
        DATA, "  nome: Consorzio Casalasco Servizi Sociali\n", "  nome: Consorzio\x07 Casalasco Servizi Sociali\n",
        "data/contacts.yaml:18:18: errore: c'è un carattere invisibile di controllo (codice 0x0007) in questo "
        "punto: cancellalo, o riscrivi la riga a mano"),
    "a control character pasted into a page's heading": (
        "content/prova.md", None, "---\ntitolo: Prova\ndescrizione: Pro\x00va.\n---\nTesto.\n",
        "content/prova.md:3:17: errore: c'è un carattere invisibile di controllo (codice 0x0000) in questo "
        "punto: cancellalo, o riscrivi la riga a mano"),
    "one frazione under two comuni": (
        DATA, "      - Romprezzagno\n", "      - Romprezzagno\n      - villanova\n",
        'data/contacts.yaml:142:9: avviso: la frazione "villanova" è già elencata nel comune Rivarolo del Re ed '
        "Uniti (riga 124): chi la cerca troverebbe due comuni. Tienila in un comune solo"),
}


@pytest.mark.parametrize("case", sorted(MINOR_CASES))
def test_every_mistake_gets_its_message(sources, capsys, case):
    relative, old, new, message = MINOR_CASES[case]
    if old is None:
        (sources / relative).write_text(new, encoding="utf-8")
    else:
        edit(sources / relative, old, new)
    status, lines = check(sources, capsys)
    assert "errore interno" not in "\n".join(lines)
    assert status == (1 if ": errore: " in message else 0)
    assert lines[0] == message


def test_a_source_date_epoch_past_the_year_9999(sources, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999999")
    status, _, err = run(["check", "--content", str(sources / "content"), "--data", str(sources / DATA)], capsys)
    assert status == 1
    assert err.splitlines() == ['SOURCE_DATE_EPOCH: errore: "99999999999999999" è troppo grande per essere una data: '
                                "togli la variabile o usa --today AAAA-MM-GG"]


def test_a_paragraph_too_long_to_convert_in_time(sources, capsys):
    """Python-Markdown's time grows with the square of a paragraph's links: 50,000 took 15 s."""
    (sources / "content" / "prova.md").write_text(HEAD + "---\nPrimo paragrafo.\n\n" + "[a](https://x.it) " * 6000
                                                  + "\n", encoding="utf-8")
    status, lines = check(sources, capsys)
    assert status == 1
    assert lines[0] == ("content/prova.md:7:1: errore: questo paragrafo è lunghissimo (più di 100.000 caratteri "
                        "senza una riga vuota): dividilo in paragrafi più brevi, separati da una riga vuota")


def test_a_long_table_and_a_long_page_are_accepted(sources, capsys):
    (sources / "content" / "tabella.md").write_text(HEAD + "---\n| a | b |\n|---|---|\n" + "| x | y |\n" * 20000,
                                                    encoding="utf-8")
    (sources / "content" / "lunga.md").write_text(HEAD + "---\n" + "Una frase breve per la prova.\n\n" * 20000,
                                                  encoding="utf-8")
    status, lines = check(sources, capsys)
    assert status == 0, lines


SETTINGS_CASES = [
    (b"leggibilita_minima: \xc2\xb2\n", 'sito.yaml:1:21: errore: leggibilita_minima deve essere un numero intero da '
     '0 a 100, non "\u00b2" (l\'indice Gulpease va da 0, difficilissimo, a 100, facilissimo; consigliato 60)'),
    (b"# impostazioni\nleggibilita_minima: 6\xe00\n", "sito.yaml:2: errore: il file contiene caratteri non validi: "
     "salvalo con codifica UTF-8"),
    (b"[60]: leggibilita_minima\n", "sito.yaml:1:1: errore: il nome di un campo deve essere una parola, non un elenco "
     "(il file): scrivi 'nome: valore', e metti tra virgolette un valore che inizia con [ o {"),
]


@pytest.mark.parametrize("text,message", SETTINGS_CASES, ids=["superscript", "not UTF-8", "a list as a name"])
def test_settings_mistakes(sources, capsys, text, message):
    (sources / "sito.yaml").write_bytes(text)
    status, _, err = run(["check", "--settings", str(sources / "sito.yaml")] + source_args(sources), capsys)
    assert status == 1 and "errore interno" not in err
    assert err.splitlines()[0] == message


def test_an_unreadable_template(project_copy, capsys, monkeypatch):
    """As for a template whose permissions keep the builder out (tests run as root, who reads anything)."""
    import builtins

    real_open = builtins.open
    locked = str((project_copy / "templates" / "comune.html").resolve())

    def guarded_open(file, *args, **kwargs):
        if str(file) == locked:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    status, _, err = run(["check", "--today", "2026-11-25", "--jobs", "1"], capsys)
    assert status == 1 and "errore interno" not in err
    assert err.splitlines()[0] == ("templates/comune.html: errore: non riesco a leggere il modello (Permission "
                                   "denied): controlla che sia un file e che chi crea il sito abbia il permesso di "
                                   "leggerlo")


@pytest.mark.parametrize("written", ['<a href="manca.md">qui</a>', "[qui][rif]\n\n[rif]: manca.md"],
                         ids=["HTML", "reference"])
def test_a_dead_link_is_reported_on_the_line_where_it_is_written(sources, capsys, written):
    (sources / "content" / "prova.md").write_text(HEAD + "---\nPrimo paragrafo.\n\nSecondo.\n\n" + written + "\n",
                                                  encoding="utf-8")
    line = 9 if "rif]:" not in written else 11
    status, lines = check(sources, capsys)
    assert status == 1
    assert lines[0] == (f'content/prova.md:{line}: errore: il collegamento "manca.md" porta a una pagina che non '
                        "esiste (content/manca.md): correggi il nome del file")
