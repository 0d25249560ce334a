"""Each kind of pre-flight check finds exactly the rows a migration's change cannot take
(issue 25): NULLs for NOT NULL, orphans for a FOREIGN KEY, CHECK violations, and values a
narrower type, scale, ENUM list or character set would cut; a check over its time budget
is "not checked", never passed."""

from __future__ import annotations

import json
from pathlib import Path

from dbtools import Database, run_cli
from fleet_support import write_fleet_env

TABLE = """-- 004: a table for pre-flight tests

-- mrpplan:up

CREATE TABLE pf_parts (
    id INT NOT NULL,
    code VARCHAR(40) NULL,
    qty INT NULL,
    status ENUM('new','old','gone') NOT NULL DEFAULT 'new',
    price DECIMAL(10,4) NULL,
    supplier_id INT UNSIGNED NULL,
    label VARCHAR(200) CHARACTER SET utf8mb4 NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB;

-- mrpplan:down

DROP TABLE pf_parts;
"""

RISKY = """-- 005: changes the rows may not take

-- mrpplan:up

ALTER TABLE pf_parts MODIFY code VARCHAR(5) NOT NULL;
ALTER TABLE pf_parts ADD CONSTRAINT fk_pf_supplier FOREIGN KEY (supplier_id)
    REFERENCES suppliers (id);
ALTER TABLE pf_parts ADD CONSTRAINT chk_pf_qty CHECK (qty >= 0);
ALTER TABLE pf_parts MODIFY status ENUM('new','old') NOT NULL DEFAULT 'new';
ALTER TABLE pf_parts MODIFY price DECIMAL(10,2) NULL;
ALTER TABLE pf_parts MODIFY label VARCHAR(200) CHARACTER SET latin1 NULL;
"""

UNIQUE_CODE = """-- 005: one code per part

-- mrpplan:up

ALTER TABLE pf_parts ADD UNIQUE KEY uq_pf_code (code);
"""


def _one_database(make_fleet, root: Path) -> Database:
    """A database at migration 004 (pf_parts, empty), environment `one`."""
    db = make_fleet(1).databases[0]
    write_fleet_env(root, "one", [(db.server, "")], databases=[db.name])
    (root / "database" / "migrations" / "004_pf_parts.sql").write_text(TABLE)
    built = run_cli("apply", "one", "--auto-approve")
    assert built.code == 0, built.output
    return db


def _findings(plan_file: Path) -> list[dict]:
    document = json.loads(plan_file.read_text())
    return [f for section in document["sections"] for f in section.get("preflight", [])]


def test_null_orphan_check_and_narrowing_found_with_exact_counts(make_fleet, project) -> None:
    root: Path = project.root
    db = _one_database(make_fleet, root)
    db.execute("INSERT INTO currencies (currency_code, name) VALUES ('USD', 'Dollar')")
    db.execute("INSERT INTO suppliers (id, supplier_code, name) VALUES (1, 'S1', 'Acme')")
    db.execute(
        "INSERT INTO pf_parts (id, code, qty, status, price, supplier_id, label) VALUES "
        "(1, 'ABCDEFG', 1, 'new', 1.00, 9001, 'plain'),"
        "(2, NULL, 1, 'new', 1.00, 9002, 'plain'),"
        "(3, 'ABCDEFGH', -1, 'old', 1.00, 9001, 'plain'),"
        "(4, 'A', -5, 'new', 1.00, 1, 'plain'),"
        "(5, NULL, NULL, 'new', NULL, NULL, NULL),"
        "(6, 'B', 0, 'gone', 1.00, 1, 'café'),"  # latin1 has é: it converts
        "(7, NULL, 3, 'new', 1.00, NULL, 'plain'),"
        "(8, 'C', 3, 'new', 1.2345, NULL, 'plain'),"
        "(9, 'D', 3, 'new', 2.005, NULL, 'plain'),"
        "(10, 'E', 3, 'new', 3.5, NULL, 'rocket \U0001f680')"
    )
    before = db.snapshot()
    (root / "database" / "migrations" / "005_risky.sql").write_text(RISKY)
    plan_file = root / "plans" / "risky.json"

    planned = run_cli("plan", "one", "--out", str(plan_file))

    assert planned.code == 3, planned.output
    found = {
        (f["check"], f["columns"][0] if f["columns"] else "-"): f for f in _findings(plan_file)
    }
    counts = {key: f["offenders"] for key, f in found.items()}
    assert counts == {
        ("not_null", "code"): 3,
        ("narrowing", "code"): 2,
        ("foreign_key", "supplier_id"): 3,
        ("check", "-"): 2,
        ("narrowing", "status"): 1,
        ("narrowing", "price"): 2,
        ("narrowing", "label"): 1,
    }
    assert found[("not_null", "code")]["samples"] == [{"values": [v]} for v in ("2", "5", "7")]
    assert found[("foreign_key", "supplier_id")]["samples"] == [
        {"values": ["9001"]},
        {"values": ["9001"]},
        {"values": ["9002"]},
    ]
    assert found[("narrowing", "label")]["samples"] == [{"values": ["10"]}]
    out = planned.output
    assert "3 rows of pf_parts hold NULL in code (e.g. id = '2', '5', '7')" in out
    assert "3 rows of pf_parts point to no suppliers (id)" in out
    assert "2 rows of pf_parts violate CHECK" in out
    assert "1 row of pf_parts.status do not fit enum('new','old')" in out
    assert "2 rows of pf_parts.price do not fit decimal(10,2)" in out
    assert db.snapshot() == before  # plan only read


def test_over_budget_is_not_checked_never_passed(make_fleet, project) -> None:
    root: Path = project.root
    db = _one_database(make_fleet, root)
    db.execute("INSERT INTO pf_parts (id, code) SELECT seq, CONCAT('c', seq) FROM seq_1_to_300000")
    env_file = root / "environments" / "one.yaml"
    env_file.write_text(
        env_file.read_text().replace(
            "checkpoint: auto}", "checkpoint: auto, preflight: {max_seconds: 0.001}}"
        )
    )
    (root / "database" / "migrations" / "005_unique_code.sql").write_text(UNIQUE_CODE)
    plan_file = root / "plans" / "budget.json"

    planned = run_cli("plan", "one", "--out", str(plan_file))

    assert planned.code == 0, planned.output  # nothing failed; nothing passed either
    [finding] = _findings(plan_file)
    assert finding["status"] == "not checked"
    assert finding["offenders"] is None
    assert "not checked (unique pf_parts.code): it did not finish within 0.001 s" in planned.stdout
