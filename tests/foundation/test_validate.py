"""`mrpplan validate`: every kind of bad input is reported as file:line with exit 1."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_with(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@dataclass
class Case:
    """A mutation of the example project and what validate must say about it."""

    file: str  # relative to the project root
    mutate: Callable[[Path], str]  # edits the file, returns a needle on the bad line ("" = no line)
    says: str  # part of the message


def _insert_after(path: Path, anchor: str, new_line: str) -> str:
    replace(path, anchor + "\n", anchor + "\n" + new_line + "\n")
    return new_line


def _append(path: Path, text: str) -> str:
    path.write_text(path.read_text() + text + "\n")
    return text


def _sub(old: str, new: str) -> Callable[[Path], str]:
    def mutate(path: Path) -> str:
        replace(path, old, new)
        return new.splitlines()[0] if new else ""

    return mutate


DEV = "environments/dev.yaml"
LOCAL = "environments/local.yaml"
SCHEMA = "database/schema/01_base_schema.sql"

CASES = {
    "yaml syntax": Case(
        DEV, _sub("description: Shared", "description: Shared: oops"), "malformed YAML"
    ),
    "duplicate yaml key": Case(
        DEV,
        lambda p: _insert_after(p, "protected: false", "protected: true"),
        "duplicate key 'protected'",
    ),
    "unknown setting": Case(
        DEV, _sub("  user: ${DEV_DB_USER:-${DB_USER:-}}", "  usr: root"), "unknown setting 'usr'"
    ),
    "wrong type": Case(
        DEV,
        _sub("protected: false", "protected: sometimes"),
        "protected: 'sometimes' is not of type 'boolean'",
    ),
    "bad enum": Case(
        DEV, _sub("drift: warn", "drift: maybe"), "schema.drift: 'maybe' is not one of"
    ),
    "unset variable": Case(
        DEV,
        _sub("host: ${DEV_DB_HOST:-}", "host: ${MRPPLAN_TEST_UNSET_HOST}"),
        "${MRPPLAN_TEST_UNSET_HOST}",
    ),
    "literal password": Case(
        DEV,
        lambda p: _insert_after(p, "  password_env: DEV_DB_PASSWORD", "  password: hunter2"),
        "literal password",
    ),
    "name mismatch": Case(DEV, _sub("name: dev", "name: develop"), "must match"),
    "unknown sync source": Case(
        LOCAL, _sub("  source: dev", "  source: qa"), "sync.source 'qa' is not an environment"
    ),
    "unknown seed set": Case(
        DEV, _sub("seeds: [reference, test]", "seeds: [reference, tset]"), "'tset'"
    ),
    "unknown schema version": Case(
        DEV, _sub("version: ${DEV_SCHEMA_VERSION:-latest}", "version: '009'"), "no such migration"
    ),
    "schema sql": Case(
        SCHEMA,
        _sub("    symbol          VARCHAR(8)    NULL,", "    symbol          VARCHAR(8 NULL,"),
        "SQL does not parse",
    ),
    "seed sql": Case(
        "database/seeds/00_reference_data.sql",
        lambda p: _append(p, "INSERT INTO currencies (currency_code VALUES ('XTS');"),
        "SQL does not parse",
    ),
    "migration down sql": Case(
        "database/migrations/002_planning_tables.sql",
        _sub("DROP TABLE pegging;", "DROP TABLE;"),
        "SQL does not parse",
    ),
    "bad .env line": Case(
        ".env",
        lambda p: (p.write_text("GOOD=1\nnot a setting\n"), "not a setting")[1],
        "expected KEY=VALUE",
    ),
    "sync mask column": Case(
        LOCAL, _sub("customers.email: email", "customers.emial: email"), "has no column 'emial'"
    ),
    "sync mask rule": Case(
        LOCAL,
        _sub("customers.phone: phone", "customers.phone: scramble"),
        "unknown rule 'scramble'",
    ),
    "sync exclude table": Case(
        LOCAL, _sub("  exclude: [audit_log]", "  exclude: [audit_logs]"), "no table 'audit_logs'"
    ),
    "missing up marker": Case(
        "database/migrations/001_inventory_transactions.sql",
        lambda p: (replace(p, "-- mrpplan:up\n", ""), "")[1],
        "missing '-- mrpplan:up' marker",
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_bad_input_is_reported_at_its_place(kind: str, project, cli) -> None:  # type: ignore[no-untyped-def]
    case = CASES[kind]
    path = project.root / case.file
    needle = case.mutate(path)
    line = line_with(path, needle) if needle else 1
    result = cli("validate")
    assert result.code == 1, result.output
    place = f"{case.file}:{line}:"
    matching = [out for out in result.stdout.splitlines() if out.startswith(place)]
    assert matching, f"no problem at {place} in:\n{result.output}"
    assert any(case.says in out for out in matching), result.output
    assert "1 problem in 1 file" in result.stdout
    assert "hunter2" not in result.output
    assert "Traceback" not in result.output
    again = cli("validate")  # now from the cached parser verdicts: the very same report
    assert (again.code, again.stdout) == (result.code, result.stdout)


def test_migration_file_names_must_be_numbered_and_unique(project, cli) -> None:  # type: ignore[no-untyped-def]
    folder = project.root / "database" / "migrations"
    (folder / "4_more_lots.sql").write_text("-- mrpplan:up\nSELECT 1;\n")
    (folder / "002_other.sql").write_text("-- mrpplan:up\nSELECT 1;\n")
    result = cli("validate")
    assert result.code == 1
    bad_name = "database/migrations/4_more_lots.sql: migration file name '4_more_lots.sql'"
    assert f"{bad_name} is not NNN_name.sql" in result.stdout
    assert "migration number 002 is also used by" in result.stdout
    assert "2 problems in 2 files" in result.stdout


def test_a_yml_file_is_not_silently_ignored(project, cli) -> None:  # type: ignore[no-untyped-def]
    (project.root / "environments" / "qa.yml").write_text("name: qa\n")
    result = cli("validate")
    assert result.code == 1
    assert "environments/qa.yml: environment files end in .yaml" in result.stdout


def test_json_lists_file_line_and_message(project, cli) -> None:  # type: ignore[no-untyped-def]
    replace(project.root / DEV, "drift: warn", "drift: maybe")
    result = cli("validate", "--json")
    assert result.code == 1
    problems = json.loads(result.stdout)
    assert problems == [
        {
            "file": DEV,
            "line": line_with(project.root / DEV, "drift: maybe"),
            "message": problems[0]["message"],
        }
    ]
    assert "drift" in problems[0]["message"]


def test_valid_mariadb_syntax_the_parser_lacks_is_accepted(project, cli) -> None:  # type: ignore[no-untyped-def]
    (project.root / "database" / "migrations" / "004_mariadb_features.sql").write_text(
        "-- mrpplan:up\n"
        "CREATE TABLE device_log (\n"
        "  id BIGINT NOT NULL AUTO_INCREMENT,\n"
        "  address INET6 NULL,\n"
        "  reading FLOAT UNSIGNED NULL,\n"
        "  logged_on DATE NOT NULL,\n"
        "  PRIMARY KEY (id, logged_on)\n"
        ") ENGINE=InnoDB PARTITION BY RANGE (YEAR(logged_on)) (\n"
        "  PARTITION p2024 VALUES LESS THAN (2025) ENGINE = InnoDB,\n"
        "  PARTITION pmax VALUES LESS THAN MAXVALUE ENGINE = InnoDB);\n"
        "DELIMITER $$\n"
        "CREATE TRIGGER trg_items_audit AFTER UPDATE ON items FOR EACH ROW\n"
        "BEGIN\n"
        "  INSERT INTO audit_log (table_name, record_id, action, changed_by)\n"
        "  VALUES ('items', NEW.id, 'update', CURRENT_USER());\n"
        "END$$\n"
        "CREATE PROCEDURE explode_bom(IN p_item VARCHAR(40), IN p_qty DECIMAL(18,4))\n"
        "BEGIN\n"
        "  DECLARE done INT DEFAULT 0;\n"
        "  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;\n"
        "  read_loop: LOOP\n"
        "    IF done THEN LEAVE read_loop; END IF;\n"
        "    SET done = 1;\n"
        "  END LOOP;\n"
        "END$$\n"
        "DELIMITER ;\n"
        "CREATE EVENT ev_purge ON SCHEDULE EVERY 1 DAY\n"
        "  DO DELETE FROM audit_log WHERE changed_at < NOW() - INTERVAL 1 YEAR;\n"
        "-- mrpplan:down\n"
        "DROP EVENT ev_purge;\n"
        "DROP PROCEDURE explode_bom;\n"
        "DROP TRIGGER trg_items_audit;\n"
        "DROP TABLE device_log;\n"
    )
    result = cli("validate")
    assert result.code == 0, result.output
    assert "OK: 4 environments, 9 SQL files, 4 migrations" in result.stdout


def test_the_example_project_is_valid(project, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate")
    assert result.code == 0, result.output
    assert result.stdout.strip() == (
        "OK: 4 environments, 8 SQL files, 3 migrations (SQL loaded on the sandbox)"
    )


def test_env_option_is_accepted(project, cli) -> None:  # type: ignore[no-untyped-def]
    # prod is a fresh database with no migration history: nothing applied, nothing edited
    result = cli("validate", "--env", "prod")
    assert result.code == 0, result.output
    assert "OK: 4 environments" in result.stdout


def test_usage_error_exits_64(project, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate", "--no-such-option")
    assert result.code == 64
    assert "No such option" in result.output
