"""Big tables change online (DESIGN §3.8): pt-online-schema-change with foreign keys on
both sides, the plan that says so, the names and rows that stay, the refusal without it."""

from __future__ import annotations

import json
import shutil

import pytest
from online_support import BASE, WIDER, TinyProject, leftovers, needs_tool

from mrpplan.mysql.online_alter import TOOL, tool_path


def _built(tiny: TinyProject) -> None:
    result = tiny.cli("apply", "big", "--auto-approve")
    assert result.code == 0, result.output
    tiny.fill()


def _data(tiny: TinyProject) -> dict[str, object]:
    return {
        t: tiny.db.query(f"SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', {cols}))) FROM {t}")[0]
        for t, cols in (
            ("orders", "id, parent_id, qty, note"),
            ("order_lines", "id, order_id, amount"),
            ("parents", "id, name"),
        )
    }


@needs_tool
@pytest.mark.slow
def test_type_change_with_foreign_keys_in_and_out_runs_online(tiny: TinyProject) -> None:
    _built(tiny)
    before = _data(tiny)
    tiny.schema((tiny.root / "database/schema/01_base_schema.sql").read_text().replace(*WIDER))
    shown = tiny.cli("plan", "big", "--out", "plans/wide.json")
    assert shown.code == 0, shown.output
    assert f"online ({TOOL})" in shown.stdout
    assert "--alter-foreign-keys-method=none" in shown.stdout  # the method and why
    assert "order_lines references orders" in shown.stdout and "re-points" in shown.stdout
    step = next(
        s
        for s in json.loads((tiny.root / "plans/wide.json").read_text())["steps"]
        if s["object"] == "orders"
    )
    assert step["action"] == "online_alter" and step["lock"] == "none"
    assert step["online"]["foreign_keys"] == "none"
    assert step["online"]["children"] == ["order_lines"]
    assert step["sql"][0].endswith("ALGORITHM=COPY, LOCK=SHARED")  # what a plain ALTER needs

    result = tiny.cli("apply", "plans/wide.json", "--auto-approve")
    assert result.code == 0, result.output
    orders = tiny.db.query("SHOW CREATE TABLE orders")[0][1]
    lines = tiny.db.query("SHOW CREATE TABLE order_lines")[0][1]
    assert "`qty` bigint(20) NOT NULL DEFAULT 0" in str(orders)
    # the tool's `_` prefixes are given back: the schema is exactly the planned one
    assert "CONSTRAINT `fk_orders_parent` FOREIGN KEY" in str(orders)
    assert "CONSTRAINT `fk_lines_order` FOREIGN KEY (`order_id`) REFERENCES `orders`" in str(lines)
    assert _data(tiny) == before
    assert leftovers(tiny) == []
    trash = tiny.db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
        "AND table_name LIKE '\\_mrpplan\\_trash\\_%%orders'",
        (tiny.db.name,),
    )
    assert len(trash) == 1, "the old table is kept as the trash table"
    again = tiny.cli("plan", "big", "--detailed-exitcode")
    assert again.code == 0, again.output  # nothing left to change


@pytest.mark.parametrize("how", ["tool none", "tool missing"])
def test_blocking_alter_on_big_table_is_refused_without_the_tool(
    tiny: TinyProject, how: str
) -> None:
    _built(tiny)
    before = tiny.db.snapshot()
    env = {}
    if how == "tool none":
        tiny.write_env(tool="none")
    else:
        env = {"MRPPLAN_PT_OSC": str(tiny.root / "no-such-tool")}
    tiny.schema((tiny.root / "database/schema/01_base_schema.sql").read_text().replace(*WIDER))
    result = tiny.cli("plan", "big", env=env)
    assert result.code == 3, result.output
    assert "cannot run online" in result.stderr
    assert "LOCK=NONE" in result.stderr and "orders" in result.stderr
    why = "tool is none" if how == "tool none" else "not installed"
    assert why in result.stderr
    assert tiny.db.snapshot() == before


