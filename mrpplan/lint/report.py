"""`mrpplan lint`: the findings for an environment (its server and levels) or for the
desired schema on the sandbox, as text, JSON or SARIF."""

from __future__ import annotations

import json

from mrpplan.config import Environment, Project
from mrpplan.lint.rules import Finding
from mrpplan.plan.screen import Screen


def lint_report(
    project: Project, screen: Screen, env: Environment | None, *, as_json: bool, as_sarif: bool
) -> bool:
    """Print the findings; whether one is an error (exit 1)."""
    findings = _findings(project, env)
    if as_sarif:
        from mrpplan.lint.sarif import sarif

        screen.document(json.dumps(sarif(project, findings), indent=2, ensure_ascii=False))
    elif as_json:
        from mrpplan.lint.project import relative

        document = [
            {
                "rule": f.rule,
                "level": f.level,
                "message": f.message,
                "file": relative(project, f.file),
                "line": f.line,
            }
            for f in findings
        ]
        screen.document(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            screen.document(finding.text())
        errors = sum(1 for f in findings if f.level == "error")
        screen.document(f"lint: {errors} error(s), {len(findings) - errors} warning(s)")
    return any(f.level == "error" for f in findings)


def _findings(project: Project, env: Environment | None) -> list[Finding]:
    """The findings for ENV (its server and levels), or on the sandbox with the defaults."""
    from mrpplan.lint.project import lint_project
    from mrpplan.mysql.workspace_place import sandbox_workspace, workspace_for

    if env is None:
        from mrpplan import sandbox

        info = sandbox.up(sandbox.default_dir(project.root))
        return lint_project(project, sandbox_workspace(info))
    return lint_project(project, workspace_for(project, env), env)
