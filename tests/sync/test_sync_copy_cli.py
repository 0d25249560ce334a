"""`mrpplan sync clone/pull` between databases on the sandbox, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from sync_fixtures import CUSTOMERS, DATA_TABLES, checksums, fill_erp


def _names(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = db.query(
        "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
        (db.name,),
    )
    return {str(r[0]): str(r[1]) for r in rows}


def test_clone_copies_tables_views_triggers_routines_and_history(project, cli) -> None:  # type: ignore[no-untyped-def]
    prod, dev = project.databases["prod"], project.databases["dev"]
    fill_erp(prod)
    dev.execute(
        "CREATE TABLE leftover (id INT PRIMARY KEY)",
        "INSERT INTO leftover VALUES (1)",
    )
    result = cli("sync", "clone", "prod", "dev")
    assert result.code == 0, result.output
    assert checksums(dev, DATA_TABLES) == checksums(prod, DATA_TABLES)
    names = _names(dev)
    assert names["big_orders"] == "VIEW"
    assert "leftover" not in names  # the destination's schema now equals the source's
    assert dev.query("SELECT order_count()")[0][0] == 100
    assert [r[0] for r in dev.query("SHOW TRIGGERS")] == ["orders_audit"]
    # the source's recorded version comes along; the destination keeps its own journal
    assert [r[0] for r in dev.query("SELECT version FROM mrpplan_schema_history ORDER BY 1")] == [
        "001",
        "002",
    ]
    # the copy ran as a plan: journaled in the destination's own journal
    assert dev.query("SELECT COUNT(DISTINCT apply_id) FROM mrpplan_apply_journal")[0][0] == 1
    assert "swap_tables" in result.stdout and "_mrpplan_trash_" in result.stdout
    # the replaced/dropped tables are kept in the trash database, not dropped
    trash = dev.query("SHOW DATABASES LIKE %s", (f"\\_mrpplan\\_trash\\_%{dev.name}",))
    assert len(trash) == 1
    assert dev.query(f"SELECT id FROM `{trash[0][0]}`.leftover") == [(1,)]


def test_include_and_exclude_globs_from_cli_add_to_the_file(project, cli) -> None:  # type: ignore[no-untyped-def]
    prod, local = project.databases["prod"], project.databases["local"]
    fill_erp(prod)
    # local.yaml says exclude [audit_log]; the command line adds to it (audit_log stays out)
    result = cli("sync", "pull", "prod", "--include", "cust*,orders", "--exclude", "orders")
    assert result.code == 0, result.output
    names = _names(local)
    assert "customers" in names
    assert "orders" not in names and "suppliers" not in names and "audit_log" not in names
    assert "mrpplan_schema_history" not in names  # a partial copy leaves history alone

    result = cli("sync", "pull", "prod", "--to", "local")
    assert result.code == 0, result.output
    names = _names(local)
    assert "orders" in names and "suppliers" in names
    # the file's exclude applies again: audit_log keeps its schema, loses only its data copy
    assert names["audit_log"] == "BASE TABLE"
    assert local.query("SELECT COUNT(*) FROM audit_log")[0][0] == 0


def test_unknown_include_pattern_is_a_usage_error(project, cli) -> None:  # type: ignore[no-untyped-def]
    fill_erp(project.databases["prod"])
    result = cli("sync", "clone", "prod", "dev", "--include", "custmers")
    assert result.code == 64, result.output
    assert "custmers" in result.stderr
    assert _names(project.databases["dev"]) == {}


def test_schema_only_creates_empty_tables(project, cli) -> None:  # type: ignore[no-untyped-def]
    prod, dev = project.databases["prod"], project.databases["dev"]
    fill_erp(prod)
    result = cli("sync", "clone", "prod", "dev", "--schema-only")
    assert result.code == 0, result.output
    assert set(DATA_TABLES) <= set(_names(dev))
    assert all(dev.query(f"SELECT COUNT(*) FROM {t}")[0][0] == 0 for t in DATA_TABLES)
    assert dev.query("SELECT COUNT(*) FROM mrpplan_schema_history")[0][0] == 2


def test_dry_run_lists_estimates_and_changes_nothing(project, cli) -> None:  # type: ignore[no-untyped-def]
    prod, dev = project.databases["prod"], project.databases["dev"]
    fill_erp(prod)
    prod.execute("ANALYZE TABLE customers, orders")
    result = cli("sync", "clone", "prod", "dev", "--dry-run", "--json")
    assert result.code == 0, result.output
    plan = json.loads(result.stdout)
    by_name = {t["name"]: t for t in plan["tables"]}
    assert set(by_name) == {"customers", "orders", "audit_log", "suppliers", "big_orders"}
    assert by_name["orders"]["estimated_rows"] == 100
    assert by_name["customers"]["estimated_bytes"] > 0
    assert _names(dev) == {}
    text = cli("sync", "clone", "prod", "dev", "--dry-run")
    assert "Dry run: nothing was changed." in text.stdout and "customers" in text.stdout


def test_protected_destination_is_refused_without_approval(project, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MRPPLAN_PLAN_KEY", "test-plan-key")
    prod, dev = project.databases["prod"], project.databases["dev"]
    fill_erp(dev)
    prod.execute("CREATE TABLE keep (id INT PRIMARY KEY)", "INSERT INTO keep VALUES (7)")
    result = cli("sync", "clone", "dev", "prod")
    assert result.code == 3, result.output
    assert "protected" in result.stderr
    assert _names(prod) == {"keep": "BASE TABLE"}

    # one approval rule: --auto-approve does not write a protected environment without a
    # terminal; a saved, reviewed plan applied with `apply FILE --auto-approve` does
    result = cli("sync", "clone", "dev", "prod", "--auto-approve")
    assert result.code == 3, result.output
    assert _names(prod) == {"keep": "BASE TABLE"}
    plan = project.root / "clone.json"
    result = cli("sync", "clone", "dev", "prod", "--out", str(plan))
    assert result.code == 0, result.output
    assert _names(prod) == {"keep": "BASE TABLE"}
    result = cli("apply", str(plan), "--auto-approve")
    assert result.code == 0, result.output
    assert checksums(prod, DATA_TABLES) == checksums(dev, DATA_TABLES)


def test_reading_from_a_protected_source_needs_no_approval(project, cli) -> None:  # type: ignore[no-untyped-def]
    fill_erp(project.databases["prod"])
    result = cli("sync", "pull", "prod", "--to", "dev")
    assert result.code == 0, result.output


def test_failed_swap_leaves_the_destination_as_it_was(project, cli) -> None:  # type: ignore[no-untyped-def]
    prod, dev = project.databases["prod"], project.databases["dev"]
    fill_erp(prod)
    # a kept table of dev holds a foreign-key name that the incoming orders table also uses:
    # the one RENAME TABLE fails as a whole, after the load, and nothing is swapped in
    name = prod.query(
        "SELECT constraint_name FROM information_schema.referential_constraints"
        " WHERE constraint_schema = %s AND table_name = 'orders'",
        (prod.name,),
    )[0][0]
    dev.execute(
        "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(10))",
        "INSERT INTO customers VALUES (1, 'mine'), (2, 'ours')",
        "CREATE TABLE notes (id INT PRIMARY KEY, customer_id INT,"
        f" CONSTRAINT `{name}` FOREIGN KEY (customer_id) REFERENCES customers (id))",
    )
    before = checksums(dev, ["customers"])
    result = cli("sync", "clone", "prod", "dev", "--include", "customers,orders")
    assert result.code == 1, result.output
    assert "Undone" in result.stderr and "swap_tables" in result.stderr
    assert checksums(dev, ["customers"]) == before
    assert dev.query("SELECT name FROM customers ORDER BY id") == [("mine",), ("ours",)]
    assert set(_names(dev)) == {"customers", "notes", "mrpplan_apply_journal"}
    assert not dev.query("SHOW DATABASES LIKE %s", (f"\\_mrpplan\\_load\\_%{dev.name}",))


def test_same_database_is_a_usage_error(project, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("sync", "clone", "dev", "dev")
    assert result.code == 64 and "same database" in result.stderr


def test_pull_defaults_to_the_sync_source(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev, local = project.databases["dev"], project.databases["local"]
    fill_erp(dev)
    result = cli("sync", "pull")  # local.yaml: sync.source = dev
    assert result.code == 0, result.output
    assert local.query("SELECT COUNT(*) FROM customers")[0][0] == CUSTOMERS


def test_schema_only_from_the_file_and_with_data_override(project, cli) -> None:  # type: ignore[no-untyped-def]
    prod, dev = project.databases["prod"], project.databases["dev"]
    fill_erp(prod)
    path = project.root / "environments" / "dev.yaml"
    path.write_text(path.read_text() + "sync:\n  source: prod\n  schema_only: true\n")
    assert cli("sync", "pull", "--to", "dev").code == 0
    assert dev.query("SELECT COUNT(*) FROM orders")[0][0] == 0
    assert cli("sync", "pull", "--to", "dev", "--with-data").code == 0
    assert dev.query("SELECT COUNT(*) FROM orders")[0][0] == 100


def test_whole_clone_drops_extra_routines_and_a_history_the_source_lacks(project, cli) -> None:  # type: ignore[no-untyped-def]
    dev, staging = project.databases["dev"], project.databases["staging"]
    staging.execute("CREATE TABLE parts (id INT PRIMARY KEY)", "INSERT INTO parts VALUES (1)")
    dev.execute(
        "CREATE FUNCTION extra_fn() RETURNS INT DETERMINISTIC RETURN 1",
        "CREATE TABLE mrpplan_schema_history (version VARCHAR(32) PRIMARY KEY,"
        " checksum CHAR(64), success TINYINT(1) DEFAULT 1)",
        "INSERT INTO mrpplan_schema_history (version, checksum) VALUES ('003', 'x')",
    )
    result = cli("sync", "clone", "staging", "dev")
    assert result.code == 0, result.output
    assert "function extra_fn" in result.stdout
    assert _names(dev) == {
        "parts": "BASE TABLE",
        "mrpplan_apply_journal": "BASE TABLE",
        "_mrpplan_sync_state": "BASE TABLE",  # what was copied when (not a user table)
    }
    assert not dev.query("SHOW FUNCTION STATUS WHERE Db = DATABASE()")


def test_same_server_under_another_name_is_refused(project, cli) -> None:  # type: ignore[no-untyped-def]
    from sync_fixtures import env_yaml, write_env

    dev = project.databases["dev"]
    fill_erp(dev)
    option_file = project.env["DEV_DB_OPTION_FILE"]
    text = env_yaml("alias", dev.name, Path(option_file)).replace(
        "connection:\n", "connection:\n  host: localhost\n"
    )
    write_env(project.root, "alias", text)
    result = cli("sync", "clone", "alias", "dev")
    assert result.code == 64, result.output
    assert "same database" in result.stderr
    assert dev.query("SELECT COUNT(*) FROM customers")[0][0] == CUSTOMERS


def test_failed_copy_into_a_new_database_leaves_it_empty(project, cli, server) -> None:  # type: ignore[no-untyped-def]
    import secrets

    from sync_fixtures import env_yaml, write_env

    prod = project.databases["prod"]
    fill_erp(prod)
    name = f"fresh_{secrets.token_hex(4)}"
    write_env(project.root, "fresh", env_yaml("fresh", name, server.option_file))
    # the source disappears between plan and load: the load fails in the scratch database
    plan = project.root / "fresh.json"
    try:
        assert cli("sync", "clone", "prod", "fresh", "--out", str(plan)).code == 0
        prod.execute("DROP TABLE orders")
        result = cli("apply", str(plan), "--auto-approve")
        assert result.code != 0, result.output
        assert not prod.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
            " AND table_name <> 'mrpplan_apply_journal'",
            (name,),
        )
        assert not prod.query("SHOW DATABASES LIKE %s", (f"\\_mrpplan\\_load\\_%{name}",))
    finally:
        prod.execute(f"DROP DATABASE IF EXISTS `{name}`")