def test_small_table_keeps_a_plain_alter_that_names_its_lock(tiny: TinyProject) -> None:
    result = tiny.cli("apply", "big", "--auto-approve")
    assert result.code == 0, result.output
    tiny.schema((tiny.root / "database/schema/01_base_schema.sql").read_text().replace(*WIDER))
    shown = tiny.cli("plan", "big", "--out", "plans/small.json")
    assert shown.code == 0, shown.output
    assert "copy, LOCK=SHARED" in shown.stdout
    step = next(
        s
        for s in json.loads((tiny.root / "plans/small.json").read_text())["steps"]
        if s["object"] == "orders"
    )
    assert step["action"] == "alter_table" and step["lock"] == "shared"


@needs_tool
@pytest.mark.parametrize("auto_increment", [True, False])
def test_plan_says_writers_must_retry_deadlocks_on_an_auto_increment_table(
    tiny: TinyProject, auto_increment: bool
) -> None:
    """With innodb_autoinc_lock_mode 1 (the sandbox's, MariaDB's default) each chunk the
    tool copies holds the new table's AUTO-INC lock, which its triggers need: a write can
    deadlock, and the plan tells the application to retry (bench_online.py measures it)."""
    if not auto_increment:
        tiny.schema(BASE.replace("AUTO_INCREMENT PRIMARY KEY", "PRIMARY KEY", 1))
    _built(tiny)
    assert tiny.db.query("SELECT @@innodb_autoinc_lock_mode")[0][0] == 1
    tiny.schema((tiny.root / "database/schema/01_base_schema.sql").read_text().replace(*WIDER))
    shown = tiny.cli("plan", "big")
    assert shown.code == 0, shown.output
    assert f"online ({TOOL})" in shown.stdout
    said = "application writers to orders must retry deadlocks (error 1213)"
    if auto_increment:
        assert said in shown.output
        assert "innodb_autoinc_lock_mode=1" in shown.output
        assert "per 10,000 writes" in shown.output
        assert "innodb_autoinc_lock_mode=2 in the server's configuration" in shown.output
    else:
        assert said not in shown.output


def test_tool_is_found() -> None:
    """The CI machine installs percona-toolkit (Makefile `server`)."""
    if shutil.which(TOOL) is None and tool_path() is None:
        pytest.skip(f"{TOOL} is not installed (Debian package percona-toolkit)")
    assert tool_path()


@needs_tool
@pytest.mark.slow
def test_failure_after_an_online_step_undoes_it_online(tiny: TinyProject) -> None:
    """A finished online change has a reverse: the same tool runs the inverse ALTER."""
    _built(tiny)
    tiny.db.execute("UPDATE parents SET name = 'same' WHERE id IN (1, 2)")
    before = tiny.db.snapshot()
    text = (tiny.root / "database/schema/01_base_schema.sql").read_text().replace(*WIDER)
    text = text.replace(
        "name VARCHAR(40) NOT NULL\n", "name VARCHAR(40) NOT NULL,\n    UNIQUE KEY uq_name (name)\n"
    )
    tiny.schema(text)
    env_file = tiny.root / "environments" / "big.yaml"  # the rows fail it: no pre-flight
    env_file.write_text(env_file.read_text() + "  preflight: {enabled: false}\n")
    assert tiny.cli("plan", "big", "--out", "plans/undo.json").code == 0
    steps = json.loads((tiny.root / "plans/undo.json").read_text())["steps"]
    assert [s["object"] for s in steps[:2]] == ["orders", "parents"], steps
    result = tiny.cli("apply", "plans/undo.json", "--auto-approve")
    assert result.code == 1, result.output
    assert "Duplicate entry" in result.stderr and "back where it was" in result.stderr
    assert "inverse ALTER" in result.stderr
    assert tiny.db.snapshot() == before
    assert leftovers(tiny) == []
