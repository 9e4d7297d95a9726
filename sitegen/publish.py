"""Send a built site to where citizens read it, so that no visitor ever sees half of it.

Over SSH and to a local folder the work is done by rsync (and, on the server, by a few POSIX
shell commands), so that only what changed travels and nothing here speaks a protocol by hand.
Every version is a complete folder beside DEST, in ".DEST.versioni/"; DEST itself is a symbolic
link renamed into place in one step, so it names either the whole old version or the whole new
one. The version before stays for `--rollback`; older ones are removed.

    /srv/www/activity-cr -> .activity-cr.versioni/<fingerprint>
    /srv/www/.activity-cr.versioni/<fingerprint>/      the live version
    /srv/www/.activity-cr.versioni/precedente -> ...   the one before, for --rollback
    /srv/www/.activity-cr.versioni/.in-arrivo/         a version being sent (started again if left)

A version's folder is named by the fingerprint of its files (the build's marker), so that a site
that did not change is not sent again, and files that did not change are hard links to the live
version's (rsync --link-dest), never copies.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .digest import digest
from .errors import BuildFailed, fail
from .output import MARKER, parse_marker

# Written beside the output folder by `build --strict --base-url`; removed by any other build.
STAMP_SUFFIX = ".pubblicabile"
SSH_ENV = "SITE_PUBLISH_SSH"
PASSWORD_ENV = "SITE_PUBLISH_PASSWORD"
INCOMING = ".in-arrivo"


@dataclass(frozen=True)
class Destination:
    """Where to publish: `kind` is "local", "ssh", "ftp" or "ftps"; `path` is absolute."""

    kind: str
    path: str
    host: str = ""
    user: str = ""
    port: int | None = None
    shown: str = ""

    def __str__(self) -> str:
        return self.shown or self.path


@dataclass(frozen=True)
class BuiltSite:
    """A folder proven to hold what a strict build with a base URL wrote, as it wrote it (and
    perhaps files put there by hand, which builds keep)."""

    folder: Path
    base_url: str
    fingerprint: str
    digests: dict[str, str]         # every file to send, with the digest of its bytes
    foreign: tuple[str, ...] = ()   # those of them put there by hand (kept by every build), sent as they are

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(self.digests)


@dataclass(frozen=True)
class Changes:
    """What a publish sends, deletes and keeps, as paths relative to the site."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    deleted: tuple[str, ...]
    kept: int


# -- the destination --------------------------------------------------------------------------

def parse_destination(text: str, insecure: bool = False) -> Destination:
    """--to as given: sftp://[user@]host[:port]/path, ftps://user@host[:port]/path, ftp://..., or a folder."""
    if "://" not in text:
        return Destination("local", str(Path(text).expanduser().absolute()), shown=text)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("sftp", "ssh", "ftps", "ftp"):
        raise fail(text, 0, 0, "--to accetta sftp://, ftps://, ftp:// oppure il percorso di una cartella: "
                   "controlla l'inizio dell'indirizzo")
    if not parts.hostname:
        raise fail(text, 0, 0, "manca il nome del server: scrivi per esempio sftp://utente@server/var/www/activity-cr")
    path = unquote(parts.path)
    if scheme in ("sftp", "ssh") and not path.startswith("/"):
        raise fail(text, 0, 0, "dopo il nome del server serve il percorso completo della cartella, "
                   "per esempio sftp://server/var/www/activity-cr")
    path = str(PurePosixPath(path or "/"))
    if path == "/":
        raise fail(text, 0, 0, "il sito non può andare nella cartella principale del server: "
                   "indica una sua cartella, per esempio /var/www/activity-cr")
    if parts.password:
        raise fail(text, 0, 0, f"non scrivere la password nell'indirizzo: mettila nella variabile "
                   f"d'ambiente {PASSWORD_ENV}")
    if scheme == "ftp" and not insecure:
        raise fail(text, 0, 0, "ftp:// manda la password e i file in chiaro: chiunque sulla rete può leggerli "
                   "e cambiare il sito. Usa sftp:// o ftps://; se il server offre solo ftp, aggiungi "
                   "--insecure sapendo questo rischio")
    kind = "ssh" if scheme in ("sftp", "ssh") else scheme
    try:
        port = parts.port
    except ValueError:
        raise fail(text, 0, 0, "la porta dopo i due punti deve essere un numero, per esempio server:2222") from None
    return Destination(kind, path, parts.hostname, unquote(parts.username or ""), port, shown=text)


