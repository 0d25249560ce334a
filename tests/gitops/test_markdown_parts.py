"""A plan too long for one PR comment is split into parts the example workflow can post."""

from __future__ import annotations

import re
from pathlib import Path

from dbtools import run_cli

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "mrpplan.yml"
GITHUB_COMMENT_LIMIT = 65_536


def workflow_separator() -> str:
    """The marker the workflow's script splits `show --markdown` output on."""
    found = re.search(r"\.split\('(.+?)'\)", WORKFLOW.read_text())
    assert found, "the workflow no longer splits the markdown into parts"
    return found.group(1).encode().decode("unicode_escape")


def write_big_migration(root: Path, tables: int) -> None:
    statements = []
    for n in range(tables):
        columns = ",\n".join(
            f"  `measure_{c}` decimal(18,4) DEFAULT NULL COMMENT 'measure {c}'" for c in range(12)
        )
        statements.append(
            f"CREATE TABLE `bulk_{n:03d}` (\n"
            "  `id` int unsigned NOT NULL AUTO_INCREMENT,\n"
            f"{columns},\n"
            "  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;"
        )
    text = "-- mrpplan:up\n" + "\n\n".join(statements) + "\n"
    (root / "database" / "migrations" / "004_bulk_tables.sql").write_text(text)


def test_long_plan_markdown_splits_into_parts_under_the_comment_limit(
    project, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    write_big_migration(project.root, 120)
    plan_file = tmp_path / "dev.json"
    planned = run_cli("plan", "dev", "--out", str(plan_file))
    assert planned.code == 0, planned.output
    shown = run_cli("show", str(plan_file), "--markdown")
    assert shown.code == 0, shown.output
    parts = shown.stdout.split(workflow_separator())
    assert len(parts) >= 2, "a 120-table plan should not fit one comment"
    for number, part in enumerate(parts, start=1):
        assert len(part) < GITHUB_COMMENT_LIMIT
        assert f"part {number} of {len(parts)}" in part
    joined = "".join(parts)
    for n in (0, 59, 119):  # every table's SQL is somewhere in the comments
        assert f"bulk_{n:03d}" in joined
