"""SARIF 2.1.0 (what GitHub code scanning shows on a pull request) from lint findings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mrpplan import __version__
from mrpplan.config import Project
from mrpplan.lint.project import relative
from mrpplan.lint.rules import ERROR, RULES, Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "off": "none"}


def sarif(project: Project, findings: Sequence[Finding]) -> dict[str, Any]:
    """One run of the `mrpplan` tool: every rule described, every finding located."""
    rules = [
        {
            "id": rule.id,
            "name": "".join(part.title() for part in rule.id.split("-")),
            "shortDescription": {"text": rule.summary},
            "defaultConfiguration": {"level": _LEVELS[rule.level]},
            "helpUri": "https://github.com/mrpplan/mrpplan#lint-rules",
        }
        for rule in RULES.values()
    ]
    ids = list(RULES)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mrpplan",
                        "version": __version__,
                        "informationUri": "https://github.com/mrpplan/mrpplan",
                        "rules": rules,
                    }
                },
                "results": [_result(project, f, ids) for f in findings],
            }
        ],
    }


def _result(project: Project, finding: Finding, ids: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": ids.index(finding.rule),
        "level": "error" if finding.level == ERROR else "warning",
        "message": {"text": finding.message},
    }
    uri = relative(project, finding.file)
    if uri is not None:
        result["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": max(1, finding.line)},
                }
            }
        ]
    return result