# -- the site to send -------------------------------------------------------------------------

def stamp_path(out: Path) -> Path:
    out = out.resolve()
    return out.parent / f".{out.name}{STAMP_SUFFIX}"


def record_publishable(out: Path, base_url: str | None, strict: bool) -> None:
    """After a build: note that the folder may be published (strict, with an address), or forget it."""
    stamp = stamp_path(out)
    marker = out / MARKER
    if strict and base_url and marker.is_file():
        stamp.write_text(f"indirizzo: {base_url}\nmarcatore: {digest(marker.read_bytes())}\n", encoding="utf-8")
    elif stamp.exists():
        stamp.unlink()


def read_built_site(out: Path, expect_url: str | None) -> BuiltSite:
    """The folder to publish, refused unless a successful `build --strict --base-url` wrote it as it is now."""
    shown = str(out)
    marker = out / MARKER
    stamp = stamp_path(out)
    if not marker.is_file():
        raise fail(shown, 0, 0, "questa cartella non è un sito creato da build.py: crealo prima con "
                   "python build.py build --strict --base-url https://...")
    data = marker.read_bytes()
    recorded = read_stamp(stamp)
    if recorded is None or recorded.get("marcatore") != digest(data):
        raise fail(shown, 0, 0, "il sito in questa cartella non viene da un build riuscito con --strict e "
                   "--base-url: rifallo con python build.py build --strict --base-url https://... "
                   "e poi pubblica")
    digests = {name: digest((out / name).read_bytes()) for name in site_files(out)}   # read once, here
    written = parse_marker(out, data) or {}
    # The build's own files must be exactly as it wrote them; files put there by hand (a
    # .htaccess), which every build keeps, are sent as they are and named.
    if not written or any(digests.get(name) != fingerprint for name, fingerprint in written.items()):
        raise fail(shown, 0, 0, "qualcuno ha cambiato o tolto file del sito nella cartella dopo il build: "
                   "rifai il build (python build.py build --strict --base-url ...) e poi pubblica")
    foreign = tuple(name for name in digests if name not in written)
    base_url = recorded["indirizzo"]
    if expect_url is not None and base_url != expect_url.rstrip("/") + "/":
        raise fail(shown, 0, 0, f"il sito è stato creato per l'indirizzo {base_url}, non per {expect_url}: "
                   "rifai il build con il --base-url giusto")
    # A marker that lists files (checked above) has its fingerprint line: both formats begin with it.
    fingerprint = re.search(rb"impronta: ([0-9a-f]+)", data)
    return BuiltSite(out, base_url, fingerprint.group(1).decode(), digests, foreign)


