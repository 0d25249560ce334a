"""`sync:` makes `mrpplan plan local` include the shadow steps of a copy (load into a scratch
database, mask there, one RENAME swap) that apply like any plan."""

from __future__ import annotations

import json


def _rows(db, sql: str) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    return db.query(sql)


def test_plan_local_includes_masked_sync_steps_and_converges(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev, local = project.databases["dev"], project.databases["local"]
    done = cli("apply", "dev", "--auto-approve")
    assert done.code == 0, done.output
    dev.execute(
        "INSERT INTO customers (customer_code, name, contact_name, email, phone)"
        " VALUES ('C-9001', 'Acme Real', 'Jane Real', 'jane@acme.example', '+1 212 555 0199'),"
        " ('C-9002', 'Beta Real', NULL, 'bob@beta.example', NULL)"
    )
    plan_file = project.root / "plans" / "local.json"
    result = cli("plan", "local", "--out", str(plan_file), "--json")
    assert result.code == 0, result.output
    plan = json.loads(plan_file.read_text())
    [load] = [s for s in plan["steps"] if s["action"] == "shadow_load"]
    [swap] = [s for s in plan["steps"] if s["action"] == "swap_tables"]
    marker = json.loads(load["sql"][0].removeprefix("-- mrpplan:load "))
    assert "customers" in marker["tables"]
    assert "audit_log" not in marker["tables"]  # local.yaml excludes it
    assert any(s.startswith("UPDATE `customers`") for s in load["sql"])  # on the copy
    assert "customers" in swap["object"]
    assert any(s.startswith("RENAME TABLE ") for s in swap["sql"])
    assert swap["reverse_sql"]  # rollback is a rename

    applied = cli("apply", str(plan_file), "--auto-approve")
    assert applied.code == 0, applied.output
    emails = {r[0] for r in local.query("SELECT email FROM customers WHERE email IS NOT NULL")}
    assert "jane@acme.example" not in emails and "bob@beta.example" not in emails
    assert all(e.endswith("@example.invalid") for e in emails)
    names = [r[0] for r in local.query("SELECT name FROM customers ORDER BY customer_code")]
    assert names == [r[0] for r in dev.query("SELECT name FROM customers ORDER BY customer_code")]

    # nothing changed on either side: the next plan has no sync steps
    again = cli("plan", "local", "--json", "--out", str(project.root / "plans" / "again.json"))
    assert again.code == 0, again.output
    steps = json.loads((project.root / "plans" / "again.json").read_text())["steps"]
    assert [s for s in steps if s["action"] in ("shadow_load", "swap_tables")] == []
