"""The Jinja environment, and outputs -> bytes. Undefined values and template mistakes are errors."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Callable

import jinja2
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape

from .content import Page
from .errors import BuildFailed, fail
from .finder import finder_index
from .jsonld import comune_service
from .plan import ComuneInputs, FinderInputs, Output, Site, link_from, relinked_body, url_between

MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
          "settembre", "ottobre", "novembre", "dicembre")


def italian_date(day: date) -> str:
    """11 gennaio 2021."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def with_article(preposition: str, day: date) -> str:
    """"del 2 gennaio 2021", but "dell'11 gennaio 2021": Italian elides the article before the
    vowel sound of 1 ("uno"), 8 ("otto") and 11 ("undici")."""
    joined = preposition + ("ll'" if day.day in (1, 8, 11) else "l ")
    return joined + italian_date(day)


def since_date(day: date) -> str:
    """dal 2 gennaio 2021, dall'11 gennaio 2021."""
    return with_article("da", day)


def of_date(day: date) -> str:
    """del 2 gennaio 2021, dell'11 gennaio 2021."""
    return with_article("de", day)


def to_date(day: date) -> str:
    """al 2 gennaio 2021, all'11 gennaio 2021."""
    return with_article("a", day)


def email_breaks(address: str) -> Markup:
    """An e-mail address that may wrap only after "@" and before a dot, never inside a word:
    a long address on a narrow phone breaks where a reader expects it."""
    local, _, domain = str(address).partition("@")
    parts = [markupsafe_escape(part) for part in domain.split(".")]
    return markupsafe_escape(local) + Markup("@<wbr>") + Markup("<wbr>.").join(parts)


# What must not appear literally inside a <script> element: "<" and ">" would let a value open
# or close a tag ("</script>", "<!--<script>" keeps the element open), "&" is escaped as Jinja's
# htmlsafe_json_dumps does, and U+2028/U+2029 end a line in older JavaScript. (The apostrophe,
# which Jinja escapes too, is harmless inside an element and common in names: "Pieve d'Olmi".)
SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value) -> Markup:
    """Compact, stable JSON that is safe inside a <script> element: every character that could
    end or change the element is written as a JSON escape, which JSON.parse reads back as it was."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(text.translate(SCRIPT_ESCAPES))


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja environment of a templates folder: strict (an unknown name is an error), with
    HTML escaping, and the site's filters. Templates are read once: a build renders them
    thousands of times, and the preview makes a new environment when a template changes."""
    env = jinja2.Environment(
        loader=VisibleFilesLoader(str(templates_dir)),
        auto_reload=False,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["data_it"] = italian_date
    env.filters["dal_data"] = since_date
    env.filters["del_data"] = of_date
    env.filters["al_data"] = to_date
    env.filters["json"] = script_json
    env.filters["email_a_capo"] = email_breaks
    return env


class VisibleFilesLoader(jinja2.FileSystemLoader):
    """Templates from a folder, except hidden files (an editor's swap files, ".x.html"): the
    outputs' keys are made from the visible files only, so a hidden one must not be included."""

    def get_source(self, environment: jinja2.Environment, template: str):
        if any(part.startswith(".") for part in template.split("/")):
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)


@dataclass(frozen=True)
class Place:
    """"output" in the templates: where the output goes."""

    dest: str             # "sportelli/gussola/index.html"
    canonical_path: str   # "sportelli/gussola/", the address people share


@dataclass(frozen=True)
class PageContent:
    """"page" in the templates: what the output shows as its content."""

    title: str
    description: str
    date: date | None = None
    body_html: str = ""


def template_context(output: Output, site: Site, body_html: str) -> dict:
    """Everything a template gets: the shared parts, its page, where it goes, the records it is
    made from (its inputs, by name) and what follows from them alone (JSON-LD, the finder's index)."""
    page = PageContent(output.title, output.description, output.page.date if output.page else None, body_html)
    inputs = output.inputs
    context = {"site": site.shared, "page": page, "output": Place(output.dest, output.canonical_path),
               **{field.name: getattr(inputs, field.name) for field in fields(inputs)}}
    if isinstance(inputs, ComuneInputs):
        context["json_ld"] = comune_service(site.shared, output, inputs)
    elif isinstance(inputs, FinderInputs):
        context["comuni"] = inputs.comuni
        context["finder_index"] = finder_index(
            inputs.contacts, lambda comune: url_between(output.dest, site.shared.comune_page(comune)))
    return context


