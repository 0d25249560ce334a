"""The pull-request view of a plan: markdown split into comments under GitHub's size limit.

`render_markdown(plan)` returns the parts; a CI job posts each as one comment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mrpplan.plan.preflight import findings_block
from mrpplan.plan.render import describe_target, version_line
from mrpplan.plan.types import Plan, Step

COMMENT_LIMIT = 65_000
_ICONS = {"add": "+", "change": "~", "destroy": "-", "data": "*", "none": "#"}


# Between parts in `show --markdown` output; the example CI workflow splits on it.
PART_SEPARATOR = "\n<!-- mrpplan: next part -->\n"


def render_markdown(plan: Plan, *, limit: int = COMMENT_LIMIT) -> list[str]:
    """Numbered parts, each shorter than `limit` characters, SQL in collapsible blocks."""
    header = _header(plan)
    blocks = [step_table(plan.steps)] if plan.steps else []
    found = findings_block([plan], [s.id for s in plan.steps])
    if found:
        blocks.append(found)
    for step in plan.steps:
        blocks.extend(sql_blocks(step, budget=limit - len(header) - 200))
    blocks.append(f"**{plan.summary.line()}**" if plan.steps else "**No changes.**")
    return split_parts(header, blocks, limit)


def split_parts(header: str, blocks: list[str], limit: int) -> list[str]:
    """The blocks in comments of fewer than `limit` characters, each under the header."""
    parts: list[list[str]] = [[]]
    size = 0
    budget = limit - len(header) - 100
    for block in blocks:
        for piece in _fit(block, budget):
            if parts[-1] and size + len(piece) + 2 > budget:
                parts.append([])
                size = 0
            parts[-1].append(piece)
            size += len(piece) + 2
    total = len(parts)
    rendered = []
    for number, body in enumerate(parts, start=1):
        title = header if total == 1 else header.replace("\n", f" (part {number} of {total})\n", 1)
        rendered.append(title + "\n\n".join(body) + "\n")
    return rendered


def _header(plan: Plan) -> str:
    lines = [
        f"### mrpplan plan for `{plan.environment}`",
        "",
        f"Target: `{describe_target(plan)}` · {version_line(plan)} · "
        f"created {plan.created_at} · digest `{plan.digest[:12] or 'unsaved'}`",
    ]
    lines.extend(f"> **Warning:** {cell(w)}" for w in plan.warnings)
    destructive = plan.destructive_steps
    if destructive:
        lines.append(
            f"> **{len(destructive)} destructive step(s):** "
            + ", ".join(f"{s.id} `{s.action} {s.object}`" for s in destructive)
        )
    return "\n".join(lines) + "\n\n"


def step_table(steps: Sequence[Step]) -> str:
    rows = [
        "| # | | Action | Object | Algorithm | Why |",
        "|---:|:---:|---|---|---|---|",
    ]
    for step in steps:
        icon = _ICONS.get(step.summary_kind, "~")
        why = ("**DESTRUCTIVE:** " if step.destructive else "") + cell(step.reason)
        rows.append(
            f"| {step.id} | `{icon}` | {step.action} | `{cell(step.object)}` | "
            f"{how_it_runs(step)} | {why} |"
        )
    return "\n".join(rows)


def sql_blocks(step: Step, *, budget: int) -> list[str]:
    blocks = _details(f"SQL of step {step.id}: {step.action}", step, step.sql, budget)
    for change in step.changes:  # a migration's rollback, as SQL (not as JSON in its history row)
        if change.get("type") == "Rollback":
            title = f"Rollback of step {step.id} ({change['source']}, stored in history)"
            blocks += _details(title, step, change["sql"], budget)
    return blocks


def _details(title: str, step: Step, sql: Sequence[str], budget: int) -> list[str]:
    if not sql:
        return []
    text = ";\n\n".join(sql) + ";"
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    chunks = _split_lines(text, max(1000, budget - 300))
    blocks = []
    for index, chunk in enumerate(chunks, start=1):
        suffix = f" ({index}/{len(chunks)})" if len(chunks) > 1 else ""
        blocks.append(
            f"<details><summary>{_html(title)} "
            f"<code>{_html(step.object)}</code>{suffix}</summary>\n\n"
            f"{fence}sql\n{chunk}\n{fence}\n\n</details>"
        )
    return blocks


def _fit(block: str, budget: int) -> list[str]:
    """A block longer than a whole comment (a huge table) is cut at line ends."""
    return [block] if len(block) <= budget else _split_lines(block, budget)


def _split_lines(text: str, size: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > size:
            if current:
                chunks.append(current.rstrip("\n"))
                current = ""
            chunks.append(line[:size])
            line = line[size:]
        if len(current) + len(line) > size:
            chunks.append(current.rstrip("\n"))
            current = ""
        current += line
    if current or not chunks:
        chunks.append(current.rstrip("\n"))
    return chunks


def _longest_backtick_run(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def how_it_runs(step: Step) -> str:
    from mrpplan.plan.online_steps import how_it_runs as label

    return label(step)
