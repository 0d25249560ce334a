"""The corpus's projects start from dev applied (the workspace cache is shared by every
project copy: see tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def built(project, cli):  # type: ignore[no-untyped-def]
    """The project with dev applied (schema 003 and its seeds), as a team's dev would be."""
    done = cli("apply", "dev", "--auto-approve")
    assert done.code == 0, done.output
    return project
