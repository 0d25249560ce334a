"""Everything that talks to the server. `session()` opens every connection."""

from mrpplan.mysql.connection import Session, session

__all__ = ["Session", "session"]
