"""The node an apply ran through is killed mid-apply: `recover` runs through another node
and the database is exactly as before the apply, on every node that is left."""

from __future__ import annotations

from pathlib import Path

import pytest
from dbtools import REPO
from galera_support import GaleraProject, wait_for
from test_galera_apply import _base, _journal_started, _paused_apply

from mrpplan import sandbox_galera


@pytest.mark.slow
def test_node_killed_mid_apply_recover_through_another_node(
    gproject: GaleraProject, tmp_path: Path
) -> None:
    _base(gproject)
    before = gproject.on(2).snapshot()
    resume = tmp_path / "resume"
    apply, _ = _paused_apply(gproject, "g1", resume)
    try:
        wait_for(lambda: _journal_started(gproject, 2), timeout=120)
        sandbox_galera.stop_node(sandbox_galera.default_dir(REPO), 1, kill=True)
    finally:
        resume.touch()
        out, err = apply.communicate(timeout=300)
    assert apply.returncode != 0, out + err
    assert gproject.on(2).snapshot() != before  # its first step ran and replicated
    # the apply node is gone: plan through node 2 refuses (the cluster lost a member) ...
    refused = gproject.cli("plan", "g2")
    assert refused.code == 3, refused.output
    # ... and recover through node 2 rolls the apply back
    recovered = gproject.cli("recover", "g2")
    assert recovered.code == 0, recovered.output
    assert gproject.on(2).snapshot() == before
    assert gproject.on(3).snapshot() == before
    assert gproject.on(3).query("SELECT name, qty FROM items ORDER BY id") == [
        ("bolt", 3),
        ("nut", 5),
    ]
