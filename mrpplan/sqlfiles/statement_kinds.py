"""What a statement of a schema, migration or seed file may be: an allowlist of kinds.

The statement is read the way the server reads it (`tokens`: comments dropped, executable
comments expanded for the target's version) and sorted into one of four verdicts:

- allowed: DDL on the database's own objects (CREATE/ALTER/DROP TABLE, INDEX, VIEW,
  TRIGGER, PROCEDURE, FUNCTION, EVENT, SEQUENCE; RENAME TABLE), row writes (INSERT,
  UPDATE, DELETE, REPLACE), reads (SELECT, WITH, DO, without INTO OUTFILE/DUMPFILE),
  transaction control of seeds, and SET of harmless session variables;
- data-losing: allowed, but the plan keeps the data first and counts it as destructive
  (TRUNCATE, CREATE OR REPLACE TABLE, ALTER TABLE ... DROP/TRUNCATE PARTITION);
- dynamic: what cannot be judged from its text (EXECUTE IMMEDIATE, PREPARE, EXECUTE,
  DEALLOCATE, CALL, or a stored program whose body does one of them): refused unless the
  file says `-- mrpplan:allow-dynamic <reason>` (checksummed with the file); the plan then
  flags the step and checkpoints the whole database before it;
- refused: everything else, accounts and the server (GRANT, CREATE USER, SET GLOBAL,
  SET PASSWORD, INSTALL PLUGIN, KILL, FLUSH, SHUTDOWN ...), LOAD DATA, HANDLER, USE,
  databases, and any statement naming an object with a database qualifier.

Qualified names: a migration is written without knowing the database it will run in
(local, dev, prod and the scratch workspace all have different names), so `db.t` can only
mean another database, even when `db` happens to be the target's name: every database
qualifier is refused. mrpplan's own generated SQL is checked by the apply guard, which
knows the target's name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mrpplan.sqlfiles.split import SqlStatement
from mrpplan.sqlfiles.tokens import Token, tokenize

ALLOWED = "allowed"
DATA_LOSING = "data-losing"
DYNAMIC = "dynamic"
REFUSED = "refused"

Version = tuple[int, int, int] | None

_OBJECTS = {"TABLE", "INDEX", "VIEW", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT", "SEQUENCE"}
_PROGRAMS = {"PROCEDURE", "FUNCTION", "TRIGGER", "EVENT"}
# words between CREATE and the object kind
_CREATE_OPTIONS = {
    "OR", "REPLACE", "TEMPORARY", "UNIQUE", "FULLTEXT", "SPATIAL", "ONLINE", "OFFLINE",
    "AGGREGATE", "IF", "NOT", "EXISTS", "UNDEFINED", "MERGE", "TEMPTABLE", "INVOKER",
    "SECURITY", "SQL", "DEFINER", "ALGORITHM", "CURRENT_USER", "CURRENT_ROLE",
}  # fmt: skip
_DYNAMIC = {"EXECUTE", "PREPARE", "DEALLOCATE", "CALL"}
_READS = {"SELECT", "WITH", "DO", "VALUES"}
_TRANSACTION = {"START", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}
# session variables a file may set: they change how this session reads its own statements
HARMLESS_VARIABLES = frozenset(
    {
        "foreign_key_checks", "unique_checks", "sql_mode", "names", "character_set_client",
        "character_set_connection", "character_set_results", "collation_connection",
        "time_zone", "sql_notes", "sql_warnings", "check_constraint_checks",
        "sql_quote_show_create", "sql_safe_updates", "max_statement_time",
        "lock_wait_timeout", "innodb_lock_wait_timeout", "group_concat_max_len",
        "div_precision_increment", "sql_select_limit", "max_join_size", "sql_big_selects",
        "explicit_defaults_for_timestamp", "default_storage_engine", "storage_engine",
        "auto_increment_increment", "auto_increment_offset",
    }
)  # fmt: skip
# words after which a name is an object (a table, view, routine ...), not a column
_OBJECT_WORDS = {
    "TABLE", "TABLES", "INTO", "FROM", "JOIN", "UPDATE", "VIEW", "TO", "PROCEDURE",
    "FUNCTION", "TRIGGER", "EVENT", "SEQUENCE", "EXISTS", "REFERENCES", "CALL", "USING",
    "FOR",
}  # fmt: skip
# words that may start a statement inside a stored program's body
_BODY_STARTS = {";", "BEGIN", "THEN", "ELSE", "DO", "LOOP", "REPEAT", ":"}


@dataclass(frozen=True)
class Kind:
    """What one statement is. `name`: its kind for messages ("TRUNCATE", "GRANT",
    "CREATE TABLE"); `tables`: the tables a data-losing kind empties or replaces;
    `line`: 0-based line within the statement where the kind shows."""

    name: str
    verdict: str
    why: str = ""
    tables: tuple[str, ...] = ()
    line: int = 0

    @property
    def outside(self) -> bool:
        """It manages accounts, the server, its files or another database: no step of any
        plan ever runs such a statement (the apply guard)."""
        return self.verdict == REFUSED and self.name.startswith(_OUTSIDE)


_ACCOUNTS = "mrpplan never manages accounts, privileges or the server"
# refused kinds that reach past the database (accounts, the server, files on the server)
_OUTSIDE = (
    "GRANT", "REVOKE", "CREATE USER", "DROP USER", "ALTER USER", "RENAME USER", "CREATE ROLE",
    "DROP ROLE", "SET ", "INSTALL", "UNINSTALL", "SHUTDOWN", "KILL", "FLUSH", "RESET", "PURGE",
    "CHANGE", "START", "STOP", "LOAD", "USE", "SELECT ... INTO", "CREATE FUNCTION ... SONAME",
    "BINLOG", "CREATE SERVER", "ALTER SERVER", "DROP SERVER", "ALTER INSTANCE", "BACKUP", "XA",
    "HANDLER",
)  # fmt: skip


def classify(sql: str, version: Version = None, mariadb: bool = True) -> Kind:
    """The kind of one statement as the server of `version` reads it (remembered: a plan
    judges the same statements in its checks, its workspace and its traces). The server
    matters only to an executable comment: without one, every server reads the statement
    alike, so the apply's guard (which reads every executable comment as running) and the
    plan's file checks (which read them as the target server does) share one reading."""
    if "/*" not in sql:
        return _classify(sql, None, True)
    return _classify(sql, version, mariadb)


