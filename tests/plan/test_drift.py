"""drift ENV and the planner's drift policy (error refuses, warn plans with a warning)."""

from __future__ import annotations


def test_drift_reports_a_hand_made_change(project, cli) -> None:
    key = {"MRPPLAN_PLAN_KEY": "test-key"}  # protected prod takes keyed plan files only
    made = cli("plan", "prod", "--target-version", "002", "--out", "plans/p.json", env=key)
    assert made.code == 0
    assert cli("apply", "plans/p.json", "--auto-approve", env=key).code == 0
    assert cli("drift", "prod").code == 0
    project.databases["prod"].execute("ALTER TABLE warehouses ADD COLUMN hotfix INT NULL")
    drift = cli("drift", "prod")
    assert drift.code == 2, drift.output
    assert "table warehouses differs" in drift.stdout
    # prod says drift: error: planning refuses and says why
    refused = cli("plan", "prod", "--target-version", "002")
    assert refused.code == 3, refused.output
    assert "warehouses" in refused.stderr


def test_unknown_version_database_is_refused_or_converged(project, cli) -> None:
    for env in ("prod", "dev"):
        project.databases[env].execute("CREATE TABLE legacy (id INT PRIMARY KEY)")
    refused = cli("plan", "prod")
    assert refused.code == 3, refused.output
    assert "migrate baseline" in refused.stderr
    warned = cli("plan", "dev", "--detailed-exitcode")
    assert warned.code == 2, warned.output
    assert "Warning:" in warned.stdout
    assert "legacy" in warned.stdout
