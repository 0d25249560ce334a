"""Environment YAML -> validated, expanded Environment (with file:line in every message)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mrpplan.config.expand import expand, is_single_reference
from mrpplan.config.option_file import read_client_options
from mrpplan.config.project import Project
from mrpplan.config.settings import (
    BackupSettings,
    ClusterSettings,
    ConnectionSettings,
    Environment,
    FleetSettings,
    OnlineSchemaChange,
    Policy,
    Preflight,
    SchemaSettings,
    SyncSettings,
)
from mrpplan.config.text_file import TextFileError
from mrpplan.config.yaml_lines import Path_, line_of, load_with_lines
from mrpplan.errors import ConfigError
from mrpplan.local_cache import read_json, write_json

if TYPE_CHECKING:  # imported on a cache miss only: it takes longer to load than a plan takes
    import jsonschema

_SECRET_KEYS = {"password", "passwd", "pass", "pwd", "secret"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, at a line."""

    file: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.message}"


@cache
def environment_json_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_schema_text())
    return data


@cache
def _schema_text() -> str:
    return (Path(__file__).parent.parent / "schemas" / "environment.schema.json").read_text()


def check_environment_file(project: Project, path: Path) -> tuple[dict[str, Any], list[Problem]]:
    """Expand and validate one file; return the document and every problem found."""
    display = _display(project, path)
    try:
        raw, lines = load_with_lines(path, project.cache_dir)
    except TextFileError as exc:  # not readable, not UTF-8, or not YAML
        return {}, [Problem(display, exc.line, exc.problem)]
    except ConfigError as exc:
        return {}, [Problem(display, None, exc.message.split(": ", 1)[-1])]
    if not isinstance(raw, dict):
        return {}, [Problem(display, 1, "expected a mapping of settings at the top level")]
    problems: list[Problem] = []
    for at in _secret_paths(raw, ()):
        problems.append(
            Problem(
                display,
                line_of(lines, at),
                f"literal password at '{'.'.join(map(str, at))}' is not allowed: "
                "use password_env (a variable name) or option_file",
            )
        )
    doc = _expand_tree(raw, (), project.variables(), display, lines, problems)
    if problems:
        return doc, problems
    problems.extend(_schema_check(project, doc, display, lines))
    if not problems:
        problems.extend(_database_problems(doc, display, lines))
    if not problems and doc.get("name") != path.stem:
        problems.append(
            Problem(
                display,
                line_of(lines, ("name",)),
                f"name is {doc.get('name')!r} but the file is {path.name}: they must match",
            )
        )
    return doc, problems


def _schema_check(
    project: Project, doc: dict[str, Any], display: Path, lines: dict[Path_, int]
) -> list[Problem]:
    """The JSON Schema problems of an expanded document. A document found valid once is
    remembered by its hash (the check is a pure function of document and schema), so
    later commands skip loading jsonschema."""
    typed = json.dumps(
        [doc, _schema_text()], sort_keys=True, default=lambda o: [type(o).__name__, str(o)]
    )
    digest = hashlib.sha256(typed.encode()).hexdigest()
    marker = project.cache_dir / "valid-environments" / f"{digest}.json"
    if read_json(marker) == digest:
        return []
    import jsonschema

    validator = jsonschema.Draft202012Validator(environment_json_schema())
    problems: list[Problem] = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        problems.extend(_schema_problems(error, display, lines))
    if not problems:
        write_json(marker, digest)
    return problems


def _database_problems(
    doc: dict[str, Any], display: Path, lines: dict[Path_, int]
) -> list[Problem]:
    """Every server must name its databases: its own `database`, or the `databases:` list."""
    if doc.get("databases"):
        return []
    servers: list[tuple[Path_, Any]] = (
        [(("connections", i), c) for i, c in enumerate(doc["connections"])]
        if doc.get("connections")
        else [(("connection",), doc.get("connection") or {})]
    )
    return [
        Problem(
            display,
            line_of(lines, at),
            f"{'.'.join(map(str, at))}: no database: set database (a name or a LIKE pattern "
            "such as tenant_%), or list them under databases:",
        )
        for at, server in servers
        if not server.get("database")
    ]


def _schema_problems(
    error: jsonschema.ValidationError, display: Path, lines: dict[Path_, int]
) -> list[Problem]:
    """One JSON Schema error as Problems; an unknown key is reported at its own line."""
    at = tuple(error.absolute_path)
    field = ".".join(map(str, at)) or "(top level)"
    if error.validator == "anyOf" and not at:
        return [
            Problem(display, None, "connection is required (or connections: a list of servers)")
        ]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = [key for key in error.instance if key not in allowed]
        if extra:
            known = ", ".join(allowed)
            return [
                Problem(
                    display,
                    line_of(lines, (*at, key)),
                    f"{'.'.join(map(str, (*at, key)))}: unknown setting {key!r} "
                    f"(allowed here: {known})",
                )
                for key in extra
            ]
    return [Problem(display, line_of(lines, at), f"{field}: {error.message}")]


