"""Apply a fleet plan: the canary databases first, alone; then the rest `fleet.parallel` at
a time; after any failure nothing more starts.

Each database goes through the one executor (`apply_plan`) with its own lock, journal,
checkpoints and rollback, exactly as a single-database apply: a database whose apply fails
is rolled back by it, and `recover ENV` works per database. Databases not started stay
untouched, so a new plan after a partial apply covers only what still differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from mrpplan.apply.executor import apply_plan
from mrpplan.apply.steps import message_of
from mrpplan.config import Environment, Project
from mrpplan.errors import EXIT_ERROR, EXIT_OK, EXIT_REFUSED, MrpplanError, Refused
from mrpplan.fleet.counter import Counter
from mrpplan.fleet.members import Member, member_for
from mrpplan.plan.fleet_types import FleetPlan, section_key
from mrpplan.plan.providers import Wiring
from mrpplan.plan.types import Finding, Plan

APPLIED = "applied"
UNCHANGED = "unchanged"  # nothing to do there
ROLLED_BACK = "rolled back"  # failed; the executor undid what ran
ERROR = "error"  # failed before it changed anything (a lost connection, a server error)
FAILED = "failed"  # failed and the undo did not finish: `mrpplan recover ENV` there
REFUSED = "refused"  # refused before anything ran (stale, lock held, ...)
NOT_STARTED = "not started"  # a failure elsewhere stopped the fleet first

Progress = Callable[[str], None]


@dataclass
class Outcome:
    """What happened to one database."""

    key: str
    database: str
    status: str
    steps: int = 0  # steps run (applied) or in the plan (otherwise)
    error: str | None = None
    canary: bool = False

    @property
    def ok(self) -> bool:
        return self.status in (APPLIED, UNCHANGED)


@dataclass
class FleetResult:
    outcomes: list[Outcome]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """0: every database applied or unchanged. 3: a safety refusal stopped the fleet and
        nothing changed anywhere (the rest refused or never started). 1 otherwise: a
        database failed, or some were changed and others were not."""
        if self.ok:
            return EXIT_OK
        stopped = {o.status for o in self.outcomes} - {UNCHANGED, NOT_STARTED}
        return EXIT_REFUSED if stopped == {REFUSED} else EXIT_ERROR

    def document(self, environment: str) -> dict[str, object]:
        """`apply --json`: one entry per database, in the plan's order."""
        return {
            "environment": environment,
            "exit_code": self.exit_code,
            "databases": [
                {
                    "database": o.database,
                    "key": o.key,
                    "outcome": o.status,
                    "canary": o.canary,
                    "steps_run": _steps_run(o),
                    "message": o.error,
                }
                for o in self.outcomes
            ],
        }


def _steps_run(outcome: Outcome) -> int | None:
    """Steps that ran and stayed: None when some ran and were undone or left half-way."""
    if outcome.status == APPLIED:
        return outcome.steps
    return None if outcome.status in (ROLLED_BACK, FAILED) else 0


def fleet_members(env: Environment, fleet: FleetPlan) -> list[tuple[Member, Plan]]:
    """Each section with the single-database environment it is for (refused when the
    environment no longer names one of them)."""
    return [
        (member_for(env, p.target.host, p.target.port, p.target.database), p)
        for p in fleet.sections
    ]


