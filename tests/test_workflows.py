"""The GitHub workflows and the pre-commit configuration.

The workflows are validated offline against GitHub's workflow schema as vendored by
check-jsonschema (``--builtin-schema vendor.github-workflows``), run from this test's
own Python environment. PyYAML reads a workflow's ``on:`` key as ``True``; nothing
here depends on it.
"""

from __future__ import annotations

import re
import subprocess
import sys
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


def languages() -> list[str]:
    config = load(REPO / "brief.yml")
    return [str(lang) for lang in config["languages"]]


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


def test_pull_request_builds_every_edition_as_a_matrix() -> None:
    workflow = load(PULL_REQUEST)
    build = workflow["jobs"]["build"]
    matrix = build["strategy"]["matrix"]
    assert matrix["lang"] == languages()
    assert set(matrix["format"]) == FORMATS
    assert len(matrix["format"]) == len(FORMATS)
    assert "make ${{ matrix.format }} EDITION=${{ matrix.lang }}" in run_scripts(build)
    uploads = steps_using(build, "actions/upload-artifact")
    assert uploads, "the build job uploads no artifact"
    upload = uploads[0]["with"]
    assert upload["path"] == "build/${{ matrix.lang }}/*"
    # Artifact names must differ between the matrix's jobs.
    assert "${{ matrix.lang }}" in upload["name"]
    assert "${{ matrix.format }}" in upload["name"]


def test_pull_request_checks_tests_and_redlines() -> None:
    workflow = load(PULL_REQUEST)
    assert "pull_request" in workflow[True]
    jobs = workflow["jobs"]
    scripts = {name: run_scripts(job) for name, job in jobs.items()}
    assert any(".venv/bin/brief check --format github" in s for s in scripts.values())
    assert any("make test" in s for s in scripts.values())
    diff = next(job for job, s in scripts.items()
                if "make diff BASE=origin/${{ github.base_ref }}" in s)
    assert steps_using(jobs[diff], "actions/upload-artifact")[0]["with"]["path"] == "build/diff"
    for name, job in jobs.items():
        checkout = steps_using(job, "actions/checkout")
        assert checkout and checkout[0]["with"]["fetch-depth"] == 0, name
        python = steps_using(job, "actions/setup-python")
        assert python and python[0]["with"]["python-version"] == "3.11", name
        assert python[0]["with"]["cache"] == "pip", name
        assert "libpango-1.0-0 libpangoft2-1.0-0" in scripts[name], name


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflows_use_only_official_actions(path: Path) -> None:
    allowed = {"actions/checkout@v4", "actions/setup-python@v5", "actions/upload-artifact@v4",
               "actions/cache@v4", "softprops/action-gh-release@v2"}
    for name, job in load(path)["jobs"].items():
        for step in job.get("steps", []):
            if "uses" in step:
                assert step["uses"] in allowed, f"{path.name}: job {name} uses {step['uses']}"


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
