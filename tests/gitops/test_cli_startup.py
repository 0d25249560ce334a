"""Startup: each command loads only what it uses, and `mrpplan --help` still lists them all."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
from dbtools import run_cli

from mrpplan.cli.main import COMMANDS, cli

HEAVY = ("pymysql", "sqlglot", "rich.table", "rich.console", "jsonschema", "yaml")
MODULES = sorted({module for module, _ in COMMANDS.values()})


def loaded_after(code: str) -> set[str]:
    """The heavy modules in sys.modules after running `code` in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint('LOADED:', *[m for m in {HEAVY!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.rsplit("LOADED:", 1)[1].split())


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert loaded_after("import mrpplan.cli.main") == set()


def test_help_loads_no_heavy_library() -> None:
    code = (
        "import sys\nfrom mrpplan.cli.main import main\nsys.argv = ['mrpplan', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert loaded_after(code) == set()


def test_every_command_of_every_module_is_registered_with_its_own_short_help() -> None:
    registered: dict[str, str] = {}
    for name in MODULES:
        for command in importlib.import_module(name).COMMANDS:
            registered[command.name] = command.get_short_help_str(limit=1000)
    assert registered == {name: short for name, (_, short) in COMMANDS.items()}


def test_help_lists_every_command_with_its_short_help() -> None:
    done = run_cli("--help")
    assert done.code == 0
    listed = done.stdout.split("Commands:\n", 1)[1]
    for name, (_, short) in COMMANDS.items():
        assert f"  {name}  " in listed or f"  {name} " in listed
        assert short in listed  # COLUMNS=200: nothing is cut


def test_a_lazily_loaded_command_runs_and_unknown_ones_are_usage_errors() -> None:
    ctx = click.Context(cli)
    assert cli.get_command(ctx, "validate") is not None
    assert cli.get_command(ctx, "no-such-command") is None
    assert run_cli("sandbox", "--help").code == 0
    assert run_cli("no-such-command").code == 64