def read_stamp(stamp: Path) -> dict[str, str] | None:
    try:
        lines = stamp.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def site_files(out: Path) -> list[str]:
    """Every file of the site except the marker, by path, in a fixed order."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MARKER)


# -- commands run where DEST is -----------------------------------------------------------------

# The server side of a publish, in POSIX sh plus GNU `mv -T` (rename a link over a link in one
# step). Run by `sh -c` here for a local folder and through ssh for a server: one code path.
SERVER_SCRIPT = r"""
set -eu
op=$1; dest=$2
parent=$(dirname -- "$dest"); name=$(basename -- "$dest")
versions="$parent/.$name.versioni"
listed() {   # the files the marker of a plain DEST says a build wrote
  awk 'found { sub(/^[^ ]* /, ""); print } /^impronta: / { found = 1 }' "$dest/.activitycr-site" | LC_ALL=C sort
}
present() {  # the files (and links) that DEST holds, but its marker
  (cd -- "$dest" && find . ! -type d ! -path ./.activitycr-site | sed 's|^\./||' | LC_ALL=C sort)
}
live() {   # the live version's folder name; "-" none; "!" DEST is not ours; "=" DEST is our old folder
  if [ -L "$dest" ]; then
    target=$(readlink -- "$dest")
    case "$target" in ".$name.versioni/"*) echo "${target#.$name.versioni/}" ;; *) echo "!" ;; esac
  elif [ -d "$dest" ]; then
    # ours only when empty, or holding exactly what its marker lists: a file put there by hand
    # (a .htaccess) would be taken off the live site by the switch
    if [ -z "$(ls -A -- "$dest")" ]; then echo "="
    elif [ -f "$dest/.activitycr-site" ] && [ "$(listed)" = "$(present)" ]; then echo "="
    else echo "!"; fi
  elif [ -e "$dest" ]; then echo "!"
  else echo "-"; fi
}
previous() { if [ -L "$versions/precedente" ]; then readlink -- "$versions/precedente"; else echo "-"; fi; }
point() {  # point the link $1 at $2, in one rename
  ln -s -- "$2" "$1.nuovo.$$"
  mv -T -- "$1.nuovo.$$" "$1"
}
case "$op" in
  state)
    echo "live $(live)"; echo "previous $(previous)"
    if [ -d "$versions" ]; then echo "versions $versions"; fi ;;
  prepare)
    mkdir -p -- "$versions"
    rm -rf -- "$versions/.in-arrivo"
    mkdir -- "$versions/.in-arrivo" ;;
  complete)
    if [ -d "$versions/$3" ]; then rm -rf -- "$versions/.in-arrivo"; else mv -T -- "$versions/.in-arrivo" "$versions/$3"; fi ;;
  switch)   # make version $3 live; the live one becomes the previous
    now=$(live)
    if [ "$now" = "!" ]; then echo "not-ours" >&2; exit 3; fi
    if [ "$now" = "=" ]; then   # the first publish over a plain folder: keep it as the previous version
      rm -rf -- "$versions/vecchia"
      mv -T -- "$dest" "$versions/vecchia"
      now=vecchia
    fi
    if [ "$now" != "-" ] && [ "$now" != "$3" ]; then point "$versions/precedente" "$now"; fi
    point "$dest" ".$name.versioni/$3" ;;
  prune)    # remove versions that are neither live nor previous, and what a stopped publish left
    now=$(live); before=$(previous)
    rm -rf -- "$versions/.in-arrivo"
    for folder in "$versions"/*; do
      [ -d "$folder" ] && [ ! -L "$folder" ] || continue
      version=${folder##*/}
      if [ "$version" != "$now" ] && [ "$version" != "$before" ]; then
        # renamed first: a folder with a version's name is always whole, even if this stops
        mv -T -- "$folder" "$versions/.da-cancellare.$version"
        echo "$version"
      fi
    done
    for folder in "$versions"/.da-cancellare.*; do
      if [ -d "$folder" ]; then rm -rf -- "$folder"; fi
    done ;;
