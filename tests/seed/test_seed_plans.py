"""Seeds through plans: the environment's `seeds:` list drives `seed` steps, applied by the
executor in one transaction each; unchanged seeds make no step, a changed file is re-applied."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_seeds_list_drives_plan_steps(project: Any, cli: Any) -> None:
    db = project.databases["dev"]  # seeds: [reference, test]
    first = cli("apply", "dev", "--auto-approve")
    assert first.code == 0, first.output
    counted = db.query("SELECT COUNT(*) FROM items")
    assert counted[0][0] > 0, "test seed loaded items"
    status = cli("seed", "status", "dev", "--json")
    assert status.stdout.count('"state": "applied"') == 2, status.stdout

    unchanged = cli("plan", "dev", "--detailed-exitcode")
    assert unchanged.code == 0, unchanged.output

    seed = Path(project.root) / "database/seeds/00_reference_data.sql"
    seed.write_text(
        seed.read_text()
        + "\nINSERT INTO currencies (currency_code, name, symbol, decimal_places, is_active)"
        " VALUES ('CHF', 'Swiss Franc', 'Fr', 2, TRUE)"
        " ON DUPLICATE KEY UPDATE name = VALUES(name);\n"
    )
    changed = cli("plan", "dev", "--detailed-exitcode")
    assert changed.code == 2, changed.output
    assert "00_reference_data" in changed.stdout and "changed" in changed.stdout
    assert "01_test_data" not in changed.stdout.split("will run these steps")[-1]
    again = cli("apply", "dev", "--auto-approve")
    assert again.code == 0, again.output
    assert db.query("SELECT name FROM currencies WHERE currency_code = 'CHF'") == [("Swiss Franc",)]
    assert db.query("SELECT COUNT(*) FROM items") == counted
