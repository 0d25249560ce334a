"""The example GitHub workflow is valid YAML and does what the README says it does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "mrpplan.yml"


def load() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text())
    return data


def run_lines(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_workflow_has_plan_on_pull_request_and_apply_on_merge() -> None:
    data = load()
    triggers = data[True] if True in data else data["on"]  # YAML 1.1 reads `on` as True
    assert "pull_request" in triggers and "push" in triggers
    assert set(data["jobs"]) == {"plan", "apply"}
    assert "pull_request" in data["jobs"]["plan"]["if"]
    assert "push" in data["jobs"]["apply"]["if"]


def test_plan_job_validates_plans_uploads_and_comments() -> None:
    job = load()["jobs"]["plan"]
    runs = run_lines(job)
    assert "mrpplan --no-color validate" in runs
    assert "--detailed-exitcode" in runs and "--out" in runs
    assert "--markdown" in runs
    uses = [step.get("uses", "") for step in job["steps"]]
    assert any(u.startswith("actions/upload-artifact") for u in uses)
    assert any(u.startswith("actions/github-script") for u in uses)
    assert runs.index("validate") < runs.index('plan "$MRPPLAN_ENV"')


def test_apply_job_applies_the_reviewed_file_only() -> None:
    job = load()["jobs"]["apply"]
    runs = run_lines(job)
    assert 'apply "$plan" --auto-approve' in runs
    assert 'plan "' not in runs.replace('apply "$plan"', "")  # never re-plans before applying
    assert job.get("environment") == "production"


def test_no_secret_is_written_into_the_workflow() -> None:
    text = WORKFLOW.read_text()
    for line in text.splitlines():
        if "PASSWORD:" in line:
            assert "${{ secrets." in line


def test_both_jobs_seal_and_check_plans_with_the_key_from_a_secret() -> None:
    jobs = load()["jobs"]
    for name in ("plan", "apply"):
        key = jobs[name].get("env", {}).get("MRPPLAN_PLAN_KEY", "")
        assert key == "${{ secrets.MRPPLAN_PLAN_KEY }}", name
