"""Issue 12: random edits of a real plan file, re-sealed without a key (the plain sha256
recomputed exactly as planfile.digest_of does), on an unprotected environment that takes
unkeyed plans. Every edit that would change what happens is refused with exit 3 and leaves
the database byte for byte as it was; an edit that is accepted must do exactly what the
real plan does (the database is then put back for the next example)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from forgery_support import Saved, add_migration, load, picture, reseal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_test_support import snapshot, without_sync

INJECTED = ("DELETE FROM currencies", "DROP TABLE currencies", "UPDATE items SET item_id = 0")
NEW_SEED_ROW = (
    "\nINSERT INTO currencies (currency_code, name, symbol, decimal_places, is_active)"
    " VALUES ('CHF', 'Swiss Franc', 'Fr', 2, TRUE)"
    " ON DUPLICATE KEY UPDATE name = VALUES(name);\n"
)


def behaviour(db: Any) -> Any:
    """What a user sees after an apply: schema, every row (its time columns left out: two
    applies run at different times), and both histories (versions and checksums)."""
    schema, _checksums, history = snapshot(db)
    rows = {}
    for table in schema:
        columns = [
            str(r[0])
            for r in db.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                "DATABASE() AND table_name = %s AND data_type NOT IN ('timestamp', 'datetime') "
                "ORDER BY ordinal_position",
                (table,),
            )
        ]
        listed = ", ".join(f"`{c}`" for c in columns)
        rows[table] = sorted(map(repr, db.query(f"SELECT {listed} FROM `{table}`")))
    seeds = db.query("SELECT seed, checksum FROM mrpplan_seed_history ORDER BY 1")
    return schema, rows, history, seeds


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the document an attacker could edit (the seal fields are recomputed)."""
    found = [at] if at else []
    if isinstance(node, dict):
        for key, value in node.items():
            if at == () and key in ("digest", "seal"):
                continue
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*at, index))
    return found


def _edited(value: Any, draw: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + draw(st.sampled_from([1, -1, 1000]))
    if isinstance(value, str):
        return draw(
            st.sampled_from([value + " ", "", value[:-1], value.upper(), *INJECTED, "x" + value])
        )
    if value is None:
        return draw(st.sampled_from(["DO 0", [], 0]))
    if isinstance(value, list):
        choice = draw(st.sampled_from(["drop", "double", "inject", "reverse", "empty"]))
        if choice == "drop" and value:
            index = draw(st.integers(0, len(value) - 1))
            return value[:index] + value[index + 1 :]
        if choice == "double" and value:
            return [*value, value[-1]]
        if choice == "inject":
            position = draw(st.integers(0, len(value)))
            return [*value[:position], draw(st.sampled_from(INJECTED)), *value[position:]]
        if choice == "reverse" and len(value) > 1 and value != value[::-1]:
            return value[::-1]
        return []
    if isinstance(value, dict):
        if value:
            key = draw(st.sampled_from(sorted(value)))
            return {k: v for k, v in value.items() if k != key}
        return {"extra": 1}
    raise AssertionError(type(value))


def _mutate(document: dict[str, Any], draw: Any) -> tuple[dict[str, Any], str]:
    forged = copy.deepcopy(document)
    step_paths = [p for p in _paths(forged) if p[:1] == ("steps",)]
    pool = step_paths if draw(st.booleans()) else _paths(forged)
    path = draw(st.sampled_from(pool))
    parent = forged
    for part in path[:-1]:
        parent = parent[part]
    old = parent[path[-1]]
    new = _edited(old, draw)
    if new == old:
        new = [old] if not isinstance(old, list) else [*old, "DO 0"]
    parent[path[-1]] = new
    return forged, f"{'/'.join(map(str, path))}: {old!r} -> {new!r}"


@pytest.mark.slow
def test_every_edit_that_changes_behaviour_is_refused(project, cli, database_factory) -> None:
    without_sync(project.root, "dev")
    assert cli("apply", "dev", "--auto-approve").code == 0
    add_migration(project.root)
    seeds = project.root / "database" / "seeds" / "00_reference_data.sql"
    seeds.write_text(seeds.read_text() + NEW_SEED_ROW)
    made = cli("plan", "dev", "--out", "plans/real.json")
    assert made.code == 0, made.output
    real = load(project.root / "plans" / "real.json")
    assert {s["action"] for s in real["steps"]} >= {"checkpoint", "migrate_up", "seed"}
    db = project.databases["dev"]
    saved = Saved(db, database_factory("copy"))
    before = picture(db)
    genuine = cli("apply", "plans/real.json", "--auto-approve")
    assert genuine.code == 0, genuine.output
    expected = behaviour(db)
    saved.put_back()
    assert picture(db) == before
    forged_path: Path = project.root / "plans" / "forged.json"
    seen = {"refused": 0, "accepted": 0}

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def edit_and_apply(data: Any) -> None:
        forged, what = _mutate(real, data.draw)
        reseal(forged_path, forged)
        result = cli("apply", "plans/forged.json", "--auto-approve")
        if result.code == 0:  # accepted: it must do exactly what the real plan does
            seen["accepted"] += 1
            try:
                assert behaviour(db) == expected, f"{what} was applied and did something else"
            finally:
                saved.put_back()
            return
        seen["refused"] += 1
        assert result.code == 3, f"{what}: exit {result.code}\n{result.output}"
        assert "Traceback" not in result.output, what
        assert picture(db) == before, f"{what} was refused but changed the database"

    edit_and_apply()
    assert seen["refused"] > 0
