"""Checks before an apply touches anything: right database, policy, approval, not stale."""

from __future__ import annotations

from typing import Protocol

from mrpplan.apply.statement_guard import check_statements
from mrpplan.config import Environment
from mrpplan.errors import Refused
from mrpplan.plan.fingerprint import DatabaseState, describe_differences
from mrpplan.plan.types import Plan


def check_plan(env: Environment, plan: Plan, *, from_file: bool) -> None:
    """Everything that refuses a plan (exit 3, nothing changed) before anyone is asked to
    approve it, in one order; the executor runs it again before it takes the lock, because
    library callers reach it directly. `from_file`: nothing in a plan file is trusted, so a
    protected environment needs its seal keyed."""
    check_target(env, plan)
    if from_file:
        check_seal(env, plan)
    check_supported(plan)
    check_statements(plan)
    check_policy(env, plan)


def check_target(env: Environment, plan: Plan) -> None:
    """The plan must be applied to the server and database it was made from."""
    settings = env.connection
    here = (settings.host or settings.socket or "", settings.port, settings.database)
    there = (plan.target.host, plan.target.port, plan.target.database)
    if plan.environment != env.name or here != there:
        raise Refused(
            f"this plan is for environment {plan.environment} ({there[2]} on "
            f"{there[0]}:{there[1]}), but {env.name} now points at {here[2]} on "
            f"{here[0]}:{here[1]}. Nothing was changed.",
            hint=f"make a new plan: mrpplan plan {env.name}",
        )


def check_supported(plan: Plan) -> None:
    """A change mrpplan cannot make (a table it cannot model exactly) is shown, never run.
    (A step of a kind this mrpplan does not know never gets this far: reading the plan
    file refuses it.)"""
    unsupported = [s for s in plan.steps if s.kind.never_runs]
    if unsupported:
        listed = "; ".join(f"step {s.id} ({s.object}): {s.reason}" for s in unsupported)
        raise Refused(
            f"this plan has {len(unsupported)} change(s) mrpplan cannot make safely: {listed}. "
            "Nothing was changed.",
            hint="write a migration for these tables by hand, then plan again",
        )


def check_policy(env: Environment, plan: Plan) -> None:
    """Destructive steps need `policy.allow_destructive: true` in the environment file, or
    (a restore) the operator's `--allow-destructive`, recorded in the sealed plan's origin."""
    destructive = plan.destructive_steps
    if destructive and not env.policy.allow_destructive:
        if plan.origin.get("builder") == "restore" and plan.origin.get("allow_destructive"):
            return
        listed = "; ".join(f"step {s.id} {s.action} {s.object}: {s.reason}" for s in destructive)
        hint = (
            f"change the schema so nothing is lost, or set policy.allow_destructive: true "
            f"in {env.file.name} after review"
        )
        if plan.origin.get("builder") == "restore":
            hint = (
                f"review what it removes with `mrpplan restore {env.name} FILE --dry-run`, then "
                f"approve it explicitly: `mrpplan restore {env.name} FILE --allow-destructive` "
                "(with --out FILE for a plan to review and apply)"
            )
        raise Refused(
            f"{env.name} does not allow destructive changes (policy.allow_destructive: false) "
            f"and this plan has {len(destructive)}: {listed}. Nothing was changed.",
            hint=hint,
        )


class Sealed(Protocol):
    """A plan file as read: one plan, or a fleet's whole file."""

    @property
    def keyed(self) -> bool: ...


def check_seal(env: Environment, plan: Sealed) -> None:
    """A protected environment takes only plan files sealed with the team's key."""
    if env.protected and not plan.keyed:
        raise Refused(
            f"{env.name} is protected and this plan file is not sealed with a key: anyone who "
            "can edit the file could have recomputed its plain digest. Nothing was changed.",
            hint="set MRPPLAN_PLAN_KEY (CI: from a secret) both when making the plan and when "
            "applying it",
        )


def check_fresh(plan: Plan, live: DatabaseState) -> None:
    """Refuse a plan computed from a database that has changed since (stale)."""
    if live.fingerprint == plan.prior.fingerprint:
        return
    what = describe_differences(plan.prior_objects, live.objects)
    if not what:
        what = ["mrpplan's history tables changed (a migration or seed was recorded)"]
    raise Refused(
        "the database changed after this plan was made (stale plan): "
        + "; ".join(what)
        + ". Nothing was changed.",
        hint=f"`mrpplan drift {plan.environment}` shows whether the change was made outside "
        f"mrpplan (fix that first); then make a new plan: `mrpplan plan {plan.environment} "
        "--out FILE`",
    )
