"""Versioned migrations: their commands (create, up/down targets), blocking checks and plan steps
(the files, traces and statuses are `desired/`, the history table `mysql/schema_history.py`)."""
