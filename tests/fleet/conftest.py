"""Fleet fixtures: tenant databases on the sandbox, a `tenants` environment over them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fleet_support import Tenants, make_tenants, new_prefix, write_fleet_env

from mrpplan import sandbox

MakeFleet = Callable[..., Tenants]


@pytest.fixture
def make_fleet(project: object, server: sandbox.SandboxInfo) -> Iterator[MakeFleet]:
    """`make_fleet(count, **env_options)`: `count` empty tenant databases and the
    `tenants` environment naming them by a LIKE pattern; all dropped afterwards."""
    made: list[Tenants] = []
    root: Path = project.root  # type: ignore[attr-defined]

    def make(count: int, **options: object) -> Tenants:
        prefix = new_prefix()
        tenants = Tenants(prefix, make_tenants(server, prefix, count))
        made.append(tenants)
        write_fleet_env(root, "tenants", [(server, f"{prefix}%")], **options)  # type: ignore[arg-type]
        return tenants

    try:
        yield make
    finally:
        for tenants in made:
            tenants.drop()
