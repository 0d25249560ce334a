"""Plans say what their SQL does: a migration's created tables are counted as added, a
rollback that narrows a type is called destructive, the markdown names every statement that
blocks writes and shows the rollback as SQL, and drift says what differs."""

from __future__ import annotations

import re


def _prod_at_001(project, cli) -> None:  # type: ignore[no-untyped-def]
    first = project.root / "plans" / "prod-001.json"
    made = cli("plan", "prod", "--out", str(first), env={"PROD_SCHEMA_VERSION": "001"})
    assert made.code == 0, made.output
    done = cli("apply", str(first), "--auto-approve")
    assert done.code == 0, done.output


def test_migration_steps_are_counted_and_described_by_what_they_do(project, cli) -> None:  # type: ignore[no-untyped-def]
    _prod_at_001(project, cli)
    plan_file = project.root / "plans" / "prod.json"

    planned = cli("plan", "prod", "--out", str(plan_file))

    assert planned.code == 0, planned.output
    added = int(re.search(r"Plan: (\d+) to add", planned.stdout).group(1))  # type: ignore[union-attr]
    assert added >= 11, planned.stdout  # 002 alone creates 11 tables
    step = next(line for line in planned.stdout.splitlines() if "apply migration 003" in line)
    assert "destructive" in step and "decimal(20,6) to decimal(18,4)" in step, step
    markdown = cli("show", str(plan_file), "--markdown")
    assert markdown.code == 0, markdown.output
    assert "blocks writes while it runs" in markdown.stdout
    assert "ALTER TABLE purchase_order_lines MODIFY COLUMN unit_price" in markdown.stdout
    assert "ALTER TABLE items ADD COLUMN lot_sizing_rule" in markdown.stdout
    rollback = markdown.stdout.split("Rollback of step 2", 1)[1].split("</details>", 1)[0]
    assert "```sql\n" in rollback and "DECIMAL(18,4)" in rollback.upper(), rollback


def test_drift_says_what_differs(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev = project.databases["dev"]
    assert cli("apply", "dev", "--auto-approve").code == 0
    dev.execute("ALTER TABLE customers ADD COLUMN nickname VARCHAR(20) NULL")

    planned = cli("plan", "dev")
    drift = cli("drift", "dev")

    assert planned.code == 0, planned.output
    warning = next(line for line in planned.output.splitlines() if "(drift)" in line)
    assert "nickname" in warning, warning
    assert drift.code == 2 and "nickname" in drift.stdout, drift.output