@functools.lru_cache(maxsize=8192)
def _classify(sql: str, version: Version, mariadb: bool) -> Kind:
    tokens = tokenize(sql, version, mariadb)
    while tokens and tokens[-1].text == ";":
        tokens.pop()
    if not tokens:
        return Kind("empty statement", ALLOWED)
    kind = _kind(tokens)
    if kind.verdict == REFUSED:
        return kind
    databases = named_databases(tokens)
    if databases:
        token = databases[0]
        return Kind(
            kind.name,
            REFUSED,
            f"it names another database, {token.name} (files name their objects without a"
            " database: the environment file says which database they run in)",
            line=token.line,
        )
    return kind


def _kind(tokens: list[Token]) -> Kind:
    first = tokens[0]
    line = first.line
    head = first.text if first.kind == "word" else ""
    if head in ("CREATE", "ALTER", "DROP"):
        return _ddl(tokens, head)
    if head == "RENAME":
        if len(tokens) > 1 and tokens[1].word("TABLE", "TABLES"):
            return Kind("RENAME TABLE", ALLOWED, line=line)
        return _refused(f"RENAME {_word(tokens, 1)}", _ACCOUNTS, line)
    if head in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
        return Kind(head, ALLOWED, line=line)
    if head == "TRUNCATE":
        at = 2 if len(tokens) > 2 and tokens[1].word("TABLE") else 1
        tables = (tokens[at].name,) if at < len(tokens) and tokens[at].is_name else ()
        return Kind("TRUNCATE", DATA_LOSING, "it empties the table", tables, line)
    if head in _READS:
        return _read(tokens, head)
    if head in _TRANSACTION and (head != "START" or _word(tokens, 1) == "TRANSACTION"):
        return Kind(head, ALLOWED, line=line)
    if head == "SET":
        return _set(tokens)
    if head in _DYNAMIC:
        name = "EXECUTE IMMEDIATE" if _word(tokens, 1) == "IMMEDIATE" else head
        return Kind(name, DYNAMIC, "what it runs cannot be read from the file", line=line)
    if head == "LOAD":
        return _refused(f"LOAD {_word(tokens, 1)}", "it reads files on the server", line)
    if head == "USE":
        return _refused("USE", "it switches to another database", line)
    if head in ("GRANT", "REVOKE"):
        return _refused(head, _ACCOUNTS, line)
    name = (
        " ".join(t.text for t in tokens[:2] if t.kind == "word")
        if head in _TWO_WORDS
        else (head or first.text)
    )
    return _refused(name, "it is not a kind of statement schema, migration or seed files run", line)


