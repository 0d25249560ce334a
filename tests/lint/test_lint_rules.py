"""Lint rules (issue 25): each rule finds its smell at the migration's file:line, levels
come from the environment, `-- mrpplan:allow` silences a rule, and SARIF output passes the
SARIF 2.1.0 schema (the part code scanning reads)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from dbtools import local_without_sync_or_seeds

SARIF_SCHEMA = Path(__file__).with_name("sarif-2.1.0-subset.schema.json")

CASES = {
    "no-primary-key": ("CREATE TABLE scratch_notes (note TEXT) ENGINE=InnoDB;", "scratch_notes"),
    "duplicate-index": (
        "ALTER TABLE suppliers ADD KEY idx_suppliers_code (supplier_code);",
        "idx_suppliers_code",
    ),
    "utf8mb3": (
        "CREATE TABLE legacy_codes (id INT PRIMARY KEY, code VARCHAR(10)) DEFAULT CHARSET=utf8mb3;",
        "legacy_codes",
    ),
    "zero-date-default": (
        "CREATE TABLE old_dates (id INT PRIMARY KEY,"
        " seen DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00');",
        "old_dates",
    ),
    "float-money": ("ALTER TABLE items ADD COLUMN list_price DOUBLE NULL;", "list_price"),
    "enum-value-removed": (
        "ALTER TABLE suppliers MODIFY rating ENUM('A','B','C') NULL;",
        "loses 'D'",
    ),
    "dropped-column-still-referenced": (
        "CREATE VIEW v_supplier_phones AS SELECT id, phone FROM suppliers;\n"
        "ALTER TABLE suppliers DROP COLUMN phone;",
        "view `v_supplier_phones` still names it",
    ),
    "rename-as-drop-add": (
        "ALTER TABLE suppliers DROP COLUMN phone, ADD COLUMN phone_number VARCHAR(40) NULL;",
        "`phone` is dropped and `phone_number`",
    ),
}


def _migration(root: Path, body: str, extra: str = "") -> Path:
    path = root / "database" / "migrations" / "004_lint_case.sql"
    path.write_text(f"-- 004: a lint case\n{extra}\n-- mrpplan:up\n\n{body}\n")
    return path


def _findings(cli, *args: str) -> tuple[int, list[dict]]:
    result = cli("lint", *args, "--json")
    return result.code, json.loads(result.stdout)


def test_the_example_project_is_clean(project, cli) -> None:
    code, found = _findings(cli)
    assert (code, found) == (0, [])


@pytest.mark.parametrize("rule", list(CASES))
def test_each_rule_finds_its_smell_at_file_and_line(project, cli, rule: str) -> None:
    body, words = CASES[rule]
    _migration(project.root, body)

    code, found = _findings(cli)

    mine = [f for f in found if f["rule"] == rule]
    assert mine, found
    assert mine[0]["file"] == "database/migrations/004_lint_case.sql"
    assert mine[0]["line"] >= 5
    assert words in mine[0]["message"]
    assert code == (1 if any(f["level"] == "error" for f in found) else 0)


def test_allow_comment_silences_a_rule_in_its_migration(project, cli) -> None:
    body, _ = CASES["enum-value-removed"]
    _migration(
        project.root, body, "-- mrpplan:allow enum-value-removed no supplier was ever rated D\n"
    )
    code, found = _findings(cli)
    assert [f for f in found if f["rule"] == "enum-value-removed"] == []
    assert code == 0


def test_levels_per_environment_and_the_live_rule(project, cli) -> None:
    """policy.lint raises a warning to an error (exit 1) or turns a rule off; the live rule
    sees an AUTO_INCREMENT more than 80% used."""
    _migration(project.root, CASES["enum-value-removed"][0])
    project.databases["local"].execute(
        "CREATE TABLE tiny_counter (id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY)"
        " AUTO_INCREMENT=220"
    )
    env_file = project.root / "environments" / "local.yaml"
    original = env_file.read_text()
    env_file.write_text(original + "  lint: {enum-value-removed: error}\n")

    code, found = _findings(cli, "local")

    assert code == 1
    levels = {f["rule"]: f["level"] for f in found}
    assert levels["enum-value-removed"] == "error"
    live = [f for f in found if f["rule"] == "auto-increment-capacity"]
    assert (
        live
        and "`tiny_counter`.`id` (tinyint(3) unsigned) has used 219 of 255" in (live[0]["message"])
    )

    env_file.write_text(
        original + "  lint: {enum-value-removed: off, auto-increment-capacity: off}\n"
    )
    code, found = _findings(cli, "local")
    assert (code, found) == (0, [])


def test_sarif_output_passes_the_schema(project, cli) -> None:
    _migration(project.root, CASES["no-primary-key"][0] + "\n" + CASES["float-money"][0])

    result = cli("lint", "--sarif")

    assert result.code == 1, result.output  # both rules are errors by default
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(json.loads(SARIF_SCHEMA.read_text())).validate(document)
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"no-primary-key", "float-money"}
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "database/migrations/004_lint_case.sql"
    assert location["region"]["startLine"] >= 5


def test_plan_shows_the_findings(project, cli) -> None:
    import yaml

    env_file = project.root / "environments" / "local.yaml"
    document = yaml.safe_load(env_file.read_text())
    document.pop("sync", None)  # about the schema only
    env_file.write_text(yaml.safe_dump(document, sort_keys=False))
    _migration(project.root, CASES["rename-as-drop-add"][0])

    planned = cli("plan", "local", "--out", "plans/lint.json")

    assert planned.code == 0, planned.output
    assert (
        "lint: database/migrations/004_lint_case.sql:5: warning: `suppliers`.`phone` is "
        "dropped and `phone_number`"
    ) in planned.stdout


def test_a_column_renamed_in_a_schema_file_is_flagged_for_the_environment(project, cli) -> None:
    """Declaratively (drift: repair), renaming a column in the schema file is a drop and an
    add: `lint ENV` sees it in the change from the live schema."""
    local_without_sync_or_seeds(project.root)
    built = cli("apply", "local", "--auto-approve")
    assert built.code == 0, built.output
    schema = project.root / "database" / "schema" / "01_base_schema.sql"
    schema.write_text(
        schema.read_text().replace(
            "    phone           VARCHAR(40)   NULL,\n    address_line1",
            "    phone_number    VARCHAR(40)   NULL,\n    address_line1",
        )
    )

    code, found = _findings(cli, "local")

    assert code == 0  # a warning by default
    mine = [f for f in found if f["rule"] == "rename-as-drop-add"]
    assert [f["file"] for f in mine] == ["database/schema/01_base_schema.sql"], found
    assert "`suppliers`.`phone` is dropped and `phone_number`" in mine[0]["message"]


def test_a_no_change_plan_shows_the_same_findings_from_the_cache(project, cli) -> None:
    """The schema rules' findings are cached by the desired schema (a plan with no changes
    parses no table): the next plan shows the same lines, at the same file:line."""
    import shutil

    local_without_sync_or_seeds(project.root)
    _migration(project.root, CASES["duplicate-index"][0])
    built = cli("apply", "local", "--auto-approve")
    assert built.code == 0, built.output
    shutil.rmtree(project.root / ".mrpplan" / "cache" / "lint", ignore_errors=True)

    first = cli("plan", "local", "--detailed-exitcode")
    second = cli("plan", "local", "--detailed-exitcode")

    def lint_lines(result) -> list[str]:
        return [line for line in result.stdout.splitlines() if line.startswith("lint:")]

    assert (first.code, second.code) == (0, 0), first.output + second.output
    assert lint_lines(second) == lint_lines(first)
    assert any(
        "database/migrations/004_lint_case.sql:5" in line and "idx_suppliers_code" in line
        for line in lint_lines(first)
    ), first.stdout


def test_a_finding_follows_its_statement_when_lines_are_added_above_it(project, cli) -> None:
    """Placed findings are cached by the desired schema and by where each statement is:
    blank lines added above the statement (the schema is the same) move the finding's
    line with it, never leave it where the statement used to be."""
    path = _migration(project.root, CASES["duplicate-index"][0])
    _, before = _findings(cli)
    path.write_text(path.read_text().replace("-- mrpplan:up\n", "-- mrpplan:up\n\n\n"))

    _, after = _findings(cli)

    def lines(found: list[dict]) -> list[int]:
        return [f["line"] for f in found if f["rule"] == "duplicate-index"]

    assert lines(before) and lines(after) == [n + 2 for n in lines(before)], (before, after)
