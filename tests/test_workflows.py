"""The CI workflows: they pass actionlint (with shellcheck), they have the paths the project
needs, and what they rely on works: annotations from `--format github`, the preview's summary."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from support import PROJECT, run, source_args

from sitegen.changes import compare_sites, summary_markdown

WORKFLOWS = PROJECT / ".github" / "workflows"


def actionlint() -> str:
    found = shutil.which("actionlint")
    if found is None or shutil.which("shellcheck") is None:
        if os.environ.get("CI"):
            pytest.fail("actionlint or shellcheck is missing: scripts/test.sh installs them")
        pytest.skip("actionlint or shellcheck is missing (scripts/test.sh installs them)")
    return found


def lint(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([actionlint(), "-no-color", *map(str, files)], capture_output=True, text=True,
                          cwd=PROJECT)


def workflow(name: str) -> dict:
    loaded = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    loaded["on"] = loaded.pop(True, loaded.get("on"))   # YAML 1.1 reads the key `on` as true
    return loaded


def steps(loaded: dict) -> list[dict]:
    return [step for job in loaded["jobs"].values() for step in job.get("steps", [])]


def test_the_workflows_pass_actionlint():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert len(files) >= 3
    result = lint(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_sees_an_action_on_a_removed_runtime(tmp_path):
    """The check above can fail: the old workflow's checkout@v4 runs on Node 20."""
    old = tmp_path / ".github" / "workflows" / "old.yml"
    old.parent.mkdir(parents=True)
    old.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
                   "      - uses: actions/checkout@v4\n      - run: echo $UNQUOTED\n")
    result = lint(old)
    assert result.returncode == 1
    assert 'runtime "node20" is deprecated' in result.stdout
    assert "SC2086" in result.stdout   # shellcheck runs on the scripts


def test_a_pull_request_is_checked_with_annotations_and_previewed():
    proposal = workflow("proposal.yml")
    assert "pull_request" in proposal["on"]
    assert proposal["jobs"]["checks"]["uses"] == "./.github/workflows/checks.yml"
    runs = [step.get("run", "") for step in steps(workflow("checks.yml"))]
    assert any("python build.py check --strict --format github" in r for r in runs)
    assert any("bash .ci/run" in r for r in runs)
    preview = steps(proposal)
    assert any("GITHUB_STEP_SUMMARY" in step.get("run", "") for step in preview)
    assert any(step.get("uses", "").startswith("actions/upload-artifact@") for step in preview)


def test_a_push_to_main_and_a_daily_schedule_end_in_publish():
    publish = workflow("publish.yml")
    assert publish["on"]["push"]["branches"] == ["main"]
    assert len(publish["on"]["schedule"]) == 1
    job = publish["jobs"]["publish"]
    assert job["needs"] == "checks"
    runs = [step.get("run", "") for step in job["steps"]]
    assert any('--today "$(TZ=Europe/Rome date +%F)"' in r for r in runs)   # the day of the run
    assert runs[-1].count('python build.py publish --to "$SITE_PUBLISH_TO"') == 1
    assert publish["concurrency"]["cancel-in-progress"] is False


def test_github_pages_is_the_documented_alternative():
    pages = workflow("pages.yml")
    assert any(step.get("uses", "").startswith("actions/deploy-pages@") for step in steps(pages))
    assert pages["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


# -- annotations ---------------------------------------------------------------------------------

def test_check_prints_github_annotations_with_file_line_and_column(sources, capsys):
    data = sources / "data" / "contacts.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace('telefono: "0375 40200"', 'telefono: "0375 402A0"', 1),
                    encoding="utf-8")
    line = next(n for n, text in enumerate(data.read_text(encoding="utf-8").splitlines(), 1) if "402A0" in text)
    status, out, err = run(["check", "--format", "github", *source_args(sources)], capsys)
    assert status == 1
    assert out.splitlines()[0] == (
        f"::error file=data/contacts.yaml,line={line},col=15::il telefono \"0375 402A0\" non sembra un numero "
        'italiano (che inizia con 0, per esempio "0375 40200"; un interno si scrive "int. 1")')
    assert err == "Controllo fallito: 1 errore, 0 avvisi.\n"   # the problem is not printed twice
    status, _, plain = run(["check", *source_args(sources)], capsys)
    assert plain.startswith(f"data/contacts.yaml:{line}:15: errore: il telefono")   # text stays the default


def test_annotations_escape_what_the_runner_reads_as_syntax():
    from sitegen.errors import Problem, github_annotation
    problem = Problem("content/a,b:c.md", 3, 0, "100% sbagliato\nriga due", "avviso")
    assert github_annotation(problem) == "::warning file=content/a%2Cb%3Ac.md,line=3::100%25 sbagliato%0Ariga due"
    assert github_annotation(Problem("sito.yaml", 0, 0, "x")) == "::error file=sito.yaml::x"
    # a note (a field still to fill in) is shown, but never as something that blocks
    assert github_annotation(Problem("sito.yaml", 20, 12, "da completare", "nota")) == \
        "::notice file=sito.yaml,line=20,col=12::da completare"


# -- the preview's summary -------------------------------------------------------------------------

def test_the_summary_says_which_pages_were_added_changed_and_removed(sources, tmp_path, capsys):
    before = tmp_path / "prima"
    after = tmp_path / "dopo"
    assert run(["build", "--out", str(before), *source_args(sources)], capsys)[0] == 0
    (sources / "content" / "orari.md").write_text(
        "---\ntitolo: Orari di dicembre\ndescrizione: Gli orari.\n---\n\nGli sportelli sono aperti.\n",
        encoding="utf-8")
    data = sources / "data" / "contacts.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace('telefono: "0375 40200"', 'telefono: "0375 40201"', 1),
                    encoding="utf-8")
    status, _, err = run(["build", "--out", str(after), *source_args(sources)], capsys)
    assert status == 0, err
    changes = compare_sites(before, after)
    assert changes.added == ("orari/",) and changes.removed == ()
    assert "sportelli/casalmaggiore/" in changes.changed and "sportelli/gussola/" not in changes.changed
    assert changes.other_files >= 1   # the desk's vCard
    text = summary_markdown(changes, before, after)
    assert "### Pagine nuove: 1\n\n- `orari/` Orari di dicembre" in text
    assert "- `sportelli/casalmaggiore/` " in text
    undone = compare_sites(after, before)
    assert undone.removed == ("orari/",) and undone.added == ()
    assert "### Pagine tolte: 1\n\n- `orari/` Orari di dicembre" in summary_markdown(undone, after, before)
    assert summary_markdown(compare_sites(after, after), after, after).endswith(
        "Nessuna pagina cambia con questa proposta.\n")


def test_secrets_reach_steps_only_through_the_environment():
    """Never written into a script (where a log or a quote mistake could show them) nor echoed."""
    seen = 0
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for step in steps(workflow(path.name)):
            script = step.get("run", "")
            assert "secrets." not in script, (path.name, step.get("name"))
            assert "set -x" not in script, (path.name, step.get("name"))
            seen += sum("secrets." in str(value) for value in step.get("env", {}).values())
    assert seen == 3   # the SSH key, the known hosts, the FTP password
