#!/usr/bin/env python3
"""ACTIVITY.CR site generator: `build` (the default), `check`, `serve` and `publish`.

    python build.py                  build the site into site/
    python build.py check            check data, pages and links; write nothing
    python build.py serve            preview at http://127.0.0.1:8000, reloading on every change
    python build.py publish --to D   send the site built in site/ to D, switched live in one step
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from datetime import date, datetime, timezone
from pathlib import Path

try:   # a quarter of a second, more with older libraries: Ctrl+C here stops the program as later
    from sitegen.errors import BuildFailed, Report, github_annotation, summary
    from sitegen.incremental import Incremental
    from sitegen.parallel import available_cores
    from sitegen.pipeline import Options, build
except KeyboardInterrupt:
    sys.exit(130)

PROJECT = Path(__file__).resolve().parent


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="build.py", description="Crea il sito di ACTIVITY.CR.")
    parser.add_argument("command", nargs="?", default="build", choices=("build", "check", "serve", "publish"),
                        help="build (predefinito): crea il sito; check: controlla senza scrivere; "
                             "serve: anteprima con aggiornamento automatico; "
                             "publish: manda online il sito già creato")
    parser.add_argument("--out", type=Path, default=PROJECT / "site", help="cartella del sito (predefinita: site/)")
    parser.add_argument("--content", type=Path, default=PROJECT / "content", help="cartella delle pagine")
    parser.add_argument("--data", type=Path, default=PROJECT / "data" / "contacts.yaml", help="file dei contatti")
    parser.add_argument("--settings", type=Path, default=PROJECT / "sito.yaml", help="file delle impostazioni")
    parser.add_argument("--base-url", help="indirizzo completo del sito, per esempio https://www.example.org/activity-cr/")
    parser.add_argument("--today", type=parse_day, help="data della pubblicazione, AAAA-MM-GG")
    parser.add_argument("--strict", action="store_true", help="anche gli avvisi fanno fallire")
    parser.add_argument("--anteprima", action="store_true",
                        help="anteprima di una proposta: i motori di ricerca non la indicizzano (noindex), "
                             "non si può pubblicare")
    parser.add_argument("--host", default="127.0.0.1", help="per serve: indirizzo su cui ascoltare")
    parser.add_argument("--port", type=int, default=8000, help="per serve: porta (predefinita 8000)")
    parser.add_argument("--jobs", type=int, default=available_cores(),
                        help="processi in parallelo (predefinito: uno per processore)")
    parser.add_argument("--no-cache", action="store_true",
                        help="rifà tutto da capo invece di riusare il lavoro della volta precedente")
    parser.add_argument("--format", choices=("text", "github"), default="text",
                        help="github: i problemi come annotazioni di GitHub Actions, sulle righe cambiate")
    parser.add_argument("--to", help="per publish: dove mandare il sito (sftp://utente@server/percorso, "
                                     "ftps://utente@server/percorso o una cartella)")
    parser.add_argument("--expect-url", help="per publish: rifiuta un sito creato per un altro --base-url")
    parser.add_argument("--rollback", action="store_true", help="per publish: rimette online la versione precedente")
    parser.add_argument("--dry-run", action="store_true", help="per publish: dice cosa farebbe, senza farlo")
    parser.add_argument("--insecure", action="store_true",
                        help="per publish: permette ftp:// senza cifratura (password e file leggibili da altri)")
    parser.add_argument("--debug", action="store_true", help="mostra i dettagli tecnici degli errori interni")
    args = parser.parse_args(argv)
    if args.command == "publish" and not args.to:
        parser.error("publish vuole --to: dove mandare il sito, per esempio --to sftp://utente@server/var/www/activity-cr")
    if args.anteprima and args.base_url is not None:
        parser.error("--anteprima non va con --base-url: l'anteprima si apre dal disco e non si pubblica")
    if args.base_url is not None:
        if not args.base_url.startswith(("https://", "http://")):
            parser.error("--base-url deve iniziare con https:// (per esempio https://www.example.org/activity-cr/)")
        args.base_url = args.base_url.rstrip("/") + "/"
    return args


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"\"{text}\" non è una data AAAA-MM-GG") from None


def build_day(args: argparse.Namespace) -> date:
    """--today, else SOURCE_DATE_EPOCH (reproducible builds), else the real date."""
    if args.today:
        return args.today
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isascii() and epoch.isdigit():
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
        except (OverflowError, OSError, ValueError):   # past the year 9999
            print(f"SOURCE_DATE_EPOCH: errore: \"{epoch}\" è troppo grande per essere una data: "
                  "togli la variabile o usa --today AAAA-MM-GG", file=sys.stderr)
            raise SystemExit(1) from None
    return date.today()


def options_from(args: argparse.Namespace) -> Options:
    return Options(project=PROJECT, content=args.content, data=args.data, templates=PROJECT / "templates",
                   static=PROJECT / "static", out=args.out, today=build_day(args), base_url=args.base_url,
                   settings=args.settings, preview=args.anteprima)


def print_report(report: Report, form: str = "text") -> None:
    for problem in report.sorted():
        if form == "github":   # on stdout, where the runner reads its commands
            print(github_annotation(problem))
        else:
            print(problem, file=sys.stderr)


def print_readability(scores) -> None:
    """One line per page: the editors see where the text is hardest, not only the failures."""
    minimum = scores[0].minimum if scores else 0
    print(f"Leggibilità delle pagine (indice Gulpease da 0 a 100; sotto {minimum} è difficile):")
    for score in sorted(scores, key=lambda s: (s.index is None, s.index or 0, s.source)):
        value = "senza testo" if score.index is None else str(score.index)
        flag = "  <- da semplificare" if score.index is not None and score.index < score.minimum else ""
        print(f"  {value:>11}  {score.source}{flag}")


def run_publish(args: argparse.Namespace) -> int:
    from sitegen import publish
    from sitegen.output import build_lock

    def say(line: str) -> None:
        print(line, flush=True)

    try:
        destination = publish.parse_destination(args.to, insecure=args.insecure)
        if args.rollback:
            publish.rollback(destination, args.dry_run, say)
        else:
            with build_lock(args.out):   # no build may change the folder while it is checked and sent
                site = publish.read_built_site(args.out, args.expect_url)
                publish.publish(site, destination, args.dry_run, say)
    except BuildFailed as failed:
        print_report(failed.report, args.format)
        print("Pubblicazione NON fatta: il sito online è rimasto com'era.", file=sys.stderr)
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    if args.command == "publish":
        return run_publish(args)
    options = options_from(args)
    if args.command == "serve":
        from sitegen.serve import serve
        return serve(options, host=args.host, port=args.port)
    report = Report()
    try:
        write = args.command == "build"
        jobs = max(1, args.jobs)
        memo = Incremental.beside(options.out, jobs) if write and not args.no_cache else Incremental(jobs=jobs)
        scores = build(options, report, write=write, strict=args.strict, memo=memo)
    except BuildFailed:
        print_report(report, args.format)
        strict_note = " (con --strict anche gli avvisi bloccano)" if args.strict and not report.errors else ""
        what = "Controllo fallito" if args.command == "check" else "Sito NON aggiornato"
        print(f"{what}: {summary(report)}{strict_note}.", file=sys.stderr)
        return 1
    print_report(report, args.format)
    if args.command == "check":
        print_readability(scores)
    done = "Controllo completato" if args.command == "check" else f"Sito creato in {options.display(options.out)}"
    print(f"{done}: {summary(report)}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except Exception:
        if args.debug:
            traceback.print_exc()
        else:
            print("errore interno del programma (non dei tuoi file): rilancia con --debug "
                  "e manda il messaggio a chi cura il sito.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
