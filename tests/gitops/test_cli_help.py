"""Every command explains itself: --help has an example, and --json where it lists things."""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
from dbtools import run_cli

from mrpplan.cli.main import cli


def commands(group: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(group, click.Group):
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            sub = group.get_command(ctx, name)
            assert sub is not None, name
            yield from commands(sub, (*path, name))


ALL = list(commands(cli))


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "mrpplan")
def test_help_has_an_example(path: tuple[str, ...]) -> None:
    done = run_cli(*path, "--help")
    assert done.code == 0, done.output
    found = re.search(r"Examples?:\n(.*)", done.stdout, re.S)
    assert found, f"no example in `mrpplan {' '.join(path)} --help`"
    assert "mrpplan " in found.group(1)


LISTINGS = [
    ("sandbox", "status"),
    ("seed", "list"),
    ("sync", "list-envs"),
    ("sync", "status"),
    ("migrate", "status"),
    ("seed", "status"),
    ("backup",),
    ("validate",),
    ("plan",),
    ("show",),
    ("drift",),
]


@pytest.mark.parametrize("path", LISTINGS, ids=" ".join)
def test_listing_and_status_commands_offer_json(path: tuple[str, ...]) -> None:
    done = run_cli(*path, "--help")
    assert "--json" in done.stdout


def test_usage_errors_exit_64_not_clicks_2() -> None:
    assert run_cli("plan").code == 64
    assert run_cli("no-such-command").code == 64
    assert run_cli("plan", "prod", "--no-such-flag").code == 64


def test_no_color_means_plain_text_even_when_colour_is_forced(project) -> None:  # type: ignore[no-untyped-def]
    forced = {"FORCE_COLOR": "1", "NO_COLOR": ""}
    coloured = run_cli("sync", "list-envs", env=forced)
    assert "\x1b[" in coloured.stdout  # the check below can fail
    assert "\x1b[" not in run_cli("--no-color", "sync", "list-envs", env=forced).stdout
    assert "\x1b[" not in run_cli("sync", "list-envs", env={**forced, "NO_COLOR": "1"}).stdout
