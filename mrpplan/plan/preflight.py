"""Pre-flight checks of a plan on the live rows (issue 25): run them, word them, refuse.

The checks each step needs come from `diff.preflight` (the schema engine's changes); the
queries from `mysql.preflight`. `plan` records every check it ran in the plan file
(`Plan.preflight`); `apply` runs the same checks again under the lock before the first
change (and a fleet before its canary) and refuses when one fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mrpplan.errors import Refused
from mrpplan.model import preflight_check as kinds
from mrpplan.model.preflight_check import PreflightCheck
from mrpplan.mysql.connection import Session
from mrpplan.plan.types import Finding, Plan

PASSED = "passed"
FAILED = "failed"
NOT_CHECKED = "not checked"


def run_checks(
    conn: Session,
    database: str,
    checks: Sequence[tuple[str, PreflightCheck]],
    max_seconds: float,
    mariadb: bool = True,
) -> tuple[Finding, ...]:
    """Each (step id, check) run on `database` (the connection's current one)."""
    from mrpplan.mysql.preflight import run_check

    findings = []
    for step, check in checks:
        outcome = run_check(conn, check, max_seconds, mariadb)
        if outcome.offenders is None:
            status = NOT_CHECKED
        else:
            status = FAILED if outcome.offenders else PASSED
        findings.append(
            Finding(
                step=step,
                check=check.record(),
                database=database,
                status=status,
                offenders=outcome.offenders,
                samples=outcome.samples,
                note=outcome.note,
            )
        )
    return tuple(findings)


def rerun(conn: Session, plan: Plan, max_seconds: float) -> tuple[Finding, ...]:
    """The plan's checks again, on the database as it is now."""
    checks = [(f.step, PreflightCheck.from_record(f.check)) for f in plan.preflight]
    return run_checks(
        conn, plan.target.database, checks, max_seconds, plan.target.flavor == "mariadb"
    )


def finding_text(finding: Finding) -> str:
    """`tenant_delta: 2 rows share currencies.name = 'Dollar'` (people read this)."""
    check = PreflightCheck.from_record(finding.check)
    head = f"{finding.database}: "
    if finding.status == NOT_CHECKED:
        return head + f"not checked ({check.describe()}): {finding.note}"
    if finding.status == PASSED:
        return head + f"passed ({check.describe()})"
    count = finding.offenders or 0
    if check.kind == kinds.UNIQUE:
        shown = [
            f"{rows} rows share {_where(check)} = {_values(values)}"
            for values, rows in finding.samples
        ]
        listed = sum(rows or 0 for _v, rows in finding.samples)
        more = f" ({count} rows in all)" if count > listed else ""
        return head + "; ".join(shown) + more
    rows = f"{count} row{'s' if count != 1 else ''}"
    if check.kind == kinds.NOT_NULL:
        what = f"{rows} of {check.table} hold NULL in {check.columns[0]}"
    elif check.kind == kinds.FOREIGN_KEY:
        ref = ", ".join(check.detail.get("ref_columns") or ())
        what = f"{rows} of {check.table} point to no {check.detail.get('ref_table')} ({ref})"
    elif check.kind == kinds.CHECK:
        what = f"{rows} of {check.table} violate CHECK {check.detail.get('expression')}"
    elif check.kind == kinds.NARROWING:
        what = f"{rows} of {_where(check)} do not fit {check.detail.get('new_type')}"
    else:
        what = f"{rows} fail {check.describe()}"
    return head + what + _examples(check, finding)


def _where(check: PreflightCheck) -> str:
    if len(check.columns) == 1:
        return f"{check.table}.{check.columns[0]}"
    return f"{check.table}.({', '.join(check.columns)})"


def _values(values: Sequence[str | None]) -> str:
    shown = [_sql_text(v) for v in values]
    return shown[0] if len(shown) == 1 else "(" + ", ".join(shown) + ")"


def _sql_text(value: str | None) -> str:
    if value is None:
        return "NULL"
    return "'" + value.replace("'", "''") + "'"


def _examples(check: PreflightCheck, finding: Finding) -> str:
    if not check.key or not finding.samples:
        return ""
    key = check.key[0] if len(check.key) == 1 else "(" + ", ".join(check.key) + ")"
    return f" (e.g. {key} = " + ", ".join(_values(v) for v, _n in finding.samples) + ")"


def step_findings(plans: Sequence[Plan], step_id: str) -> list[Finding]:
    """What the views show on a step (of one plan, or of a fleet group's sections):
    failures and checks that could not run, failures first."""
    found = [f for p in plans for f in p.preflight if f.step == step_id]
    shown = [f for f in found if f.status in (FAILED, NOT_CHECKED)]
    return sorted(shown, key=lambda f: (not f.failed, f.database))


def findings_block(plans: Sequence[Plan], step_ids: Sequence[str]) -> str | None:
    """Markdown: the findings of these steps as a list (None when there are none)."""
    lines = [
        f"- step {step}: {'**FAILED**' if f.failed else 'not checked'}: "
        + finding_text(f).replace("|", "\\|")
        for step in step_ids
        for f in step_findings(plans, step)
    ]
    return "**Pre-flight checks on the live data**\n\n" + "\n".join(lines) if lines else None


def failures(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.failed]


def refusal(findings: Sequence[Finding], *, when: str, unchanged: str) -> Refused | None:
    """The one message for failed checks (None when none failed)."""
    failed = failures(findings)
    if not failed:
        return None
    lines = [f"  step {f.step}: {finding_text(f)}" for f in failed]
    return Refused(
        f"pre-flight checks failed {when}: the data cannot take "
        f"{'these changes' if len(failed) > 1 else 'this change'}:\n"
        + "\n".join(lines)
        + f"\n{unchanged}",
        hint="fix the rows (or the change), then plan again; "
        "`policy.preflight: {on_failure: warn}` only lets `plan` finish",
    )


def refuse_plan(env: Any, findings: Sequence[Finding], saved: str | None) -> None:
    """`plan` under `policy.preflight.on_failure: refuse`: exit 3 after saving the plan."""
    if env.policy.preflight.on_failure != "refuse":
        return
    problem = refusal(
        findings,
        when="on the live data",
        unchanged=(
            f"The plan was saved to {saved} with these findings; nothing was changed."
            if saved
            else "Nothing was changed."
        ),
    )
    if problem is not None:
        raise problem


def recheck(conn: Session, env: Any, plan: Plan) -> None:
    """`apply`, under the lock, before the first change: the plan's checks again (the rows
    may have changed since the plan was made); refused (3) when one fails."""
    if not plan.preflight:
        return
    findings = rerun(conn, plan, env.policy.preflight.max_seconds)
    problem = refusal(
        findings,
        when=f"on {plan.target.database} before the first change",
        unchanged="Nothing was changed.",
    )
    if problem is not None:
        raise problem
