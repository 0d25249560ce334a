"""Hand-written migrations on big tables (DESIGN §3.8): the ALGORITHM a migration states
is the one the plan shows, a blocking ALTER of a big table is refused under the policy
unless the file says `-- mrpplan:allow-blocking`, and flagged when it does."""

from __future__ import annotations

from online_support import TinyProject

MIGRATION = """\
-- 001: one more column on orders.
{marker}
-- mrpplan:up
ALTER TABLE orders ADD COLUMN extra INT NULL, ALGORITHM=COPY;

-- mrpplan:down
ALTER TABLE orders DROP COLUMN extra;
"""


def _with_migration(tiny: TinyProject, marker: str = "") -> None:
    assert tiny.cli("apply", "big", "--auto-approve").code == 0
    tiny.fill()
    (tiny.root / "database/migrations/001_extra.sql").write_text(MIGRATION.format(marker=marker))


def test_blocking_migration_on_big_table_is_refused(tiny: TinyProject) -> None:
    _with_migration(tiny)
    before = tiny.db.snapshot()
    result = tiny.cli("plan", "big")
    assert result.code == 3, result.output
    assert "blocks writes on a big table" in result.stderr
    assert "ALGORITHM=COPY, LOCK=SHARED on orders" in result.stderr  # stated, not [instant]
    assert "mrpplan:allow-blocking" in result.stderr
    assert tiny.db.snapshot() == before


def test_allowed_blocking_migration_is_flagged_and_runs(tiny: TinyProject) -> None:
    _with_migration(tiny, marker="-- mrpplan:allow-blocking (maintenance window, ticket 42)")
    shown = tiny.cli("plan", "big", "--out", "plans/m.json")
    assert shown.code == 0, shown.output
    assert "BLOCKING on a big table" in shown.output
    assert "[copy, LOCK=SHARED]" in shown.stdout
    result = tiny.cli("apply", "plans/m.json", "--auto-approve")
    assert result.code == 0, result.output
    assert tiny.db.query("SHOW COLUMNS FROM orders LIKE 'extra'")


def test_small_table_migration_is_not_flagged(tiny: TinyProject) -> None:
    assert tiny.cli("apply", "big", "--auto-approve").code == 0
    (tiny.root / "database/migrations/001_extra.sql").write_text(MIGRATION.format(marker=""))
    shown = tiny.cli("plan", "big")
    assert shown.code == 0, shown.output
    assert "BLOCKING" not in shown.output
