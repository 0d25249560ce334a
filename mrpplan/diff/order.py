"""Foreign-key aware ordering: parents before children, cycles broken by deferring FKs."""

from __future__ import annotations

from collections.abc import Mapping


def parents_first(edges: Mapping[str, set[str]]) -> tuple[list[str], set[tuple[str, str]]]:
    """Order nodes so each comes after the nodes it references (self-references ignored).

    `edges[child]` = parents of child. Returns (order, deferred edges): when tables
    reference each other in a cycle, the edges that had to be cut to break it.
    """
    nodes = sorted(edges)
    remaining = {n: {p for p in edges[n] if p != n and p in edges} for n in nodes}
    order: list[str] = []
    deferred: set[tuple[str, str]] = set()
    done: set[str] = set()
    while remaining:
        ready = sorted(n for n, parents in remaining.items() if not (parents - done))
        if not ready:
            # A cycle: take the alphabetically first node, defer its unmet references.
            node = sorted(remaining)[0]
            deferred |= {(node, p) for p in remaining[node] - done}
            ready = [node]
        for node in ready:
            order.append(node)
            done.add(node)
            del remaining[node]
    return order, deferred


def views_in_dependency_order(texts: Mapping[str, str]) -> list[str]:
    """Views that mention another view's `name` come after it."""
    edges = {
        name: {other for other in texts if other != name and f"`{other}`" in text}
        for name, text in texts.items()
    }
    order, _ = parents_first(edges)
    return order
