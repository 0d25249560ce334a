"""The one approval rule for every command that writes a database (DESIGN §3.6).

- A protected environment is written only after its name was typed on a terminal, or by
  `mrpplan apply SAVED_FILE --auto-approve` of a saved, reviewed plan file.
- `--force` / `--auto-approve` skip questions on unprotected environments only.
- Without a terminal and without those flags, an unprotected environment gets only plans
  with nothing destructive in them; a destructive plan needs the flag.

Every writing command calls `approve` and nothing else decides.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from mrpplan.config import Environment
from mrpplan.errors import Refused

Ask = Callable[[str], str]


@dataclass(frozen=True)
class Request:
    """How the operator asked for the write."""

    command: str  # as typed, for messages: "migrate up", "restore", "apply"
    skip_questions: bool = False  # --force / --auto-approve
    saved_plan: bool = False  # `mrpplan apply FILE` of a saved plan file
    interactive: bool | None = None  # None: stdin is a terminal?

    @property
    def on_terminal(self) -> bool:
        return sys.stdin.isatty() if self.interactive is None else self.interactive


def _saved_plan_hint(env: Environment, request: Request) -> str:
    """The commands that make a saved plan and apply it (apply itself has no --out)."""
    if request.saved_plan:
        return "once the plan is reviewed: `mrpplan apply FILE --auto-approve`"
    make = "plan" if request.command == "apply" else request.command
    return (
        f"save the plan with `mrpplan {make} {env.name} --out FILE`, have it reviewed, "
        "then `mrpplan apply FILE --auto-approve`"
    )


def approve(env: Environment, request: Request, *, destructive: int, ask: Ask) -> None:
    """Return when the write may go ahead; raise Refused (exit 3) otherwise."""
    if env.protected:
        if request.saved_plan and request.skip_questions:
            return
        if not request.on_terminal:
            raise Refused(
                f"{env.name} is protected and stdin is not a terminal: without a terminal a "
                "protected environment is written only by `mrpplan apply SAVED_FILE "
                "--auto-approve` of a saved, reviewed plan. Nothing was changed.",
                hint=_saved_plan_hint(env, request),
            )
        typed = ask(f"{env.name} is protected. Type its name to go ahead")
        if typed.strip() != env.name:
            raise Refused(f"the name typed did not match {env.name}. Nothing was changed.")
        return
    if request.skip_questions:
        return
    if not request.on_terminal:
        if not destructive:
            return
        raise Refused(
            f"this {request.command} on {env.name} has {destructive} destructive step(s) and "
            "stdin is not a terminal, so nobody confirmed. Nothing was changed.",
            hint="review it with --dry-run, then pass --force (or --auto-approve)",
        )
    typed = ask(f"Go ahead on {env.name}? [y/N]")
    if typed.strip().lower() not in ("y", "yes"):
        raise Refused("not confirmed. Nothing was changed.")