esac
"""


@dataclass(frozen=True)
class Place:
    """How to reach DEST: nothing for a local folder, the ssh command for a server."""

    destination: Destination

    @property
    def remote(self) -> bool:
        return self.destination.kind == "ssh"

    def ssh_command(self) -> list[str]:
        command = shlex.split(os.environ.get(SSH_ENV) or "ssh")
        # BatchMode: never stop to ask for a password or a host key in CI (an unknown host fails).
        command += ["-o", "BatchMode=yes"]
        if self.destination.port:
            command += ["-p", str(self.destination.port)]
        return command

    def login(self) -> str:
        user = self.destination.user
        return f"{user}@{self.destination.host}" if user else self.destination.host

    def rsync_target(self, path: str) -> str:
        return f"{self.login()}:{path}" if self.remote else path

    def rsync_shell(self) -> list[str]:
        return ["-e", shlex.join(self.ssh_command())] if self.remote else []

    def server(self, op: str, *args: str) -> str:
        """Run one step of SERVER_SCRIPT where DEST is; returns what it printed."""
        call = ["sh", "-c", SERVER_SCRIPT, "publish", op, self.destination.path, *args]
        if self.remote:
            call = [*self.ssh_command(), self.login(), shlex.join(call)]
        result = subprocess.run(call, capture_output=True, text=True)
        if result.returncode != 0:
            raise server_failure(self.destination, op, result.stderr)
        return result.stdout


def server_failure(destination: Destination, op: str, stderr: str):
    detail = stderr.strip().splitlines()[-1] if stderr.strip() else "nessun dettaglio"
    if "not-ours" in stderr:
        return fail(str(destination), 0, 0, "la destinazione esiste e contiene file che non sono stati "
                    "pubblicati da build.py: per sicurezza non la tocco. Scegli un'altra cartella, "
                    "oppure spostala tu se sei sicuro")
    if "Host key verification failed" in stderr or "REMOTE HOST IDENTIFICATION" in stderr:
        return fail(str(destination), 0, 0, "il server non è tra quelli conosciuti (known_hosts) o la sua "
                    "chiave è cambiata: aggiungi la sua chiave pubblica a known_hosts. Non pubblico su un "
                    "server che non posso riconoscere")
    if "Permission denied" in stderr:
        return fail(str(destination), 0, 0, f"il server ha rifiutato l'accesso ({detail}): controlla "
                    f"l'utente e la chiave SSH (variabile {SSH_ENV})")
    return fail(str(destination), 0, 0, f"la pubblicazione si è fermata ({op}: {detail}): il sito online "
                "non è cambiato; controlla la connessione e rilancia")


@dataclass(frozen=True)
class ServerState:
    live: str        # the live version's folder, "-" none, "!" not ours, "=" our plain folder
    previous: str


def read_state(place: Place) -> ServerState:
    values = dict(line.split(" ", 1) for line in place.server("state").splitlines() if " " in line)
    return ServerState(values.get("live", "-"), values.get("previous", "-"))


def versions_folder(destination: Destination) -> str:
    path = PurePosixPath(destination.path)
    return str(path.parent / f".{path.name}.versioni")


def compare(place: Place, site: BuiltSite, state: ServerState) -> Changes:
    """What a publish would send and delete, asked of rsync without sending anything."""
    if state.live == "-":
        return Changes(tuple(site.files), (), (), 0)
    against = place.destination.path if state.live == "=" else f"{versions_folder(place.destination)}/{state.live}"
    lines = rsync(place, site.folder, against, ["--dry-run", "--itemize-changes"])
    added, changed, deleted = [], [], []
    for line in lines.splitlines():
        flags, _, path = line.partition(" ")
        path = path.strip()
        if flags == "*deleting" and not path.endswith("/"):
            deleted.append(path)
        elif flags[:2] in ("<f", ">f") and path != MARKER:   # "<": sent to a server, ">": copied here
            (added if "+++" in flags else changed).append(path)
    kept = len(site.files) - len(added) - len(changed)
    return Changes(tuple(sorted(added)), tuple(sorted(changed)), tuple(sorted(deleted)), kept)


def rsync(place: Place, folder: Path, target: str, extra: list[str]) -> str:
    # -r -l: the tree as it is; -c: compare by content (every build gives new times);
    # --chmod: files readable by the web server whatever the build machine's umask.
    call = ["rsync", "-rlc", "--delete", "--chmod=D755,F644", *place.rsync_shell(), *extra,
            f"{folder}/", place.rsync_target(target + "/")]
    result = subprocess.run(call, capture_output=True, text=True)
    if result.returncode != 0:
        raise server_failure(place.destination, "rsync", result.stderr)
    return result.stdout


# -- publish and rollback -------------------------------------------------------------------------

def publish(site: BuiltSite, destination: Destination, dry_run: bool, say) -> None:
    """Send `site` to `destination` and make it live in one step; `say` prints a line."""
    if destination.kind in ("ftp", "ftps"):
        from .publish_ftp import publish_ftp
        publish_ftp(site, destination, dry_run, say)
        return
    require_tools(destination)
    refuse_overlap(site, destination)
    place = Place(destination)
    state = read_state(place)
    if state.live == "!":
        raise server_failure(destination, "state", "not-ours")
    if state.live == site.fingerprint:
        if not dry_run:
            place.server("prune")   # what a publish stopped part-way may have left
        say(f"Niente da inviare: {destination} ha già questa versione del sito ({len(site.files)} file).")
        return
    changes = compare(place, site, state)
    tell_foreign(site, say)
    tell_changes(changes, dry_run, say)
    if dry_run:
        say("Prova (--dry-run): non ho inviato né cancellato niente.")
        return
    versions = versions_folder(destination)
    place.server("prepare")
    link_dest = [] if state.live in ("-", "=") else [f"--link-dest={versions}/{state.live}"]
    rsync(place, site.folder, f"{versions}/{INCOMING}", link_dest)
    place.server("complete", site.fingerprint)
    place.server("switch", site.fingerprint)
    say(f"Pubblicato su {destination}: versione {site.fingerprint[:12]} online.")
    try:
        removed = place.server("prune").split()
    except BuildFailed:   # the new version is live: say so, not that the publish failed
        say("Attenzione: non sono riuscito a cancellare dal server le versioni vecchie; "
            "la prossima pubblicazione ci riprova.")
        return
    if state.live != "-":
        say("La versione di prima resta sul server: python build.py publish --rollback --to ... la rimette online.")
    if removed:
        say(f"Versioni più vecchie cancellate dal server: {len(removed)}.")


def refuse_overlap(site: BuiltSite, destination: Destination) -> None:
    """A local DEST must not be the built folder, nor inside it, nor hold it."""
    if destination.kind != "local":
        return
    built, dest = site.folder.resolve(), Path(destination.path).resolve()
    if dest == built or built in dest.parents or dest in built.parents:
        raise fail(str(destination), 0, 0, "la destinazione non può essere la cartella del sito creato "
                   "(--out), né stare dentro o sopra di essa: scegli la cartella del server web")


def rollback(destination: Destination, dry_run: bool, say) -> None:
    """Put the version before back online, in one step; the current one becomes the previous."""
    if destination.kind in ("ftp", "ftps"):
        raise fail(str(destination), 0, 0, "con FTP non si può tornare indietro in un solo passo: pubblica di "
                   "nuovo la versione giusta (per esempio dopo un revert)")
    require_tools(destination)
    place = Place(destination)
    state = read_state(place)
    if state.previous == "-" or state.live in ("-", "!", "="):
        raise fail(str(destination), 0, 0, "non c'è una versione precedente da rimettere online")
    if dry_run:
        say(f"Prova (--dry-run): rimetterei online la versione {state.previous[:12]} al posto di {state.live[:12]}.")
        return
    place.server("switch", state.previous)
    say(f"Ripristinata la versione {state.previous[:12]} su {destination}; "
        f"quella tolta ({state.live[:12]}) resta per un altro --rollback.")


def tell_foreign(site: BuiltSite, say) -> None:
    if site.foreign:
        say(f"File messi a mano nella cartella del sito, inviati così come sono: {', '.join(site.foreign)}")


def tell_changes(changes: Changes, dry_run: bool, say) -> None:
    verb = "da inviare" if dry_run else "inviati"
    sent = [*changes.added, *changes.changed]
    say(f"File {verb}: {len(sent)} ({plural(len(changes.added), 'nuovo', 'nuovi')}, "
        f"{plural(len(changes.changed), 'modificato', 'modificati')})")
    for path in changes.added:
        say(f"  + {path}")
    for path in changes.changed:
        say(f"  * {path}")
    say(f"File {'da cancellare' if dry_run else 'cancellati'}: {len(changes.deleted)}")
    for path in changes.deleted:
        say(f"  - {path}")
    say(f"File invariati: {changes.kept}")


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def require_tools(destination: Destination) -> None:
    needed = ["rsync"] + (["ssh"] if destination.kind == "ssh" and not os.environ.get(SSH_ENV) else [])
    for tool in needed:
        if shutil.which(tool) is None:
            raise fail(str(destination), 0, 0, f"per pubblicare serve il programma {tool}, che qui manca: "
                       f"installalo (su Debian/Ubuntu: apt-get install {'openssh-client' if tool == 'ssh' else tool})")
