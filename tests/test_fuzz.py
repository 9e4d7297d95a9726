"""Random and mutated YAML and front matter never end in a traceback: only errors with a place."""

from __future__ import annotations


from hypothesis import HealthCheck, given, settings, strategies as st

from support import PROJECT
from sitegen.contacts import load_contacts
from sitegen.content import read_page
from sitegen.markup import new_markdown
from sitegen.errors import Report

REAL = (PROJECT / "data" / "contacts.yaml").read_text(encoding="utf-8")
LINES = REAL.splitlines()
FRAGMENTS = st.sampled_from(["", " ", "\t", ":", "- ", "no", "0372123456", "~", "[", "]", "{", "'", '"', "&a",
                             "*a", "!!int", "---", "sì", "2021-02-30", "\n", "  ", "x: y", "@"])


@st.composite
def mutated_contacts(draw) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["insert", "replace", "delete", "duplicate", "cut"]))
        fragment = draw(FRAGMENTS)
        line = lines[index]
        if action == "insert":
            cut = draw(st.integers(0, len(line)))
            lines[index] = line[:cut] + fragment + line[cut:]
        elif action == "replace":
            lines[index] = fragment
        elif action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        else:
            lines[index] = line[: draw(st.integers(0, len(line)))]
        if not lines:
            break
    return "\n".join(lines)


def assert_only_clean_problems(report: Report, result) -> None:
    if result is None:
        assert report.errors, "no result and no error"
    for problem in report.problems:
        assert problem.message and problem.path


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutated_contacts())
def test_mutated_contacts_never_crash(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "contacts.yaml"
    path.write_text(text, encoding="utf-8")
    report = Report()
    assert_only_clean_problems(report, load_contacts(path, "data/contacts.yaml", report))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_random_contacts_never_crash(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "contacts.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    report = Report()
    assert_only_clean_problems(report, load_contacts(path, "data/contacts.yaml", report))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=12),
       st.booleans())
def test_random_front_matter_never_crashes(tmp_path_factory, pieces, closed):
    text = "---\n" + "".join(pieces) + ("\n---\nTesto\n" if closed else "")
    path = tmp_path_factory.mktemp("fuzz") / "pagina.md"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    report = Report()
    assert_only_clean_problems(report, read_page(path, "pagina.md", "content/pagina.md", new_markdown(), report))
