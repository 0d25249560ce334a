"""Startup: each command loads only what it uses, and `mrpplan --help` still lists them all."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import click
from dbtools import local_without_sync_or_seeds, run_cli

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


def loaded_by(*args: str, watch: tuple[str, ...]) -> tuple[int, set[str]]:
    """Run `mrpplan ARGS` in a fresh interpreter: its exit code, and which of the `watch`
    modules it had loaded when it ended."""
    probe = (
        "import atexit, sys\n"
        f"atexit.register(lambda: print('LOADED:', *[m for m in {watch!r} if m in sys.modules]))\n"
        f"sys.argv = ['mrpplan', *{list(args)!r}]\n"
        "from mrpplan.cli.main import main\nmain()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert "LOADED:" in done.stdout, done.stdout + done.stderr
    return done.returncode, set(done.stdout.rsplit("LOADED:", 1)[1].split())


def test_a_plan_with_no_changes_loads_no_differ_tracing_copying_or_yaml(project, cli) -> None:
    """The common plan (nothing to do) starts up without what only a change needs: the
    schema differ, migration tracing, the workspace build, the copy and seed machinery
    (the shadow swap, the sync's masks), lint's child process, fleet rendering, and PyYAML
    (the environment file read before)."""
    local_without_sync_or_seeds(project.root)
    built = cli("apply", "local", "--auto-approve")
    assert built.code == 0, built.output
    assert cli("plan", "local", "--detailed-exitcode").code == 0

    watch = ("mrpplan.diff", "mrpplan.desired.trace", "mrpplan.sync.copy", "mrpplan.seed.runner")
    watch += ("mrpplan.mysql.workspace", "mrpplan.mysql.shadow", "mrpplan.sync.mask")
    watch += ("multiprocessing",)  # lint's child starts only with no cache
    code, loaded = loaded_by(
        "plan", "local", "--detailed-exitcode", watch=(*watch, "mrpplan.fleet.render", "yaml")
    )

    assert (code, loaded) == (0, set())


def test_a_backup_loads_no_restore_or_fleet_machinery(project) -> None:
    """`backup ENV --auto` (cron's command) loads the dump, not the screens of restores,
    verification and imports, nor the fleet's, nor rich: it writes one plain line."""
    watch = ("mrpplan.restore.views", "mrpplan.fleet.reports", "rich.console", "mrpplan.diff")
    code, loaded = loaded_by("backup", "local", "--auto", watch=watch)

    assert (code, loaded) == (0, set())