def apply_fleet(
    project: Project,
    env: Environment,
    fleet: FleetPlan,
    *,
    from_file: bool,
    wiring: Wiring,
    progress: Progress | None = None,
    step_progress: Progress | None = None,
) -> FleetResult:
    """Run every section with changes; the caller has approved the fleet as a whole."""
    say = progress or (lambda _line: None)
    pairs = fleet_members(env, fleet)
    outcomes = {
        section_key(p): Outcome(section_key(p), p.target.database, UNCHANGED)
        for _m, p in pairs
        if not p.has_changes
    }
    pending = [(m, p) for m, p in pairs if p.has_changes]
    canary, rest = pending[: env.fleet.canary], pending[env.fleet.canary :]
    total = len(pending)
    counter = Counter()

    def one(member: Member, section: Plan, is_canary: bool) -> Outcome:
        outcome = _apply_one(project, member, section, from_file, wiring, step_progress)
        outcome.canary = is_canary
        done = counter.next()
        label = " (canary)" if is_canary else ""
        if outcome.ok:
            say(
                f"[{done}/{total}] {outcome.key}{label}: {outcome.status} ({outcome.steps} step(s))"
            )
        else:
            say(f"[{done}/{total}] {outcome.key}{label}: {outcome.status.upper()}: {outcome.error}")
        return outcome

    check_before_canary(pending, env.fleet.parallel)
    stopped = False
    for member, section in canary:
        if stopped:
            break
        outcome = one(member, section, True)
        outcomes[outcome.key] = outcome
        stopped = not outcome.ok
    if not stopped:
        for outcome in _bounded(rest, env.fleet.parallel, one):
            outcomes[outcome.key] = outcome
    for _member, section in pending:
        key = section_key(section)
        if key not in outcomes:
            outcomes[key] = Outcome(key, section.target.database, NOT_STARTED, len(section.steps))
    return FleetResult([outcomes[section_key(p)] for _m, p in pairs])


def check_before_canary(pending: list[tuple[Member, Plan]], parallel: int) -> None:
    """Every database's pre-flight checks again, `parallel` at a time, before the canary:
    a fleet never starts on data that will fail (each apply checks once more under its
    lock). Refused (3), naming every failing database, with nothing started."""
    from mrpplan.mysql.connection import session
    from mrpplan.plan.preflight import refusal, rerun

    def one(item: tuple[Member, Plan]) -> tuple[Finding, ...]:
        member, section = item
        with session(member.env.connection) as conn:
            return rerun(conn, section, member.env.policy.preflight.max_seconds)

    checked = [item for item in pending if item[1].preflight]
    if not checked:
        return
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        findings = [f for found in pool.map(one, checked) for f in found]
    problem = refusal(
        findings,
        when="before the canary",
        unchanged="No database of the fleet was started; nothing was changed.",
    )
    if problem is not None:
        raise problem


def _bounded(
    items: list[tuple[Member, Plan]],
    parallel: int,
    one: Callable[[Member, Plan, bool], Outcome],
) -> Iterator[Outcome]:
    """At most `parallel` at once; after the first failure no new one starts (those running
    finish, each rolled back by itself if it fails)."""
    queue = iter(items)
    running: set[Future[Outcome]] = set()
    stopped = False
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:

        def fill() -> None:
            while not stopped and len(running) < max(1, parallel):
                item = next(queue, None)
                if item is None:
                    return
                running.add(pool.submit(one, item[0], item[1], False))

        fill()
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                running.discard(future)
                outcome = future.result()
                stopped = stopped or not outcome.ok
                yield outcome
            fill()


def _apply_one(
    project: Project,
    member: Member,
    section: Plan,
    from_file: bool,
    wiring: Wiring,
    step_progress: Progress | None,
) -> Outcome:
    """One database through the one executor; its failure becomes an outcome."""
    key = section_key(section)
    database = section.target.database
    say = None
    if step_progress is not None:
        say = lambda line: step_progress(f"{database}: {line}")  # noqa: E731
    try:
        result = apply_plan(
            project, member.env, section, wiring=wiring, progress=say, from_file=from_file
        )
    except Refused as exc:
        return Outcome(key, database, REFUSED, len(section.steps), _one_line(exc.message))
    except MrpplanError as exc:
        # the executor's rollback says the database is back where it was; an error before
        # the first step says nothing was changed; anything else may have left changes
        status = FAILED
        if exc.unchanged and "back where it was" in exc.unchanged:
            status = ROLLED_BACK
        elif exc.unchanged:
            status = ERROR
        return Outcome(key, database, status, len(section.steps), _one_line(exc.message))
    except Exception as exc:  # an unexpected failure on one database must not hide the others
        return Outcome(key, database, FAILED, len(section.steps), message_of(exc))
    return Outcome(key, database, APPLIED, len(result.steps_run))


def _one_line(message: str) -> str:
    return " ".join(message.split("\n")[0].split())
