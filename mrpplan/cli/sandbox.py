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
        infos = galera.up(galera_dir(app), nodes)
        for info in infos:
            app.console.print(
                f"{info.dir.name}: MariaDB {info.version} on 127.0.0.1:{info.port} (pid "
                f"{info.pid}), credentials {info.option_file}"
            )
        app.console.print(f"Galera cluster of {len(infos)} nodes: all Synced")
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
        _galera_status(app, as_json)
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


def _galera_status(app: AppContext, as_json: bool) -> None:
    nodes = galera.status(galera_dir(app))
    if as_json:
        click.echo(
            json.dumps(
                [
                    {"node": n, "running": i is not None, **({"port": i.port} if i else {})}
                    for n, i in enumerate(nodes, start=1)
                ]
            )
        )
        return
    if not nodes:
        app.console.print("no Galera sandbox (start one: `mrpplan sandbox up --galera 3`)")
    for number, info in enumerate(nodes, start=1):
        where = f"running on 127.0.0.1:{info.port} (pid {info.pid})" if info else "stopped"
        app.console.print(f"node{number}: {where}")


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
