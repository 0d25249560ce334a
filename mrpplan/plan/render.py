"""The terminal view of a plan: what a reviewer reads before saying yes.

Terraform-like markers (+ add, ~ change, - destroy, * data, # bookkeeping), destructive
steps in red with their reason, the predicted algorithm, SQL on request, one summary line.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.text import Text

from mrpplan.plan.preflight import finding_text, step_findings
from mrpplan.plan.types import Finding, Plan, Step

MARKERS = {
    "add": ("+", "green"),
    "change": ("~", "yellow"),
    "destroy": ("-", "red"),
    "data": ("*", "cyan"),
    "none": ("#", "dim"),
}


def describe_target(plan: Plan) -> str:
    where = plan.target.host + (f":{plan.target.port}" if plan.target.port else "")
    return (
        f"{plan.target.database} on {where} "
        f"({plan.target.flavor} {plan.target.server_version.split('-')[0]})"
    )


def version_line(plan: Plan) -> str:
    before = plan.prior.schema_version or "no recorded version"
    after = plan.desired.schema_version or "base"
    if before == after:
        return f"schema version {after}"
    return f"schema version: {before} -> {after}"


def render_step(step: Step, *, show_sql: bool, findings: Sequence[Finding] = ()) -> Text:
    marker, colour = MARKERS.get(step.summary_kind, ("~", "yellow"))
    style = "bold red" if step.destructive else colour
    line = Text("  ")
    line.append(f"{marker} ", style=style)
    line.append(f"{step.id:>3} ", style="dim")
    line.append(f"{step.action:<14}", style=style)
    line.append(f" {step.object}", style="bold")
    if step.online:
        line.append(f"  [{how_it_runs(step)}]", style="cyan")
    elif step.algorithm != "n/a":
        blocking = step.algorithm == "copy" or step.lock in ("shared", "exclusive")
        line.append(f"  [{how_it_runs(step)}]", style="magenta" if blocking else "dim")
    if step.checkpoint:
        line.append(f"  (checkpoint {step.checkpoint})", style="dim")
    if step.reason:
        label = "DESTRUCTIVE: " if step.destructive else ""
        line.append(f"\n          {label}{step.reason}", style="red" if step.destructive else "")
    if step.online and step.online.rows:
        children = ", ".join(step.online.children) or "none"
        line.append(
            f"\n          about {step.online.rows:,} rows; "
            f"--alter-foreign-keys-method={step.online.foreign_keys}; "
            f"child tables re-pointed by mrpplan: {children}",
            style="dim",
        )
    if step.reverse_sql is None and step.checkpoint:
        line.append("\n          no reverse SQL: rollback restores its checkpoint", style="dim")
    elif step.reverse_sql is None and step.destructive:
        line.append("\n          irreversible: no reverse SQL and no checkpoint", style="red")
    for finding in findings:
        style = "bold red" if finding.failed else "yellow"
        line.append(f"\n          pre-flight: {finding_text(finding)}", style=style)
    if show_sql:
        for statement in step.sql:
            for sql_line in statement.splitlines():
                line.append(f"\n            {sql_line}", style="blue")
            line.append(";", style="blue")
    return line


def plan_head(
    title: str, where: str, digest: str, path: str | None, warnings: Sequence[str]
) -> list[Text]:
    """The head of a plan's view (one database's or a fleet's): what, where, the plan
    file, its digest, then its warnings."""
    head = Text()
    head.append(title, style="bold")
    head.append(f": {where}")
    if path:
        head.append(f"\n  plan file: {path}")
    head.append(f"\n  digest: {digest or '(not saved)'}", style="dim")
    return [head, *(Text(f"Warning: {w}", style="yellow") for w in warnings)]


def render_plan(plan: Plan, *, show_sql: bool = False, path: str | None = None) -> Group:
    """The whole plan as a rich renderable."""
    where = f"{describe_target(plan)}\n  {version_line(plan)}"
    parts = plan_head(f"Plan for {plan.environment}", where, plan.digest, path, plan.warnings)
    if not plan.steps:
        parts.append(
            Text(
                f"\nNo changes. {plan.target.database} already matches {version_line(plan)}.",
                style="green",
            )
        )
        return Group(*parts)
    parts.append(Text("\nmrpplan will run these steps, in order:\n"))
    parts.extend(
        render_step(step, show_sql=show_sql, findings=step_findings([plan], step.id))
        for step in plan.steps
    )
    destructive = plan.destructive_steps
    if destructive:
        parts.append(
            Text(
                f"\n{len(destructive)} destructive step(s): "
                + ", ".join(f"{s.id} ({s.action} {s.object})" for s in destructive),
                style="bold red",
            )
        )
    parts.append(Text(f"\n{plan.summary.line()}", style="bold"))
    return Group(*parts)


def print_plan(
    console: Console, plan: Plan, *, show_sql: bool = False, path: str | None = None
) -> None:
    console.print(render_plan(plan, show_sql=show_sql, path=path))


def how_it_runs(step: Step) -> str:
    from mrpplan.plan.online_steps import how_it_runs as label

    return label(step)
