"""The terminal and pull-request views of a fleet plan: each distinct step list once,
with the databases it applies to (the biggest group first), then the ones with no changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.console import Group as RichGroup
from rich.table import Table
from rich.text import Text

from mrpplan.config import Environment
from mrpplan.fleet.groups import Group, groups_of, name_list, section_name, unchanged
from mrpplan.plan.fleet_types import FleetPlan
from mrpplan.plan.render import plan_head, render_step, version_line
from mrpplan.plan.render_markdown import (
    COMMENT_LIMIT,
    cell,
    split_parts,
    sql_blocks,
    step_table,
)

if TYPE_CHECKING:
    from mrpplan.fleet.runner import FleetResult

NAMES_SHOWN = 12  # on a terminal; markdown lists every name in a collapsed block


def servers_line(fleet: FleetPlan) -> str:
    servers = sorted(
        {
            f"{p.target.host}{':' + str(p.target.port) if p.target.port else ''} "
            f"({p.target.flavor} {p.target.server_version.split('-')[0]})"
            for p in fleet.sections
        }
    )
    return f"{len(fleet.sections)} database(s) on " + ", ".join(servers)


def group_title(group: Group) -> str:
    count = len(group.sections)
    return (
        f"{len(group.steps)} step(s) on {count} database{'s' if count != 1 else ''} "
        f"({version_line(group.example)})"
    )


def render_fleet(fleet: FleetPlan, *, show_sql: bool = False, path: str | None = None) -> RichGroup:
    head = f"Fleet plan for {fleet.environment}"
    parts = plan_head(head, servers_line(fleet), fleet.digest, path, fleet.warnings)
    from mrpplan.plan.preflight import step_findings  # a fleet plan's (start-up of `plan`)

    groups = groups_of(fleet)
    for number, group in enumerate(groups, start=1):
        title = Text(f"\nGroup {number}: ", style="bold")
        title.append(group_title(group))
        title.append("\n  " + name_list(group.databases, NAMES_SHOWN), style="cyan")
        parts.append(title)
        parts.extend(
            render_step(step, show_sql=show_sql, findings=step_findings(group.sections, step.id))
            for step in group.steps
        )
    same = unchanged(fleet)
    if same:
        names = [section_name(p, fleet.sections) for p in same]
        parts.append(
            Text(
                f"\nNo changes on {len(same)} database(s): {name_list(names, NAMES_SHOWN)}",
                style="green",
            )
        )
    parts.append(Text(f"\n{summary_line(fleet)}", style="bold"))
    return RichGroup(*parts)


def summary_line(fleet: FleetPlan) -> str:
    changing = len(fleet.changing)
    groups = groups_of(fleet)
    text = (
        f"Fleet: {changing} of {len(fleet.sections)} database(s) change"
        f" ({len(groups)} distinct step list{'s' if len(groups) != 1 else ''}). "
        + fleet.summary.line().replace("Plan: ", "Steps over all databases: ")
    )
    if len(groups) > 1:  # "these steps on 212 databases; 2 databases differ: ..."
        others = [name for group in groups[1:] for name in group.databases]
        text += (
            f" {len(groups[0].sections)} share group 1's steps; {len(others)} differ: "
            + name_list(others, NAMES_SHOWN)
            + "."
        )
    return text


def print_fleet(
    console: Console, fleet: FleetPlan, *, show_sql: bool = False, path: str | None = None
) -> None:
    console.print(render_fleet(fleet, show_sql=show_sql, path=path))


def render_fleet_markdown(fleet: FleetPlan, *, limit: int = COMMENT_LIMIT) -> list[str]:
    """Comments under GitHub's limit: a table of the groups, then each group's steps and SQL
    once, its databases in a collapsed list (readable at 500 databases)."""
    lines = [
        f"### mrpplan fleet plan for `{fleet.environment}`",
        "",
        f"Targets: {servers_line(fleet)} · created {fleet.created_at} · "
        f"digest `{fleet.digest[:12] or 'unsaved'}`",
    ]
    lines += [f"> **Warning:** {cell(w)}" for w in fleet.warnings]
    if fleet.destructive_steps:
        lines.append(f"> **{fleet.destructive_steps} destructive step(s)** over all databases")
    header = "\n".join(lines) + "\n\n"
    from mrpplan.plan.preflight import findings_block

    groups = groups_of(fleet)
    blocks = [_groups_table(fleet, groups)]
    for number, group in enumerate(groups, start=1):
        blocks.append(f"#### Group {number}: {group_title(group)}")
        blocks.append(_names_block(group.databases))
        blocks.append(step_table(group.steps))
        found = findings_block(group.sections, [s.id for s in group.steps])
        if found:
            blocks.append(found)
        for step in group.steps:
            blocks.extend(sql_blocks(step, budget=limit - len(header) - 200))
    same = unchanged(fleet)
    if same:
        blocks.append(f"#### No changes on {len(same)} database(s)")
        blocks.append(_names_block([section_name(p, fleet.sections) for p in same]))
    blocks.append(f"**{summary_line(fleet)}**")
    return split_parts(header, blocks, limit)


def _groups_table(fleet: FleetPlan, groups: list[Group]) -> str:
    rows = ["| Group | Databases | Schema | Steps | Summary |", "|---:|---:|---|---:|---|"]
    for number, group in enumerate(groups, start=1):
        rows.append(
            f"| {number} | {len(group.sections)} | {cell(version_line(group.example))} | "
            f"{len(group.steps)} | {group.example.summary.line()} |"
        )
    same = unchanged(fleet)
    if same:
        rows.append(f"| - | {len(same)} | as asked | 0 | No changes. |")
    return "\n".join(rows)


def _names_block(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names)
    summary = f"{len(names)} database(s): {name_list(names, 5)}"
    return f"<details><summary>{summary}</summary>\n\n{shown}\n\n</details>"


_STYLES = {
    "applied": "green",
    "unchanged": "dim",
    "rolled back": "red",
    "error": "red",
    "failed": "bold red",
    "refused": "yellow",
    "not started": "yellow",
}


def print_result(console: Console, env: Environment, result: FleetResult) -> None:
    table = Table(title=f"Fleet apply on {env.name}", title_justify="left")
    table.add_column("Database")
    table.add_column("Result")
    table.add_column("Steps", justify="right")
    table.add_column("Detail")
    for outcome in result.outcomes:
        status = outcome.status + (" (canary)" if outcome.canary else "")
        table.add_row(
            outcome.key,
            Text(status, style=_STYLES.get(outcome.status, "")),
            str(outcome.steps),
            outcome.error or "",
        )
    console.print(table)
    counts = ", ".join(
        f"{result.count(s)} {s}"
        for s in (
            "applied",
            "unchanged",
            "rolled back",
            "error",
            "failed",
            "refused",
            "not started",
        )
        if result.count(s)
    )
    style = "bold green" if result.ok else "bold red"
    console.print(Text(f"Fleet apply: {counts}.", style=style))
    if not result.ok:
        console.print(
            "Databases not applied are as they were (rolled back, stopped by an error before "
            "any change, or never started). "
            f"To continue: mrpplan plan {env.name} (covers only what still differs), then apply "
            "that plan."
            + (
                f" A database marked failed needs `mrpplan recover {env.name}` on it first."
                if result.count("failed")
                else ""
            )
        )