def load_environment(project: Project, name: str) -> Environment:
    """The named environment, or a ConfigError naming every problem with file:line."""
    path = project.environment_file(name)
    if not path.is_file():
        known = ", ".join(project.environment_names()) or "none"
        raise ConfigError(f"unknown environment {name!r}: no {path} (known: {known})")
    doc, problems = check_environment_file(project, path)
    if problems:
        raise ConfigError("\n".join(map(str, problems)), unchanged="Nothing was changed.")
    return _environment(project, path, doc)


def _environment(project: Project, path: Path, doc: dict[str, Any]) -> Environment:
    databases = tuple(str(d) for d in doc.get("databases") or ())
    servers = tuple(
        _connection(project, conn) for conn in (doc.get("connections") or [doc["connection"]])
    )
    schema = doc.get("schema") or {}
    sync = doc.get("sync")
    backup = doc.get("backup") or {}
    policy = doc.get("policy") or {}
    fleet = doc.get("fleet") or {}
    return Environment(
        name=doc["name"],
        file=path,
        connection=servers[0],
        description=doc.get("description", ""),
        protected=bool(doc.get("protected", False)),
        schema=SchemaSettings(
            version=str(schema.get("version", "latest")), drift=schema.get("drift", "error")
        ),
        seeds=tuple(doc.get("seeds") or ()),
        sync=SyncSettings(
            source=sync["source"],
            schema_only=bool(sync.get("schema_only", False)),
            include=tuple(sync.get("include") or ()),
            exclude=tuple(sync.get("exclude") or ()),
            mask=dict(sync.get("mask") or {}),
        )
        if sync
        else None,
        backup=BackupSettings(
            dir=project.resolve(backup.get("dir", "database/backups")),
            retention_days=int(backup.get("retention_days", 30)),
        ),
        policy=Policy(
            allow_destructive=bool(policy.get("allow_destructive", False)),
            checkpoint=policy.get("checkpoint", "auto"),
            online_schema_change=_online_schema_change(policy.get("online_schema_change")),
            preflight=_preflight(policy.get("preflight")),
            lint={
                str(k): "off" if v is False else str(v)
                for k, v in (policy.get("lint") or {}).items()
            },
        ),
        connections=servers if doc.get("connections") else (),
        databases=databases,
        fleet=FleetSettings(
            parallel=int(fleet.get("parallel", 4)), canary=int(fleet.get("canary", 1))
        ),
        workspace=_workspace(project, servers[0], doc.get("workspace")),
        cluster=_cluster(doc.get("cluster")),
    )


def _cluster(doc: Any) -> ClusterSettings | None:
    """`cluster:` (validated by the schema); absent -> None (a Galera node is found anyway)."""
    if not doc:
        return None
    return ClusterSettings(
        type=str(doc.get("type", "galera")),
        nodes=tuple(str(n) for n in doc.get("nodes") or ()),
        size=int(doc["size"]) if doc.get("size") is not None else None,
        max_flow_control_paused=float(doc.get("max_flow_control_paused", 0.1)),
        max_replica_lag=float(doc.get("max_replica_lag", 10)),
        backup_node=str(doc["backup_node"]) if doc.get("backup_node") else None,
    )


def _workspace(
    project: Project, target: ConnectionSettings, doc: dict[str, Any] | None
) -> ConnectionSettings | None:
    """The workspace account: its own user and password, the target's server (an empty
    user, e.g. `${PROD_WORKSPACE_USER:-}` unset: none, the sandbox is used)."""
    if not doc or not doc.get("user"):
        return None
    own = _connection(project, {**doc, "database": ""})
    return replace(
        target,
        user=own.user,
        option_file=own.option_file,
        password_env=own.password_env,
        password=own.password,
        password_source=own.password_source,
    )


