"""ERP invariants (issue 25): `mrpplan check ENV` runs `database/invariants/*.sql`, and an
apply that breaks a rule that held undoes itself, leaving the database as it was."""

from __future__ import annotations

import json
from pathlib import Path

from dbtools import Database, run_cli
from fleet_support import write_fleet_env

UNIQUE_NAMES = """-- invariant: currency names are unique
SELECT name, COUNT(*) AS currencies
FROM currencies
GROUP BY name
HAVING COUNT(*) > 1
"""

BREAKS_IT = """-- 004: a numeric code, and a second 'Dollar'

-- mrpplan:up

ALTER TABLE currencies ADD COLUMN iso_numeric SMALLINT UNSIGNED NULL;
INSERT INTO currencies (currency_code, name) VALUES ('CAD', 'Dollar');

-- mrpplan:down

DELETE FROM currencies WHERE currency_code = 'CAD';
ALTER TABLE currencies DROP COLUMN iso_numeric;
"""


def _one_database(make_fleet, root: Path) -> Database:
    """One database at the latest version, environment `single` (not a fleet)."""
    db = make_fleet(1).databases[0]
    write_fleet_env(root, "single", [(db.server, db.name)])
    built = run_cli("apply", "single", "--auto-approve")
    assert built.code == 0, built.output
    return db


def test_check_names_the_broken_invariant_with_sample_rows(make_fleet, project) -> None:
    root: Path = project.root
    db = _one_database(make_fleet, root)
    shipped = sorted(p.stem for p in (root / "database" / "invariants").glob("*.sql"))
    assert len(shipped) >= 3

    held = run_cli("check", "single")
    assert held.code == 0, held.output
    assert f"{len(shipped)} of {len(shipped)} invariant(s) hold" in held.stdout

    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET foreign_key_checks = 0")  # a load that skipped the keys
            cur.execute(
                "INSERT INTO sales_order_lines (id, sales_order_id, line_no, item_id, quantity, "
                "unit_price, due_date) VALUES (41, 1, 1, 999, 2, 10, '2026-01-01')"
            )
        conn.commit()
    finally:
        conn.close()

    broken = run_cli("check", "single")
    assert broken.code == 1, broken.output
    assert (
        "BROKEN  invariant order_lines_have_items (no sales order line points to a missing "
        "item): 1 row(s) break it; e.g. id=41, sales_order_id=1, item_id=999"
    ) in broken.stdout
    as_json = run_cli("check", "single", "--json")
    assert as_json.code == 1
    result = {r["invariant"]: r for r in json.loads(as_json.stdout)}
    assert result["order_lines_have_items"]["rows"] == 1
    assert result["order_lines_have_items"]["samples"] == [["41", "1", "999"]]
    assert all(r["holds"] for name, r in result.items() if name != "order_lines_have_items")


def test_a_migration_that_breaks_an_invariant_is_undone(make_fleet, project) -> None:
    root: Path = project.root
    db = _one_database(make_fleet, root)
    (root / "database" / "invariants" / "currency_names.sql").write_text(UNIQUE_NAMES)
    db.execute("INSERT INTO currencies (currency_code, name) VALUES ('USD', 'Dollar')")
    before = db.snapshot()
    (root / "database" / "migrations" / "004_numeric_code.sql").write_text(BREAKS_IT)

    applied = run_cli("apply", "single", "--auto-approve")

    assert applied.code == 1, applied.output
    assert (
        "invariant currency_names (currency names are unique): 1 row(s) break it; "
        "e.g. name=Dollar, currencies=2"
    ) in applied.stderr
    assert "back where it was" in applied.stderr
    assert db.snapshot() == before  # the column and the row are gone again