# refused statements named by their first two words (INSTALL PLUGIN, FLUSH PRIVILEGES ...)
_TWO_WORDS = {
    "INSTALL", "UNINSTALL", "FLUSH", "CHANGE", "STOP", "RESET", "SHOW", "OPTIMIZE",
    "ANALYZE", "CHECK", "REPAIR", "LOCK", "UNLOCK", "PURGE", "XA", "BACKUP", "CACHE",
}  # fmt: skip


def _ddl(tokens: list[Token], head: str) -> Kind:
    i = 1
    replace = False
    while i < len(tokens):
        token = tokens[i]
        if token.word("REPLACE"):
            replace = True
        if token.text == "=" or (token.kind == "op" and token.text in "@."):
            i += 1
            continue
        if token.word(*_CREATE_OPTIONS) or (i > 1 and tokens[i - 1].text in ("=", "@")):
            i += 1
            continue
        if token.kind in ("string", "ident", "variable") and i > 1:
            i += 1  # DEFINER = 'user'@'host'
            continue
        break
    if head == "ALTER":
        i = 1
        while i < len(tokens) and tokens[i].word("ONLINE", "IGNORE"):
            i += 1
        if _word(tokens, i) not in _OBJECTS:  # ALTER DEFINER=... VIEW
            i = next((j for j, t in enumerate(tokens) if t.word(*_OBJECTS)), i)
    what = _word(tokens, i)
    line = tokens[0].line
    name = f"{head}{' OR REPLACE' if replace else ''} {what}".strip()
    if what not in _OBJECTS:
        why = (
            _ACCOUNTS
            if what in ("USER", "ROLE")
            else "only the database's own tables, views, routines, triggers, events and"
            " sequences are created, changed or dropped by files"
        )
        return _refused(name, why, line)
    if what == "FUNCTION" and any(t.word("SONAME") for t in tokens):
        return _refused("CREATE FUNCTION ... SONAME", "it loads a library into the server", line)
    if what in _PROGRAMS and head in ("CREATE", "ALTER"):
        inner = _body_kind(tokens[i + 1 :])
        if inner is not None:
            return Kind(
                f"{name} running {inner.name}", inner.verdict, f"its body runs {inner.name}", (),
                inner.line,
            )  # fmt: skip
    if what == "TABLE" and head == "CREATE" and replace:
        table = _name_after(tokens, i + 1)
        return Kind(name, DATA_LOSING, "it replaces the table", (table,) if table else (), line)
    if what == "TABLE" and head == "ALTER":
        for j, token in enumerate(tokens[i + 1 :], i + 1):
            if token.word("DROP", "TRUNCATE") and _word(tokens, j + 1) == "PARTITION":
                table = _name_after(tokens, i + 1)
                return Kind(
                    f"ALTER TABLE ... {token.text} PARTITION", DATA_LOSING,
                    "it removes the partition's rows", (table,) if table else (), token.line,
                )  # fmt: skip
    return Kind(name, ALLOWED, line=line)


def _body_kind(tokens: list[Token]) -> Kind | None:
    """The first statement of a stored program's body that is not allowed, if any."""
    for j, token in enumerate(tokens):
        if j and tokens[j - 1].text not in _BODY_STARTS and not tokens[j - 1].word(*_BODY_STARTS):
            continue
        if token.kind != "word" or token.word("BEGIN", "END", "IF", "WHILE", "LOOP", "REPEAT"):
            continue
        inner = _kind(tokens[j:])
        if inner.verdict in (DYNAMIC, REFUSED) and token.text in _REFUSED_IN_BODIES:
            return inner
    return None


