"""`mrpplan check ENV`: the ERP invariants of `database/invariants/` on ENV's live rows,
each SELECT in a READ ONLY transaction; what holds, what is broken, with samples."""

from __future__ import annotations

import json

from mrpplan.config import Environment, Project
from mrpplan.invariants.files import Invariant
from mrpplan.plan.screen import Screen


def check_invariants(project: Project, screen: Screen, env: Environment, as_json: bool) -> bool:
    """Print each invariant's result; whether all hold."""
    from mrpplan.apply.invariant_guard import measure, violation_text
    from mrpplan.invariants.files import load_invariants
    from mrpplan.mysql.connection import session
    from mrpplan.mysql.invariants import Violations

    invariants = load_invariants(project)
    with session(env.connection) as conn:
        measured = [(inv, measure(conn, inv)) for inv in invariants]
    for inv, found in measured:
        if found is None:
            screen.document(
                f"skipped invariant {inv.name}: a table or column it names is not in "
                f"{env.connection.database}",
                err=True,
            )
    results: list[tuple[Invariant, Violations]] = [(i, f) for i, f in measured if f is not None]
    broken = [(inv, found) for inv, found in results if found.rows]
    if as_json:
        document = [
            {
                "invariant": inv.name,
                "rule": inv.rule,
                "file": str(inv.file),
                "holds": not found.rows,
                "rows": found.rows,
                "columns": list(found.columns),
                "samples": [list(r) for r in found.samples],
            }
            for inv, found in results
        ]
        screen.document(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        for inv, found in results:
            if found.rows:
                screen.document(f"BROKEN  {violation_text(inv, found)}")
            else:
                screen.document(f"ok      invariant {inv.name} ({inv.rule})")
        held = len(results) - len(broken)
        screen.document(
            f"{env.connection.database}: {held} of {len(results)} invariant(s) hold"
            + (f", {len(broken)} broken." if broken else ".")
        )
    return not broken
