"""The example workflow, played as GitHub would run it: the plan job on a pull request, then
the apply job on the merge, against a real server (a second sandbox of its own, standing in
for prod) with ONLY the workflow's variables set: no option file, no sandbox directory.

The shell of each step is read from `.github/workflows/mrpplan.yml`, so the test follows the
file: a change to the workflow is tested as it is written.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from dbtools import REPO, Database

from mrpplan import sandbox

WORKFLOW = REPO / ".github" / "workflows" / "mrpplan.yml"
PASSWORD = "ci-deploy-Secret-42"


@pytest.fixture
def prod_server(tmp_path: Path) -> Iterator[sandbox.SandboxInfo]:
    base = tmp_path / "prod-server"
    info = sandbox.up(base)
    try:
        yield info
    finally:
        sandbox.down(base)


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[Path]:
    """The runner's checkout; the sandbox `validate` starts there is stopped at the end
    (on a runner the job's end stops it)."""
    root = tmp_path / "checkout"
    root.mkdir()
    try:
        yield root
    finally:
        sandbox.down(sandbox.default_dir(root))


def _step(job: dict[str, Any], name: str) -> str:
    for step in job["steps"]:
        if step.get("name") == name:
            return str(step["run"])
    raise AssertionError(f"the workflow has no step {name!r}")


def _expand(text: str, values: dict[str, str]) -> str:
    """GitHub's `${{ expr }}` substitution, for the expressions the test provides."""

    def one(match: re.Match[str]) -> str:
        expr = match.group(1).strip()
        assert expr in values, f"the test does not know the workflow expression {expr!r}"
        return values[expr]

    return re.sub(r"\$\{\{(.+?)\}\}", one, text)


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


class Runner:
    """Runs one step's shell as the runner does (`bash -e`), in a clean environment."""

    def __init__(self, root: Path, workflow: dict[str, Any], secrets: dict[str, str]):
        self.root = root
        self.workflow = workflow
        self.values = {f"secrets.{k}": v for k, v in secrets.items()}
        self.output = root.parent / "github_output"

    def run(
        self, job_name: str, step: str, github: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        job = self.workflow["jobs"][job_name]
        values = {**self.values, **{f"github.{k}": v for k, v in (github or {}).items()}}
        self.output.unlink(missing_ok=True)
        env = {
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "HOME": str(self.root.parent),
            "LANG": "C.UTF-8",
            "GITHUB_OUTPUT": str(self.output),
        }
        for scope in (self.workflow.get("env", {}), job.get("env", {})):
            env.update({k: _expand(str(v), values) for k, v in scope.items()})
        script = _expand(_step(job, step), values)
        return subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def outputs(self) -> dict[str, str]:
        lines = self.output.read_text().splitlines() if self.output.exists() else []
        return dict(line.split("=", 1) for line in lines)


def test_pull_request_then_merge_reaches_prod_with_only_the_workflow_variables(
    checkout: Path, prod_server: sandbox.SandboxInfo
) -> None:
    Database("mysql", prod_server.settings(), prod_server).execute(
        "CREATE DATABASE mrp_erp_prod",
        f"CREATE USER 'ci_deploy'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'",
        "GRANT ALL PRIVILEGES ON *.* TO 'ci_deploy'@'127.0.0.1'",
        # the account plan runs the branch's SQL with (README: Where plan runs your SQL)
        f"CREATE USER 'ci_workspace'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'",
        "GRANT ALL PRIVILEGES ON `\\_mrpplan\\_ws\\_%`.* TO 'ci_workspace'@'127.0.0.1'",
    )
    root = checkout
    for part in ("environments", "database", ".github"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("backups"))
    (root / "plans").mkdir()
    # an older reviewed plan already on main, its file newer than anything (a checkout
    # gives files arbitrary times): the apply job must not pick it
    (root / "plans" / "prod-pr3.json").write_text('{"an": "old plan, applied long ago"}\n')
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "main before the pull request")
    before = _git(root, "rev-parse", "HEAD")

    workflow = yaml.safe_load(WORKFLOW.read_text())
    runner = Runner(
        root,
        workflow,
        {
            "PROD_DB_HOST": "127.0.0.1",
            "PROD_DB_PORT": str(prod_server.port),
            "PROD_DB_USER": "ci_deploy",
            "PROD_DB_PASSWORD": PASSWORD,
            "PROD_WORKSPACE_USER": "ci_workspace",
            "PROD_WORKSPACE_PASSWORD": PASSWORD,
            "MRPPLAN_PLAN_KEY": "ci-plan-key",
        },
    )

    validated = runner.run("plan", "Validate (offline)")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    planned = runner.run("plan", "Plan", {"event.pull_request.number": "12"})
    assert planned.returncode == 0, planned.stdout + planned.stderr
    outputs = runner.outputs()
    assert outputs.get("changes") == "true", outputs
    plan_file = root / outputs["file"]
    assert plan_file.is_file()
    assert "## " in (root / "plan.md").read_text()  # the PR comment was rendered

    # the bot commits the plan to the PR branch; the PR is merged; the push runs `apply`
    _git(root, "add", outputs["file"])
    _git(root, "commit", "-q", "-m", "mrpplan: plan for prod")
    os.utime(root / "plans" / "prod-pr3.json")  # the newest file by time, not by git
    after = _git(root, "rev-parse", "HEAD")
    applied = runner.run(
        "apply", "Apply exactly the reviewed plan", {"sha": after, "event.before": before}
    )

    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "Apply complete" in applied.stdout
    assert outputs["file"] in applied.stdout
    # prod now matches: a new plan from the same checkout has nothing to do
    again = runner.run("plan", "Plan", {"event.pull_request.number": "13"})
    assert again.returncode == 0, again.stdout + again.stderr
    assert runner.outputs().get("changes") == "false"
    assert PASSWORD not in (applied.stdout + applied.stderr + plan_file.read_text())