# statement starts checked inside bodies (a body's own DECLARE, IF, RETURN ... are fine)
_REFUSED_IN_BODIES = _DYNAMIC | {
    "GRANT", "REVOKE", "LOAD", "USE", "FLUSH", "KILL", "SHUTDOWN", "INSTALL", "UNINSTALL",
    "RESET", "PURGE", "CHANGE", "HANDLER", "TRUNCATE",
}  # fmt: skip


def _read(tokens: list[Token], head: str) -> Kind:
    for j, token in enumerate(tokens):
        if token.word("INTO") and _word(tokens, j + 1) in ("OUTFILE", "DUMPFILE"):
            return _refused(
                f"SELECT ... INTO {tokens[j + 1].text}",
                "it writes a file on the server",
                token.line,
            )
    return Kind(head, ALLOWED, line=tokens[0].line)


def _set(tokens: list[Token]) -> Kind:
    """SET of harmless session variables only; SET STATEMENT ... FOR is its statement."""
    line = tokens[0].line
    second = _word(tokens, 1)
    if second in ("PASSWORD", "ROLE", "DEFAULT", "GLOBAL", "PERSIST", "PERSIST_ONLY"):
        return _refused(f"SET {second}", _ACCOUNTS, line)
    if second == "STATEMENT":
        at = next((j for j, t in enumerate(tokens) if t.word("FOR")), None)
        return (
            _kind(tokens[at + 1 :])
            if at is not None and at + 1 < len(tokens)
            else _refused("SET STATEMENT", "no statement follows", line)
        )
    if second == "TRANSACTION":
        return _refused("SET TRANSACTION", "mrpplan owns the transaction", line)
    for target in _assigned(tokens[1:]):
        if target.kind == "variable" and not target.text.startswith("@@"):
            continue  # a user variable: this session's own value
        name = target.name if target.is_name else target.text
        scope, _, variable = name.lstrip("@").lower().rpartition(".")
        if scope in ("global", "persist", "persist_only") or variable not in HARMLESS_VARIABLES:
            return _refused(
                f"SET {name}", "only harmless session variables may be set", target.line
            )
    return Kind("SET", ALLOWED, line=line)


def _assigned(tokens: list[Token]) -> Iterable[Token]:
    """The variable each assignment of a SET names (NAMES and CHARACTER SET included)."""
    depth, expect = 0, True
    for token in tokens:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.text == "," and depth == 0:
            expect = True
        elif expect and not token.word("SESSION", "LOCAL"):
            expect = False
            if token.word("CHARACTER", "CHARSET"):
                yield Token("word", "NAMES", token.line, "names")
            else:
                yield token


def database_ddl(tokens: list[Token]) -> tuple[str, str] | None:
    """(CREATE|DROP|ALTER, name) of a CREATE/DROP/ALTER DATABASE statement."""
    if _word(tokens, 0) not in ("CREATE", "DROP", "ALTER") or _word(tokens, 1) not in (
        "DATABASE",
        "SCHEMA",
    ):
        return None
    name = _name_after(tokens, 2)
    return (tokens[0].text, name) if name else None


def named_databases(tokens: list[Token]) -> list[Token]:
    """The database qualifiers of object names (`db`.`t`, db.t, db.t.c, db.f(...))."""
    found: list[Token] = []
    if not any(t.text == "." and t.kind == "op" for t in tokens):
        return found  # every qualified name has its dot
    kind = _word(tokens, 1) if _word(tokens, 0) in ("CREATE", "DROP") else ""
    on_names_table = kind in ("INDEX", "TRIGGER") or "TRIGGER" in {t.text for t in tokens[:12]}
    i, n = 0, len(tokens)
    while i < n:
        if _qualified(tokens, i) and _qualified(tokens, i + 2):
            found.append(tokens[i])  # db.table.column
            i += 5
            continue
        if _qualified(tokens, i) and i + 3 < n and tokens[i + 3].text == "(":
            if not (i and tokens[i - 1].word("TABLE", "INTO", "VIEW", "REFERENCES")):
                found.append(tokens[i])  # db.function(...)
            i += 3
            continue
        token = tokens[i]
        starts_names = token.word(*_OBJECT_WORDS) or (token.word("ON") and on_names_table)
        if token.word("LIKE") and kind == "TABLE":
            starts_names = True
        if token.word("ON"):
            on_names_table = False  # only the first ON of an index or trigger names a table
        if not starts_names:
            i += 1
            continue
        i += 1
        while i < n:
            while i < n and tokens[i].word("IF", "NOT", "EXISTS", "TABLE", "ONLY"):
                i += 1
            if _qualified(tokens, i):
                found.append(tokens[i])
                i += 3
            elif i < n and tokens[i].is_name:
                i += 1
            else:
                break
            if i < n and tokens[i].word("AS"):
                i += 1
            if i + 1 < n and tokens[i].is_name and tokens[i + 1].text == ",":
                i += 1  # an alias
            if i < n and tokens[i].text == ",":
                i += 1
                continue
            break
    return found


