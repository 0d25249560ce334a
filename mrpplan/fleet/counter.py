"""A thread-safe count of databases done, for progress lines written from worker threads."""

from __future__ import annotations

import threading


class Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = 0

    def next(self) -> int:
        """Count one more; the number this one is (1, 2, ...)."""
        with self._lock:
            self._value += 1
            return self._value
