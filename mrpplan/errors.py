"""The one error tree users see; the CLI maps each type to an exit code in one place."""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_REFUSED = 3
EXIT_USAGE = 64


class MrpplanError(Exception):
    """An expected failure: printed as one readable message, no traceback."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, unchanged: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.unchanged = unchanged
        self.hint = hint

    def render(self) -> str:
        parts = [self.message]
        if self.unchanged:
            parts.append(self.unchanged)
        if self.hint:
            parts.append(f"Hint: {self.hint}")
        return "\n".join(parts)


class ConfigError(MrpplanError):
    """An environment file, .env or project layout problem."""


class ConnectionFailed(MrpplanError):
    """The server could not be reached or refused the login."""


class UnknownDatabase(ConnectionFailed):
    """The server answered, but the database does not exist (yet)."""


class SqlError(MrpplanError):
    """A statement failed; carries where it came from and the server's errno."""

    def __init__(
        self,
        message: str,
        *,
        statement: str | None = None,
        errno: int | None = None,
        source: str | None = None,
        unchanged: str | None = None,
        hint: str | None = None,
    ):
        super().__init__(message, unchanged=unchanged, hint=hint)
        self.statement = statement
        self.errno = errno
        self.source = source


class ToolMissing(MrpplanError):
    """A required external program (mariadbd, mariadb-dump, ...) is not installed."""


class BackupError(MrpplanError):
    """A backup file is missing, corrupt or does not match its manifest."""


class Refused(MrpplanError):
    """Refused for safety: stale/tampered plan, lock held, policy, protected env."""

    exit_code = EXIT_REFUSED


class UsageError(MrpplanError):
    """The command line itself is wrong."""

    exit_code = EXIT_USAGE