def _connection(project: Project, conn: dict[str, Any]) -> ConnectionSettings:
    """One server's settings; the password from its variable or its option file. A server
    without its own `database` (empty here) takes the fleet's `databases:` list.

    `default_option_file` (the sandbox's, in the example environments) is read only when
    the operator set nothing of the connection: a host, user or password given for an
    environment never mixes with the sandbox's credentials."""
    password_env = conn.get("password_env")
    password = project.variables().get(password_env) if password_env else None
    given = [conn.get(key) for key in ("host", "port", "user", "socket", "option_file")]
    chosen = conn.get("option_file") or (
        None if any(given) or password else conn.get("default_option_file")
    )
    option_file = project.resolve(chosen) if chosen else None
    from_file = read_client_options(option_file) if option_file else {}
    source = password_env if password else None
    if not password and from_file.get("password"):
        password, source = from_file["password"], f"option file {option_file}"
    port = conn.get("port") or from_file.get("port")
    socket = conn.get("socket") or from_file.get("socket")
    host = conn.get("host") or from_file.get("host") or (None if socket else "127.0.0.1")
    return ConnectionSettings(
        database=conn.get("database") or "",
        host=host,
        port=int(port) if port else (None if socket and not host else 3306),
        user=conn.get("user") or from_file.get("user") or "root",
        socket=socket,
        option_file=option_file,
        password_env=password_env,
        password=password or None,
        password_source=source,
    )


def _display(project: Project, path: Path) -> Path:
    try:
        return path.resolve().relative_to(project.root.resolve())
    except ValueError:
        return path


def _secret_paths(node: Any, at: Path_) -> list[Path_]:
    found: list[Path_] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if str(key).lower() in _SECRET_KEYS:
                found.append((*at, key))
            else:
                found.extend(_secret_paths(value, (*at, key)))
    return found


def _expand_tree(
    node: Any,
    at: Path_,
    variables: dict[str, str],
    display: Path,
    lines: dict[Path_, int],
    problems: list[Problem],
) -> Any:
    if isinstance(node, dict):
        return {
            k: _expand_tree(v, (*at, k), variables, display, lines, problems)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [
            _expand_tree(v, (*at, i), variables, display, lines, problems)
            for i, v in enumerate(node)
        ]
    if isinstance(node, str) and "${" in node:
        where = f"{display}:{line_of(lines, at)}"
        try:
            value = expand(node, variables, where)
        except ConfigError as exc:
            problems.append(Problem(display, line_of(lines, at), exc.message.split(": ", 1)[-1]))
            return node
        if is_single_reference(node):
            return _typed(value)
        return value
    return node


def _typed(value: str) -> Any:
    """A whole-scalar reference takes the YAML type of its value: "3306" -> 3306, "" -> None.

    Only an integer or a boolean is kept, so a value that cannot be one (no number, sign,
    tag or anchor first, not a YAML 1.1 boolean word) stays text, and a plain decimal or
    boolean is read as PyYAML reads it, without loading PyYAML (a tenth of the start-up of
    a no-change plan); anything else goes to PyYAML."""
    if value.strip() == "":
        return None
    stripped = value.strip(" ")
    if stripped.isprintable():  # no tab, line break or control (PyYAML reads those its way)
        if stripped in _BOOLEANS:
            return _BOOLEANS[stripped]
        if _DECIMAL.fullmatch(stripped):
            return int(stripped.replace("_", ""))
        if stripped[0] not in "0123456789+-!&" and stripped.lower() not in _BOOLEAN_WORDS:
            return value
    import yaml

    try:
        typed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    return (
        typed if isinstance(typed, (int, bool, float)) and not isinstance(typed, float) else value
    )


# PyYAML's (YAML 1.1) booleans and decimal integers, as its resolver spells them
_BOOLEAN_WORDS = {"yes", "no", "true", "false", "on", "off"}
_BOOLEANS = {
    spelled: word in ("yes", "true", "on")
    for word in _BOOLEAN_WORDS
    for spelled in (word, word.capitalize(), word.upper())
}
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)")


def _preflight(doc: Any) -> Preflight:
    """`policy.preflight` (validated by the schema); absent -> the defaults."""
    defaults = Preflight()
    if doc is None:
        return defaults
    return Preflight(
        enabled=bool(doc.get("enabled", defaults.enabled)),
        on_failure=str(doc.get("on_failure", defaults.on_failure)),
        max_seconds=float(doc.get("max_seconds", defaults.max_seconds)),
    )


def _online_schema_change(doc: Any) -> OnlineSchemaChange | None:
    """`policy.online_schema_change` (validated by the schema); absent -> None."""
    if doc is None:
        return None
    defaults = OnlineSchemaChange()
    return OnlineSchemaChange(
        tool=str(doc.get("tool", defaults.tool)),
        min_rows=int(doc.get("min_rows", defaults.min_rows)),
        max_lag=float(doc.get("max_lag", defaults.max_lag)),
        max_threads_running=int(doc.get("max_threads_running", defaults.max_threads_running)),
    )
