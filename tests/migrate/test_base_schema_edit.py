"""An edited base schema file is reported like an edited migration, not as live drift."""

from __future__ import annotations

from typing import Any

EDITED = "database/schema/01_base_schema.sql was edited after it was applied"


def test_edited_base_schema_names_the_file_everywhere(project: Any, cli: Any) -> None:
    assert cli("migrate", "up", "dev", "--auto-approve").code == 0
    schema = project.root / "database" / "schema" / "01_base_schema.sql"
    schema.write_text(schema.read_text() + "\nCREATE TABLE late_addition (id INT PRIMARY KEY);\n")

    status = cli("migrate", "status", "dev")
    assert status.code == 1
    assert EDITED in status.output and "environment 'dev'" in status.output
    assert "base schema file " in status.output
    assert "000" in status.stdout and "edited" in status.stdout

    for args in (("drift", "dev"), ("plan", "dev"), ("migrate", "up", "dev", "--dry-run")):
        result = cli(*args)
        assert result.code == 1, (args, result.output)
        assert EDITED in result.stderr, (args, result.output)
        assert "new migration" in result.stderr  # how to proceed
        assert "drift" not in result.stderr.split(EDITED)[0]  # not blamed on the database

    schema.write_text(
        schema.read_text().replace("\nCREATE TABLE late_addition (id INT PRIMARY KEY);\n", "")
    )
    assert cli("migrate", "status", "dev").code == 0