def _qualified(tokens: list[Token], i: int) -> bool:
    return (
        i + 2 < len(tokens)
        and tokens[i].is_name
        and tokens[i + 1].text == "."
        and tokens[i + 2].kind in ("word", "ident", "op")
        and (tokens[i + 2].is_name or tokens[i + 2].text == "*")
    )


def _word(tokens: list[Token], i: int) -> str:
    return tokens[i].text if i < len(tokens) and tokens[i].kind == "word" else ""


def _name_after(tokens: list[Token], i: int) -> str:
    while i < len(tokens) and tokens[i].word("IF", "NOT", "EXISTS"):
        i += 1
    return tokens[i].name if i < len(tokens) and tokens[i].is_name else ""


def _refused(name: str, why: str, line: int) -> Kind:
    return Kind(name, REFUSED, why, line=line)


ANNOTATION = re.compile(r"^\s*--\s+mrpplan:allow-dynamic(?:[ \t]+(?P<reason>\S[^\n]*))?$", re.M)


@functools.lru_cache(maxsize=256)
def _annotation_in(text: str) -> str | None:
    found = ANNOTATION.search(text)
    if found is None:
        return None
    return (found.group("reason") or "").strip()


def allow_dynamic_reason(file: Path) -> str | None:
    """The reviewed reason a file gives for its dynamic SQL (`-- mrpplan:allow-dynamic
    <reason>`); None when it has none. A bare annotation has reason "" (refused)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return _annotation_in(text)


@dataclass(frozen=True)
class Verdict:
    """One file statement judged: its kind, the line to name, and why it is refused
    ("" when it may run). `dynamic`: the annotation's reason when it let it run."""

    kind: Kind
    line: int
    problem: str = ""
    dynamic: str | None = None


def judge(statement: SqlStatement, version: Version = None, mariadb: bool = True) -> Verdict:
    """Whether a statement of a project file may run (module docstring)."""
    kind = classify(statement.text, version, mariadb)
    line = statement.line + kind.line
    if kind.verdict == REFUSED:
        return Verdict(kind, line, f"{kind.name} is refused: {kind.why}")
    if kind.verdict == DYNAMIC:
        reason = allow_dynamic_reason(statement.file)
        if not reason:
            return Verdict(
                kind,
                line,
                f"{kind.name} is refused: {kind.why}. After review, the file may say"
                " `-- mrpplan:allow-dynamic <reason>` (the plan then checkpoints the whole"
                " database before it)",
            )
        return Verdict(kind, line, dynamic=reason)
    return Verdict(kind, line)


def refuse_statements(
    statements: Iterable[SqlStatement], version: Version = None, mariadb: bool = True
) -> None:
    """Raise SqlError (exit 1) naming file:line for the first statement that may not run."""
    from mrpplan.errors import SqlError

    for statement in statements:
        verdict = judge(statement, version, mariadb)
        if verdict.problem:
            where = f"{statement.file}:{verdict.line}"
            raise SqlError(
                f"{where}: {verdict.problem}",
                statement=statement.text,
                source=where,
                unchanged="Nothing was changed: no statement of the files ran.",
                hint="schema, migration and seed files change only the environment's own"
                " database (see 'What a file may run' in the README)",
            )