def render_output(env: jinja2.Environment, site: Site, output: Output, body_html: str,
                  templates_display: str) -> bytes:
    """Render one output; a template mistake becomes an error naming the template and its line."""

    def url(target: str) -> str:
        return link(site, output, target)

    try:
        template = env.get_template(output.template)
        text = template.render(url=url, **template_context(output, site, body_html))
    except jinja2.TemplateSyntaxError as exc:
        raise fail(f"{templates_display}/{exc.name or output.template}", exc.lineno or 0, 0,
                   f"errore di sintassi nel modello: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        if exc.name == output.template:  # chosen by the page's "tipo"
            raise fail(output.source, 1, 0, f"il modello \"{exc.name}\" non esiste in {templates_display}/: "
                       "controlla il \"tipo\" della pagina") from None
        name, line = _template_frame(exc, env)
        raise fail(f"{templates_display}/{name or output.template}", line, 0,
                   f"il modello \"{exc.name}\" incluso qui non esiste in {templates_display}/") from None
    except BuildFailed:
        raise
    except OSError as exc:   # a template the builder may not read, or a folder where a file should be
        name = Path(exc.filename).name if exc.filename else output.template
        raise fail(f"{templates_display}/{name}", 0, 0, f"non riesco a leggere il modello ({exc.strerror}): "
                   "controlla che sia un file e che chi crea il sito abbia il permesso di leggerlo") from None
    except Exception as exc:  # any other failure inside a template: point at the template line
        name, line = _template_frame(exc, env)
        message = str(exc)
        if isinstance(exc, DeadLink):
            raise fail(f"{templates_display}/{name or output.template}", line, 0, message) from None
        if isinstance(exc, jinja2.UndefinedError):
            message = f"il modello usa un valore che non esiste ({message})"
        raise fail(f"{templates_display}/{name or output.template}", line, 0,
                   f"{message} (mentre creavo {output.dest})") from None
    return text.encode("utf-8")


class Renderer:
    """Stage 4, one output at a time; made before the workers fork, so they share it."""

    def __init__(self, env: jinja2.Environment, site: Site, bodies: Callable[[Page], str], templates_display: str):
        """`bodies` gives a page's converted body (sitegen.incremental.Bodies)."""
        self.env = env
        self.site = site
        self.bodies = bodies
        self.templates_display = templates_display

    def render(self, output: Output) -> bytes:
        body = relinked_body(output, self.bodies(output.page), self.site) if output.page else ""
        return render_output(self.env, self.site, output, body, self.templates_display)


class DeadLink(Exception):
    """A template links a path the site does not have."""


def link(site: Site, output: Output, target: str) -> str:
    """Templates link through here, so that a link to a page that does not exist is an error."""
    path = target.split("#", 1)[0]
    if path and path not in site.paths and (path.rstrip("/") + "/index.html").lstrip("/") not in site.paths:
        raise DeadLink(f"il modello collega \"{target}\", che non esiste nel sito")
    return link_from(output.dest, target, site.base_url)


def _template_frame(exc: BaseException, env: jinja2.Environment) -> tuple[str | None, int]:
    """The template and line where the exception was raised (Jinja puts them in the traceback)."""
    name, line = None, 0
    tb = exc.__traceback__ if exc.__traceback__ else sys.exc_info()[2]
    search_paths = [str(Path(p).resolve()) for p in env.loader.searchpath]  # type: ignore[union-attr]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        for root in search_paths:
            if filename.startswith(root):
                name, line = Path(filename).relative_to(root).as_posix(), tb.tb_lineno
        tb = tb.tb_next
    return name, line
