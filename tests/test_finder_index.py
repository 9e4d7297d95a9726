"""The finder's search index (sitegen/finder.py): content, determinism and size."""

from __future__ import annotations

import dataclasses
import gzip
import json
import random
import shutil
import subprocess

import pytest

from bench.corpus import synthetic_contacts
from sitegen.contacts import Comune, Contacts, slugify
from sitegen.finder import finder_index
from support import PROJECT, real_contacts, require

SCRIPT = PROJECT / "static" / "finder.js"
MINIFIED = PROJECT / "static" / "finder.min.js"
TERSER = PROJECT / "node_modules" / ".bin" / "terser"
REAL_BUDGET = 5 * 1024          # finder.js + index of the real data, gzip
LARGE_BUDGET = 100 * 1024       # index of 8,000 comuni, gzip


def page_url(comune: Comune) -> str:
    return f"{comune.slug}/index.html"


def as_embedded(index: dict) -> bytes:
    """The index as the page embeds it (same dump as the templates' json filter)."""
    return json.dumps(index, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def records(index: dict) -> dict[str, dict]:
    """The index's columns back as one record per comune, by name: {"n", "c", "s", "u", ...}."""
    columns = zip(index["nomi"], index["cap"], index["sportello"], index["altro"])
    return {n: {"n": n, "c": c, "s": s, **(extra or {})} for n, c, s, extra in columns}


@pytest.fixture(scope="module")
def contacts() -> Contacts:
    return real_contacts()


@pytest.fixture(scope="module")
def index(contacts) -> dict:
    return finder_index(contacts, page_url)


# -- content -----------------------------------------------------------------------------------

def test_every_comune_once_in_a_to_z_order(contacts, index):
    names = index["nomi"]
    assert len(index["cap"]) == len(index["sportello"]) == len(index["altro"]) == len(names)
    assert sorted(names) == sorted(c.name for c in contacts.comuni)
    assert len(names) == 17
    assert [slugify(n) for n in names] == sorted(slugify(n) for n in names)


def test_links_follow_the_template_or_are_given(contacts, index):
    by_name = {c.name: c for c in contacts.comuni}
    assert index["url"] == "{}/index.html"
    for entry in records(index).values():
        url = entry.get("u") or index["url"].replace("{}", slugify(entry["n"]))
        assert url == page_url(by_name[entry["n"]])


def test_irregular_links_are_kept_one_by_one(contacts):
    odd = {"gussola": "../altrove/gussola.html"}
    index = finder_index(contacts, lambda c: odd.get(c.slug, page_url(c)))
    entries = records(index)
    assert entries["Gussola"]["u"] == "../altrove/gussola.html"
    assert "u" not in entries["Tornata"]


def test_no_template_when_links_do_not_use_the_slug(contacts):
    index = finder_index(contacts, lambda c: f"comune-{c.istat}.html")
    assert index["url"] == ""
    assert all(e["u"].startswith("comune-") for e in records(index).values())


def test_desks_caps_and_search_terms(index):
    entries = records(index)
    casal = entries["Casalmaggiore"]
    assert casal["c"] == "26041"
    assert index["sportelli"][casal["s"]] == "Sportello Energheia Impresa Sociale"
    assert index["sportelli"][entries["Gussola"]["s"]] == "Sportello Mestieri Lombardia"
    assert ["Camminata", "Caminata"] in casal["f"] and "Vicobellignano" in casal["f"]
    assert entries["San Martino del Lago"]["a"] == "S. Martino d/L."
    assert "a" not in entries["Gussola"]   # same as the name: not repeated
    assert entries["Solarolo Rainerio"]["o"] == ["Palvareto"]
    assert entries["San Giovanni in Croce"]["o"] == ["Palvareto"]
    assert entries["Piadena Drizzona"]["x"] == ["Piadena"]   # a former comune, not a frazione
    assert "Drizzona" in entries["Piadena Drizzona"]["e"]
    assert entries["Scandolara Ravara"]["e"] == [["Castelponzone", "Castelletto Ponzoni"]]   # was a comune
    assert "x" not in entries["Scandolara Ravara"] and "f" not in entries["Scandolara Ravara"]
    assert entries["Rivarolo del Re ed Uniti"]["o"] == ["Rivarolo del Re", "Rivarolo Cremonese"]


def test_every_name_of_the_data_is_searchable(contacts, index):
    entries = records(index)
    for comune in contacts.comuni:
        entry = entries[comune.name]
        terms = {entry["n"], entry.get("a", entry["n"]), *entry.get("o", ()), *entry.get("x", ())}
        for f in (*entry.get("f", ()), *entry.get("e", ())):
            terms.update([f] if isinstance(f, str) else f)
        expected = {comune.name, comune.article_name, *comune.other_names, *comune.former_comuni}
        for frazione in comune.frazioni:
            expected.update((frazione.name, *frazione.variants))
        assert terms == expected, comune.name


def test_shared_caps_and_consortium(index):
    assert [cap for cap, _ in index["condivisi"]] == ["26030", "26040"]
    assert "Cicognolo" in dict(index["condivisi"])["26030"]
    assert index["consorzio"] == {"nome": "Consorzio Casalasco Servizi Sociali",
                                  "sito": "https://www.concass.it/"}


def test_same_input_same_output(contacts):
    first = as_embedded(finder_index(contacts, page_url))
    shuffled = list(contacts.comuni)
    random.Random(1).shuffle(shuffled)
    again = dataclasses.replace(contacts, comuni=tuple(shuffled), shared_caps=tuple(reversed(contacts.shared_caps)))
    assert as_embedded(finder_index(again, page_url)) == first
    assert json.loads(first) == finder_index(contacts, page_url)   # plain JSON types only


# -- size --------------------------------------------------------------------------------------

def test_script_and_real_index_within_5_kb_gzip(index, built_site):
    served = (built_site / "static" / "finder.js").read_bytes()   # as the site serves it: minified
    assert served == MINIFIED.read_bytes()
    size = gzip_size(served) + gzip_size(as_embedded(index))
    print(f"finder.js + index, gzip: {size} bytes")
    assert size <= REAL_BUDGET


def test_index_of_8000_comuni_under_100_kb_gzip():
    """8,000 comuni with names, CAPs, desks and 4,000 frazioni (more frazioni: see the bench)."""
    index = finder_index(synthetic_contacts(8000, frazioni=0.5), page_url)
    size = gzip_size(as_embedded(index))
    print(f"index of 8,000 comuni, gzip: {size} bytes")
    assert len(index["nomi"]) == 8000
    assert size < LARGE_BUDGET


def test_the_minified_script_is_made_from_the_current_source(tmp_path):
    """static/finder.min.js is what scripts/minify-finder.sh makes of static/finder.js today:
    a change to the readable script that was not minified again fails here."""
    require(TERSER.exists(), "terser is not installed: bash scripts/test.sh installs it")
    copy = tmp_path / "project"
    (copy / "static").mkdir(parents=True)
    (copy / "scripts").mkdir()
    shutil.copy(SCRIPT, copy / "static" / "finder.js")
    shutil.copy(PROJECT / "scripts" / "minify-finder.sh", copy / "scripts" / "minify-finder.sh")
    (copy / "node_modules").symlink_to(PROJECT / "node_modules")
    subprocess.run(["bash", str(copy / "scripts" / "minify-finder.sh")], check=True)
    assert (copy / "static" / "finder.min.js").read_bytes() == MINIFIED.read_bytes(), \
        "static/finder.min.js is out of date: run bash scripts/minify-finder.sh"


def test_the_index_carries_each_desks_first_phone_and_the_places_outside(index, contacts):
    desks = {c.desk.name: c.desk for c in contacts.comuni}
    for name, phone in zip(index["sportelli"], index["telefoni"]):
        first = desks[name].phones[0]
        assert phone == ([first.number, first.extension] if first.extension else [first.number])
    assert index["telefoni"][index["sportelli"].index("Sportello Mestieri Lombardia")] == ["0372 1786314", "1"]
    assert {"Cremona", "Viadana", "Sabbioneta"} <= set(index["fuori"])
    shared = {name for _, names in index["condivisi"] for name in names}
    assert not shared & set(index["fuori"])   # listed once
    assert not set(index["nomi"]) & set(index["fuori"])
