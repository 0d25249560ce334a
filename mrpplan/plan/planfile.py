"""The only code that knows a plan's on-disk form (DESIGN §3.3).

The digest covers the canonical JSON (sorted keys, no whitespace, UTF-8) of every key
except `digest`: an HMAC-SHA256 keyed by MRPPLAN_PLAN_KEY when that variable is set
(`"seal": "hmac-sha256"`), plain sha256 otherwise (DESIGN §3.7). Whoever can edit a file
can recompute a plain digest, so only a keyed seal says who made the plan; `apply` also
rebuilds the plan and never trusts the file's own safety claims. Reading insists that the
file is byte for byte what writing would produce, so any edit is refused as tampering.
The key itself is never written anywhere nor shown in a message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from mrpplan.config import Project
from mrpplan.errors import MrpplanError, Refused
from mrpplan.plan.kinds import CheckpointTables, OnlineRoute, Payload, StepKind, kind_named
from mrpplan.plan.types import FORMAT_VERSION, Desired, Finding, Plan, Prior, Step, Target

_EDITED = "the plan file was edited after it was made (tampered or damaged)"


@cache
def plan_json_schema() -> dict[str, Any]:
    text = (Path(__file__).parent.parent / "schemas" / "plan.schema.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def to_document(plan: Plan) -> dict[str, Any]:
    """The JSON document, digest included (computed here, never trusted from `plan`)."""
    summary = plan.summary
    document: dict[str, Any] = {
        "format_version": plan.format_version,
        "mrpplan_version": plan.mrpplan_version,
        "environment": plan.environment,
        "target": {
            "host": plan.target.host,
            "port": plan.target.port,
            "database": plan.target.database,
            "flavor": plan.target.flavor,
            "server_version": plan.target.server_version,
        },
        "created_at": plan.created_at,
        "prior": {
            "fingerprint": plan.prior.fingerprint,
            "schema_version": plan.prior.schema_version,
            "seeds": dict(plan.prior.seeds),
        },
        "desired": {
            "schema_version": plan.desired.schema_version,
            "source_digest": plan.desired.source_digest,
            "fingerprint": plan.desired.fingerprint,
        },
        "summary": {
            "add": summary.add,
            "change": summary.change,
            "destroy": summary.destroy,
            "data": summary.data,
        },
        "steps": [_step_document(step) for step in plan.steps],
        "prior_objects": dict(plan.prior_objects),
        "warnings": list(plan.warnings),
        **({"preflight": [_finding_document(f) for f in plan.preflight]} if plan.preflight else {}),
        "origin": dict(plan.origin),
        "seal": plan.seal or seal_method(),
    }
    key = plan_key()
    if document["seal"] == SEAL_KEYED and key is None:
        document["digest"] = plan.digest  # checked when it was read, with the key
    else:
        document["digest"] = digest_of(document, key)
    return document


def _step_document(step: Step) -> dict[str, Any]:
    return {
        "id": step.id,
        "action": step.action,
        "object": step.object,
        "sql": list(step.sql),
        "reverse_sql": None if step.reverse_sql is None else list(step.reverse_sql),
        "destructive": step.destructive,
        "reason": step.reason,
        "algorithm": step.algorithm,
        "checkpoint": step.checkpoint,
        **({"changes": [dict(c) for c in step.changes]} if step.changes else {}),
        **({"lock": step.lock} if step.lock != "n/a" else {}),
        **_payload_document(step.payload),
    }


def _payload_document(payload: Payload) -> dict[str, Any]:
    """The payload's keys in the step's JSON (a checkpoint's tables are its `object`)."""
    if isinstance(payload, OnlineRoute):
        route: dict[str, Any] = {
            "tool": payload.tool,
            "foreign_keys": payload.foreign_keys,
            "children": list(payload.children),
            "trash": payload.trash,
        }
        if payload.rows is not None:
            route["rows"] = payload.rows
        if payload.estimate_seconds is not None:
            route["estimate_seconds"] = payload.estimate_seconds
        if payload.max_flow_ctl is not None:
            route["max_flow_ctl"] = payload.max_flow_ctl
        return {"online": route}
    return {}


def _step(data: dict[str, Any], where: str) -> Step:
    kind = kind_named(data["action"])
    if kind is None:
        raise Refused(
            f"{where}: step {data['id']} ({data['action']} {data['object']}) is of a kind this "
            f"mrpplan does not know, {data['action']!r}: no runner carries it out, and "
            "mrpplan never runs such a step's SQL blindly. Nothing was changed.",
            hint="make a new plan with this version of mrpplan",
        )
    return Step(
        kind=kind,
        object=data["object"],
        sql=tuple(data["sql"]),
        reverse_sql=None if data["reverse_sql"] is None else tuple(data["reverse_sql"]),
        destructive=data["destructive"],
        reason=data["reason"],
        algorithm=data["algorithm"],
        checkpoint=data["checkpoint"],
        changes=tuple(data.get("changes") or ()),
        lock=data.get("lock", "n/a"),
        payload=_payload(kind, data),
        id=data["id"],
    )


def _payload(kind: StepKind, data: dict[str, Any]) -> Payload:
    if kind.payload_type is CheckpointTables:
        return CheckpointTables(tuple(t for t in str(data["object"]).split(",") if t))
    route = data.get("online")
    if kind.payload_type is OnlineRoute or route:
        route = route or {}
        return OnlineRoute(
            tool=str(route.get("tool", "")),
            foreign_keys=str(route.get("foreign_keys", "")),
            trash=route.get("trash"),
            children=tuple(route.get("children") or ()),
            rows=route.get("rows"),
            estimate_seconds=route.get("estimate_seconds"),
            max_flow_ctl=route.get("max_flow_ctl"),
        )
    return None


def _finding_document(finding: Finding) -> dict[str, Any]:
    return {
        "step": finding.step,
        **dict(finding.check),
        "database": finding.database,
        "status": finding.status,
        "offenders": finding.offenders,
        "samples": [
            {"values": list(values), **({"rows": rows} if rows is not None else {})}
            for values, rows in finding.samples
        ],
        **({"note": finding.note} if finding.note else {}),
    }


def _finding(data: dict[str, Any]) -> Finding:
    check_fields = ("check", "table", "columns", "key", "detail")
    return Finding(
        step=data["step"],
        check={name: data[name] for name in check_fields if name in data},
        database=data["database"],
        status=data["status"],
        offenders=data["offenders"],
        samples=tuple((tuple(s["values"]), s.get("rows")) for s in data["samples"]),
        note=data.get("note", ""),
    )


SEAL_PLAIN = "sha256"
SEAL_KEYED = "hmac-sha256"
KEY_VARIABLE = "MRPPLAN_PLAN_KEY"


def plan_key() -> bytes | None:
    value = os.environ.get(KEY_VARIABLE, "")
    return value.encode("utf-8") if value else None


def seal_method() -> str:
    return SEAL_KEYED if plan_key() else SEAL_PLAIN


def digest_of(document: dict[str, Any], key: bytes | None = None) -> str:
    """The seal over everything except `digest`: keyed per the document's `seal`."""
    body = {name: value for name, value in document.items() if name != "digest"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    data = canonical.encode("utf-8")
    if document.get("seal") == SEAL_KEYED:
        if key is None:
            raise Refused(
                f"this plan is sealed with a key, and {KEY_VARIABLE} is not set here, so its "
                "seal cannot be checked. Nothing was changed.",
                hint=f"set {KEY_VARIABLE} to the key the plan was made with (CI keeps it as "
                "a secret)",
            )
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


def dumps(plan: Plan) -> str:
    """The file's text: indented for review in pull requests, keys in DESIGN order."""
    return json.dumps(to_document(plan), indent=2, ensure_ascii=False) + "\n"


def with_digest(plan: Plan) -> Plan:
    """Seal the plan now: keyed when MRPPLAN_PLAN_KEY is set."""
    from dataclasses import replace

    sealed = replace(plan, seal=seal_method(), digest="")
    return replace(sealed, digest=to_document(sealed)["digest"])


def write_plan(plan: Plan, path: Path) -> Path:
    """Write atomically (temp file + rename); return the path."""
    return write_atomically(path, dumps(plan))


def write_atomically(path: Path, text: str) -> Path:
    """A plan file appears whole or not at all (temp file + rename); return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".plan-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def default_plan_path(project: Project, plan: Plan) -> Path:
    """plans/<env>-<UTC timestamp>.json"""
    stamp = plan.created_at.replace("-", "").replace(":", "")
    return project.plans_dir / f"{plan.environment}-{stamp}.json"


def read_plan(path: Path) -> Plan:
    """Load and check a plan file: format version, digest, exact bytes, JSON Schema."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MrpplanError(f"cannot read plan file {path}: {exc.strerror}") from None
    return loads(raw.decode("utf-8", errors="replace"), str(path))


def loads(text: str, where: str = "plan") -> Plan:
    """Parse a plan document from text; Refused (exit 3) for anything edited or unknown."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Refused(f"{where}: {_EDITED}: not valid JSON at line {exc.lineno}") from None
    if not isinstance(document, dict):
        raise Refused(f"{where}: not an mrpplan plan file")
    version = document.get("format_version")
    if isinstance(version, int) and version < FORMAT_VERSION:
        raise Refused(
            f"{where}: plan format version {version} was made by an older mrpplan: plan again "
            f"(this mrpplan reads version {FORMAT_VERSION}). Nothing was changed.",
            hint="make a new plan with this version of mrpplan",
        )
    if version != FORMAT_VERSION:
        raise Refused(
            f"{where}: plan format version {version!r} is not known to this mrpplan "
            f"(it reads version {FORMAT_VERSION})",
            hint="make a new plan with this version of mrpplan",
        )
    recorded = document.get("digest")
    actual = digest_of(document, plan_key())
    if not isinstance(recorded, str) or not hmac.compare_digest(recorded, actual):
        keyed = document.get("seal") == SEAL_KEYED
        raise Refused(
            f"{where}: {_EDITED}"
            + (" or sealed with another key" if keyed else "")
            + ": its seal does not match its contents. Nothing was changed.",
            hint="make a new plan; never edit a plan file by hand",
        )
    import jsonschema  # here: writing a plan (the common case) does not need it

    errors = sorted(
        jsonschema.Draft202012Validator(plan_json_schema()).iter_errors(document),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if errors:
        first = errors[0]
        at = "/".join(map(str, first.absolute_path)) or "(top level)"
        raise Refused(f"{where}: not a valid plan file: {at}: {first.message}")
    plan = from_document(document, where)
    if _normalized(dumps(plan)) != _normalized(text):
        raise Refused(
            f"{where}: {_EDITED}: its text differs from what mrpplan wrote. Nothing was changed.",
            hint="make a new plan; never edit a plan file by hand",
        )
    return plan


def _normalized(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip()


def from_document(document: dict[str, Any], where: str = "plan") -> Plan:
    """The plan a checked document describes; Refused for a step of an unknown kind."""
    target = document["target"]
    prior = document["prior"]
    desired = document["desired"]
    return Plan(
        environment=document["environment"],
        target=Target(
            host=target["host"],
            port=target["port"],
            database=target["database"],
            flavor=target["flavor"],
            server_version=target["server_version"],
        ),
        created_at=document["created_at"],
        prior=Prior(prior["fingerprint"], prior["schema_version"], dict(prior["seeds"])),
        desired=Desired(
            desired["schema_version"], desired["source_digest"], desired["fingerprint"]
        ),
        steps=tuple(_step(s, where) for s in document["steps"]),
        prior_objects=dict(document.get("prior_objects") or {}),
        warnings=tuple(document.get("warnings") or ()),
        preflight=tuple(_finding(f) for f in document.get("preflight") or ()),
        origin=dict(document.get("origin") or {}),
        seal=str(document.get("seal") or SEAL_PLAIN),
        mrpplan_version=document["mrpplan_version"],
        format_version=document["format_version"],
        digest=document["digest"],
    )
