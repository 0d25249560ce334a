"""The on-disk form of a fleet plan (DESIGN §3.9), next to `planfile` which it reuses.

The file is `{"kind": "fleet", ..., "sections": [plan document, ...], "seal", "digest"}`:
each section is byte for byte the document `planfile` writes for that database (with its
own digest, which its journal records), and the file's digest seals the whole document,
keyed by MRPPLAN_PLAN_KEY like a single plan. Reading checks the seal, each section
against the plan JSON Schema, and that the text is exactly what writing would produce.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from mrpplan.config import Project
from mrpplan.errors import MrpplanError, Refused
from mrpplan.plan import planfile
from mrpplan.plan.fleet_types import FLEET_KIND, FleetPlan
from mrpplan.plan.types import FORMAT_VERSION, Plan

_EDITED = "the plan file was edited after it was made (tampered or damaged)"


def to_document(fleet: FleetPlan) -> dict[str, Any]:
    summary = fleet.summary
    document: dict[str, Any] = {
        "format_version": fleet.format_version,
        "mrpplan_version": fleet.mrpplan_version,
        "kind": FLEET_KIND,
        "environment": fleet.environment,
        "created_at": fleet.created_at,
        "summary": {
            "databases": len(fleet.sections),
            "changing": len(fleet.changing),
            "add": summary.add,
            "change": summary.change,
            "destroy": summary.destroy,
            "data": summary.data,
        },
        "origin": dict(fleet.origin),
        "sections": [planfile.to_document(section) for section in fleet.sections],
        "seal": fleet.seal or planfile.seal_method(),
    }
    key = planfile.plan_key()
    if document["seal"] == planfile.SEAL_KEYED and key is None:
        document["digest"] = fleet.digest  # checked when it was read, with the key
    else:
        document["digest"] = planfile.digest_of(document, key)
    return document


def dumps(fleet: FleetPlan) -> str:
    return json.dumps(to_document(fleet), indent=2, ensure_ascii=False) + "\n"


def with_digest(fleet: FleetPlan) -> FleetPlan:
    """Seal every section and then the whole file (keyed when MRPPLAN_PLAN_KEY is set)."""
    sections = tuple(planfile.with_digest(section) for section in fleet.sections)
    sealed = replace(fleet, sections=sections, seal=planfile.seal_method(), digest="")
    return replace(sealed, digest=to_document(sealed)["digest"])


def write_fleet_plan(fleet: FleetPlan, path: Path) -> Path:
    """Write atomically (temp file + rename); return the path."""
    return planfile.write_atomically(path, dumps(fleet))


def default_path(project: Project, fleet: FleetPlan) -> Path:
    """plans/<env>-<UTC timestamp>.json, like a single plan."""
    stamp = fleet.created_at.replace("-", "").replace(":", "")
    return project.plans_dir / f"{fleet.environment}-{stamp}.json"


def read_any(path: Path) -> Plan | FleetPlan:
    """A saved plan file of either shape, checked like `planfile.read_plan`."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise MrpplanError(f"cannot read plan file {path}: {exc.strerror}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
    if isinstance(document, dict) and document.get("kind") == FLEET_KIND:
        return loads(text, document, str(path))
    return planfile.loads(text, str(path))


def loads(text: str, document: dict[str, Any], where: str) -> FleetPlan:
    """A fleet document; Refused (exit 3) for anything edited or unknown."""
    if document.get("format_version") != FORMAT_VERSION:
        raise Refused(
            f"{where}: plan format version {document.get('format_version')!r} is not known "
            f"to this mrpplan (it reads version {FORMAT_VERSION})",
            hint="make a new plan with this version of mrpplan",
        )
    recorded = document.get("digest")
    actual = planfile.digest_of(document, planfile.plan_key())
    if not isinstance(recorded, str) or not hmac.compare_digest(recorded, actual):
        raise Refused(
            f"{where}: {_EDITED}: its seal does not match its contents. Nothing was changed.",
            hint="make a new plan; never edit a plan file by hand",
        )
    sections = document.get("sections")
    if not isinstance(sections, list) or not sections:
        raise Refused(f"{where}: not a valid fleet plan file: it has no sections")
    import jsonschema

    validator = jsonschema.Draft202012Validator(planfile.plan_json_schema())
    plans: list[Plan] = []
    for index, section in enumerate(sections):
        error = next(iter(validator.iter_errors(section)), None)
        if error is not None:
            at = "/".join(map(str, error.absolute_path)) or "(top level)"
            raise Refused(f"{where}: not a valid plan file: sections/{index}/{at}: {error.message}")
        plans.append(planfile.from_document(section))
    try:
        fleet = FleetPlan(
            environment=str(document["environment"]),
            created_at=str(document["created_at"]),
            sections=tuple(plans),
            origin=dict(document.get("origin") or {}),
            mrpplan_version=str(document["mrpplan_version"]),
            format_version=int(document["format_version"]),
            seal=str(document.get("seal") or planfile.SEAL_PLAIN),
            digest=str(recorded),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise Refused(f"{where}: not a valid fleet plan file: {exc}") from None
    if any(p.environment != fleet.environment for p in plans) or dumps(fleet).rstrip() != (
        text.replace("\r\n", "\n").rstrip()
    ):
        raise Refused(
            f"{where}: {_EDITED}: its text differs from what mrpplan wrote. Nothing was changed.",
            hint="make a new plan; never edit a plan file by hand",
        )
    return fleet
