"""CLI: sandbox up|down|status|url."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mrpplan import sandbox as sb
from mrpplan import sandbox_galera as galera
from mrpplan.cli.context import AppContext, pass_app
from mrpplan.errors import MrpplanError


def _dir(app: AppContext) -> Path:
    """The sandbox of the current project (or of the current folder outside a project)."""
    try:
        root = app.project.root
    except MrpplanError:
        root = Path.cwd()
    return sb.default_dir(root)


@click.group("sandbox")
def sandbox_group() -> None:
    """A throwaway local MariaDB server for development and tests.

    \b
    Example:
      mrpplan sandbox up && mrpplan sandbox url
    """


def galera_dir(app: AppContext) -> Path:
    return galera.beside(_dir(app))


@sandbox_group.command("up")
@click.option("--port", type=int, help="TCP port (default: a free one).")
@click.option(
    "--galera",
    "nodes",
    type=click.IntRange(2, 9),
    default=None,
    help="Start a Galera cluster of this many nodes on loopback instead (e.g. 3).",
)
@pass_app
def up(app: AppContext, port: int | None, nodes: int | None) -> None:
    """Start the sandbox server (reuses a running one), or a Galera cluster.

    \b
    Examples:
      mrpplan sandbox up --port 3407
      mrpplan sandbox up --galera 3
    """
    if nodes is not None:
        for line in galera.up_report(galera.up(galera_dir(app), nodes)):
            app.console.print(line)
        return
    info = sb.up(_dir(app), port=port)
    if sb.restarted_for_binlog(_dir(app)):
        app.console.print(
            "sandbox restarted: it ran without binary logging; it now logs in ROW format "
            "(point-in-time restore), its data is kept"
        )
    app.console.print(
        f"sandbox running: MariaDB {info.version} on 127.0.0.1:{info.port} (pid {info.pid})"
    )
    app.console.print(f"credentials: {info.option_file} (mode 0600)")


@sandbox_group.command("down")
@click.option("--galera", "only_galera", is_flag=True, help="Stop only the Galera cluster.")
@pass_app
def down(app: AppContext, only_galera: bool) -> None:
    """Stop the sandbox server (and the Galera cluster, if one runs) and wait for them.

    \b
    Example:
      mrpplan sandbox down
    """
    if not only_galera:
        stopped = sb.down(_dir(app))
        app.console.print("sandbox stopped" if stopped else "sandbox was not running")
    if galera.down(galera_dir(app)):
        app.console.print("Galera cluster stopped")
    elif only_galera:
        app.console.print("Galera cluster was not running")


@sandbox_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--galera", "of_galera", is_flag=True, help="The Galera cluster's nodes instead.")
@pass_app
def status(app: AppContext, as_json: bool, of_galera: bool) -> None:
    """Say whether the sandbox is running, and its version.

    \b
    Examples:
      mrpplan sandbox status --json
      mrpplan sandbox status --galera
    """
    if of_galera:
        show = click.echo if as_json else app.console.print
        for line in galera.status_report(galera_dir(app), as_json):
            show(line)
        return
    info = sb.status(_dir(app))
    if as_json:
        data: dict[str, object] = {"running": info is not None}
        if info:
            data.update(port=info.port, pid=info.pid, version=info.version)
        click.echo(json.dumps(data))
    elif info:
        app.console.print(
            f"running: MariaDB {info.version} on 127.0.0.1:{info.port} (pid {info.pid})"
        )
    else:
        app.console.print("stopped")


@sandbox_group.command("url")
@click.option("--show-password", is_flag=True, help="Include the root password.")
@pass_app
def url(app: AppContext, show_password: bool) -> None:
    """Print the connection URL of the running sandbox.

    \b
    Example:
      mrpplan sandbox url --show-password
    """
    info = sb.status(_dir(app))
    if info is None:
        raise MrpplanError("the sandbox is not running", hint="start it with `mrpplan sandbox up`")
    click.echo(info.url(show_password))


COMMANDS: list[click.Command] = [sandbox_group]
