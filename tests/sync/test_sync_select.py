"""Table selection: globs, CLI over file, mrpplan's own tables never picked."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mrpplan.config.settings import ConnectionSettings, Environment, SyncSettings
from mrpplan.errors import UsageError
from mrpplan.sync.catalog import TableStat
from mrpplan.sync.select import Selection, selection_for

names = st.from_regex(r"[a-z_]{1,12}", fullmatch=True)
patterns = st.lists(
    st.sampled_from(["*", "a*", "*_log", "cust?mers", "[ab]*", "orders"]), max_size=3
)


@settings(max_examples=40, deadline=None)
@given(tables=st.lists(names, unique=True, max_size=12), include=patterns, exclude=patterns)
def test_own_tables_are_never_picked_and_excludes_win(tables, include, exclude) -> None:  # type: ignore[no-untyped-def]
    own = ["mrpplan_schema_history", "mrpplan_apply_journal", "_mrpplan_trash_x"]
    stats = [TableStat(n, "table", 0, 0) for n in [*tables, *own]]
    selection = Selection(tuple(include), ())
    try:
        picked = {t.name for t in selection.apply(stats)}
    except UsageError:
        return  # an include pattern matched nothing: refused, nothing picked
    assert not picked & set(own)
    assert all(Selection(tuple(include), tuple(exclude)).picks(n) <= (n in picked) for n in tables)
    if not include:
        assert picked == set(tables)


def test_cli_lists_add_to_the_files_lists() -> None:
    env = Environment(
        "local",
        Path("local.yaml"),
        ConnectionSettings("db"),
        sync=SyncSettings("dev", include=("cust*",), exclude=("audit_log",)),
    )
    assert selection_for(env) == Selection(("cust*",), ("audit_log",))
    assert selection_for(env, exclude=["tmp_*"]) == Selection(("cust*",), ("audit_log", "tmp_*"))
    assert selection_for(env, include=["orders"]) == Selection(("cust*", "orders"), ("audit_log",))
    assert selection_for(env, exclude=["audit_log"]) == Selection(("cust*",), ("audit_log",))


def test_unmatched_include_is_refused() -> None:
    with pytest.raises(UsageError, match="matches no table"):
        Selection(("nope*",)).apply([TableStat("orders", "table", 0, 0)])
